"""A mandate's quotas: the city's bounds, replaced value by value for one mandate.

The city's quotas of a seat group come from its declaration
(:func:`kleroterion.city.quotas.group_quotas`). The secretariat may set other bounds
for one mandate and seat group; :func:`quotas_for` is the one place a draw reads the
quotas it will meet. Every change goes through :func:`set_quotas` (the CLI's
``mandate quotas set``, the back office's quotas page, and the infeasibility advice
applied in one click by :func:`apply_relaxation`), which validates the whole set
first and records the old and new bounds in the audit log; a refused change changes
nothing.

Validation: the criterion belongs to the seat group, the value to the criterion;
``0 <= min <= max <= seats``; per criterion, the minimums add up to at most the seats
and the maximums to at least the seats (else no panel can fill the seats). A refusal
names criteria, values and seat groups by the city's labels, which the back office
shows in the reader's language (the CLI in English), never by their keys.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence

from kleroterion.city.quotas import group_quotas
from kleroterion.city.types import Feature, SeatGroup
from kleroterion.models import Draw, Mandate, MandateQuota, utcnow
from kleroterion.services import audit
from kleroterion.services.context import city_of, get
from kleroterion.services.errors import ConflictError, InvalidInput, NotAllowed
from kleroterion.services.recruitment import seat_group
from kleroterion.sortition.types import Quota
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

#: One bound moved by the engine's relaxation of infeasible quotas
#: (:class:`kleroterion.sortition.types.QuotaChange`): ``gender/femme: maximum 41 → 55``.
CHANGE = re.compile(r"^\s*([^/\s]+)/(.+): (minimum|maximum) (\d+) → (\d+)\s*$")

#: Bounds by (criterion, value): (minimum, maximum).
Bounds = Mapping[tuple[str, str], tuple[int, int]]


def city_quotas(mandate: Mandate, group: SeatGroup) -> tuple[Quota, ...]:
    """The seat group's quotas as the city declares them."""
    return group_quotas(city_of(mandate).config.composition, group)


def overrides(session: Session, mandate_id: int, group_key: str) -> list[MandateQuota]:
    """The mandate's own bounds for a seat group, in a stable order."""
    return list(session.scalars(select(MandateQuota).where(
        MandateQuota.mandate_id == mandate_id, MandateQuota.seat_group == group_key)
        .order_by(MandateQuota.feature, MandateQuota.value)))


def _replace(quota: Quota, low: int, high: int) -> Quota:
    return dataclasses.replace(
        quota, min=low, max=high,
        min_flex=None if quota.min_flex is None else min(quota.min_flex, low),
        max_flex=None if quota.max_flex is None else max(quota.max_flex, high))


def quotas_for(session: Session, mandate: Mandate, group: SeatGroup) -> tuple[Quota, ...]:
    """The quotas a draw of ``group`` in ``mandate`` meets: the city's, with the mandate's."""
    own = {(row.feature, row.value): (row.min_seats, row.max_seats)
           for row in overrides(session, mandate.id, group.key)}
    return tuple(_replace(q, *own[(q.feature, q.value)]) if (q.feature, q.value) in own else q
                 for q in city_quotas(mandate, group))


def mandate_quotas(session: Session, mandate: Mandate) -> dict[str, tuple[Quota, ...]]:
    """:func:`quotas_for` of every seat group of ``mandate``, read in one query."""
    own: dict[str, dict[tuple[str, str], tuple[int, int]]] = {}
    for row in session.scalars(select(MandateQuota).where(
            MandateQuota.mandate_id == mandate.id)):
        own.setdefault(row.seat_group, {})[(row.feature, row.value)] = (
            row.min_seats, row.max_seats)
    result: dict[str, tuple[Quota, ...]] = {}
    for group in city_of(mandate).config.composition.seat_groups:
        bounds = own.get(group.key, {})
        result[group.key] = tuple(
            _replace(q, *bounds[(q.feature, q.value)]) if (q.feature, q.value) in bounds else q
            for q in city_quotas(mandate, group))
    return result


