"""Load benchmark of a city's public site under gunicorn, on SQLite and on PostgreSQL.

Targets (issue #5, benchmarks/README.md "Public site under load"): at 20 concurrent
connections, every main public page serves at least half the requests per second of
a trivial endpoint of the same app (``/healthz``), with a 99th-percentile latency
under 100 ms.

    python benchmarks/bench_load.py [--databases sqlite postgresql] [--duration 10]

For each database the script builds (or reuses) the Paris demo mandate
(``kleroterion.web.demo.prepare``): a SQLite file under benchmarks/data/load/
(git-ignored), reused by later runs, and a PostgreSQL schema of its own in the
database of ``--postgresql-url``, built for the run and dropped at its end. It starts
gunicorn on 127.0.0.1 with ``kleroterion.web.wsgi:app``, waits until ``/healthz``
answers, warms every page up, then drives each URL in turn from a second process,
Debian's ``wrk`` (``apt-get install wrk``): 20 connections for ``--duration``
seconds per URL, loopback only. The trivial endpoint is measured before the first
page and after each one, and each page's ratio is taken against the two measures
around it, so a drift of the machine's load during the run moves both sides alike.

With ``--writes-per-second N`` (issue 16) the script measures instead each page twice,
read-only and then while a writer adds a follow-up milestone to an adopted act N times
a second through the write API (``POST /api/commitments/<id>/milestones`` with a
secretariat's token: a request of a gunicorn worker, a transaction through the
services and the audit log, as a back-office form makes), and reports each page's
throughput under writes against its read-only figure. Targets: ratio >= 0.7 and p99
under 150 ms. With ``--page-cache-url redis://HOST:6379/0`` the workers share their
rendered pages through that Redis (``kleroterion.web.page_store``), as in production.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "load"
CITY = "paris"
POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TRIVIAL = "/healthz"
#: The main public pages; {act} and {adopted} are filled from the API once the server runs.
PAGES = ("/", "/panel", "/draw", "/sessions", "/proposals", "/proposals/{act}", "/follow-up",
         "/follow-up/{adopted}", "/api/proposals", "/api/follow-up")
MIN_RATIO = 0.5
MAX_P99_MS = 100.0
WRITE_MIN_RATIO = 0.7
WRITE_MAX_P99_MS = 150.0


@dataclass(frozen=True)
class Measure:
    url: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx answers, socket errors and timeouts


def _ms(value: str) -> float:
    """wrk's latency ("812.00us", "4.21ms", "1.02s") in milliseconds."""
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip())
    if not found:
        raise ValueError(f"unexpected wrk latency {value!r}")
    number, unit = float(found.group(1)), found.group(2)
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(url: str, output: str) -> Measure:
    """The figures of one ``wrk --latency`` run."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (rate and p50 and p99):
        raise RuntimeError(f"wrk gave no figures for {url}:\n{output}")
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       output)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    return Measure(url, float(rate.group(1)), _ms(p50.group(1)), _ms(p99.group(1)), errors)


def drive(base: str, path: str, connections: int, duration: int, threads: int) -> Measure:
    """``connections`` concurrent connections on one URL for ``duration`` seconds, by wrk."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
               "--timeout", "5s", base + path]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60,
                          check=True)
    return parse_wrk(path, done.stdout)


# -- the databases --------------------------------------------------------------------


def _prepare(database_url: str | None, instance: Path) -> str:
    """Build or reuse the Paris demo; its URL."""
    from kleroterion.web.demo import prepare

    started = time.perf_counter()
    login = prepare(instance, CITY, database_url=database_url,
                    say=lambda line: print("   ", line, flush=True))
    what = "built" if login.created else "reused"
    print(f"  demo {what} in {time.perf_counter() - started:.1f} s", flush=True)
    return login.database_url


def _schema_url(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def _postgresql_schema(url: str, schema: str, *, create: bool) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        if create:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        else:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


# -- the server -----------------------------------------------------------------------


def _get(url: str, timeout: float = 60.0) -> bytes:  # a loaded machine: first hits are slow
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        body: bytes = answer.read()
        return body


def start_gunicorn(database_url: str, instance: Path, port: int, workers: int,
                   log: Path, page_cache_url: str | None = None) -> subprocess.Popen[bytes]:
    env = dict(os.environ, KLEROTERION_CITY=CITY, KLEROTERION_DATABASE_URL=database_url,
               KLEROTERION_INSTANCE_PATH=str(instance))
    if page_cache_url:
        # The workers share their renders in Redis, under a queue name of this run's
        # own (a reused SQLite demo would otherwise find the last run's pages there).
        env.update(KLEROTERION_PAGE_CACHE_URL=page_cache_url,
                   KLEROTERION_QUEUE_NAME=f"bench-{uuid.uuid4().hex[:8]}")
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
               "kleroterion.web.wsgi:app"]
    handle = log.open("wb")
    return subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)


def wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path,
                  timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped (exit {server.returncode}):\n"
                               f"{log.read_text(errors='replace')}")
        try:
            if _get(base + TRIVIAL, timeout=1.0).strip() == b"ok":
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {TRIVIAL} within {timeout:.0f} s")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # gunicorn's graceful stop
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def page_urls(base: str) -> list[str]:
    """The pages to drive, with an act and an adopted act of the demo."""
    acts = json.loads(_get(base + "/api/proposals"))
    adopted = json.loads(_get(base + "/api/follow-up"))
    if not acts or not adopted:
        raise RuntimeError("the demo has no act or no adopted act to show")
    values = {"act": acts[0]["id"], "adopted": adopted[0]["id"]}
    return [page.format(**values) for page in PAGES]


# -- the writer (--writes-per-second) ------------------------------------------------


class Writer:
    """Adds a milestone to one commitment through the write API, ``rate`` times a second."""

    def __init__(self, base: str, database_url: str, rate: float) -> None:
        import threading

        self.base, self.rate = base, rate
        self.token, self.commitment, self.due = _writer_token(database_url)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.writes = self.failures = 0

    def _run(self) -> None:
        period = 1.0 / self.rate
        following = time.monotonic()
        while not self.stop.is_set():
            body = json.dumps({"title": f"bench step {self.writes}",
                               "due_on": self.due}).encode()
            request = urllib.request.Request(
                f"{self.base}/api/commitments/{self.commitment}/milestones", data=body,
                method="POST", headers={"Authorization": f"Bearer {self.token}",
                                        "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    answer.read()
                self.writes += 1
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                self.failures += 1
            following += period
            self.stop.wait(max(0.0, following - time.monotonic()))

    def __enter__(self) -> Writer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()


def _writer_token(database_url: str) -> tuple[str, int, str]:
    """A secretariat's API token, an adopted act's commitment and a valid due date."""
    from kleroterion.db import make_engine, make_sessionmaker, session_scope
    from kleroterion.models import Commitment, User
    from kleroterion.services import users
    from sqlalchemy import select

    engine = make_engine(database_url)
    try:
        with session_scope(make_sessionmaker(engine), actor="bench") as session:
            user = session.scalar(select(User).where(User.username == "bench-writer"))
            if user is None:
                user = users.create_user(session, "bench-writer", uuid.uuid4().hex,
                                         "secretariat")
            _row, token = users.issue_token(session, user.id, "bench")
            commitment = session.scalars(select(Commitment).order_by(Commitment.id)).first()
            if commitment is None:
                raise RuntimeError("the demo has no commitment to add milestones to")
            due = max(commitment.created_on, commitment.due_on or commitment.created_on)
            return token, commitment.id, due.isoformat()
    finally:
        engine.dispose()


def bench_writes(name: str, database_url: str, instance: Path, args: argparse.Namespace
                 ) -> list[tuple[Measure, Measure, int]]:
    """Each page read-only, then under writes: (read-only, under writes, writes made)."""
    base = f"http://127.0.0.1:{args.port}"
    log = DATA / f"gunicorn-{name}.log"
    server = start_gunicorn(database_url, instance, args.port, args.workers, log,
                            args.page_cache_url)
    results = []
    try:
        wait_until_up(base, server, log)
        urls = page_urls(base)
        for url in urls:
            for _ in range(args.workers * 3):
                _get(base + url)
        for url in urls:
            alone = drive(base, url, args.connections, args.duration, args.threads)
            with Writer(base, database_url, args.writes_per_second) as writer:
                written = drive(base, url, args.connections, args.duration, args.threads)
            if writer.failures:
                raise RuntimeError(f"{writer.failures} writes failed during {url}")
            results.append((alone, written, writer.writes))
            print(f"  {url}: {alone.requests_per_s:.0f} req/s alone, "
                  f"{written.requests_per_s:.0f} with {writer.writes} writes "
                  f"(p99 {written.p99_ms:.1f} ms)", flush=True)
    finally:
        stop(server)
    return results


def write_table(name: str, results: list[tuple[Measure, Measure, int]], rate: float) -> str:
    rows = [("URL", "read-only req/s", "under writes req/s", "ratio", "p99 ms", "writes",
             "errors", "targets")]
    total_alone = sum(alone.requests_per_s for alone, _, _ in results)
    total_written = sum(written.requests_per_s for _, written, _ in results)
    for alone, written, writes in results:
        ratio = written.requests_per_s / alone.requests_per_s
        met = (ratio >= WRITE_MIN_RATIO and written.p99_ms < WRITE_MAX_P99_MS
               and not written.errors)
        rows.append((alone.url, f"{alone.requests_per_s:.0f}",
                     f"{written.requests_per_s:.0f}", f"{ratio:.2f}",
                     f"{written.p99_ms:.1f}", str(writes), str(written.errors),
                     "met" if met else "MISSED"))
    lines = [f"{name}: {rate:g} write(s) a second; all pages together "
             f"{total_written / total_alone:.2f} of the read-only throughput", "",
             "| " + " | ".join(rows[0]) + " |", "|" + " --- |" * len(rows[0])]
    lines.extend("| " + " | ".join(row) + " |" for row in rows[1:])
    return "\n".join(lines)


# -- the run --------------------------------------------------------------------------


def bench_database(name: str, database_url: str, instance: Path, args: argparse.Namespace
                   ) -> list[Measure]:
    base = f"http://127.0.0.1:{args.port}"
    log = DATA / f"gunicorn-{name}.log"
    server = start_gunicorn(database_url, instance, args.port, args.workers, log,
                            args.page_cache_url)
    try:
        wait_until_up(base, server, log)
        urls = page_urls(base)
        for url in [TRIVIAL, *urls]:  # every worker loads its templates and engine
            for _ in range(args.workers * 3):
                _get(base + url)
        # The trivial endpoint before and after every page: each ratio is taken against
        # its neighbours, so the machine's load drifting during the run (other jobs
        # start and stop) moves both sides of a ratio alike.
        measures = [drive(base, TRIVIAL, args.connections, args.duration, args.threads)]
        for url in urls:
            measures.append(drive(base, url, args.connections, args.duration, args.threads))
            print(f"  {url}: {measures[-1].requests_per_s:.0f} req/s", flush=True)
            measures.append(drive(base, TRIVIAL, args.connections, args.duration, args.threads))
    finally:
        stop(server)
    return measures


def table(name: str, measures: list[Measure], markdown: bool) -> str:
    trivial, pages = measures[0::2], measures[1::2]
    rates = [m.requests_per_s for m in trivial]
    lines = [f"{name}: {TRIVIAL} {min(rates):.0f} to {max(rates):.0f} req/s over the run "
             f"(p99 {min(m.p99_ms for m in trivial):.1f} to "
             f"{max(m.p99_ms for m in trivial):.1f} ms)"]
    rows = [("URL", "req/s", "p50 ms", "p99 ms", "ratio", "errors", "targets")]
    for index, measure in enumerate(pages):
        baseline = (rates[index] + rates[index + 1]) / 2
        ratio = measure.requests_per_s / baseline
        met = ratio >= MIN_RATIO and measure.p99_ms < MAX_P99_MS and not measure.errors
        rows.append((measure.url, f"{measure.requests_per_s:.0f}", f"{measure.p50_ms:.1f}",
                     f"{measure.p99_ms:.1f}", f"{ratio:.2f}", str(measure.errors),
                     "met" if met else "MISSED"))
    if markdown:
        lines.append("")
        lines.append("| " + " | ".join(rows[0]) + " |")
        lines.append("|" + " --- |" * len(rows[0]))
        lines.extend("| " + " | ".join(row) + " |" for row in rows[1:])
    else:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines.extend("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                     for row in rows)
    return "\n".join(lines)


def main() -> int:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", nargs="+", choices=("sqlite", "postgresql"),
                        default=["sqlite", "postgresql"])
    parser.add_argument("--duration", type=int, default=5, help="seconds per URL (5)")
    parser.add_argument("--connections", type=int, default=20, help="concurrent (20)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--workers", type=int, default=2 * cores + 1,
                        help="gunicorn sync workers (gunicorn's rule, 2 x cores + 1: "
                        f"{2 * cores + 1} here)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--postgresql-url", default=POSTGRESQL_URL)
    parser.add_argument("--markdown", action="store_true", help="tables for the README")
    parser.add_argument("--writes-per-second", type=float, default=0.0,
                        help="measure each page read-only and under this many writes a "
                        "second (issue 16's test: 1)")
    parser.add_argument("--page-cache-url", default=None,
                        help="the Redis the workers share their pages in (issue 16: "
                        "redis://127.0.0.1:6379/0); default: each worker's own cache")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    DATA.mkdir(parents=True, exist_ok=True)
    instance = DATA / "instance"
    print(f"gunicorn: {args.workers} sync workers on {cores} cores; wrk: {args.threads} "
          f"threads, {args.connections} connections, {args.duration} s per URL; "
          f"shared page cache: {args.page_cache_url or 'none'}; "
          f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    reports = []
    for name in args.databases:
        print(f"{name}:", flush=True)
        schema = None
        try:
            if name == "sqlite":
                url = _prepare(None, instance)
            else:
                schema = f"bench_load_{uuid.uuid4().hex[:8]}"
                _postgresql_schema(args.postgresql_url, schema, create=True)
                url = _prepare(_schema_url(args.postgresql_url, schema), instance)
            if args.writes_per_second > 0:
                written = bench_writes(name, url, instance, args)
                reports.append(write_table(name, written, args.writes_per_second))
            else:
                measures = bench_database(name, url, instance, args)
                reports.append(table(name, measures, args.markdown))
        finally:
            if schema is not None:
                _postgresql_schema(args.postgresql_url, schema, create=False)
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n\n".join(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
