"""Answers per second through the public answer page under gunicorn, SQLite and PostgreSQL.

Target (issue 17): at least 50 answers recorded a second on the machine. Each answer is
what an invitee's browser sends: ``GET /answer?code=…`` (the form, its CSRF token and
session cookie), then ``POST /answer`` with the answer; an answer counts when the
thanks page comes back. The codes are made as ``letters generate`` makes them (a
random code, its SHA-256 digest stored) without drawing the PDFs, for a Paris
invitation draw; gunicorn serves ``kleroterion.web.wsgi:app`` with ``--workers``
sync workers, and ``--clients`` threads of this process (keep-alive connections of
their own, one client address per invitee through ``X-Forwarded-For`` so that the
throttle counts each apart) answer until every code is used.

    python benchmarks/bench_answers.py [--databases sqlite postgresql] [--answers 600]
    python benchmarks/bench_answers.py --profile 200     # pyinstrument, in process

``--profile N`` answers N codes through the app in this process (Flask's test client)
under pyinstrument and prints where the POST path spends its time.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.client
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_load import (  # noqa: E402  (the load benchmark's gunicorn harness)
    POSTGRESQL_URL,
    _postgresql_schema,
    _schema_url,
    stop,
    wait_until_up,
)

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
FEATURES = {"feature-gender": "femme", "feature-age": "30-44",
            "feature-arrondissement": "11e", "feature-diploma": "bac"}


def prepare(database_url: str, work: Path, answers: int) -> list[str]:
    """A Paris mandate, an invitation draw and ``answers`` letters' codes; the codes."""
    from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
    from kleroterion.models import Invitation
    from kleroterion.services import letters, mandates, recruitment

    upgrade(database_url)
    roll = work / "roll.csv"
    with roll.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["numero", "nom", "adresse", "arrondissement"])
        for i in range(answers * 2):
            writer.writerow([i, f"Nom{i}", f"{i} rue de l'Essai", f"{i % 20 + 1}e"
                             if i % 20 else "1er"])
    engine = make_engine(database_url)
    codes = [letters.new_code() for _ in range(answers)]
    with session_scope(make_sessionmaker(engine), actor="bench") as session:
        mandate = mandates.open_mandate(session, "paris", "bench", dt.date.today())
        draw = recruitment.record_invitation_draw(
            session, mandate.id, "liste-electorale", roll, work / "merge.csv", seed=1,
            count=answers, stratify_by="arrondissement")
        draw.answers_until = dt.date.today() + dt.timedelta(days=30)
        for position, code in enumerate(codes, 1):
            session.add(Invitation(invitation_draw_id=draw.id, mandate_id=mandate.id,
                                   seat_group=draw.seat_group, position=position,
                                   code_digest=letters.digest(code), stratum="11e"))
    engine.dispose()
    return codes


def _form(code: str, n: int, token: str) -> dict[str, str]:
    return {"csrf_token": token, "step": "answer", "code": code, **FEATURES,
            "name": f"Personne {n}", "address": f"{n} rue du Banc", "birth_date": "1980-01-01",
            "email": f"p{n}@example.org", "phone": "", "consent": "yes"}


