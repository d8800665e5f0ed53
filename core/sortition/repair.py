"""Repair of a rounding with new panels: no one more than two panels off.

The rounding of :mod:`~kleroterion.sortition.rounding` keeps to the panels of the
distribution it rounds; where most types are single respondents each sits in a hundred
of them, the rounding errors of those add up, and some respondent ends three to five
panels from m·π. The lottery does not need the distribution's panels, only m panels that
meet the quotas: this module exchanges one copy of a panel for another panel the quotas
allow, chosen for the respondents it moves, while that lowers

    Σ over respondents of  EPS·d² + max(0, |d| − FREE)²

(d: a respondent's number of panels minus m·π, members of a type spread evenly over the
type's seats), until no one is further than ``STOP`` panels off. The copy given up is one
whose members are most over their share; the panel taken is first the given-up one
improved by one-for-one swaps that keep the quotas (:meth:`Pricer.improve`), then, when
no swap helps, the panel of highest marginal gain under the quotas (the pricing ILP). A
move is kept only when the exact cost falls. Everything is deterministic (fixed order,
single-threaded HiGHS with a fixed seed, a budget counted in moves, never in seconds),
so that ``verify`` re-derives the same list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from kleroterion.sortition.typemodel import QuotaRows, TypeModel
from kleroterion.sortition.types import Problem

if TYPE_CHECKING:
    from kleroterion.sortition.pricing import Pricer

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Weight of the squared deviation inside the free band: it keeps new panels near the old.
EPS = 0.05
#: A respondent this many panels off (or fewer) costs only EPS·d².
FREE = 1.0
#: The repair stops once no respondent is further than this many panels off.
STOP = 1.5
#: Moves the repair may make (each exchanges one panel copy for another).
MAX_MOVES = 3000
#: Copies tried per move, those whose members are most over their share first.
TRIES = 8
#: Swaps one exchange may make, the types on each side it considers (the panel's of lowest
#: gain, the others' of highest), and the least gain a swap must bring.
SWAP_STEPS = 200
SWAP_CANDIDATES = 1000
SWAP_ROOM = 400
SWAP_TOL = 1e-12
#: The respondents furthest off a move tries to bring nearer, in turn.
WORST = 3
#: Of those, how many may call the exact pricing ILP when swaps do not help.
ILP_TRIES = 2


def type_model(problem: Problem, groups: Sequence[Sequence[int]]) -> TypeModel | None:
    """The quota model of ``problem`` over the rounding's ``groups`` (its types).

    None when a group mixes respondents the quotas tell apart, or holds a member of a
    household with others in the pool: the rounding then keeps to the distribution's panels.
    """
    pool = problem.pool
    try:
        quota_rows = QuotaRows(problem)
    except ValueError:
        return None
    tied: dict[str, list[int]] = {}
    if pool.households is not None:
        for i, home in enumerate(pool.households):
            if home is not None:
                tied.setdefault(home, []).append(i)
    type_of = np.full(len(pool), -1, dtype=np.int64)
    signatures: list[tuple[int, ...]] = []
    for t, members in enumerate(groups):
        if not members:
            return None
        signature = {quota_rows.signature(pool.values[i]) for i in members}
        if len(signature) != 1:
            return None
        signatures.append(signature.pop())
        type_of[list(members)] = t
    if np.any(type_of < 0):
        return None
    households: list[list[int]] = []
    for _, people in sorted(tied.items()):
        if len(people) < 2:
            continue
        types = [int(type_of[i]) for i in people]
        if any(len(groups[t]) != 1 for t in types):
            return None
        households.append(types)
    household_of = np.full(len(groups), -1, dtype=np.int64)
    for h, types in enumerate(households):
        household_of[types] = h
    return TypeModel(
        problem=problem,
        members=[sorted(g) for g in groups],
        sizes=np.array([len(g) for g in groups], dtype=np.int64),
        quota_of=np.array(signatures, dtype=np.int64).reshape(len(groups),
                                                              len(quota_rows.constrained)),
        lo=quota_rows.lo,
        hi=quota_rows.hi,
        households=households,
        household_of=household_of,
    )


def _penalty(d: FloatArray) -> FloatArray:
    over = np.maximum(np.abs(d) - FREE, 0.0)
    result: FloatArray = EPS * d * d + over * over
    return result


class Costs:
    """The cost of each type's seats: its members spread evenly, each priced by ``_penalty``."""

    def __init__(self, target: FloatArray, sizes: FloatArray) -> None:
        self.sizes = sizes
        self.aim = target / sizes

    def of(self, seats: FloatArray, types: IntArray | None = None) -> FloatArray:
        sizes = self.sizes if types is None else self.sizes[types]
        aim = self.aim if types is None else self.aim[types]
        q = np.floor(seats / sizes + 1e-9)
        r = seats - q * sizes
        result: FloatArray = r * _penalty(q + 1.0 - aim) + (sizes - r) * _penalty(q - aim)
        return result

    def change(self, seats: FloatArray) -> FloatArray:
        """Each type's largest change of a member's count (``rounding._member_change``)."""
        share = seats / self.sizes
        result: FloatArray = np.maximum(np.abs(np.floor(share + 1e-9) - self.aim),
                                        np.abs(np.ceil(share - 1e-9) - self.aim))
        return result


