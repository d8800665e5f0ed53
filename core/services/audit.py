"""The audit log: append an entry for every change, and verify the hash chain.

An entry's hash is SHA-256 over the previous hash and the entry's canonical JSON
(sorted keys, no spaces, UTF-8): sequence number, time, actor, action, entity,
entity id and data. ``verify`` recomputes the chain and reports every entry that
was edited, removed or inserted, and entries cut from the end (the head row keeps
the last sequence number and hash). Data must hold ids and non-personal fields only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kleroterion.models import GENESIS, AuditEntry, AuditHead, utcnow
from kleroterion.services.context import actor as current_actor
from sqlalchemy import select
from sqlalchemy.orm import Session


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot record a {type(value).__name__} in the audit log")


def canonical(data: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, non-ASCII kept."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_default)


def entry_hash(prev_hash: str, seq: int, at: dt.datetime, actor: str, action: str,
               entity: str, entity_id: str, data: str) -> str:
    content = canonical(
        {
            "seq": seq,
            "at": at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(),
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "data": data,
        }
    )
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def _head(session: Session) -> AuditHead:
    # FOR UPDATE: concurrent writers queue here until the first commits, so the
    # chain stays linear.
    head = session.get(AuditHead, 1, with_for_update=True)
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    return head


def record(session: Session, action: str, entity: str, entity_id: object, /,
           **data: Any) -> AuditEntry:
    """Append one entry for a change made in this session's transaction."""
    session.flush()  # the change itself first: its ids, and its version check
    head = _head(session)
    at = utcnow()
    who = current_actor(session)
    text = canonical(data)
    seq = head.seq + 1
    digest = entry_hash(head.hash, seq, at, who, action, entity, str(entity_id), text)
    entry = AuditEntry(seq=seq, at=at, actor=who, action=action, entity=entity,
                       entity_id=str(entity_id), data=text, prev_hash=head.hash, hash=digest)
    session.add(entry)
    head.seq, head.hash = seq, digest
    session.flush()
    return entry


@dataclass(frozen=True)
class Problem:
    """One break in the chain."""

    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"entry {self.seq}: " if self.seq is not None else ""
        return where + self.message


def verify(session: Session) -> list[Problem]:
    """Recompute the chain; an empty list means every entry is intact."""
    problems: list[Problem] = []
    prev_hash, expected_seq = GENESIS, 1
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        if entry.seq != expected_seq:
            problems.append(Problem(entry.seq, f"expected entry {expected_seq} before it: "
                                    f"{entry.seq - expected_seq} entries removed or renumbered"))
        if entry.prev_hash != prev_hash:
            problems.append(Problem(entry.seq, "does not follow the previous entry's hash "
                                    "(an entry before it was removed, inserted or edited)"))
        digest = entry_hash(entry.prev_hash, entry.seq, entry.at, entry.actor, entry.action,
                            entry.entity, entry.entity_id, entry.data)
        if digest != entry.hash:
            problems.append(Problem(entry.seq, "its content does not match its hash (edited)"))
        prev_hash, expected_seq = entry.hash, entry.seq + 1
    head = session.get(AuditHead, 1)
    last_seq = expected_seq - 1
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        problems.append(Problem(None, f"the log ends at entry {last_seq} but the head names "
                                f"entry {head.seq}: entries were removed from the end"))
    if head is None and last_seq:
        problems.append(Problem(None, "the chain's head row is missing"))
    return problems


def entries(session: Session, *, entity: str | None = None, entity_id: object = None,
            limit: int | None = None) -> Iterator[AuditEntry]:
    """Entries, newest first, optionally of one entity."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == str(entity_id))
    if limit is not None:
        query = query.limit(limit)
    yield from session.scalars(query)
