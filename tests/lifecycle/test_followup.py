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
