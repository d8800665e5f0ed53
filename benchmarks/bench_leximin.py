"""Benchmark: our exact LEXIMIN against the peer's MAXIMIN (sortition-algorithms, highspy).

Both run on the same synthetic pools (benchmarks/pools.py) in one invocation. Ours runs in this
process (the project's venv); the peer runs in a subprocess of its own venv,
benchmarks/.venv-peer (see requirements-peer.txt), so the project never depends on it.
Only the algorithm call is timed, not imports or file reading.

    python benchmarks/bench_leximin.py                   # every pool
    python benchmarks/bench_leximin.py --pools pool-750-112 --repeat 3
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEER_PYTHON = HERE / ".venv-peer" / "bin" / "python"


def _read(people_csv: Path, quotas_csv: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    with people_csv.open(encoding="utf-8") as f:
        people = list(csv.DictReader(f))
    with quotas_csv.open(encoding="utf-8") as f:
        quotas = list(csv.DictReader(f))
    return people, quotas


def peer_worker(people_csv: Path, quotas_csv: Path, seats: int) -> None:
    """Runs inside the peer's venv: time its MAXIMIN, print one JSON line."""
    from sortition_algorithms.committee_generation import find_distribution_maximin
    from sortition_algorithms.features import read_in_features
    from sortition_algorithms.people import People

    people_rows, quota_rows = _read(people_csv, quotas_csv)
    features, _, _ = read_in_features(["feature", "value", "min", "max"], quota_rows, seats)
    # The household rule: the peer's "same address" check on the household column.
    address = ["household"] if "household" in people_rows[0] else []
    people = People(columns_to_keep=address)
    for row_number, row in enumerate(people_rows, start=2):
        people.add(row["id"], row, features, row_number)
    start = time.perf_counter()
    committees, weights, _ = find_distribution_maximin(features, people, seats, address,
                                                       "highspy")
    elapsed = time.perf_counter() - start
    prob = dict.fromkeys(people, 0.0)
    for committee, weight in zip(committees, weights, strict=True):
        for person in committee:
            prob[person] += weight
    print(json.dumps({"time": elapsed, "min": min(prob.values()), "panels": len(committees)}))


def run_peer(
    people_csv: Path, quotas_csv: Path, seats: int, timeout: float | None
) -> dict[str, float]:
    """The peer's figures; time is the timeout (min NaN) when it did not finish within it."""
    try:
        out = subprocess.run(
            [str(PEER_PYTHON), __file__, "--peer", str(people_csv), str(quotas_csv), str(seats)],
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"time": float(timeout or 0.0), "min": float("nan"), "panels": 0.0, "cut": 1.0}
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run_ours(
    people_csv: Path, quotas_csv: Path, seats: int, certify: bool = True,
    time_limit: float | None = None, m: int = 1000, save: Path | None = None,
) -> dict[str, float]:
    """Our LEXIMIN (feasibility check included), then its rounding to ``m`` panels.

    ``save``: write the problem, the distribution and the LEXIMIN time there (pickle).

    ``certify=False``: column generation alone. Publishing is timed as the rounding
    (what ``lottery.publish`` adds to the computation besides writing small files).
    """
    from kleroterion.sortition import Pool, Problem, Quota, check_feasible
    from kleroterion.sortition.leximin import leximin
    from kleroterion.sortition.rounding import round_lottery

    people_rows, quota_rows = _read(people_csv, quotas_csv)
    features = tuple(k for k in people_rows[0] if k not in ("id", "household"))
    pool = Pool(
        ids=tuple(r["id"] for r in people_rows),
        features=features,
        values=tuple(tuple(r[f] for f in features) for r in people_rows),
        households=(tuple(r["household"] for r in people_rows)
                    if "household" in people_rows[0] else None),
    )
    quotas = tuple(
        Quota(r["feature"], r["value"], int(r["min"]), int(r["max"])) for r in quota_rows
    )
    problem = Problem(pool=pool, quotas=quotas, seats=seats)
    start = time.perf_counter()
    check_feasible(problem)
    dist = leximin(problem, seed=0, certify=certify, time_limit=time_limit)
    elapsed = time.perf_counter() - start
    if save is not None:
        # The computed distribution, to time and check the rounding again without LEXIMIN.
        save.parent.mkdir(parents=True, exist_ok=True)
        save.write_bytes(pickle.dumps((problem, dist, elapsed)))
    start = time.perf_counter()
    rounding = round_lottery(dist, m)
    published = time.perf_counter() - start
    return {
        "time": elapsed,
        "min": dist.min_probability,
        "optimal": float(dist.optimal),
        "panels": len(dist.panels),
        "levels": dist.stats.get("levels", 0.0),
        "certified": dist.stats.get("certified", 0.0),
        "certified_levels": dist.stats.get("certified_levels", 0.0),
        "round": published,
        "deviation": rounding.max_deviation * m,
        "spread": float(rounding.max_type_spread),
    }


