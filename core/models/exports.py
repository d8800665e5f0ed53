"""Long exports run as jobs of the queue: invitation letters, reminders, reports.

An export row is the job as the back office and the command line see it: what was
asked (``params``: ids, dates, a language, a format, never a personal value), who
asked, its state (``queued``, ``running``, ``done``, ``failed``), its progress (a
stage key the pages put in words, and a count of what is done out of a total), the
file it made (relative to the instance folder's ``exports/``) and, if it failed,
its reason as an English template with its parameters, shown in the reader's
language. A running export's ``heartbeat_at`` is renewed while its worker lives;
one not heard from is put back on the queue (see ``kleroterion.jobs.tasks``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kleroterion.models.base import Base, utcnow
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column


class ExportJob(Base):
    """One export: letters, reminders or a report, made by a worker."""

    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    city: Mapped[str] = mapped_column(String(64), index=True)
    #: ``letters``, ``reminders`` or ``report``.
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    stage: Mapped[str] = mapped_column(String(32), default="queued")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The file made, relative to the exports folder.
    result: Mapped[str | None] = mapped_column(String(255))
    #: Why it failed: an English template, and its parameters.
    reason: Mapped[str | None] = mapped_column(Text)
    reason_params: Mapped[dict[str, Any] | None]
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
