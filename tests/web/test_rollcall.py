"""The roll call of a session: names for the secretariat, one click per line, all present,
the sign-in PDF, the sheet's template and its import, and the attendance service's
refusals (a future session, a member outside the session's body) the same from the CLI,
the API and the web."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import make_engine, make_sessionmaker, session_scope
from kleroterion.models import AssemblySession, Attendance, BodyMembership, Member
from kleroterion.services import attendance, sessions
from kleroterion.services.errors import NotAllowed
from kleroterion.web.database import database_url
from pypdf import PdfReader
from sqlalchemy import func, select

from .test_access import csrf_token, log_in
from .test_backoffice import TODAY, demo_meeting, demo_template  # noqa: F401  (fixtures)


def _names(app: Flask, meeting: int) -> list[tuple[int, str | None, str]]:
    engine = make_engine(database_url(app))
    with session_scope(make_sessionmaker(engine)) as session:
        lines = [(line.member.id, line.name, line.public_id)
                 for line in attendance.roll(session, meeting)]
    engine.dispose()
    return lines


def _count(app: Flask, meeting: int) -> dict[str, int]:
    engine = make_engine(database_url(app))
    with session_scope(make_sessionmaker(engine)) as session:
        found: dict[str, int] = {status: count for status, count in session.execute(
            select(Attendance.status, func.count()).where(Attendance.session_id == meeting)
            .group_by(Attendance.status))}
    engine.dispose()
    return found


def _future_session(app: Flask) -> int:
    engine = make_engine(database_url(app))
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        first = session.scalars(select(AssemblySession)).first()
        assert first is not None
        meeting = sessions.add_session(session, first.mandate_id, first.kind,
                                       TODAY + dt.timedelta(days=7))
        ident = meeting.id
    engine.dispose()
    return ident


def test_the_sheet_shows_names_counts_and_records_one_click_per_line(
    client: FlaskClient, app: Flask, demo_meeting: int  # noqa: F811
) -> None:
    log_in(client, "secretariat")
    url = f"/admin/sessions/{demo_meeting}/attendance"
    lines = _names(app, demo_meeting)
    page = client.get(url + "?lang=fr").get_data(as_text=True)
    named = [name for _, name, _ in lines if name]
    assert named and all(name in page for name in named[:5])
    assert "Présents :" in page or "Présents :" in page
    token = csrf_token(client, url)
    member = lines[0][0]
    shown = {f"shown-{ident}": "" for ident, _, _ in lines}
    before = _count(app, demo_meeting)
    response = client.post(url, data={"csrf_token": token, **shown,
                                      **{k: v for k, v in _shown(page).items()},
                                      f"member-{member}": "excused"})
    assert response.status_code == 302
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert re.search(rf'name="member-{member}" value="excused" aria-pressed="true"', page)
    after = _count(app, demo_meeting)
    assert sum(after.values()) >= sum(before.values())


def _shown(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(shown-\d+)" value="([a-z]*)"', page))


def test_all_present_records_every_line_not_yet_taken_and_keeps_the_others(
    client: FlaskClient, app: Flask, demo_meeting: int  # noqa: F811
) -> None:
    log_in(client, "secretariat")
    meeting = _future_session(app)
    app.config["KLEROTERION_TODAY"] = TODAY + dt.timedelta(days=7)
    url = f"/admin/sessions/{meeting}/attendance"
    lines = _names(app, meeting)
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert f"not yet taken: {len(lines)} (of {len(lines)} expected)" in page
    token = csrf_token(client, url)
    first = lines[0][0]
    assert client.post(url, data={"csrf_token": token, **_shown(page),
                                  f"member-{first}": "absent"}).status_code == 302
    assert client.post(url, data={"csrf_token": token, "all": "present"}).status_code == 302
    assert _count(app, meeting) == {"absent": 1, "present": len(lines) - 1}
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "members recorded present" in page and "not yet taken: 0" in page


def test_a_future_session_is_refused_the_same_from_the_web_the_api_and_the_cli(
    client: FlaskClient, app: Flask, demo_meeting: int  # noqa: F811
) -> None:
    meeting = _future_session(app)
    member = _names(app, meeting)[0][0]
    log_in(client, "secretariat")
    url = f"/admin/sessions/{meeting}/attendance"
    page = client.get(url + "?lang=fr").get_data(as_text=True)
    assert "dans le futur" in page or "à venir" in page
    assert 'name="member-' not in page  # nothing to click
    token = csrf_token(client, url)
    response = client.post(url + "?lang=fr", data={"csrf_token": token,
                                                   f"member-{member}": "present"})
    assert response.status_code == 422
    assert "dans le futur" in response.get_data(as_text=True)
    response = client.post(url + "?lang=fr", data={"csrf_token": token, "all": "present"})
    assert response.status_code == 422
    assert _count(app, meeting) == {}
    # The service says the same to every caller; the CLI prints it.
    engine = make_engine(database_url(app))
    with pytest.raises(NotAllowed, match="in the future"), \
            session_scope(make_sessionmaker(engine)) as session:
        attendance.record_attendance(session, meeting, member, "present", today=TODAY)
    engine.dispose()


def test_a_member_outside_the_session_s_body_is_refused(
    client: FlaskClient, app: Flask, demo_meeting: int  # noqa: F811
) -> None:
    engine = make_engine(database_url(app))
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        seat = session.scalars(select(BodyMembership).where(
            BodyMembership.member_id.is_not(None), BodyMembership.left_on.is_(None),
            BodyMembership.joined_on <= TODAY)).first()
        assert seat is not None, "the demo composes its bodies"
        first = session.scalars(select(AssemblySession)).first()
        assert first is not None
        meeting = sessions.add_session(session, seat.mandate_id, first.kind, TODAY,
                                       body_key=seat.body_key).id
        inside = {line.member.id for line in attendance.roll(session, meeting)}
        assert seat.member_id in inside
        outsider = session.scalars(select(Member).where(
            Member.mandate_id == seat.mandate_id, Member.id.not_in(inside),
            Member.status != "withdrawn")).first()
        assert outsider is not None
        outsider_id = outsider.id
        with pytest.raises(NotAllowed, match="does not sit in"):
            attendance.record_attendance(session, meeting, outsider_id, "present",
                                         today=TODAY)
    engine.dispose()
    log_in(client, "secretariat")
    url = f"/admin/sessions/{meeting}/attendance"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert f'name="member-{outsider_id}"' not in page  # not on the sheet
    status, page = _import(client, meeting, f"membre;statut\n{outsider_id};présent\n")
    assert status == 422 and "ne siège pas" in page
    assert _count(app, meeting) == {}


def test_the_sign_in_sheet_is_a_pdf_with_every_name(
    client: FlaskClient, app: Flask, demo_meeting: int  # noqa: F811
) -> None:
    log_in(client, "secretariat")
    response = client.get(f"/admin/sessions/{demo_meeting}/sign-in.pdf?lang=fr")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Feuille d’émargement" in text or "Feuille d'émargement" in text
    lines = _names(app, demo_meeting)
    assert all((name or public_id) in text.replace("\n", " ")
               for _, name, public_id in lines[:10])


def test_the_sign_in_sheet_and_the_template_are_the_secretariat_s(
    client: FlaskClient, demo_meeting: int  # noqa: F811
) -> None:
    log_in(client, "read-only")
    assert client.get(f"/admin/sessions/{demo_meeting}/sign-in.pdf").status_code == 403
    assert client.get(
        f"/admin/sessions/{demo_meeting}/attendance-template.csv").status_code == 403


def _import(client: FlaskClient, meeting: int, text: str) -> tuple[int, str]:
    url = f"/admin/sessions/{meeting}/attendance"
    token = csrf_token(client, url)
    response = client.post(url + "/import?lang=fr", data={
        "csrf_token": token, "upload": (io.BytesIO(text.encode("utf-8")), "presences.csv"),
    }, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def test_the_template_filled_in_is_imported_by_public_id(
    client: FlaskClient, app: Flask, demo_meeting: int  # noqa: F811
) -> None:
    log_in(client, "secretariat")
    meeting = _future_session(app)
    app.config["KLEROTERION_TODAY"] = TODAY + dt.timedelta(days=7)
    template = client.get(f"/admin/sessions/{meeting}/attendance-template.csv?lang=fr")
    text = template.get_data(as_text=True)
    assert text.startswith("\ufeffidentifiant;nom;statut\r\n")
    rows = text.lstrip("\ufeff").splitlines()
    filled = "\n".join([rows[0]] + [row[:-1] + ";présent" if row.endswith(";") else row
                                    for row in rows[1:]]) + "\n"
    status, _ = _import(client, meeting, filled)
    assert status == 302
    assert _count(app, meeting) == {"present": len(rows) - 1}


@pytest.mark.parametrize(("sheet", "said"), [
    ("identifiant;statut;commentaire\nRX;présent;x\n", "commentaire"),
    ("identifiant;statut\nR-NOT-THERE;présent\n", "R-NOT-THERE"),
    ("identifiant;statut\n{first};peut-être\n", "peut-être"),
    ("nom;statut\nQuelqu'un;présent\n", "identifiant"),
])
def test_a_bad_sheet_is_refused_whole_and_named(
    client: FlaskClient, app: Flask, demo_meeting: int, sheet: str,  # noqa: F811
    said: str,
) -> None:
    log_in(client, "secretariat")
    first = _names(app, demo_meeting)[0][2]
    before = _count(app, demo_meeting)
    status, page = _import(client, demo_meeting, sheet.format(first=first))
    assert status == 422
    assert said in page.replace("&#39;", "'") and "Rien n" in page.replace("&#39;", "'")
    assert _count(app, demo_meeting) == before


def test_the_cli_refuses_a_future_session_with_the_service_s_sentence(
    app: Flask, demo_meeting: int, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    from kleroterion.cli import main

    meeting = _future_session(app)
    member = _names(app, meeting)[0][0]
    monkeypatch.setenv("KLEROTERION_TODAY", TODAY.isoformat())
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", database_url(app))
    result = CliRunner().invoke(main, ["attendance", "record", str(meeting), str(member),
                                       "present"])
    assert result.exit_code != 0
    assert "in the future: attendance is taken on the day of the session or after" \
        in result.output
    assert _count(app, meeting) == {}


def test_a_read_only_account_sees_the_roll_by_public_id_never_by_name(
    client: FlaskClient, app: Flask, demo_meeting: int  # noqa: F811
) -> None:
    lines = _names(app, demo_meeting)
    named = [(name, public_id) for _, name, public_id in lines if name]
    assert named
    url = f"/admin/sessions/{demo_meeting}/attendance?lang=fr"
    log_in(client, "read-only")
    page = client.get(url).get_data(as_text=True)
    assert all(public_id in page for _, public_id in named)
    assert not any(name in page for name, _ in named)
    assert "sign-in.pdf" not in page and "attendance-template.csv" not in page
    assert client.get(f"/admin/sessions/{demo_meeting}/sign-in.pdf").status_code == 403
    statements = client.get("/admin/indemnities?lang=fr&start=2026-01-01&end=2026-11-23")
    assert not any(name in statements.get_data(as_text=True) for name, _ in named)
    log_in(client, "secretariat")
    page = client.get(url).get_data(as_text=True)
    assert all(name in page for name, _ in named[:5]) and "sign-in.pdf" in page