def run_rounding(saved: Path, m: int = 1000) -> dict[str, float]:
    """The rounding alone, on a distribution a previous run saved (``run_ours``'s ``save``).

    Also checks what the lottery promises: every panel meets the quotas and the household
    rule, and identical respondents sit in as many panels give or take one.
    """
    from collections import Counter

    from kleroterion.sortition.rounding import round_lottery
    from kleroterion.sortition.types import composition

    problem, dist, leximin_time = pickle.loads(saved.read_bytes())
    dist.problem = problem  # saved by an engine that did not attach it
    start = time.perf_counter()
    rounding = round_lottery(dist, m)
    published = time.perf_counter() - start
    homes = problem.pool.households
    feasible = all(
        all(q.min <= c <= q.max for q, c in composition(problem, panel))
        and len(set(panel)) == problem.seats
        and (homes is None or len({homes[i] for i in panel if homes[i] is not None})
             == sum(homes[i] is not None for i in panel))
        for panel in set(rounding.panels)
    )
    seats_in = Counter(i for panel in rounding.panels for i in panel)
    alike: dict[tuple[object, ...], list[int]] = {}
    for i, values in enumerate(problem.pool.values):
        if homes is None or homes[i] is None:
            alike.setdefault(values, []).append(seats_in[i])
    return {
        "leximin": leximin_time,
        "round": published,
        "deviation": rounding.max_deviation * m,
        "spread": float(max((max(c) - min(c) for c in alike.values()), default=0)),
        "feasible": float(feasible),
        "distinct": float(len(set(rounding.panels))),
    }


