"""An act's title and its documents' titles in each language of the city: an English
page shows the English title, a title written only in French is marked ``lang="fr"``;
the API gives ``title`` in the reader's language and ``titles`` by language, and
writes them; the CLI's ``--title-in`` and the back office's fields per language write
them; the follow-up report speaks the report's language. A title in a language the
city does not offer, or an empty title in its first language, is refused naming the
field, and nothing is written."""

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
from kleroterion.models import AuditEntry, Proposal, ProposalAttachment
from kleroterion.services import acts, followup, mandates, proposals
from kleroterion.services.errors import InvalidInput
from kleroterion.web import create_app
from markupsafe import escape
from sqlalchemy import select

from .conftest import in_database
from .test_access import api_token, csrf_token, log_in

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'titles.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        mandate = mandates.open_mandate(session, "paris", "2026", dt.date(2026, 10, 1))
        proposals.create(session, mandate.id, "voeu", "Des bancs à l'ombre",
                         dt.date(2026, 10, 20), titles={"en": "Shaded benches"})
        proposals.create(session, mandate.id, "voeu", "Un conseil des usagers",
                         dt.date(2026, 10, 21))
    engine.dispose()
    yield url


@pytest.fixture
def app(instance: Path, database: str) -> Flask:
    return create_app("paris", {"TESTING": True, "SECRET_KEY": "test",
                                "KLEROTERION_DATABASE_URL": database,
                                "KLEROTERION_TODAY": TODAY})


def _main(page: str) -> str:
    return page.split("<main", 1)[1]


def test_an_english_page_shows_the_english_title_and_marks_a_french_one(
        client: FlaskClient) -> None:
    listing = _main(client.get("/proposals?lang=en").get_data(as_text=True))
    assert ">Shaded benches</a>" in listing and "Des bancs" not in listing
    assert '<span lang="fr">Un conseil des usagers</span>' in listing
    page = client.get("/proposals/1?lang=en").get_data(as_text=True)
    assert "<title>Shaded benches" in page and "<h1>Shaded benches</h1>" in page
    other = client.get("/proposals/2?lang=en").get_data(as_text=True)
    assert '<h1><span lang="fr">Un conseil des usagers</span></h1>' in other
    french = _main(client.get("/proposals?lang=fr").get_data(as_text=True))
    assert "Des bancs à l&#39;ombre" in french and "Shaded" not in french
    assert '<span lang="en">' not in french


def test_the_api_gives_the_reader_s_title_and_every_language(client: FlaskClient) -> None:
    found = client.get("/api/proposals/1?lang=en").get_json()
    assert found["title"] == "Shaded benches"
    assert found["titles"] == {"fr": "Des bancs à l'ombre", "en": "Shaded benches"}
    assert client.get("/api/proposals/1?lang=fr").get_json()["title"] == "Des bancs à l'ombre"
    assert client.get("/api/proposals/2?lang=en").get_json()["title"] == "Un conseil des usagers"
    schema = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    assert "titles" in schema["Proposal"]["properties"]
    assert "titles" in schema["Attachment"]["properties"]


@pytest.mark.parametrize(("work", "language"), [
    (lambda s: proposals.create(s, 1, "voeu", "Titre", dt.date(2026, 10, 22),
                                titles={"nl": "Titel"}), "nl"),
    (lambda s: proposals.create(s, 1, "voeu", "", dt.date(2026, 10, 22),
                                titles={"en": "Only English"}), "fr"),
    (lambda s: acts.set_content(s, 1, titles={"fr": "", "en": "Benches"}), "fr"),
    (lambda s: acts.set_content(s, 1, titles={"de": "Bänke"}), "de"),
    (lambda s: acts.set_content(s, 1, titles={"en": "x" * 301}), "en"),
])
def test_a_title_refused_names_the_field_and_nothing_is_written(
        app: Flask, work: object, language: str) -> None:
    def state() -> object:
        return in_database(app, lambda s: [(p.title, p.texts, p.version) for p in s.scalars(
            select(Proposal).order_by(Proposal.id))])

    kept = state()
    with pytest.raises(InvalidInput) as refused:
        in_database(app, work)  # type: ignore[arg-type]
    assert refused.value.field == "title"
    assert language in str(refused.value)
    assert state() == kept


