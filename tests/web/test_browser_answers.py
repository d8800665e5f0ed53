"""Recruitment in a browser: the letters' codes answered online in French and Dutch, a phone
answer at the desk, the answer rates, the panel drawn from that pool; axe-core on every
page of the way.

A Brussels invitation draw and its letters are made in the app's database, and the
codes read back from the PDF as an invitee reads their letter. Debian's chromium then
answers through ``/answer`` as a person would (typing the code, choosing the answers,
sending), and the secretariat records a phone answer through ``/admin/answers``. The
pool is then filled up to a panel's worth (the paper answers of the other invitees,
imported), and the secretariat draws the panel from it in the back office: starts the
computation, waits for the published lottery, enters the public number, reads the panel.
The tests run in this order, on one server.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from kleroterion.models import DrawEntry, Mandate, Member, Respondent
from kleroterion.services import recruitment
from kleroterion.web import create_app
from sqlalchemy import func, select

from tests.lifecycle.citydata import write_respondents
from tests.web.conftest import in_database, instance_folder
from tests.web.test_access import PASSWORD
from tests.web.test_answer_page import _letters
from tests.web.test_browser import AXE_RUN, AXE_TAGS, BLOCKING_IMPACTS, LiveServer

pytestmark = pytest.mark.browser
TODAY = dt.date(2026, 3, 10)


@pytest.fixture(scope="module")
def brussels(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, list[str]]]:
    with instance_folder(tmp_path_factory.mktemp("instance")):
        app = create_app("brussels", {"SECRET_KEY": "browser", "SESSION_COOKIE_SECURE": False,
                                      "KLEROTERION_TODAY": TODAY})
        codes = _letters(app, tmp_path_factory.mktemp("letters"), "brussels", "panel",
                         "commune", ["Ixelles", "Schaerbeek"])
    server = LiveServer(app)
    yield server, codes
    server.stop()


def _axe(page: Any, axe_source: str, where: str) -> list[tuple[str, Any]]:
    page.add_script_tag(content=axe_source)
    return [(where, v["id"], v["help"]) for v in page.evaluate(AXE_RUN, AXE_TAGS)
            if v["impact"] in BLOCKING_IMPACTS]


def _log_in(page: Any, url: str) -> None:
    page.goto(f"{url}/admin/login")
    page.fill("#username", "secretariat-user")
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url("**/admin/")


def _fill_answer(page: Any, name: str) -> None:
    for fieldset in page.locator("fieldset.choices").all():
        fieldset.locator("input[type=radio]").first.check()
    page.locator("input[name=name]").fill(name)
    page.locator("textarea[name=address]").fill("12 rue de l'Essai, 1050 Ixelles")
    page.locator("input[name=birth_date]").fill("1984-02-29")
    page.locator("input[name=email]").fill("essai@example.org")
    page.locator("input[name=consent]").check()


def _pool(app: Flask) -> int:
    count: int = in_database(app, lambda s: s.scalar(select(func.count()).select_from(
        Respondent)))
    return count


def test_invitees_answer_online_in_french_and_dutch(
        brussels: tuple[LiveServer, list[str]], page: Any, axe_source: str) -> None:
    server, codes = brussels
    problems = []
    page.goto(f"{server.url}/answer")
    assert page.locator("html").get_attribute("lang") == "fr"
    problems += _axe(page, axe_source, "code (fr)")
    page.get_by_label("Votre code personnel").fill(codes[0].lower().replace("-", " "))
    page.get_by_role("button", name="Continuer").click()
    assert page.locator("h2", has_text="Votre réponse").is_visible()
    problems += _axe(page, axe_source, "form (fr)")
    _fill_answer(page, "Prénom Fictive")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    assert page.get_by_role("status").inner_text().startswith("Merci")
    problems += _axe(page, axe_source, "thanks (fr)")
    # The Dutch invitee comes from the QR code's link and reads the page in Dutch.
    page.goto(f"{server.url}/answer?code={codes[1]}&lang=nl")
    assert page.locator("html").get_attribute("lang") == "nl"
    problems += _axe(page, axe_source, "form (nl)")
    _fill_answer(page, "Voornaam Fictief")
    page.get_by_role("button", name="Mijn antwoord versturen").click()
    assert page.get_by_role("status").inner_text().startswith("Bedankt")
    # The same code again: the same refusal as an unknown one, next to the code field.
    page.goto(f"{server.url}/answer?code={codes[1]}&lang=fr")
    assert "n'est pas valable ou a déjà servi" in page.locator("#code-error").inner_text()
    problems += _axe(page, axe_source, "refused code (fr)")
    assert _pool(server.app) == 2
    assert problems == []


def test_the_secretariat_records_a_phone_answer_and_reads_the_rates(
        brussels: tuple[LiveServer, list[str]], page: Any, axe_source: str) -> None:
    server, codes = brussels
    before = _pool(server.app)
    _log_in(page, server.url)
    page.goto(f"{server.url}/admin/answers")
    problems = _axe(page, axe_source, "desk")
    rates = page.get_by_role("table").first
    assert rates.locator("tbody tr").count() == 2  # Ixelles and Schaerbeek
    page.locator("details summary").first.click()
    form = page.locator("details form").first
    form.locator("select[name=channel]").select_option("phone")
    form.locator("input[name=code]").fill(codes[2])
    for fieldset in form.locator("fieldset.choices").all():
        fieldset.locator("input[type=radio]").first.check()
    form.locator("input[name=name]").fill("Appel Fictif")
    form.locator("textarea[name=address]").fill("3 avenue de l'Essai, 1030 Schaerbeek")
    form.locator("input[name=birth_date]").fill("1970-07-14")
    form.locator("input[name=phone]").fill("+32 2 000 00 00")
    form.locator("input[name=consent]").check()
    form.get_by_role("button", name="Enregistrer la réponse").click()
    assert "La réponse est enregistrée" in page.get_by_role("status").inner_text()
    problems += _axe(page, axe_source, "desk after an answer")
    assert _pool(server.app) == before + 1
    answered = sum(int(cell.inner_text()) for cell in
                   page.get_by_role("table").first.locator("tbody tr td:nth-child(3)").all())
    assert answered >= 1
    assert problems == []


def test_the_panel_is_drawn_from_the_answers_pool(
        brussels: tuple[LiveServer, list[str]], page: Any, axe_source: str,
        tmp_path: Path) -> None:
    server, _ = brussels
    app = server.app
    answered = in_database(app, lambda s: [r.public_id for r in s.scalars(select(Respondent))])
    assert len(answered) == 3  # two online, one by phone
    config = app.extensions["kleroterion.city"].config
    group = config.composition.seat_groups[0]
    paper = tmp_path / "paper.csv"
    write_respondents(paper, config, group, rows=group.seats + 7, prefix="papier-")

    def fill(session: Any) -> None:
        mandate = session.scalars(select(Mandate)).one()
        recruitment.import_respondents(session, mandate.id, group.key, paper)

    in_database(app, fill)
    _log_in(page, server.url)
    page.goto(f"{server.url}/admin/draw/{group.key}?lang=en")
    problems = _axe(page, axe_source, "draw (start)")
    page.get_by_role("button", name="Compute and publish the lottery").click()
    public_number = page.get_by_role("textbox", name="Public number")
    public_number.wait_for(timeout=240_000)  # the page follows the computation by itself
    problems += _axe(page, axe_source, "draw (published)")
    public_number.fill("4242")
    page.get_by_role("button", name="Choose the panel").click()
    page.get_by_text("The panel is seated.").wait_for()
    problems += _axe(page, axe_source, "draw (seated)")
    seated = in_database(app, lambda s: [m.respondent.public_id for m in s.scalars(
        select(Member))])
    assert len(seated) == group.seats
    assert all(ident in page.content() for ident in seated)
    # Every answer was in the pool the lottery was drawn from.
    drawn_from = in_database(app, lambda s: set(s.scalars(select(Respondent.public_id).join(
        DrawEntry, DrawEntry.respondent_id == Respondent.id))))
    assert set(answered) <= drawn_from and len(drawn_from) == group.seats + 7 + 3
    assert problems == []
