"""Import benchmark: 200,000 respondents through the service against a bare Core bulk insert.

Targets (issue 16, benchmarks/README.md "Respondents import"): ``kleroterion``'s
import (``recruitment.import_respondents``: the whole file checked, every problem
located, then inserted in one transaction) takes at most twice the time of a bare
SQLAlchemy Core bulk insert of the same rows (``csv.reader`` and ``executemany``,
no check at all), with a peak memory under 300 MB.

    python benchmarks/bench_import.py [--rows 200000] [--database postgresql|sqlite]

The file (Paris' electoral-roll group: four features and six personal columns) is
written under benchmarks/data/import/ (git-ignored). Each side runs in a fresh
process of its own, on an empty mandate of a fresh PostgreSQL schema (or SQLite
file), and reports its wall time and its peak resident memory (``ru_maxrss``, the
whole process: Python, SQLAlchemy, the driver, the file).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "import"
POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
GROUP = "liste-electorale"
MAX_RATIO = 2.0
MAX_PEAK_MB = 300.0


def write_file(path: Path, rows: int) -> None:
    from kleroterion.services.context import city

    config = city("paris").config
    group = next(g for g in config.composition.seat_groups if g.key == GROUP)
    values = {f.key: [v.key for v in f.values] for f in config.composition.features}
    rng = random.Random(2026)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", *group.features, "nom", "adresse", "date_naissance",
                         "courriel", "telephone", "quotient_familial"])
        for n in range(rows):
            writer.writerow([f"E{n:07d}", *(rng.choice(values[f]) for f in group.features),
                             f"Personne {n}", f"{n} rue de la Fiction", "1970-01-01",
                             f"p{n}@example.org", "0600000000", "1234.50"])


def _fresh_database(kind: str, url: str) -> tuple[str, str | None]:
    from kleroterion.db import upgrade
    from sqlalchemy import create_engine, text

    if kind == "sqlite":
        path = DATA / f"bench-{uuid.uuid4().hex[:8]}.sqlite3"
        database = f"sqlite:///{path}"
        schema = None
    else:
        schema = f"bench_import_{uuid.uuid4().hex[:8]}"
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        database = f"{url}?options=-csearch_path%3D{schema}"
    upgrade(database)
    return database, schema


def _drop(kind: str, url: str, database: str, schema: str | None) -> None:
    from sqlalchemy import create_engine, text

    if kind == "sqlite":
        Path(database.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def _mandate(database: str) -> int:
    from kleroterion.db import make_engine, make_sessionmaker, session_scope
    from kleroterion.services import mandates

    engine = make_engine(database)
    with session_scope(make_sessionmaker(engine), actor="bench") as session:
        ident = mandates.open_mandate(session, "paris", "bench", dt.date(2026, 1, 1)).id
    engine.dispose()
    return int(ident)


def child_service(database: str, mandate: int, path: Path) -> None:
    from kleroterion.db import make_engine, make_sessionmaker, session_scope
    from kleroterion.services import recruitment

    engine = make_engine(database)
    started = time.perf_counter()
    with session_scope(make_sessionmaker(engine), actor="bench") as session:
        rows = recruitment.import_respondents(session, mandate, GROUP, path).rows
    elapsed = time.perf_counter() - started
    _report(elapsed, rows)


def child_core(database: str, mandate: int, path: Path) -> None:
    """The floor: parse with csv.reader and insert with Core, no check, no household key."""
    from kleroterion.db import make_engine
    from kleroterion.models import PersonalData, Respondent
    from sqlalchemy import insert

    engine = make_engine(database)
    started = time.perf_counter()
    count = 0
    with engine.begin() as connection, path.open(newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        header = next(reader)
        features = header[1:5]
        chunk: list[list[str]] = []

        def flush() -> None:
            ids = connection.execute(
                insert(Respondent.__table__).returning(Respondent.__table__.c.id,
                                                       sort_by_parameter_order=True),
                [{"public_id": f"B{uuid.uuid4().hex[:12]}", "mandate_id": mandate,
                  "seat_group": GROUP, "source": "respondent", "external_id": row[0],
                  "features": dict(zip(features, row[1:5], strict=True)), "household": None,
                  "status": "pool", "created_at": dt.datetime.now(dt.UTC)}
                 for row in chunk]).scalars().all()
            connection.execute(insert(PersonalData.__table__), [
                {"respondent_id": ident, "name": row[5], "address": row[6],
                 "birth_date": dt.date.fromisoformat(row[7]), "email": row[8],
                 "phone": row[9], "family_quotient": row[10]}
                for ident, row in zip(ids, chunk, strict=True)])
            chunk.clear()

        for row in reader:
            chunk.append(row)
            count += 1
            if len(chunk) == 5000:
                flush()
        if chunk:
            flush()
    _report(time.perf_counter() - started, count)


def _report(seconds: float, rows: int) -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_mb": peak}))


def run_side(side: str, kind: str, url: str, path: Path) -> dict[str, float]:
    database, schema = _fresh_database(kind, url)
    try:
        mandate = _mandate(database)
        done = subprocess.run([sys.executable, __file__, "--child", side, "--child-database",
                               database, "--child-mandate", str(mandate), "--child-file",
                               str(path)], capture_output=True, text=True, check=True)
        result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
        return result
    finally:
        _drop(kind, url, database, schema)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--postgresql-url", default=POSTGRESQL_URL)
    parser.add_argument("--child", choices=("service", "core"), help=argparse.SUPPRESS)
    parser.add_argument("--child-database", help=argparse.SUPPRESS)
    parser.add_argument("--child-mandate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        (child_service if args.child == "service" else child_core)(
            args.child_database, args.child_mandate, args.child_file)
        return 0
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"respondents-{args.rows}.csv"
    if not path.exists():
        write_file(path, args.rows)
    print(f"{args.rows} respondents ({path.stat().st_size / 1e6:.1f} MB), {args.database}; "
          f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    core = run_side("core", args.database, args.postgresql_url, path)
    service = run_side("service", args.database, args.postgresql_url, path)
    ratio = service["seconds"] / core["seconds"]
    met = ratio <= MAX_RATIO and service["peak_mb"] < MAX_PEAK_MB
    print(f"bare Core insert : {core['seconds']:.1f} s, peak {core['peak_mb']:.0f} MB")
    print(f"kleroterion      : {service['seconds']:.1f} s, peak {service['peak_mb']:.0f} MB")
    print(f"ratio {ratio:.2f} (target <= {MAX_RATIO}), peak target < {MAX_PEAK_MB:.0f} MB: "
          f"{'met' if met else 'MISSED'}; load average after: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
