"""Respondents compiled to types: interchangeable respondents, counted together.

Respondents with the same quota-relevant values and no household tie are one *type*; the
LEXIMIN engine works over types (a panel is a vector of counts per type). Household members
are types of their own, tied by one row "at most one of them".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from kleroterion.sortition.types import Problem

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class LeximinError(RuntimeError):
    """The solver failed in a way the numerical safeguards could not repair."""


@dataclass
class TypeModel:
    """A Problem compiled to types and quota rows.

    ``members[t]`` are the pool indices of type t (sorted); ``quota_of[t, j]`` the quota row
    that type t counts in for the j-th constrained feature (``n_quotas``, a dummy row with no
    bounds, when its value has no quota). ``households`` lists groups of types (one member
    each) of which at most one may be selected.
    """

    problem: Problem
    members: list[list[int]]
    sizes: IntArray
    quota_of: IntArray
    lo: IntArray
    hi: IntArray
    households: list[list[int]]
    household_of: IntArray  # index into households, -1 when untied

    @property
    def n_types(self) -> int:
        return len(self.members)

    @property
    def n_quotas(self) -> int:
        return len(self.lo) - 1

    def quota_matrix(self) -> FloatArray:
        """Dense 0/1 matrix, quota rows by types (without the dummy row)."""
        matrix = np.zeros((self.n_quotas + 1, self.n_types))
        for j in range(self.quota_of.shape[1]):
            matrix[self.quota_of[:, j], np.arange(self.n_types)] = 1.0
        return matrix[: self.n_quotas]

    def counts(self, panel: IntArray) -> IntArray:
        """How many of a type-count panel fall in each quota row (dummy row last)."""
        out = np.zeros(self.n_quotas + 1, dtype=np.int64)
        for j in range(self.quota_of.shape[1]):
            np.add.at(out, self.quota_of[:, j], panel)
        return out

    def is_feasible(self, panel: IntArray) -> bool:
        counts = self.counts(panel)[: self.n_quotas]
        if int(panel.sum()) != self.problem.seats:
            return False
        if np.any(panel < 0) or np.any(panel > self.sizes):
            return False
        if np.any(counts < self.lo[:-1]) or np.any(counts > self.hi[:-1]):
            return False
        return all(int(panel[h].sum()) <= 1 for h in self.households)


class QuotaRows:
    """The quota rows of a problem: one per quota, in its order, and a dummy row last that
    counts the values no quota names (no bounds).

    Raises ``ValueError`` on a quota of a feature the pool lacks or two quotas of one value.
    """

    def __init__(self, problem: Problem) -> None:
        feature_index = {name: j for j, name in enumerate(problem.pool.features)}
        rows: dict[tuple[int, str], int] = {}
        for quota in problem.quotas:
            if quota.feature not in feature_index:
                raise ValueError(f"quota on unknown feature {quota.feature!r}")
            key = (feature_index[quota.feature], quota.value)
            if key in rows:
                raise ValueError(f"two quotas for {quota.feature}/{quota.value}")
            rows[key] = len(rows)
        self.rows = rows
        self.dummy = len(rows)
        #: the features some quota names, in the pool's order
        self.constrained = sorted({j for j, _ in rows})
        self.lo = np.array([*(q.min for q in problem.quotas), -(10**9)], dtype=np.int64)
        self.hi = np.array([*(q.max for q in problem.quotas), 10**9], dtype=np.int64)

    def signature(self, values: tuple[str, ...]) -> tuple[int, ...]:
        """The row a respondent with ``values`` counts in, for each constrained feature."""
        return tuple(self.rows.get((j, values[j]), self.dummy) for j in self.constrained)


def compile_types(problem: Problem) -> TypeModel:
    """Group interchangeable respondents into types and index the quota rows."""
    pool = problem.pool
    quota_rows = QuotaRows(problem)

    household_size: dict[str, int] = {}
    if pool.households is not None:
        for hh in pool.households:
            if hh is not None:
                household_size[hh] = household_size.get(hh, 0) + 1

    type_of_key: dict[tuple[int, ...], int] = {}
    members: list[list[int]] = []
    signatures: list[tuple[int, ...]] = []
    household_types: dict[str, list[int]] = {}
    for i in range(len(pool)):
        signature = quota_rows.signature(pool.values[i])
        tie = pool.households[i] if pool.households is not None else None
        if tie is not None and household_size[tie] > 1:
            # Household members stay apart: the rule binds them one by one.
            household_types.setdefault(tie, []).append(len(members))
            members.append([i])
            signatures.append(signature)
            continue
        t = type_of_key.get(signature)
        if t is None:
            type_of_key[signature] = len(members)
            members.append([i])
            signatures.append(signature)
        else:
            members[t].append(i)
    n_types = len(members)
    household_of = np.full(n_types, -1, dtype=np.int64)
    households = [types for _, types in sorted(household_types.items())]
    for h, types in enumerate(households):
        household_of[types] = h
    quota_of = np.array(signatures, dtype=np.int64).reshape(n_types,
                                                             len(quota_rows.constrained))
    return TypeModel(
        problem=problem,
        members=members,
        sizes=np.array([len(m) for m in members], dtype=np.int64),
        quota_of=quota_of,
        lo=quota_rows.lo,
        hi=quota_rows.hi,
        households=households,
        household_of=household_of,
    )
