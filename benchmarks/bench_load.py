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


def _get(url: str, timeout: float = 5.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        body: bytes = answer.read()
        return body


def start_gunicorn(database_url: str, instance: Path, port: int, workers: int,
                   log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, KLEROTERION_CITY=CITY, KLEROTERION_DATABASE_URL=database_url,
               KLEROTERION_INSTANCE_PATH=str(instance))
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


# -- the run --------------------------------------------------------------------------


def bench_database(name: str, database_url: str, instance: Path, args: argparse.Namespace
                   ) -> list[Measure]:
    base = f"http://127.0.0.1:{args.port}"
    log = DATA / f"gunicorn-{name}.log"
    server = start_gunicorn(database_url, instance, args.port, args.workers, log)
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
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    DATA.mkdir(parents=True, exist_ok=True)
    instance = DATA / "instance"
    print(f"gunicorn: {args.workers} sync workers on {cores} cores; wrk: {args.threads} "
          f"threads, {args.connections} connections, {args.duration} s per URL; "
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
            measures = bench_database(name, url, instance, args)
        finally:
            if schema is not None:
                _postgresql_schema(args.postgresql_url, schema, create=False)
        reports.append(table(name, measures, args.markdown))
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n\n".join(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
