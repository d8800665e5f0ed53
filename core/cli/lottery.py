"""``kleroterion draw`` and ``kleroterion verify``: a published lottery's number, and its check."""

from __future__ import annotations

import json
from pathlib import Path

import click
from kleroterion.cli.terminal import EXIT_INPUT, FORMAT, fail, progress_bar
from kleroterion.sortition.grouped import choose_groups, is_grouped, verify_groups
from kleroterion.sortition.lottery import LotteryError, choose, verify


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
    if is_grouped(directory):
        _draw_groups(directory, number, output_format)
        return
    try:
        lottery = choose(directory, number)
    except LotteryError as error:
        fail(error)
    except OSError as error:
        fail(f"{directory}: {error.strerror}")
    drawn = lottery.draw
    assert drawn is not None
    if output_format == "json":
        click.echo(json.dumps({**drawn, "m": lottery.m, "digest": lottery.digest,
                               "list_digest": lottery.list_digest}))
        return
    click.echo(f"Number {number} mod {lottery.m} = panel {drawn['panel_number']}:")
    click.echo(f"  {', '.join(drawn['panel'])}")


def _draw_groups(directory: Path, number: int, output_format: str) -> None:
    try:
        manifest = choose_groups(directory, number)
    except LotteryError as error:
        fail(error)
    except OSError as error:
        fail(f"{directory}: {error.strerror}")
    drawn = manifest["draw"]
    union = [pid for group in drawn["groups"].values() for pid in group["panel"]]
    if output_format == "json":
        click.echo(
            json.dumps(
                {
                    "number": number,
                    "m": manifest["m"],
                    "digest": manifest.get("digest"),
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
    help="The lottery's digest published before the draw (the manifest's digest, which "
    "binds every file of the folder and the algorithm's parameters).",
)
@click.option(
    "--number",
    type=click.IntRange(min=0),
    default=None,
    help="The public number as it was announced; the panel it draws is shown and "
    "checked against the one recorded.",
)
@FORMAT
def verify_command(
    directory: Path, digest: str | None, number: int | None, output_format: str
) -> None:
    """Re-derive a published lottery from its own files and report every difference.

    Checks the manifest's digest (against --digest, the one published before the
    draw), each file's SHA-256, that every panel meets the quotas, re-runs the
    algorithm on the published respondents and quotas with the recorded seed,
    compares the numbered panels, the probabilities, each respondent's count of
    panels and the manifest's figures, and that the chosen panel is NUMBER mod m
    (NUMBER: --number, the public number as announced). Given --digest and --number,
    the panel drawn is proven whatever version of kleroterion runs the check.
    Exit code 0 when everything matches, 1 otherwise.

    A grouped lottery is checked group by group (a joint draw is re-run jointly),
    with its top manifest and the rule deriving each group's panel from the one
    public number; each difference names GROUP/FILE and the panel or id. A uniform
    lottery (every respondent the same chance) is checked by re-running its rule.
    See docs/verification.md for what this proves and what it cannot.
    """
    from kleroterion.sortition.uniform import is_uniform, verify_uniform

    with progress_bar("re-running the draw") as progress:
        if is_grouped(directory):
            report = verify_groups(directory, digest=digest, number=number, progress=progress)
        elif is_uniform(directory):
            report = verify_uniform(directory, digest=digest, number=number)
        else:
            report = verify(directory, digest=digest, number=number, progress=progress)
    if output_format == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(str(report))
    if not report.ok:
        raise SystemExit(EXIT_INPUT)
