"""Panel draws, run through the sortition engine, published as lottery folders and persisted.

A stratified seat group is drawn as the published transparent lottery of
:mod:`kleroterion.sortition.lottery` (Flanigan et al., NeurIPS 2021), in two steps:

*publish* (:func:`publish_panel`, or :func:`start_draw` then
:func:`~kleroterion.services.panel_worker.run_draw` for a background job): the
engine's selection distribution (``find_distribution``, LEXIMIN by default) is
rounded to ``m`` equally likely panels and the lottery folder is written with
``lottery.publish`` (respondents by public id with their selection features only,
quotas, numbered panels, probabilities, a manifest whose digest binds them all)
under the lottery root, as ``<mandate>-<group>-<draw id>/``
(:mod:`~kleroterion.services.panel_folder`). The draw then waits in the
``published`` state with the folder's digest.

*choose* (:func:`choose_panel`): the public number N (dice, a lottery, a bailiff),
known only after the digest is published, picks panel ``N mod m`` with
``lottery.choose``, which records it in the folder's manifest; the panel is
seated. ``kleroterion verify <folder> --digest D --number N`` re-derives the draw.

:func:`draw_panel` keeps the one-call draw (seed or public number given up front) for
the command line and scripts, as publish then choose, so both write the same folder.

A uniform group (Poitiers' addresses) is a plain lottery by the rule of
:mod:`kleroterion.sortition.uniform` (candidates ordered by SHA-256 of the number and
their id, one per household when the city has the household rule), published as a
uniform lottery folder with the number; an open group seats its whole pool.
Replacement draws (:mod:`~kleroterion.services.replacements`) publish their folder
too. The background worker lives in :mod:`~kleroterion.services.panel_worker`.

What is kept: the digests of the respondents and quotas read, the algorithm, the
seed or public number, the folder's digests, every candidate's selection
probability and the panel.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import random
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kleroterion.city.types import SeatGroup
from kleroterion.messages import Message
from kleroterion.models import Draw, DrawEntry, Mandate, Member, MemberEvent, Respondent
from kleroterion.models.base import utcnow
from kleroterion.services import audit
from kleroterion.services.audit import canonical
from kleroterion.services.context import actor, city_of, get
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.panel_folder import (
    FOLDER_FILES,
    check_folder,
    folder_path,
    keep_folder,
    lottery_root,
    public_files,
    publish_uniform_folder,
    undo_on_rollback,
    uniform_choice,
)
from kleroterion.services.panel_worker import (
    HEARTBEAT_SECONDS,
    PROGRESS_SECONDS,
    STALE_AFTER,
    DrawRefused,
    expire_interrupted,
    fail_draw,
    record_progress,
    refusal_message,
    run_draw,
    running,
)
from kleroterion.services.panel_worker import _expire_interrupted as expire_stale
from kleroterion.services.quotas import quotas_for
from kleroterion.services.recruitment import seat_group
from kleroterion.sortition import lottery
from kleroterion.sortition.io import _shared_households
from kleroterion.sortition.types import Distribution, Pool, Problem, Quota
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

__all__ = [
    "FOLDER_FILES",
    "HEARTBEAT_SECONDS",
    "LOTTERY_SIZE",
    "PROGRESS_SECONDS",
    "STALE_AFTER",
    "DrawRefused",
    "Prepared",
    "check_folder",
    "choose_panel",
    "compute",
    "draw_panel",
    "draws",
    "entry_summaries",
    "expire_interrupted",
    "fail_draw",
    "finalize_draw",
    "folder_path",
    "latest_panel_draw",
    "lottery_root",
    "parse_number",
    "prepare",
    "public_files",
    "publish_computed",
    "publish_panel",
    "record_progress",
    "refusal_message",
    "replace_member",
    "run_draw",
    "start_draw",
    "uniform_choice",
    "use_public_number",
]

#: Panels in the rounded, published list.
LOTTERY_SIZE = 1000

Progress = Any


def _engine() -> Any:
    # Looked up at call time: the engine is kleroterion.sortition's public API.
    return importlib.import_module("kleroterion.sortition")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_number(public_number: str) -> int:
    """The public number as an integer ≥ 0, or InvalidInput saying what is accepted."""
    text = str(public_number).strip().replace(" ", "")
    if not text.isdigit():
        raise InvalidInput("the public number %(number)r is not a whole number; give the "
                           "digits of the dice, the lottery or the bailiff (0 or more)",
                           number=str(public_number).strip())
    return int(text)


def pick_number(seed: int | None, public_number: str | None) -> int:
    if public_number is not None:
        return parse_number(public_number)
    if seed is None:
        raise InvalidInput("give a seed or a public number for the draw")
    return random.Random(seed).randrange(10**9)


def respondent_pool(candidates: Sequence[Respondent], features: Sequence[str],
          households: bool) -> Pool:
    # Households renumbered 1, 2... as the lottery's respondents.csv publishes them:
    # the stored key (keyed by the mandate's secret) never leaves the database.
    return Pool(
        ids=tuple(c.public_id for c in candidates),
        features=tuple(features),
        values=tuple(tuple(c.features.get(f, "") for f in features) for c in candidates),
        households=(_shared_households(c.household or None for c in candidates)
                    if households else None),
    )


def _refusals(engine: Any) -> tuple[type[BaseException], ...]:
    return (ValueError, ArithmeticError, RuntimeError,
            getattr(engine, "InfeasibleQuotas", ValueError))


def compute(problem: Problem, algorithm: str, *, seed: int | None = None,
            time_limit: float | None = None, progress: Progress | None = None,
            engine: Any = None) -> tuple[Distribution, list[tuple[int, ...]]]:
    """The engine's distribution for ``problem`` and its ``LOTTERY_SIZE`` rounded panels.

    ``engine`` is anything with ``find_distribution`` and ``round_distribution`` (a test's
    stand-in, another engine); by default ``kleroterion.sortition``. Raises
    :class:`DrawRefused` with the engine's lines (the smallest relaxation of infeasible
    quotas) instead of its exception.
    """
    engine = engine if engine is not None else _engine()
    find = getattr(engine, "find_distribution", None)
    round_ = getattr(engine, "round_distribution", None)
    if find is None or round_ is None:
        raise NotAllowed("this installation has no sortition engine "
                         "(kleroterion.sortition.find_distribution)")
    try:
        distribution = find(problem, algorithm, seed=seed, time_limit=time_limit,
                            progress=progress)
        if progress is not None:
            progress("rounding", 1.0)
        panels = [tuple(sorted(p)) for p in round_(distribution, m=LOTTERY_SIZE)]
    except _refusals(engine) as error:  # infeasible quotas, a time out...
        raise DrawRefused([line.strip() for line in str(error).splitlines()]) from None
    return distribution, panels


def quota_payload(quotas: Sequence[Quota]) -> list[list[object]]:
    return [[q.feature, q.value, q.min, q.max] for q in quotas]


def open_mandate(session: Session, mandate_id: int) -> Mandate:
    mandate = get(session, Mandate, mandate_id)
    if mandate.status != "open":
        raise NotAllowed("mandate %(mandate)s is closed", mandate=mandate.id)
    return mandate


def pool_of(session: Session, mandate: Mandate, group: SeatGroup) -> list[Respondent]:
    return list(session.scalars(select(Respondent).where(
        Respondent.mandate_id == mandate.id, Respondent.seat_group == group.key,
        Respondent.status == "pool").order_by(Respondent.id)))


def _slot(mandate: Mandate, group: SeatGroup) -> str:
    return f"{mandate.id}:{group.key}"


def seat_panel(session: Session, draw: Draw, mandate: Mandate, group: SeatGroup,
          candidates: Sequence[Respondent], chosen: Sequence[int], on: dt.date) -> None:
    chosen_set = set(chosen)
    for index, respondent in enumerate(candidates):
        respondent.status = "selected" if index in chosen_set else "not_selected"
        if index in chosen_set:
            member = Member(mandate_id=mandate.id, respondent=respondent, seat_group=group.key,
                            source="drawn", status="seated", seated_on=on, draw_id=draw.id)
            session.add(member)
            member.events.append(MemberEvent(kind="drawn", on=on, actor=actor(session)))


# --------------------------------------------------------------------------- publish


def _check_new_draw(session: Session, mandate: Mandate, group: SeatGroup) -> None:
    previous = session.scalar(select(Draw).where(
        Draw.mandate_id == mandate.id, Draw.kind == "panel", Draw.seat_group == group.key,
        Draw.state != "failed").order_by(Draw.id))
    if previous is None:
        return
    if previous.state == "running":
        raise NotAllowed("a draw of seat group %(group)r is already running (draw %(draw)s); "
                         "wait for it to end", group=group.key, draw=previous.id)
    if previous.state == "published":
        raise NotAllowed("the lottery of seat group %(group)r is published (draw %(draw)s) and "
                         "awaits its public number", group=group.key, draw=previous.id)
    raise NotAllowed("seat group %(group)r of mandate %(mandate)s was already drawn (draw "
                     "%(draw)s); replace members with a replacement draw", group=group.key,
                     mandate=mandate.id, draw=previous.id)


def start_draw(session: Session, mandate_id: int, group_key: str, *,
               algorithm: str | None = None, time_limit: float | None = None,
               seed: int | None = None, quotas: Sequence[Quota] | None = None) -> Draw:
    """Open a panel draw of a stratified seat group in the ``running`` state.

    Only one panel draw of a seat group may run, wait for its number or stand at a
    time; a failed one may be started again. The quotas are fixed here (``quotas``, else
    the mandate's own where set, else the city's: :func:`quotas_for`), the pool is read
    when the distribution is computed.
    """
    mandate = open_mandate(session, mandate_id)
    group = seat_group(mandate, group_key)
    composition = city_of(mandate).config.composition
    if group.selection != "stratified":
        raise NotAllowed("seat group %(group)r is drawn by a %(selection)s lottery, not under "
                         "quotas: draw it in one step with its public number", group=group.key,
                         selection=group.selection)
    algorithm = algorithm or composition.selection_algorithm
    known = getattr(_engine(), "ALGORITHMS", (algorithm,))
    if algorithm not in known:
        raise InvalidInput("unknown algorithm %(algorithm)r; expected one of %(known)s",
                           algorithm=algorithm, known=", ".join(known))
    if time_limit is not None and not time_limit > 0:
        raise InvalidInput("the time limit %(limit)s must be a number of seconds above 0",
                           limit=time_limit)
    expire_stale(session, mandate.id)
    _check_new_draw(session, mandate, group)
    pool_size = len(pool_of(session, mandate, group))
    if pool_size < group.seats:
        raise InvalidInput("seat group %(group)r has %(pool)s respondents in its pool for "
                           "%(seats)s seats", group=group.key, pool=pool_size, seats=group.seats)
    # The mandate's own quotas where the secretariat set them, else the city's.
    quotas = tuple(quotas) if quotas is not None else quotas_for(session, mandate, group)
    payload = quota_payload(quotas)
    draw = Draw(mandate_id=mandate.id, kind="panel", seat_group=group.key,
                algorithm=algorithm, seed=seed, seats=group.seats, final=False,
                state="running", slot=_slot(mandate, group), time_limit=time_limit,
                heartbeat_at=utcnow(), progress_stage="waiting", progress_fraction=0.0,
                inputs={"quotas": payload, "quotas_digest": _sha(canonical(payload)),
                        "seats": group.seats,
                        "flex": [[q.min_flex, q.max_flex] for q in quotas]})
    session.add(draw)
    try:
        session.flush()
    except IntegrityError:
        # Another request started the same seat group's draw between the check and now
        # (the unique slot); the caller's transaction is rolled back with this refusal.
        raise NotAllowed("a draw of seat group %(group)r was started at the same time; wait "
                         "for it to end", group=group.key) from None
    audit.record(session, "panel.start", "draw", draw.id, mandate=mandate.id,
                 seat_group=group.key, algorithm=algorithm, seed=seed, time_limit=time_limit)
    return draw


@dataclass(frozen=True)
class Prepared:
    """What a running draw computes on: the problem, and the respondents in pool order."""

    draw_id: int
    problem: Problem
    respondent_ids: tuple[int, ...]
    algorithm: str
    seed: int | None
    time_limit: float | None


def prepare(session: Session, draw_id: int) -> Prepared:
    """Read the pool of a running draw into the problem the engine computes."""
    draw = running(session, draw_id)
    mandate = get(session, Mandate, draw.mandate_id)
    group = seat_group(mandate, draw.seat_group or "")
    composition = city_of(mandate).config.composition
    flex = draw.inputs.get("flex") or [[None, None]] * len(draw.inputs["quotas"])
    quotas = tuple(Quota(str(f), str(v), int(lo), int(hi), a, b)
                   for (f, v, lo, hi), (a, b) in zip(draw.inputs["quotas"], flex, strict=True))
    candidates = pool_of(session, mandate, group)
    if len(candidates) < group.seats:
        raise InvalidInput("seat group %(group)r has %(pool)s respondents in its pool for "
                           "%(seats)s seats", group=group.key, pool=len(candidates),
                           seats=group.seats)
    # The published respondents.csv has the quotas' features in the quotas' order.
    features = tuple(dict.fromkeys(q.feature for q in quotas))
    pool = respondent_pool(candidates, features, composition.one_per_household)
    return Prepared(draw.id, Problem(pool=pool, quotas=quotas, seats=group.seats),
                    tuple(c.id for c in candidates), draw.algorithm, draw.seed,
                    draw.time_limit)


def publish_computed(session: Session, prepared: Prepared, distribution: Distribution,
                     panels: Sequence[Sequence[int]], root: Path) -> Draw:
    """Write the lottery folder of a computed draw and mark it ``published``.

    The folder is ``<root>/<mandate>-<group>-<draw id>``; it is removed again if the
    transaction does not commit.
    """
    draw = running(session, prepared.draw_id)
    problem = prepared.problem
    folder = Path(root) / f"{draw.mandate_id}-{draw.seat_group}-{draw.id}"
    try:
        published = lottery.publish(
            folder, problem, distribution, seed=prepared.seed, m=LOTTERY_SIZE,
            time_limit=prepared.time_limit, panels=panels,
            extra={"mandate": draw.mandate_id, "seat_group": draw.seat_group,
                   "draw_id": draw.id})
    except (lottery.LotteryError, OSError) as error:
        raise InvalidInput("the lottery folder cannot be written: %(error)s",
                           error=error) from None
    undo_on_rollback(session, lambda: shutil.rmtree(folder, ignore_errors=True))
    check_folder(folder, problem)
    respondents = [session.get(Respondent, ident) for ident in prepared.respondent_ids]
    candidates = [r for r in respondents if r is not None]
    inputs = dict(draw.inputs)
    inputs.update(draw_inputs(candidates, problem.seats, problem.quotas))
    inputs.update(files=published.manifest["files"], m=LOTTERY_SIZE,
                  optimal=published.manifest["optimal"],
                  engine=published.manifest.get("engine"),
                  list_digest=published.list_digest)
    inputs.pop("flex", None)
    draw.inputs = inputs
    draw.panels_digest = published.digest
    keep_folder(draw, folder)
    draw.state, draw.published_at = "published", utcnow()
    draw.progress_stage, draw.progress_fraction = "published", 1.0
    draw.entries = [
        DrawEntry(respondent_id=c.id, probability=float(distribution.probabilities[i]),
                  selected=False)
        for i, c in enumerate(candidates)
    ]
    audit.record(session, "panel.publish", "draw", draw.id, mandate=draw.mandate_id,
                 seat_group=draw.seat_group, algorithm=draw.algorithm, seed=draw.seed,
                 inputs={k: v for k, v in inputs.items() if k != "quotas"},
                 panels_digest=published.digest, folder=folder.name)
    # The audit log's head once the publication is recorded: anchored outside the
    # database, in the folder everyone downloads.
    audit.write_anchor(session, folder)
    return draw


def publish_panel(session: Session, mandate_id: int, group_key: str, root: Path | None = None,
                  *, algorithm: str | None = None, time_limit: float | None = None,
                  seed: int | None = None, quotas: Sequence[Quota] | None = None,
                  progress: Progress | None = None, engine: Any = None) -> Draw:
    """Compute a stratified seat group's lottery and publish its folder, in one transaction.

    The draw then awaits its public number (:func:`choose_panel`). A refusal leaves
    no draw and no folder.
    """
    draw = start_draw(session, mandate_id, group_key, algorithm=algorithm,
                      time_limit=time_limit, seed=seed, quotas=quotas)
    prepared = prepare(session, draw.id)
    distribution, panels = compute(prepared.problem, prepared.algorithm, seed=prepared.seed,
                                   time_limit=prepared.time_limit, progress=progress,
                                   engine=engine)
    return publish_computed(session, prepared, distribution, panels,
                            root if root is not None else lottery_root())


# --------------------------------------------------------------------------- choose


def _published(session: Session, draw_id: int) -> Draw:
    draw = get(session, Draw, draw_id)
    if draw.kind != "panel":
        raise NotAllowed("draw %(draw)s is a %(kind)s draw, not a panel lottery", draw=draw_id,
                         kind=draw.kind)
    if draw.state == "chosen":
        raise NotAllowed("the panel of draw %(draw)s was already chosen with the number "
                         "%(number)s; a lottery is drawn once", draw=draw_id,
                         number=draw.public_number or draw.inputs.get("number"))
    if draw.state == "running":
        raise NotAllowed("draw %(draw)s is still being computed; its list is not published "
                         "yet, so no number may choose from it", draw=draw_id)
    if draw.state == "failed":
        raise NotAllowed("draw %(draw)s failed; start a new draw", draw=draw_id)
    if draw.state != "published" or not draw.lottery_folder:
        raise NotAllowed("draw %(draw)s has no published lottery", draw=draw_id)
    return draw


def choose_panel(session: Session, draw_id: int, public_number: str, on: dt.date,
                 root: Path | None = None) -> Draw:
    """Let the public number choose the panel of a published draw, and seat it on ``on``.

    ``root`` is the lottery root the draw's folder was published under (default
    :func:`lottery_root`).
    """
    draw = _published(session, draw_id)
    return _choose(session, draw, parse_number(public_number), public_number.strip(), on, root)


def _choose(session: Session, draw: Draw, number: int, public_number: str | None,
            on: dt.date, root: Path | None) -> Draw:
    mandate = open_mandate(session, draw.mandate_id)
    if on > mandate.ends_on:
        raise InvalidInput("the draw date %(date)s is after the end of mandate %(mandate)s "
                           "(%(end)s)", date=on.isoformat(), mandate=mandate.id,
                           end=mandate.ends_on.isoformat())
    group = seat_group(mandate, draw.seat_group or "")
    folder = folder_path(draw, root) or Path()
    try:
        published = lottery.load(folder)
    except lottery.LotteryError as error:
        raise InvalidInput("the lottery folder of draw %(draw)s cannot be read: %(error)s",
                           draw=draw.id, error=error) from None
    if published.digest != draw.panels_digest:
        raise InvalidInput("the lottery folder of draw %(draw)s is not the one published (its "
                           "digest is %(digest)s, the draw's %(expected)s); refusing to "
                           "draw", draw=draw.id, digest=published.digest,
                           expected=draw.panels_digest)
    before = (folder / lottery.MANIFEST).read_bytes()
    try:
        drawn = lottery.choose(folder, number).draw
    except lottery.LotteryError as error:
        raise InvalidInput(Message.of(error)) from None
    def restore() -> None:
        (folder / lottery.MANIFEST).write_bytes(before)

    undo_on_rollback(session, restore)
    assert drawn is not None
    chosen_ids = set(drawn["panel"])
    entries = sorted(draw.entries, key=lambda e: e.id)
    candidates = [get(session, Respondent, e.respondent_id) for e in entries]
    chosen = [i for i, c in enumerate(candidates) if c.public_id in chosen_ids]
    if len(chosen) != len(chosen_ids) or any(c.status != "pool" for c in candidates):
        raise InvalidInput("the respondents of draw %(draw)s changed since its lottery was "
                           "published; start a new draw", draw=draw.id)
    for index, entry in enumerate(entries):
        entry.selected = index in set(chosen)
    inputs = dict(draw.inputs)
    inputs["number"] = number
    inputs["panel_number"] = drawn["panel_number"]
    draw.inputs = inputs
    draw.public_number = public_number
    draw.state, draw.chosen_at = "chosen", utcnow()
    seat_panel(session, draw, mandate, group, candidates, chosen, on)
    audit.record(session, "panel.draw", "draw", draw.id, mandate=mandate.id,
                 seat_group=group.key, algorithm=draw.algorithm, seed=draw.seed,
                 public_number=public_number, number=number,
                 panel_number=drawn["panel_number"], panels_digest=draw.panels_digest,
                 panel=[candidates[i].public_id for i in chosen])
    return draw


# --------------------------------------------------------------------------- one call


def draw_panel(session: Session, mandate_id: int, group_key: str, on: dt.date, *,
               seed: int | None = None, public_number: str | None = None,
               algorithm: str | None = None, quotas: Sequence[Quota] | None = None,
               root: Path | None = None, engine: Any = None) -> Draw:
    """Draw the seats of one seat group among its pool and seat the panel drawn.

    The number (the public number, or one drawn from the seed) is given up front; a
    stratified group is still published then chosen, into ``root`` (default
    :func:`lottery_root`), exactly as the two steps would.
    """
    mandate = open_mandate(session, mandate_id)
    if on > mandate.ends_on:
        raise InvalidInput("the draw date %(date)s is after the end of mandate %(mandate)s "
                           "(%(end)s)", date=on.isoformat(), mandate=mandate.id,
                           end=mandate.ends_on.isoformat())
    group = seat_group(mandate, group_key)
    if group.selection == "stratified":
        picked = pick_number(seed, public_number)
        draw = publish_panel(session, mandate.id, group.key, root, algorithm=algorithm,
                             seed=seed, quotas=quotas, engine=engine)
        return _choose(session, draw, picked, public_number, on, root)
    composition = city_of(mandate).config.composition
    _check_new_draw(session, mandate, group)
    candidates = pool_of(session, mandate, group)
    number: int | None
    if group.selection == "open":
        chosen, probabilities = list(range(len(candidates))), [1.0] * len(candidates)
        algorithm, number = "open", None
    else:
        if len(candidates) < group.seats:
            raise InvalidInput("seat group %(group)r has %(pool)s respondents in its pool for "
                               "%(seats)s seats", group=group.key, pool=len(candidates),
                               seats=group.seats)
        number = pick_number(seed, public_number)
        algorithm = "uniform"
        chosen, ids, homes = uniform_choice(candidates, group.seats, number,
                                            composition.one_per_household)
        probabilities = [group.seats / len(candidates)] * len(candidates)
    inputs = draw_inputs(candidates, group.seats, None)
    inputs["number"] = number
    draw = persist_draw(session, mandate, "panel", group.key, algorithm, seed, public_number,
                    group.seats if group.selection != "open" else len(candidates), inputs,
                    None, candidates, probabilities, chosen)
    draw.slot, draw.chosen_at = _slot(mandate, group), utcnow()
    if number is not None:
        publish_uniform_folder(session, draw, root, ids, homes, number)
    seat_panel(session, draw, mandate, group, candidates, chosen, on)
    audit.record(session, "panel.draw", "draw", draw.id, mandate=mandate.id,
                 seat_group=group.key, algorithm=algorithm, seed=seed,
                 public_number=public_number, inputs=inputs, panels_digest=draw.panels_digest,
                 panel=[candidates[i].public_id for i in chosen])
    return draw


def draw_inputs(candidates: Sequence[Respondent], seats: int,
            quotas: Sequence[Quota] | None) -> dict[str, Any]:
    respondents = canonical([[c.public_id, c.features, c.household] for c in candidates])
    data: dict[str, Any] = {"respondents_digest": _sha(respondents),
                            "respondents": len(candidates), "seats": seats}
    if quotas is not None:
        data["quotas_digest"] = _sha(canonical(quota_payload(quotas)))
        data["quotas"] = quota_payload(quotas)
    return data


def persist_draw(session: Session, mandate: Mandate, kind: str, group_key: str | None,
             algorithm: str, seed: int | None, public_number: str | None, seats: int,
             inputs: dict[str, Any], listing_digest: str | None,
             candidates: Sequence[Respondent], probabilities: Sequence[float],
             chosen: Sequence[int], body_key: str | None = None) -> Draw:
    chosen_set = set(chosen)
    draw = Draw(mandate_id=mandate.id, kind=kind, seat_group=group_key, body_key=body_key,
                algorithm=algorithm, seed=seed, public_number=public_number, seats=seats,
                inputs=inputs, panels_digest=listing_digest, final=False)
    draw.entries = [
        DrawEntry(respondent_id=c.id, probability=float(probabilities[i]),
                  selected=i in chosen_set)
        for i, c in enumerate(candidates)
    ]
    session.add(draw)
    session.flush()
    return draw


# The replacement draw and the records of draws live in their own modules; imported
# last, as they use this one's helpers.
from kleroterion.services.panel_records import (  # noqa: E402
    draws,
    entry_summaries,
    finalize_draw,
    latest_panel_draw,
    use_public_number,
)
from kleroterion.services.replacements import replace_member  # noqa: E402
