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
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from kleroterion.web import create_app, demo
from kleroterion.web.context import city_of
from werkzeug.serving import BaseWSGIServer, make_server

from tests.lifecycle import engine_standin

from .conftest import CITIES, CITY_LANGUAGES

pytestmark = pytest.mark.browser

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
    paris = demo.prepare(tmp_path_factory.mktemp("demo"), "paris", today=DEMO_TODAY,
                         engine=engine_standin.ENGINE)
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


def _public_paths(app: Flask) -> list[str]:
    kinds = [kind.key for kind in city_of(app).config.proposal_kinds]
    client = app.test_client()
    acts = [f"/proposals/{act['id']}" for act in client.get("/api/proposals").get_json()[:1]]
    acts += [f"/follow-up/{act['id']}" for act in client.get("/api/follow-up").get_json()[:1]]
    return ["/", "/panel", "/sessions", "/powers", *(f"/powers/{kind}" for kind in kinds),
            "/indemnity", "/accountability", "/draw", "/proposals", "/follow-up", *acts,
            "/comparison",
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
    name = "Quota targets by criterion “Gender”, electoral roll"
    assert page.get_by_role("img", name=name).count() == 1
    assert page.get_by_role("table", name=name).count() == 1


# --- The back office: log in through the form, then axe-core on its pages ------------


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Any]]:
    """Paris with its demo mandate, and the demo's secretariat login."""
    login = demo.prepare(tmp_path_factory.mktemp("demo-admin"), "paris", today=DEMO_TODAY,
                         engine=engine_standin.ENGINE)
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
    # Every page of the back office's menu, by clicking it.
    for href in [str(link.get_attribute("href"))
                 for link in page.locator("nav.admin-menu a").all()]:
        if href.startswith("/admin"):
            page.locator(f"nav.admin-menu a[href='{href}']").click()
            page.wait_for_load_state()
            assert page.locator(f"nav.admin-menu a[href='{href}']").get_attribute(
                "aria-current") == "page", href
            problems += _axe(page, axe_source, href)
    page.goto(f"{server.url}/admin/acts/")
    act = page.locator("#content a[href^='/admin/proposals/']").first.get_attribute("href")
    page.goto(f"{server.url}/admin/sessions/")
    meeting = page.locator("#content a[href$='/attendance']").first.get_attribute("href")
    page.goto(f"{server.url}/admin/bodies/")
    body = page.locator("#content a[href^='/admin/bodies/']").first.get_attribute("href")
    # The quotas of the electoral-roll group (four criteria, one input per bound), then a
    # refused save (its alert).
    page.goto(f"{server.url}/admin/quotas/liste-electorale")
    problems += _axe(page, axe_source, "quotas")
    page.locator("input[name='min:gender/femme']").fill("deux")
    page.get_by_role("button", name="Enregistrer les quotas pour ce mandat").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").count() == 1
    problems += _axe(page, axe_source, "quotas refused")
    for path in (act, meeting, body, "/admin/indemnities", "/admin/respondents",
                 "/admin/proposals/999999"):
        page.goto(f"{server.url}{path}")
        problems += _axe(page, axe_source, str(path))
    assert problems == []


# --- The panel draw: the secretariat runs it from the back office --------------------

DRAW_PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def draw_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, int]]:
    """Paris with a promotion whose 16-17 pool waits for its draw (12 respondents, 5 seats),
    another group's draw stuck computing, and a secretariat account; the mandate's id."""
    from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
    from kleroterion.services import mandates, panel, recruitment, users
    from kleroterion.services.context import city

    from tests.lifecycle.citydata import write_respondents

    folder = tmp_path_factory.mktemp("draw")
    url = f"sqlite:///{folder / 'draw.sqlite3'}"
    upgrade(url)
    config = city("paris").config
    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        mandate = mandates.open_mandate(session, "paris", "promotion 2026", dt.date(2026, 9, 1))
        for key, rows in (("jeunes", 12), ("non-europeens", 30)):
            seat = next(g for g in config.composition.seat_groups if g.key == key)
            path = folder / f"{key}.csv"
            write_respondents(path, config, seat, rows=rows)
            recruitment.import_respondents(session, mandate.id, key, path)
        panel.start_draw(session, mandate.id, "non-europeens")  # no worker: stays running
        users.create_user(session, "secretariat", DRAW_PASSWORD, "secretariat")
        ident = mandate.id
    engine.dispose()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KLEROTERION_INSTANCE_PATH", str(folder / "instance"))
        app = create_app("paris", {"SECRET_KEY": "browser tests", "SESSION_COOKIE_SECURE": False,
                                   "KLEROTERION_DATABASE_URL": url,
                                   "KLEROTERION_TODAY": dt.date(2026, 9, 15),
                                   "KLEROTERION_LOTTERY_ROOT": str(folder / "lotteries")})
    server = LiveServer(app)
    yield server, ident
    server.stop()


