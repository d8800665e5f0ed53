"""Invitation letters and online answers: 10,000 letters, and answers per second.

1. ``kleroterion letters generate`` on an invitation draw of N letters (default 10,000)
   from a synthetic Paris roll, stratified by arrondissement: the time and the peak
   memory of the whole command in a new process (letters.pdf, one PDF per
   arrondissement, labels.csv).
2. Answers through ``/answer`` (the Flask app in process, test client, CSRF tokens
   read from the form as a browser does), each a code read back from the letters: the
   answers recorded per second, on SQLite and, where it answers, PostgreSQL.

    python benchmarks/bench_letters.py                  # --letters 10000 --answers 300
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ARRONDISSEMENTS = ["1er", "2e", "3e", "4e", "5e", "6e", "7e", "8e", "9e", "10e", "11e",
                   "12e", "13e", "14e", "15e", "16e", "17e", "18e", "19e", "20e"]
POSTGRESQL = os.environ.get("KLEROTERION_TEST_POSTGRESQL_URL",
                            "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def registry(path: Path, rows: int) -> None:
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["numero", "prenom", "nom", "adresse", "code_postal", "ville",
                         "arrondissement"])
        for i in range(rows):
            writer.writerow([i, f"Prénom{i}", f"Nom{i}", f"{i} rue de l'Essai", "75011",
                             "Paris", rng.choice(ARRONDISSEMENTS)])


def kleroterion(*args: str, env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command; its wall time, its peak memory in MB and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).with_name("kleroterion")), *args], env=env,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode:
        raise SystemExit(done.stdout + done.stderr)
    return wall, max(peak, before) / 1024, done.stdout


def answers_per_second(database: str, codes: list[str], instance: Path) -> float:
    from kleroterion.web import create_app

    os.environ["KLEROTERION_INSTANCE_PATH"] = str(instance)
    app = create_app("paris", {"SECRET_KEY": "bench", "KLEROTERION_DATABASE_URL": database,
                               "KLEROTERION_TODAY": dt.date.today()})
    token = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
    features = {"feature-gender": "femme", "feature-age": "30-44",
                "feature-arrondissement": "11e", "feature-diploma": "bac"}
    start = time.perf_counter()
    for n, code in enumerate(codes):
        # One client per invitee: the throttle counts per client address.
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.{n // 65536}.{(n // 256) % 256}.{n % 256}"
        page = client.get(f"/answer?code={code}").get_data(as_text=True)
        found = token.search(page)
        assert found, page[:500]
        done = client.post("/answer", data={
            "csrf_token": found.group(1), "step": "answer", "code": code, **features,
            "name": f"Personne {n}", "address": f"{n} rue du Banc", "birth_date": "1980-01-01",
            "email": f"p{n}@example.org", "phone": "", "consent": "yes"})
        assert done.status_code == 200, done.get_data(as_text=True)[:500]
    return len(codes) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--answers", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        results = {}
        for name, url in (("SQLite", f"sqlite:///{work}/bench.sqlite3"),
                          ("PostgreSQL", None)):
            if url is None:
                try:
                    import sqlalchemy

                    schema = "bench_" + uuid.uuid4().hex[:12]
                    admin = sqlalchemy.create_engine(POSTGRESQL)
                    with admin.begin() as connection:
                        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
                    url = f"{POSTGRESQL}?options=-csearch_path%3D{schema}"
                except Exception as error:  # no server: say so, measure the rest
                    print(f"PostgreSQL: skipped ({type(error).__name__})")
                    continue
            env = {**os.environ, "KLEROTERION_DATABASE_URL": url,
                   "KLEROTERION_INSTANCE_PATH": str(work / name)}
            roll = work / "roll.csv"
            if not roll.exists():
                registry(roll, max(args.letters * 10, 50_000))
            kleroterion("db", "upgrade", env=env)
            _, _, opened = kleroterion("mandate", "open", "paris", "bench", "--start",
                                       dt.date.today().isoformat(), env=env)
            mandate = re.search(r"\b(\d+)\b", opened)
            assert mandate, opened
            merge = work / f"merge-{name}.csv"
            kleroterion("invitations", "draw", mandate.group(1), "liste-electorale",
                        str(roll), "--out", str(merge), "--seed", "1", "--count",
                        str(args.letters), env=env)
            out = work / f"letters-{name}"
            until = (dt.date.today() + dt.timedelta(days=30)).isoformat()
            wall, peak, _ = kleroterion("letters", "generate", "1", str(merge), "--inline",
                                        "--out", str(out), "--until", until, "--url",
                                        "https://bench.example/answer", env=env)
            size = sum(p.stat().st_size for p in out.iterdir()) / 1e6
            print(f"{name}: {args.letters} letters in {wall:.1f} s, peak {peak:.0f} MB, "
                  f"{size:.0f} MB of files", flush=True)
            from pypdf import PdfReader

            pages = PdfReader(str(out / "letters.pdf")).pages
            codes = [re.findall(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b", pages[i].extract_text())[0]
                     for i in range(min(args.answers, len(pages)))]
            rate = answers_per_second(url, codes, work / name)
            print(f"{name}: {rate:.0f} answers a second ({len(codes)} answers)", flush=True)
            results[name] = (wall, peak, rate)
        print(results)


if __name__ == "__main__":
    main()
