"""``kleroterion observatory``: the practitioners' comparison of assemblies, as a static site."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click


@click.group("observatory")
def observatory_group() -> None:
    """Compare assemblies on what their public records show (recruitment, retention,
    attendance, acts and answers, indemnities)."""


@observatory_group.command("build")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.argument("sources", nargs=-1, required=True)
@click.option("--lang", "languages", multiple=True, type=click.Choice(["fr", "en", "nl"]),
              help="A language of the site (repeat for several; default: fr, en and nl).")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day the local records are read as of (YYYY-MM-DD; default: today).")
def observatory_build(out: Path, sources: tuple[str, ...], languages: tuple[str, ...],
                      on: dt.datetime | None) -> None:
    """Write into OUT a static site comparing SOURCES, which anyone can publish: their
    records' indicators, and how each is set up (the comparison of `kleroterion compare`).

    Each SOURCE is a city installed here, read from this installation's database
    (KLEROTERION_DATABASE_URL, else the instance folder's SQLite file), or another
    instance's API address (https://…/api), read from its open data. A source that
    cannot be read is named with its reason and the others are compared all the same;
    the command fails only when no source could be read.
    """
    from kleroterion import compare
    from kleroterion.observatory import site
    from kleroterion.observatory import sources as reading

    day = on.date() if on is not None else dt.date.today()
    instances = reading.collect(list(sources), day)
    compared = compare.collect(sources, tolerant=True)
    files = site.build(instances, out, languages or site.LANGUAGES, on=day, compared=compared)
    for instance in instances:
        if instance.problem is not None:
            click.echo(f"{instance.source}: not compared: {instance.problem}", err=True)
    read = sum(instance.problem is None for instance in instances)
    click.echo(f"{len(files)} files written in {out}; {read} of {len(instances)} sources read")
    if not read:
        raise click.exceptions.Exit(1)


COMMANDS = [observatory_group]
