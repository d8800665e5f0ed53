"""Subjects and workshops: each mandate has its own workshops; a subject records where it
came from among the origins the city accepts, the workshops on it and the acts that answer
it; every refusal names its field and changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from kleroterion.city.types import SUBJECT_ORIGINS
from kleroterion.models import Subject, Workshop
from kleroterion.services import mandates, proposals, subjects
from kleroterion.services.errors import InvalidInput, NotAllowed, NotFound
from sqlalchemy import func, select
from sqlalchemy.orm import Session

D = dt.date


def _count(run: Any, model: type) -> int:
    counted: int = run(lambda session: session.scalar(select(func.count()).select_from(model)))
    return counted


def test_workshops_differ_from_one_promotion_to_the_next(run: Any) -> None:
    first = run(mandates.open_mandate, "paris", "promotion 2024", D(2024, 9, 1))
    second = run(mandates.open_mandate, "paris", "promotion 2025", D(2025, 9, 1))
    run(subjects.add_workshop, first.id, "environnement",
        {"fr": "Atelier Environnement"})
    run(subjects.add_workshop, second.id, "exploration", {"fr": "Atelier Exploration"},
        body_key="atelier-exploration")
    # The same key in another promotion is another workshop; twice in one is refused.
    run(subjects.add_workshop, second.id, "environnement", {"fr": "Environnement"})
    with pytest.raises(NotAllowed, match="already has a workshop 'exploration'") as refused:
        run(subjects.add_workshop, second.id, "exploration", {"fr": "Autre"})
    assert refused.value.field == "key"
    keys = run(lambda s: [(w.mandate_id, w.key) for w in
                          subjects.workshops_of(s, [first.id, second.id])])
    assert keys == [(first.id, "environnement"), (second.id, "exploration"),
                    (second.id, "environnement")]


def test_a_subject_has_its_origin_its_workshops_and_its_acts(run: Any) -> None:
    mandate = run(mandates.open_mandate, "paris", "promotion 2025", D(2025, 9, 1))
    run(subjects.add_workshop, mandate.id, "exploration", {"fr": "Exploration"})
    subject = run(subjects.add_subject, mandate.id, {"fr": "Fortes chaleurs"},
                  "executive", origin_note={"fr": "mandat adopté en plénière"},
                  proposed_on=D(2025, 11, 5), workshop_keys=["exploration"])
    act = run(proposals.create, mandate.id, "voeu", "Des îlots de fraîcheur", D(2026, 1, 10))
    run(subjects.link_act, act.id, subject.id)

    def read(session: Session) -> tuple[Any, ...]:
        row = session.get(Subject, subject.id)
        assert row is not None
        return (row.origin, dict(row.origin_note), [w.key for w in row.workshops],
                [a.id for a in subjects.acts_on(session, row.id)])

    assert run(read) == ("executive", {"fr": "mandat adopté en plénière"}, ["exploration"],
                         [act.id])


@pytest.mark.parametrize("origin", SUBJECT_ORIGINS)
def test_only_the_origins_a_city_accepts(run: Any, origin: str) -> None:
    # Poitiers takes its subject from a call for subjects, and from nothing else.
    mandate = run(mandates.open_mandate, "poitiers", f"édition {origin}", D(2026, 1, 1))
    if origin == "call_for_subjects":
        run(subjects.add_subject, mandate.id, {"fr": "L'eau"}, origin)
        return
    with pytest.raises(InvalidInput, match="accepted: call_for_subjects") as refused:
        run(subjects.add_subject, mandate.id, {"fr": "L'eau"}, origin)
    assert refused.value.field == "origin"


def test_one_subject_per_cycle_names_the_one_recorded(run: Any) -> None:
    cycle = run(mandates.open_mandate, "brussels", "cycle 2026", D(2026, 3, 1))
    run(subjects.add_subject, cycle.id, {"fr": "Consommer", "nl": "Consumeren"},
        "previous_panel")
    before = _count(run, Subject)
    with pytest.raises(NotAllowed, match="at most, and has: Consommer"):
        run(subjects.add_subject, cycle.id, {"fr": "Le logement"}, "previous_panel")
    assert _count(run, Subject) == before


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"title": {}}, "title", "at least one language"),
    ({"title": {"de": "Wasser"}}, "title", "'de' is not a language of this city"),
    ({"title": {"fr": "x" * 201}}, "title", "201 characters, more than 200"),
    ({"workshop_keys": ["inconnu"]}, "workshop", "no workshop 'inconnu'; its workshops: none"),
    ({"proposed_on": D(2030, 1, 1)}, "proposed_on", "after"),
])
def test_a_bad_subject_is_refused_naming_its_field(run: Any, kwargs: dict[str, Any],
                                                   field: str, message: str) -> None:
    mandate = run(mandates.open_mandate, "paris", "promotion 2025", D(2025, 9, 1))
    values = {"title": {"fr": "Un sujet"}} | kwargs
    title = values.pop("title")
    with pytest.raises(InvalidInput, match=message) as refused:
        run(subjects.add_subject, mandate.id, title, "assembly", **values)
    assert refused.value.field == field
    assert _count(run, Subject) == 0


def test_a_workshop_and_an_act_stay_in_their_mandate(run: Any) -> None:
    paris = run(mandates.open_mandate, "paris", "promotion 2025", D(2025, 9, 1))
    other = run(mandates.open_mandate, "paris", "promotion 2026", D(2026, 9, 1))
    with pytest.raises(NotFound, match="no mandate with id 999"):
        run(subjects.add_workshop, 999, "atelier", {"fr": "Atelier"})
    with pytest.raises(InvalidInput, match="'comite' is not a body of paris"):
        run(subjects.add_workshop, paris.id, "atelier", {"fr": "Atelier"},
            body_key="comite")
    assert _count(run, Workshop) == 0
    subject = run(subjects.add_subject, other.id, {"fr": "Autre"}, "assembly")
    act = run(proposals.create, paris.id, "voeu", "Un vœu", D(2026, 1, 10))
    with pytest.raises(InvalidInput, match="has no subject") as refused:
        run(subjects.link_act, act.id, subject.id)
    assert refused.value.field == "subject"
    with pytest.raises(NotFound, match="no proposal with id 999"):
        run(subjects.link_act, 999, None)
