"""The back office's follow-up forms: responses to deadlines, commitments, milestones.

Paris (a person responsible named for each measure, no response deadline) and
Brussels (the government's two response deadlines) acts are built through the
services; each form is posted as the secretariat with good and bad input, as a
read-only account, with a stale version and with unknown ids, and what it changed
is read back from the database and from the public follow-up pages, where the
person responsible never appears.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.db import upgrade
from kleroterion.models import Commitment, Milestone, Proposal
from kleroterion.services import followup, mandates, proposals
from kleroterion.web.database import database_url
from sqlalchemy.orm import Session

from .conftest import in_database
from .test_access import csrf_token, log_in

D = dt.date
TODAY = D(2026, 11, 23)
RESPONSIBLE = "Capucine Nominative-Témoin"



@pytest.fixture
def paris(app: Flask) -> dict[str, int]:
    """A Paris vœu adopted by the council, its commitment (overdue) and a milestone (late)."""
    upgrade(database_url(app))
    app.config["KLEROTERION_TODAY"] = TODAY

    def build(session: Session) -> dict[str, int]:
        mandate = mandates.open_mandate(session, "paris", "promotion 2026", D(2026, 4, 1))
        voeu = proposals.create(session, mandate.id, "voeu", "Des fontaines", D(2026, 5, 1))
        for target, on in (("adopte-assemblee", D(2026, 5, 10)), ("depose", D(2026, 6, 1)),
                           ("debattu", D(2026, 7, 1)), ("adopte", D(2026, 7, 2))):
            proposals.move(session, voeu.id, target, on)
        draft = proposals.create(session, mandate.id, "voeu", "Un brouillon", D(2026, 6, 1))
        commitment = followup.add_commitment(
            session, voeu.id, "Cent fontaines", "Direction de l'eau", D(2026, 7, 10),
            responsible=RESPONSIBLE, due_on=D(2026, 10, 31))
        followup.update_commitment(session, commitment.id, status="in_progress", progress=40)
        milestone = followup.add_milestone(session, commitment.id, "Diagnostic", D(2026, 9, 1))
        return {"act": voeu.id, "draft": draft.id, "commitment": commitment.id,
                "milestone": milestone.id, "mandate": mandate.id}

    return in_database(app, build)


@pytest.fixture
def brussels(app: Flask) -> dict[str, int]:
    """A Brussels recommendation sent on 31 May 2026 and carried out; nothing answered."""
    upgrade(database_url(app))
    app.config["KLEROTERION_TODAY"] = TODAY

    def build(session: Session) -> dict[str, int]:
        mandate = mandates.open_mandate(session, "brussels", "cycle 2026", D(2026, 3, 1))
        rec = proposals.create(session, mandate.id, "recommandation", "Rénover", D(2026, 5, 10))
        for target, on in (("adoptee", D(2026, 5, 24)), ("transmise", D(2026, 5, 31)),
                           ("reponse", D(2026, 9, 1)), ("realisee", D(2026, 9, 10))):
            proposals.move(session, rec.id, target, on)
        return {"act": rec.id}

    return in_database(app, build)


def _page(client: FlaskClient, act: int) -> str:
    response = client.get(f"/admin/proposals/{act}/follow-up?lang=en")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _post(client: FlaskClient, url: str, act: int, **fields: str) -> tuple[int, str]:
    token = csrf_token(client, f"/admin/proposals/{act}/follow-up")
    response = client.post(url + "?lang=en", data={"csrf_token": token, **fields})
    return response.status_code, response.get_data(as_text=True)


def _error(page: str, field_id: str) -> str:
    """The message shown next to the field ``field_id``, which must point to it."""
    found = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">([^<]*)</p>', page)
    assert found, f"no error next to {field_id}"
    assert f'aria-describedby="{field_id}-error"' in page or (
        f'aria-describedby="{field_id}-hint {field_id}-error"' in page)
    return found.group(1).replace("&#39;", "'")


def _commitment(app: Flask, ident: int) -> dict[str, Any]:
    def read(session: Session) -> dict[str, Any]:
        row = session.get(Commitment, ident)
        assert row is not None
        return {"status": row.status, "progress": row.progress, "due_on": row.due_on,
                "responsible": row.responsible, "version": row.version,
                "milestones": [(m.title, m.due_on, m.done_on) for m in row.milestones]}
    return in_database(app, read)


# --- The page ------------------------------------------------------------------------


@pytest.mark.parametrize("city", ["brussels"])
def test_the_page_lists_the_deadlines_and_which_are_overdue(
    client: FlaskClient, brussels: dict[str, int]
) -> None:
    log_in(client, "secretariat")
    page = _page(client, brussels["act"])
    first = page.split('id="deadline-premiere-reponse"')[1].split("</p>")[0]
    final = page.split('id="deadline-reponse-finale"')[1].split("</p>")[0]
    assert "31 August 2026" in first and "overdue" in first
    assert "31 May 2027" in final and "not answered yet" in final and "overdue" not in final
    assert page.count(f'action="/admin/proposals/{brussels["act"]}/follow-up/responses/') == 2


def test_the_act_page_and_the_list_of_acts_lead_to_the_follow_up(
    client: FlaskClient, paris: dict[str, int]
) -> None:
    log_in(client, "read-only")
    follow_up = f"/admin/proposals/{paris['act']}/follow-up"
    assert follow_up in client.get(f"/admin/proposals/{paris['act']}").get_data(as_text=True)
    acts = client.get("/admin/acts/?lang=en").get_data(as_text=True)
    assert f'href="{follow_up}"' in acts
    assert f"/admin/proposals/{paris['draft']}/follow-up" not in acts  # not adopted


def test_the_secretariat_sees_the_person_responsible_and_what_is_late(
    client: FlaskClient, paris: dict[str, int]
) -> None:
    log_in(client, "secretariat")
    page = _page(client, paris["act"])
    assert RESPONSIBLE in page and "Cent fontaines" in page and "40% done" in page
    assert page.count('class="overdue"') == 2  # the commitment (due 31 October) and its milestone
    assert "The city sets no response deadline" in page
    # The version the page shows (created, then updated once), sent back with the form.
    assert f'name="c{paris["commitment"]}-expected_version" type="hidden" value="2"' in page


def test_read_only_accounts_see_everything_without_forms(
    client: FlaskClient, paris: dict[str, int]
) -> None:
    log_in(client, "read-only")
    page = _page(client, paris["act"])
    assert RESPONSIBLE in page and "Diagnostic" in page and "40% done" in page
    assert "<form method=\"post\" action=\"/admin/proposals" not in page
    assert "/admin/commitments/" not in page and "/admin/milestones/" not in page
    token = csrf_token(client, "/admin/")
    for url in (f"/admin/proposals/{paris['act']}/follow-up/commitments",
                f"/admin/commitments/{paris['commitment']}",
                f"/admin/commitments/{paris['commitment']}/milestones",
                f"/admin/milestones/{paris['milestone']}/done"):
        assert client.post(url, data={"csrf_token": token}).status_code == 403, url


@pytest.mark.parametrize("city", ["brussels"])
def test_read_only_accounts_cannot_record_a_response(
    client: FlaskClient, brussels: dict[str, int]
) -> None:
    log_in(client, "read-only")
    page = _page(client, brussels["act"])
    assert "overdue" in page and "/follow-up/responses/" not in page
    token = csrf_token(client, "/admin/")
    url = f"/admin/proposals/{brussels['act']}/follow-up/responses/premiere-reponse"
    assert client.post(url, data={"csrf_token": token,
                                  "response-premiere-reponse-on": "2026-09-01"}).status_code == 403


def test_unknown_ids_are_404(client: FlaskClient, paris: dict[str, int]) -> None:
    log_in(client, "secretariat")
    token = csrf_token(client, "/admin/")
    assert client.get("/admin/proposals/9999/follow-up").status_code == 404
    for url in ("/admin/proposals/9999/follow-up/commitments",
                "/admin/proposals/9999/follow-up/responses/premiere-reponse",
                f"/admin/proposals/{paris['act']}/follow-up/responses/no-such-deadline",
                "/admin/commitments/9999", "/admin/commitments/9999/milestones",
                "/admin/milestones/9999/done"):
        assert client.post(url, data={"csrf_token": token}).status_code == 404, url


def test_a_form_without_csrf_token_is_refused(client: FlaskClient, app: Flask,
                                              paris: dict[str, int]) -> None:
    log_in(client, "secretariat")
    response = client.post(f"/admin/commitments/{paris['commitment']}",
                           data={f"c{paris['commitment']}-status": "done",
                                 f"c{paris['commitment']}-progress": "40"})
    assert response.status_code == 400
    assert _commitment(app, paris["commitment"])["status"] == "in_progress"


# --- Responses -----------------------------------------------------------------------


@pytest.mark.parametrize("city", ["brussels"])
def test_a_response_is_recorded_and_shown_on_the_public_page(
    client: FlaskClient, brussels: dict[str, int]
) -> None:
    log_in(client, "secretariat")
    act = brussels["act"]
    public = client.get(f"/follow-up/{act}?lang=en").get_data(as_text=True)
    assert "Response given" not in public and "overdue" in public
    status, _ = _post(client, f"/admin/proposals/{act}/follow-up/responses/premiere-reponse",
                      act, **{"response-premiere-reponse-on": "2026-09-01",
                              "response-premiere-reponse-summary": "Réponse publiée"})
    assert status == 302
    page = _page(client, act)
    assert "The answer is recorded." in page and "answered on 1 September 2026" in page
    assert page.count("/follow-up/responses/") == 1  # only the final response is left
    public = client.get(f"/follow-up/{act}?lang=en").get_data(as_text=True)
    assert "Response given: First response" in public
    assert "overdue" not in public
    journey = client.get(f"/api/follow-up/{act}").get_json()
    assert "answered" in [step["what"] for step in journey["steps"]]


@pytest.mark.parametrize("city", ["brussels"])
@pytest.mark.parametrize(("typed", "message"), [
    ("", "Enter a valid date."),
    ("2026-02-30", "Enter a valid date."),
    ("1er septembre", "Enter a valid date."),
    ("2026-05-01", "the answer date 2026-05-01 is before the act was sent (2026-05-31)"),
])
def test_a_bad_response_date_is_named_next_to_the_field_and_kept(
    client: FlaskClient, app: Flask, brussels: dict[str, int], typed: str, message: str
) -> None:
    log_in(client, "secretariat")
    act = brussels["act"]
    status, page = _post(client, f"/admin/proposals/{act}/follow-up/responses/premiere-reponse",
                         act, **{"response-premiere-reponse-on": typed,
                                 "response-premiere-reponse-summary": "gardez-moi"})
    assert status == 422
    assert _error(page, "response-premiere-reponse-on") == message
    assert f'value="{typed}"' in page and "gardez-moi" in page
    assert in_database(app, lambda s: s.get(Proposal, act).responses) == []  # type: ignore[union-attr]


@pytest.mark.parametrize("city", ["brussels"])
def test_a_response_recorded_meanwhile_answers_409(
    client: FlaskClient, app: Flask, brussels: dict[str, int]
) -> None:
    log_in(client, "secretariat")
    act = brussels["act"]
    token = csrf_token(client, f"/admin/proposals/{act}/follow-up")  # the page is shown
    in_database(app, lambda s: followup.record_response(s, act, "premiere-reponse", D(2026, 8, 20),
                                                "par quelqu'un d'autre"))
    response = client.post(
        f"/admin/proposals/{act}/follow-up/responses/premiere-reponse?lang=en",
        data={"csrf_token": token, "response-premiere-reponse-on": "2026-09-01"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else recorded this answer since the page was shown." in page
    assert "answered on 20 August 2026" in page
    answers = in_database(app, lambda s: [(r.answered_on, r.summary)
                                  for r in s.get(Proposal, act).responses])  # type: ignore[union-attr]
    assert answers == [(D(2026, 8, 20), "par quelqu'un d'autre")]


# --- Commitments ---------------------------------------------------------------------

NEW = {"commitment-title": "Fontaines des parcs", "commitment-department": "Espaces verts",
       "commitment-responsible": "Barnabé Nominatif-Témoin", "commitment-on": "2026-07-15",
       "commitment-due_on": "2027-06-30"}


def test_a_commitment_is_added_and_public_without_its_person_responsible(
    client: FlaskClient, app: Flask, paris: dict[str, int]
) -> None:
    log_in(client, "secretariat")
    act = paris["act"]
    status, _ = _post(client, f"/admin/proposals/{act}/follow-up/commitments", act, **NEW)
    assert status == 302
    page = _page(client, act)
    assert "The commitment is added." in page and "Barnabé Nominatif-Témoin" in page
    public = client.get(f"/follow-up/{act}?lang=en").get_data(as_text=True)
    assert "Fontaines des parcs" in public and "Espaces verts" in public
    assert "30 June 2027" in public
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    for url in ("/follow-up", f"/follow-up/{act}", f"/proposals/{act}", "/api/follow-up",
                f"/api/follow-up/{act}", "/follow-up/report-2026.csv",
                "/follow-up/report-2026.md"):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert "Nominatif" not in text and "Nominative" not in text, url
        if url.startswith("/follow-up/report"):
            assert "Fontaines des parcs" in text and "named" in text


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("title", "  ", "Enter a title."),
    ("department", "", "Enter the responsible department."),
    ("on", "", "Enter a valid date."),
    ("on", "15/07/2026", "Enter a valid date."),
    ("due_on", "2027-02-31", "Enter a valid date."),
    ("responsible", "", "paris names a person responsible for each measure; none was given"),
    ("on", "2026-07-01", "2026-07-01 is before the act was adopted (2026-07-02)"),
    ("due_on", "2026-07-14", "the due date 2026-07-14 is before 2026-07-15"),
])
def test_a_bad_commitment_is_named_next_to_the_field_and_kept(
    client: FlaskClient, app: Flask, paris: dict[str, int], field: str, typed: str,
    message: str
) -> None:
    log_in(client, "secretariat")
    act = paris["act"]
    fields = {**NEW, f"commitment-{field}": typed}
    status, page = _post(client, f"/admin/proposals/{act}/follow-up/commitments", act,
                         **fields)
    assert status == 422
    assert _error(page, f"commitment-{field}") == message
    for name, value in fields.items():
        if value.strip():
            assert re.search(rf'<input [^>]*name="{name}"[^>]* value="{re.escape(value)}"',
                             page), name
    titles = in_database(app, lambda s: [c.title for c in s.get(Proposal, act).commitments])  # type: ignore[union-attr]
    assert titles == ["Cent fontaines"]


def test_an_act_not_adopted_takes_no_commitment(
    client: FlaskClient, app: Flask, paris: dict[str, int]
) -> None:
    log_in(client, "secretariat")
    draft = paris["draft"]
    page = _page(client, draft)
    assert "Commitments follow an adopted act" in page and "commitment-title" not in page
    status, page = _post(client, f"/admin/proposals/{draft}/follow-up/commitments", draft,
                         **NEW)
    assert status == 422
    assert "commitments follow an adopted act" in _error(page, "commitment-title")
    assert in_database(app, lambda s: s.get(Proposal, draft).commitments) == []  # type: ignore[union-attr]


def _update(client: FlaskClient, app: Flask, ids: dict[str, int], **changes: str
            ) -> tuple[int, str]:
    ident = ids["commitment"]
    now = _commitment(app, ident)
    fields = {"status": now["status"], "progress": str(now["progress"]),
              "due_on": now["due_on"].isoformat() if now["due_on"] else "",
              "responsible": now["responsible"], "expected_version": str(now["version"]),
              **changes}
    return _post(client, f"/admin/commitments/{ident}", ids["act"],
                 **{f"c{ident}-{name}": value for name, value in fields.items()})


def test_marking_a_commitment_done_shows_it_done_in_full_on_the_public_page(
    client: FlaskClient, app: Flask, paris: dict[str, int]
) -> None:
    log_in(client, "secretariat")
    status, _ = _update(client, app, paris, status="done")
    assert status == 302
    assert _commitment(app, paris["commitment"])["progress"] == 100
    page = _page(client, paris["act"])
    assert "The commitment is saved." in page
    public = client.get(f"/follow-up/{paris['act']}?lang=en").get_data(as_text=True)
    assert "100% done, done" in public
    assert "overdue" not in public  # a closed commitment is late no more


def test_progress_due_date_and_person_responsible_are_updated(
    client: FlaskClient, app: Flask, paris: dict[str, int]
) -> None:
    log_in(client, "secretariat")
    status, _ = _update(client, app, paris, progress="65", due_on="2027-03-31",
                        responsible="Nouvelle Personne-Témoin")
    assert status == 302
    now = _commitment(app, paris["commitment"])
    assert (now["status"], now["progress"], now["due_on"], now["responsible"]) == (
        "in_progress", 65, D(2027, 3, 31), "Nouvelle Personne-Témoin")
    public = client.get("/follow-up?lang=en").get_data(as_text=True)
    assert "65% done, in progress" in public and "31 March 2027" in public
    assert "Personne-Témoin" not in public


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("progress", "101", "Enter a whole number from 0 to 100."),
    ("progress", "-1", "Enter a whole number from 0 to 100."),
    ("progress", "soixante", "Enter a whole number from 0 to 100."),
    ("progress", "", "Enter a whole number from 0 to 100."),
    ("status", "finished", "Not a valid choice."),
    ("due_on", "2027-13-01", "Enter a valid date."),
    ("due_on", "", "A due date cannot be removed; enter one."),
    ("due_on", "2026-07-01", "the due date 2026-07-01 is before the commitment (2026-07-10)"),
    ("responsible", " ", "paris names a person responsible for each measure; none was given"),
])
def test_a_bad_update_is_named_next_to_the_field_and_changes_nothing(
    client: FlaskClient, app: Flask, paris: dict[str, int], field: str, typed: str,
    message: str
) -> None:
    log_in(client, "secretariat")
    before = _commitment(app, paris["commitment"])
    status, page = _update(client, app, paris, **{field: typed})
    assert status == 422
    assert _error(page, f"c{paris['commitment']}-{field}") == message
    if field in ("progress", "due_on") and typed:
        assert f'value="{typed}"' in page
    assert _commitment(app, paris["commitment"]) == before


def test_an_update_that_changes_nothing_says_so(
    client: FlaskClient, app: Flask, paris: dict[str, int]
) -> None:
    log_in(client, "secretariat")
    status, page = _update(client, app, paris)
    assert status == 422
    assert _error(page, f"c{paris['commitment']}-status").startswith("nothing to change")


def test_an_update_from_a_stale_page_answers_409_and_keeps_the_other_change(
    client: FlaskClient, app: Flask, paris: dict[str, int]
) -> None:
    log_in(client, "secretariat")
    ident = paris["commitment"]
    shown = _commitment(app, ident)
    in_database(app, lambda s: followup.update_commitment(s, ident, progress=55))  # someone else
    status, page = _post(client, f"/admin/commitments/{ident}", paris["act"], **{
        f"c{ident}-status": "done", f"c{ident}-progress": "40",
        f"c{ident}-due_on": "2026-10-31", f"c{ident}-responsible": RESPONSIBLE,
        f"c{ident}-expected_version": str(shown["version"])})
    assert status == 409
    assert "Someone else changed this commitment since the page was shown." in page
    assert "55% done" in page
    now = _commitment(app, ident)
    assert (now["status"], now["progress"]) == ("in_progress", 55)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(progress=st.integers(min_value=-1000, max_value=1000))
def test_any_progress_from_0_to_100_is_taken_and_any_other_refused(
    client: FlaskClient, app: Flask, paris: dict[str, int], progress: int
) -> None:
    log_in(client, "secretariat")
    before = _commitment(app, paris["commitment"])
    status, _ = _update(client, app, paris, progress=str(progress))
    after = _commitment(app, paris["commitment"])
    if progress == before["progress"]:
        assert status == 422  # nothing to change
    elif 0 <= progress <= 100:
        assert status == 302 and after["progress"] == progress
    else:
        assert status == 422 and after == before


# --- Milestones ----------------------------------------------------------------------


def test_a_milestone_is_added_then_reached_and_the_public_page_tells_both(
    client: FlaskClient, app: Flask, paris: dict[str, int]
) -> None:
    log_in(client, "secretariat")
    ident = paris["commitment"]
    status, _ = _post(client, f"/admin/commitments/{ident}/milestones", paris["act"], **{
        f"c{ident}-milestone-title": "Premières fontaines",
        f"c{ident}-milestone-title_en": "First fountains",
        f"c{ident}-milestone-due_on": "2027-01-15"})
    assert status == 302
    public = client.get(f"/follow-up/{paris['act']}?lang=en").get_data(as_text=True)
    assert "Milestone due: First fountains" in public and "Premières" not in public
    french = client.get(f"/follow-up/{paris['act']}?lang=fr").get_data(as_text=True)
    assert "Premières fontaines" in french and "First fountains" not in french
    assert "0 of 2 milestones reached" in public

    status, _ = _post(client, f"/admin/milestones/{paris['milestone']}/done", paris["act"],
                      **{f"m{paris['milestone']}-on": "2026-09-05"})
    assert status == 302
    page = _page(client, paris["act"])
    assert "The milestone is marked as reached." in page
    assert "reached on 5 September 2026" in page
    public = client.get(f"/follow-up/{paris['act']}?lang=en").get_data(as_text=True)
    # Written in French only: the English page marks it so.
    assert 'Milestone reached: <span lang="fr">Diagnostic</span>' in public
    assert "1 of 2 milestones reached" in public
    assert _commitment(app, ident)["milestones"] == [
        ("Diagnostic", D(2026, 9, 1), D(2026, 9, 5)),
        ("Premières fontaines", D(2027, 1, 15), None)]


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("title", "", "Enter a title."),
    ("due_on", "", "Enter a valid date."),
    ("due_on", "demain", "Enter a valid date."),
    ("due_on", "2026-07-01", "the milestone date 2026-07-01 is before the commitment "
                             "(2026-07-10)"),
])
def test_a_bad_milestone_is_named_next_to_the_field_and_kept(
    client: FlaskClient, app: Flask, paris: dict[str, int], field: str, typed: str,
    message: str
) -> None:
    log_in(client, "secretariat")
    ident = paris["commitment"]
    fields = {"title": "Premières fontaines", "due_on": "2027-01-15", field: typed}
    status, page = _post(client, f"/admin/commitments/{ident}/milestones", paris["act"],
                         **{f"c{ident}-milestone-{k}": v for k, v in fields.items()})
    assert status == 422
    assert _error(page, f"c{ident}-milestone-{field}") == message
    for value in fields.values():
        if value:
            assert f'value="{value}"' in page
    assert len(_commitment(app, ident)["milestones"]) == 1


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Enter a valid date."),
    ("2026-09-31", "Enter a valid date."),
    ("2026-07-01", "2026-07-01 is before the commitment (2026-07-10)"),
])
def test_a_bad_milestone_date_is_named_next_to_the_field(
    client: FlaskClient, app: Flask, paris: dict[str, int], typed: str, message: str
) -> None:
    log_in(client, "secretariat")
    ident = paris["milestone"]
    status, page = _post(client, f"/admin/milestones/{ident}/done", paris["act"],
                         **{f"m{ident}-on": typed})
    assert status == 422
    assert _error(page, f"m{ident}-on") == message
    if typed:
        assert f'value="{typed}"' in page
    assert in_database(app, lambda s: s.get(Milestone, ident).done_on) is None  # type: ignore[union-attr]


def test_a_milestone_reached_meanwhile_answers_409(
    client: FlaskClient, app: Flask, paris: dict[str, int]
) -> None:
    log_in(client, "secretariat")
    ident = paris["milestone"]
    token = csrf_token(client, f"/admin/proposals/{paris['act']}/follow-up")
    in_database(app, lambda s: followup.complete_milestone(s, ident, D(2026, 8, 30)))
    response = client.post(f"/admin/milestones/{ident}/done?lang=en",
                           data={"csrf_token": token, f"m{ident}-on": "2026-09-05"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else marked this milestone as reached" in page
    assert "reached on 30 August 2026" in page
    assert in_database(app, lambda s: s.get(Milestone, ident).done_on) == D(2026, 8, 30)  # type: ignore[union-attr]


# --- Texts in each language ------------------------------------------------------------


def test_a_commitment_and_a_milestone_are_written_in_each_language_of_the_city(
    client: FlaskClient, app: Flask, paris: dict[str, int]
) -> None:
    log_in(client, "secretariat")
    page = _page(client, paris["act"])
    assert 'name="commitment-title_en"' in page and 'name="commitment-department_en"' in page
    assert 'name="commitment-title_nl"' not in page  # Paris writes French and English
    status, _ = _post(client, f"/admin/proposals/{paris['act']}/follow-up/commitments",
                      paris["act"], **{
                          "commitment-title": "Des bancs", "commitment-title_en": "Benches",
                          "commitment-department": "Direction de la voirie",
                          "commitment-department_en": "Roads Department",
                          "commitment-responsible": "Chef fictif",
                          "commitment-on": "2026-07-10"})
    assert status == 302
    english = client.get(f"/follow-up/{paris['act']}?lang=en").get_data(as_text=True)
    assert "<strong>Benches</strong> — Roads Department" in english
    # The update form shows each language's text; an emptied first language is refused.
    ident = paris["commitment"]
    status, page = _update(client, app, paris, title_fr="", title_en="A hundred fountains")
    assert status == 422
    assert _error(page, f"c{ident}-title_fr") == ("a commitment needs a title in 'fr', the "
                                                  "city's first language")
    status, _ = _update(client, app, paris, title_fr="Cent fontaines",
                        title_en="A hundred fountains")
    assert status == 302
    english = client.get(f"/follow-up/{paris['act']}?lang=en").get_data(as_text=True)
    assert "<strong>A hundred fountains</strong>" in english
    # A milestone's title, written later in English.
    milestone = paris["milestone"]
    status, _ = _post(client, f"/admin/milestones/{milestone}/title", paris["act"], **{
        f"m{milestone}-title-title_fr": "Diagnostic",
        f"m{milestone}-title-title_en": "Assessment",
        f"m{milestone}-title-expected_version": "1"})
    assert status == 302
    english = client.get(f"/follow-up/{paris['act']}?lang=en").get_data(as_text=True)
    assert "Milestone due: Assessment" in english
