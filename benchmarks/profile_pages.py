"""Profile the public pages the load benchmark drives, rendered without the page cache.

    python benchmarks/profile_pages.py [--postgresql-url URL] [--schema NAME] [--keep]
        [--repeat 20] [--html benchmarks/data/profile] [PATH ...]

Builds the Paris demo (``kleroterion.web.demo.prepare``) in a PostgreSQL schema of its
own (``--schema``, reused when it exists, dropped at the end unless ``--keep``), then
renders each page ``--repeat`` times in process (Flask's test client, the page cache
off: what a worker does after a write dropped the page), and prints per page the
median time, the number of SQL statements, and pyinstrument's profile of one render
(as text, or as HTML files under ``--html``). A cache miss is what makes the p99 under
writes (benchmarks/README.md "Under writes").
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_load import POSTGRESQL_URL, _postgresql_schema, _schema_url  # noqa: E402

PAGES = ("/", "/panel", "/draw", "/sessions", "/proposals", "/proposals/{act}", "/follow-up",
         "/follow-up/{adopted}", "/api/proposals", "/api/follow-up")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="pages to profile (default: the ten)")
    parser.add_argument("--postgresql-url", default=POSTGRESQL_URL)
    parser.add_argument("--schema", default="profile_pages")
    parser.add_argument("--keep", action="store_true", help="keep the schema for a next run")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--html", type=Path, default=None)
    parser.add_argument("--no-profile", action="store_true", help="times and queries only")
    args = parser.parse_args()

    from pyinstrument import Profiler
    from sqlalchemy import Engine, create_engine, event, inspect

    url = _schema_url(args.postgresql_url, args.schema)
    probe = create_engine(args.postgresql_url)
    with probe.connect() as connection:
        exists = args.schema in inspect(connection).get_schema_names()
    probe.dispose()
    instance = Path(tempfile.mkdtemp(prefix="profile-pages-"))
    if not exists:
        _postgresql_schema(args.postgresql_url, args.schema, create=True)
    from kleroterion.web import create_app
    from kleroterion.web.demo import lottery_root, prepare

    started = time.perf_counter()
    login = prepare(instance, "paris", database_url=url, say=lambda line: None)
    print(f"demo {'built' if login.created else 'reused'} in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    app = create_app("paris", {"KLEROTERION_DATABASE_URL": url, "KLEROTERION_PAGE_CACHE": False,
                               "KLEROTERION_LOTTERY_ROOT": str(lottery_root(instance, "paris")),
                               "KLEROTERION_BROKER_URL": "memory://"})
    client = app.test_client()
    acts = client.get("/api/proposals").get_json()
    items = acts["items"] if isinstance(acts, dict) else acts
    act = items[0]["id"]
    adopted = next((a["id"] for a in items if a.get("outcome") == "adopted"
                    or a.get("state") == "adopted"), act)
    paths = args.paths or [p.format(act=act, adopted=adopted) for p in PAGES]
    statements: list[str] = []

    @event.listens_for(Engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    try:
        for path in paths:
            for _ in range(2):  # warm: imports, compiled templates, statement caches
                assert client.get(path).status_code == 200, path
            times = []
            for _ in range(args.repeat):
                statements.clear()
                begin = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - begin) * 1000)
                assert response.status_code == 200, path
            queries = len(statements)
            print(f"{path}: median {statistics.median(times):.1f} ms, "
                  f"max {max(times):.1f} ms, {queries} statements", flush=True)
            if args.no_profile:
                continue
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(5):
                client.get(path)
            profiler.stop()
            if args.html:
                args.html.mkdir(parents=True, exist_ok=True)
                name = path.strip("/").replace("/", "-") or "home"
                (args.html / f"{name}.html").write_text(profiler.output_html())
            else:
                print(profiler.output_text(unicode=False, color=False, show_all=False),
                      flush=True)
    finally:
        if not args.keep:
            _postgresql_schema(args.postgresql_url, args.schema, create=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
