"""Members' consent to be named publicly: validated, audited without the name, withdrawable.

The services on both databases, the purge, and the two commands of ``kleroterion member``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from kleroterion.cli import main
from kleroterion.cli.lifecycle import dispose_engines
from kleroterion.models import AuditEntry, Member, MemberEvent, PersonalData, Respondent
from kleroterion.models.assembly import PUBLIC_NAME_LENGTH
from kleroterion.services import mandates, members, panel, privacy, recruitment
from kleroterion.services.context import city
from kleroterion.services.errors import ConflictError, InvalidInput, NotAllowed
from sqlalchemy import select

from tests.lifecycle.citydata import write_respondents

D = dt.date
NAME = "Marie D."


def _seated(run: Any, tmp_path: Path) -> tuple[int, list[Member]]:
    """A Brussels cycle with its panel drawn; the mandate id and its members."""
    config = city("brussels").config
    mandate = run(mandates.open_mandate, "brussels", "cycle", D(2025, 3, 1), D(2025, 5, 31))
    path = tmp_path / "panel.csv"
    write_respondents(path, config, config.composition.seat_groups[0], rows=90)
    run(recruitment.import_respondents, mandate.id, "panel", path)
    run(panel.draw_panel, mandate.id, "panel", D(2025, 2, 1), seed=2)
    return mandate.id, run(members.list_members, mandate.id)


def test_a_consent_names_the_member_until_it_is_withdrawn(run: Any, tmp_path: Path) -> None:
    mandate_id, seated = _seated(run, tmp_path)
    first, second = seated[0], seated[1]
    before = run(lambda s: s.get(Member, first.id).version)
    member = run(members.give_name_consent, first.id, "  Marie   D.\n", D(2025, 3, 2),
                 expected_version=before)
    assert member.version == before + 1 and member.public_name_consent_on == D(2025, 3, 2)
    run(members.give_name_consent, second.id, "Émile", D(2025, 3, 2))
    names = run(members.public_names, mandate_id)
    assert names["panel"].names == ("Émile", NAME)  # accents folded for the order
    assert names["panel"].unnamed == len(seated) - 2
    # Neither the audit log nor the history holds the name.
    entries = run(lambda s: [(e.action, e.data) for e in s.scalars(
        select(AuditEntry).where(AuditEntry.action.like("member.public_name%")))])
    assert [action for action, _ in entries] == ["member.public_name_consent"] * 2
    assert all("Marie" not in data and "Émile" not in data for _, data in entries)
    events = run(lambda s: [(e.kind, e.reason) for e in s.scalars(
        select(MemberEvent).where(MemberEvent.member_id == first.id))])
    assert ("public_name_consent", None) in events

    run(members.withdraw_name_consent, first.id, D(2025, 4, 1))
    personal = run(lambda s: s.get(PersonalData, first.respondent_id))
    assert personal.public_name is None
    names = run(members.public_names, mandate_id)
    assert names["panel"].names == ("Émile",) and names["panel"].unnamed == len(seated) - 1
    with pytest.raises(NotAllowed, match="has not consented"):
        run(members.withdraw_name_consent, first.id, D(2025, 4, 2))
    # A member who leaves the assembly leaves the page, consent or not.
    run(members.withdraw, second.id, D(2025, 4, 3), "moved away")
    names = run(members.public_names, mandate_id)
    assert names["panel"].names == () and names["panel"].unnamed == len(seated) - 1  # not her
    with pytest.raises(NotAllowed, match="only a sitting member"):
        run(members.give_name_consent, second.id, NAME, D(2025, 4, 4))
    run(members.withdraw_name_consent, second.id, D(2025, 4, 5))  # still allowed after leaving
    assert run(lambda s: s.get(PersonalData, second.respondent_id)).public_name is None


def test_a_stale_version_or_a_date_out_of_the_mandate_is_refused(run: Any,
                                                                 tmp_path: Path) -> None:
    _, seated = _seated(run, tmp_path)
    member = seated[0]
    run(members.confirm, member.id, D(2025, 3, 1))
    with pytest.raises(ConflictError, match="changed by someone else"):
        run(members.give_name_consent, member.id, NAME, D(2025, 3, 2),
            expected_version=member.version)
    with pytest.raises(InvalidInput, match="must fall between the seat"):
        run(members.give_name_consent, member.id, NAME, D(2025, 6, 1))
    run(members.give_name_consent, member.id, NAME, D(2025, 3, 5))
    with pytest.raises(InvalidInput, match="before the consent"):
        run(members.withdraw_name_consent, member.id, D(2025, 3, 4))
    assert run(lambda s: s.get(PersonalData, member.respondent_id)).public_name == NAME


REFUSED = st.sampled_from(["\x00", "\x07", "\t", "\n", "\r", "\x1b", "\x1f", "\x7f", "\x85",
                           "\u2028", "\u2029", "\u202e", "\u2066", "\u200b", "\ue000",
                           "\U000e0001"])
PRINTABLE = st.text(st.characters(categories=["L", "N", "P", "Zs"]), min_size=1, max_size=20)


@given(before=PRINTABLE, bad=REFUSED, after=PRINTABLE)
def test_a_name_with_a_control_character_is_refused_without_being_quoted(
        before: str, bad: str, after: str) -> None:
    before, after = (part if part.strip() else "Ana" for part in (before, after))
    name = f"{before}{bad}{after}"
    with pytest.raises(InvalidInput) as refused:
        members.clean_public_name(name)
    position = unicodedata.normalize("NFC", name).strip().index(bad) + 1
    assert str(refused.value) == (
        f"the public name holds a control character (U+{ord(bad):04X}) at position "
        f"{position}; accepted: letters, digits, spaces and punctuation")


@given(PRINTABLE)
def test_a_printable_name_is_kept_as_typed_but_normalised(name: str) -> None:
    expected = " ".join(unicodedata.normalize("NFC", name).split())
    if not expected:
        with pytest.raises(InvalidInput, match="empty"):
            members.clean_public_name(name)
        return
    assert members.clean_public_name(f"  {name} ") == expected


def test_the_length_limit() -> None:
    assert members.clean_public_name("x" * PUBLIC_NAME_LENGTH) == "x" * PUBLIC_NAME_LENGTH
    with pytest.raises(InvalidInput, match=f"has {PUBLIC_NAME_LENGTH + 1} characters; at most"):
        members.clean_public_name("x" * (PUBLIC_NAME_LENGTH + 1))


def test_the_service_refuses_a_bad_name_and_changes_nothing(run: Any, tmp_path: Path) -> None:
    _, seated = _seated(run, tmp_path)
    member = seated[0]
    for name, message in (("", "is empty"), ("Marie\x07", r"U\+0007"),
                          ("x" * (PUBLIC_NAME_LENGTH + 1), "at most")):
        with pytest.raises(InvalidInput, match=message):
            run(members.give_name_consent, member.id, name, D(2025, 3, 2))
    after = run(lambda s: s.get(Member, member.id))
    assert after.public_name_consent_on is None and after.version == member.version
    assert run(lambda s: s.get(PersonalData, member.respondent_id)).public_name is None


def test_the_purge_blanks_a_public_name(run: Any, tmp_path: Path) -> None:
    mandate_id, seated = _seated(run, tmp_path)
    run(members.give_name_consent, seated[0].id, NAME, D(2025, 3, 2))

    def leave_a_name_on_a_respondent_never_seated(session: Any) -> int:
        respondent = session.scalars(select(Respondent).where(
            Respondent.status == "not_selected").order_by(Respondent.id)).first()
        respondent.personal.public_name = "Nom Resté"
        return int(respondent.id)

    unseated = run(leave_a_name_on_a_respondent_never_seated)
    run(lambda s: [panel.finalize_draw(s, d.id) for d in panel.draws(s, mandate_id)])
    run(privacy.purge, mandate_id)
    assert run(lambda s: s.get(PersonalData, unseated)).public_name is None
    # Members are not purged: their consent stands.
    assert run(lambda s: s.get(PersonalData, seated[0].respondent_id)).public_name == NAME
    assert "public_name" in privacy.PURGED_FIELDS


def test_the_commands_give_and_withdraw_a_consent(database_url: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", database_url)
    runner = CliRunner()

    def invoke(*args: object, code: int = 0) -> str:
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code == code, (args, result.output, result.stderr)
        return result.output + result.stderr

    try:
        invoke("db", "upgrade")
        config = city("brussels").config
        invoke("mandate", "open", "brussels", "cycle", "--start", "2025-03-01",
               "--end", "2025-05-31")
        path = tmp_path / "panel.csv"
        write_respondents(path, config, config.composition.seat_groups[0], rows=90)
        assert "90 respondents, no problem found" in invoke("respondents", "import", 1, "panel",
                                                             path, "--check")
        assert invoke("respondents", "list", 1) == ""  # the check imported nothing
        invoke("respondents", "import", 1, "panel", path)
        invoke("panel", "draw", 1, "panel", "--date", "2025-02-01", "--seed", 3)
        member = invoke("member", "list", 1).splitlines()[0].split("\t")[0]
        said = invoke("member", "name-consent", member, "--name", NAME, "--date", "2025-03-02",
                      "--version", 1)
        assert f"member {member} consents to be named publicly from 2025-03-02" in said
        assert NAME not in invoke("audit", "log", "--entity", "member")
        assert "public_name_consent" in invoke("member", "history", member)
        assert "is no longer named publicly" in invoke("member", "name-withdraw", member,
                                                       "--date", "2025-03-09")
        assert "has not consented" in invoke("member", "name-withdraw", member, "--date",
                                             "2025-03-10", code=1)
    finally:
        dispose_engines()