def test_the_secretariat_runs_a_draw_to_the_seated_panel(
    draw_server: tuple[LiveServer, int], page: Any, axe_source: str
) -> None:
    from kleroterion.db import make_engine, make_sessionmaker, session_scope
    from kleroterion.services import panel

    server, mandate_id = draw_server
    page.goto(f"{server.url}/admin/login")
    for selector, value in (("#username", "secretariat"), ("#password", DRAW_PASSWORD)):
        page.fill(selector, value)
    page.click("#submit")
    page.wait_for_url("**/admin/")
    problems = _axe(page, axe_source, "dashboard")
    page.click("nav.admin-menu a[href='/admin/draws/']")
    problems += _axe(page, axe_source, "draws")
    page.click("a[href='/admin/draw/jeunes']")
    assert page.locator("h1").inner_text().startswith("Tirage du panel")
    problems += _axe(page, axe_source, "start form")

    # A computation under way: the progress page, its live region kept up by the script.
    page.goto(f"{server.url}/admin/draw/non-europeens")
    status = page.get_by_role("status")
    assert re.search(r"\b0\s?%", status.inner_text())  # « 0 % » in French
    problems += _axe(page, axe_source, "progress")
    engine = make_engine(server.app.config["KLEROTERION_DATABASE_URL"])
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        running = panel.latest_panel_draw(session, mandate_id, "non-europeens")
        assert running is not None
        panel.record_progress(session, running.id, "leximin", 0.7)
    engine.dispose()
    page.wait_for_function(  # the script polls, and says it in words in the live region
        "document.getElementById('progress-text').textContent.includes('59')")
    # The engine fills 85 % of the bar (rounding and publishing follow): 0.7 shows 59 %.
    assert page.locator("#progress-bar").get_attribute("value") == "59"
    assert "leximin" not in status.inner_text() and "waiting" not in status.inner_text()

    page.goto(f"{server.url}/admin/draw/jeunes")
    page.select_option("#algorithm", "leximin")
    page.locator("form[action$='/start'] input[type=submit]").click()
    # The progress page reloads itself when the worker has published the lottery.
    page.locator("#number-title").wait_for(timeout=60_000)
    digest = page.locator("ul.digests code").first.inner_text()
    assert len(digest) == 64
    problems += _axe(page, axe_source, "published")

    page.fill("#public_number", "vingt")
    page.locator("form[action$='/choose'] input[type=submit]").click()
    assert page.locator("#public_number-error").is_visible()
    assert page.locator("#public_number").input_value() == "vingt"
    problems += _axe(page, axe_source, "bad number")

    page.fill("#public_number", "2718")
    page.locator("form[action$='/choose'] input[type=submit]").click()
    page.locator("#seated-title").wait_for()
    assert page.locator("ul.public-ids li").count() == 5
    problems += _axe(page, axe_source, "seated")

    page.goto(f"{server.url}/draw")
    assert digest in page.content()
    problems += _axe(page, axe_source, "public draw")
# --- The walk-through: the public site in each language, then a secretariat's day -----


def _switcher(page: Any) -> list[str]:
    return [str(link.get_attribute("hreflang"))
            for link in page.locator("nav.languages a").all()]


