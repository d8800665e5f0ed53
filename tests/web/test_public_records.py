"""The public record of a mandate: draws, proposals with their timelines, the follow-up.

One demo mandate of Paris, built through the services with the lifecycle tests' quick
stand-in engine, is read by every test of this module; personal data planted on a
seated member's respondent must appear on none of these pages.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from kleroterion import __version__
from kleroterion.db import make_engine, make_sessionmaker, session_scope
from kleroterion.models import (
    AuditEntry,
    Commitment,
    Draw,
    Mandate,
    Member,
    Proposal,
    ProposalResponse,
)
from kleroterion.services import acts, followup, members, recruitment
from kleroterion.web import api_records, create_app, demo
from kleroterion.web.database import _factory
from kleroterion.web.records import install_command
from sqlalchemy import event, func, select

from tests.lifecycle import engine_standin

from .test_access import _urls

TODAY = dt.date(2026, 11, 23)
SOURCE = f"http://localhost/source/kleroterion-{__version__}.tar.gz"
RESPONSIBLE = "Anatole Responsabilité-Nominative"
PLANTED = {"name": "Zébulon Plantédonnée", "address": "17 impasse Témoin",
           "email": "zebulon.temoin@example.org", "phone": "+33 6 42 42 42 42"}
NEW_PAGES = ("/draw", "/proposals", "/follow-up")
#: A public name on a member who never consented, and on a consenting member who left.
UNCONSENTED = "Anonyme Sans-Consentement"
LEFT = "Partie Avec-Consentement"
CONSENTED = "Nommée Avec-Consentement"


def _query(url: str, work: Any) -> Any:
    engine = make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine), actor="test") as session:
            return work(session)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo mandate of Paris, with personal data planted on a seated member."""
    login = demo.prepare(tmp_path_factory.mktemp("demo"), "paris", today=TODAY,
                         engine=engine_standin.ENGINE)

    def plant(session: Any) -> None:
        member = session.scalars(select(Member).order_by(Member.id)).first()
        recruitment.set_personal_data(session, member.respondent_id, **PLANTED)
        # The person a department names responsible for a measure is personal data too.
        for commitment in session.scalars(select(Commitment)):
            commitment.responsible = RESPONSIBLE
        # Public names: one without consent (written behind the service's back), one of
        # a member who consented then left, one consented (on the panel page only).
        sitting = [m for m in session.scalars(select(Member).order_by(Member.id)) if m.active]
        silent = next(m for m in sitting if m.public_name_consent_on is None)
        silent.respondent.personal.public_name = UNCONSENTED
        left = session.scalars(select(Member).where(Member.status == "withdrawn")).first()
        left.respondent.personal.public_name, left.public_name_consent_on = LEFT, left.seated_on
        named = next(m for m in sitting if m is not silent)
        members.give_name_consent(session, named.id, CONSENTED, named.seated_on)

    _query(login.database_url, plant)
    yield login.database_url


@pytest.fixture
def app(instance: Path, database: str) -> Flask:
    return create_app("paris", {"TESTING": True, "SECRET_KEY": "test",
                                "KLEROTERION_DATABASE_URL": database,
                                "KLEROTERION_TODAY": TODAY})


