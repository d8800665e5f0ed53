"""Browser tests: Debian's chromium, driven by Playwright, with axe-core on every public page.

Never a downloaded browser: the tests launch ``/usr/bin/chromium`` (Debian package
``chromium``) and inject axe-core from npm (``npm install --prefix tests/web/.axe
axe-core``); each skips with the reason when its piece is missing. Every public page
of every bundled city, in each of its languages, must have no serious or critical
axe violation (WCAG 2.1 A and AA rules, and axe's best practices).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kleroterion.sortition
import pytest
from flask import Flask
from kleroterion.web import create_app, demo
from kleroterion.web.context import city_of
from werkzeug.serving import BaseWSGIServer, make_server

from tests.lifecycle import engine_standin

from .conftest import CITIES, CITY_LANGUAGES

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("KLEROTERION_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING_IMPACTS = {"serious", "critical"}
DEMO_TODAY = dt.date(2026, 11, 23)

AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(" "))
  }));
}"""


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip(f"axe-core is missing: npm install --prefix {AXE.parents[2]} axe-core")
    return AXE.read_text(encoding="utf-8")


class LiveServer:
    """A city's app served on 127.0.0.1 from a thread, on a free port."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, LiveServer]]:
    instance = tmp_path_factory.mktemp("instance")
    # Paris serves a demo mandate (built with the lifecycle tests' quick stand-in engine)
    # so that the record pages are checked with content; the other cities, empty.
    with pytest.MonkeyPatch.context() as patch:
        for name in ("find_distribution", "round_distribution"):
            patch.setattr(kleroterion.sortition, name, getattr(engine_standin, name),
                          raising=False)
        paris = demo.prepare(tmp_path_factory.mktemp("demo"), "paris", today=DEMO_TODAY)
    filled = {"paris": {"KLEROTERION_DATABASE_URL": paris.database_url,
                        "KLEROTERION_TODAY": DEMO_TODAY}}
    previous = os.environ.get("KLEROTERION_INSTANCE_PATH")
    os.environ["KLEROTERION_INSTANCE_PATH"] = str(instance)
    try:
        servers = {city: LiveServer(create_app(city, {"SECRET_KEY": "browser tests",
                                                      **filled.get(city, {})}))
                   for city in CITIES}
    finally:
        if previous is None:
            os.environ.pop("KLEROTERION_INSTANCE_PATH", None)
        else:
            os.environ["KLEROTERION_INSTANCE_PATH"] = previous
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp: the site's policy forbids inline scripts, axe is injected as one.
    context = browser.new_context(bypass_csp=True, locale="fr-FR")
    yield context.new_page()
    context.close()


def _public_paths(app: Flask) -> list[str]:
    kinds = [kind.key for kind in city_of(app).config.proposal_kinds]
    client = app.test_client()
    acts = [f"/proposals/{act['id']}" for act in client.get("/api/proposals").get_json()[:1]]
    acts += [f"/follow-up/{act['id']}" for act in client.get("/api/follow-up").get_json()[:1]]
    return ["/", "/panel", "/sessions", "/powers", *(f"/powers/{kind}" for kind in kinds),
            "/indemnity", "/accountability", "/draw", "/proposals", "/follow-up", *acts,
            "/no-such-page"]


@pytest.mark.parametrize("city", CITIES)
def test_no_serious_accessibility_violation_on_any_public_page(
    city: str, live_servers: dict[str, LiveServer], page: Any, axe_source: str
) -> None:
    server = live_servers[city]
    problems = []
    for language in CITY_LANGUAGES[city]:
        for path in _public_paths(server.app):
            page.goto(f"{server.url}{path}?lang={language}")
            assert page.locator("html").get_attribute("lang") == language
            page.add_script_tag(content=axe_source)
            for violation in page.evaluate(AXE_RUN, AXE_TAGS):
                if violation["impact"] in BLOCKING_IMPACTS:
                    problems.append((path, language, violation))
    assert problems == []


def test_the_language_switcher_and_the_skip_link_work_by_keyboard(
    live_servers: dict[str, LiveServer], page: Any
) -> None:
    server = live_servers["brussels"]
    page.goto(f"{server.url}/panel")
    assert page.locator("html").get_attribute("lang") == "fr"
    # The first Tab reaches the skip link, which becomes visible and leads to <main>.
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
    # Choose Dutch with the keyboard; the choice sticks on the next page.
    page.locator("nav.languages a[hreflang=nl]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**lang=nl")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").inner_text() == "Het panel"
    page.locator("nav.main-nav a", has_text="Bevoegdheden").click()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").inner_text() == "Wat de burgerraad kan doen"


def test_a_chart_is_drawn_with_its_table(live_servers: dict[str, LiveServer], page: Any) -> None:
    server = live_servers["paris"]
    page.goto(f"{server.url}/panel?lang=en")
    chart = page.locator("svg.quota-chart").first
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 50
    bars = chart.locator("rect.bar")
    assert bars.count() == 2
    widths = [bars.nth(i).bounding_box()["width"] for i in range(2)]
    assert widths[0] == pytest.approx(widths[1]) and widths[0] > 100  # 40 and 40 seats
    assert page.get_by_role("img", name="Quota targets by Gender, Electoral roll").count() == 1
    assert page.get_by_role("table", name="Quota targets by Gender, Electoral roll").count() == 1


# --- The back office: log in through the form, then axe-core on its pages ------------


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


def test_no_serious_accessibility_violation_on_the_members_and_a_refused_upload(
    admin_server: tuple[LiveServer, Any], page: Any, axe_source: str, tmp_path: Path
) -> None:
    server, login = admin_server
    page.goto(f"{server.url}/admin/login")
    page.fill("#username", login.username)
    page.fill("#password", login.password)
    page.click("#submit")
    page.wait_for_url("**/admin/")
    page.click("a[href='/admin/members']")
    problems = _axe(page, axe_source, "members")
    member = page.locator("a[href^='/admin/members/']").first.get_attribute("href")
    page.goto(f"{server.url}{member}")
    problems += _axe(page, axe_source, "a member")
    page.fill("#consent-public_name", "")
    page.click("#consent-submit")
    assert page.locator("#consent-public_name-error").is_visible()
    problems += _axe(page, axe_source, "a member, with a refused name")
    bad = tmp_path / "repondants.csv"
    bad.write_text("id,gender,age,arrondissement,diploma\nB1,dragon,30-44,11e,bac\n"
                   "B2,femme,30-44\n", encoding="utf-8")
    page.goto(f"{server.url}/admin/respondents")
    page.set_input_files("#upload", str(bad))
    page.click("form[enctype='multipart/form-data'] [type=submit]")
    assert page.locator("table.refused tbody tr").count() == 2
    assert page.locator("table.refused").get_by_text("dragon", exact=True).is_visible()
    problems += _axe(page, axe_source, "a refused upload")
    assert problems == []
