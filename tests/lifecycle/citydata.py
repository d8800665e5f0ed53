"""Respondents files made to measure for a city's seat groups, for the lifecycle tests.

The first ``seats`` rows of a stratified group meet every quota by construction
(each feature's values are dealt within their bounds, then shuffled), so a panel
always exists; the other rows repeat those feature vectors in another order.
Personal columns are filled with obviously fake values.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from kleroterion.city.quotas import group_quotas
from kleroterion.city.types import CityConfig, SeatGroup


def _counts(bounds: list[tuple[str, int, int]], seats: int) -> list[str]:
    counts = {value: low for value, low, _ in bounds}
    room = seats - sum(counts.values())
    for value, low, high in bounds:
        extra = min(room, high - low)
        counts[value] += extra
        room -= extra
    assert room == 0, "the quotas cannot be met"
    return [value for value, count in counts.items() for _ in range(count)]


def write_respondents(path: Path, config: CityConfig, group: SeatGroup, *, rows: int,
                      seed: int = 1, prefix: str = "", delimiter: str = ",",
                      quotients: list[str] | None = None) -> list[str]:
    """Write ``rows`` respondents for ``group``; return their ids."""
    rng = random.Random(seed)
    quotas = group_quotas(config.composition, group)
    columns: dict[str, list[str]] = {}
    for feature in group.features:
        bounds = [(q.value, q.min, q.max) for q in quotas if q.feature == feature]
        values = _counts(bounds, group.seats)
        rng.shuffle(values)
        columns[feature] = values
    vectors = [tuple(columns[f][i] for f in group.features) for i in range(group.seats)]
    while len(vectors) < rows:
        vectors.append(vectors[rng.randrange(group.seats)])
    vectors = vectors[:rows]
    ids = [f"{prefix}{group.key[:3]}{i:04d}" for i in range(rows)]
    # Of an age the group admits (its seat_group_eligibility) for mandates starting from
    # March 2025 to February 2027: 16 then 17 for a 16-17 group.
    born = "2009-03-01" if group.maximum_age is not None else "1980-01-01"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=delimiter)
        header = ["id", *group.features, "nom", "adresse", "date_naissance", "courriel"]
        if quotients is not None:
            header.append("quotient_familial")
        writer.writerow(header)
        for i, (ident, vector) in enumerate(zip(ids, vectors, strict=True)):
            row = [ident, *vector, f"Person {ident}", f"{i} rue Fictive", born,
                   f"{ident}@example.org"]
            if quotients is not None:
                row.append(quotients[i % len(quotients)])
            writer.writerow(row)
    return ids
