"""The audit log: append an entry for every change, verify the hash chain and its anchors.

An entry's hash is SHA-256 over the previous hash and the entry's canonical JSON
(sorted keys, no spaces, UTF-8): sequence number, time, actor, action, entity,
entity id and data. ``verify`` recomputes the chain and reports every entry that
was edited, removed or inserted, and entries cut from the end (the head row keeps
the last sequence number and hash). Data must hold ids and non-personal fields only.

Whoever can write to the database can also recompute every hash and the head row, so
the chain alone proves nothing against them. With ``KLEROTERION_AUDIT_KEY`` set (the
same secret for web workers and command line, kept out of the database), each entry
also carries an HMAC of its hash under that key, which such a writer cannot forge;
entries written before the key was set have none. The head is also *anchored* outside
the database: published on the public site (``/audit``, ``/api/audit-head``) and
written into every lottery folder (``audit-head.json``, kept by whoever downloaded
it). ``verify(session, anchors)`` checks that each published head is still an entry
of the chain with the same hash: a log rewritten, emptied or rewound before the time
of an anchor no longer matches it. Without an anchor, a log that is empty or ends
before the latest mandate was opened, while the database holds mandates, is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from kleroterion.models import GENESIS, AuditEntry, AuditHead, Mandate, utcnow
from kleroterion.services.context import actor as current_actor
from kleroterion.services.errors import InvalidInput
from sqlalchemy import func, select
from sqlalchemy.orm import Session

#: The anchor written into every lottery folder at publication.
ANCHOR_FILE = "audit-head.json"
#: The secret that keys each entry's MAC; set it to the same value for the web
#: workers and the command line, and keep it outside the database.
KEY_VARIABLE = "KLEROTERION_AUDIT_KEY"


def _key() -> bytes | None:
    key = os.environ.get(KEY_VARIABLE, "")
    return key.encode() if key else None


def entry_mac(key: bytes, digest: str) -> str:
    """The keyed seal of an entry: HMAC-SHA256 of its chain hash."""
    return hmac.new(key, digest.encode(), hashlib.sha256).hexdigest()


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
    key = _key()
    entry = AuditEntry(seq=seq, at=at, actor=who, action=action, entity=entity,
                       entity_id=str(entity_id), data=text, prev_hash=head.hash, hash=digest,
                       mac=entry_mac(key, digest) if key else None)
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


@dataclass(frozen=True)
class Head:
    """The chain's last entry as published: its sequence number and hash."""

    seq: int
    hash: str

    def document(self) -> dict[str, Any]:
        """The head as ``/api/audit-head`` and ``audit-head.json`` publish it."""
        return {"seq": self.seq, "hash": self.hash}

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


def head(session: Session) -> Head:
    """The chain's current head (entry 0 and the genesis hash for an empty log)."""
    row = session.get(AuditHead, 1)
    return Head(row.seq, row.hash) if row is not None else Head(0, GENESIS)


def write_anchor(session: Session, folder: Path) -> Path:
    """Write the current head into ``folder`` (a lottery folder) as ``audit-head.json``."""
    session.flush()
    path = Path(folder) / ANCHOR_FILE
    document = {**head(session).document(),
                "about": "the head of the audit log when this folder was published; "
                         "check it with: kleroterion audit verify --anchor audit-head.json"}
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


_HASH_LENGTH = 64


def parse_head(text: str) -> Head:
    """A published head written ``SEQ:HASH`` (as the public page shows it), or its ``HASH``
    alone (its entry is then looked up by hash; ``seq`` is -1)."""
    seq_text, colon, digest = text.strip().partition(":")
    if not colon:
        seq_text, digest = "-1", seq_text
    digest = digest.strip().lower()
    numbered = (seq_text == "-1" and not colon) or (seq_text.isdigit() and len(seq_text) <= 12)
    if not (numbered and len(digest) == _HASH_LENGTH
            and all(c in "0123456789abcdef" for c in digest)):
        raise InvalidInput("%(value)r is not a published head; expected SEQ:HASH (an entry "
                           "number, a colon and 64 hexadecimal digits)", value=text[:80])
    return Head(int(seq_text), digest)


