"""The record services' refusals: act content, votes, attachments, session details, guests,
documents and city-level events each refuse bad input naming the field, and change nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.models import AssemblySession, Proposal
from kleroterion.services import acts, events, mandates, proposals, sessions
from kleroterion.services.errors import InvalidInput, NotAllowed
from sqlalchemy.orm import Session

D = dt.date


@pytest.fixture
def act(run: Any) -> int:
    mandate = run(mandates.open_mandate, "brussels", "cycle 2026", D(2026, 3, 1))
    created: int = run(proposals.create, mandate.id, "recommandation", "Rénover",
                       D(2026, 4, 1)).id
    return created


def _act(run: Any, ident: int) -> tuple[dict[str, str], dict[str, str], str, int]:
    def read(session: Session) -> tuple[dict[str, str], dict[str, str], str, int]:
        row = session.get(Proposal, ident)
        assert row is not None
        return dict(row.summary), dict(row.full_text), row.tabled_by, row.version
    result: tuple[dict[str, str], dict[str, str], str, int] = run(read)
    return result


def test_an_act_has_its_text_in_the_city_languages(run: Any, act: int) -> None:
    run(acts.set_content, act, summary={"fr": "Résumé", "nl": "Samenvatting"},
        full_text={"fr": "<b>Article 1</b>"}, tabled_by="le secrétariat", expected_version=1)
    assert _act(run, act) == ({"fr": "Résumé", "nl": "Samenvatting"},
                              {"fr": "<b>Article 1</b>"}, "le secrétariat", 2)
    with pytest.raises(InvalidInput, match="summary in 'de': brussels publishes in fr, nl"):
        run(acts.set_content, act, summary={"de": "Zusammenfassung"})
    run(acts.set_content, act, summary={"nl": ""})  # an empty text removes that language
    assert _act(run, act)[0] == {"fr": "Résumé"}


@pytest.mark.parametrize(("args", "field", "message"), [
    (("jury", D(2026, 5, 1), 1, 1, 1), "body", "'jury' votes on no act"),
    (("council", D(2026, 5, 1), -1, 1, 1), "votes_for", "0 or more, not -1"),
    (("council", D(2026, 3, 2), 1, 1, 1), "on", "before the act"),
])
def test_a_bad_vote_is_refused_naming_its_field(run: Any, act: int, args: tuple[Any, ...],
                                                field: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        run(acts.record_vote, act, *args)
    assert refused.value.field == field


def test_a_body_votes_once_and_only_the_council_has_a_reference(run: Any, act: int) -> None:
    with pytest.raises(InvalidInput, match=r"council's .*not the assembly's"):
        run(acts.record_vote, act, "assembly", D(2026, 5, 1), 60, 5, 2, reference="X")
    run(acts.record_vote, act, "council", D(2026, 6, 1), 70, 10, 4, reference="2026 DDCT 7")
    with pytest.raises(NotAllowed, match="already recorded"):
        run(acts.record_vote, act, "council", D(2026, 6, 2), 1, 1, 1)


def test_an_attachment_gets_a_safe_stored_name(run: Any, act: int, tmp_path: Path) -> None:
    source = tmp_path / "..évil <name>.pdf"
    source.write_bytes(b"%PDF-1.4 demo")
    instance = tmp_path / "instance"
    attachment = run(acts.add_attachment, act, source, instance, kind="synthesis",
                     title="Carnet", on=D(2026, 5, 1))
    stored = attachment.stored_name
    assert stored.startswith(f"{act}-") and stored.endswith(".pdf")
    assert "/" not in stored and "<" not in stored and " " not in stored
    assert (instance / "attachments" / stored).read_bytes() == b"%PDF-1.4 demo"
    script = tmp_path / "page.html"
    script.write_text("<script>alert(1)</script>")
    with pytest.raises(InvalidInput, match=r"page.html: a '.html' file is not published"):
        run(acts.add_attachment, act, script, instance, kind="other", title="x",
            on=D(2026, 5, 1))


def _meeting(run: Any) -> int:
    mandate = run(mandates.open_mandate, "paris", "promotion 2026", D(2026, 4, 1))
    made: int = run(sessions.add_session, mandate.id, "pleniere", D(2026, 5, 1)).id
    return made


def test_a_session_as_it_happens(run: Any) -> None:
    meeting = _meeting(run)
    run(sessions.describe_session, meeting, starts_at=dt.time(18, 30),
        ends_at=dt.time(21, 0), place="Hôtel de Ville", agenda="1. Accueil")
    with pytest.raises(InvalidInput, match="ends at 18:00, not after it starts") as refused:
        run(sessions.describe_session, meeting, ends_at=dt.time(18, 0))
    assert refused.value.field == "ends_at"
    with pytest.raises(NotAllowed, match="'pleniere' session is not optional"):
        run(sessions.describe_session, meeting, optional=True)
    with pytest.raises(InvalidInput, match="'mayor' is not a guest's role"):
        run(sessions.add_guest, meeting, "Quelqu'un", "mayor")
    run(sessions.add_guest, meeting, "Experte fictive", "expert", "Université")
    with pytest.raises(InvalidInput, match="is not a web address"):
        run(sessions.add_document, meeting, "Diapositives", "javascript:alert(1)")

    def read(session: Session) -> tuple[Any, ...]:
        row = session.get(AssemblySession, meeting)
        assert row is not None
        return row.starts_at, row.ends_at, row.place, [g.name for g in row.guests]

    assert run(read) == (dt.time(18, 30), dt.time(21, 0), "Hôtel de Ville", ["Experte fictive"])


def test_a_city_event_is_addressed_to_the_city_s_own_mandates(run: Any) -> None:
    paris = run(mandates.open_mandate, "paris", "promotion 2026", D(2026, 4, 1))
    brussels = run(mandates.open_mandate, "brussels", "cycle 2026", D(2026, 3, 1))
    with pytest.raises(InvalidInput, match="paris has no mandate") as refused:
        run(events.record_event, "paris", "accountability", D(2026, 12, 1), "Droit de suite",
            mandate_ids=[brussels.id])
    assert refused.value.field == "mandate_ids"
    with pytest.raises(InvalidInput, match="'party' is not a kind of city event"):
        run(events.record_event, "paris", "party", D(2026, 12, 1), "Fête")
    everyone = run(events.record_event, "paris", "accountability", D(2026, 12, 1),
                   "Droit de suite")
    run(events.record_event, "brussels", "follow_up", D(2026, 9, 1), "Suivi 1",
        mandate_ids=[brussels.id])
    found = run(lambda s: [e.id for e in events.events_of(s, "paris", [paris.id])])
    assert found == [everyone.id]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_any_text_is_kept_as_given_or_refused_whole(run: Any, act: int, text: str) -> None:
    before = _act(run, act)
    try:
        run(acts.set_content, act, full_text={"fr": text})
    except InvalidInput:
        assert _act(run, act) == before
        return
    stored = _act(run, act)[1]
    assert stored == ({"fr": text.strip()} if text.strip() else
                      {k: v for k, v in before[1].items() if k != "fr"})
