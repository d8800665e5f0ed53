"""The audit chain against a database writer: anchors published outside, empty or rewound logs.

Whoever can write to the database can recompute every hash (the chain is unkeyed)
and the head row; the tests play that writer. What they cannot change is a head
published earlier: the public page's, the API's, a lottery folder's
``audit-head.json``. ``audit verify`` must refuse a chain that no longer holds a
published head, and an emptied or rewound log while mandates exist, where it used to
answer "intact: 0 entries".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from kleroterion.cli import main
from kleroterion.db import session_scope
from kleroterion.models import GENESIS, AuditEntry, AuditHead
from kleroterion.services import audit, mandates, panel, proposals, recruitment
from kleroterion.services.context import city
from kleroterion.services.errors import InvalidInput
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from tests.lifecycle.citydata import write_respondents

D = dt.date


def _changes(run: Callable[..., Any]) -> int:
    mandate = run(mandates.open_mandate, "paris", "promotion", D(2025, 9, 1), D(2026, 8, 31))
    for title in ("Vœu sur les mobilités", "Vœu sur les écoles", "Vœu sur les parcs"):
        run(proposals.create, mandate.id, "voeu", title, D(2025, 10, 1))
    return int(mandate.id)


def _recompute(session: Session, upto: int | None = None) -> None:
    """Play the database writer: drop entries after ``upto``, then re-seal the whole chain."""
    if upto is not None:
        session.execute(delete(AuditEntry).where(AuditEntry.seq > upto))
    prev = GENESIS
    last = 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        entry.prev_hash = prev
        entry.hash = audit.entry_hash(prev, entry.seq, entry.at, entry.actor, entry.action,
                                      entry.entity, entry.entity_id, entry.data)
        prev, last = entry.hash, entry.seq
    head = session.get(AuditHead, 1)
    assert head is not None
    head.seq, head.hash = last, prev


def test_an_emptied_log_is_refused_where_mandates_exist(run: Callable[..., Any],
                                                        factory: sessionmaker[Session]) -> None:
    _changes(run)
    assert run(audit.verify) == []
    with session_scope(factory) as session:
        session.execute(delete(AuditEntry))
        session.execute(delete(AuditHead))
    problems = run(audit.verify)
    assert problems and "the log is empty but the database holds mandates" in str(problems[0])


def test_a_rewound_log_is_refused_without_an_anchor(run: Callable[..., Any],
                                                    factory: sessionmaker[Session]) -> None:
    mandate = _changes(run)
    run(mandates.open_mandate, "paris", "promotion bis", D(2026, 9, 1), D(2027, 8, 31))
    with session_scope(factory) as session:
        _recompute(session, upto=3)  # the second mandate's opening is cut, head re-sealed
    problems = run(audit.verify)
    assert any("has no entry in the log" in str(p) for p in problems)
    assert mandate == 1


def test_a_rewritten_chain_does_not_match_the_published_head(
        run: Callable[..., Any], factory: sessionmaker[Session]) -> None:
    _changes(run)
    published = run(audit.head)
    assert published.seq == 4 and run(audit.verify, [published]) == []
    with session_scope(factory) as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.seq == 2))
        assert entry is not None
        entry.data = entry.data.replace("mobilit", "MOBILIT")
        _recompute(session)
    assert run(audit.verify) == []  # the chain alone cannot tell
    problems = run(audit.verify, [published])
    assert [p.seq for p in problems] == [4] and "rewritten" in str(problems[0])
    with session_scope(factory) as session:
        _recompute(session, upto=2)
    problems = run(audit.verify, [published])
    assert "emptied or rewound" in str(problems[0])


def test_published_heads_are_read_from_text_and_files(tmp_path: Path) -> None:
    head = audit.parse_head(f"12:{'ab' * 32}")
    assert head == audit.Head(12, "ab" * 32)
    assert audit.parse_head("AB" * 32) == audit.Head(-1, "ab" * 32)
    for bad in ("12", "-1:" + "ab" * 32, "x:" + "ab" * 32, "12:" + "zz" * 32, "12:abc",
                "9" * 400 + ":" + "a" * 64):
        with pytest.raises(InvalidInput, match="SEQ:HASH"):
            audit.parse_head(bad)
    anchor = tmp_path / "audit-head.json"
    anchor.write_text(json.dumps(head.document()), encoding="utf-8")
    assert audit.read_anchor(anchor) == head
    anchor.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not an audit anchor"):
        audit.read_anchor(anchor)


@pytest.fixture
def invoke(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", database_url)
    runner = CliRunner()

    def call(*args: object) -> Result:
        return runner.invoke(main, [str(a) for a in args])

    yield call
    from kleroterion.cli.lifecycle import dispose_engines

    dispose_engines()


def test_the_cli_checks_the_log_against_a_head_and_an_anchor(
        run: Callable[..., Any], factory: sessionmaker[Session], invoke: Callable[..., Result],
        tmp_path: Path) -> None:
    _changes(run)
    published = run(audit.head)
    anchor = tmp_path / "saved.json"
    anchor.write_text(json.dumps(published.document()), encoding="utf-8")
    ok = invoke("audit", "verify", "--head", str(published), "--anchor", anchor)
    assert ok.exit_code == 0, ok.output
    assert "intact: 4 entries" in ok.output and "matches the 2 published" in ok.output
    with session_scope(factory) as session:
        _recompute(session, upto=1)
    for args in (("--head", str(published)), ("--anchor", anchor),
                 ("--head", published.hash)):
        refused = invoke("audit", "verify", *args)
        assert refused.exit_code == 1 and "rewound" in refused.output, refused.output
    with session_scope(factory) as session:
        session.execute(delete(AuditEntry))
        session.execute(delete(AuditHead))
    emptied = invoke("audit", "verify")
    assert emptied.exit_code == 1 and "intact" not in emptied.output
    bad = invoke("audit", "verify", "--head", "nonsense")
    assert bad.exit_code == 1 and "SEQ:HASH" in bad.output and "Traceback" not in bad.output


def test_every_lottery_folder_holds_the_head_of_its_publication(
        run: Callable[..., Any], tmp_path: Path) -> None:
    config = city("paris").config
    mandate = run(mandates.open_mandate, "paris", "promotion", D(2025, 9, 1), D(2026, 8, 31))
    seat = next(g for g in config.composition.seat_groups if g.key == "jeunes")
    path = tmp_path / "jeunes.csv"
    write_respondents(path, config, seat, rows=12)
    run(recruitment.import_respondents, mandate.id, "jeunes", path)
    draw = run(panel.publish_panel, mandate.id, "jeunes", tmp_path / "lotteries")
    folder = panel.folder_path(draw, tmp_path / "lotteries")
    assert folder is not None
    anchor = audit.read_anchor(folder / audit.ANCHOR_FILE)
    assert anchor == run(audit.head)  # the publication is the chain's last entry
    publish = run(lambda s: s.scalar(select(AuditEntry).where(AuditEntry.seq == anchor.seq)))
    assert publish.action == "panel.publish"
    assert run(audit.verify, [anchor]) == []
    names = [p.name for p in panel.public_files(draw, tmp_path / "lotteries")]
    assert audit.ANCHOR_FILE in names


def test_with_an_audit_key_a_chain_resealed_without_it_is_refused(
        run: Callable[..., Any], factory: sessionmaker[Session],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _changes(run)  # before the key: entries 1-4 unsealed
    monkeypatch.setenv(audit.KEY_VARIABLE, "a secret kept outside the database")
    run(proposals.create, 1, "voeu", "Vœu scellé", D(2025, 10, 2))
    run(proposals.create, 1, "voeu", "Vœu scellé aussi", D(2025, 10, 3))
    macs = run(lambda s: [e.mac for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))])
    assert macs[:4] == [None] * 4 and all(macs[4:])
    assert run(audit.verify) == []
    with session_scope(factory) as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.seq == 5))
        assert entry is not None
        entry.data = entry.data.replace("scell", "SCELL")
        _recompute(session)  # the writer re-seals the chain, but has no key
    assert [p.seq for p in run(audit.verify)] == [5, 6]
    with session_scope(factory) as session:
        for entry in session.scalars(select(AuditEntry).where(AuditEntry.seq == 6)):
            entry.mac = None
    assert any("no seal" in str(p) for p in run(audit.verify))
    monkeypatch.setenv(audit.KEY_VARIABLE, "another key")
    assert run(audit.verify)  # a different key does not verify either
