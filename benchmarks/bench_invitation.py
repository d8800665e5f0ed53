"""Benchmark of the invitation draw against one plain ``csv`` read of the same registry.

Targets (benchmarks/README.md, "Invitation draw"): the draw takes at most twice the
time of a plain ``csv.reader`` pass over the file, and its peak memory stays under
200 MB, on a generated roll the size of Paris's (1.35M rows).

    python benchmarks/bench_invitation.py [--rows 1350000] [--count 10000] [--repeat 3]

The roll is generated once under benchmarks/data/ (git-ignored), from a fixed seed,
with a name, an address, a birth date and an arrondissement per row, arrondissements
sized roughly as Paris's electorate. Each measurement runs in its own Python process
so that its peak resident memory (``ru_maxrss``) is its own; the plain read and the
draw alternate so that both see the same machine load.
"""

from __future__ import annotations

import argparse
import csv
import json
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
import csv, json, resource, sys, time
start = time.perf_counter()
rows = 0
with open(sys.argv[1], encoding="utf-8", newline="") as f:
    for row in csv.reader(f):
        rows += 1
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "rows": rows}))
"""

DRAW = """
import json, resource, sys, time
from kleroterion.sortition.invitation import draw_invitations
start = time.perf_counter()
result = draw_invitations(sys.argv[1], sys.argv[2], count=int(sys.argv[3]), seed=2024,
                          stratify_by="arrondissement")
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "rows": result.rows}))
"""

BASELINE_PROCESS = """
import json, resource
import kleroterion.sortition.invitation
print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
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


def run(script: str, *args: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, "-c", script, *args], check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_350_000)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    roll = DATA / f"roll-{args.rows}.csv"
    if not roll.exists():
        print(f"generating {roll} ...", file=sys.stderr)
        generate(roll, args.rows)
    out = DATA / "invitations.csv"
    size_mb = roll.stat().st_size / 1e6

    plain, draw = [], []
    for _ in range(args.repeat):
        plain.append(run(PLAIN_READ, str(roll)))
        draw.append(run(DRAW, str(roll), str(out), str(args.count)))
    interpreter = run(BASELINE_PROCESS)["peak_mb"]

    best_plain = min(r["seconds"] for r in plain)
    best_draw = min(r["seconds"] for r in draw)
    peak = max(r["peak_mb"] for r in draw)
    print(f"registry: {roll.name}, {args.rows} rows, {size_mb:.0f} MB; invitations: {args.count}")
    print(f"plain csv.reader pass : {best_plain:6.2f} s (best of {args.repeat})")
    print(f"invitation draw       : {best_draw:6.2f} s (best of {args.repeat})")
    print(f"ratio draw / plain    : {best_draw / best_plain:6.2f} (target ≤ 2)")
    print(
        f"peak memory of draw   : {peak:6.0f} MB RSS (target < 200; interpreter + imports alone:"
        f" {interpreter:.0f} MB; plain read: {max(r['peak_mb'] for r in plain):.0f} MB)"
    )


if __name__ == "__main__":
    main()