def run_paris_joint(per_seat: int, time_limit: float | None) -> dict[str, float]:
    """Paris's joint 80/15/5 draw on respondents made as ``kleroterion demo`` makes them
    (``per_seat`` respondents per seat), timed from the problem to the three roundings."""
    import random
    import tempfile

    from kleroterion.city.quotas import group_quotas
    from kleroterion.services.context import city
    from kleroterion.sortition import Pool, Problem, check_feasible
    from kleroterion.sortition.groups import SeatGroupProblem, draw_groups
    from kleroterion.sortition.rounding import round_lottery
    from kleroterion.web.demo_files import write_respondents

    config = city("paris").config
    rng = random.Random(2026)
    groups = []
    with tempfile.TemporaryDirectory() as folder:
        for group in config.composition.seat_groups:
            if group.selection != "stratified":
                continue
            path = Path(folder) / f"{group.key}.csv"
            write_respondents(path, config, group, group.seats * per_seat, rng)
            with path.open(encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
            pool = Pool(ids=tuple(r["id"] for r in rows), features=tuple(group.features),
                        values=tuple(tuple(r[k] for k in group.features) for r in rows))
            problem = Problem(pool=pool, quotas=group_quotas(config.composition, group),
                              seats=group.seats)
            check_feasible(problem)
            groups.append(SeatGroupProblem(group.key, problem))
    start = time.perf_counter()
    found = draw_groups(groups, joint=True, time_limit=time_limit, seed=0)
    elapsed = time.perf_counter() - start
    start = time.perf_counter()
    deviations = [round_lottery(d, 1000).max_deviation * 1000 for d in found.values()]
    published = time.perf_counter() - start
    return {
        "time": elapsed,
        "round": published,
        "deviation": max(deviations),
        "respondents": float(sum(len(g.problem.pool) for g in groups)),
        "optimal": float(all(d.optimal for d in found.values())),
        "min": min(d.min_probability for d in found.values()),
        "certified": next(iter(found.values())).stats.get("certified", 0.0),
        "types": next(iter(found.values())).stats.get("types", 0.0),
        "levels": next(iter(found.values())).stats.get("levels", 0.0),
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--peer":
        peer_worker(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
        return
    sys.path.insert(0, str(HERE))
    from pools import all_pools

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pools", nargs="*", help="pool names (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per side; best time kept")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-peer", action="store_true", help="run only our LEXIMIN")
    parser.add_argument(
        "--column-generation",
        action="store_true",
        help="also time our column generation alone (the route before the quota polytope)",
    )
    parser.add_argument(
        "--peer-timeout", type=float, default=None, help="stop the peer after this many seconds"
    )
    parser.add_argument(
        "--time-limit", type=float, default=None, help="our time budget (seconds) per run"
    )
    parser.add_argument(
        "--paris-joint", type=int, default=0, metavar="PER_SEAT",
        help="also time Paris's joint 80/15/5 draw with PER_SEAT respondents per seat",
    )
    parser.add_argument(
        "--rounding-only", action="store_true",
        help="time and check the rounding alone on the distributions a previous run saved",
    )
    args = parser.parse_args()
    if args.rounding_only:
        saved = sorted((HERE / "data" / "distributions").glob("*.pickle"))
        for path in saved:
            if args.pools and path.stem not in args.pools:
                continue
            r = run_rounding(path)
            print(f"{path.stem:<26} LEXIMIN {r['leximin']:7.2f} s, publishing {r['round']:6.2f} s,"
                  f" largest change {r['deviation']:.2f}/m, identical respondents' spread "
                  f"{r['spread']:.0f}, {r['distinct']:.0f} distinct panels, every panel "
                  f"{'meets' if r['feasible'] else 'DOES NOT meet'} the quotas; load "
                  f"{os.getloadavg()[0]:.1f}", flush=True)
        return
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load {load} (1, 5, 15 min); {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    if args.paris_joint:
        joint = run_paris_joint(args.paris_joint, args.time_limit)
        print(f"Paris joint 80/15/5, {joint['respondents']:.0f} respondents: LEXIMIN "
              f"{joint['time']:.2f} s (optimal {bool(joint['optimal'])}, min "
              f"{joint['min']:.6f}), publishing {joint['round']:.2f} s, deviation "
              f"{joint['deviation']:.2f}/m; {joint['types']:.0f} types, {joint['levels']:.0f} "
              f"levels, {'certified' if joint['certified'] else 'column generation'}; "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
        if not args.pools:
            return
    data = HERE / "data"
    header = (
        f"{'pool':<16} {'ours min':>10} {'peer min':>10} {'ours s':>8} {'peer s':>8} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for pool in all_pools(args.seed):
        if args.pools and pool.name not in args.pools:
            continue
        people_csv, quotas_csv = pool.write_csv(data)
        ours = [run_ours(people_csv, quotas_csv, pool.seats, time_limit=args.time_limit,
                         save=data / "distributions" / f"{pool.name}.pickle")
                for _ in range(args.repeat)]
        best = min(ours, key=lambda r: r["time"])
        how = "certified" if best["certified"] else "column generation"
        if not best["optimal"]:
            how = f"stopped by the time limit, {best['certified_levels']:.0f} levels certified"
        how += (f"; publishing {best['round']:.2f} s, deviation {best['deviation']:.2f}/m,"
                f" spread {best['spread']:.0f}; load {os.getloadavg()[0]:.1f}")
        if args.column_generation:
            alone = run_ours(people_csv, quotas_csv, pool.seats, certify=False)
            how += f"; column generation alone {alone['time']:.2f} s, min {alone['min']:.6f}"
        if args.no_peer:
            print(f"{pool.name:<16} {best['min']:>10.6f} {'':>10} {best['time']:>8.2f}"
                  f"   ({how})", flush=True)
            continue
        peer = [
            run_peer(people_csv, quotas_csv, pool.seats, args.peer_timeout)
            for _ in range(args.repeat)
        ]
        pbest = min(peer, key=lambda r: r["time"])
        print(
            f"{pool.name:<16} {best['min']:>10.6f} {pbest['min']:>10.6f} "
            f"{best['time']:>8.2f} {pbest['time']:>8.2f} {best['time'] / pbest['time']:>6.3f}"
            f"   (levels {best['levels']:.0f}, panels {best['panels']:.0f}/{pbest['panels']:.0f},"
            f" {how})"
            + ("  peer stopped at the timeout: ratio is an upper bound" if "cut" in pbest else ""),
            flush=True,
        )


if __name__ == "__main__":
    main()
