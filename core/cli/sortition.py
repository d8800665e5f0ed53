"""Sortition commands: ``invite``, ``select``, ``draw`` and ``verify``.

The whole pipeline from a terminal: letters from a registry (``invite``), the panel
draw under quotas with its published lottery (``select``), the public number
recorded afterwards (``draw``), and anyone's check of a published lottery
(``verify``). ``select --group-column`` draws every seat group of a city (or
of a quotas file's group column) in one run, separately or jointly, and publishes a
grouped lottery that ``draw`` and ``verify`` handle too. Every bad input ends in
one line on stderr naming the file, line, column and value, a non-zero exit and no
output file; never a traceback.

Exit codes: 0 success; 1 bad input or a lottery that does not verify; 2 misuse of
the command line (click's own); 3 quotas that cannot be met (the smallest
relaxation is printed).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import random
import secrets
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click
from kleroterion.sortition import (
    ALGORITHMS,
    InfeasibleQuotas,
    SeatGroupProblem,
    draw_groups,
    find_distribution,
)
from kleroterion.sortition.invitation import draw_invitations
from kleroterion.sortition.io import (
    InputError,
    QuotaTable,
    make_problem,
    read_quotas,
    read_respondents,
)
from kleroterion.sortition.types import Distribution, Problem, Quota, composition, panel_ids

EXIT_INPUT, EXIT_INFEASIBLE = 1, 3


def _fail(message: object, code: int = EXIT_INPUT) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(code)


@contextlib.contextmanager
def _progress(label: str) -> Iterator[Callable[[str, float], None]]:
    """A progress bar on stderr, driven by ``(stage, fraction)`` callbacks.

    Hidden when stderr is not a terminal, so that logs and pipes get no bar residue.
    """
    steps = 1000
    hidden = not sys.stderr.isatty()
    with click.progressbar(
        length=steps, label=label, file=sys.stderr, show_eta=False, hidden=hidden
    ) as bar:
        done = 0

        def update(stage: str, fraction: float) -> None:
            nonlocal done
            bar.label = stage
            target = max(0, min(steps, int(fraction * steps)))
            if target > done:
                bar.update(target - done)
                done = target

        yield update


def _new_seed() -> int:
    return secrets.randbelow(2**31)


FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a readable summary; json: one JSON object on stdout.",
)


# --------------------------------------------------------------------------- invite


@click.command("invite")
@click.option(
    "--registry",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Registry CSV (electoral roll, addresses): a header line, then one row per person. "
    "Comma, semicolon or tab separated; UTF-8, Windows-1252 or Latin-1.",
)
@click.option("--count", type=int, required=True, help="Number of invitations to send.")
@click.option(
    "--stratify-by",
    metavar="COLUMN",
    default=None,
    help="Registry column whose values are the strata (e.g. arrondissement); invitations "
    "are shared in proportion to their sizes. Without it, one simple random sample.",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed of the draw; the same registry and seed give the same invitations. "
    "Without it a seed is chosen and printed, so the draw can be repeated.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Mail-merge CSV to write: the registry's columns for the invited rows, in "
    "registry order, same delimiter and encoding. Written whole or not at all.",
)
@FORMAT
def invite_command(
    registry: Path,
    count: int,
    stratify_by: str | None,
    seed: int | None,
    out: Path,
    output_format: str,
) -> None:
    """Draw the invitation letters from a registry file (the first draw).

    Streams the registry once, however large, and shares COUNT invitations among the
    strata by largest remainder; within a stratum everyone has the same chance.

    Example: kleroterion invite --registry roll.csv --count 10000
    --stratify-by arrondissement --seed 2024 --out invitations.csv
    """
    seed = _new_seed() if seed is None else seed
    try:
        with _progress("reading the registry") as progress:
            result = draw_invitations(
                registry, out, count=count, seed=seed, stratify_by=stratify_by, progress=progress
            )
    except InputError as error:
        _fail(error)
    except OSError as error:
        _fail(f"{error.filename or out}: {error.strerror}")
    if output_format == "json":
        summary = {
            "out": str(result.path),
            "count": result.count,
            "rows": result.rows,
            "seed": result.seed,
            "stratify_by": result.stratify_by,
            "strata": {s: {"size": n, "invited": k} for s, (n, k) in result.strata.items()},
            "encoding": result.encoding,
            "delimiter": result.delimiter,
        }
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    click.echo(f"Invited {result.count} of {result.rows} rows (seed {result.seed}) into {out}.")
    if result.stratify_by is not None:
        click.echo(f"By {result.stratify_by}:")
        width = max(len(s) for s in result.strata)
        for stratum, (size, invited) in result.strata.items():
            click.echo(f"  {stratum:<{width}}  {invited:>6} of {size}")


# --------------------------------------------------------------------------- select


def _city_quotas(city: str, group: str | None) -> tuple[tuple[Quota, ...], int, str, bool]:
    """Quotas, seats, algorithm and household rule of one seat group of a city plugin."""
    from kleroterion import plugins
    from kleroterion.city.quotas import group_quotas

    try:
        loaded = plugins.load_city(city)
    except (plugins.UnknownCity, plugins.PluginError) as error:
        _fail(f"--city {city}: {error}")
    composition = loaded.config.composition
    groups = {g.key: g for g in composition.seat_groups}
    if group is None and len(groups) == 1:
        group = next(iter(groups))
    if group not in groups:
        _fail(
            f"--group {group!r}: not a seat group of {city}; accepted: {', '.join(groups)}"
            if group is not None
            else f"--city {city} has several seat groups; choose one with --group "
            f"({', '.join(groups)})"
        )
    seat_group = groups[group]
    return (
        group_quotas(composition, seat_group),
        seat_group.seats,
        composition.selection_algorithm,
        composition.one_per_household,
    )


def _file_quotas(path: Path, group: str | None) -> tuple[Quota, ...]:
    table = read_quotas(path)
    by_group = table.by_group()
    if set(by_group) == {None}:
        if group is not None:
            _fail(f"--group {group!r}: {path} has no group column")
        return table.quotas
    named = [g for g in by_group if g is not None]
    if group not in by_group:
        _fail(
            f"--group {group!r}: not a group of {path}; accepted: {', '.join(named)}"
            if group is not None
            else f"{path} has seat groups; choose one with --group ({', '.join(named)})"
        )
    return by_group[group]


class _Seats(click.ParamType[int | dict[str, int]]):
    """``N`` (one draw) or ``GROUP=N,GROUP=N,...`` (the seats of each seat group)."""

    name = "N|GROUP=N,..."

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> int | dict[str, int]:
        if isinstance(value, int | dict):
            return value
        text = str(value).strip()
        if "=" not in text:
            try:
                return int(text)
            except ValueError:
                self.fail(f"{value!r} is not an integer nor GROUP=N,...", param, ctx)
        seats: dict[str, int] = {}
        for part in text.split(","):
            key, _, count = part.partition("=")
            key = key.strip()
            try:
                seats[key] = int(count)
            except ValueError:
                self.fail(f"{part.strip()!r}: expected GROUP=N with N an integer", param, ctx)
            if not key or seats[key] < 1:
                self.fail(f"{part.strip()!r}: expected GROUP=N with N ≥ 1", param, ctx)
        return seats


SEATS = _Seats()


def _infeasible(error: InfeasibleQuotas, group: str | None = None) -> NoReturn:
    lines = [str(change) for change in error.changes]
    where = f" of the seat group {group!r}" if group is not None else ""
    click.echo(f"Error: the quotas{where} cannot all be met.", err=True)
    if lines:
        click.echo("The smallest change that makes them feasible:", err=True)
        for line in lines:
            click.echo(f"  {line}", err=True)
    else:
        click.echo(f"  {error}", err=True)
    raise SystemExit(EXIT_INFEASIBLE)


def _group_specs(
    quotas: Path | None,
    seats: int | dict[str, int] | None,
    city: str | None,
) -> tuple[dict[str, tuple[tuple[Quota, ...], int]], str, bool, bool, str]:
    """Each seat group's (quotas, seats), the algorithm, joint_draw, the household rule,
    and where the quotas come from."""
    if isinstance(seats, int):
        _fail("--seats with --group-column gives each group's seats: GROUP=N,GROUP=N,...")
    file_groups: dict[str, tuple[Quota, ...]] = {}
    if quotas is not None:
        by_group = read_quotas(quotas).by_group()
        if None in by_group:
            _fail(
                f"--group-column: {quotas} has rows without a group; every row needs one"
                if len(by_group) > 1
                else f"--group-column: {quotas} has no group column naming the seat groups"
            )
        file_groups = {g: q for g, q in by_group.items() if g is not None}
    seat_counts = dict(seats or {})
    specs: dict[str, tuple[tuple[Quota, ...], int]] = {}
    if city is not None:
        composition = _city_composition(city)
        accepted = [g.key for g in composition.seat_groups]
        for key in [*file_groups, *seat_counts]:
            if key not in accepted:
                where = f"{quotas}" if key in file_groups else "--seats"
                _fail(
                    f"{where}: {key!r} is not a seat group of {city}; accepted: "
                    f"{', '.join(accepted)}"
                )
        from kleroterion.city.quotas import group_quotas

        for seat_group in composition.seat_groups:
            # Other seats than the city's: its quotas are derived again for that count.
            resized = dataclasses.replace(
                seat_group, seats=seat_counts.get(seat_group.key, seat_group.seats)
            )
            specs[seat_group.key] = (
                file_groups.get(seat_group.key, group_quotas(composition, resized)),
                resized.seats,
            )
        return (
            specs,
            composition.selection_algorithm,
            composition.joint_draw,
            composition.one_per_household,
            str(quotas or f"the quotas of {city}"),
        )
    if quotas is None:
        _fail("--quotas with a group column is required (or --city to take a city's groups)")
    missing = [g for g in file_groups if g not in seat_counts]
    if missing:
        _fail(
            f"--seats: no seats for the group(s) {', '.join(missing)} of {quotas}; "
            "give GROUP=N for each"
        )
    for key in seat_counts:
        if key not in file_groups:
            _fail(
                f"--seats: {key!r} is not a group of {quotas}; accepted: {', '.join(file_groups)}"
            )
    specs = {key: (q, seat_counts[key]) for key, q in file_groups.items()}
    return specs, "leximin", False, False, str(quotas)


def _city_composition(city: str) -> Any:
    from kleroterion import plugins

    try:
        loaded = plugins.load_city(city)
    except (plugins.UnknownCity, plugins.PluginError) as error:
        _fail(f"--city {city}: {error}")
    return loaded.config.composition


def _select_groups(
    *,
    respondents: Path,
    quotas: Path | None,
    seats: int | dict[str, int] | None,
    city: str | None,
    group_column: str,
    joint: bool | None,
    algorithm: str | None,
    household_columns: list[str],
    id_column: str | None,
    seed: int | None,
    output_format: str,
    out: Path | None,
    time_limit: float | None,
    lottery_size: int,
    number: int | None,
) -> None:
    """``select --group-column``: every seat group drawn in one run (see ``select``)."""
    # Loaded here, not with the module: `kleroterion invite` must not load the solver.
    from kleroterion.sortition import round_distribution
    from kleroterion.sortition.grouped import (
        choose_groups,
        group_number,
        publish_groups,
        read_grouped_respondents,
    )
    from kleroterion.sortition.lottery import LotteryError

    try:
        specs, city_algorithm, city_joint, one_per_household, _ = _group_specs(quotas, seats, city)
        pools = read_grouped_respondents(
            respondents,
            group_column,
            {key: q for key, (q, _) in specs.items()},
            id_column=id_column,
            household=household_columns,
        )
        problems: dict[str, Problem] = {}
        for key, (group_quota_list, group_seats) in specs.items():
            try:
                problems[key] = make_problem(
                    pools[key], group_quota_list, group_seats, respondents_path=respondents
                )
            except InputError as error:
                _fail(f"seat group {key!r}: {error}")
    except InputError as error:
        _fail(error)
    algorithm = algorithm or (city_algorithm if city_algorithm in ALGORITHMS else "leximin")
    joint = city_joint if joint is None else joint
    if city is not None and one_per_household and not household_columns:
        click.echo(
            f"Note: {city} selects at most one person per household; "
            "give the address columns with --household.",
            err=True,
        )
    if out is not None and out.exists() and (not out.is_dir() or any(out.iterdir())):
        _fail(f"--out {out}: already exists and is not an empty folder; choose a new folder")

    seed = _new_seed() if seed is None else seed
    groups = [SeatGroupProblem(key, problem) for key, problem in problems.items()]
    distributions: dict[str, Distribution] = {}
    if joint:
        try:
            distributions = dict(
                draw_groups(
                    groups, joint=True, algorithm=algorithm, time_limit=time_limit, seed=seed
                )
            )
        except InfeasibleQuotas as error:
            _infeasible(error)
    else:
        for seat_group in groups:
            # One group at a time, so that infeasible quotas name their group.
            try:
                distributions.update(
                    draw_groups(
                        [seat_group],
                        joint=False,
                        algorithm=algorithm,
                        time_limit=time_limit,
                        seed=seed,
                    )
                )
            except InfeasibleQuotas as error:
                _infeasible(error, seat_group.key)

    panels: dict[str, list[int] | None] = {key: None for key in problems}
    panel_numbers: dict[str, int] = {}
    lottery: dict[str, Any] | None = None
    if out is not None or number is not None:
        rounded = {key: round_distribution(distributions[key], m=lottery_size) for key in problems}
        if out is not None:
            try:
                manifest = publish_groups(
                    out,
                    problems,
                    distributions,
                    joint=joint,
                    seed=seed,
                    m=lottery_size,
                    time_limit=time_limit,
                )
                if number is not None:
                    choose_groups(out, number)
            except (LotteryError, OSError) as error:
                _fail(f"--out {out}: {error}")
            lottery = {"dir": str(out), "list_digest": manifest["list_digest"], "m": lottery_size}
        else:
            lottery = {"m": lottery_size}
        if number is not None:
            lottery["number"] = number
            for key in problems:
                panel_numbers[key] = group_number(number, key) % lottery_size
                panels[key] = list(rounded[key][panel_numbers[key]])
    else:
        for key in problems:
            # Each group's panel from its own stream of the one seed.
            weights = distributions[key].weights
            index = random.Random(f"{seed}:{key}").choices(range(len(weights)), weights)[0]
            panels[key] = list(distributions[key].panels[index])

    drawn = all(p is not None for p in panels.values())
    union = [
        pid
        for key, problem in problems.items()
        for pid in panel_ids(problem.pool, panels[key] or [])
    ]
    if output_format == "json":
        result = {
            "joint": joint,
            "seed": seed,
            "algorithm": algorithm,
            "seats": sum(p.seats for p in problems.values()),
            "respondents": sum(len(p.pool) for p in problems.values()),
            "groups": {
                key: {
                    "algorithm": distributions[key].algorithm,
                    "seats": problem.seats,
                    "respondents": len(problem.pool),
                    "optimal": distributions[key].optimal,
                    "min_probability": distributions[key].min_probability,
                    "max_probability": max(distributions[key].probabilities, default=0.0),
                    "panel": (
                        panel_ids(problem.pool, panel)
                        if (panel := panels[key]) is not None
                        else None
                    ),
                    "panel_number": panel_numbers.get(key),
                    "probabilities": dict(
                        zip(problem.pool.ids, distributions[key].probabilities, strict=True)
                    ),
                }
                for key, problem in problems.items()
            },
            "panel": union if drawn else None,
            "lottery": lottery,
        }
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return

    how = "one joint draw" if joint else "one draw per group"
    click.echo(f"Seat groups: {len(problems)}, {how}; algorithm {algorithm} (seed {seed})")
    for key, problem in problems.items():
        distribution = distributions[key]
        click.echo(
            f"Group {key}: {problem.seats} seats from {len(problem.pool)} respondents; "
            f"selection probability min {distribution.min_probability:.4f}, "
            f"max {max(distribution.probabilities, default=0.0):.4f}"
            + ("" if distribution.optimal else " (not proven optimal: time limit)")
        )
        panel = panels[key]
        if panel is None:
            continue
        if key in panel_numbers:
            click.echo(
                f"  Panel {panel_numbers[key]} = SHA-256('{number}:{key}') mod {lottery_size}: "
                f"{', '.join(panel_ids(problem.pool, panel))}"
            )
        else:
            click.echo(f"  Panel (seed {seed}): {', '.join(panel_ids(problem.pool, panel))}")
        _echo_composition(problem, panel, indent="    ")
    if drawn:
        click.echo(f"Whole panel: {len(union)} seats: {', '.join(union)}")
    if out is not None and lottery is not None:
        click.echo(f"Grouped lottery published in {out} ({lottery_size} numbered panels a group).")
        click.echo(f"  Digest to publish before the draw: {lottery['list_digest']}")
        if number is None:
            click.echo(f"  Then record the public number:    kleroterion draw {out} --number N")
        click.echo(
            f"  Anyone can check it:              kleroterion verify {out} "
            f"--digest {lottery['list_digest']}"
        )


def _echo_composition(problem: Problem, panel: Sequence[int], indent: str = "  ") -> None:
    click.echo(f"{indent[:-2]}Composition against the quotas:")
    rows = composition(problem, panel)
    width = max((len(f"{q.feature}/{q.value}") for q, _ in rows), default=0)
    for quota, count in rows:
        mark = "" if quota.min <= count <= quota.max else "  OUT OF BOUNDS"
        label = f"{quota.feature}/{quota.value}"
        click.echo(
            f"{indent}{label:<{width}}  {count:>4}  (min {quota.min}, max {quota.max}){mark}"
        )


@click.command("select")
@click.option(
    "--respondents",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Respondents CSV: an id column, one column per quota feature, anything else "
    "(names, contacts) ignored and never kept. Comma or semicolon; UTF-8, "
    "Windows-1252 or Latin-1.",
)
@click.option(
    "--quotas",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Quotas CSV: feature,value,min,max[,min_flex,max_flex][,group] (also "
    "category,name,... or category,feature,...). Required unless --city gives them.",
)
@click.option(
    "--seats",
    type=SEATS,
    default=None,
    help="Seats to fill. Required unless --city gives them. With --group-column, the "
    "seats of each group as GROUP=N,GROUP=N,... (e.g. roll=80,non-eu=15,young=5): "
    "required for every group without --city, overriding the city's otherwise.",
)
@click.option(
    "--city",
    default=None,
    metavar="SLUG",
    help="Take quotas, seats and algorithm from an installed city plugin's seat group "
    "(e.g. paris); --quotas, --seats and --algorithm still override.",
)
@click.option(
    "--group",
    default=None,
    metavar="KEY",
    help="Seat group to draw: a city's seat group with --city, or the rows of one "
    "group of a quotas file that has a group column.",
)
@click.option(
    "--group-column",
    default=None,
    metavar="COLUMN",
    help="Draw every seat group in one run: the respondents' column naming each one's "
    "seat group. The groups are the city's (--city) or those of the quotas file's group "
    "column; each is filled from its own respondents under its own quotas and seats.",
)
@click.option(
    "--joint/--separate",
    "joint",
    default=None,
    help="With --group-column: one joint draw over all the groups (maximising the lowest "
    "chance across every group at once) or one separate draw per group. Default: the "
    "city's choice (joint_draw), separate without --city.",
)
@click.option(
    "--algorithm",
    type=click.Choice(ALGORITHMS),
    default=None,
    help="leximin (default): maximise the lowest selection probability, then the next; "
    "legacy: the greedy used before 2021, for comparison.",
)
@click.option(
    "--household",
    default=None,
    metavar="COLUMNS",
    help="Comma-separated columns that together identify a household (e.g. "
    "address,postcode); at most one person per household is selected. Values are "
    "compared stripped, case-folded, whitespace collapsed.",
)
@click.option(
    "--id-column",
    default=None,
    help="Column of pseudonymous ids [default: id, or the data row number (1, 2, ...) "
    "when the file has no id column].",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed of the computation and, without --out or --number, of the panel drawn. "
    "Without it a seed is chosen and printed.",
)
@FORMAT
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Publish the transparent lottery in this new (or empty) folder: inputs, the "
    "numbered panels, probabilities and a manifest with SHA-256 digests. Publish the "
    "list digest before the public number is known.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Stop the computation after this many seconds with the best distribution found "
    "(reported as not optimal); per group when seat groups are drawn separately.",
)
@click.option(
    "--lottery-size",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="m: the number of equally likely panels the distribution is rounded to.",
)
@click.option(
    "--number",
    type=click.IntRange(min=0),
    default=None,
    help="The public number (dice, lottery draw, bailiff): the panel is the one "
    "numbered NUMBER mod m (panels are numbered from 0). With --out it can also be "
    "given later: kleroterion draw DIR --number N.",
)
def select_command(
    respondents: Path,
    quotas: Path | None,
    seats: int | dict[str, int] | None,
    city: str | None,
    group: str | None,
    group_column: str | None,
    joint: bool | None,
    algorithm: str | None,
    household: str | None,
    id_column: str | None,
    seed: int | None,
    output_format: str,
    out: Path | None,
    time_limit: float | None,
    lottery_size: int,
    number: int | None,
) -> None:
    """Draw the panel from the respondents under the quotas, fairly.

    Computes every respondent's selection probability (LEXIMIN by default), then:

    \b
    - with --out DIR: rounds it to m equally likely numbered panels and publishes
      them; the panel is chosen by a public number, given now (--number) or later
      (kleroterion draw DIR --number N); anyone can re-check with
      kleroterion verify DIR;
    - with --number but no --out: the same rounding, the panel NUMBER mod m;
    - otherwise: a panel drawn from the distribution with --seed.

    With --format json, "panel" is null until a public number is given.
    Quotas that cannot all be met end with exit code 3 and the smallest relaxation,
    one line per quota to change.

    \b
    Seat groups in one run (--group-column COLUMN, no --group):
      kleroterion select --city paris --respondents r.csv --group-column seat_group
      kleroterion select --respondents r.csv --quotas q.csv --group-column seat_group
          --seats roll=80,non-eu=15,young=5 [--joint]
    every group is drawn from the rows whose COLUMN names it, with its own quotas
    (the city's, or the rows of the quotas file's group column) and seats. With
    --out DIR, one lottery folder per group under DIR and a top manifest whose
    list_digest is the one to publish; one public number N picks every group's
    panel: the one numbered SHA-256("N:GROUP") mod m in GROUP/panels.csv.
    """
    # Loaded here, not with the module: `kleroterion invite` must not load the solver.
    from kleroterion.sortition import round_distribution
    from kleroterion.sortition.lottery import LotteryError, choose, publish

    household_columns = [c.strip() for c in household.split(",")] if household else []
    if group_column is not None:
        if group is not None:
            _fail("--group draws one seat group, --group-column all of them: give one")
        _select_groups(
            respondents=respondents,
            quotas=quotas,
            seats=seats,
            city=city,
            group_column=group_column,
            joint=joint,
            algorithm=algorithm,
            household_columns=household_columns,
            id_column=id_column,
            seed=seed,
            output_format=output_format,
            out=out,
            time_limit=time_limit,
            lottery_size=lottery_size,
            number=number,
        )
        return
    if isinstance(seats, dict):
        _fail("--seats GROUP=N,... gives the seats of seat groups: it needs --group-column")
    if joint is not None:
        _fail("--joint/--separate apply to seat groups: they need --group-column")
    try:
        if city is not None:
            city_quotas, city_seats, city_algorithm, one_per_household = _city_quotas(city, group)
            quota_list = _file_quotas(quotas, None) if quotas is not None else city_quotas
            seats = city_seats if seats is None else seats
            algorithm = algorithm or (city_algorithm if city_algorithm in ALGORITHMS else "leximin")
            if one_per_household and not household_columns:
                click.echo(
                    f"Note: {city} selects at most one person per household; "
                    "give the address columns with --household.",
                    err=True,
                )
        else:
            if quotas is None:
                _fail("--quotas is required (or --city to take a city's quotas)")
            if seats is None:
                _fail("--seats is required (or --city to take a city's seat count)")
            quota_list = _file_quotas(quotas, group)
            algorithm = algorithm or "leximin"
        table = QuotaTable(
            str(quotas or f"the quotas of {city}"), quota_list, (None,) * len(quota_list)
        )
        pool = read_respondents(
            respondents, table, id_column=id_column, household=household_columns
        )
        assert seats is not None
        problem = make_problem(pool, quota_list, seats, respondents_path=respondents)
    except InputError as error:
        _fail(error)
    if out is not None and out.exists() and (not out.is_dir() or any(out.iterdir())):
        _fail(f"--out {out}: already exists and is not an empty folder; choose a new folder")

    seed = _new_seed() if seed is None else seed
    try:
        with _progress(f"{algorithm}") as progress:
            distribution: Distribution = find_distribution(
                problem, algorithm, time_limit=time_limit, progress=progress, seed=seed
            )
    except InfeasibleQuotas as error:
        _infeasible(error)

    panel: list[int] | None = None
    lottery: dict[str, Any] | None = None
    if out is not None:
        try:
            published = publish(
                out, problem, distribution, seed=seed, m=lottery_size, time_limit=time_limit
            )
            lottery = {"dir": str(out), "list_digest": published.list_digest, "m": lottery_size}
            if number is not None:
                drawn = choose(out, number).draw
                assert drawn is not None
                lottery.update(number=number, panel_number=drawn["panel_number"])
                panel = list(
                    round_distribution(distribution, m=lottery_size)[drawn["panel_number"]]
                )
        except (LotteryError, OSError) as error:
            _fail(f"--out {out}: {error}")
    elif number is not None:
        panels = round_distribution(distribution, m=lottery_size)
        panel = list(panels[number % lottery_size])
        lottery = {"m": lottery_size, "number": number, "panel_number": number % lottery_size}
    else:
        index = random.Random(seed).choices(range(len(distribution.panels)), distribution.weights)[
            0
        ]
        panel = list(distribution.panels[index])

    probabilities = dict(zip(pool.ids, distribution.probabilities, strict=True))
    if output_format == "json":
        result = {
            "algorithm": distribution.algorithm,
            "seats": problem.seats,
            "respondents": len(pool),
            "seed": seed,
            "optimal": distribution.optimal,
            "min_probability": distribution.min_probability,
            "max_probability": max(distribution.probabilities, default=0.0),
            "panel": panel_ids(pool, panel) if panel is not None else None,
            "probabilities": probabilities,
            "lottery": lottery,
        }
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return

    click.echo(
        f"Algorithm: {distribution.algorithm}"
        + ("" if distribution.optimal else " (stopped by the time limit: not proven optimal)")
    )
    click.echo(f"Seats: {problem.seats} from {len(pool)} respondents (seed {seed})")
    click.echo(
        f"Selection probability: min {distribution.min_probability:.4f}, "
        f"max {max(distribution.probabilities, default=0.0):.4f}"
    )
    if panel is not None:
        how = (
            f"panel {lottery['panel_number']} = {number} mod {lottery_size}"
            if lottery is not None
            else f"drawn from the distribution with seed {seed}"
        )
        click.echo(f"Panel ({how}): {', '.join(panel_ids(pool, panel))}")
        _echo_composition(problem, panel)
    if lottery is not None and out is not None:
        click.echo(f"Lottery published in {out} ({lottery_size} numbered panels).")
        click.echo(f"  Digest to publish before the draw: {lottery['list_digest']}")
        if number is None:
            click.echo(f"  Then record the public number:    kleroterion draw {out} --number N")
        click.echo(
            f"  Anyone can check it:              kleroterion verify {out} "
            f"--digest {lottery['list_digest']}"
        )


# --------------------------------------------------------------------------- draw / verify


@click.command("draw")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--number",
    type=click.IntRange(min=0),
    required=True,
    help="The public number (dice, lottery draw, bailiff record), an integer ≥ 0.",
)
@FORMAT
def draw_command(directory: Path, number: int, output_format: str) -> None:
    """Record the public number in a published lottery and show the panel it draws.

    The panel is the one numbered NUMBER mod m in DIRECTORY/panels.csv (numbered
    from 0: with m = 1000, the last three digits of NUMBER). Refused if the panel
    list no longer matches its published digest, or if another number is already
    recorded.

    For a grouped lottery (select --group-column --out DIR), the one number picks
    every group's panel: the one numbered SHA-256("NUMBER:GROUP") mod m in
    DIRECTORY/GROUP/panels.csv; nothing is recorded unless every group can be drawn.
    """
    # Loaded here, not with the module: `kleroterion invite` must not load the solver.
    from kleroterion.sortition.grouped import is_grouped
    from kleroterion.sortition.lottery import LotteryError, choose

    if is_grouped(directory):
        _draw_groups(directory, number, output_format)
        return
    try:
        lottery = choose(directory, number)
    except LotteryError as error:
        _fail(error)
    except OSError as error:
        _fail(f"{directory}: {error.strerror}")
    drawn = lottery.draw
    assert drawn is not None
    if output_format == "json":
        click.echo(json.dumps({**drawn, "m": lottery.m, "list_digest": lottery.list_digest}))
        return
    click.echo(f"Number {number} mod {lottery.m} = panel {drawn['panel_number']}:")
    click.echo(f"  {', '.join(drawn['panel'])}")


def _draw_groups(directory: Path, number: int, output_format: str) -> None:
    # Loaded here, not with the module: `kleroterion invite` must not load the solver.
    from kleroterion.sortition.grouped import choose_groups
    from kleroterion.sortition.lottery import LotteryError

    try:
        manifest = choose_groups(directory, number)
    except LotteryError as error:
        _fail(error)
    except OSError as error:
        _fail(f"{directory}: {error.strerror}")
    drawn = manifest["draw"]
    union = [pid for group in drawn["groups"].values() for pid in group["panel"]]
    if output_format == "json":
        click.echo(
            json.dumps(
                {
                    "number": number,
                    "m": manifest["m"],
                    "list_digest": manifest["list_digest"],
                    "groups": drawn["groups"],
                    "panel": union,
                },
                ensure_ascii=False,
            )
        )
        return
    m = manifest["m"]
    for key, group in drawn["groups"].items():
        click.echo(
            f"Group {key}: SHA-256('{number}:{key}') mod {m} = panel {group['panel_number']}:"
        )
        click.echo(f"  {', '.join(group['panel'])}")
    click.echo(f"Whole panel: {len(union)} seats.")


@click.command("verify")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--digest",
    default=None,
    metavar="SHA256",
    help="The list digest published before the draw; checked against panels.csv.",
)
@FORMAT
def verify_command(directory: Path, digest: str | None, output_format: str) -> None:
    """Re-derive a published lottery from its own files and report every difference.

    Checks each file's SHA-256 against the manifest, re-runs the algorithm on the
    published respondents and quotas with the recorded seed, compares the numbered
    panels and the probabilities, and checks that the chosen panel is NUMBER mod m.
    Exit code 0 when everything matches, 1 otherwise.

    A grouped lottery is checked group by group (a joint draw is re-run jointly),
    with its top manifest and the rule deriving each group's panel from the one
    public number; each difference names GROUP/FILE and the panel or id.
    """
    # Loaded here, not with the module: `kleroterion invite` must not load the solver.
    from kleroterion.sortition.grouped import is_grouped, verify_groups
    from kleroterion.sortition.lottery import verify

    check = verify_groups if is_grouped(directory) else verify
    with _progress("re-running the draw") as progress:
        report = check(directory, digest=digest, progress=progress)
    if output_format == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(str(report))
    if not report.ok:
        raise SystemExit(EXIT_INPUT)


COMMANDS: list[click.Command] = [invite_command, select_command, draw_command, verify_command]