def _text(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _proposals(database: str) -> list[dict[str, Any]]:
    def read(session: Any) -> list[dict[str, Any]]:
        return [{"id": p.id, "title": p.title, "kind": p.kind, "state": p.state,
                 "moves": [(m.on, m.source, m.target, m.actor,
                            m.texts.get("reason", {}).get("en", m.reason))
                           for m in p.transitions],
                 # A commitment's title as the English pages show it.
                 "commitments": [(c.texts.get("title", {}).get("en", c.title), c.progress,
                                  c.status) for c in p.commitments]}
                for p in session.scalars(select(Proposal).order_by(Proposal.id))]
    result: list[dict[str, Any]] = _query(database, read)
    return result


# -- the panel ------------------------------------------------------------------


def test_the_panel_shows_the_seated_counts_next_to_the_targets(client: FlaskClient,
                                                               database: str) -> None:
    def counts(session: Any) -> dict[str, Any]:
        seated = session.scalars(select(Member).where(Member.status != "withdrawn",
                                                      Member.mandate_id == 1))
        found: dict[str, Any] = {}
        for member in seated:
            group = found.setdefault(member.seat_group, {"total": 0})
            group["total"] += 1
            for feature, value in member.respondent.features.items():
                group[(feature, value)] = group.get((feature, value), 0) + 1
        return found

    expected = _query(database, counts)
    page = _text(client, "/panel?lang=en&promotion=1")
    gender = page[page.index('id="chart-liste-electorale-gender-h"'):]
    gender = gender[:gender.index("</table>")]
    assert "Seated now" in gender and gender.count('class="seated"') == 2
    rows = re.findall(r'<th scope="row">([^<]+)</th>(?:\s*<td class="num">([^<]*)</td>){5}',
                      gender)
    seated = [int(cells) for _, cells in rows]
    assert seated == [expected["liste-electorale"].get(("gender", value), 0)
                      for value in ("femme", "homme")]
    total = expected["liste-electorale"]["total"]
    assert f"<dt>Members seated now</dt><dd>{total}</dd>" in page


# -- the draw -------------------------------------------------------------------------


def test_the_draw_page_publishes_every_panel_draw_and_how_to_verify_it(
    client: FlaskClient, database: str
) -> None:
    draws = _query(database, lambda s: [
        (d.seat_group, d.panels_digest, d.public_number, d.inputs["respondents_digest"],
         d.inputs.get("quotas_digest"), d.algorithm)
        for d in s.scalars(select(Draw).where(Draw.kind == "panel", Draw.mandate_id == 1))])
    assert draws
    page = _text(client, "/draw?lang=en&promotion=1")
    for group, listing, number, respondents, quotas, algorithm in draws:
        assert 'id="draw-' in page and algorithm.upper() in page
        for digest in (listing, respondents, quotas):
            if digest:
                assert f"<code>{digest}</code>" in page, group
        if number:
            index = int(number) % 1000 if number.isdigit() else None
            assert number in page
            if index is not None and listing:
                assert f"number {index} of 1000" in page
    assert "kleroterion verify LOTTERY-FOLDER --digest DIGEST --number NUMBER" in page
    # No index serves kleroterion: the page installs the source this site serves.
    assert f"pip install {SOURCE}" in page and "pip install kleroterion" not in page
    # Pseudonymous ids of respondents are not needed to check a draw: none is shown.
    assert not re.search(r"\bR-?[0-9A-F]{6,}\b", page)


def test_replacement_draws_are_not_listed_as_panel_draws(client: FlaskClient,
                                                         database: str) -> None:
    panel_draws = _query(database, lambda s: s.scalar(
        select(func.count()).select_from(Draw).where(Draw.kind == "panel",
                                                     Draw.mandate_id == 1)))
    page = _text(client, "/draw?promotion=1")
    assert page.count('<section aria-labelledby="draw-') == panel_draws


# -- proposals ------------------------------------------------------------------------


def test_the_proposals_page_lists_every_act_by_kind_and_state(client: FlaskClient,
                                                              database: str) -> None:
    page = _text(client, "/proposals?lang=en")
    for proposal in _proposals(database):  # every promotion's
        assert f'href="/proposals/{proposal["id"]}"' in page
    assert "Wish (vœu)" in page and "Submitted to the Council (2)" in page
    one = _text(client, "/proposals?lang=en&promotion=1")
    assert "Submitted to the Council (1)" in one


def test_an_act_shows_the_timeline_of_every_transition(client: FlaskClient,
                                                        database: str) -> None:
    proposal = max(_proposals(database), key=lambda p: len(p["moves"]))
    assert len(proposal["moves"]) >= 3
    english = _text(client, f"/proposals/{proposal['id']}?lang=en")
    french = _text(client, f"/proposals/{proposal['id']}?lang=fr")
    items = re.findall(r'<li><time datetime="([0-9-]+)">', english)
    assert items == [on.isoformat() for on, *_ in proposal["moves"]]
    assert "Adopted by the assembly" in english and "by the council" in english
    assert "Adopté par l&#39;assemblée" in french and '<html lang="fr">' in french
    for *_, reason in proposal["moves"]:  # in English where the demo wrote it so
        if reason:
            assert reason.replace("'", "&#39;") in english
    assert "vote in plenary session" in english and "vote en séance plénière" in french


def test_an_adopted_act_links_to_its_follow_up(client: FlaskClient, database: str) -> None:
    adopted = [p for p in _proposals(database) if p["commitments"]]
    page = _text(client, f"/proposals/{adopted[0]['id']}")
    assert f'href="/follow-up/{adopted[0]["id"]}"' in page


# -- the follow-up --------------------------------------------------------------------


def test_the_follow_up_lists_each_adopted_act_with_progress_bars(client: FlaskClient,
                                                                  database: str) -> None:
    page = _text(client, "/follow-up?lang=en")
    with_commitments = [p for p in _proposals(database) if p["commitments"]]
    assert with_commitments
    for proposal in with_commitments:
        assert f'href="/follow-up/{proposal["id"]}"' in page
        for title, progress, _status in proposal["commitments"]:
            assert f"<strong>{title}</strong>" in page
            assert f'<progress max="100" value="{progress}"' in page
            assert f"{progress}% done" in page
    # The one late commitment of the demo is marked in words, not by colour alone.
    assert page.count(">overdue</strong>") >= 1


def test_a_journey_is_one_chronological_story(client: FlaskClient, database: str) -> None:
    proposal = next(p for p in _proposals(database) if len(p["commitments"]) == 3)
    page = _text(client, f"/follow-up/{proposal['id']}?lang=en")
    days = re.findall(r'<time datetime="([0-9-]+)">', page[page.index("The story of this act"):])
    assert days == sorted(days) and len(days) >= len(proposal["moves"]) + 4
    story = page[page.index("The story of this act"):]
    order = [story.index(text) for text in ("Proposed to the assembly", "Now “Adopted”",
                                            "Commitment made", "Milestone reached")]
    assert order == sorted(order)
    assert "Commitment due: Works schedule" in story and "Calendrier" not in story
    assert 'class="late"' in story and ">overdue</strong>" in story
    assert "(to come)" in story


def test_the_follow_up_is_in_french_by_default(client: FlaskClient) -> None:
    page = _text(client, "/follow-up")
    assert '<html lang="fr">' in page
    assert "Rapport de suivi annuel" in page and "en retard" in page


@pytest.mark.parametrize("fmt, mimetype", [("md", "text/markdown"), ("csv", "text/csv")])
def test_the_yearly_report_downloads_without_counting_as_the_city_report(
    client: FlaskClient, database: str, fmt: str, mimetype: str
) -> None:
    def reports(session: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "followup.report")))

    before = _query(database, reports)
    page = _text(client, "/follow-up")
    assert f'href="/follow-up/report-2026.{fmt}"' in page
    response = client.get(f"/follow-up/report-2026.{fmt}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    # The page's language: French headers and states, DD/MM/YYYY dates, no person named.
    if fmt == "csv":
        assert body.splitlines()[0].startswith("Acte;Promotion;Type;Titre;État;")
    else:
        assert body.startswith("# Rapport de suivi 2026")
    assert "31/12/2026" in body or fmt == "csv"
    assert RESPONSIBLE not in body and "in_progress" not in body
    # The city's yearly report is not logged by a visitor's download.
    assert _query(database, reports) == before


# -- the JSON API -------------------------------------------------------------------

API = [("/api/draws", api_records.DrawSchema, True),
       ("/api/proposals", api_records.ProposalSchema, True),
       ("/api/proposals/10", api_records.ProposalSchema, False),
       ("/api/follow-up", api_records.JourneySchema, True),
       ("/api/follow-up/10", api_records.JourneySchema, False)]


@pytest.mark.parametrize("url, schema, many", API)
def test_the_api_answers_match_their_schemas(client: FlaskClient, url: str, schema: Any,
                                             many: bool) -> None:
    for query in ("", "?lang=en"):
        response = client.get(url + query)
        assert response.status_code == 200, url
        data = response.get_json()
        items = data if many else [data]
        assert items, url
        names = {field.data_key or name for name, field in schema().dump_fields.items()}
        for item in items:
            assert set(item) == names
        assert schema(many=many).validate(data) == {}


def test_the_api_gives_what_the_pages_give(client: FlaskClient, database: str) -> None:
    digests = _query(database, lambda s: {
        d.id: d.panels_digest for d in s.scalars(select(Draw).where(Draw.kind == "panel"))})
    draws = client.get("/api/draws").get_json()
    assert {d["id"]: d["list_digest"] for d in draws} == digests
    assert all(d["panel_index"] == d["number"] % 1000 for d in draws if d["list_digest"])
    acts = client.get("/api/proposals?lang=fr").get_json()
    assert {a["id"]: len(a["transitions"]) for a in acts} == {
        p["id"]: len(p["moves"]) for p in _proposals(database)}
    wishes = client.get("/api/proposals?kind=voeu").get_json()
    assert wishes and {a["kind"] for a in wishes} == {"voeu"}
    journeys = client.get("/api/follow-up?lang=en").get_json()
    assert {j["id"] for j in journeys} == {p["id"] for p in _proposals(database)
                                           if p["commitments"]}
    assert sum(j["overdue"] for j in journeys) >= 1
    steps = journeys[0]["steps"]
    assert [s["on"] for s in steps] == sorted(s["on"] for s in steps)


def test_the_api_refuses_bad_queries_and_unknown_ids(client: FlaskClient) -> None:
    bad = client.get("/api/proposals?kind=nope")
    assert bad.status_code == 422
    assert "kind" in bad.get_json()["errors"]
    for url in ("/api/proposals/9999", "/api/follow-up/9999", "/api/follow-up/1"):
        missing = client.get(url)
        assert missing.status_code == 404 and missing.get_json()["status"] == 404


def test_the_openapi_document_describes_the_record_endpoints(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    for path in ("/api/draws", "/api/proposals", "/api/proposals/{ident}", "/api/follow-up",
                 "/api/follow-up/{ident}"):
        assert "get" in document["paths"][path], path
    assert {"Draw", "Proposal", "Journey", "Step", "Commitment"} <= set(
        document["components"]["schemas"])


# -- errors and privacy -----------------------------------------------------------


@pytest.mark.parametrize("url", ["/proposals/9999", "/follow-up/9999", "/follow-up/1",
                                 "/follow-up/report-1999.md", "/follow-up/report-2026.pdf"])
def test_unknown_records_get_a_404_page_in_the_visitor_language(client: FlaskClient,
                                                                 url: str) -> None:
    french = client.get(url)
    assert french.status_code == 404
    assert "Page introuvable" in french.get_data(as_text=True)
    english = client.get(url, headers={"Accept-Language": "en"})
    assert english.status_code == 404
    assert "Page not found" in english.get_data(as_text=True)


def test_no_record_page_holds_planted_personal_data(client: FlaskClient,
                                                    database: str) -> None:
    urls = [*NEW_PAGES, "/follow-up/report-2026.md", "/follow-up/report-2026.csv"]
    urls += [f"/proposals/{p['id']}" for p in _proposals(database)]
    urls += [f"/follow-up/{p['id']}" for p in _proposals(database) if p["commitments"]]
    urls += [f"/api{url}" for url in urls if not url.startswith("/follow-up/report")]
    for url in urls:
        for language in ("fr", "en"):
            body = client.get(f"{url}?lang={language}").get_data(as_text=True)
            for value in [*PLANTED.values(), RESPONSIBLE, UNCONSENTED, LEFT]:
                assert value not in body, (url, value)
            if url.startswith("/api"):  # the API leaves even consented names out
                assert CONSENTED not in body, url
    # The public report says a person was named, and the secretariat's report who.
    assert "named" in client.get("/follow-up/report-2026.csv?lang=en").get_data(as_text=True)

    def secretariat_report(session: Any) -> str:
        mandate = session.scalars(select(Mandate)).first()
        return followup.report(session, mandate.id, 2026, "csv")

    assert RESPONSIBLE in _query(database, secretariat_report)


def test_only_consenting_sitting_members_are_named_and_only_on_the_panel_page(
        app: Flask, client: FlaskClient, database: str) -> None:
    def expected(session: Any) -> dict[str, tuple[list[str], int]]:
        found: dict[str, tuple[list[str], int]] = {}
        for member in session.scalars(select(Member).where(Member.status != "withdrawn",
                                                           Member.mandate_id == 1)):
            names, unnamed = found.get(member.seat_group, ([], 0))
            if member.public_name_consent_on is not None:
                found[member.seat_group] = ([*names, member.respondent.personal.public_name],
                                            unnamed)
            else:
                found[member.seat_group] = (names, unnamed + 1)
        return found

    groups = _query(database, expected)
    page = _text(client, "/panel?lang=en&promotion=1")
    assert CONSENTED in page and UNCONSENTED not in page and LEFT not in page
    for group, (names, unnamed) in groups.items():
        section = page[page.index(f'id="group-{group}"'):]
        section = section[:section.index("</section>")]
        shown = re.findall(r"<li>([^<]+)</li>", section[section.find('class="public-names"'):])
        assert sorted(shown) == sorted(names), group
        if unnamed:
            assert f"{unnamed} member{'s' if unnamed > 1 else ''} chose not to be named" in (
                section), group
    assert sum(len(names) for names, _ in groups.values()) > 20  # the demo names a share
    assert "choisi de ne pas être nommé" in _text(client, "/panel?lang=fr")
    for rule, url in _urls(app):
        if "GET" not in (rule.methods or set()) or url.startswith("/admin"):
            continue
        for language in ("fr", "en"):
            with client.get(f"{url}?lang={language}") as response:
                body = _readable(response.get_data(), response.mimetype)
            assert UNCONSENTED not in body and LEFT not in body, url
            if url != "/panel":
                assert CONSENTED not in body, url


def _readable(data: bytes, mimetype: str) -> str:
    """A response as text; a zip download (the published lottery) as its files' text."""
    if mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    return data.decode("utf-8")


def test_the_pages_say_when_nothing_was_recorded(instance: Path) -> None:
    app = create_app("paris", {"TESTING": True, "SECRET_KEY": "test"})
    client = app.test_client()
    assert "Aucun panel n'a encore été tiré." in _text(client, "/draw")
    assert client.get("/proposals").status_code == 200
    assert "Aucun acte n'a encore été adopté." in _text(client, "/follow-up")
    assert client.get("/follow-up/report-2026.csv").status_code == 404


#: Queries each page makes, rendered afresh (page cache off): a fixed number, whatever
#: the number of members (100 seated per promotion here), draws, acts (19 per promotion)
#: and commitments; some lists pay a few per promotion (three here: the sitting one, the
#: past one, the next one), the lists of acts read every promotion's at once. One query
#: per member or per act (an N+1) made /panel cost 102 queries and 70 ms.
#: /panel reads the mandate's own quotas (one query for every seat group) for its charts.
QUERIES = {"/": 9, "/panel": 5, "/draw": 4, "/sessions": 9, "/proposals": 3,
           "/proposals/{act}": 6, "/follow-up": 9, "/follow-up/{adopted}": 9,
           "/api/proposals": 9, "/api/follow-up": 9, "/promotions": 16,
           "/follow-up/report-2026": 26, "/api/sessions": 11, "/api/promotions": 16}


def test_every_record_page_makes_a_fixed_number_of_queries(instance: Path,
                                                           database: str) -> None:
    app = create_app("paris", {"TESTING": True, "SECRET_KEY": "test",
                               "KLEROTERION_DATABASE_URL": database,
                               "KLEROTERION_TODAY": TODAY, "KLEROTERION_PAGE_CACHE": False})
    client = app.test_client()
    acts = client.get("/api/proposals").get_json()
    adopted = client.get("/api/follow-up").get_json()
    assert len(acts) > 10 and len(adopted) >= 2
    engine = _factory(app).kw["bind"]
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _r, statement, *_: seen.append(statement))
    try:
        for url, expected in QUERIES.items():
            seen.clear()
            path = url.format(act=acts[-1]["id"], adopted=adopted[-1]["id"])
            assert client.get(path).status_code == 200, path
            assert len(seen) == expected, (path, seen)
    finally:
        engine.dispose()


@settings(deadline=None)  # a loaded CI machine may take 200 ms for one example
@given(engine=st.none() | st.dictionaries(
    st.sampled_from(["name", "version", "highspy"]),
    st.one_of(st.none(), st.text(max_size=5), st.sampled_from([__version__, "1.16.0"]),
              st.integers())))
def test_the_install_line_names_only_the_served_source_and_a_well_formed_highs(
        engine: object) -> None:
    """A manifest's engine becomes ``pip install <served source> highspy==Y``, or nothing."""
    line = install_command(engine, SOURCE)
    if line is None:
        return
    assert isinstance(engine, dict) and engine["version"] == __version__
    words = line.removeprefix(f"pip install {SOURCE}").split()
    assert line.startswith(f"pip install {SOURCE}") and len(words) <= 1
    for pin in words:
        assert pin == f"highspy=={engine['highspy']}"
        assert re.fullmatch(r"highspy==[0-9][0-9A-Za-z.+!-]*", pin)


def test_the_install_line_of_a_manifest() -> None:
    """No index serves kleroterion: the line installs the source this site serves."""
    running = {"name": "kleroterion", "version": __version__, "highspy": "1.16.0"}
    assert install_command(running, SOURCE) == f"pip install {SOURCE} highspy==1.16.0"
    assert install_command({**running, "highspy": "1; rm -rf /"}, SOURCE) == (
        f"pip install {SOURCE}")
    assert install_command({**running, "version": "0.0.1"}, SOURCE) is None
    assert install_command(None, SOURCE) is None



# -- acts with their content, answers, files; the report as a page; every promotion ------


def _act_of(database: str, kind: str, promotion: int = 1) -> int:
    return int(_query(database, lambda s: s.scalar(select(Proposal.id).where(
        Proposal.mandate_id == promotion, Proposal.kind == kind).order_by(Proposal.id))))


def test_an_act_text_with_markup_is_shown_as_text(client: FlaskClient, database: str) -> None:
    ident = _act_of(database, "question")
    hostile = '<script>alert("x")</script> **gras** [lien](javascript:alert(1))'
    _query(database, lambda s: acts.set_content(
        s, ident, summary={"fr": hostile}, full_text={"fr": "<img src=x onerror=alert(1)>"},
        tabled_by="<b>l'Exécutif</b>"))
    page = _text(client, f"/proposals/{ident}")
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>l" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; **gras**" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    api = client.get(f"/api/proposals/{ident}").get_json()
    assert api["summary"]["fr"] == hostile  # the API gives the text as it was written


def test_an_act_page_shows_its_votes_and_the_city_answers(client: FlaskClient,
                                                          database: str) -> None:
    answered = _query(database, lambda s: [
        (r.proposal_id, r.year) for r in s.scalars(select(ProposalResponse).where(
            ProposalResponse.kind == "yearly"))])
    assert answered, "the demo publishes Paris's yearly answers"
    ident, year = answered[0]
    page = _text(client, f"/proposals/{ident}?lang=fr")
    assert "Les réponses des pouvoirs publics" in page and f"rapport annuel {year}</strong>" in page
    assert "Vote de l&#39;assemblée" in page and "Présenté par" in page
    english = _text(client, f"/follow-up/{ident}?lang=en")
    assert "yearly report" in english and "Answer given: yearly report" in english
    api = client.get(f"/api/proposals/{ident}").get_json()
    assert {"kind": "yearly", "year": year}.items() <= api["answers"][0].items()
    assert api["votes"] and api["votes"][0]["body"] == "assembly"


def test_an_attachment_downloads_under_its_safe_name(app: Flask, client: FlaskClient,
                                                     database: str, tmp_path: Path) -> None:
    ident = _act_of(database, "voeu")
    source = tmp_path / "Carnet de synthèse <atelier>.pdf"
    source.write_bytes(b"%PDF-1.4 carnet")
    stored = _query(database, lambda s: acts.add_attachment(
        s, ident, source, Path(app.instance_path), kind="synthesis", title="Carnet <1>",
        on=TODAY).id)
    page = _text(client, f"/proposals/{ident}")
    assert "Carnet &lt;1&gt;" in page and "carnet de synthèse" in page
    response = client.get(f"/proposals/{ident}/files/{stored}")
    body = response.data
    response.close()
    assert response.status_code == 200 and body == b"%PDF-1.4 carnet"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "<" not in disposition
    assert client.get(f"/proposals/{ident + 1}/files/{stored}").status_code == 404


def test_the_report_is_a_page_in_the_visitor_s_language(client: FlaskClient) -> None:
    french = _text(client, "/follow-up/report-2026?lang=fr")
    assert "<h1>Rapport de suivi 2026</h1>" in french and "Engagements par statut" in french
    assert '<svg viewBox' in french and '<table class="data">' in french  # chart + its table
    assert "en cours" in french and ">in_progress<" not in french
    assert RESPONSIBLE not in french
    english = _text(client, "/follow-up/report-2026?lang=en")
    assert "<h1>Follow-up report 2026</h1>" in english and "in progress" in english
    csv_fr = client.get("/follow-up/report-2026.csv?lang=fr").get_data(as_text=True)
    assert csv_fr.startswith("Acte;Promotion;Type;Titre;État;Réponses;Engagement;")
    csv_en = client.get("/follow-up/report-2026.csv?lang=en").get_data(as_text=True)
    assert csv_en.startswith("Act,Cohort,Kind,Title,State,Answers,Commitment,")
    markdown = client.get("/follow-up/report-2026.md?lang=fr").get_data(as_text=True)
    assert markdown.startswith("# Rapport de suivi 2026") and "| Engagement |" in markdown


def test_an_unknown_promotion_is_not_found_and_a_known_one_narrows_the_lists(
        client: FlaskClient, database: str) -> None:
    assert client.get("/proposals?promotion=999").status_code == 404
    assert client.get("/proposals?promotion=abc").status_code == 404
    assert client.get("/api/proposals?promotion=999").status_code == 422
    first = {a["id"] for a in client.get("/api/proposals?promotion=1").get_json()}
    every = {a["id"] for a in client.get("/api/proposals").get_json()}
    assert first < every and first == _query(database, lambda s: set(s.scalars(
        select(Proposal.id).where(Proposal.mandate_id == 1))))
    promotions = client.get("/api/promotions").get_json()
    assert sorted(p["status"] for p in promotions) == ["past", "sitting", "sitting"]


def test_the_calendar_carries_times_places_and_the_city_events(client: FlaskClient) -> None:
    feed = client.get("/sessions.ics").get_data(as_text=True)
    assert "DTSTART:2026" in feed and "T163000Z" in feed  # 18:30 in Paris, in UTC
    assert "LOCATION:" in feed and "UID:event-" in feed
    page = _text(client, "/sessions?lang=fr")
    assert "Réunion annuelle du droit de suite" in page and "Lieu\u00a0:" in page
    assert "Claire Exemple" in page and "Personnes entendues" in page
