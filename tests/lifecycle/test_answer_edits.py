"""Correcting an answer already recorded (``answer_edits.edit_answer``).

Each field corrects alone and leaves the others as they were; every correction is an
audit entry with each change's before and after; each refusal names its parameter and
changes nothing; an answer read before someone else's correction is a conflict; any
text in any language of the city comes back as it was written.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.models import AuditEntry, ProposalResponse
from kleroterion.services import answer_edits, followup, mandates, proposals
from kleroterion.services import texts as prose
from kleroterion.services.errors import ConflictError, InvalidInput, NotFound
from sqlalchemy import select
from sqlalchemy.orm import Session

D = dt.date


@pytest.fixture
def answers(run: Any) -> dict[str, int]:
    """A Brussels recommendation sent on 31 May 2026 with its first and final answers."""
    mandate = run(mandates.open_mandate, "brussels", "cycle 2026", D(2026, 3, 1))
    rec = run(proposals.create, mandate.id, "recommandation", "Rénover", D(2026, 5, 10))
    for target, on in (("adoptee", D(2026, 5, 24)), ("transmise", D(2026, 5, 31))):
        run(proposals.move, rec.id, target, on)
    first = run(followup.record_answer, rec.id, "first", D(2026, 8, 20),
                summaries={"fr": "Réponse reçue", "nl": "Antwoord ontvnagen"},
                text={"fr": "Réponse", "nl": "Antwoord"})
    final = run(followup.record_answer, rec.id, "final", D(2027, 5, 20),
                summary="Évaluation", verdict="partly_retained")
    return {"act": rec.id, "first": first.id, "final": final.id}


State = tuple[dt.date, str | None, dict[str, str], dict[str, str]]


def _state(run: Any, ident: int) -> State:
    def read(session: Session) -> State:
        row = session.get(ProposalResponse, ident)
        assert row is not None
        return (row.answered_on, row.verdict, prose.texts_of(row, "summary", "fr"),
                dict(row.text))
    result: State = run(read)
    return result


def _edits(run: Any) -> list[dict[str, Any]]:
    def read(session: Session) -> list[dict[str, Any]]:
        return [json.loads(entry.data) for entry in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "followup.answer_edit")
            .order_by(AuditEntry.seq))]
    result: list[dict[str, Any]] = run(read)
    return result


def test_a_typo_in_one_language_is_corrected_alone(run: Any, answers: dict[str, int]) -> None:
    run(answer_edits.edit_answer, answers["first"], summaries={"nl": "Antwoord ontvangen"})
    assert _state(run, answers["first"]) == (
        D(2026, 8, 20), None, {"fr": "Réponse reçue", "nl": "Antwoord ontvangen"},
        {"fr": "Réponse", "nl": "Antwoord"})
    assert _edits(run) == [{"answer": answers["first"], "key": "premiere-reponse",
                            "changes": {"summary": {"nl": {"before": "Antwoord ontvnagen",
                                                           "after": "Antwoord ontvangen"}}}}]


def test_each_field_is_corrected_and_audited(run: Any, answers: dict[str, int]) -> None:
    run(answer_edits.edit_answer, answers["final"], summaries={"en": "Assessment"},
        texts={"nl": "Evaluatie"}, verdict="not_retained", answered_on=D(2027, 5, 21))
    assert _state(run, answers["final"]) == (
        D(2027, 5, 21), "not_retained", {"fr": "Évaluation", "en": "Assessment"},
        {"nl": "Evaluatie"})
    assert _edits(run)[-1]["changes"] == {
        "summary": {"en": {"before": "", "after": "Assessment"}},
        "text": {"nl": {"before": "", "after": "Evaluatie"}},
        "verdict": {"before": "partly_retained", "after": "not_retained"},
        "on": {"before": "2027-05-20", "after": "2027-05-21"}}
    # An empty text removes a language; "" removes the verdict.
    run(answer_edits.edit_answer, answers["final"], summaries={"en": ""}, verdict="")
    assert _state(run, answers["final"])[1:3] == (None, {"fr": "Évaluation"})


def test_the_same_values_change_nothing_and_log_nothing(run: Any,
                                                        answers: dict[str, int]) -> None:
    before = _state(run, answers["final"])
    run(answer_edits.edit_answer, answers["final"], summaries={"fr": "Évaluation"},
        verdict="partly_retained", answered_on=D(2027, 5, 20))
    assert _state(run, answers["final"]) == before
    assert _edits(run) == []


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({}, "summary", "nothing to change"),
    ({"verdict": "maybe"}, "verdict", "'maybe' is not a verdict"),
    ({"answered_on": D(2026, 5, 30)}, "on", "before the act was sent"),
    ({"summaries": {"de": "Antwort"}}, "summary", "'de' is not a language of this city"),
    ({"summaries": {"nl": "x" * 2001}}, "summary", "more than 2000"),
    ({"summaries": {"fr": "a\x00b"}}, "summary", "NUL"),
    ({"texts": {"en": "Answer"}}, "text", "publishes in fr, nl"),
    ({"summaries": {"fr": ""}}, "summary", "cannot be removed while other languages"),
    ({"summaries": {"fr": "", "nl": ""}, "texts": {"fr": "", "nl": ""}}, "summary",
     "needs a summary or a text"),
    ({"summaries": {"nl": "Nieuw"}, "verdict": "maybe"}, "verdict", "not a verdict"),
])
def test_a_refused_correction_names_its_parameter_and_changes_nothing(
        run: Any, answers: dict[str, int], changes: dict[str, Any], field: str,
        message: str) -> None:
    before = _state(run, answers["first"])
    with pytest.raises(InvalidInput, match=message) as refused:
        run(answer_edits.edit_answer, answers["first"], **changes)
    assert refused.value.field == field
    assert _state(run, answers["first"]) == before
    assert _edits(run) == []


def test_an_unknown_answer_is_not_found(run: Any, answers: dict[str, int]) -> None:
    with pytest.raises(NotFound, match="no answer with id 9999"):
        run(answer_edits.edit_answer, 9999, verdict="retained")


def test_a_correction_read_before_another_is_a_conflict(run: Any,
                                                        answers: dict[str, int]) -> None:
    read = run(lambda s: answer_edits.revision(s.get(ProposalResponse, answers["final"]), "fr"))
    run(answer_edits.edit_answer, answers["final"], verdict="retained", expected_revision=read)
    with pytest.raises(ConflictError, match="changed by someone else since you read it"):
        run(answer_edits.edit_answer, answers["final"], summaries={"fr": "Autre"},
            expected_revision=read)
    assert _state(run, answers["final"])[1:3] == ("retained", {"fr": "Évaluation"})


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                min_size=1, max_size=60).map(str.strip).filter(bool)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(french=_TEXT, dutch=_TEXT, english=_TEXT)
def test_any_text_in_each_language_comes_back_as_written(
        run: Any, answers: dict[str, int], french: str, dutch: str, english: str) -> None:
    run(answer_edits.edit_answer, answers["final"],
        summaries={"fr": french, "nl": dutch, "en": english}, texts={"nl": dutch})
    _, _, summary, text = _state(run, answers["final"])
    assert summary == {"fr": french, "nl": dutch, "en": english}
    assert text == {"nl": dutch}
