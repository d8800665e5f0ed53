"""``kleroterion select``: the panel drawn from the respondents under the quotas.

Reads the inputs (files, or a city plugin's quotas and seats), hands them to the
select pipeline (:mod:`kleroterion.services.selection`, with the engine
``kleroterion.sortition``) and prints the result; ``--group-column`` draws every
seat group in one run (:mod:`kleroterion.cli.select_groups`). Quotas that cannot be
met end with exit code 3 and the smallest relaxation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from kleroterion.cli.select_groups import select_groups
from kleroterion.cli.terminal import (
    FORMAT,
    echo_composition,
    echo_published,
    fail,
    infeasible,
    new_seed,
    progress_bar,
)
from kleroterion.services.selection import algorithm_for
from kleroterion.sortition import ALGORITHMS, InfeasibleQuotas
from kleroterion.sortition.io import (
    InputError,
    QuotaTable,
    make_problem,
    read_quotas,
    read_respondents,
)
from kleroterion.sortition.lottery import LotteryError
from kleroterion.sortition.types import Quota, panel_ids


def _city_quotas(city: str, group: str | None) -> tuple[tuple[Quota, ...], int, str, bool]:
    """Quotas, seats, algorithm and household rule of one seat group of a city plugin."""
    from kleroterion import plugins
    from kleroterion.city.quotas import group_quotas

    try:
        loaded = plugins.load_city(city)
    except (plugins.UnknownCity, plugins.PluginError) as error:
        fail(f"--city {city}: {error}")
    composition = loaded.config.composition
    groups = {g.key: g for g in composition.seat_groups}
    if group is None and len(groups) == 1:
        group = next(iter(groups))
    if group not in groups:
        fail(
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
            fail(f"--group {group!r}: {path} has no group column")
        return table.quotas
    named = [g for g in by_group if g is not None]
    if group not in by_group:
        fail(
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
    "folder's digest (printed) before the public number is known.",
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
    digest is the one to publish; one public number N picks every group's
    panel: the one numbered SHA-256("N:GROUP") mod m in GROUP/panels.csv.
    """
    household_columns = [c.strip() for c in household.split(",")] if household else []
    if group_column is not None:
        if group is not None:
            fail("--group draws one seat group, --group-column all of them: give one")
        select_groups(
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
        fail("--seats GROUP=N,... gives the seats of seat groups: it needs --group-column")
    if joint is not None:
        fail("--joint/--separate apply to seat groups: they need --group-column")
    try:
        if city is not None:
            city_quotas, city_seats, city_algorithm, one_per_household = _city_quotas(city, group)
            quota_list = _file_quotas(quotas, None) if quotas is not None else city_quotas
            seats = city_seats if seats is None else seats
            algorithm = algorithm_for(algorithm, city_algorithm, ALGORITHMS)
            if one_per_household and not household_columns:
                click.echo(
                    f"Note: {city} selects at most one person per household; "
                    "give the address columns with --household.",
                    err=True,
                )
        else:
            if quotas is None:
                fail("--quotas is required (or --city to take a city's quotas)")
            if seats is None:
                fail("--seats is required (or --city to take a city's seat count)")
            quota_list = _file_quotas(quotas, group)
            algorithm = algorithm_for(algorithm, None, ALGORITHMS)
        table = QuotaTable(
            str(quotas or f"the quotas of {city}"), quota_list, (None,) * len(quota_list)
        )
        pool = read_respondents(
            respondents, table, id_column=id_column, household=household_columns
        )
        assert seats is not None
        problem = make_problem(pool, quota_list, seats, respondents_path=respondents)
    except InputError as error:
        fail(error)
    if out is not None and out.exists() and (not out.is_dir() or any(out.iterdir())):
        fail(f"--out {out}: already exists and is not an empty folder; choose a new folder")

    seed = new_seed() if seed is None else seed
    import kleroterion.sortition as engine
    from kleroterion.services.selection import select_one

    try:
        with progress_bar(f"{algorithm}") as progress:
            selection = select_one(engine, problem, algorithm, seed=seed, time_limit=time_limit,
                                   m=lottery_size, out=out, number=number, progress=progress)
    except InfeasibleQuotas as error:
        infeasible(error)
    except (LotteryError, OSError) as error:
        fail(f"--out {out}: {error}")
    distribution = selection.distributions[""]
    panel = selection.panels[""]
    lottery: dict[str, Any] | None = selection.lottery

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
        echo_composition(problem, panel)
    if lottery is not None and out is not None:
        echo_published(f"Lottery published in {out} ({lottery_size} numbered panels).",
                       out, lottery["digest"], number)

