"""Who tables an act (« Présenté par ») in each language of the city: the act's page
shows the reader's language (a Dutch page, the Dutch text only; an English page, the
English one), else the first language marked ``lang``; the API gives ``tabled_by`` in
the reader's language and ``tabled_by_texts`` by language, and writes them; the CLI's
``--tabled-by-in`` and the back office's fields per language write them. A language
the city does not offer, or a text too long, is refused naming the field, and nothing
is written."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.cli import main as cli
from kleroterion.cli.lifecycle import dispose_engines
from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
from kleroterion.models import AuditEntry, Proposal
from kleroterion.services import acts, mandates, proposals
from kleroterion.services.errors import InvalidInput
from kleroterion.web import create_app
from markupsafe import escape
from sqlalchemy import select

from .conftest import in_database
from .test_access import api_token, csrf_token, log_in

TODAY = dt.date(2026, 11, 23)
PARIS_FR = "l'Exécutif parisien, par l'adjointe à la Maire chargée de la participation citoyenne"
PARIS_EN = "the Paris Executive, through the Deputy Mayor for citizen participation"
BRUSSELS = {"fr": "le secrétariat de l'Assemblée citoyenne, au Gouvernement bruxellois",
            "nl": "het secretariaat van de Burgerraad, aan de Brusselse regering"}


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'tabled.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        paris = mandates.open_mandate(session, "paris", "2026", dt.date(2026, 10, 1))
        proposals.create(session, paris.id, "voeu", "Des bancs à l'ombre",
                         dt.date(2026, 10, 20), tabled_by=PARIS_FR,
                         tabled_by_texts={"en": PARIS_EN})
        proposals.create(session, paris.id, "voeu", "Un conseil des usagers",
                         dt.date(2026, 10, 21), tabled_by=PARIS_FR)
        brussels = mandates.open_mandate(session, "brussels", "cycle 2026",
                                         dt.date(2026, 3, 1))
        proposals.create(session, brussels.id, "recommandation", "Renoveren",
                         dt.date(2026, 4, 10), tabled_by_texts=BRUSSELS)
    engine.dispose()
    yield url


@pytest.fixture
def app(instance: Path, database: str) -> Flask:
    return create_app("paris", {"TESTING": True, "SECRET_KEY": "test",
                                "KLEROTERION_DATABASE_URL": database,
                                "KLEROTERION_TODAY": TODAY})


def _tabled(page: str) -> str:
    for dd in page.split("<dt>")[1:]:
        if dd.startswith(("Tabled by<", "Présenté par<", "Ingediend door<")):
            return dd.split("<dd>", 1)[1].split("</dd>", 1)[0]
    raise AssertionError("no « Tabled by » on the page")


def test_the_page_shows_who_tables_it_in_the_reader_s_language(
        client: FlaskClient, database: str, instance: Path) -> None:
    assert _tabled(client.get("/proposals/1?lang=en").get_data(as_text=True)) == PARIS_EN
    assert _tabled(client.get("/proposals/1?lang=fr").get_data(as_text=True)) == str(
        escape(PARIS_FR))
    # Written in French only: the English page marks it.
    assert _tabled(client.get("/proposals/2?lang=en").get_data(as_text=True)) == (
        f'<span lang="fr">{escape(PARIS_FR)}</span>')
    brussels = create_app("brussels", {"TESTING": True, "SECRET_KEY": "test",
                                       "KLEROTERION_DATABASE_URL": database,
                                       "KLEROTERION_TODAY": TODAY}).test_client()
    dutch = brussels.get("/proposals/3?lang=nl").get_data(as_text=True)
    assert _tabled(dutch) == BRUSSELS["nl"]
    assert " / " not in _tabled(dutch) and "secrétariat" not in dutch
    assert _tabled(brussels.get("/proposals/3?lang=fr").get_data(as_text=True)) == str(
        escape(BRUSSELS["fr"]))


@pytest.mark.parametrize(("work", "language"), [
    (lambda s: proposals.create(s, 1, "voeu", "Titre", dt.date(2026, 10, 22),
                                tabled_by_texts={"nl": "het secretariaat"}), "nl"),
    (lambda s: acts.set_content(s, 1, tabled_by_texts={"de": "das Sekretariat"}), "de"),
    (lambda s: acts.set_content(s, 1, tabled_by_texts={"en": "x" * 201}), "en"),
    (lambda s: acts.set_content(s, 1, tabled_by="x" * 201), "fr"),
])
def test_who_tables_it_refused_names_the_field_and_nothing_is_written(
        app: Flask, work: object, language: str) -> None:
    def state() -> object:
        return in_database(app, lambda s: [(p.tabled_by, p.texts, p.version) for p in s.scalars(
            select(Proposal).order_by(Proposal.id))])

    kept = state()
    with pytest.raises(InvalidInput) as refused:
        in_database(app, work)  # type: ignore[arg-type]
    assert refused.value.field == "tabled_by"
    assert language in str(refused.value)
    assert state() == kept


def test_set_content_keeps_each_language_and_audits_it(app: Flask) -> None:
    def change(session: object) -> tuple[str, dict[str, object]]:
        act = acts.set_content(session, 2, tabled_by_texts={"en": PARIS_EN})  # type: ignore[arg-type]
        return act.tabled_by, act.texts

    assert in_database(app, change) == (PARIS_FR, {"tabled_by": {"en": PARIS_EN}})
    entry = in_database(app, lambda s: s.scalars(select(AuditEntry).where(
        AuditEntry.action == "proposal.content").order_by(AuditEntry.id.desc())).first())
    assert entry is not None
    assert json.loads(entry.data)["texts"] == {"tabled_by": {"en": PARIS_EN}}
    # Optional: an empty text removes it, in any language, the first included.
    assert in_database(app, lambda s: (lambda p: (p.tabled_by, p.texts))(acts.set_content(
        s, 2, tabled_by_texts={"fr": "", "en": ""}))) == ("", {})


def test_the_api_reads_and_writes_who_tables_it(app: Flask, client: FlaskClient) -> None:
    found = client.get("/api/proposals/1?lang=en").get_json()
    assert found["tabled_by"] == PARIS_EN
    assert found["tabled_by_texts"] == {"fr": PARIS_FR, "en": PARIS_EN}
    assert client.get("/api/proposals/1?lang=fr").get_json()["tabled_by"] == PARIS_FR
    schema = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    assert "tabled_by_texts" in schema["Proposal"]["properties"]
    headers = {"Authorization": f"Bearer {api_token(app, 'secretariat')}"}
    made = client.post("/api/promotions/1/proposals?lang=en", headers=headers, json={
        "kind": "voeu", "on": "2026-10-25", "title": "Des fontaines",
        "tabled_by": PARIS_FR, "tabled_by_texts": {"en": PARIS_EN}})
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["tabled_by"] == PARIS_EN
    refused = client.patch(f"/api/proposals/{made.get_json()['id']}/texts", headers=headers,
                           json={"tabled_by_texts": {"nl": "x"},
                                 "expected_version": made.get_json()["version"]})
    assert refused.status_code == 422 and refused.get_json()["field"] == "tabled_by"
    done = client.patch(f"/api/proposals/{made.get_json()['id']}/texts?lang=en",
                        headers=headers, json={"tabled_by_texts": {"en": "the Executive"},
                                               "expected_version": made.get_json()["version"]})
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["tabled_by_texts"] == {"fr": PARIS_FR, "en": "the Executive"}


def test_the_cli_writes_it_with_tabled_by_in(app: Flask, database: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", database)
    monkeypatch.setenv("KLEROTERION_ACTOR", "secretariat-test")
    runner = CliRunner()
    try:
        refused = runner.invoke(cli, ["record", "content", "2", "--tabled-by-in", "it=x"])
        assert refused.exit_code != 0 and "'it'" in refused.output, refused.output
        changed = runner.invoke(cli, ["record", "content", "2", "--tabled-by-in",
                                      f"en={PARIS_EN}"])
        assert changed.exit_code == 0, changed.output
    finally:
        dispose_engines()
    assert in_database(app, lambda s: s.get(Proposal, 2).texts) == {  # type: ignore[union-attr]
        "tabled_by": {"en": PARIS_EN}}


def test_the_back_office_writes_it_in_each_language(app: Flask, client: FlaskClient) -> None:
    log_in(client, "secretariat")
    texts = client.get("/admin/acts/2/texts?lang=fr").get_data(as_text=True)
    assert 'name="tabled_by-fr"' in texts and 'name="tabled_by-en"' in texts
    token = csrf_token(client, "/admin/acts/")
    version = in_database(app, lambda s: s.get(Proposal, 2).version)  # type: ignore[union-attr]
    response = client.post("/admin/acts/2/texts", data={
        "csrf_token": token, "title-fr": "Un conseil des usagers",
        "tabled_by-fr": PARIS_FR, "tabled_by-en": PARIS_EN,
        "expected_version": str(version)})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert in_database(app, lambda s: (lambda p: (p.tabled_by, p.texts))(
        s.get(Proposal, 2))) == (PARIS_FR, {"tabled_by": {"en": PARIS_EN}})


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
               max_size=60).filter(lambda t: t.strip() == t and t.strip())


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(french=TEXT, english=TEXT)
def test_any_text_round_trips_and_is_shown_escaped(app: Flask, client: FlaskClient,
                                                   french: str, english: str) -> None:
    in_database(app, lambda s: acts.set_content(
        s, 2, tabled_by_texts={"fr": french, "en": english}))
    found = client.get("/api/proposals/2?lang=en").get_json()
    assert found["tabled_by_texts"] == {"fr": french, "en": english}
    page = client.get("/proposals/2?lang=en").get_data(as_text=True)
    assert _tabled(page) == str(escape(english))
