"""A commitment's title and department, a milestone's title, in each language of the city.

The services keep the city's first language's text in the column and the others in
``texts``; they refuse a language the city's site does not offer and an empty text in
the first language, naming the field and changing nothing; an update still checks the
version read; the audit log says what was written; the English report says it in
English where it was written so, else in the city's first language.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.models import Commitment, Milestone
from kleroterion.services import audit, followup, mandates, proposals, texts
from kleroterion.services.errors import ConflictError, InvalidInput
from sqlalchemy import func, select
from sqlalchemy.orm import Session

D = dt.date


@pytest.fixture
def paris(run: Any) -> dict[str, int]:
    """A Paris vœu adopted on 2 July 2026."""
    mandate = run(mandates.open_mandate, "paris", "promotion 2026", D(2026, 4, 1))
    voeu = run(proposals.create, mandate.id, "voeu", "Des fontaines", D(2026, 5, 1))
    for target, on in (("adopte-assemblee", D(2026, 5, 10)), ("depose", D(2026, 6, 1)),
                       ("debattu", D(2026, 7, 1)), ("adopte", D(2026, 7, 2))):
        run(proposals.move, voeu.id, target, on)
    return {"act": voeu.id, "mandate": mandate.id}


def _commit(run: Any, act: int, **kwargs: Any) -> Commitment:
    given_: dict[str, Any] = {"responsible": "Cheffe fictive", **kwargs}
    commitment: Commitment = run(followup.add_commitment, act, given_.pop("title", ""),
                                 given_.pop("department", ""), D(2026, 7, 10), **given_)
    return commitment


def _texts(run: Any, model: type[Commitment] | type[Milestone], ident: int
           ) -> dict[str, Any]:
    def read(session: Session) -> dict[str, Any]:
        row = session.get(model, ident)
        assert row is not None
        fields = ("title", "department") if model is Commitment else ("title",)
        return {**texts.all_texts(row, fields, "fr"), "version": row.version}
    result: dict[str, Any] = run(read)
    return result


def _count(run: Any) -> int:
    def count(session: Session) -> int:
        return session.scalar(select(func.count()).select_from(Commitment)) or 0
    result: int = run(count)
    return result


def test_each_language_is_kept_the_first_in_the_column(run: Any, paris: dict[str, int]) -> None:
    made = _commit(run, paris["act"], titles={"fr": "Cent fontaines", "en": "A hundred fountains"},
                   departments={"fr": "Direction de l'eau", "en": "Water Department"})
    assert made.title == "Cent fontaines" and made.department == "Direction de l'eau"
    assert made.texts == {"title": {"en": "A hundred fountains"},
                          "department": {"en": "Water Department"}}
    # The single-language arguments are the first language's, beside the others.
    legacy = _commit(run, paris["act"], title=" Bancs ", department="Voirie",
                     titles={"en": "Benches"})
    assert _texts(run, Commitment, legacy.id)["title"] == {"fr": "Bancs", "en": "Benches"}
    milestone = run(followup.add_milestone, made.id, "", D(2026, 9, 1),
                    titles={"fr": "Diagnostic partagé", "en": "Shared assessment"})
    assert (milestone.title, milestone.texts) == ("Diagnostic partagé",
                                                  {"title": {"en": "Shared assessment"}})


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"title": "Bancs", "department": "Voirie", "titles": {"nl": "Banken"}}, "title",
     "the title in 'nl': 'nl' is not a language of this city; accepted: fr, en"),
    ({"title": "Bancs", "department": "Voirie", "departments": {"de": "Straßen"}},
     "department", "'de' is not a language of this city"),
    ({"titles": {"en": "Benches"}, "department": "Voirie"}, "title",
     "a commitment needs a title in 'fr', the city's first language"),
    ({"title": "Bancs", "departments": {"en": "Roads"}}, "department",
     "a commitment needs a responsible department in 'fr'"),
    ({"title": "x" * 301, "department": "Voirie"}, "title", "more than 300"),
    ({"title": "Bancs", "department": "Voirie", "departments": {"en": "y" * 201}},
     "department", "more than 200"),
])
def test_a_refused_text_names_its_field_and_adds_nothing(
    run: Any, paris: dict[str, int], kwargs: dict[str, Any], field: str, message: str
) -> None:
    before = _count(run)
    with pytest.raises(InvalidInput) as refused:
        _commit(run, paris["act"], **kwargs)
    assert refused.value.field == field and message in str(refused.value)
    assert _count(run) == before


def test_an_update_writes_some_languages_and_keeps_the_version_check(
        run: Any, paris: dict[str, int]) -> None:
    made = _commit(run, paris["act"], title="Cent fontaines", department="Eau")
    run(followup.update_commitment, made.id, titles={"en": "A hundred fountains"},
        departments={"en": "Water"}, expected_version=1)
    now = _texts(run, Commitment, made.id)
    assert now["title"] == {"fr": "Cent fontaines", "en": "A hundred fountains"}
    assert now["department"] == {"fr": "Eau", "en": "Water"} and now["version"] == 2
    # Read at version 1, changed since: refused, nothing written.
    with pytest.raises(ConflictError):
        run(followup.update_commitment, made.id, titles={"en": "Fountains"},
            expected_version=1)
    # The first language's text cannot be emptied; another's can.
    with pytest.raises(InvalidInput) as refused:
        run(followup.update_commitment, made.id, titles={"fr": " "})
    assert refused.value.field == "title"
    with pytest.raises(InvalidInput) as refused:
        run(followup.update_commitment, made.id, titles={"nl": "Fonteinen"})
    assert refused.value.field == "title"
    assert _texts(run, Commitment, made.id) == now
    run(followup.update_commitment, made.id, titles={"en": ""})
    assert _texts(run, Commitment, made.id)["title"] == {"fr": "Cent fontaines"}

    def logged(session: Session) -> list[dict[str, Any]]:
        return [json.loads(entry.data) for entry in
                audit.entries(session, entity="commitment", entity_id=made.id)]
    entries = run(logged)
    assert entries[0]["texts"] == {"title": {"en": ""}}
    assert entries[-1]["title"] == "Cent fontaines" and entries[-1]["department"] == "Eau"
    assert {"title": {"en": "A hundred fountains"}, "department": {"en": "Water"}} in [
        entry.get("texts") for entry in entries]


def test_a_milestones_title_is_written_later_in_other_languages(
        run: Any, paris: dict[str, int]) -> None:
    made = _commit(run, paris["act"], title="Cent fontaines", department="Eau")
    milestone = run(followup.add_milestone, made.id, "Diagnostic", D(2026, 9, 1))
    with pytest.raises(InvalidInput) as refused:
        run(followup.add_milestone, made.id, "", D(2026, 9, 1), titles={"en": "Plans"})
    assert refused.value.field == "title" and "in 'fr'" in str(refused.value)
    run(followup.update_milestone, milestone.id, {"en": "Assessment"}, expected_version=1)
    assert _texts(run, Milestone, milestone.id) == {
        "title": {"fr": "Diagnostic", "en": "Assessment"}, "version": 2}
    with pytest.raises(ConflictError):
        run(followup.update_milestone, milestone.id, {"en": "Plans"}, expected_version=1)
    for bad in ({"fr": ""}, {"nl": "Diagnose"}, {}):
        with pytest.raises(InvalidInput) as refused:
            run(followup.update_milestone, milestone.id, bad)
        assert refused.value.field == "title"
    assert _texts(run, Milestone, milestone.id)["version"] == 2


def test_the_english_report_says_what_was_written_in_english(
        run: Any, paris: dict[str, int]) -> None:
    made = _commit(run, paris["act"], titles={"fr": "Cent fontaines", "en": "A hundred fountains"},
                   department="Direction de l'eau")
    run(followup.add_milestone, made.id, "Diagnostic", D(2026, 9, 1),
        titles={"en": "Assessment"})
    _commit(run, paris["act"], title="Des bancs", department="Voirie")
    report = run(followup.report, paris["mandate"], 2026)
    assert "| A hundred fountains | Direction de l'eau |" in report
    assert r"Assessment \(2026-09-01: open\)" in report and "Cent fontaines" not in report
    assert "| Des bancs | Voirie |" in report  # written in French only


PRINTABLE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                    max_size=300).filter(lambda text: bool(text.strip()))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(french=PRINTABLE, english=PRINTABLE, department=PRINTABLE.map(lambda t: t[:200]).filter(
    lambda t: bool(t.strip())))
def test_any_text_in_each_language_comes_back_as_written(
        run: Any, paris: dict[str, int], french: str, english: str, department: str) -> None:
    made = _commit(run, paris["act"], titles={"fr": french, "en": english},
                   departments={"fr": department, "en": department})
    stored = _texts(run, Commitment, made.id)
    assert stored["title"] == {"fr": french.strip(), "en": english.strip()}
    assert stored["department"] == {"fr": department.strip(), "en": department.strip()}
