"""Subjects corrected and deleted, through the service and the command line: only what is
given changes (texts language by language), every refusal names its field and changes
nothing, a subject acts answer is not deleted (they are named), its workshops stay, and a
subject of another city is not found."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from kleroterion.models import AuditEntry, Subject, Workshop
from kleroterion.services import mandates, proposals, subjects
from kleroterion.services.errors import InvalidInput, NotAllowed, NotFound
from kleroterion.services.scope import scoped
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.lifecycle.test_cli import Invoke, invoke, snapshot

__all__ = ["invoke"]  # the command line's fixture, shared with test_cli

D = dt.date


def _subject(run: Any) -> tuple[int, int]:
    """A Brussels cycle with two workshops and one subject in two languages."""
    cycle = run(mandates.open_mandate, "brussels", "cycle 2026", D(2026, 3, 1))
    run(subjects.add_workshop, cycle.id, "logement", {"fr": "Logement"})
    run(subjects.add_workshop, cycle.id, "energie", {"fr": "Énergie"})
    subject = run(subjects.add_subject, cycle.id, {"fr": "Consomer", "nl": "Consumeren"},
                  "previous_panel", proposed_on=D(2026, 3, 10), workshop_keys=["logement"])
    return cycle.id, subject.id


def _read(run: Any, ident: int) -> dict[str, Any]:
    def read(session: Session) -> dict[str, Any]:
        row = session.get(Subject, ident)
        if row is None:
            return {}
        return {"title": dict(row.title), "summary": dict(row.summary), "origin": row.origin,
                "note": dict(row.origin_note), "proposed_on": row.proposed_on,
                "workshops": [w.key for w in row.workshops]}
    found: dict[str, Any] = run(read)
    return found


def _audit(run: Any, action: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = run(lambda s: [json.loads(e.data) for e in s.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq))])
    return found


def test_only_what_is_given_changes_language_by_language(run: Any) -> None:
    _, ident = _subject(run)
    run(subjects.edit_subject, ident, title={"fr": "Consommer"},
        summary={"nl": "Minder weggooien"}, workshop_keys=["energie", "logement"])
    assert _read(run, ident) == {
        "title": {"fr": "Consommer", "nl": "Consumeren"}, "summary": {"nl": "Minder weggooien"},
        "origin": "previous_panel", "note": {}, "proposed_on": D(2026, 3, 10),
        "workshops": ["logement", "energie"]}
    # An empty text removes its language; None forgets the day; [] leaves no workshop.
    run(subjects.edit_subject, ident, title={"nl": ""}, proposed_on=None, workshop_keys=[])
    after = _read(run, ident)
    assert (after["title"], after["proposed_on"], after["workshops"]) == (
        {"fr": "Consommer"}, None, [])
    assert [entry["fields"] for entry in _audit(run, "subject.edit")] == [
        ["title", "summary", "workshops"], ["title", "proposed_on", "workshops"]]
    run(subjects.edit_subject, ident, title={"fr": "Consommer"})  # nothing changed
    assert len(_audit(run, "subject.edit")) == 2


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"title": {"fr": "", "nl": ""}}, "title", "at least one language"),
    ({"title": {"de": "Konsum"}}, "title", "'de' is not a language of this city"),
    ({"summary": {"fr": "x" * 20_001}}, "summary", "more than 20000"),
    ({"origin": "call_for_subjects"}, "origin", "accepted: previous_panel"),
    ({"proposed_on": D(2031, 1, 1)}, "proposed_on", "after cycle 2026 ends"),
    ({"workshop_keys": ["logement", "mobilite"]}, "workshop",
     "no workshop 'mobilite'; its workshops: logement, energie"),
])
def test_a_bad_edit_is_refused_naming_its_field(run: Any, kwargs: dict[str, Any], field: str,
                                                message: str) -> None:
    _, ident = _subject(run)
    before = _read(run, ident)
    values = {"title": {"fr": "Autre"}} | kwargs
    with pytest.raises(InvalidInput, match=message) as refused:
        run(subjects.edit_subject, ident, **values)
    assert refused.value.field == field
    assert _read(run, ident) == before
    assert _audit(run, "subject.edit") == []


def test_a_subject_acts_answer_is_not_deleted_and_they_are_named(run: Any) -> None:
    cycle, ident = _subject(run)
    act = run(proposals.create, cycle, "recommandation", "Réparer plutôt", D(2026, 5, 2))
    run(subjects.link_act, act.id, ident)
    with pytest.raises(NotAllowed, match=rf"answered by 1 act\(s\): {act.id} \(Réparer "
                       r"plutôt\); link them") as refused:
        run(subjects.delete_subject, ident)
    assert refused.value.field == "subject"
    assert _read(run, ident)["workshops"] == ["logement"]
    # Once the act answers no subject, the subject goes; its workshops stay.
    run(subjects.link_act, act.id, None)
    assert run(subjects.delete_subject, ident) == ["logement"]
    assert _read(run, ident) == {}
    assert run(lambda s: s.scalar(select(func.count()).select_from(Workshop))) == 2
    (entry,) = _audit(run, "subject.delete")
    assert entry["workshops"] == ["logement"] and entry["title"]["nl"] == "Consumeren"
    # A cycle takes one subject: the slot is free again.
    run(subjects.add_subject, cycle, {"fr": "Se loger"}, "previous_panel")


def test_a_subject_of_another_city_is_not_found(run: Any) -> None:
    _, ident = _subject(run)

    def in_paris(work: Any) -> Any:
        def scoped_work(session: Session) -> Any:
            with scoped("paris"):
                return work(session)
        return run(scoped_work)

    with pytest.raises(NotFound, match=f"no subject with id {ident}"):
        in_paris(lambda s: subjects.edit_subject(s, ident, title={"fr": "Pris"}))
    with pytest.raises(NotFound, match=f"no subject with id {ident}"):
        in_paris(lambda s: subjects.delete_subject(s, ident))
    assert _read(run, ident)["title"]["fr"] == "Consomer"


def test_the_command_line_edits_and_deletes(invoke: Invoke, database_url: str) -> None:
    invoke("mandate", "open", "brussels", "cycle 2026", "--start", "2026-03-01")
    invoke("subject", "workshop", 1, "logement", "--label", "fr=Logement")
    invoke("subject", "add", 1, "--title", "fr=Consomer", "--title", "nl=Consumeren",
           "--origin", "previous_panel", "--workshop", "logement")
    done = invoke("subject", "edit", 1, "--title", "fr=Consommer", "--no-workshops",
                  "--proposed-on", "2026-03-10")
    assert done.output.strip() == "subject 1 saved"
    before = snapshot(database_url)
    for line, message in [
        (["--origin", "assembly"], "'assembly' is not an origin of a subject in brussels"),
        (["--title", "de=Konsum"], "'de' is not a language of this city"),
        (["--workshop", "mobilite"], "no workshop 'mobilite'"),
        (["--workshop", "logement", "--no-workshops"], "contradict each other"),
        (["--title", "fr"], "expected LANG=TEXT"),
    ]:
        refused = invoke("subject", "edit", 1, *line, ok=False)
        assert refused.exit_code != 0 and message in refused.output, (line, refused.output)
    missing = invoke("subject", "delete", 9, ok=False)
    assert "no subject with id 9" in missing.output
    assert snapshot(database_url) == before
    invoke("proposal", "create", 1, "recommandation", "Réparer", "--date", "2026-05-02")
    invoke("subject", "link", 1, 1)
    refused = invoke("subject", "delete", 1, ok=False)
    assert "answered by 1 act(s): 1 (Réparer)" in refused.output
    invoke("subject", "link", 1)
    assert invoke("subject", "delete", 1).output.strip() == "subject 1 deleted"
