"""The production topology on this machine: gunicorn, a separate worker, PostgreSQL, Redis.

A secretariat starts a panel draw from the back office of a gunicorn server whose
jobs go to Redis; the server is killed, and the draw still finishes and publishes
through the worker process. Then the worker is killed in the middle of a computation
and started again: the draw is taken up and published. Skipped, with the reason,
where PostgreSQL, Redis or gunicorn is missing.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
from kleroterion.models import Draw
from kleroterion.services import mandates, panel, recruitment, users
from kleroterion.services.context import city
from kleroterion.sortition import lottery
from sqlalchemy import select

from tests.lifecycle.citydata import write_respondents
from tests.lifecycle.conftest import database_url  # noqa: F401 (a fresh PostgreSQL schema)

pytestmark = [pytest.mark.slow, pytest.mark.postgresql,
              pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)]

REDIS_URL = os.environ.get("KLEROTERION_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
GROUP = "non-europeens"
PASSWORD = "a long enough password"


def _redis_unavailable() -> str | None:
    try:
        import redis
    except ImportError:
        return "the redis client is not installed (pip install 'kleroterion[production]')"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as error:
        return f"no Redis answers at KLEROTERION_TEST_REDIS_URL={REDIS_URL} ({error})"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Browser:
    """Just enough of a browser for the back office: cookies (Secure ones too) and CSRF."""

    def __init__(self, port: int) -> None:
        self.port, self.cookies = port, dict[str, str]()

    def request(self, method: str, path: str, form: dict[str, str] | None = None
                ) -> tuple[int, str, str | None]:
        from urllib.parse import urlencode

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:  # closed even when a starting server drops the connection (a warning, else)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            text = response.read().decode("utf-8")
        finally:
            connection.close()
        return response.status, text, response.getheader("Location")

    def csrf(self, path: str) -> str:
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          self.request("GET", path)[1])
        assert found, path
        return found.group(1)


class Topology:
    """The processes of one instance, started and killed at will."""

    def __init__(self, folder: Path, database: str) -> None:
        self.folder, self.port = folder, _free_port()
        self.env = {**os.environ, "KLEROTERION_CITY": "paris",
                    "KLEROTERION_INSTANCE_PATH": str(folder / "instance"),
                    "KLEROTERION_DATABASE_URL": database,
                    "KLEROTERION_BROKER_URL": REDIS_URL,
                    "KLEROTERION_QUEUE_NAME": f"test-{uuid.uuid4().hex[:12]}",
                    "KLEROTERION_SECRET_KEY": "topology test secret",
                    "KLEROTERION_LOG_FORMAT": "json"}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str) -> None:
        bin_folder = Path(sys.executable).parent
        if name == "web":
            command = [str(bin_folder / "gunicorn"), "--workers", "2", "--bind",
                       f"127.0.0.1:{self.port}", "kleroterion.web.wsgi:app"]
        else:
            command = [str(bin_folder / "kleroterion"), "worker", "--city", "paris"]
        with open(self.folder / f"{name}.log", "ab") as log:  # the process keeps its copy
            self.processes[name] = subprocess.Popen(command, env=self.env, stdout=log,
                                                    stderr=log,
                                                    start_new_session=True)
        if name == "web":
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if Browser(self.port).request("GET", "/healthz")[0] == 200:
                        return
                except OSError:
                    time.sleep(0.2)
            raise AssertionError("gunicorn did not answer")

    def kill(self, name: str) -> None:
        # The whole process group: gunicorn's master and its workers, as a crash or an
        # OOM kill of the service would leave nothing behind.
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.kill(name)


@pytest.fixture
def topology(tmp_path: Path, database_url: str) -> Iterator[tuple[Topology, int, str]]:  # noqa: F811
    reason = _redis_unavailable()
    if reason is None and not shutil.which("gunicorn", path=str(Path(sys.executable).parent)):
        reason = "gunicorn is not installed (pip install 'kleroterion[production]')"
    if reason:
        pytest.skip(reason)
    url = database_url
    upgrade(url)
    config = city("paris").config
    seat = next(g for g in config.composition.seat_groups if g.key == GROUP)
    path = tmp_path / "pool.csv"
    write_respondents(path, config, seat, rows=150)
    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine), actor="test") as session:
        mandate = mandates.open_mandate(session, "paris", "promotion", dt.date.today())
        recruitment.import_respondents(session, mandate.id, GROUP, path)
        users.create_user(session, "secretariat", PASSWORD, "secretariat")
        mandate_id = mandate.id
    engine.dispose()
    running = Topology(tmp_path, url)
    try:
        yield running, mandate_id, url
    finally:
        running.stop_all()


def _start_draw(topology: Topology) -> None:
    browser = Browser(topology.port)
    status, _, _ = browser.request("POST", "/admin/login", {
        "csrf_token": browser.csrf("/admin/login"), "username": "secretariat",
        "password": PASSWORD})
    assert status == 302
    page = f"/admin/draw/{GROUP}"
    status, _, _ = browser.request("POST", f"{page}/start", {
        "csrf_token": browser.csrf(page), "algorithm": "leximin", "time_limit": ""})
    assert status == 302


def _draw(url: str) -> Draw:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            draw = session.scalars(select(Draw).where(Draw.seat_group == GROUP)).one()
            session.expunge(draw)
            return draw
    finally:
        engine.dispose()


def _wait(url: str, until: tuple[str, ...], seconds: float) -> Draw:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        draw = _draw(url)
        if draw.state != "running" or (draw.progress_stage or "queued") in until:
            return draw
        time.sleep(0.1)
    raise AssertionError(f"the draw stayed {draw.state} ({draw.progress_stage})")


def _published(url: str, topology: Topology) -> None:
    draw = _draw(url)
    assert draw.state == "published", (draw.state, draw.message)
    assert draw.lottery_folder is not None
    folder = panel.folder_path(draw, topology.folder / "instance" / "lotteries")
    assert folder is not None
    assert lottery.verify(folder, digest=draw.panels_digest).ok
    if "web" in topology.processes:
        topology.kill("web")
    topology.start("web")  # and the back office shows it, from a fresh server
    browser = Browser(topology.port)
    browser.request("POST", "/admin/login", {
        "csrf_token": browser.csrf("/admin/login"), "username": "secretariat",
        "password": PASSWORD})
    page = browser.request("GET", f"/admin/draw/{GROUP}?lang=en")[1]
    assert str(draw.panels_digest) in page


def test_a_draw_finishes_through_the_worker_when_the_web_server_is_killed(
    topology: tuple[Topology, int, str]
) -> None:
    running, _, url = topology
    running.start("web")
    _start_draw(running)
    running.kill("web")
    assert _draw(url).progress_stage == "queued"  # on Redis, waiting for a worker
    running.start("worker")
    assert _wait(url, (), 180).state == "published"
    _published(url, running)


def test_a_draw_interrupted_with_its_worker_is_taken_up_again(
    topology: tuple[Topology, int, str]
) -> None:
    running, _, url = topology
    running.start("web")
    running.start("worker")
    _start_draw(running)
    computing = _wait(url, ("starting", "computing", "leximin"), 60)
    running.kill("worker")  # SIGKILL in the middle of the computation
    assert computing.state == "running" and _draw(url).state == "running"
    running.start("worker")
    assert _wait(url, (), 240).state == "published"
    _published(url, running)
    logs = (running.folder / "worker.log").read_text(encoding="utf-8")
    assert "was interrupted with its worker; queued again" in logs
