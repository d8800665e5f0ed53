"""Follow-up services' refusals: each names the parameter it is about, and changes nothing.

The back office shows a refusal next to the form field its ``field`` names, and the
API may answer with it; these tests pin which parameter each rule blames, the
person responsible a city requires per measure (Paris) on creation and on update,
a progress outside 0..100 for any value, and an answer recorded twice at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.db import session_scope
from kleroterion.models import Commitment, Proposal
from kleroterion.services import followup, mandates, proposals
from kleroterion.services.errors import ConflictError, InvalidInput, NotAllowed
from sqlalchemy.orm import Session, sessionmaker

D = dt.date


@pytest.fixture
def paris(run: Any) -> dict[str, int]:
    """A Paris vœu adopted on 2 July 2026 with one commitment (a person responsible named)."""
    mandate = run(mandates.open_mandate, "paris", "promotion 2026", D(2026, 4, 1))
    voeu = run(proposals.create, mandate.id, "voeu", "Des fontaines", D(2026, 5, 1))
    for target, on in (("adopte-assemblee", D(2026, 5, 10)), ("depose", D(2026, 6, 1)),
                       ("debattu", D(2026, 7, 1)), ("adopte", D(2026, 7, 2))):
        run(proposals.move, voeu.id, target, on)
    commitment = run(followup.add_commitment, voeu.id, "Cent fontaines", "Eau", D(2026, 7, 10),
                     responsible="Cheffe fictive")
    return {"act": voeu.id, "commitment": commitment.id}


@pytest.fixture
def brussels(run: Any) -> dict[str, int]:
    """A Brussels recommendation sent on 31 May 2026, and one still a draft."""
    mandate = run(mandates.open_mandate, "brussels", "cycle 2026", D(2026, 3, 1))
    rec = run(proposals.create, mandate.id, "recommandation", "Rénover", D(2026, 5, 10))
    for target, on in (("adoptee", D(2026, 5, 24)), ("transmise", D(2026, 5, 31))):
        run(proposals.move, rec.id, target, on)
    draft = run(proposals.create, mandate.id, "recommandation", "Brouillon", D(2026, 5, 10))
    return {"sent": rec.id, "draft": draft.id}


def _commitment(run: Any, ident: int) -> tuple[str, int, str, int]:
    def read(session: Session) -> tuple[str, int, str, int]:
        row = session.get(Commitment, ident)
        assert row is not None
        return row.status, row.progress, row.responsible, row.version
    result: tuple[str, int, str, int] = run(read)
    return result


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": " "}, "title"),
    ({"department": ""}, "department"),
    ({"responsible": "  "}, "responsible"),
    ({"on": D(2026, 7, 1)}, "on"),
    ({"due_on": D(2026, 7, 9)}, "due_on"),
])
def test_a_refused_commitment_names_its_parameter(
    run: Any, paris: dict[str, int], changes: dict[str, Any], field: str
) -> None:
    given_ = {"title": "Fontaines des parcs", "department": "Espaces verts",
              "on": D(2026, 7, 10), "responsible": "Chef fictif", "due_on": None, **changes}
    with pytest.raises(InvalidInput) as refused:
        run(followup.add_commitment, paris["act"], given_["title"], given_["department"],
            given_["on"], responsible=given_["responsible"], due_on=given_["due_on"])
    assert refused.value.field == field
    assert run(lambda s: len(s.get(Proposal, paris["act"]).commitments)) == 1


def test_the_person_responsible_cannot_be_blanked_where_the_city_names_one(
    run: Any, paris: dict[str, int]
) -> None:
    before = _commitment(run, paris["commitment"])
    with pytest.raises(InvalidInput, match="names a person responsible") as refused:
        run(followup.update_commitment, paris["commitment"], responsible=" ", progress=50)
    assert refused.value.field == "responsible"
    assert _commitment(run, paris["commitment"]) == before
    run(followup.update_commitment, paris["commitment"], responsible="Nouvelle cheffe")
    assert _commitment(run, paris["commitment"])[2] == "Nouvelle cheffe"


def test_a_city_without_owners_per_measure_may_blank_the_person(run: Any) -> None:
    mandate = run(mandates.open_mandate, "poitiers", "édition 2026", D(2026, 1, 1))
    plan = run(proposals.create, mandate.id, "plan-action", "Plan", D(2026, 6, 1))
    for target, on in (("decide", D(2026, 6, 1)), ("transmis", D(2026, 6, 2)),
                       ("adopte", D(2026, 7, 1))):
        run(proposals.move, plan.id, target, on)
    commitment = run(followup.add_commitment, plan.id, "Mesure", "Voirie", D(2026, 7, 2),
                     responsible="Chef fictif")
    run(followup.update_commitment, commitment.id, responsible="")
    assert _commitment(run, commitment.id)[2] == ""


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(progress=st.integers(min_value=-10**6, max_value=10**6))
def test_progress_is_a_percentage(run: Any, paris: dict[str, int], progress: int) -> None:
    before = _commitment(run, paris["commitment"])
    if 0 <= progress <= 100:
        run(followup.update_commitment, paris["commitment"], progress=progress)
        assert _commitment(run, paris["commitment"])[1] == progress
    else:
        with pytest.raises(InvalidInput, match=f"from 0 to 100, not {progress}") as refused:
            run(followup.update_commitment, paris["commitment"], progress=progress)
        assert refused.value.field == "progress"
        assert _commitment(run, paris["commitment"]) == before


def test_an_unknown_status_and_an_empty_update_name_the_status(
    run: Any, paris: dict[str, int]
) -> None:
    for changes in ({"status": "finished"}, {}):
        with pytest.raises(InvalidInput) as refused:
            run(followup.update_commitment, paris["commitment"], **changes)
        assert refused.value.field == "status"


def test_milestone_refusals_name_their_parameter(run: Any, paris: dict[str, int]) -> None:
    with pytest.raises(InvalidInput) as refused:
        run(followup.add_milestone, paris["commitment"], " ", D(2026, 9, 1))
    assert refused.value.field == "title"
    with pytest.raises(InvalidInput) as refused:
        run(followup.add_milestone, paris["commitment"], "Étape", D(2026, 7, 9))
    assert refused.value.field == "due_on"
    milestone = run(followup.add_milestone, paris["commitment"], "Étape", D(2026, 9, 1))
    with pytest.raises(InvalidInput) as refused:
        run(followup.complete_milestone, milestone.id, D(2026, 7, 9))
    assert refused.value.field == "on"
    run(followup.complete_milestone, milestone.id, D(2026, 9, 2))
    with pytest.raises(NotAllowed, match="already done on 2026-09-02") as refused:
        run(followup.complete_milestone, milestone.id, D(2026, 9, 3))
    assert refused.value.field == "on"


def test_response_refusals_name_their_parameter(run: Any, brussels: dict[str, int]) -> None:
    with pytest.raises(InvalidInput, match="premiere-reponse, reponse-finale") as refused:
        run(followup.record_response, brussels["sent"], "troisieme", D(2026, 6, 1))
    assert refused.value.field == "deadline_key"
    with pytest.raises(NotAllowed, match="not sent") as refused:
        run(followup.record_response, brussels["draft"], "premiere-reponse", D(2026, 6, 1))
    assert refused.value.field == "deadline_key"
    with pytest.raises(InvalidInput, match="before the act was sent") as refused:
        run(followup.record_response, brussels["sent"], "premiere-reponse", D(2026, 5, 30))
    assert refused.value.field == "on"
    run(followup.record_response, brussels["sent"], "premiere-reponse", D(2026, 8, 1))
    with pytest.raises(NotAllowed, match="already recorded"):
        run(followup.record_response, brussels["sent"], "premiere-reponse", D(2026, 8, 2))


def test_an_answer_recorded_twice_at_once_is_a_conflict(
    factory: sessionmaker[Session], run: Any, brussels: dict[str, int]
) -> None:
    """B read the act (no answer yet), A recorded the answer and committed, B's is refused."""
    with factory() as b:
        read = b.get(Proposal, brussels["sent"])
        assert read is not None and read.responses == []
        with session_scope(factory, actor="a") as a:
            followup.record_response(a, brussels["sent"], "premiere-reponse", D(2026, 8, 1))
        with pytest.raises(ConflictError, match="at the same time"):
            followup.record_response(b, brussels["sent"], "premiere-reponse", D(2026, 8, 2))
        b.rollback()
    answers = run(lambda s: [r.answered_on for r in s.get(Proposal, brussels["sent"]).responses])
    assert answers == [D(2026, 8, 1)]


