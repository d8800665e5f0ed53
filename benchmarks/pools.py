"""Synthetic respondent pools for the panel-selection benchmarks, reproducible from a seed.

Respondents are not a random sample of the population: older and more educated people answer
invitation letters more often. The generator draws respondents from population shares
weighted by a response propensity, and derives quotas from the *population* shares (min/max
around the proportional target), so the quotas pull against the pool exactly as in real
drafts. Only the standard library is used: the peer's benchmark venv imports this file too.

    python benchmarks/pools.py --out benchmarks/data      # writes every pool as two CSV files
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from dataclasses import dataclass
from pathlib import Path

# Population shares and response propensities (relative, per value).
AGE_BANDS_ADULT = {
    "18-29": (0.19, 0.55),
    "30-44": (0.26, 0.85),
    "45-59": (0.24, 1.10),
    "60-74": (0.20, 1.45),
    "75+": (0.11, 0.90),
}
AGE_BANDS_PARIS = {"16-17": (0.03, 0.40), **AGE_BANDS_ADULT}
DIPLOMAS = {
    "aucun": (0.17, 0.35),
    "brevet-cap-bep": (0.24, 0.65),
    "bac": (0.17, 0.95),
    "bac+2": (0.14, 1.25),
    "bac+3-et-plus": (0.28, 1.70),
}
GENDERS = {"femme": (0.52, 1.05), "homme": (0.48, 0.95)}
REGIONS = {
    "nord": (0.21, 1.0),
    "est": (0.17, 0.9),
    "ouest": (0.19, 1.1),
    "sud": (0.22, 1.0),
    "centre": (0.12, 1.05),
    "outre-mer": (0.09, 0.7),
}
# Paris arrondissements, population in thousands; response propensity is mildly higher in the
# wealthier west and centre, which is the bias practitioners report.
ARRONDISSEMENTS_K = {
    "1er": 16, "2e": 21, "3e": 34, "4e": 28, "5e": 58, "6e": 40, "7e": 48, "8e": 35,
    "9e": 59, "10e": 84, "11e": 143, "12e": 139, "13e": 178, "14e": 134, "15e": 227,
    "16e": 162, "17e": 164, "18e": 190, "19e": 181, "20e": 192,
}  # fmt: skip
_RICHER = {"1er", "4e", "5e", "6e", "7e", "8e", "15e", "16e", "17e"}


@dataclass(frozen=True)
class SyntheticPool:
    """A pool as rows: ``people[i] = (id, values...)``; quotas as (feature, value, min, max)."""

    name: str
    seats: int
    features: tuple[str, ...]
    people: tuple[tuple[str, ...], ...]
    quotas: tuple[tuple[str, str, int, int], ...]
    #: one household key per person (same order as ``people``), or None: no household rule
    households: tuple[str, ...] | None = None

    def write_csv(self, folder: Path) -> tuple[Path, Path]:
        """Write ``<name>-respondents.csv`` (id,features...) and ``<name>-quotas.csv``."""
        folder.mkdir(parents=True, exist_ok=True)
        people_path = folder / f"{self.name}-respondents.csv"
        quotas_path = folder / f"{self.name}-quotas.csv"
        with people_path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            if self.households is None:
                writer.writerow(("id", *self.features))
                writer.writerows(self.people)
            else:
                writer.writerow(("id", *self.features, "household"))
                writer.writerows((*p, h) for p, h in zip(self.people, self.households,
                                                          strict=True))
        with quotas_path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(("feature", "value", "min", "max"))
            writer.writerows(self.quotas)
        return people_path, quotas_path


def _draw(rng: random.Random, table: dict[str, tuple[float, float]]) -> str:
    values = list(table)
    weights = [share * propensity for share, propensity in table.values()]
    return rng.choices(values, weights=weights)[0]


def _quotas(
    feature: str,
    table: dict[str, tuple[float, float]],
    seats: int,
    available: dict[str, int],
    slack: float,
) -> list[tuple[str, str, int, int]]:
    """Min/max around the proportional target, never asking more than the pool holds.

    ``slack`` is a share of the target (0.25: ±25 %); 0 means a band of one seat,
    ⌊target⌋..⌊target⌋ + 1, as practitioners set the tightest quotas.
    """
    rows = []
    for value, (share, _) in table.items():
        target = seats * share
        if slack == 0:
            low = min(math.floor(target), available.get(value, 0))
            high = max(math.floor(target) + 1, low)
        else:
            low = min(math.floor(target * (1 - slack)), available.get(value, 0))
            high = max(math.ceil(target * (1 + slack)), low)
        rows.append((feature, value, low, high))
    total_min = sum(r[2] for r in rows)
    total_max = sum(r[3] for r in rows)
    if total_min > seats or total_max < seats:  # pragma: no cover - shares sum to one
        raise ValueError(f"{feature}: quotas {total_min}..{total_max} cannot fill {seats}")
    return rows


def _build(
    name: str,
    size: int,
    seats: int,
    tables: dict[str, dict[str, tuple[float, float]]],
    seed: int,
    slack: float,
    households: bool = False,
) -> SyntheticPool:
    rng = random.Random(f"{name}/{seed}")
    features = tuple(tables)
    # Age and diploma are correlated in real pools (young people have not finished studying,
    # the oldest cohorts studied less); a second draw of the diploma for those ages does it.
    people = []
    for i in range(size):
        row = {f: _draw(rng, tables[f]) for f in features}
        if "diplome" in row and row.get("age") in ("16-17", "75+") and rng.random() < 0.5:
            row["diplome"] = rng.choice(["aucun", "brevet-cap-bep"])
        people.append((f"r{i + 1:05d}", *(row[f] for f in features)))
    quotas: list[tuple[str, str, int, int]] = []
    for j, feature in enumerate(features):
        available: dict[str, int] = {}
        for person in people:
            available[person[j + 1]] = available.get(person[j + 1], 0) + 1
        quotas.extend(_quotas(feature, tables[feature], seats, available, slack))
    keys: tuple[str, ...] | None = None
    if households:
        # About one respondent in six shares a household with another (couples answering
        # the same letter); the rest live alone.
        made: list[str] = []
        for i in range(size):
            if i and rng.random() < 0.17 and not made[-1].startswith("shared"):
                made.append(f"shared-{i}")
                made[-2] = made[-1]
            else:
                made.append(f"h{i}")
        keys = tuple(made)
    return SyntheticPool(name, seats, features, tuple(people), tuple(quotas), keys)


def generic_pool(size: int, seats: int, seed: int = 2026) -> SyntheticPool:
    """A national-style pool: gender, age (5 bands), region (6), diploma (5)."""
    tables = {"genre": GENDERS, "age": AGE_BANDS_ADULT, "region": REGIONS, "diplome": DIPLOMAS}
    return _build(f"pool-{size}-{seats}", size, seats, tables, seed, slack=0.25)


def paris_pool(size: int = 750, seats: int = 100, seed: int = 2026) -> SyntheticPool:
    """The Paris-like pool: gender, six age bands, 20 arrondissements, five diploma levels."""
    total = sum(ARRONDISSEMENTS_K.values())
    arrondissements = {
        name: (k / total, 1.15 if name in _RICHER else 0.95)
        for name, k in ARRONDISSEMENTS_K.items()
    }
    tables = {
        "genre": GENDERS,
        "age": AGE_BANDS_PARIS,
        "arrondissement": arrondissements,
        "diplome": DIPLOMAS,
    }
    return _build(f"paris-{size}-{seats}", size, seats, tables, seed, slack=0.3)


# Further features for the tight pools (4 to 7 features in all).
HOUSING = {"proprietaire": (0.40, 1.25), "locataire": (0.55, 0.85), "autre": (0.05, 0.6)}
ACTIVITY = {
    "emploi": (0.55, 0.95), "chomage": (0.07, 0.7), "retraite": (0.25, 1.35),
    "etudes": (0.07, 0.8), "autre": (0.06, 0.7),
}  # fmt: skip
URBAN = {"grande-ville": (0.45, 1.05), "periurbain": (0.35, 1.0), "rural": (0.20, 0.9)}
EXTRA = {"logement": HOUSING, "activite": ACTIVITY, "urbanite": URBAN}


def tight_pool(
    size: int, seats: int, *, features: int = 4, slack: float = 0.0, households: bool = False,
    seed: int = 2026,
) -> SyntheticPool:
    """A national-style pool with tight quotas: ``slack`` 0 (one seat) or 0.1 (±10 %).

    Features: gender, age, region, diploma, then housing, activity, urban (``features``
    of them, 4 to 7); ``households`` ties about one respondent in six to another.
    """
    tables = {"genre": GENDERS, "age": AGE_BANDS_ADULT, "region": REGIONS, "diplome": DIPLOMAS,
              **EXTRA}
    chosen = dict(list(tables.items())[:features])
    band = "seat" if slack == 0 else f"{round(slack * 100)}pc"
    name = f"tight-{band}-{size}-{seats}-f{features}" + ("-hh" if households else "")
    return _build(name, size, seats, chosen, seed, slack=slack, households=households)


# The benchmark sizes: respondents / seats.
SIZES = ((150, 22), (300, 45), (500, 75), (750, 112))
# Tight pools: (respondents, seats, features, slack, households).
TIGHT = (
    (300, 30, 4, 0.0, False),
    (500, 50, 4, 0.0, False),
    (500, 50, 5, 0.1, True),
    (1000, 100, 4, 0.0, False),
    (1000, 100, 6, 0.1, False),
    (1000, 100, 7, 0.1, True),
    (1500, 120, 5, 0.0, True),
    (1500, 120, 7, 0.1, False),
)


def all_pools(seed: int = 2026) -> list[SyntheticPool]:
    return (
        [generic_pool(n, k, seed) for n, k in SIZES]
        + [paris_pool(seed=seed)]
        + [tight_pool(n, k, features=f, slack=s, households=h, seed=seed)
           for n, k, f, s, h in TIGHT]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    for pool in all_pools(args.seed):
        for path in pool.write_csv(args.out):
            print(path)


if __name__ == "__main__":
    main()
