"""``kleroterion select --group-column``: every seat group of a city drawn in one run.

Each group is filled from the respondents whose group column names it, under its own
quotas (the city's, or a quotas file's group column) and seats, separately or in one
joint draw; with ``--out`` a grouped lottery is published, whose one public number
picks every group's panel.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click
from kleroterion.cli.terminal import (
    echo_composition,
    echo_published,
    fail,
    infeasible,
    new_seed,
    progress_bar,
)
from kleroterion.services.selection import algorithm_for
from kleroterion.sortition import ALGORITHMS, InfeasibleQuotas
from kleroterion.sortition.grouped import read_grouped_respondents
from kleroterion.sortition.io import InputError, make_problem, read_quotas
from kleroterion.sortition.lottery import LotteryError
from kleroterion.sortition.types import Problem, Quota, panel_ids


def _group_specs(
    quotas: Path | None,
    seats: int | dict[str, int] | None,
    city: str | None,
) -> tuple[dict[str, tuple[tuple[Quota, ...], int]], str, bool, bool, str]:
    """Each seat group's (quotas, seats), the algorithm, joint_draw, the household rule,
    and where the quotas come from."""
    if isinstance(seats, int):
        fail("--seats with --group-column gives each group's seats: GROUP=N,GROUP=N,...")
    file_groups: dict[str, tuple[Quota, ...]] = {}
    if quotas is not None:
        by_group = read_quotas(quotas).by_group()
        if None in by_group:
            fail(
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
                fail(
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
        fail("--quotas with a group column is required (or --city to take a city's groups)")
    missing = [g for g in file_groups if g not in seat_counts]
    if missing:
        fail(
            f"--seats: no seats for the group(s) {', '.join(missing)} of {quotas}; "
            "give GROUP=N for each"
        )
    for key in seat_counts:
        if key not in file_groups:
            fail(
                f"--seats: {key!r} is not a group of {quotas}; accepted: {', '.join(file_groups)}"
            )
    specs = {key: (q, seat_counts[key]) for key, q in file_groups.items()}
    return specs, "leximin", False, False, str(quotas)


def _city_composition(city: str) -> Any:
    from kleroterion import plugins

    try:
        loaded = plugins.load_city(city)
    except (plugins.UnknownCity, plugins.PluginError) as error:
        fail(f"--city {city}: {error}")
    return loaded.config.composition


def select_groups(
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
                fail(f"seat group {key!r}: {error}")
    except InputError as error:
        fail(error)
    algorithm = algorithm_for(algorithm, city_algorithm, ALGORITHMS)
    joint = city_joint if joint is None else joint
    if city is not None and one_per_household and not household_columns:
        click.echo(
            f"Note: {city} selects at most one person per household; "
            "give the address columns with --household.",
            err=True,
        )
    if out is not None and out.exists() and (not out.is_dir() or any(out.iterdir())):
        fail(f"--out {out}: already exists and is not an empty folder; choose a new folder")

    seed = new_seed() if seed is None else seed
    import kleroterion.sortition as engine
    from kleroterion.services.selection import GroupInfeasible
    from kleroterion.services.selection import select_groups as run

    try:
        with progress_bar(algorithm) as progress:
            selection = run(engine, problems, algorithm, joint=joint, seed=seed,
                            time_limit=time_limit, m=lottery_size, out=out, number=number,
                            infeasible=InfeasibleQuotas, progress=progress)
    except GroupInfeasible as error:
        assert isinstance(error.error, InfeasibleQuotas)
        infeasible(error.error, error.key)
    except InfeasibleQuotas as error:
        infeasible(error)
    except (LotteryError, OSError) as error:
        fail(f"--out {out}: {error}")
    distributions = selection.distributions
    panels = selection.panels
    panel_numbers = selection.panel_numbers
    lottery = selection.lottery

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
        echo_composition(problem, panel, indent="    ")
    if drawn:
        click.echo(f"Whole panel: {len(union)} seats: {', '.join(union)}")
    if out is not None and lottery is not None:
        echo_published(
            f"Grouped lottery published in {out} ({lottery_size} numbered panels a group).",
            out, lottery["digest"], number)