# -- the city's answers (first, final, yearly, reasons) --------------------------------


def _answers(run: Any, ident: int) -> list[tuple[str, str | None, int | None, dict[str, str]]]:
    def read(session: Session) -> list[tuple[str, str | None, int | None, dict[str, str]]]:
        row = session.get(Proposal, ident)
        assert row is not None
        return [(r.kind, r.verdict, r.year, dict(r.text)) for r in row.responses]
    result: list[tuple[str, str | None, int | None, dict[str, str]]] = run(read)
    return result


def test_paris_records_its_yearly_answer_and_no_deadline_answer(run: Any,
                                                                 paris: dict[str, int]) -> None:
    with pytest.raises(NotAllowed, match="sets no response deadline: it answers in its "
                                         "periodic report") as refused:
        run(followup.record_answer, paris["act"], "first", D(2026, 9, 1), summary="Oui")
    assert refused.value.field == "kind"
    run(followup.record_answer, paris["act"], "yearly", D(2026, 12, 10), year=2026,
        summary="Cent fontaines en service", text={"fr": "Le compte rendu annuel."})
    assert _answers(run, paris["act"]) == [
        ("yearly", None, 2026, {"fr": "Le compte rendu annuel."})]
    with pytest.raises(NotAllowed, match="already recorded"):
        run(followup.record_answer, paris["act"], "yearly", D(2026, 12, 20), year=2026,
            summary="encore")
    with pytest.raises(InvalidInput, match="publishes in fr, en") as refused:
        run(followup.record_answer, paris["act"], "yearly", D(2027, 1, 5), year=2027,
            text={"nl": "Jaarverslag"})
    assert refused.value.field == "text"


