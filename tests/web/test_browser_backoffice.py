"""Browser tests of the back office: log in through the form, then axe-core on its pages.

Uses the public browser tests' chromium, axe-core and live server; skips like them
when a piece is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import kleroterion.sortition
import pytest
from kleroterion.web import create_app, demo

from tests.lifecycle import engine_standin

from . import test_browser as shared
from .test_browser import AXE_RUN, AXE_TAGS, BLOCKING_IMPACTS, DEMO_TODAY, LiveServer

# The public browser tests' fixtures: chromium, a page, axe-core.
browser = shared.browser
page = shared.page
axe_source = shared.axe_source

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Any]]:
    """Paris with its demo mandate, and the demo's secretariat login."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("find_distribution", "round_distribution"):
            patch.setattr(kleroterion.sortition, name, getattr(engine_standin, name),
                          raising=False)
        login = demo.prepare(tmp_path_factory.mktemp("demo-admin"), "paris", today=DEMO_TODAY)
    previous = os.environ.get("KLEROTERION_INSTANCE_PATH")
    os.environ["KLEROTERION_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance-admin"))
    try:
        # Plain http on 127.0.0.1: the secure flag would keep the cookie from coming back.
        app = create_app("paris", {"SECRET_KEY": "browser tests", "SESSION_COOKIE_SECURE": False,
                                   "KLEROTERION_DATABASE_URL": login.database_url,
                                   "KLEROTERION_TODAY": DEMO_TODAY})
    finally:
        if previous is None:
            os.environ.pop("KLEROTERION_INSTANCE_PATH", None)
        else:
            os.environ["KLEROTERION_INSTANCE_PATH"] = previous
    server = LiveServer(app)
    yield server, login
    server.stop()


def _axe(page: Any, axe_source: str, where: str) -> list[tuple[str, Any]]:
    page.add_script_tag(content=axe_source)
    return [(where, v) for v in page.evaluate(AXE_RUN, AXE_TAGS)
            if v["impact"] in BLOCKING_IMPACTS]


def test_no_serious_accessibility_violation_in_the_back_office(
    admin_server: tuple[LiveServer, Any], page: Any, axe_source: str
) -> None:
    server, login = admin_server
    problems = []
    page.goto(f"{server.url}/admin/login")
    problems += _axe(page, axe_source, "login")
    page.fill("#username", login.username)
    page.fill("#password", "not the password")
    page.click("#submit")
    assert page.locator("#login-error").is_visible()
    problems += _axe(page, axe_source, "login with an error")
    page.fill("#password", login.password)
    page.click("#submit")
    page.wait_for_url("**/admin/")
    problems += _axe(page, axe_source, "dashboard")
    act = page.locator("a[href^='/admin/proposals/']").first.get_attribute("href")
    meeting = page.locator("a[href^='/admin/sessions/']").first.get_attribute("href")
    for path in (act, meeting, "/admin/indemnities", "/admin/proposals/999999"):
        page.goto(f"{server.url}{path}")
        problems += _axe(page, axe_source, str(path))
    assert problems == []
