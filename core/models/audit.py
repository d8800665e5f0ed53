"""The append-only audit log, chained by SHA-256 so that an edit or a deletion shows.

Each entry's hash covers the previous entry's hash and the entry's own canonical
JSON; ``audit_head`` holds the last sequence number and hash. Appending updates
that single head row, which serialises concurrent writers on PostgreSQL (the row
lock is held until commit) so the chain never forks, and lets verification notice
entries cut from the end. With ``KLEROTERION_AUDIT_KEY`` set, each entry also carries
a MAC of its hash under that key, which a database writer cannot forge. Entries never
hold personal data: ids and non-personal fields only.
"""

from __future__ import annotations

import datetime as dt

from kleroterion.models.base import Base, utcnow
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

GENESIS = "0" * 64


class AuditEntry(Base):
    """One change: who, when, what, on which row, and the chain's hashes."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    # Canonical JSON text, kept verbatim so the hash is recomputed from the same bytes.
    data: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # HMAC-SHA256 of ``hash`` under the instance's audit key, when one is configured:
    # a database writer without the key cannot re-seal an entry (services.audit).
    mac: Mapped[str | None] = mapped_column(String(64))


class AuditHead(Base):
    """The single row naming the chain's last entry."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
