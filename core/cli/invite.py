"""``kleroterion invite``: the invitation letters drawn from a registry file."""

from __future__ import annotations

import json
from pathlib import Path

import click
from kleroterion.cli.terminal import FORMAT, fail, new_seed, progress_bar
from kleroterion.sortition.invitation import draw_invitations
from kleroterion.sortition.io import InputError


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
    seed = new_seed() if seed is None else seed
    try:
        with progress_bar("reading the registry") as progress:
            result = draw_invitations(
                registry, out, count=count, seed=seed, stratify_by=stratify_by, progress=progress
            )
    except InputError as error:
        fail(error)
    except OSError as error:
        fail(f"{error.filename or out}: {error.strerror}")
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
