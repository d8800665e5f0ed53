"""The back office's replacement draw: a job of the queue, its progress, its number.

Issue 16: a replacement draw runs as a job like the panel draw, its progress shown
on its page; issue 18: it is published (its digest shown) before the public number
is taken, and its folder verifies with both.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import session_scope
from kleroterion.models import Draw, Member, Respondent
from kleroterion.services import members, panel
from kleroterion.sortition import lottery
from kleroterion.web import draw_progress
from sqlalchemy import select

from .test_access import csrf_token, log_in
from .test_panel_draw import GROUP, _factory, pool  # noqa: F401 (the fixture)


def _withdraw_one(app: Flask, mandate_id: int, root: Path) -> int:
    with session_scope(_factory(app), actor="test") as session:
        panel.draw_panel(session, mandate_id, GROUP, dt.date(2025, 9, 1), public_number="17",
                         root=root)
    with session_scope(_factory(app), actor="test") as session:
        left = [r.features for r in session.scalars(select(Respondent).where(
            Respondent.status.in_(("pool", "not_selected"))))]
        leaver = next(m for m in session.scalars(select(Member).order_by(Member.id))
                      if m.respondent.features in left)
        members.withdraw(session, leaver.id, dt.date(2025, 9, 10), "moved away")
        return int(leaver.id)


def _wait(client: FlaskClient, url: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = client.get(f"{url}/status.json").get_json()["state"]
        if state != "running":
            return str(state)
        time.sleep(0.2)
    raise AssertionError("the background draw did not finish")


def test_a_replacement_from_the_start_button_to_the_seated_member(
    client: FlaskClient, app: Flask, pool: int, tmp_path: Path  # noqa: F811
) -> None:
    root = tmp_path / "lotteries"
    leaver = _withdraw_one(app, pool, root)
    url = f"/admin/replacement/{leaver}"
    log_in(client, "secretariat")
    member_page = client.get(f"/admin/members/{leaver}?lang=en").get_data(as_text=True)
    assert f'href="{url}"' in member_page
    page = client.get(f"{url}?lang=en").get_data(as_text=True)
    assert "Compute and publish the replacement draw" in page
    # No number before the lottery is published.
    early = client.post(f"{url}/choose?lang=en", data={"csrf_token": csrf_token(client, url),
                                                      "public_number": "77"})
    assert early.status_code == 422

    started = time.monotonic()
    response = client.post(f"{url}/start?lang=en", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302 and time.monotonic() - started < 5
    assert _wait(client, url) == "published"
    with _factory(app)() as session:
        draw = session.scalars(select(Draw).where(Draw.kind == "replacement")).one()
        digest, folder = str(draw.panels_digest), root / str(draw.lottery_folder)
        assert draw.state == "published" and draw.public_number is None
    page = client.get(f"{url}?lang=en").get_data(as_text=True)
    assert digest in page and "Choose the panel" in page

    response = client.post(f"{url}/choose?lang=en", data={"csrf_token": csrf_token(client, url),
                                                         "public_number": "77"})
    assert response.status_code == 302
    page = client.get(f"{url}?lang=en").get_data(as_text=True)
    assert "The replacement is seated." in page
    with _factory(app)() as session:
        new = session.scalars(select(Member).where(Member.replaces_id == leaver)).one()
        assert new.status == "seated"
    assert lottery.verify(folder, digest=digest, number=77).ok


def test_the_page_shows_the_progress_of_a_queued_draw(
    client: FlaskClient, app: Flask, pool: int, tmp_path: Path  # noqa: F811
) -> None:
    leaver = _withdraw_one(app, pool, tmp_path / "lotteries")
    with session_scope(_factory(app), actor="test") as session:
        draw = panel.start_replacement(session, leaver, background=True)
        panel.record_progress(session, draw.id, "leximin", 0.4)
    log_in(client, "read-only")
    url = f"/admin/replacement/{leaver}"
    page = client.get(f"{url}?lang=en").get_data(as_text=True)
    # The engine's 40 % of its own work, on a bar that keeps room for rounding and publishing.
    percent = draw_progress.percent("leximin", 0.4, "running")
    assert 0 < percent < 40
    assert f"{percent}% done" in page and 'http-equiv="refresh"' in page
    assert "start-submit" not in page
    status = client.get(f"{url}/status.json").get_json()
    words = status.pop("words")
    assert status == {"state": "running", "stage": "leximin", "fraction": 0.4,
                      "percent": percent}
    assert words and "leximin" not in words.lower()  # the stage in words, not its key


def test_a_member_of_another_mandate_is_not_found(
    client: FlaskClient, app: Flask, pool: int  # noqa: F811
) -> None:
    log_in(client, "read-only")
    assert client.get("/admin/replacement/9999").status_code == 404


def test_an_interrupted_replacement_draw_may_start_again(
    client: FlaskClient, app: Flask, pool: int, tmp_path: Path  # noqa: F811
) -> None:
    from kleroterion.models import utcnow

    leaver = _withdraw_one(app, pool, tmp_path / "lotteries")
    with session_scope(_factory(app), actor="test") as session:
        draw = panel.start_replacement(session, leaver, background=True)
        draw.heartbeat_at = utcnow() - panel.STALE_AFTER * 2  # its worker stopped
    log_in(client, "secretariat")
    url = f"/admin/replacement/{leaver}"
    page = client.get(f"{url}?lang=en").get_data(as_text=True)
    assert "The last computation failed" in page and "start-submit" in page
    response = client.post(f"{url}/start?lang=en", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    assert _wait(client, url) == "published"
    with _factory(app)() as session:
        states = sorted(d.state for d in session.scalars(select(Draw).where(
            Draw.kind == "replacement")))
    assert states == ["failed", "published"]
