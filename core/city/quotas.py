"""Quotas of a seat group derived from the city's stratification criteria.

A criterion gives each value a weight in the population; the proportional target of
a group with ``seats`` seats is allotted by largest remainder (so the targets add up
to the seats), and the quota is the target plus or minus the criterion's
tolerance. An explicit quota in the seat group replaces the derived one; a value
whose explicit maximum is 0 takes no share of the targets (Paris's electoral-roll
group has no one aged 16-17).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from kleroterion.city.types import Feature, PanelComposition, SeatGroup
from kleroterion.sortition.types import Quota


def largest_remainder(weights: Sequence[float], total: int) -> list[int]:
    """Split ``total`` in proportion to ``weights``, rounding by largest remainder.

    Ties between equal remainders go to the earlier weight, so the split is
    deterministic.
    """
    if total < 0:
        raise ValueError(f"cannot split a negative total {total}")
    whole = sum(weights)
    if whole <= 0:
        return [0] * len(weights)
    exact = [weight * total / whole for weight in weights]
    shares = [math.floor(value) for value in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for index in order[: total - sum(shares)]:
        shares[index] += 1
    return shares


def feature_quotas(feature: Feature, seats: int, explicit: Sequence[Quota] = ()) -> list[Quota]:
    """The quotas of one criterion for ``seats`` seats."""
    overrides = {quota.value: quota for quota in explicit if quota.feature == feature.key}
    open_values = [
        value
        for value in feature.values
        if value.key not in overrides or overrides[value.key].max > 0
    ]
    targets = dict(
        zip(
            (value.key for value in open_values),
            largest_remainder([value.population for value in open_values], seats),
            strict=True,
        )
    )
    quotas = []
    for value in feature.values:
        if value.key in overrides:
            quotas.append(overrides[value.key])
            continue
        target = targets[value.key]
        quotas.append(
            Quota(
                feature.key,
                value.key,
                max(0, target - feature.tolerance),
                min(seats, target + feature.tolerance),
            )
        )
    return quotas


def group_quotas(composition: PanelComposition, group: SeatGroup) -> tuple[Quota, ...]:
    """Every quota of a seat group, criterion by criterion in the group's order."""
    features = {feature.key: feature for feature in composition.features}
    quotas: list[Quota] = []
    for key in group.features:
        quotas += feature_quotas(features[key], group.seats, group.quotas)
    return tuple(quotas)