def test_set_content_keeps_titles_per_language_and_audits_them(app: Flask) -> None:
    def change(session: object) -> tuple[str, dict[str, object]]:
        act = acts.set_content(session, 2, titles={"en": "A transport users' council"})  # type: ignore[arg-type]
        return act.title, act.texts

    assert in_database(app, change) == ("Un conseil des usagers", {
        "title": {"en": "A transport users' council"}})
    entry = in_database(app, lambda s: s.scalars(select(AuditEntry).where(
        AuditEntry.action == "proposal.content").order_by(AuditEntry.id.desc())).first())
    assert entry is not None
    assert {"title": {"en": "A transport users' council"}} in _values(json.loads(entry.data))
    # An empty text removes a language other than the first.
    assert in_database(app, lambda s: acts.set_content(s, 2, titles={"en": ""}).texts) == {}


def _values(data: object) -> list[object]:
    """Every value nested in an audit entry's data."""
    if isinstance(data, dict):
        return [*data.values(), *(v for item in data.values() for v in _values(item))]
    return []


def test_an_attachment_s_title_by_language(app: Flask, client: FlaskClient,
                                           tmp_path: Path) -> None:
    booklet = tmp_path / "carnet.txt"
    booklet.write_text("Carnet", encoding="utf-8")
    instance = Path(app.instance_path)
    with pytest.raises(InvalidInput) as refused:
        in_database(app, lambda s: acts.add_attachment(
            s, 1, booklet, instance, kind="synthesis", title="", on=TODAY,
            titles={"en": "Summary booklet"}))
    assert refused.value.field == "title"
    in_database(app, lambda s: acts.add_attachment(
        s, 1, booklet, instance, kind="synthesis", title="", on=TODAY,
        titles={"fr": "Carnet de synthèse", "en": "Summary booklet"}))
    row = in_database(app, lambda s: (lambda a: (a.title, a.texts))(
        s.scalars(select(ProposalAttachment)).one()))
    assert row == ("Carnet de synthèse", {"title": {"en": "Summary booklet"}})
    page = client.get("/proposals/1?lang=en").get_data(as_text=True)
    assert "download>Summary booklet</a>" in page
    found = client.get("/api/proposals/1?lang=en").get_json()["attachments"][0]
    assert found["title"] == "Summary booklet"
    assert found["titles"] == {"fr": "Carnet de synthèse", "en": "Summary booklet"}


def test_the_api_creates_an_act_and_writes_its_titles(app: Flask,
                                                       client: FlaskClient) -> None:
    headers = {"Authorization": f"Bearer {api_token(app, 'secretariat')}"}
    refused = client.post("/api/promotions/1/proposals?lang=en", headers=headers, json={
        "kind": "voeu", "on": "2026-10-25", "titles": {"en": "Only English"}})
    assert refused.status_code == 422, refused.get_data(as_text=True)
    assert refused.get_json()["field"] == "title"
    made = client.post("/api/promotions/1/proposals?lang=en", headers=headers, json={
        "kind": "voeu", "on": "2026-10-25", "title": "Des fontaines",
        "titles": {"en": "Drinking fountains"}})
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["title"] == "Drinking fountains"
    assert made.get_json()["titles"] == {"fr": "Des fontaines", "en": "Drinking fountains"}
    ident = made.get_json()["id"]
    assert client.post("/api/promotions/99/proposals", headers=headers, json={
        "kind": "voeu", "on": "2026-10-25", "title": "X"}).status_code == 404
    stale = client.patch(f"/api/proposals/{ident}/texts", headers=headers, json={
        "titles": {"en": "Fountains"}, "expected_version": 99})
    assert stale.status_code == 409
    done = client.patch(f"/api/proposals/{ident}/texts?lang=fr", headers=headers, json={
        "titles": {"fr": "Des fontaines d'eau potable", "en": "Fountains"},
        "expected_version": made.get_json()["version"]})
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["title"] == "Des fontaines d'eau potable"
    assert done.get_json()["titles"]["en"] == "Fountains"
    assert client.patch(f"/api/proposals/{ident}/texts", headers=headers,
                        json={"expected_version": 1}).status_code == 422


