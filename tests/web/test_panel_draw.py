"""The back office's panel draw, from the start button to the seated panel, and its public record.

A small pool (Paris' 16-17 group: 5 seats, 12 respondents) keeps exact LEXIMIN to a
second, so the worker thread really computes and the tests wait for it through the
page's own status endpoint.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import time
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.city.quotas import group_quotas
from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
from kleroterion.models import Draw, Member, PersonalData
from kleroterion.services import audit, mandates, panel, recruitment
from kleroterion.services.context import city
from kleroterion.sortition import lottery
from kleroterion.sortition.uniform import verify_uniform
from kleroterion.web.database import database_url
from sqlalchemy import select

from tests.lifecycle.citydata import write_respondents

from .test_access import csrf_token, log_in

TODAY = dt.date(2025, 9, 15)
GROUP = "jeunes"
PAGE = f"/admin/draw/{GROUP}"


def _factory(app: Flask):  # type: ignore[no-untyped-def]
    return make_sessionmaker(make_engine(database_url(app)))


@pytest.fixture
def pool(app: Flask, tmp_path: Path) -> int:
    """A Paris promotion with 12 respondents in its 16-17 group; the mandate's id."""
    upgrade(database_url(app))
    app.config["KLEROTERION_TODAY"] = TODAY
    app.config["KLEROTERION_LOTTERY_ROOT"] = str(tmp_path / "lotteries")
    config = city("paris").config
    seat = next(g for g in config.composition.seat_groups if g.key == GROUP)
    path = tmp_path / "jeunes.csv"
    write_respondents(path, config, seat, rows=12)
    factory = _factory(app)
    with session_scope(factory, actor="test") as session:
        mandate = mandates.open_mandate(session, "paris", "promotion 2025", dt.date(2025, 9, 1))
        recruitment.import_respondents(session, mandate.id, GROUP, path)
        ident = mandate.id
    return ident


@pytest.fixture
def published(app: Flask, pool: int, tmp_path: Path) -> int:
    """The 16-17 group's lottery published, awaiting its number; the draw's id."""
    with session_scope(_factory(app), actor="test") as session:
        return int(panel.publish_panel(session, pool, GROUP, tmp_path / "lotteries").id)