@pytest.mark.parametrize("city", ["paris", "brussels"])
def test_walk_the_public_site_in_each_language_through_the_switcher(
    city: str, live_servers: dict[str, LiveServer], page: Any, axe_source: str
) -> None:
    """Paris offers French and English, Brussels French, Dutch and English: each is
    reached by clicking the switcher, and stays chosen while the visitor moves on."""
    server = live_servers[city]
    problems = []
    page.goto(f"{server.url}/")
    assert page.locator("html").get_attribute("lang") == CITY_LANGUAGES[city][0]
    assert _switcher(page) == list(CITY_LANGUAGES[city])
    for language in CITY_LANGUAGES[city]:
        page.locator(f"nav.languages a[hreflang={language}]").click()
        page.wait_for_url(f"**lang={language}")
        assert page.locator("html").get_attribute("lang") == language
        current = page.locator("nav.languages a[aria-current=true]")
        assert current.get_attribute("hreflang") == language
        problems += _axe(page, axe_source, f"/ in {language}")
        # Every page of the main menu, by clicking it, in the language chosen.
        for href in [str(link.get_attribute("href"))
                     for link in page.locator("nav.main-nav a").all()]:
            page.locator(f"nav.main-nav a[href='{href}']").click()
            page.wait_for_load_state()
            assert page.locator("html").get_attribute("lang") == language, (href, language)
            problems += _axe(page, axe_source, f"{href} in {language}")
        page.goto(f"{server.url}/")
    assert problems == []


def _database(login: Any, work: Any) -> Any:
    from kleroterion.db import make_engine, make_sessionmaker, session_scope

    engine = make_engine(login.database_url)
    try:
        with session_scope(make_sessionmaker(engine), actor="browser test") as session:
            return work(session)
    finally:
        engine.dispose()


RESPONDENTS_HEADER = "id,gender,age,arrondissement,diploma,nom,adresse,courriel\n"
RESPONDENT_OK = "WALK-1,femme,30-44,11e,bac,Synthétique Une,1 rue Fictive,une@example.org\n"
RESPONDENT_BAD = "WALK-2,licorne,45-59,12e,bac,Synthétique Deux,2 rue Fictive,deux@example.org\n"
RESPONDENT_FIXED = RESPONDENT_BAD.replace("licorne", "homme")


def _upload(page: Any, text: str) -> None:
    page.select_option("#seat_group", "liste-electorale")
    page.set_input_files("#upload", files=[{
        "name": "repondants.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8")}])
    page.click("form[enctype='multipart/form-data'] input[type=submit]")  # not the logout
    page.wait_for_load_state()


