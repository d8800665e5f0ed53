"""Two secretariat users on one attendance sheet, or a tool and a user: the second never
silently overwrites the first (issue 14, lost updates)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from kleroterion.models import Attendance
from sqlalchemy import select

from .conftest import in_database
from .test_access import api_token, csrf_token, log_in
from .test_backoffice import demo_meeting, demo_template  # noqa: F401 (fixtures)

OTHER = {"present": "absent", "excused": "absent", "absent": "present", "": "present"}


def _grid(client: FlaskClient, url: str) -> dict[str, str]:
    """The form as a browser would send it unchanged: each line's checked value and shown."""
    page = client.get(url + "?lang=en").get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, url)}
    for ident, value in re.findall(r'name="shown-(\d+)" value="(\w*)"', page):
        data[f"shown-{ident}"] = value
        if value:
            data[f"member-{ident}"] = value
    return data


def _status(app: Flask, meeting: int, member: int) -> str | None:
    return in_database(app, lambda s: s.scalar(select(Attendance.status).where(
        Attendance.session_id == meeting, Attendance.member_id == member)))


def test_a_second_user_does_not_overwrite_the_first(app: Flask,
                                                    demo_meeting: int) -> None:  # noqa: F811
    url = f"/admin/sessions/{demo_meeting}/attendance"
    first, second = app.test_client(), app.test_client()
    log_in(first, "secretariat")
    log_in(second, "administrator")
    seen_first, seen_second = _grid(first, url), _grid(second, url)
    members = [int(key.removeprefix("shown-")) for key in seen_first if key.startswith("shown-")]
    one, two = members[:2]
    before = seen_first[f"shown-{one}"]
    changed = OTHER[before]
    assert first.post(url, data={**seen_first, f"member-{one}": changed}).status_code == 302

    # The second page still shows the old value of line one; it changes line two only.
    response = second.post(url, data={**seen_second,
                                      f"member-{two}": OTHER[seen_second[f"shown-{two}"]]})
    assert response.status_code == 302
    assert _status(app, demo_meeting, one) == changed  # the first user's change stands

    # Changing line one from what it showed is a conflict: nothing saved, the line marked.
    third = OTHER[changed] if OTHER[changed] != before else "excused"
    response = second.post(url + "?lang=en", data={**seen_second, f"member-{one}": third,
                                                    f"member-{two}": "excused"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else recorded" in page and f'id="member-{one}-error"' in page
    assert f'name="member-{one}" value="{changed}" aria-pressed="true"' in page
    assert _status(app, demo_meeting, one) == changed
    french = second.post(url + "?lang=fr", data={**seen_second, f"member-{one}": third})
    assert "Quelqu&#39;un d&#39;autre a enregistré « " in french.get_data(as_text=True)


def test_an_api_client_names_what_it_read(client: FlaskClient, app: Flask,
                                          demo_meeting: int) -> None:  # noqa: F811
    url = f"/admin/sessions/{demo_meeting}/attendance"
    log_in(client, "secretariat")
    shown = _grid(client, url)
    member = next(int(k.removeprefix("shown-")) for k, v in shown.items()
                  if k.startswith("shown-") and v)
    now = shown[f"shown-{member}"]
    headers = {"Authorization": f"Bearer {api_token(app, 'secretariat')}"}
    api = f"/api/sessions/{demo_meeting}/attendance"
    stale = client.post(api, headers=headers, json={"attendance": [
        {"member": member, "status": OTHER[now], "expected": OTHER[now]}]})
    assert stale.status_code == 409 and "changed by someone else" in stale.get_json()["message"]
    assert _status(app, demo_meeting, member) == now
    fresh = client.post(api, headers=headers, json={"attendance": [
        {"member": member, "status": OTHER[now], "expected": now}]})
    assert fresh.status_code == 200
    assert _status(app, demo_meeting, member) == OTHER[now]
