"""A Poitiers edition run from the back office alone, in French, in Debian's chromium.

From an empty database and one administrator account: open the edition (a refused
term first), import the respondents, draw the panel with its public number and
declare it final, confirm the members (ticked, then all at once), withdraw one and
draw a replacement, compose both bodies (volunteers, a draw by lot, elected
officials of the majority and the opposition, agents, a facilitator), add a session
(a refused date first), create the action plan and move it to the council's vote and
adoption, follow it up, purge the respondents not seated, give an account and a token,
close the edition. axe-core on every page shown: no serious or critical violation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
from kleroterion.models import (
    AssemblySession,
    Attendance,
    BodyMembership,
    Mandate,
    Member,
    PersonalData,
    Proposal,
    Respondent,
)
from kleroterion.services import users
from kleroterion.services.context import city
from kleroterion.web import create_app
from sqlalchemy import func, select

from tests.lifecycle.citydata import write_respondents
from tests.web.test_browser import AXE_RUN, AXE_TAGS, BLOCKING_IMPACTS, LiveServer

pytestmark = pytest.mark.browser

TODAY = dt.date(2027, 2, 15)  # a Monday
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def poitiers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str, Path]]:
    folder = tmp_path_factory.mktemp("poitiers")
    url = f"sqlite:///{folder / 'poitiers.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        users.create_user(session, "admin", PASSWORD, "administrator")
    engine.dispose()
    config = city("poitiers").config
    seat = next(g for g in config.composition.seat_groups if g.key == "adresses")
    respondents = folder / "adresses.csv"
    write_respondents(respondents, config, seat, rows=seat.seats + 30)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KLEROTERION_INSTANCE_PATH", str(folder / "instance"))
        app = create_app("poitiers", {
            "SECRET_KEY": "browser", "SESSION_COOKIE_SECURE": False,
            "KLEROTERION_DATABASE_URL": url, "KLEROTERION_TODAY": TODAY,
            "KLEROTERION_LOTTERY_ROOT": str(folder / "lotteries")})
    server = LiveServer(app)
    yield server, url, respondents
    server.stop()


def _count(url: str, query: Any) -> int:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            return int(session.scalar(query) or 0)
    finally:
        engine.dispose()


def test_a_poitiers_edition_from_the_back_office_alone(
    poitiers: tuple[LiveServer, str, Path], page: Any, axe_source: str
) -> None:
    server, url, respondents = poitiers
    problems: list[tuple[str, Any]] = []

    def check(where: str) -> None:
        assert page.locator("html").get_attribute("lang") == "fr", where
        page.add_script_tag(content=axe_source)
        problems.extend((where, v) for v in page.evaluate(AXE_RUN, AXE_TAGS)
                        if v["impact"] in BLOCKING_IMPACTS)

    def go(menu: str) -> None:
        page.locator("nav.admin-menu a", has_text=menu).click()
        page.wait_for_load_state()
        check(menu)

    def submit(form: str) -> None:
        page.locator(f"{form} [type=submit]").first.click()
        page.wait_for_load_state()

    def notice() -> str:
        return str(page.locator("p.notice").first.inner_text())

    page.goto(f"{server.url}/admin/login")
    check("login")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url("**/admin/")
    assert page.locator("h1").inner_text() == "À faire"
    check("dashboard, nothing open")

    # Open the edition: a term Poitiers' rules refuse (three months), then the year.
    go("Mandats")
    page.fill("#label", "édition 2027")
    page.fill("#starts_on", "2027-01-04")
    page.fill("#ends_on", "2027-04-03")
    submit("form[action='/admin/mandates/']")
    assert page.locator("[role=alert]").is_visible()  # the service's words, in French
    assert _count(url, select(func.count()).select_from(Mandate)) == 0
    check("mandate refused")
    page.fill("#ends_on", "")
    submit("form[action='/admin/mandates/']")
    assert notice() == "Le mandat est ouvert."
    assert "édition 2027" in page.locator("table.data").inner_text()
    check("mandate open")

    # The respondents of the address lottery, through the import page.
    go("Répondants")
    page.select_option("#seat_group", "adresses")
    page.set_input_files("#upload", str(respondents))
    page.click("form[enctype='multipart/form-data'] [type=submit]")
    page.wait_for_load_state()
    assert page.locator("p.notice").is_visible()

    # Draw the panel with its public number, then declare the draw final.
    go("Tirages au sort")
    page.locator("#content a[href='/admin/draw/adresses']").first.click()
    # The list of candidates is published (its digest) before the public number is taken.
    submit("form[action$='/start']")
    check("candidates published")
    page.fill("#public_number", "4217")
    submit("form[action$='/choose']")
    page.locator("#seated-title").wait_for()
    check("panel seated")
    go("Tirages au sort")
    submit("form[action$='/finalize']")
    assert notice() == "Le tirage au sort est déclaré définitif."
    assert "déclaré définitif" in page.locator("table.data").inner_text()
    check("draw final")

    # Confirm two members ticked, then all the others at once.
    go("Confirmer des membres")
    boxes = page.locator("ul.checklist input[type=checkbox]")
    seated = boxes.count()
    assert seated == 100
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.locator("form #submit").click()
    page.wait_for_load_state()
    assert notice() == "2 membres confirmés."
    page.locator("button[name=all]").click()
    page.wait_for_load_state()
    assert notice() == "98 membres confirmés."
    assert _count(url, select(func.count()).select_from(Member)
                  .where(Member.status == "confirmed")) == 100
    check("members confirmed")

    # One member withdraws; a replacement is drawn with a public number.
    first = _count(url, select(func.min(Member.id)))
    page.goto(f"{server.url}/admin/members/{first}/seat")
    check("a seat")
    page.fill("#withdraw-reason", "déménagement hors de Poitiers")
    submit("form[action$='/withdraw']")
    assert notice() == "Le retrait est enregistré."
    page.fill("#replace-public_number", "sept")
    submit("form[action$='/replace']")
    assert page.locator("#replace-public_number-error, [role=alert]").first.is_visible()
    check("replacement refused")
    page.fill("#replace-public_number", "7")
    submit("form[action$='/replace']")
    assert "remplace le membre" in notice()
    check("replaced")

    # Both bodies: volunteers and officials in the proposals group; a draw by lot, agents
    # and a facilitator in the methodology committee.
    go("Instances")
    page.locator("#content a[href='/admin/bodies/groupe-propositions']").click()
    check("proposals group")
    for index in range(2):
        page.select_option("#join-member", index=index + 1)
        submit("form[action$='/join']")
        assert notice() == "Le membre rejoint l'instance."
    for role, name, group in (("elected", "Élue de la majorité", "Poitiers Collectif"),
                              ("elected_opposition", "Élu de l'opposition", "Opposition"),
                              ("agent", "Agente du service participation", "")):
        page.select_option("#appoint-role", role)
        page.fill("#appoint-name", name)
        page.fill("#appoint-group", group)
        submit("form[action$='/appoint']")
        assert notice() == "La désignation est enregistrée."
    table = page.locator("table.data").inner_text()
    assert "Élu de l'opposition (Opposition)" in table
    check("proposals group composed")
    page.goto(f"{server.url}/admin/bodies/comite-methodologique")
    page.fill("#draw-public_number", "31")
    submit("form[action$='/draw']")
    assert notice() == "Les sièges sont tirés au sort."
    for role, name in (("elected", "Élue référente"), ("agent", "Agent méthodologue"),
                       ("facilitator", "Animatrice indépendante")):
        page.select_option("#appoint-role", role)
        page.fill("#appoint-name", name)
        submit("form[action$='/appoint']")
        assert notice() == "La désignation est enregistrée."
    check("methodology committee composed")
    assert _count(url, select(func.count()).select_from(BodyMembership)
                  .where(BodyMembership.body_key == "comite-methodologique")) == 3 + 3

    # A session: a date outside the edition is refused, then today's evening plenary.
    go("Séances")
    page.select_option("#kind", "assemblee")
    page.fill("#held_on", "2028-06-01")
    submit("form[action='/admin/sessions/']")
    assert page.locator("[role=alert]").is_visible()
    assert _count(url, select(func.count()).select_from(AssemblySession)) == 0
    check("session refused")
    page.fill("#held_on", "2027-02-15")
    page.fill("#starts_at", "18:00")
    page.fill("#ends_at", "20:30")
    page.fill("#place", "Hôtel de Ville, salle du conseil")
    page.fill("#title", "Séance plénière de lancement")
    submit("form[action='/admin/sessions/']")
    assert notice() == "La séance est ajoutée."
    page.goto(f"{server.url}/admin/")
    assert "Séance plénière de lancement" in page.locator("#week-title + p + ul").inner_text()
    check("dashboard with a session")

    # The roll call of that session, by name: everyone present at once, then one excused.
    go("Séances")
    page.locator("#content a[href$='/attendance']").first.click()
    check("roll call")
    lines = page.locator("table.roll tbody tr").count()
    assert lines > 0
    page.locator("button[name=all]").click()
    page.wait_for_load_state()
    assert _count(url, select(func.count()).select_from(Attendance)
                  .where(Attendance.status == "present")) == lines
    page.locator("table.roll tbody tr").first.locator("button[value=excused]").click()
    page.wait_for_load_state()
    assert page.locator("table.roll tbody tr").first.locator(
        "button[value=excused]").get_attribute("aria-pressed") == "true"
    assert _count(url, select(func.count()).select_from(Attendance)
                  .where(Attendance.status == "present")) == lines - 1
    check("roll taken")

    # What to pay for the year, with its total and its downloads for the finance department.
    go("Indemnités")
    page.fill("#start", "2027-01-01")
    page.fill("#end", "2027-12-31")
    page.locator("#content form[method=get] [type=submit]").click()
    page.wait_for_load_state()
    assert "Total pour" in page.locator("#content").inner_text()
    assert page.locator("a[href*='/admin/indemnities.csv']").is_visible()
    check("indemnity statements")

    # The action plan: created, decided, sent to the council's vote, adopted, followed up.
    go("Actes")
    page.fill("#title", "Plan d'action pour les mobilités")
    page.fill("#on", "2027-01-20")
    page.fill("#summary", "Des propositions pour se déplacer dans la ville.")
    submit("form[action='/admin/acts/']")
    assert notice() == "L'acte est créé."
    act = int(page.url.rstrip("/").rsplit("/", 1)[1])
    check("act created")
    page.goto(f"{server.url}/admin/acts/{act}/texts")
    page.fill("#summary-en", "Proposals to move about the city.")
    page.fill("#full_text-fr", "Article premier : une ligne de bus le dimanche.")
    submit("form[action$='/texts']")
    assert notice() == "Les textes sont enregistrés."
    check("act texts")
    page.goto(f"{server.url}/admin/proposals/{act}")
    for target, day in (("decide", "2027-02-01"), ("transmis", "2027-02-05"),
                        ("adopte", "2027-02-12")):
        form = page.locator(f"form[action$='/move/{target}']")
        form.locator("input[type=date]").fill(day)
        form.locator("[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("p.notice").is_visible(), target
    assert _count(url, select(Proposal.id).where(Proposal.state == "adopte")) == act
    check("act adopted")
    page.goto(f"{server.url}/admin/proposals/{act}/follow-up")
    page.fill("#commitment-title", "Une ligne de bus le dimanche")
    page.fill("#commitment-department", "Direction des mobilités")
    page.fill("#commitment-due_on", "2027-09-01")
    page.locator("form[action$='/commitments'] [type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("p.notice").is_visible()
    check("followed up")

    # The respondents not seated: their personal data erased.
    go("Données personnelles")
    submit("form[action$='/purge']")
    assert "effacées" in notice()
    # On the app's date, before Poitiers' replacement deadline, the reserve keeps only the
    # contact data a replacement needs: the electoral number and the rest are blanked.
    assert _count(url, select(func.count()).select_from(Respondent)
                  .where(Respondent.external_id == Respondent.public_id)) >= 28
    assert _count(url, select(func.count()).select_from(PersonalData)
                  .where(PersonalData.birth_date.is_(None))) >= 28
    check("purged")

    # An account for the secretariat, and an API token shown once.
    go("Comptes")
    page.fill("#username", "secretariat")
    page.fill("#password", "court")
    page.select_option("#role", "secretariat")
    submit("form[action='/admin/accounts/']")
    assert "10" in page.locator("[role=alert]").inner_text()
    check("account refused")
    page.fill("#password", PASSWORD)
    submit("form[action='/admin/accounts/']")
    assert notice() == "Le compte est créé."
    page.locator("#content a", has_text="secretariat").click()
    page.fill("#name", "tableau de bord de la Ville")
    submit("form[action$='/tokens']")
    assert len(page.locator("#new-token").inner_text()) > 20
    check("token issued")

    # The edition closes.
    go("Mandats")
    submit("form[action$='/close']")
    assert notice() == "Le mandat est clos."
    check("mandate closed")

    # The same back office in English, chosen from its header; the choice stays.
    page.locator("nav.admin-languages a[hreflang=en]").click()
    page.wait_for_url("**lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Mandates"
    page.locator("nav.admin-menu a", has_text="What is due").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "What is due"
    page.add_script_tag(content=axe_source)
    problems.extend(("dashboard in English", v) for v in page.evaluate(AXE_RUN, AXE_TAGS)
                    if v["impact"] in BLOCKING_IMPACTS)
    assert problems == []