class Invitee:
    """One keep-alive connection answering codes one after another, as browsers would."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def answer(self, code: str, n: int) -> None:
        address = f"10.{n // 65536}.{(n // 256) % 256}.{n % 256}"
        headers = {"X-Forwarded-For": address}
        self.connection.request("GET", f"/answer?code={code}", headers=headers)
        page = self.connection.getresponse()
        text = page.read().decode()
        cookie = page.getheader("Set-Cookie", "").split(";", 1)[0]
        found = TOKEN.search(text)
        if page.status != 200 or not found:
            raise RuntimeError(f"the form of {code}: {page.status} {text[:300]}")
        body = urllib.parse.urlencode(_form(code, n, found.group(1)))
        self.connection.request("POST", "/answer", body=body, headers={
            **headers, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        done = self.connection.getresponse()
        text = done.read().decode()
        if done.status != 200 or 'role="status"' not in text:
            raise RuntimeError(f"the answer of {code}: {done.status} {text[:300]}")


def drive(port: int, codes: list[str], clients: int) -> float:
    """Answer every code from ``clients`` threads; answers a second."""
    lock = threading.Lock()
    queue = list(enumerate(codes))
    failures: list[BaseException] = []

    def work() -> None:
        invitee = Invitee(port)
        while True:
            with lock:
                if not queue or failures:
                    return
                n, code = queue.pop()
            try:
                invitee.answer(code, n)
            except BaseException as error:  # report it after the run
                with lock:
                    failures.append(error)
                return

    threads = [threading.Thread(target=work) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise failures[0]
    return len(codes) / elapsed


def start_gunicorn(database_url: str, instance: Path, port: int, workers: int,
                   log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KLEROTERION_CITY": "paris", "KLEROTERION_DATABASE_URL": database_url,
           "KLEROTERION_INSTANCE_PATH": str(instance), "KLEROTERION_TRUSTED_PROXIES": "1"}
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
               f"127.0.0.1:{port}", "--log-level", "warning", "kleroterion.web.wsgi:app"]
    return subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def server_cpu(master: int) -> float:
    """CPU seconds (user and system) of gunicorn's master and its workers so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(stat.parent.name) == master or int(fields[1]) == master:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def bench(name: str, database_url: str, work: Path, args: argparse.Namespace
          ) -> tuple[float, float]:
    """Answers a second, and the server's CPU milliseconds an answer."""
    codes = prepare(database_url, work, args.answers + args.warmup)
    log = work / f"gunicorn-{name}.log"
    server = start_gunicorn(database_url, work / "instance", args.port, args.workers, log)
    try:
        wait_until_up(f"http://127.0.0.1:{args.port}", server, log)
        drive(args.port, codes[:args.warmup], args.clients)
        before = server_cpu(server.pid)
        rate = drive(args.port, codes[args.warmup:], args.clients)
        return rate, 1000 * (server_cpu(server.pid) - before) / args.answers
    finally:
        stop(server)


def profile(count: int, work: Path) -> None:
    from kleroterion.web import create_app
    from pyinstrument import Profiler

    url = f"sqlite:///{work}/profile.sqlite3"
    codes = prepare(url, work, count + 20)
    os.environ["KLEROTERION_INSTANCE_PATH"] = str(work / "instance")
    app = create_app("paris", {"SECRET_KEY": "bench", "KLEROTERION_DATABASE_URL": url})
    posts = []
    for n, code in enumerate(codes):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.{n // 256}.{n % 256}"
        found = TOKEN.search(client.get(f"/answer?code={code}").get_data(as_text=True))
        assert found
        posts.append((client, _form(code, n, found.group(1))))
    for client, form in posts[:20]:  # warm up
        assert client.post("/answer", data=form).status_code == 200
    profiler = Profiler(interval=0.0005)
    start = time.perf_counter()
    with profiler:
        for client, form in posts[20:]:
            assert client.post("/answer", data=form).status_code == 200
    elapsed = time.perf_counter() - start
    print(f"{count} POST /answer in process: {1000 * elapsed / count:.1f} ms each")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--answers", type=int, default=600, help="answers measured")
    parser.add_argument("--warmup", type=int, default=60, help="answers before measuring")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn sync workers (gunicorn's rule, 2 x cores + 1)")
    parser.add_argument("--clients", type=int, default=8, help="invitees at once")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--postgresql-url", default=os.environ.get(
        "KLEROTERION_TEST_POSTGRESQL_URL", POSTGRESQL_URL))
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile N answers' POSTs in process instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if args.profile:
            profile(args.profile, work)
            return 0
        print(f"gunicorn: {args.workers} sync workers on {os.cpu_count()} cores; "
              f"{args.clients} invitees at once; load average before: "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        for name in args.databases:
            (work / name).mkdir()
            if name == "sqlite":
                rate, cpu = bench(name, f"sqlite:///{work}/{name}/answers.sqlite3",
                                  work / name, args)
            else:
                schema = "bench_answers_" + uuid.uuid4().hex[:8]
                _postgresql_schema(args.postgresql_url, schema, create=True)
                try:
                    rate, cpu = bench(name, _schema_url(args.postgresql_url, schema),
                                      work / name, args)
                finally:
                    _postgresql_schema(args.postgresql_url, schema, create=False)
            print(f"{name}: {rate:.1f} answers a second, {cpu:.1f} ms of server CPU an answer "
                  f"(at most {1000 * (os.cpu_count() or 1) / cpu:.0f} a second on "
                  f"{os.cpu_count()} idle cores); {args.answers} answers, load average after: "
                  f"{os.getloadavg()[0]:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
