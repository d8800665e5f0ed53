"""The back office's members and their public names, and the respondents upload's refusals.

A Paris promotion with its roll seat group drawn (the lifecycle tests' stand-in
engine): read-only accounts see the members and the names they are shown under,
the secretariat records and withdraws a consent, and the public panel page follows.
A refused upload lists every problem in a table, capped, and imports nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import upgrade
from kleroterion.models import Member, Respondent
from kleroterion.services import mandates, members, panel, recruitment
from kleroterion.services.context import city
from kleroterion.web.database import database_url
from kleroterion.web.respondent_pages import PROBLEMS_SHOWN
from sqlalchemy import func, select

from tests.lifecycle import engine_standin
from tests.lifecycle.citydata import write_respondents

from .conftest import in_database
from .test_access import csrf_token, log_in

TODAY = dt.date(2026, 11, 23)
GROUP = "liste-electorale"



@pytest.fixture
def seated(app: Flask, tmp_path: Path) -> list[int]:
    """A Paris promotion with its roll seat group drawn; the members' ids."""
    upgrade(database_url(app))
    app.config["KLEROTERION_TODAY"] = TODAY
    config = city("paris").config
    path = tmp_path / "roll.csv"
    write_respondents(path, config, config.composition.seat_groups[0], rows=100)

    def build(session: Any) -> list[int]:
        mandate = mandates.open_mandate(session, "paris", "promotion 2026", dt.date(2026, 4, 1))
        recruitment.import_respondents(session, mandate.id, GROUP, path)
        panel.draw_panel(session, mandate.id, GROUP, dt.date(2026, 3, 1), seed=5,
                         engine=engine_standin.ENGINE)
        return [m.id for m in members.list_members(session, mandate.id)]

    ids: list[int] = in_database(app, build)
    return ids


def _post(client: FlaskClient, url: str, data: dict[str, str]) -> tuple[int, str]:
    token = csrf_token(client, url.rsplit("/public-name", 1)[0])
    response = client.post(f"{url}?lang=en", data={"csrf_token": token, **data})
    return response.status_code, response.get_data(as_text=True)


def _version(app: Flask, member_id: int) -> str:
    return str(in_database(app, lambda s: s.get(Member, member_id).version))


def _public_panel(client: FlaskClient) -> str:
    return client.get("/panel?lang=en").get_data(as_text=True)


def test_a_consent_recorded_in_the_back_office_names_the_member_on_the_panel_page(
    client: FlaskClient, app: Flask, seated: list[int]
) -> None:
    member = seated[3]
    log_in(client, "secretariat")
    assert f"/admin/members/{member}" in client.get("/admin/members?lang=en").get_data(
        as_text=True)
    assert "80 members chose not to be named." in _public_panel(client)
    status, _ = _post(client, f"/admin/members/{member}/public-name", {
        "consent-public_name": "  Marie   D. ", "consent-on": "2026-04-02",
        "consent-expected_version": _version(app, member)})
    assert status == 302
    page = client.get(f"/admin/members/{member}?lang=en").get_data(as_text=True)
    assert "Named on the public panel page as Marie D. since 2 April 2026." in page
    public = _public_panel(client)
    assert re.search(r'<ul class="public-names"[^>]*>\s*<li>Marie D\.</li>\s*</ul>', public)
    assert "79 members chose not to be named." in public
    # The JSON API leaves public names out, deliberately (see kleroterion.web.api).
    for url in ("/api/composition", "/api/mandate", "/api/city", "/api/draws"):
        assert "Marie D." not in client.get(url).get_data(as_text=True), url

    status, _ = _post(client, f"/admin/members/{member}/public-name/withdraw", {
        "withdraw-on": "2026-05-01", "withdraw-expected_version": _version(app, member)})
    assert status == 302
    assert "Marie D." not in _public_panel(client)
    assert "80 members chose not to be named." in _public_panel(client)


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Enter the name the member chose to be shown under."),
    ("Marie\u202eD.", "Use letters, digits, spaces and punctuation only."),
    ("M" * 61, "At most 60 characters."),
])
def test_a_bad_name_re_renders_with_what_was_typed_and_the_message_at_the_field(
    client: FlaskClient, app: Flask, seated: list[int], typed: str, message: str
) -> None:
    member = seated[0]
    log_in(client, "secretariat")
    status, page = _post(client, f"/admin/members/{member}/public-name", {
        "consent-public_name": typed, "consent-on": "2026-04-02",
        "consent-expected_version": _version(app, member)})
    assert status == 422
    assert 'id="consent-public_name-error"' in page and message in page
    assert f'value="{typed}"' in page or not typed
    assert in_database(app, lambda s: s.get(Member, member).public_name_consent_on) is None


def test_a_date_out_of_the_mandate_and_a_stale_page_are_refused(
    client: FlaskClient, app: Flask, seated: list[int]
) -> None:
    member = seated[0]
    log_in(client, "secretariat")
    version = _version(app, member)
    status, page = _post(client, f"/admin/members/{member}/public-name", {
        "consent-public_name": "Sacha", "consent-on": "2030-01-01",
        "consent-expected_version": version})
    assert status == 422 and 'id="consent-on-error"' in page and "must fall between" in page
    assert 'value="Sacha"' in page
    in_database(app, lambda s: members.confirm(s, member, dt.date(2026, 4, 1)))
    status, page = _post(client, f"/admin/members/{member}/public-name", {
        "consent-public_name": "Sacha", "consent-on": "2026-04-02",
        "consent-expected_version": version})
    assert status == 409 and "Someone else changed this member" in page
    assert "Sacha" not in _public_panel(client)