def test_walk_a_secretariat_day_in_the_back_office(
    admin_server: tuple[LiveServer, Any], page: Any, axe_source: str
) -> None:
    """Log in; import respondents (a refused file, then the corrected one); save the
    attendance of a session; move an act; update a commitment, with a bad progress
    first, and see it on the public follow-up page. axe-core on every page shown."""
    from kleroterion.models import Attendance, Commitment, Proposal, Respondent
    from sqlalchemy import func, select

    server, login = admin_server
    problems: list[tuple[str, Any]] = []

    def check(where: str) -> None:
        assert page.locator("html").get_attribute("lang") == "fr", where
        problems.extend(_axe(page, axe_source, where))

    page.goto(f"{server.url}/admin/login")
    page.fill("#username", login.username)
    page.fill("#password", login.password)
    page.click("#submit")
    page.wait_for_url("**/admin/")
    check("dashboard")

    # Respondents: a file with a bad value on line 3 imports nothing, then the fixed one.
    def respondents(session: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(Respondent)) or 0)

    before = _database(login, respondents)
    page.click("a[href='/admin/respondents']")
    check("respondents")
    _upload(page, RESPONDENTS_HEADER + RESPONDENT_OK + RESPONDENT_BAD)
    refused = page.locator("[role=alert]").first
    assert refused.is_visible()
    assert "3" in refused.inner_text() and "licorne" in refused.inner_text()
    assert page.locator("#upload-error").is_visible()
    assert _database(login, respondents) == before
    check("respondents refused")
    _upload(page, RESPONDENTS_HEADER + RESPONDENT_OK + RESPONDENT_FIXED)
    assert page.locator("p.notice").is_visible()
    assert _database(login, respondents) == before + 2
    check("respondents imported")

    # The roll call of the first session: one click on a line records it.
    page.goto(f"{server.url}/admin/sessions/")
    meeting = str(page.locator("#content a[href$='/attendance']").first.get_attribute("href"))
    page.click(f"a[href='{meeting}']")
    check(meeting)
    assert page.locator("table.roll tbody tr").count() > 0
    for index in range(2):
        page.locator("table.roll tbody tr").nth(index).locator(
            "button[value=excused]").click()
        page.wait_for_load_state()
        assert page.locator("p.notice").is_visible()
    for index in range(2):
        assert page.locator("table.roll tbody tr").nth(index).locator(
            "button[value=excused]").get_attribute("aria-pressed") == "true"
    session_id = int(meeting.split("/")[3])
    excused = _database(login, lambda s: s.scalar(select(func.count()).where(
        Attendance.session_id == session_id, Attendance.status == "excused")))
    assert excused >= 2
    check(f"{meeting} saved")

    # A transition of the first act that has one to offer.
    page.goto(f"{server.url}/admin/acts/")
    acts = [str(link.get_attribute("href"))
            for link in page.locator("#content a[href^='/admin/proposals/']").all()
            if not str(link.get_attribute("href")).endswith("/follow-up")]
    for act in acts:
        page.goto(f"{server.url}{act}")
        if page.locator("form[action*='/move/']").count():
            break
    else:
        pytest.fail("no act of the demo offers a move")
    act_id = int(act.rsplit("/", 1)[1])
    state = _database(login, lambda s: s.get(Proposal, act_id).state)
    check(act)
    move = page.locator("form[action*='/move/']").first
    target = str(move.get_attribute("action")).rsplit("/", 1)[1]
    move.locator("textarea[lang=fr]").fill("parcours du navigateur")
    move.locator("input[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("p.notice").is_visible()
    assert "parcours du navigateur" in page.locator("ol").first.inner_text()
    assert _database(login, lambda s: s.get(Proposal, act_id).state) == target != state
    check(f"{act} moved")

    # The follow-up of the first adopted act: a progress out of range, then a good one.
    page.goto(f"{server.url}/admin/acts/")
    follow_up = str(page.locator("a[href^='/admin/proposals/'][href$='/follow-up']").first
                    .get_attribute("href"))
    adopted_id = int(follow_up.split("/")[3])
    page.click(f"a[href='{follow_up}']")
    check(follow_up)
    form = page.locator("form[action^='/admin/commitments/']:not([action$='/milestones'])").first
    commitment_id = int(str(form.get_attribute("action")).rsplit("/", 1)[1])
    progress = f"#c{commitment_id}-progress"
    page.fill(progress, "150")
    page.locator(f"#c{commitment_id}-submit").click()
    page.wait_for_load_state()
    assert page.locator(f"#c{commitment_id}-progress-error").is_visible()
    assert page.locator(progress).get_attribute("aria-invalid") == "true"
    assert page.locator(progress).input_value() == "150"
    check(f"{follow_up} refused")
    page.fill(progress, "85")
    page.locator(f"#c{commitment_id}-submit").click()
    page.wait_for_load_state()
    assert page.locator("p.notice").is_visible()
    commitment = _database(login, lambda s: (s.get(Commitment, commitment_id).progress,
                                             s.get(Commitment, commitment_id).responsible))
    assert commitment[0] == 85 and commitment[1]
    check(f"{follow_up} saved")

    page.goto(f"{server.url}/follow-up/{adopted_id}")
    shown = page.locator(f"#commitment-{commitment_id}").locator("xpath=..")
    assert shown.locator("progress").get_attribute("value") == "85"
    assert commitment[1] not in page.content()  # the person responsible stays private
    check(f"/follow-up/{adopted_id}")
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
    member = page.locator("#content a[href^='/admin/members/']").first.get_attribute("href")
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
