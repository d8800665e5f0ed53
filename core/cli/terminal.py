"""What the sortition commands share on a terminal: errors, progress, output format.

Every bad input ends in one line on stderr (``fail``) and a non-zero exit; a long
computation shows a progress bar on stderr when it is a terminal.
"""

from __future__ import annotations

import contextlib
import secrets
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from kleroterion.sortition import InfeasibleQuotas
    from kleroterion.sortition.types import Problem

EXIT_INPUT, EXIT_INFEASIBLE = 1, 3


def fail(message: object, code: int = EXIT_INPUT) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(code)


@contextlib.contextmanager
def progress_bar(label: str) -> Iterator[Callable[[str, float], None]]:
    """A progress bar on stderr, driven by ``(stage, fraction)`` callbacks.

    Hidden when stderr is not a terminal, so that logs and pipes get no bar residue. A
    new stage is shown even when the fraction stays (the rounding and the publishing
    come after the engine's 100 %).
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
            else:
                bar.render_progress()

        yield update


def new_seed() -> int:
    return secrets.randbelow(2**31)


FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a readable summary; json: one JSON object on stdout.",
)


def infeasible(error: InfeasibleQuotas, group: str | None = None) -> NoReturn:
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



def echo_composition(problem: Problem, panel: Sequence[int], indent: str = "  ") -> None:
    from kleroterion.sortition.types import composition

    click.echo(f"{indent[:-2]}Composition against the quotas:")
    rows = composition(problem, panel)
    width = max((len(f"{q.feature}/{q.value}") for q, _ in rows), default=0)
    for quota, count in rows:
        mark = "" if quota.min <= count <= quota.max else "  OUT OF BOUNDS"
        label = f"{quota.feature}/{quota.value}"
        click.echo(
            f"{indent}{label:<{width}}  {count:>4}  (min {quota.min}, max {quota.max}){mark}"
        )



def echo_published(heading: str, out: Path, digest: str, number: int | None) -> None:
    """What to do with a lottery just published: its digest, the draw, the check."""
    click.echo(heading)
    click.echo(f"  Digest to publish before the draw: {digest}")
    if number is None:
        click.echo(f"  Then record the public number:    kleroterion draw {out} --number N")
    click.echo(
        f"  Anyone can check it:              kleroterion verify {out} --digest {digest}"
        + (f" --number {number}" if number is not None else " --number N")
    )
