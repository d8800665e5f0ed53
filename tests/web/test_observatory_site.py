"""The observatory across instances: two served locally, and sources that fail each way.

Instances run on 127.0.0.1 in threads: the Paris demo (with a record), an empty
Brussels site, one answering HTML, one publishing an older schema version, and an
address where nothing listens. The static site must compare the two real ones, name
each failing source with its reason in the page's language, and never abort.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask, jsonify
from kleroterion.cli import main
from kleroterion.observatory import site, sources, summary
from kleroterion.web import create_app, demo

from tests.lifecycle import engine_standin
from tests.web.test_browser import LiveServer

TODAY = dt.date(2026, 11, 23)


def _odd(kind: str) -> Flask:
    odd = Flask(kind)

    @odd.get("/api/city")
    def city() -> Any:
        return jsonify({"slug": kind, "name": kind, "assembly_name": {"fr": kind}})

    @odd.get("/api/open-data/indicators")
    def data() -> Any:
        if kind == "html":
            return "<html><body>maintenance</body></html>"
        return jsonify({"schema_version": 0, "mandates": []})

    @odd.get("/api/open-data/configuration")
    def configuration() -> Any:
        if kind == "html":
            return "<html><body>maintenance</body></html>"
        return jsonify({"schema_version": 0, "city": {}, "facts": {}})

    return odd


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with pytest.MonkeyPatch.context() as patch:
        paris = demo.prepare(tmp_path_factory.mktemp("demo"), "paris", today=TODAY,
                             engine=engine_standin.ENGINE)
        patch.setenv("KLEROTERION_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
        apps = {
            "paris": create_app("paris", {"SECRET_KEY": "t", "KLEROTERION_TODAY": TODAY,
                                          "KLEROTERION_DATABASE_URL": paris.database_url}),
            "brussels": create_app("brussels", {"SECRET_KEY": "t",
                                                "KLEROTERION_TODAY": TODAY}),
            "html": _odd("html"), "older": _odd("older"),
        }
        servers = {name: LiveServer(app) for name, app in apps.items()}
        with socket.socket() as probe:  # a port where nothing listens once closed
            probe.bind(("127.0.0.1", 0))
            closed = probe.getsockname()[1]
        try:
            yield {**{name: f"{s.url}/api" for name, s in servers.items()},
                   "nowhere": f"http://127.0.0.1:{closed}/api"}
        finally:
            for server in servers.values():
                server.stop()


ORDER = ("paris", "brussels", "html", "older", "nowhere")


def test_each_source_is_read_or_named_with_its_reason(served: dict[str, str]) -> None:
    found = sources.collect([served[name] for name in ORDER], TODAY)
    by = dict(zip(ORDER, found, strict=True))
    assert by["paris"].problem is None and by["paris"].slug == "paris"
    assert by["paris"].indicators and by["paris"].indicators["mandates"]
    assert by["brussels"].problem is None and by["brussels"].indicators is not None
    assert by["brussels"].indicators["mandates"] == []
    assert by["html"].problem is not None and by["html"].problem.code == "not_json"
    assert by["older"].problem is not None and by["older"].problem.code == "schema_version"
    assert "0" in by["older"].problem.detail
    assert by["nowhere"].problem is not None and by["nowhere"].problem.code == "unreachable"


def test_the_site_compares_what_was_read_in_each_language(served: dict[str, str],
                                                          tmp_path: Path) -> None:
    found = sources.collect([served[name] for name in ORDER], TODAY)
    files = site.build(found, tmp_path, on=TODAY)
    assert {path.relative_to(tmp_path).as_posix() for path in files} == {
        "fr/index.html", "fr/indicators.csv", "en/index.html", "en/indicators.csv",
        "nl/index.html", "nl/indicators.csv", "index.html", "indicators.json"}
    french = (tmp_path / "fr" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in french
    assert "Assemblée citoyenne de Paris" in french
    assert "la réponse n'est pas du JSON" in french
    assert "une autre version des indicateurs" in french
    assert "aucune réponse à cette adresse" in french
    paris = summary.summarize(found[0])
    letters = paris.totals["letters"]
    assert f">{format(letters, ',').replace(',', chr(0x202f))}<" in french
    dutch = (tmp_path / "nl" / "index.html").read_text(encoding="utf-8")
    assert "Burgerraad" in dutch or "burgerraad" in dutch
    csv_fr = (tmp_path / "fr" / "indicators.csv").read_bytes().decode("utf-8")
    assert csv_fr.startswith("\ufeffAssemblée;Promotion;Indicateur;Valeur\r\n")
    assert ";Taux de réponse;" in csv_fr
    data = json.loads((tmp_path / "indicators.json").read_text(encoding="utf-8"))
    assert [d["problem"]["code"] if d["problem"] else None for d in data] == [
        None, None, "not_json", "schema_version", "unreachable"]


def test_totals_add_counts_and_recompute_rates() -> None:
    def mandate(label: str, letters: int, answers: int, seated: int, still: int,
                on_roll: int, present: int) -> dict[str, Any]:
        return {"label": label, "starts_on": "2026-01-01", "ends_on": "2026-12-31",
                "funnel": [{"letters": letters, "answers": answers}],
                "attendance": {"sessions": [{"on_roll": on_roll, "present": present}]},
                "retention": {"seated": seated, "withdrawn": seated - still,
                              "replacements": 0, "still_sitting": still},
                "commitments": {"milestones_due": 0, "milestones_on_time": 0},
                "acts": [{"kind": "voeu", "outcome": "adopted", "count": 1}],
                "indemnities": [{"year": 2026, "total": "100.00"}],
                "delays": {"median_days_to_first": 30.0, "median_days_to_final": None}}

    data = {"mandates": [mandate("A", 100, 10, 10, 9, 10, 9),
                         mandate("B", 300, 90, 30, 15, 90, 30)],
            "indemnities_by_year": []}
    result = summary.summarize(sources.Instance("x", slug="x", indicators=data))
    # (10 + 90) / (100 + 300), not the mean of 0.1 and 0.3
    assert result.totals["answer_rate"] == 0.25
    assert result.totals["retention_rate"] == 0.6  # (9 + 15) / (10 + 30)
    assert result.totals["attendance_rate"] == 0.39  # (9 + 30) / (10 + 90)
    assert result.totals["acts_adopted"] == 2 and result.totals["indemnities"] == 200.0
    assert [m["answer_rate"] for m in result.mandates] == [0.1, 0.3]


def test_the_command_compares_and_fails_only_when_nothing_was_read(
        served: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", f"sqlite:///{tmp_path}/empty.sqlite3")
    runner = CliRunner()
    good = runner.invoke(main, ["observatory", "build", str(tmp_path / "site"),
                                served["paris"], served["nowhere"], "--lang", "fr"])
    assert good.exit_code == 0, good.output
    assert "1 of 2 sources read" in good.output
    assert (tmp_path / "site" / "fr" / "index.html").exists()
    assert (tmp_path / "site" / "fr" / "configuration.html").exists()
    assert not (tmp_path / "site" / "en").exists()
    bad = runner.invoke(main, ["observatory", "build", str(tmp_path / "none"),
                               served["nowhere"], "lyon"])
    assert bad.exit_code == 1
    assert "unreachable" in bad.output and "unknown_city" in bad.output


def test_the_site_compares_how_the_assemblies_are_set_up(served: dict[str, str],
                                                         tmp_path: Path) -> None:
    from kleroterion import compare

    wanted = [served[name] for name in ORDER] + ["poitiers", "lyon"]
    compared = compare.collect(wanted, tolerant=True)
    files = site.build(sources.collect([served["paris"]], TODAY), tmp_path, ["fr", "nl"],
                       on=TODAY, compared=compared)
    names = {path.relative_to(tmp_path).as_posix() for path in files}
    assert {"fr/configuration.html", "fr/configuration.csv", "nl/configuration.html",
            "configuration.json"} <= names
    french = (tmp_path / "fr" / "configuration.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in french and "44\xa0€ par demi-journée" in french
    assert "Redevabilité et droit de suite" in french
    assert "l&#39;instance publie une autre version de la configuration" in french
    assert "aucune réponse à cette adresse" in french and "<code>lyon</code>" in french
    index = (tmp_path / "fr" / "index.html").read_text(encoding="utf-8")
    assert 'href="configuration.html"' in index
    dutch = (tmp_path / "nl" / "configuration.html").read_text(encoding="utf-8")
    assert "Vergoeding van de leden" in dutch and "€\xa044 per halve dag" in dutch
    data = json.loads((tmp_path / "configuration.json").read_text(encoding="utf-8"))
    assert [d["problem"]["code"] if d["problem"] else None for d in data] == [
        None, None, "not_json", "schema_version", "unreachable", None, "unknown_city"]
    assert data[0]["document"]["facts"]["indemnity.rate"]["value"] == 44
