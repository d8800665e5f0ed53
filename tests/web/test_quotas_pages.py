"""The back office's quotas page and the draw page's "apply this advice" button.

Paris's 16-17 group (``jeunes``, 5 seats, gender: ``femme`` 2-4, ``homme`` 1-3), with
the draw page's fixture (12 respondents). Every refusal shows the page again with a
sentence naming the criterion and value, and changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import session_scope
from kleroterion.models import AuditEntry, Draw, Mandate, MandateQuota
from kleroterion.services import quotas
from kleroterion.services.context import city
from sqlalchemy import func, select

from .test_access import csrf_token, log_in
from .test_panel_draw import GROUP, _factory, _wait
from .test_panel_draw import pool as pool  # the fixture

PAGE = f"/admin/quotas/{GROUP}"
CITY = {("gender", "femme"): (2, 4), ("gender", "homme"): (1, 3)}


def _bounds(app: Flask, mandate: int) -> dict[tuple[str, str], tuple[int, int]]:
    group = next(g for g in city("paris").config.composition.seat_groups if g.key == GROUP)
    with _factory(app)() as session:
        found = quotas.quotas_for(session, session.get(Mandate, mandate), group)
        return {(q.feature, q.value): (q.min, q.max) for q in found}


def _audit(app: Flask, action: str) -> list[dict[str, Any]]:
    with _factory(app)() as session:
        return [json.loads(e.data) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq))]


def _save(client: FlaskClient, lang: str = "en", **bounds: str) -> tuple[int, str]:
    data = {"csrf_token": csrf_token(client, PAGE)}
    data.update({f"min:gender/{k}": v.split(":")[0] for k, v in bounds.items()})
    data.update({f"max:gender/{k}": v.split(":")[1] for k, v in bounds.items()})
    response = client.post(f"{PAGE}/save?lang={lang}", data=data)
    return response.status_code, response.get_data(as_text=True)


def test_the_menu_leads_to_the_page_and_a_save_is_audited(
    client: FlaskClient, app: Flask, pool: int
) -> None:
    log_in(client, "secretariat")
    assert 'href="/admin/quotas/"' in client.get("/admin/?lang=en").get_data(as_text=True)
    assert f'href="{PAGE}"' in client.get("/admin/quotas/?lang=en").get_data(as_text=True)
    page = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert 'name="min:gender/femme" value="2"' in page
    status, _ = _save(client, femme="3:4", homme="1:3")
    assert status == 302
    assert _bounds(app, pool) == {**CITY, ("gender", "femme"): (3, 4)}
    [entry] = _audit(app, "quotas.set")
    assert entry["changes"] == [["gender", "femme", [2, 4], [3, 4]]]
    page = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert 'name="min:gender/femme" value="3"' in page and "changed for this mandate" in page
    reset = client.post(f"{PAGE}/reset", data={"csrf_token": csrf_token(client, PAGE)})
    assert reset.status_code == 302 and _bounds(app, pool) == CITY


def test_refusals_name_the_value_and_change_nothing(
    client: FlaskClient, app: Flask, pool: int
) -> None:
    log_in(client, "secretariat")
    status, page = _save(client, femme="deux:4", homme="1:3")
    assert status == 422 and "the minimum “deux” is not a whole number" in page
    assert 'value="deux"' in page  # what was typed is shown again
    status, page = _save(client, femme="4:3", homme="1:3")
    assert status == 422 and "Gender “Woman”: the minimum 4 is above the maximum 3" in page
    status, page = _save(client, "fr", femme="4:3", homme="1:3")
    assert status == 422
    assert "Genre « Femme » : le minimum 4 est supérieur au maximum 3" in page
    assert "&#39;gender&#39;" not in page and "gender/femme:" not in page
    status, page = _save(client, "fr", femme="4:4", homme="2:3")
    assert status == 422
    assert "Genre : la somme des minimums est de 6, supérieure aux 5 sièges du collège " \
        "« Collège des 16-17 ans »" in page
    without_token = client.post(f"{PAGE}/save", data={"min:gender/femme": "3",
                                                      "max:gender/femme": "4"})
    assert without_token.status_code == 400
    assert _bounds(app, pool) == CITY and _audit(app, "quotas.set") == []
    with _factory(app)() as session:
        assert session.scalar(select(func.count()).select_from(MandateQuota)) == 0


def test_read_only_sees_the_quotas_without_inputs(
    client: FlaskClient, app: Flask, pool: int
) -> None:
    log_in(client, "read-only")
    page = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert "Quotas" in page and "<input type=\"text\"" not in page
    refused = client.post(f"{PAGE}/save", data={"csrf_token": csrf_token(client, PAGE),
                                                 "min:gender/femme": "3"})
    assert refused.status_code == 403 and _bounds(app, pool) == CITY


def test_the_advice_is_applied_in_one_click_and_the_draw_meets_it(
    client: FlaskClient, app: Flask, pool: int
) -> None:
    with session_scope(_factory(app), actor="test") as session:
        session.add(Draw(mandate_id=pool, kind="panel", seat_group=GROUP, algorithm="leximin",
                         seats=5, inputs={}, final=False, state="failed",
                         message="the draw cannot be made:\ngender/femme: maximum 4 → 5\n"
                                 "gender/homme: minimum 1 → 0"))
    log_in(client, "secretariat")
    draw_page = f"/admin/draw/{GROUP}"
    page = client.get(f"{draw_page}?lang=en").get_data(as_text=True)
    assert "Apply this advice to the mandate's quotas" in page
    response = client.post(f"{PAGE}/relax?lang=en",
                           data={"csrf_token": csrf_token(client, draw_page)})
    assert response.status_code == 302 and response.location.endswith(draw_page)
    assert _bounds(app, pool) == {("gender", "femme"): (2, 5), ("gender", "homme"): (0, 3)}
    [entry] = _audit(app, "quotas.relax")
    assert entry["changes"] == [["gender", "femme", [2, 4], [2, 5]],
                                ["gender", "homme", [1, 3], [0, 3]]]
    # The draw started again meets the mandate's quotas.
    started = client.post(f"{draw_page}/start", data={
        "csrf_token": csrf_token(client, draw_page), "algorithm": "leximin", "time_limit": ""})
    assert started.status_code == 302
    assert _wait(client) == "published"
    with _factory(app)() as session:
        draw = session.scalars(select(Draw).where(Draw.state == "published")).one()
        assert draw.inputs["quotas"] == [["gender", "femme", 2, 5], ["gender", "homme", 0, 3]]


def _jeunes_ranges(client: FlaskClient) -> list[str]:
    """The quota ranges the public panel page draws for the 16-17 group's gender chart."""
    import re

    page = client.get("/panel?lang=en").get_data(as_text=True)
    start = page.index('id="chart-jeunes-gender')
    chart = page[start:page.index("</svg>", start)]
    return re.findall(r'class="value">(\d+)–(\d+)<', chart)


def test_the_public_charts_of_a_mandate_show_its_own_quotas(
    client: FlaskClient, app: Flask, pool: int
) -> None:
    """The panel page of a mandate draws the bounds its draws meet (its own where it set
    some), not the city's declaration alone."""
    assert GROUP == "jeunes"
    assert _jeunes_ranges(client) == [("2", "4"), ("1", "3")]
    with session_scope(_factory(app), actor="test") as session:
        quotas.set_quotas(session, pool, GROUP, {("gender", "femme"): (3, 4)})
    assert _jeunes_ranges(client) == [("3", "4"), ("1", "3")]
