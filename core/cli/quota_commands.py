"""``mandate quotas``: a mandate's own quotas for a seat group (show, set, reset, relax).

Every change goes through :mod:`kleroterion.services.quotas`, as in the back office:
the whole set is validated before anything is written, and the audit log records the
old and the new bounds.
"""

from __future__ import annotations

import re

import click
from kleroterion.cli.running import transaction
from kleroterion.models import Mandate
from kleroterion.services import quotas
from kleroterion.services.context import get
from kleroterion.services.recruitment import seat_group
from kleroterion.sortition.types import Quota
from sqlalchemy.orm import Session

_BOUND = re.compile(r"^([^/=\s]+)/([^=]+)=(\d+):(\d+)$")


def _echo(found: tuple[Quota, ...], own: set[tuple[str, str]]) -> None:
    for quota in found:
        origin = "mandate" if (quota.feature, quota.value) in own else "city"
        click.echo(f"{quota.feature}/{quota.value}\t{quota.min}\t{quota.max}\t{origin}")


def _own(session: Session, mandate_id: int, group: str) -> set[tuple[str, str]]:
    return {(r.feature, r.value) for r in quotas.overrides(session, mandate_id, group)}


def _parse(bounds: tuple[str, ...]) -> dict[tuple[str, str], tuple[int, int]]:
    parsed: dict[tuple[str, str], tuple[int, int]] = {}
    for text in bounds:
        match = _BOUND.match(text.strip())
        if match is None:
            raise click.BadParameter(
                f"{text!r} is not a bound; write CRITERION/VALUE=MIN:MAX, e.g. gender/femme=2:4",
                param_hint="BOUNDS")
        feature, value, low, high = match.groups()
        parsed[(feature, value.strip())] = (int(low), int(high))
    return parsed


@click.group(name="quotas")
def quotas_group() -> None:
    """A mandate's own quotas for a seat group (they replace the city's in its draws)."""


@quotas_group.command(name="show")
@click.argument("mandate_id", type=int)
@click.argument("group")
@transaction
def quotas_show(session: Session, mandate_id: int, group: str) -> None:
    """Show the quotas a draw of GROUP meets: criterion/value, min, max, and whose bound."""
    mandate = get(session, Mandate, mandate_id)
    found = quotas.quotas_for(session, mandate, seat_group(mandate, group))
    _echo(found, _own(session, mandate_id, group))


@quotas_group.command(name="set")
@click.argument("mandate_id", type=int)
@click.argument("group")
@click.argument("bounds", nargs=-1, required=True)
@transaction
def quotas_set(session: Session, mandate_id: int, group: str, bounds: tuple[str, ...]) -> None:
    """Set bounds as CRITERION/VALUE=MIN:MAX (e.g. gender/femme=2:4); others are kept.

    The whole set is checked first (0 <= min <= max <= seats, per criterion the
    minimums at most the seats and the maximums at least the seats); one refused
    bound changes nothing.
    """
    found = quotas.set_quotas(session, mandate_id, group, _parse(bounds))
    _echo(found, _own(session, mandate_id, group))


@quotas_group.command(name="reset")
@click.argument("mandate_id", type=int)
@click.argument("group")
@transaction
def quotas_reset(session: Session, mandate_id: int, group: str) -> None:
    """Go back to the city's quotas for GROUP in this mandate."""
    _echo(quotas.reset_quotas(session, mandate_id, group), set())


@quotas_group.command(name="relax")
@click.argument("mandate_id", type=int)
@click.argument("group")
@transaction
def quotas_relax(session: Session, mandate_id: int, group: str) -> None:
    """Apply the advice of GROUP's last failed draw: set the bounds it names."""
    found = quotas.apply_relaxation(session, mandate_id, group)
    _echo(found, _own(session, mandate_id, group))