def labels(features: Sequence[Feature], key: str,
           value: str | None = None) -> tuple[object, object]:
    """A criterion's and a value's labels as a refusal names them: the city's labels
    (rendered in the reader's language, in English on the command line), else the keys."""
    for feature in features:
        if feature.key == key:
            for option in feature.values:
                if option.key == value:
                    return feature.label, option.label
            return feature.label, value
    return key, value


def validate(group: SeatGroup, base: Sequence[Quota], bounds: Bounds,
             features: Sequence[Feature] = ()) -> dict[tuple[str, str], tuple[int, int]]:
    """The quotas ``base`` with ``bounds`` applied, or the first bound refused, named.

    A refused bound names its criterion and value by the city's ``features`` labels
    (« Genre “Femme” »), the seat group by its label; an unknown criterion or value
    is named by the key given, with the keys accepted.
    """
    known: dict[str, list[str]] = {}
    for quota in base:
        known.setdefault(quota.feature, []).append(quota.value)
    merged = {(q.feature, q.value): (q.min, q.max) for q in base}
    for (feature, value), (low, high) in bounds.items():
        if feature not in known:
            raise InvalidInput("seat group %(group)r has no criterion %(feature)r; its criteria "
                               "are %(known)s", group=group.key, feature=feature,
                               known=", ".join(known), field="feature")
        if value not in known[feature]:
            raise InvalidInput("criterion %(feature)r has no value %(value)r; its values are "
                               "%(known)s", feature=feature, value=value,
                               known=", ".join(known[feature]), field="value")
        name, option = labels(features, feature, value)
        if low < 0:
            raise InvalidInput("%(feature)s “%(value)s”: the minimum %(minimum)s is below 0",
                               feature=name, value=option, minimum=low, field="min")
        if high > group.seats:
            raise InvalidInput("%(feature)s “%(value)s”: the maximum %(maximum)s is above the "
                               "%(seats)s seats of the seat group “%(group)s”", feature=name,
                               value=option, maximum=high, seats=group.seats, group=group.label,
                               field="max")
        if low > high:
            raise InvalidInput("%(feature)s “%(value)s”: the minimum %(minimum)s is above the "
                               "maximum %(maximum)s", feature=name, value=option,
                               minimum=low, maximum=high, field="min")
        merged[(feature, value)] = (low, high)
    for feature, values in known.items():
        lows = sum(merged[(feature, v)][0] for v in values)
        highs = sum(merged[(feature, v)][1] for v in values)
        name = labels(features, feature)[0]
        if lows > group.seats:
            raise InvalidInput("%(feature)s: the minimums add up to %(total)s, more than the "
                               "%(seats)s seats of the seat group “%(group)s”",
                               feature=name, total=lows, seats=group.seats, group=group.label)
        if highs < group.seats:
            raise InvalidInput("%(feature)s: the maximums add up to %(total)s, fewer than the "
                               "%(seats)s seats of the seat group “%(group)s”",
                               feature=name, total=highs, seats=group.seats, group=group.label)
    return merged


def _features(mandate: Mandate) -> tuple[Feature, ...]:
    return city_of(mandate).config.composition.features


def _open(session: Session, mandate_id: int, group_key: str) -> tuple[Mandate, SeatGroup]:
    mandate = get(session, Mandate, mandate_id)
    if mandate.status != "open":
        raise NotAllowed("mandate %(mandate)s is closed", mandate=mandate.id)
    group = seat_group(mandate, group_key)
    if group.selection != "stratified":
        raise NotAllowed("seat group %(group)r is drawn by a %(selection)s lottery, without "
                         "quotas", group=group.key, selection=group.selection)
    return mandate, group