def test_read_only_accounts_see_the_names_but_no_form(
    client: FlaskClient, app: Flask, seated: list[int]
) -> None:
    member = seated[1]
    in_database(app, lambda s: members.give_name_consent(s, member, "Noé K.", dt.date(2026, 4, 2)))
    log_in(client, "read-only")
    listing = client.get("/admin/members?lang=en").get_data(as_text=True)
    assert "Noé K." in listing and listing.count("not named") == len(seated) - 1
    page = client.get(f"/admin/members/{member}?lang=en").get_data(as_text=True)
    assert "Noé K." in page and "<form method=\"post\" action=\"/admin/members" not in page
    assert client.get("/admin/members/999999").status_code == 404
    assert client.post(f"/admin/members/{member}/public-name/withdraw").status_code in (
        400, 403)


def test_a_withdrawn_member_leaves_the_panel_page(
    client: FlaskClient, app: Flask, seated: list[int]
) -> None:
    member = seated[2]

    def consent_then_leave(session: Any) -> None:
        members.give_name_consent(session, member, "Alix P.", dt.date(2026, 4, 2))
        members.withdraw(session, member, dt.date(2026, 5, 2), "moved away")

    in_database(app, consent_then_leave)
    public = _public_panel(client)
    assert "Alix P." not in public and "79 members chose not to be named." in public


# --- the respondents upload ---------------------------------------------------------

HEADER = "id,gender,age,arrondissement,diploma,nom\n"


def _upload(client: FlaskClient, content: bytes) -> tuple[int, str]:
    token = csrf_token(client, "/admin/respondents")
    response = client.post("/admin/respondents?lang=en", data={
        "csrf_token": token, "seat_group": GROUP,
        "upload": (io.BytesIO(content), "repondants.csv"),
    }, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def _respondents(app: Flask) -> int:
    return int(in_database(app, lambda s: s.scalar(select(func.count()).select_from(Respondent))))


def _rows(page: str) -> list[tuple[str, str, str, str, str]]:
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    cells = r"<td>(.*?)</td>"
    return re.findall(rf'<th scope="row">(.*?)</th>\s*{cells}\s*{cells}\s*{cells}\s*'
                      r'<td>(.*?)</td>', body, re.S)


def test_every_refused_line_is_shown_with_its_content_column_value_and_reason(
    client: FlaskClient, app: Flask, seated: list[int]
) -> None:
    log_in(client, "secretariat")
    before = _respondents(app)
    lines = [HEADER.strip(), "N1,femme,30-44,11e,bac,Une Personne",
             "N2,dragon,30-44,11e,bac,Deux Personne", "N1,homme,30-44,11e,licorne,Trois",
             "", "N4,homme,30-44"]
    status, page = _upload(client, ("\n".join(lines) + "\n").encode())
    assert status == 422
    assert "repondants.csv has 4 problems; nothing was imported." in page
    assert "3 lines are refused." in page
    rows = _rows(page)
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("3", "2 (gender)", "<code>dragon</code>"),
        ("4", "1 (id)", "<code>N1</code>"),
        ("4", "5 (diploma)", "<code>licorne</code>"),
        ("6", "", ""),
    ]
    assert rows[0][1] == "<code>N2,dragon,30-44,11e,bac,Deux Personne</code>"
    assert "the id is already on line 2" in rows[1][4]
    assert "accepted: femme, homme" in rows[0][4]
    assert "the row has 3 fields but the header has 6" in rows[3][4]
    assert "problems are shown" not in page
    assert _respondents(app) == before


def test_a_file_with_very_many_problems_shows_the_first_ones_and_counts_the_rest(
    client: FlaskClient, app: Flask, seated: list[int]
) -> None:
    log_in(client, "secretariat")
    before = _respondents(app)
    bad = 2034
    text = HEADER + "".join(f"M{n},martienne,30-44,11e,bac,X\n" for n in range(bad))
    status, page = _upload(client, text.encode())
    assert status == 422
    assert "repondants.csv has 2,034 problems" in page
    assert len(_rows(page)) == PROBLEMS_SHOWN
    assert (f"The first {PROBLEMS_SHOWN} problems are shown, and "
            f"{bad - PROBLEMS_SHOWN:,} more.") in page
    assert _respondents(app) == before


def test_a_latin1_semicolon_file_is_shown_as_written(
    client: FlaskClient, app: Flask, seated: list[int]
) -> None:
    log_in(client, "secretariat")
    before = _respondents(app)
    text = "id;gender;age;arrondissement;diploma;nom\r\nL1;femme;âgée;11e;bac;Hélène Œuvré\r\n"
    status, page = _upload(client, text.encode("cp1252"))
    assert status == 422
    rows = _rows(page)
    assert [(r[0], r[2], r[3]) for r in rows] == [("2", "3 (age)", "<code>âgée</code>")]
    assert rows[0][1] == "<code>L1;femme;âgée;11e;bac;Hélène Œuvré</code>"
    assert _respondents(app) == before
    good = text.replace("âgée", "30-44")
    assert _upload(client, good.encode("cp1252"))[0] == 302
    assert _respondents(app) == before + 1


def test_a_file_level_refusal_is_one_row(client: FlaskClient, app: Flask,
                                         seated: list[int]) -> None:
    log_in(client, "secretariat")
    status, page = _upload(client, b"")
    assert status == 422 and "the file is empty" in page
    assert _rows(page)[0][0] == "whole file"
