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


def compile_types(problem: Problem) -> TypeModel:
    """Group interchangeable respondents into types and index the quota rows."""
    pool = problem.pool
    feature_index = {name: j for j, name in enumerate(pool.features)}
    rows: dict[tuple[int, str], int] = {}
    lo: list[int] = []
    hi: list[int] = []
    for quota in problem.quotas:
        if quota.feature not in feature_index:
            raise ValueError(f"quota on unknown feature {quota.feature!r}")
        key = (feature_index[quota.feature], quota.value)
        if key in rows:
            raise ValueError(f"two quotas for {quota.feature}/{quota.value}")
        rows[key] = len(lo)
        lo.append(quota.min)
        hi.append(quota.max)
    dummy = len(lo)
    constrained = sorted({j for j, _ in rows})

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
        signature = tuple(rows.get((j, pool.values[i][j]), dummy) for j in constrained)
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
    quota_of = np.array(signatures, dtype=np.int64).reshape(n_types, len(constrained))
    return TypeModel(
        problem=problem,
        members=members,
        sizes=np.array([len(m) for m in members], dtype=np.int64),
        quota_of=quota_of,
        lo=np.array([*lo, -(10**9)], dtype=np.int64),
        hi=np.array([*hi, 10**9], dtype=np.int64),
        households=households,
        household_of=household_of,
    )