def read_anchor(path: str | Path) -> Head:
    """The head of an anchor file: a lottery folder's ``audit-head.json`` or a saved
    ``/api/audit-head`` answer."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return parse_head(f"{int(data['seq'])}:{data['hash']}")
    except (OSError, ValueError, KeyError, TypeError):
        raise InvalidInput("%(file)s is not an audit anchor; expected a JSON object with "
                           "'seq' and 'hash' (audit-head.json of a lottery folder, or "
                           "/api/audit-head)", file=Path(path).name) from None


def _anchor_problems(session: Session, anchors: Iterable[Head], last_seq: int) -> list[Problem]:
    problems = []
    for anchor in anchors:
        if anchor.seq == 0:
            continue  # published before any change: says nothing
        if anchor.seq < 0:  # a hash alone: some entry must still have it
            if session.scalar(select(AuditEntry.seq).where(AuditEntry.hash == anchor.hash)
                              .limit(1)) is None:
                problems.append(Problem(None, f"no entry has the published hash "
                                        f"{anchor.hash[:12]}...: the chain was rewritten, "
                                        "emptied or rewound since"))
            continue
        entry = session.scalar(select(AuditEntry).where(AuditEntry.seq == anchor.seq))
        if entry is None:
            problems.append(Problem(None, f"the published head names entry {anchor.seq}, but "
                                    f"the log ends at entry {last_seq}: it was emptied or "
                                    "rewound since"))
        elif entry.hash != anchor.hash:
            problems.append(Problem(anchor.seq, "its hash is not the published one: the chain "
                                    "was rewritten since it was published"))
    return problems


def _unlogged_records(session: Session, last_seq: int) -> list[Problem]:
    """An empty or rewound log where records exist: the latest mandate has no entry."""
    latest = session.scalar(select(func.max(Mandate.id)))
    if latest is None:
        return []
    logged = session.scalar(select(AuditEntry.seq).where(
        AuditEntry.entity == "mandate", AuditEntry.entity_id == str(latest)).limit(1))
    if logged is not None:
        return []
    if last_seq == 0:
        return [Problem(None, f"the log is empty but the database holds mandates (up to "
                        f"mandate {latest}): it was emptied")]
    return [Problem(None, f"mandate {latest} has no entry in the log, which ends at entry "
                    f"{last_seq}: the log was rewound or entries were removed")]


def verify(session: Session, anchors: Iterable[Head] = ()) -> list[Problem]:
    """Recompute the chain, check it against published heads; [] means intact.

    Also refuses a log that is empty, or ends before the latest mandate was opened,
    while the database holds mandates.
    """
    problems: list[Problem] = []
    prev_hash, expected_seq = GENESIS, 1
    key, keyed = _key(), False
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
        if key is not None and entry.mac is not None:
            keyed = True
            if not hmac.compare_digest(entry.mac, entry_mac(key, entry.hash)):
                problems.append(Problem(entry.seq, "its seal is not the audit key's: it was "
                                        "re-sealed without the key (or the key differs)"))
        elif key is not None and keyed:
            problems.append(Problem(entry.seq, "it has no seal, while entries before it "
                                    "have one: it was written without the audit key"))
        prev_hash, expected_seq = entry.hash, entry.seq + 1
    row = session.get(AuditHead, 1)
    last_seq = expected_seq - 1
    if row is not None and (row.seq != last_seq or row.hash != prev_hash):
        problems.append(Problem(None, f"the log ends at entry {last_seq} but the head names "
                                f"entry {row.seq}: entries were removed from the end"))
    if row is None and last_seq:
        problems.append(Problem(None, "the chain's head row is missing"))
    problems += _unlogged_records(session, last_seq)
    problems += _anchor_problems(session, anchors, last_seq)
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