def test_an_answers_summary_is_kept_in_each_language_of_the_city(
        run: Any, paris: dict[str, int]) -> None:
    with pytest.raises(InvalidInput, match="'nl' is not a language of this city") as refused:
        run(followup.record_answer, paris["act"], "yearly", D(2026, 12, 10), year=2026,
            summaries={"nl": "Jaarverslag"})
    assert refused.value.field == "summary"
    run(followup.record_answer, paris["act"], "yearly", D(2026, 12, 10), year=2026,
        summaries={"fr": "Compte rendu annuel", "en": "Annual report"})

    def read(session: Session) -> list[tuple[str, dict[str, Any]]]:
        row = session.get(Proposal, paris["act"])
        assert row is not None
        return [(r.summary, dict(r.texts)) for r in row.responses]
    assert run(read) == [("Compte rendu annuel", {"summary": {"en": "Annual report"}})]


def test_a_yearly_answer_follows_adopted_acts_only(run: Any, paris: dict[str, int]) -> None:
    mandate = run(lambda s: s.get(Proposal, paris["act"]).mandate_id)
    draft = run(proposals.create, mandate, "voeu", "Un brouillon", D(2026, 5, 2))
    with pytest.raises(NotAllowed, match=r"is 'redige': the periodic report follows adopted "
                                         "acts only"):
        run(followup.record_answer, draft.id, "yearly", D(2026, 12, 1), summary="rien")
    assert _answers(run, draft.id) == []


def test_brussels_answers_with_a_verdict_then_its_reasons(run: Any,
                                                          brussels: dict[str, int]) -> None:
    with pytest.raises(NotAllowed, match="not sent to its addressee yet: no answer is due"):
        run(followup.record_answer, brussels["draft"], "first", D(2026, 6, 1), summary="x")
    with pytest.raises(NotAllowed, match="no reasons are due"):
        run(followup.record_answer, brussels["sent"], "reasons", D(2026, 6, 1), summary="x")
    with pytest.raises(NotAllowed, match="makes no periodic report"):
        run(followup.record_answer, brussels["sent"], "yearly", D(2026, 6, 1), summary="x")
    with pytest.raises(InvalidInput, match="'maybe' is not a verdict") as refused:
        run(followup.record_answer, brussels["sent"], "final", D(2026, 6, 1), summary="x",
            verdict="maybe")
    assert refused.value.field == "verdict"
    run(followup.record_answer, brussels["sent"], "first", D(2026, 8, 20),
        summary="Première réponse", text={"fr": "Réponse", "nl": "Antwoord"})
    run(followup.record_answer, brussels["sent"], "final", D(2027, 5, 20),
        summary="Évaluation", verdict="partly_retained")
    run(followup.record_answer, brussels["sent"], "reasons", D(2027, 5, 25),
        summary="Budget indisponible")
    assert [(kind, verdict) for kind, verdict, _, _ in _answers(run, brussels["sent"])] == [
        ("first", None), ("final", "partly_retained"), ("reasons", None)]
    # The deadlines read the answers given through record_answer.
    due = run(followup.deadlines, brussels["sent"])
    assert [d.answered_on for d in due] == [D(2026, 8, 20), D(2027, 5, 20)]


# -- promotions that overlap -----------------------------------------------------------


def test_a_promotion_the_city_forbids_to_overlap_is_refused_naming_the_other(run: Any) -> None:
    run(mandates.open_mandate, "poitiers", "édition 2026", D(2026, 1, 1))
    with pytest.raises(NotAllowed, match=r"overlaps 'édition 2026' \(2026-01-01 to "
                                         r"2026-12-31\): poitiers has one") as refused:
        run(mandates.open_mandate, "poitiers", "édition bis", D(2026, 6, 1))
    assert refused.value.field == "start"
    run(mandates.open_mandate, "poitiers", "édition 2027", D(2027, 1, 1))


def test_two_paris_promotions_overlap_but_not_three(run: Any) -> None:
    run(mandates.open_mandate, "paris", "promotion 2025", D(2025, 9, 1))
    run(mandates.open_mandate, "paris", "promotion 2026", D(2026, 9, 1))
    with pytest.raises(NotAllowed, match=r"on 2026-09-01 .* would sit with 'promotion 2025' "
                                         r".*'promotion 2026' .*at most 2 sitting at once"):
        run(mandates.open_mandate, "paris", "promotion bis", D(2026, 8, 1))
    assert len(run(mandates.list_mandates, "paris")) == 2


# -- the yearly report in French dates ----------------------------------------------------


def test_the_french_report_gives_dd_mm_yyyy_dates(run: Any, paris: dict[str, int]) -> None:
    mandate = run(lambda s: s.get(Proposal, paris["act"]).mandate_id)
    run(followup.update_commitment, paris["commitment"], due_on=D(2026, 12, 24))
    french = run(followup.report, mandate, 2026, "csv", french=True)
    assert "24/12/2026" in french and "2026-12-24" not in french
    assert "2026-12-24" in run(followup.report, mandate, 2026, "csv")