def _store(session: Session, mandate: Mandate, group: SeatGroup,
           merged: Mapping[tuple[str, str], tuple[int, int]], action: str,
           **extra: object) -> tuple[Quota, ...]:
    """Write ``merged`` as the mandate's bounds (only those unlike the city's), audited."""
    before = quotas_for(session, mandate, group)
    city = {(q.feature, q.value): (q.min, q.max) for q in city_quotas(mandate, group)}
    rows = {(r.feature, r.value): r for r in overrides(session, mandate.id, group.key)}
    for key, (low, high) in merged.items():
        row = rows.get(key)
        if city[key] == (low, high):
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(MandateQuota(mandate_id=mandate.id, seat_group=group.key,
                                     feature=key[0], value=key[1], min_seats=low,
                                     max_seats=high))
        elif (row.min_seats, row.max_seats) != (low, high):
            row.min_seats, row.max_seats, row.updated_at = low, high, utcnow()
    try:
        session.flush()
    except IntegrityError:  # another request wrote the same bound between the read and now
        raise ConflictError("the quotas of seat group %(group)r were changed at the same "
                            "time; reload them and try again", group=group.key) from None
    after = quotas_for(session, mandate, group)
    changes = [[a.feature, a.value, [b.min, b.max], [a.min, a.max]]
               for b, a in zip(before, after, strict=True) if (b.min, b.max) != (a.min, a.max)]
    audit.record(session, action, "mandate", mandate.id, seat_group=group.key,
                 changes=changes, **extra)
    return after


def set_quotas(session: Session, mandate_id: int, group_key: str,
               bounds: Bounds) -> tuple[Quota, ...]:
    """Set some bounds of a seat group's quotas for one mandate; the others are kept."""
    mandate, group = _open(session, mandate_id, group_key)
    merged = validate(group, quotas_for(session, mandate, group), bounds, _features(mandate))
    return _store(session, mandate, group, merged, "quotas.set")


def reset_quotas(session: Session, mandate_id: int, group_key: str) -> tuple[Quota, ...]:
    """Go back to the city's quotas for this seat group of this mandate."""
    mandate, group = _open(session, mandate_id, group_key)
    city = city_quotas(mandate, group)
    return _store(session, mandate, group, {(q.feature, q.value): (q.min, q.max) for q in city},
                  "quotas.reset")


def advice(message: str | None) -> dict[tuple[str, str], tuple[str, int]]:
    """The bounds a failed draw's relaxation advises: (criterion, value) -> (bound, new)."""
    moves: dict[tuple[str, str], tuple[str, int]] = {}
    for line in (message or "").splitlines():
        change = CHANGE.match(line)
        if change:
            feature, value, bound, _old, new = change.groups()
            moves[(feature, value)] = ("min" if bound == "minimum" else "max", int(new))
    return moves


def failed_draw(session: Session, mandate_id: int, group_key: str) -> Draw | None:
    """The seat group's latest panel draw, if it failed."""
    draw = session.scalars(select(Draw).where(
        Draw.mandate_id == mandate_id, Draw.kind == "panel", Draw.seat_group == group_key)
        .order_by(Draw.id.desc()).limit(1)).first()
    return draw if draw is not None and draw.state == "failed" else None


def apply_relaxation(session: Session, mandate_id: int, group_key: str) -> tuple[Quota, ...]:
    """Set as the mandate's quotas the bounds the last failed draw's advice names."""
    mandate, group = _open(session, mandate_id, group_key)
    draw = failed_draw(session, mandate.id, group.key)
    moves = advice(draw.message) if draw is not None else {}
    if draw is None or not moves:
        raise NotAllowed("the last draw of the seat group “%(group)s” gives no advice on its "
                         "quotas to apply", group=group.label)
    current = {(q.feature, q.value): (q.min, q.max)
               for q in quotas_for(session, mandate, group)}
    bounds: dict[tuple[str, str], tuple[int, int]] = {}
    for key, (bound, new) in moves.items():
        low, high = current.get(key, (0, group.seats))
        bounds[key] = (new, max(high, new)) if bound == "min" else (min(low, new), new)
    merged = validate(group, quotas_for(session, mandate, group), bounds, _features(mandate))
    return _store(session, mandate, group, merged, "quotas.relax", draw=draw.id)