def repair(
    model: TypeModel,
    type_panels: IntArray,
    counts: IntArray,
    target: FloatArray,
) -> tuple[IntArray, IntArray]:
    """Type panels (the given ones first, then new ones) and their multiplicities.

    ``counts`` are the rounding's multiplicities of ``type_panels``; the result keeps
    Σ counts, every panel meets the quotas of ``model``.
    """
    from kleroterion.sortition.pricing import Pricer

    costs = Costs(target, model.sizes.astype(np.float64))
    panels: list[IntArray] = [row.copy() for row in type_panels]
    index = {row.tobytes(): p for p, row in enumerate(panels)}
    copies = [int(c) for c in counts]
    seats = (counts.astype(np.float64) @ type_panels).astype(np.float64)
    pricer: Pricer | None = None
    for _ in range(MAX_MOVES):
        if float(costs.change(seats).max(initial=0.0)) <= STOP:
            break
        here = costs.of(seats)
        total = float(here.sum())
        stacked = np.array(panels, dtype=np.int64)
        rows, cols = np.nonzero(stacked)
        vals = stacked[rows, cols].astype(np.float64)
        relief = np.bincount(rows, here[cols] - costs.of(seats[cols] - vals, cols),
                             minlength=len(panels))
        relief[np.array(copies) <= 0] = -np.inf
        # The copies worth giving up for the respondents furthest off: those that seat
        # them when they are over their share, those that do not when they are under.
        change = costs.change(seats)
        moved = None
        for t in np.argsort(-change, kind="stable")[:WORST]:
            if change[t] <= STOP:
                break
            over = seats[t] > target[t]
            seated = stacked[:, t] > 0
            eligible = np.isfinite(relief) & (seated if over else ~seated)
            ranked = np.flatnonzero(eligible)
            order = [int(p) for p in ranked[np.argsort(-relief[ranked], kind="stable")][:TRIES]]
            if pricer is None:
                pricer = Pricer(model, seed=0)
            moved = _move(pricer, costs, panels, order, seats, total)
            if moved is not None:
                break
        if moved is None:
            break
        a, panel = moved
        key = panel.tobytes()
        b = index.get(key)
        if b is None:
            b = len(panels)
            index[key] = b
            panels.append(panel)
            copies.append(0)
        copies[a] -= 1
        copies[b] += 1
        seats += panels[b] - panels[a]
    keep = [p for p, c in enumerate(copies) if c > 0]
    return (np.array([panels[p] for p in keep], dtype=np.int64).reshape(len(keep), -1),
            np.array([copies[p] for p in keep], dtype=np.int64))


def _move(
    pricer: Pricer, costs: Costs, panels: list[IntArray], order: list[int], seats: FloatArray,
    total: float,
) -> tuple[int, IntArray] | None:
    """The first copy of ``order`` worth exchanging, and the panel to take instead."""
    gains = []
    for a in order:
        base = seats - panels[a]
        gain = costs.of(base) - costs.of(base + 1.0)
        gains.append(gain)
        panel = pricer.improve(panels[a], gain, SWAP_STEPS, limit=(SWAP_CANDIDATES, SWAP_ROOM),
                               tol=SWAP_TOL)
        if _better(costs, panels[a], panel, base, total):
            return a, panel.astype(np.int64)
    for a, gain in list(zip(order, gains, strict=True))[:ILP_TRIES]:
        best = pricer.best_panel(gain)
        if best is not None and _better(costs, panels[a], best, seats - panels[a], total):
            return a, best.astype(np.int64)
    return None


def _better(costs: Costs, old: IntArray, new: IntArray, base: FloatArray, total: float) -> bool:
    return (not np.array_equal(old, new)
            and float(costs.of(base + new).sum()) < total - 1e-9)