def test_the_cli_writes_titles_with_title_in(app: Flask, database: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", database)
    monkeypatch.setenv("KLEROTERION_ACTOR", "secretariat-test")
    runner = CliRunner()
    try:
        created = runner.invoke(cli, ["proposal", "create", "1", "voeu", "Mieux trier",
                                      "--date", "2026-10-26", "--title-in",
                                      "en=Better sorting"])
        assert created.exit_code == 0, created.output
        refused = runner.invoke(cli, ["record", "content", "1", "--title-in", "it=Panchine"])
        assert refused.exit_code != 0 and "'it'" in refused.output, refused.output
        changed = runner.invoke(cli, ["record", "content", "1", "--title-in", "en=Benches"])
        assert changed.exit_code == 0, changed.output
    finally:
        dispose_engines()
    rows = in_database(app, lambda s: {p.title: p.texts for p in s.scalars(select(Proposal))})
    assert rows["Mieux trier"] == {"title": {"en": "Better sorting"}}
    assert rows["Des bancs à l'ombre"] == {"title": {"en": "Benches"}}


def test_the_back_office_writes_a_title_in_each_language(app: Flask,
                                                         client: FlaskClient) -> None:
    log_in(client, "secretariat")
    page = client.get("/admin/acts/?lang=en").get_data(as_text=True)
    assert 'name="title-en"' in page and 'name="title-fr"' not in page
    token = csrf_token(client, "/admin/acts/")
    response = client.post("/admin/acts/", data={
        "csrf_token": token, "kind": "voeu", "title": "Des jardins partagés",
        "title-en": "Shared gardens", "on": "2026-10-27"})
    assert response.status_code == 302, response.get_data(as_text=True)
    made = in_database(app, lambda s: (lambda p: (p.id, p.texts, p.version))(s.scalars(
        select(Proposal).where(Proposal.title == "Des jardins partagés")).one()))
    assert made[1] == {"title": {"en": "Shared gardens"}}
    texts = client.get(f"/admin/acts/{made[0]}/texts?lang=fr").get_data(as_text=True)
    assert 'name="title-fr"' in texts and 'value="Shared gardens"' in texts
    response = client.post(f"/admin/acts/{made[0]}/texts", data={
        "csrf_token": token, "title-fr": "Des jardins sur les toits",
        "title-en": "Rooftop gardens", "expected_version": str(made[2])})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert in_database(app, lambda s: (lambda p: (p.title, p.texts))(
        s.get(Proposal, made[0]))) == ("Des jardins sur les toits",
                                       {"title": {"en": "Rooftop gardens"}})


def test_the_report_in_english_uses_the_english_title(app: Flask,
                                                      client: FlaskClient) -> None:
    report = in_database(app, lambda s: followup.report(s, 1, 2026, "csv"))
    assert "Shaded benches" in report and "Des bancs" not in report
    assert "Un conseil des usagers" in report  # no English title: the French one
    french = in_database(app, lambda s: followup.report(s, 1, 2026, "csv", french=True))
    assert "Des bancs à l'ombre" in french
    page = client.get("/follow-up/report-2026?lang=en").get_data(as_text=True)
    assert "Shaded benches" in page
    assert '<span lang="fr">Un conseil des usagers</span>' in page
    markdown = client.get("/follow-up/report-2026.md?lang=en").get_data(as_text=True)
    assert "## Shaded benches" in markdown


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
               max_size=60).filter(lambda t: t.strip() == t and t.strip())


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(french=TEXT, english=TEXT)
def test_any_title_round_trips_and_is_shown_escaped(app: Flask, client: FlaskClient,
                                                    french: str, english: str) -> None:
    in_database(app, lambda s: acts.set_content(s, 2, titles={"fr": french, "en": english}))
    found = client.get("/api/proposals/2?lang=en").get_json()
    assert found["titles"] == {"fr": french, "en": english}
    assert found["title"] == english
    page = client.get("/proposals/2?lang=en").get_data(as_text=True)
    assert f"<h1>{escape(english)}</h1>" in page
