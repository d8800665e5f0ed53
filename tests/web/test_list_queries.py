"""The lists of acts (``/proposals``, ``/follow-up`` and their API) read the database in
a few statements whatever the number of promotions and acts.

Rendered without the page cache, as a worker does after a write dropped the page:
the acts of every promotion shown come in one query, their transitions, votes,
answers, attachments, commitments and milestones in one query per table. A list that
loaded each act's (or each promotion's) children on its own would send more
statements for the larger record below, and this test would fail.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from flask import Flask
from kleroterion.db import upgrade
from kleroterion.services import acts, followup, mandates, proposals
from kleroterion.web import create_app
from kleroterion.web.database import database_url
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from .conftest import in_database

D = dt.date
TODAY = D(2030, 1, 6)
LISTS = ("/proposals", "/follow-up", "/api/proposals", "/api/follow-up",
         "/api/proposals?kind=voeu", "/follow-up?lang=en")
ADOPTED = (("adopte-assemblee", 10), ("depose", 30), ("debattu", 60), ("adopte", 61))


def _app(instance: Path) -> Flask:
    app = create_app("paris", {"TESTING": True, "SECRET_KEY": "test", "KLEROTERION_TODAY": TODAY,
                               "KLEROTERION_PAGE_CACHE": False,
                               "KLEROTERION_BROKER_URL": "memory://"})
    upgrade(database_url(app))
    return app


def _record(app: Flask, tmp: Path, promotions: int, adopted: int) -> None:
    """``promotions`` Paris promotions, each with ``adopted`` vœux adopted by the council
    (a vote, a commitment with a milestone, an attachment each) and one draft."""
    booklet = tmp / "carnet.txt"
    booklet.write_text("Carnet de synthèse\n", encoding="utf-8")

    def build(session: Session) -> None:
        for year in range(promotions):
            start = D(2026, 1, 5) + dt.timedelta(days=400 * year)
            mandate = mandates.open_mandate(session, "paris", f"promotion {year + 1}",
                                            start, start + dt.timedelta(days=380))
            for number in range(adopted):
                created = start + dt.timedelta(days=20 + number)
                act = proposals.create(session, mandate.id, "voeu", f"Vœu {year}-{number}",
                                       created)
                for target, after in ADOPTED:
                    proposals.move(session, act.id, target, created + dt.timedelta(days=after))
                acts.record_vote(session, act.id, "council", created + dt.timedelta(days=61),
                                 90, 10, 3, reference=f"{2026 + year} DDCT {number}")
                commitment = followup.add_commitment(
                    session, act.id, f"Engagement {number}", "Direction de l'eau",
                    created + dt.timedelta(days=70), responsible="Direction (test)",
                    due_on=created + dt.timedelta(days=400))
                followup.add_milestone(session, commitment.id, "Diagnostic",
                                       created + dt.timedelta(days=100))
                acts.add_attachment(session, act.id, booklet, Path(app.instance_path),
                                    kind="synthesis", title="Carnet de synthèse",
                                    on=created + dt.timedelta(days=20))
            proposals.create(session, mandate.id, "voeu", f"Brouillon {year}",
                             start + dt.timedelta(days=10))

    in_database(app, build)


def _statements(app: Flask) -> dict[str, int]:
    """The statements each list sends, its second render (the first warms the app)."""
    client = app.test_client()
    counts: dict[str, int] = {}
    seen: list[str] = []

    here = threading.get_ident()

    def count(*args: object) -> None:
        # The request runs in this thread; a background thread of the app (the embedded
        # job worker polling its queue) may send a statement meanwhile: not the page's.
        if threading.get_ident() == here:
            seen.append(str(args[2]))

    for path in LISTS:
        assert client.get(path).status_code == 200, path
        seen.clear()
        event.listen(Engine, "before_cursor_execute", count)
        try:
            answer = client.get(path)
        finally:
            event.remove(Engine, "before_cursor_execute", count)
        assert answer.status_code == 200, path
        counts[path] = len(seen)
    return counts


def test_the_lists_do_not_grow_with_the_record(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    sizes = {}
    for promotions, adopted in ((1, 1), (3, 6)):
        folder = tmp_path / f"{promotions}x{adopted}"
        monkeypatch.setenv("KLEROTERION_INSTANCE_PATH", str(folder / "instance"))
        folder.mkdir()
        app = _app(folder / "instance")
        _record(app, folder, promotions, adopted)
        listed = app.test_client().get("/api/follow-up").get_json()
        assert len(listed) == promotions * adopted  # every adopted act, every promotion
        assert all(item["commitments"] for item in listed)
        sizes[promotions * adopted] = _statements(app)
    small, large = sizes[1], sizes[18]
    assert large == small, f"statements with 1 act: {small}; with 18: {large}"
    # One per table read: mandates, phases, acts, and the acts' six child tables.
    assert max(large.values()) <= 10, large