def _wait(client: FlaskClient, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = client.get(f"{PAGE}/status.json").get_json()["state"]
        if state != "running":
            return str(state)
        time.sleep(0.2)
    raise AssertionError("the background draw did not finish")


def _post(client: FlaskClient, url: str, **data: str) -> tuple[int, str]:
    response = client.post(f"{url}?lang=en", data={"csrf_token": csrf_token(client, PAGE),
                                                   **data})
    return response.status_code, response.get_data(as_text=True)


def test_a_draw_from_the_start_button_to_the_seated_panel(
    client: FlaskClient, app: Flask, pool: int
) -> None:
    log_in(client, "secretariat")
    assert f'href="{PAGE}"' in client.get("/admin/draws/?lang=en").get_data(as_text=True)
    page = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert "Compute and publish the lottery" in page and '<option selected value="leximin">' in page

    started = time.monotonic()
    status, _ = _post(client, f"{PAGE}/start", algorithm="leximin", time_limit="")
    assert status == 302 and time.monotonic() - started < 5  # the request returns at once
    assert _wait(client) == "published"

    page = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    with _factory(app)() as session:
        draw = session.scalars(select(Draw)).one()
    assert draw.state == "published" and draw.panels_digest in page
    assert f"kleroterion verify {Path(draw.lottery_folder).name} --digest" in page
    assert 'http-equiv="refresh"' not in page and "Choose the panel" in page

    download = client.get(f"{PAGE}/lottery.zip")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        names = sorted(Path(name).name for name in archive.namelist())
        text = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    assert names == sorted([*panel.FOLDER_FILES, audit.ANCHOR_FILE])
    with _factory(app)() as session:
        personal = [p.name for p in session.scalars(select(PersonalData))]
    assert personal and not any(name and name in text for name in personal)

    status, _ = _post(client, f"{PAGE}/choose", public_number="2718")
    assert status == 302
    page = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert "The panel is seated." in page and "Public number 2718" in page
    with _factory(app)() as session:
        seated = sorted(m.public_id for m in session.scalars(select(Member)))
    folder = Path(app.config["KLEROTERION_LOTTERY_ROOT"]) / draw.lottery_folder
    chosen = lottery.load(folder).panels[718]
    assert seated == sorted(chosen) and all(ident in page for ident in seated)
    assert not any(name and name in page for name in personal)
    assert lottery.verify(folder, digest=draw.panels_digest, number=2718).ok


def test_a_bad_number_re_renders_with_the_message_next_to_the_field(
    client: FlaskClient, app: Flask, published: int
) -> None:
    log_in(client, "secretariat")
    status, page = _post(client, f"{PAGE}/choose", public_number="42x")
    assert status == 422
    assert 'id="public_number-error"' in page and "&#39;42x&#39; is not a whole number" in page
    assert 'aria-describedby="public_number-hint public_number-error"' in page
    assert 'value="42x"' in page
    status, page = _post(client, f"{PAGE}/choose", public_number="")
    assert status == 422 and "Enter the public number." in page
    with _factory(app)() as session:
        assert session.scalars(select(Member)).first() is None


def test_the_progress_page_refreshes_without_javascript(
    client: FlaskClient, app: Flask, pool: int
) -> None:
    with session_scope(_factory(app), actor="test") as session:
        draw = panel.start_draw(session, pool, GROUP)
        panel.record_progress(session, draw.id, "leximin", 0.4)
    log_in(client, "read-only")
    page = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    # The engine fills 85 % of the bar: rounding and publishing come after it.
    assert 'role="status" aria-live="polite"' in page and "34% done" in page
    assert 'value="34"' in page and "draw-progress.js" in page
    assert "Computing the fairest distribution." in page and "leximin" not in page.lower()
    assert client.get(f"{PAGE}/status.json").get_json() == {
        "state": "running", "stage": "leximin", "fraction": 0.4, "percent": 34,
        "words": "Computing the fairest distribution."}
    log_in(client, "secretariat")
    status, page = _post(client, f"{PAGE}/start", algorithm="leximin")
    assert status == 422 and "is already running" in page


def test_an_interrupted_draw_shows_as_failed_and_may_start_again(
    client: FlaskClient, app: Flask, pool: int
) -> None:
    with session_scope(_factory(app), actor="test") as session:
        draw = panel.start_draw(session, pool, GROUP)
        draw.heartbeat_at = draw.heartbeat_at - panel.STALE_AFTER * 2
    log_in(client, "secretariat")
    page = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert "The last computation failed" in page and "interrupted" in page
    assert "Compute and publish the lottery" in page


def test_infeasible_quotas_show_the_engine_relaxation(
    client: FlaskClient, app: Flask, tmp_path: Path
) -> None:
    upgrade(database_url(app))
    app.config["KLEROTERION_TODAY"] = TODAY
    app.config["KLEROTERION_LOTTERY_ROOT"] = str(tmp_path / "lotteries")
    composition = city("paris").config.composition
    seat = next(g for g in composition.seat_groups if g.key == GROUP)
    quota = group_quotas(composition, seat)[0]  # everyone has the first value: too many
    path = tmp_path / "same.csv"
    path.write_text("id,gender,nom\n" + "".join(
        f"S{n},{quota.value},Personne {n}\n" for n in range(12)), encoding="utf-8")
    with session_scope(_factory(app), actor="test") as session:
        mandate = mandates.open_mandate(session, "paris", "promotion 2025", dt.date(2025, 9, 1))
        recruitment.import_respondents(session, mandate.id, GROUP, path)
    log_in(client, "secretariat")
    assert _post(client, f"{PAGE}/start", algorithm="leximin")[0] == 302
    assert _wait(client) == "failed"
    page = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert "The last computation failed" in page and "Traceback" not in page
    # The engine's smallest relaxation, in words, with the criterion's and value's labels.
    label = next(f for f in composition.features if f.key == quota.feature).label
    lines = re.findall(r"<li>([^<]*(?:raise the maximum|lower the minimum)[^<]*)</li>", page)
    assert lines and all(line.startswith(label["en"]) for line in lines)
    assert "→" not in page and f"{quota.feature}/" not in page
    french = client.get(f"{PAGE}?lang=fr").get_data(as_text=True)
    assert re.search(r"(relever le maximum|abaisser le minimum) de \d+ à \d+ sièges", french)


def test_read_only_accounts_see_the_state_but_no_forms(
    client: FlaskClient, published: int
) -> None:
    log_in(client, "read-only")
    page = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert "The published lottery" in page and "The lottery awaits its public number." in page
    assert "<form" not in page.split('id="content"')[1]  # the logout form is above
    token = csrf_token(client, "/admin/")
    for action in ("start", "choose"):
        response = client.post(f"{PAGE}/{action}", data={"csrf_token": token,
                                                           "public_number": "1"})
        assert response.status_code == 403
    assert client.get("/admin/draw/no-such-group").status_code == 404


def test_the_public_page_and_api_show_the_verifiable_draw(
    client: FlaskClient, app: Flask, published: int, tmp_path: Path
) -> None:
    factory = _factory(app)
    with factory() as session:
        ident = published
        digest = session.get(Draw, ident).panels_digest  # type: ignore[union-attr]
    page = client.get("/draw?lang=en").get_data(as_text=True)
    assert digest in page and "the public number has not been drawn yet" in page
    # The versions to install to re-derive the panels one by one: this engine's.
    engine = lottery.engine()
    source = f"http://localhost/source/kleroterion-{engine['version']}.tar.gz"
    assert f"<code>pip install {source} highspy=={engine['highspy']}</code>" in page
    served = client.get(source.removeprefix("http://localhost"))
    assert served.status_code == 200 and served.mimetype == "application/gzip"
    with session_scope(factory, actor="test") as session:
        panel.choose_panel(session, ident, "123456", TODAY,
                           Path(app.config["KLEROTERION_LOTTERY_ROOT"]))
    page = client.get("/draw?lang=en").get_data(as_text=True)
    assert "Public number:" in page and "123456" in page
    assert "was entered after the list of panels was published" in page
    assert f'href="/draw/{ident}/lottery.zip"' in page
    download = client.get(f"/draw/{ident}/lottery.zip")  # anonymous
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        archive.extractall(tmp_path / "public")
    folder = next((tmp_path / "public").iterdir())
    report = lottery.verify(folder, digest=digest)
    assert report.ok and report.number == 123456
    [record] = client.get("/api/draws").get_json()
    assert record["state"] == "chosen" and record["list_digest"] == digest
    assert record["published_at"] <= record["chosen_at"]
    assert record["files"]["panels.csv"] == json.loads((folder / "manifest.json").read_text(
        encoding="utf-8"))["list_digest"]
    assert record["lottery_url"] == f"/draw/{ident}/lottery.zip"
    assert client.get("/draw/9999/lottery.zip").status_code == 404


@pytest.mark.parametrize("city", ["poitiers"])
def test_a_uniform_group_is_committed_then_drawn_by_its_number(
    client: FlaskClient, app: Flask, tmp_path: Path
) -> None:
    upgrade(database_url(app))
    app.config["KLEROTERION_TODAY"] = dt.date(2025, 1, 15)
    app.config["KLEROTERION_LOTTERY_ROOT"] = str(tmp_path / "lotteries")
    config = city("poitiers").config
    seat = next(g for g in config.composition.seat_groups if g.selection == "uniform")
    path = tmp_path / "adresses.csv"
    write_respondents(path, config, seat, rows=seat.seats + 4)
    with session_scope(_factory(app), actor="test") as session:
        mandate = mandates.open_mandate(session, "poitiers", "2025", dt.date(2025, 1, 1))
        recruitment.import_respondents(session, mandate.id, seat.key, path)
    log_in(client, "secretariat")
    url = f"/admin/draw/{seat.key}"
    page = client.get(f"{url}?lang=en").get_data(as_text=True)
    assert "plain lottery" in page and "Compute and publish" not in page
    # Issue 18: no number before the candidates are committed.
    early = client.post(f"{url}/choose?lang=en", data={
        "csrf_token": csrf_token(client, url), "public_number": "99"})
    assert early.status_code == 422 and "no published lottery" in early.get_data(as_text=True)
    response = client.post(f"{url}/start?lang=en", data={
        "csrf_token": csrf_token(client, url), "algorithm": "leximin"})
    assert response.status_code == 302
    with _factory(app)() as session:
        draw = session.scalars(select(Draw)).one()
        assert draw.state == "published" and not list(session.scalars(select(Member)))
        digest = draw.panels_digest
    page = client.get(f"{url}?lang=en").get_data(as_text=True)
    assert str(digest) in page and "Publish the list of candidates" not in page
    response = client.post(f"{url}/choose?lang=en", data={
        "csrf_token": csrf_token(client, url), "public_number": "99"})
    assert response.status_code == 302
    with _factory(app)() as session:
        assert len(list(session.scalars(select(Member)))) == seat.seats
        draw = session.scalars(select(Draw)).one()
        folder = tmp_path / "lotteries" / str(draw.lottery_folder)
        assert draw.panels_digest == digest and draw.state == "chosen"
    # Issue 18: the uniform draw is published too, and verifies from its folder.
    report = verify_uniform(folder, digest=digest, number=99)
    assert report.ok, str(report)
    assert report.panel is not None and len(report.panel) == seat.seats

