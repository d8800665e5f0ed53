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
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kleroterion.city.types import SeatGroup
from kleroterion.models import Draw, DrawEntry, Mandate, Member, MemberEvent, Respondent
from kleroterion.models.base import utcnow
from kleroterion.services import audit
from kleroterion.services.audit import canonical
from kleroterion.services.context import actor, city_of, get
from kleroterion.services.draw_pool import (
    LOTTERY_SIZE,
    Prepared,
    Progress,
    compute,
    compute_prepared,
    draw_algorithm,
    draw_inputs,
    eligible,
    open_mandate,
    parse_number,
    persist_draw,
    pick_number,
    pool_of,
    quota_payload,
    respondent_pool,
    sha_text,
)
from kleroterion.services.engine import name_of
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.panel_folder import (
    FOLDER_FILES,
    check_folder,
    choose_folder,
    folder_name,
    folder_path,
    keep_folder,
    lottery_root,
    mark_chosen,
    public_files,
    publish_uniform_folder,
    undo_on_rollback,
    uniform_candidates,
)
from kleroterion.services.panel_worker import (
    HEARTBEAT_SECONDS,
    PROGRESS_SECONDS,
    STALE_AFTER,
    DrawRefused,
    expire_interrupted,
    expire_stale,
    fail_draw,
    record_progress,
    refusal_message,
    run_draw,
    running,
)
from kleroterion.services.quotas import quotas_for
from kleroterion.services.recruitment import seat_group
from kleroterion.services.selection import publish_lottery
from kleroterion.sortition import lottery
from kleroterion.sortition.types import Distribution, Problem, Quota
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
    "choose_draw",
    "choose_panel",
    "choose_replacement",
    "compute",
    "compute_prepared",
    "draw_panel",
    "draws",
    "eligible",
    "entry_summaries",
    "expire_interrupted",
    "fail_draw",
    "finalize_draw",
    "folder_path",
    "latest_panel_draw",
    "lottery_root",
    "open_draw",
    "parse_number",
    "pool_of",
    "prepare",
    "public_files",
    "publish_computed",
    "publish_panel",
    "publish_uniform_panel",
    "record_progress",
    "refusal_message",
    "replace_member",
    "run_draw",
    "start_draw",
    "start_replacement",
    "uniform_candidates",
    "use_public_number",
]


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
               seed: int | None = None, quotas: Sequence[Quota] | None = None,
               engine: object = None) -> Draw:
    """Open a panel draw of a stratified seat group in the ``running`` state.

    Only one panel draw of a seat group may run, wait for its number or stand at a
    time; a failed one may be started again. The quotas are fixed here (``quotas``, else
    the mandate's own where set, else the city's: :func:`quotas_for`), the pool is read
    when the distribution is computed. The algorithm must be one ``engine`` (default
    LEXIMIN) has.
    """
    mandate = open_mandate(session, mandate_id)
    group = seat_group(mandate, group_key)
    composition = city_of(mandate).config.composition
    if group.selection != "stratified":
        raise NotAllowed("seat group %(group)r is drawn by a %(selection)s lottery, not under "
                         "quotas: draw it in one step with its public number", group=group.key,
                         selection=group.selection)
    algorithm = draw_algorithm(algorithm, composition.selection_algorithm, engine)
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
                inputs={"quotas": payload, "quotas_digest": sha_text(canonical(payload)),
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


def prepare(session: Session, draw_id: int) -> Prepared:
    """Read the pool of a running draw (a panel's, a replacement's) into its problem."""
    draw = running(session, draw_id)
    if draw.kind == "replacement":
        from kleroterion.services.replacements import prepare_replacement

        return prepare_replacement(session, draw)
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
                     panels: Sequence[Sequence[int]], root: Path, *,
                     engine: object = None) -> Draw:
    """Write the lottery folder of a computed draw and mark it ``published``.

    The folder is ``<root>/<mandate>-<group>-<draw id>``; it is removed again if the
    transaction does not commit. The name of the ``engine`` that computed it (default
    LEXIMIN) is recorded in its manifest and inputs (``sortition_engine``).
    """
    draw = running(session, prepared.draw_id)
    problem = prepared.problem
    folder = Path(root) / folder_name(draw)
    extra: dict[str, Any] = {"mandate": draw.mandate_id, "seat_group": draw.seat_group,
                             "draw_id": draw.id, "sortition_engine": name_of(engine)}
    if draw.kind != "panel":
        extra.update(kind=draw.kind, replaces=draw.inputs.get("replaces"),
                     minima_relaxed=prepared.relaxed)
    try:
        published = publish_lottery(folder, problem, distribution, panels, seed=prepared.seed,
                                    m=LOTTERY_SIZE, time_limit=prepared.time_limit, extra=extra)
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
                  sortition_engine=published.manifest.get("sortition_engine"),
                  list_digest=published.list_digest)
    inputs.pop("flex", None)
    if draw.kind != "panel":
        inputs["minima_relaxed"] = prepared.relaxed
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
    audit.record(session, f"{draw.kind}.publish", "draw", draw.id, mandate=draw.mandate_id,
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
    """Compute a seat group's lottery and publish its folder, in one transaction.

    A stratified group's list of panels is computed here; a uniform group's
    candidates are committed (:func:`publish_uniform_panel`). The draw then awaits its
    public number (:func:`choose_panel`). A refusal leaves no draw and no folder.
    """
    mandate = open_mandate(session, mandate_id)
    if seat_group(mandate, group_key).selection == "uniform":
        return publish_uniform_panel(session, mandate.id, group_key, root)
    draw = start_draw(session, mandate_id, group_key, algorithm=algorithm,
                      time_limit=time_limit, seed=seed, quotas=quotas, engine=engine)
    prepared = prepare(session, draw.id)
    distribution, panels = compute(prepared.problem, prepared.algorithm, seed=prepared.seed,
                                   time_limit=prepared.time_limit, progress=progress,
                                   engine=engine)
    return publish_computed(session, prepared, distribution, panels,
                            root if root is not None else lottery_root(), engine=engine)


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
    drawn = choose_folder(session, draw, root, number)
    chosen = mark_chosen(session, draw, drawn, number, public_number)
    entries = sorted(draw.entries, key=lambda e: e.id)
    candidates = [get(session, Respondent, e.respondent_id) for e in entries]
    if any(c.status != "pool" for c in candidates):
        raise InvalidInput("the respondents of draw %(draw)s changed since its lottery was "
                           "published; start a new draw", draw=draw.id)
    seat_panel(session, draw, mandate, group, candidates, chosen, on)
    audit.record(session, "panel.draw", "draw", draw.id, mandate=mandate.id,
                 seat_group=group.key, algorithm=draw.algorithm, seed=draw.seed,
                 public_number=public_number, number=number,
                 panel_number=drawn.get("panel_number"), panels_digest=draw.panels_digest,
                 panel=[candidates[i].public_id for i in chosen])
    return draw


def publish_uniform_panel(session: Session, mandate_id: int, group_key: str,
                          root: Path | None = None) -> Draw:
    """Commit a uniform seat group's lottery: its candidates and rule, before any number.

    The folder's digest is published; :func:`choose_panel` then lets the public
    number draw from it, exactly as for a stratified group's list of panels.
    """
    mandate = open_mandate(session, mandate_id)
    group = seat_group(mandate, group_key)
    if group.selection != "uniform":
        raise NotAllowed("seat group %(group)r is not drawn by a plain lottery",
                         group=group.key)
    households = city_of(mandate).config.composition.one_per_household
    _check_new_draw(session, mandate, group)
    candidates = pool_of(session, mandate, group)
    if len(candidates) < group.seats:
        raise InvalidInput("seat group %(group)r has %(pool)s respondents in its pool for "
                           "%(seats)s seats", group=group.key, pool=len(candidates),
                           seats=group.seats)
    ids, homes = uniform_candidates(candidates, group.seats, households)
    probabilities = [group.seats / len(candidates)] * len(candidates)
    draw = persist_draw(session, mandate, "panel", group.key, "uniform", None, None,
                        group.seats, draw_inputs(candidates, group.seats, None), None,
                        candidates, probabilities, [])
    draw.slot = _slot(mandate, group)
    publish_uniform_folder(session, draw, root, ids, homes)
    audit.record(session, "panel.publish", "draw", draw.id, mandate=mandate.id,
                 seat_group=group.key, algorithm="uniform", panels_digest=draw.panels_digest,
                 folder=draw.lottery_folder)
    audit.write_anchor(session, folder_path(draw, root) or Path())
    return draw


def open_draw(session: Session, mandate_id: int, group_key: str, root: Path | None = None, *,
              algorithm: str | None = None, time_limit: float | None = None,
              engine: object = None) -> Draw:
    """Begin a seat group's draw as its rule says: the one door of every front end.

    A stratified group's draw is opened ``running`` (its computation is a job for
    :func:`run_draw`); a uniform group's candidates are committed at once
    (``published``). Either then awaits its public number (:func:`choose_panel`).
    """
    mandate = open_mandate(session, mandate_id)
    group = seat_group(mandate, group_key)
    if group.selection == "uniform":
        return publish_uniform_panel(session, mandate.id, group.key, root)
    return start_draw(session, mandate.id, group.key, algorithm=algorithm,
                      time_limit=time_limit, engine=engine)


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
    if group.selection == "uniform":
        picked = pick_number(seed, public_number)
        draw = publish_uniform_panel(session, mandate.id, group.key, root)
        draw.seed = seed
        return _choose(session, draw, picked, public_number, on, root)
    # An open group seats its whole pool: nothing is drawn, nothing to commit.
    _check_new_draw(session, mandate, group)
    candidates = pool_of(session, mandate, group)
    inputs = draw_inputs(candidates, group.seats, None)
    inputs["number"] = None
    chosen = list(range(len(candidates)))
    draw = persist_draw(session, mandate, "panel", group.key, "open", seed, public_number,
                        len(candidates), inputs, None, candidates, [1.0] * len(candidates),
                        chosen)
    draw.slot, draw.chosen_at = _slot(mandate, group), utcnow()
    seat_panel(session, draw, mandate, group, candidates, chosen, on)
    audit.record(session, "panel.draw", "draw", draw.id, mandate=mandate.id,
                 seat_group=group.key, algorithm="open", seed=seed,
                 public_number=public_number, inputs=inputs, panels_digest=None,
                 panel=[c.public_id for c in candidates])
    return draw


# The replacement draw and the records of draws live in their own modules; imported
# last, as they use this one's helpers.
from kleroterion.services.panel_records import (  # noqa: E402
    choose_draw,
    draws,
    entry_summaries,
    finalize_draw,
    latest_panel_draw,
    use_public_number,
)
from kleroterion.services.replacements import (  # noqa: E402
    choose_replacement,
    replace_member,
    start_replacement,
)
