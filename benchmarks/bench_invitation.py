"""Benchmark of ``kleroterion invite`` as a user runs it, against a plain ``csv`` read.

Target (benchmarks/README.md, "Invitation draw", issue 18): the command, run as a user
runs it (a new process: interpreter start, imports, the draw, the output file), takes
at most twice a plain ``csv.reader`` pass over the same registry in a new Python process;
its peak memory stays under 200 MB; on a generated roll the size of Paris's (1.35M rows).

    python benchmarks/bench_invitation.py [--rows 1350000] [--count 10000] [--repeat 5]

The roll is generated once under benchmarks/data/ (git-ignored), from a fixed seed,
with an electoral number, a name, an address, a birth date and an arrondissement per
row, arrondissements sized roughly as Paris's electorate. Every measurement is a
command run in a fresh process by a small wrapper process, which times it wall-clock
and reads its peak resident memory (``RUSAGE_CHILDREN``: the command is its only
child). The measurements alternate so that all see the same machine load; the best of
``--repeat`` is kept. Also measured: ``kleroterion invite --help`` (start-up and imports
alone) and the draw with the duplicate-id check (``id_column="numero"``, through the
library, since the roll has no ``id`` column).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

# Rough shares of the Paris electorate by arrondissement (1st..20th); only the
# unevenness matters here.
WEIGHTS = [10, 13, 22, 18, 38, 27, 33, 23, 38, 55, 97, 96, 119, 92, 153, 109, 115, 121, 114, 135]
FIRST = ["Marie", "Jean", "Zoé", "Lætitia", "François", "Inès", "Mohamed", "Chloé", "Hugo", "Anaïs"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy"]
STREETS = ["rue de Rivoli", "boulevard Voltaire", "avenue d'Italie", "rue de la Roquette"]

PLAIN_READ = """
import csv, sys
rows = 0
with open(sys.argv[1], encoding="utf-8", newline="") as f:
    for row in csv.reader(f):
        rows += 1
print(rows)
"""

DRAW_WITH_IDS = """
import sys
from kleroterion.sortition.invitation import draw_invitations
draw_invitations(sys.argv[1], sys.argv[2], count=int(sys.argv[3]), seed=2024,
                 stratify_by="arrondissement", id_column="numero")
"""

#: Runs argv[1:] as its only child; prints its wall-clock and CPU (user + system) seconds
#: and its peak RSS in MB.
WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_mb": usage.ru_maxrss / 1024}))
"""


def generate(path: Path, rows: int) -> None:
    """Write a synthetic electoral roll (deterministic from a fixed seed)."""
    rng = random.Random(1350)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    arrondissements = [f"750{n:02d}" for n in range(1, 21)]
    with open(temporary, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["numero", "nom", "prenom", "adresse", "date_naissance", "arrondissement"])
        for number, arrondissement in enumerate(
            rng.choices(arrondissements, weights=WEIGHTS, k=rows), start=1
        ):
            writer.writerow(
                [
                    number,
                    rng.choice(LAST),
                    rng.choice(FIRST),
                    f"{rng.randint(1, 250)}, {rng.choice(STREETS)}",
                    f"{rng.randint(1930, 2008)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    arrondissement,
                ]
            )
    temporary.replace(path)


def run(*command: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command], check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_350_000)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    roll = DATA / f"roll-{args.rows}.csv"
    if not roll.exists():
        print(f"generating {roll} ...", file=sys.stderr)
        generate(roll, args.rows)
    out = DATA / "invitations.csv"
    size_mb = roll.stat().st_size / 1e6
    # The console script of the environment running this benchmark, as a user runs it.
    kleroterion = str(Path(sys.executable).with_name("kleroterion"))
    commands = {
        "plain": [sys.executable, "-c", PLAIN_READ, str(roll)],
        "invite": [kleroterion, "invite", "--registry", str(roll), "--count", str(args.count),
                   "--stratify-by", "arrondissement", "--seed", "2024", "--out", str(out)],
        "help": [kleroterion, "invite", "--help"],
        "ids": [sys.executable, "-c", DRAW_WITH_IDS, str(roll), str(out), str(args.count)],
    }
    results: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, command in commands.items():
            results[name].append(run(*command))

    def best(name: str, what: str = "seconds") -> float:
        return min(r[what] for r in results[name])

    def peak(name: str) -> float:
        return max(r["peak_mb"] for r in results[name])

    def line(label: str, name: str) -> str:
        return (f"{label:<42}: {best(name):6.2f} s wall, {best(name, 'cpu'):6.2f} s CPU, "
                f"{peak(name):4.0f} MB")

    print(f"registry: {roll.name}, {args.rows} rows, {size_mb:.0f} MB; invitations: {args.count}")
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f} at the end; best of {args.repeat}")
    print(line("plain csv.reader pass (new process)", "plain"))
    print(line("kleroterion invite (new process)", "invite"))
    print(f"{'ratio invite / plain (target <= 2)':<42}: {best('invite') / best('plain'):6.2f} wall,"
          f"   {best('invite', 'cpu') / best('plain', 'cpu'):6.2f} CPU")
    print(line("kleroterion invite --help (start-up)", "help"))
    print(line("draw with the duplicate-id check", "ids"))
    print(f"{'ratio with the id check / plain':<42}: {best('ids') / best('plain'):6.2f} wall,"
          f"   {best('ids', 'cpu') / best('plain', 'cpu'):6.2f} CPU")


if __name__ == "__main__":
    main()
