"""Panel draws and replacement draws, run through the sortition engine and persisted.

A stratified seat group is drawn as the published transparent lottery of
:mod:`kleroterion.sortition.lottery` (Flanigan et al., NeurIPS 2021), in two steps:

*publish* (:func:`publish_panel`, or :func:`start_draw` then :func:`run_draw` for a
background job): the engine's selection distribution (``find_distribution``,
LEXIMIN by default) is rounded to ``m`` equally likely panels and the lottery
folder is written with ``lottery.publish`` (respondents by public id with their
selection features only, quotas, numbered panels, probabilities, a manifest of
SHA-256 digests) under the lottery root, as ``<mandate>-<group>-<draw id>/``. The
draw then waits in the ``published`` state with the folder's digests.

*choose* (:func:`choose_panel`): the public number N (dice, a lottery, a bailiff),
known only after the list is published, picks panel ``N mod m`` with
``lottery.choose``, which records it in the folder's manifest; the panel is
seated. ``kleroterion verify <folder>`` re-derives the whole draw from the folder.

:func:`draw_panel` keeps the one-call draw (seed or public number given up front) for
the command line and scripts, as publish then choose, so both write the same folder.

A uniform group (Poitiers' addresses) is a plain lottery: a shuffle seeded by the
number, skipping a second person of a household already drawn when the city has
the household rule. It publishes no folder: every respondent has the same chance,
there is no computed distribution whose list could be published in advance, and the
record keeps the respondents' digest and the number that re-run the shuffle. An open
group seats its whole pool.

What is kept: the digests of the respondents and quotas read, the algorithm, the
seed or public number, the digests of the lottery folder's files, every candidate's
selection probability and the panel. A replacement draw fills one vacated seat
under the group's quotas minus the members still sitting; when no one left can
meet a minimum, the minima are dropped (the maxima kept) and the record says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import importlib
import io
import logging
import random
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kleroterion import db
from kleroterion.city.quotas import group_quotas
from kleroterion.city.types import SeatGroup
from kleroterion.messages import N_, Message
from kleroterion.models import Draw, DrawEntry, Mandate, Member, MemberEvent, Respondent
from kleroterion.models.base import utcnow
from kleroterion.services import audit
from kleroterion.services.audit import canonical
from kleroterion.services.context import actor, city_of, get
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.recruitment import VOLUNTEERS, seat_group
from kleroterion.sortition import lottery
from kleroterion.sortition.io import InputError, _shared_households
from kleroterion.sortition.types import Distribution, Pool, Problem, Quota
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

#: Panels in the rounded, published list.
LOTTERY_SIZE = 1000
#: A running draw whose worker has not been heard from for this long was interrupted
#: (a restarted server, a killed process): it is shown, and recorded, as failed.
STALE_AFTER = dt.timedelta(seconds=60)
#: How often a running draw's worker says it is alive, and records its progress at most.
HEARTBEAT_SECONDS = 5.0
PROGRESS_SECONDS = 1.0
#: The only files a service-written lottery folder holds: all of them may be published.
FOLDER_FILES = (lottery.RESPONDENTS, lottery.QUOTAS, lottery.PANELS, lottery.PROBABILITIES,
                lottery.MANIFEST)

Progress = Callable[[str, float], None]


class DrawRefused(InvalidInput):
    """The engine refused the draw (infeasible quotas, a time limit...); ``lines`` say why.

    For infeasible quotas the lines are the engine's smallest relaxation, one quota
    bound per line.
    """

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = [line for line in lines if line]
        super().__init__(N_("the draw cannot be made: %(lines)s"), lines="; ".join(self.lines))


def lottery_root() -> Path:
    """Where the command line writes lottery folders: ``lotteries/`` in the instance folder."""
    return db.instance_path() / "lotteries"


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


def _pick_number(seed: int | None, public_number: str | None) -> int:
    if public_number is not None:
        return parse_number(public_number)
    if seed is None:
        raise InvalidInput("give a seed or a public number for the draw")
    return random.Random(seed).randrange(10**9)


def _pool(candidates: Sequence[Respondent], features: Sequence[str],
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
            ) -> tuple[Distribution, list[tuple[int, ...]]]:
    """The engine's distribution for ``problem`` and its ``LOTTERY_SIZE`` rounded panels.

    Raises :class:`DrawRefused` with the engine's lines (the smallest relaxation of
    infeasible quotas) instead of its exception.
    """
    engine = _engine()
    find = getattr(engine, "find_distribution", None)
    round_ = getattr(engine, "round_distribution", None)
    if find is None or round_ is None:
        raise NotAllowed("this installation has no sortition engine "
                         "(kleroterion.sortition.find_distribution)")
    try:
        distribution = find(problem, algorithm, seed=seed, time_limit=time_limit,
                            progress=progress)
        panels = [tuple(sorted(p)) for p in round_(distribution, m=LOTTERY_SIZE)]
    except _refusals(engine) as error:  # infeasible quotas, a time out...
        raise DrawRefused([line.strip() for line in str(error).splitlines()]) from None
    return distribution, panels


def _stratified(problem: Problem, algorithm: str, number: int,
                seed: int | None) -> tuple[list[int], list[float], str]:
    """A one-call lottery kept in the database only (replacement draws)."""
    distribution, panels = compute(problem, algorithm, seed=seed)
    listing = "\n".join(
        f"{k}," + ",".join(problem.pool.ids[i] for i in panel) for k, panel in enumerate(panels)
    )
    chosen = list(panels[number % len(panels)])
    return chosen, [float(p) for p in distribution.probabilities], _sha(listing)


def _uniform(candidates: Sequence[Respondent], seats: int, number: int,
             households: bool, taken_homes: set[str]) -> list[int]:
    order = list(range(len(candidates)))
    random.Random(number).shuffle(order)
    chosen: list[int] = []
    homes = set(taken_homes)
    for index in order:
        home = candidates[index].household
        if households and home and home in homes:
            continue
        chosen.append(index)
        if home:
            homes.add(home)
        if len(chosen) == seats:
            break
    if len(chosen) < seats:
        raise InvalidInput("only %(candidates)s candidates from distinct households for "
                           "%(seats)s seats", candidates=len(chosen), seats=seats)
    return sorted(chosen)


def _quota_payload(quotas: Sequence[Quota]) -> list[list[object]]:
    return [[q.feature, q.value, q.min, q.max] for q in quotas]


def _open_mandate(session: Session, mandate_id: int) -> Mandate:
    mandate = get(session, Mandate, mandate_id)
    if mandate.status != "open":
        raise NotAllowed("mandate %(mandate)s is closed", mandate=mandate.id)
    return mandate


def _pool_of(session: Session, mandate: Mandate, group: SeatGroup) -> list[Respondent]:
    return list(session.scalars(select(Respondent).where(
        Respondent.mandate_id == mandate.id, Respondent.seat_group == group.key,
        Respondent.status == "pool").order_by(Respondent.id)))


def _slot(mandate: Mandate, group: SeatGroup) -> str:
    return f"{mandate.id}:{group.key}"


def _seat(session: Session, draw: Draw, mandate: Mandate, group: SeatGroup,
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


def _expire_interrupted(session: Session, mandate_id: int) -> None:
    """Record as failed the running draws whose worker stopped saying it is alive."""
    limit = utcnow() - STALE_AFTER
    for draw in session.scalars(select(Draw).where(
            Draw.mandate_id == mandate_id, Draw.kind == "panel", Draw.state == "running")):
        beat = draw.heartbeat_at or draw.created_at
        if beat is not None and beat < limit:
            _mark_failed(session, draw, "the computation was interrupted (the server stopped "
                                        "or restarted); start the draw again")


def expire_interrupted(session: Session, mandate_id: int) -> None:
    """Record as failed the mandate's draws whose computation was interrupted."""
    get(session, Mandate, mandate_id)
    _expire_interrupted(session, mandate_id)


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
    time; a failed one may be started again. The quotas are fixed here (the city's,
    or ``quotas``), the pool is read when the distribution is computed.
    """
    mandate = _open_mandate(session, mandate_id)
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
    _expire_interrupted(session, mandate.id)
    _check_new_draw(session, mandate, group)
    pool_size = len(_pool_of(session, mandate, group))
    if pool_size < group.seats:
        raise InvalidInput("seat group %(group)r has %(pool)s respondents in its pool for "
                           "%(seats)s seats", group=group.key, pool=pool_size, seats=group.seats)
    quotas = tuple(quotas) if quotas is not None else group_quotas(composition, group)
    payload = _quota_payload(quotas)
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


def _running(session: Session, draw_id: int) -> Draw:
    draw = get(session, Draw, draw_id)
    if draw.kind != "panel" or draw.state != "running":
        raise NotAllowed("draw %(draw)s is not being computed (it is %(state)s)",
                         draw=draw_id, state=draw.state)
    return draw


def prepare(session: Session, draw_id: int) -> Prepared:
    """Read the pool of a running draw into the problem the engine computes."""
    draw = _running(session, draw_id)
    mandate = get(session, Mandate, draw.mandate_id)
    group = seat_group(mandate, draw.seat_group or "")
    composition = city_of(mandate).config.composition
    flex = draw.inputs.get("flex") or [[None, None]] * len(draw.inputs["quotas"])
    quotas = tuple(Quota(str(f), str(v), int(lo), int(hi), a, b)
                   for (f, v, lo, hi), (a, b) in zip(draw.inputs["quotas"], flex, strict=True))
    candidates = _pool_of(session, mandate, group)
    if len(candidates) < group.seats:
        raise InvalidInput("seat group %(group)r has %(pool)s respondents in its pool for "
                           "%(seats)s seats", group=group.key, pool=len(candidates),
                           seats=group.seats)
    # The published respondents.csv has the quotas' features in the quotas' order.
    features = tuple(dict.fromkeys(q.feature for q in quotas))
    pool = _pool(candidates, features, composition.one_per_household)
    return Prepared(draw.id, Problem(pool=pool, quotas=quotas, seats=group.seats),
                    tuple(c.id for c in candidates), draw.algorithm, draw.seed,
                    draw.time_limit)


def record_progress(session: Session, draw_id: int, stage: str, fraction: float) -> None:
    """Note how far a running draw's computation is (and that its worker is alive)."""
    draw = get(session, Draw, draw_id)
    if draw.state == "running":
        draw.progress_stage = stage[:64]
        draw.progress_fraction = max(0.0, min(1.0, float(fraction)))
        draw.heartbeat_at = utcnow()


_UNDO = "kleroterion.panel.undo"


def _undo_on_rollback(session: Session, undo: Callable[[], None]) -> None:
    """Undo a file change if the session's transaction is rolled back instead of committed."""
    if _UNDO not in session.info:
        session.info[_UNDO] = []
        event.listen(session, "after_soft_rollback", _rolled_back)
        event.listen(session, "after_commit", _committed)
    session.info[_UNDO].append(undo)


def _rolled_back(session: Session, previous: Any) -> None:
    if getattr(previous, "nested", False):
        return  # a savepoint inside the transaction: the change may still commit
    pending, session.info[_UNDO] = session.info.get(_UNDO, []), []
    for undo in reversed(pending):
        undo()


def _committed(session: Session) -> None:
    session.info[_UNDO] = []


def check_folder(folder: Path, problem: Problem) -> None:
    """Refuse a lottery folder that holds anything but what may be published.

    Only the lottery's five files; respondents by public id with the selection
    features of the quotas (and an opaque household number), read back into exactly
    the problem that was computed, so that ``kleroterion verify`` re-runs the same draw.
    """
    names = sorted(p.name for p in folder.iterdir())
    if names != sorted(FOLDER_FILES):
        raise InvalidInput("the lottery folder %(folder)s holds %(files)s; expected only "
                           "%(expected)s", folder=folder.name, files=", ".join(names),
                           expected=", ".join(sorted(FOLDER_FILES)))
    text = (folder / lottery.RESPONDENTS).read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    allowed = ["id", *problem.pool.features]
    if problem.pool.households is not None:
        allowed.append(lottery.HOUSEHOLD_COLUMN)
    if header != allowed:
        raise InvalidInput("%(file)s has the columns %(columns)s; only %(allowed)s may be "
                           "published", file=lottery.RESPONDENTS, columns=", ".join(header),
                           allowed=", ".join(allowed))
    try:
        read = lottery.read_problem(folder, lottery.load(folder).manifest)
    except (lottery.LotteryError, InputError) as error:
        raise InvalidInput("the lottery folder %(folder)s cannot be read back: %(error)s",
                           folder=folder.name, error=error) from None
    if (read.pool != problem.pool or read.seats != problem.seats
            or [(q.feature, q.value, q.min, q.max) for q in read.quotas]
            != [(q.feature, q.value, q.min, q.max) for q in problem.quotas]):
        raise InvalidInput("the lottery folder %(folder)s does not read back as the problem "
                           "computed; it could not be verified", folder=folder.name)


def publish_computed(session: Session, prepared: Prepared, distribution: Distribution,
                     panels: Sequence[Sequence[int]], root: Path) -> Draw:
    """Write the lottery folder of a computed draw and mark it ``published``.

    The folder is ``<root>/<mandate>-<group>-<draw id>``; it is removed again if the
    transaction does not commit.
    """
    draw = _running(session, prepared.draw_id)
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
    _undo_on_rollback(session, lambda: shutil.rmtree(folder, ignore_errors=True))
    check_folder(folder, problem)
    respondents = [session.get(Respondent, ident) for ident in prepared.respondent_ids]
    candidates = [r for r in respondents if r is not None]
    inputs = dict(draw.inputs)
    inputs.update(_inputs(candidates, problem.seats, problem.quotas))
    inputs.update(files=published.manifest["files"], m=LOTTERY_SIZE,
                  optimal=published.manifest["optimal"],
                  engine=published.manifest.get("engine"))
    inputs.pop("flex", None)
    draw.inputs = inputs
    draw.panels_digest = published.list_digest
    draw.lottery_folder = str(folder.resolve())
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
                 panels_digest=published.list_digest, folder=folder.name)
    return draw


def _mark_failed(session: Session, draw: Draw, message: str) -> None:
    draw.state, draw.slot, draw.message = "failed", None, message
    audit.record(session, "panel.fail", "draw", draw.id, mandate=draw.mandate_id,
                 seat_group=draw.seat_group, message=message)


def fail_draw(session: Session, draw_id: int, message: str) -> Draw:
    """Record that a running draw failed, with the message to show; it may be started again."""
    draw = _running(session, draw_id)
    _mark_failed(session, draw, message)
    return draw


def refusal_message(error: BaseException) -> str:
    """What a failed draw shows: the refusal's lines (the relaxation of infeasible quotas)."""
    if isinstance(error, DrawRefused):
        return "\n".join(["the draw cannot be made:", *error.lines])
    return str(error)


def publish_panel(session: Session, mandate_id: int, group_key: str, root: Path | None = None,
                  *, algorithm: str | None = None, time_limit: float | None = None,
                  seed: int | None = None, quotas: Sequence[Quota] | None = None,
                  progress: Progress | None = None) -> Draw:
    """Compute a stratified seat group's lottery and publish its folder, in one transaction.

    The draw then awaits its public number (:func:`choose_panel`). A refusal leaves
    no draw and no folder.
    """
    draw = start_draw(session, mandate_id, group_key, algorithm=algorithm,
                      time_limit=time_limit, seed=seed, quotas=quotas)
    prepared = prepare(session, draw.id)
    distribution, panels = compute(prepared.problem, prepared.algorithm, seed=prepared.seed,
                                   time_limit=prepared.time_limit, progress=progress)
    return publish_computed(session, prepared, distribution, panels,
                            root if root is not None else lottery_root())


def run_draw(factory: sessionmaker[Session], draw_id: int, root: Path, *,
             actor: str = "system") -> None:
    """The background job of a started draw: compute, publish, or record the failure.

    Each step is its own transaction, so the progress written while the engine
    computes is seen by others at once; a thread says the worker is alive every
    ``HEARTBEAT_SECONDS``. Never raises: any failure is recorded on the draw.
    """
    done = threading.Event()
    last = [0.0]

    def beat() -> None:
        while not done.wait(HEARTBEAT_SECONDS):
            try:
                with db.session_scope(factory, actor=actor) as session:
                    draw = session.get(Draw, draw_id)
                    if draw is not None and draw.state == "running":
                        draw.heartbeat_at = utcnow()
            except Exception:  # a busy database: the next beat will do
                continue

    def progress(stage: str, fraction: float) -> None:
        now = dt.datetime.now().timestamp()
        if now - last[0] < PROGRESS_SECONDS and fraction < 1.0:
            return
        last[0] = now
        try:
            with db.session_scope(factory, actor=actor) as session:
                record_progress(session, draw_id, stage, fraction)
        except Exception:  # progress is a courtesy; the computation goes on
            pass

    heart = threading.Thread(target=beat, name=f"draw-{draw_id}-heartbeat", daemon=True)
    heart.start()
    try:
        with db.session_scope(factory, actor=actor) as session:
            prepared = prepare(session, draw_id)
        progress("computing", 0.0)
        distribution, panels = compute(prepared.problem, prepared.algorithm,
                                       seed=prepared.seed, time_limit=prepared.time_limit,
                                       progress=progress)
        done.set()
        heart.join()
        with db.session_scope(factory, actor=actor) as session:
            publish_computed(session, prepared, distribution, panels, root)
    except Exception as error:  # every failure is the draw's message, never a traceback
        message = (refusal_message(error) if isinstance(error, InvalidInput | NotAllowed)
                   else f"the computation failed ({type(error).__name__})")
        # The traceback in full for the operator (kleroterion's log handler withholds
        # exception messages, which may quote personal data).
        logging.getLogger(__name__).error("panel draw %s failed", draw_id, exc_info=error)
        try:
            with db.session_scope(factory, actor=actor) as session:
                draw = session.get(Draw, draw_id)
                if draw is not None and draw.state == "running":
                    _mark_failed(session, draw, message)
        except Exception:  # it will show as interrupted once stale
            pass
    finally:
        done.set()


def public_files(draw: Draw) -> list[Path]:
    """The files of a draw's lottery folder that anyone may download, checked again.

    Refused (NotAllowed) unless the folder holds only the lottery's files and its
    respondents file only public ids, the quotas' features and the opaque household
    number: a folder edited by hand since it was written is not served.
    """
    if draw.state not in ("published", "chosen") or not draw.lottery_folder:
        raise NotAllowed("draw %(draw)s has no published lottery folder", draw=draw.id)
    folder = Path(draw.lottery_folder)
    if not folder.is_dir():
        raise NotAllowed("the lottery folder of draw %(draw)s is missing", draw=draw.id)
    names = sorted(p.name for p in folder.iterdir())
    if names != sorted(FOLDER_FILES):
        raise NotAllowed("the lottery folder of draw %(draw)s holds other files", draw=draw.id)
    header = next(csv.reader(io.StringIO(
        (folder / lottery.RESPONDENTS).read_text(encoding="utf-8"))), [])
    quotas = list(csv.DictReader(io.StringIO(
        (folder / lottery.QUOTAS).read_text(encoding="utf-8"))))
    allowed = {"id", lottery.HOUSEHOLD_COLUMN, *(row.get("feature", "") for row in quotas)}
    if not header or header[0] != "id" or not set(header) <= allowed:
        raise NotAllowed("the respondents file of draw %(draw)s has other columns",
                         draw=draw.id)
    return [folder / name for name in FOLDER_FILES]


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


def choose_panel(session: Session, draw_id: int, public_number: str, on: dt.date) -> Draw:
    """Let the public number choose the panel of a published draw, and seat it on ``on``."""
    draw = _published(session, draw_id)
    return _choose(session, draw, parse_number(public_number), public_number.strip(), on)


def _choose(session: Session, draw: Draw, number: int, public_number: str | None,
            on: dt.date) -> Draw:
    mandate = _open_mandate(session, draw.mandate_id)
    if on > mandate.ends_on:
        raise InvalidInput("the draw date %(date)s is after the end of mandate %(mandate)s "
                           "(%(end)s)", date=on.isoformat(), mandate=mandate.id,
                           end=mandate.ends_on.isoformat())
    group = seat_group(mandate, draw.seat_group or "")
    folder = Path(draw.lottery_folder or "")
    try:
        published = lottery.load(folder)
    except lottery.LotteryError as error:
        raise InvalidInput("the lottery folder of draw %(draw)s cannot be read: %(error)s",
                           draw=draw.id, error=error) from None
    if published.list_digest != draw.panels_digest:
        raise InvalidInput("the lottery folder of draw %(draw)s is not the one published (its "
                           "list digest is %(digest)s, the draw's %(expected)s); refusing to "
                           "draw", draw=draw.id, digest=published.list_digest,
                           expected=draw.panels_digest)
    before = (folder / lottery.MANIFEST).read_bytes()
    try:
        drawn = lottery.choose(folder, number).draw
    except lottery.LotteryError as error:
        raise InvalidInput(Message.of(error)) from None
    def restore() -> None:
        (folder / lottery.MANIFEST).write_bytes(before)

    _undo_on_rollback(session, restore)
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
    _seat(session, draw, mandate, group, candidates, chosen, on)
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
               root: Path | None = None) -> Draw:
    """Draw the seats of one seat group among its pool and seat the panel drawn.

    The number (the public number, or one drawn from the seed) is given up front; a
    stratified group is still published then chosen, into ``root`` (default
    :func:`lottery_root`), exactly as the two steps would.
    """
    mandate = _open_mandate(session, mandate_id)
    if on > mandate.ends_on:
        raise InvalidInput("the draw date %(date)s is after the end of mandate %(mandate)s "
                           "(%(end)s)", date=on.isoformat(), mandate=mandate.id,
                           end=mandate.ends_on.isoformat())
    group = seat_group(mandate, group_key)
    if group.selection == "stratified":
        picked = _pick_number(seed, public_number)
        draw = publish_panel(session, mandate.id, group.key, root, algorithm=algorithm,
                             seed=seed, quotas=quotas)
        return _choose(session, draw, picked, public_number, on)
    composition = city_of(mandate).config.composition
    _check_new_draw(session, mandate, group)
    candidates = _pool_of(session, mandate, group)
    number: int | None
    if group.selection == "open":
        chosen, probabilities = list(range(len(candidates))), [1.0] * len(candidates)
        algorithm, number = "open", None
    else:
        if len(candidates) < group.seats:
            raise InvalidInput("seat group %(group)r has %(pool)s respondents in its pool for "
                               "%(seats)s seats", group=group.key, pool=len(candidates),
                               seats=group.seats)
        number = _pick_number(seed, public_number)
        algorithm = "uniform"
        chosen = _uniform(candidates, group.seats, number, composition.one_per_household,
                          set())
        probabilities = [group.seats / len(candidates)] * len(candidates)
    inputs = _inputs(candidates, group.seats, None)
    inputs["number"] = number
    draw = _persist(session, mandate, "panel", group.key, algorithm, seed, public_number,
                    group.seats if group.selection != "open" else len(candidates), inputs,
                    None, candidates, probabilities, chosen)
    draw.slot, draw.chosen_at = _slot(mandate, group), utcnow()
    _seat(session, draw, mandate, group, candidates, chosen, on)
    audit.record(session, "panel.draw", "draw", draw.id, mandate=mandate.id,
                 seat_group=group.key, algorithm=algorithm, seed=seed,
                 public_number=public_number, inputs=inputs, panels_digest=None,
                 panel=[candidates[i].public_id for i in chosen])
    return draw


def _inputs(candidates: Sequence[Respondent], seats: int,
            quotas: Sequence[Quota] | None) -> dict[str, Any]:
    respondents = canonical([[c.public_id, c.features, c.household] for c in candidates])
    data: dict[str, Any] = {"respondents_digest": _sha(respondents),
                            "respondents": len(candidates), "seats": seats}
    if quotas is not None:
        data["quotas_digest"] = _sha(canonical(_quota_payload(quotas)))
        data["quotas"] = _quota_payload(quotas)
    return data


def _persist(session: Session, mandate: Mandate, kind: str, group_key: str | None,
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


def finalize_draw(session: Session, draw_id: int) -> Draw:
    """Declare a draw final: its result stands, and unseated respondents may be purged."""
    draw = get(session, Draw, draw_id)
    if draw.final:
        raise NotAllowed("draw %(draw)s is already final", draw=draw_id)
    if draw.state != "chosen":
        raise NotAllowed("draw %(draw)s is %(state)s: only a drawn panel may be final",
                         draw=draw_id, state=draw.state)
    draw.final = True
    audit.record(session, "draw.finalize", "draw", draw.id)
    return draw


def replace_member(session: Session, member_id: int, on: dt.date, *, seed: int | None = None,
                   public_number: str | None = None, algorithm: str | None = None) -> Member:
    """Draw a replacement for a withdrawn member under the quotas left by who still sits."""
    old = get(session, Member, member_id)
    mandate = get(session, Mandate, old.mandate_id)
    if old.status != "withdrawn":
        raise NotAllowed("member %(member)s has not withdrawn; withdraw them first",
                         member=member_id)
    if old.seat_group == VOLUNTEERS:
        raise NotAllowed("open volunteers are not replaced by a draw")
    if session.scalar(select(Member.id).where(Member.replaces_id == old.id)):
        raise NotAllowed("member %(member)s was already replaced", member=member_id)
    if not old.withdrawn_on or on < old.withdrawn_on or on > mandate.ends_on:
        raise InvalidInput("the replacement date %(date)s must fall between the withdrawal "
                           "and the end of mandate %(mandate)s", date=on.isoformat(),
                           mandate=mandate.id)
    group = seat_group(mandate, old.seat_group)
    composition = city_of(mandate).config.composition
    sitting = list(session.scalars(select(Member).where(
        Member.mandate_id == mandate.id, Member.seat_group == group.key,
        Member.status != "withdrawn")))
    homes = {m.respondent.household for m in sitting if m.respondent.household}
    candidates = [
        r for r in session.scalars(select(Respondent).where(
            Respondent.mandate_id == mandate.id, Respondent.seat_group == group.key,
            Respondent.status.in_(("pool", "not_selected"))).order_by(Respondent.id))
        if not (composition.one_per_household and r.household in homes)
    ]
    if not candidates:
        raise InvalidInput("no respondent of seat group %(group)r is left to draw from",
                           group=group.key)
    number = _pick_number(seed, public_number)
    quotas: tuple[Quota, ...] | None = None
    relaxed = False
    if group.selection == "stratified":
        algorithm = algorithm or composition.selection_algorithm
        quotas, pool = _reduced(candidates, sitting, old, group,
                                group_quotas(composition, group), composition.one_per_household)
        try:
            chosen, probabilities, listing = _stratified(
                Problem(pool=pool, quotas=quotas, seats=1), algorithm, number, seed)
        except InvalidInput:
            # No one left matches a minimum the departure opened (the only respondent of a
            # commune withdrew): keep the maxima, drop the minima, and say so in the record.
            relaxed = True
            quotas = tuple(Quota(q.feature, q.value, 0, q.max) for q in quotas)
            chosen, probabilities, listing = _stratified(
                Problem(pool=pool, quotas=quotas, seats=1), algorithm, number, seed)
    else:
        algorithm, listing = "uniform", None
        chosen = _uniform(candidates, 1, number, composition.one_per_household, homes)
        probabilities = [1 / len(candidates)] * len(candidates)
    inputs = _inputs(candidates, group.seats, quotas)
    inputs.update(number=number, replaces=old.id, seats=1, minima_relaxed=relaxed)
    draw = _persist(session, mandate, "replacement", group.key, algorithm, seed, public_number,
                    1, inputs, listing, candidates, probabilities, chosen)
    respondent = candidates[chosen[0]]
    respondent.status = "selected"
    new = Member(mandate_id=mandate.id, respondent=respondent, seat_group=group.key,
                 source="replacement", status="seated", seated_on=on, draw_id=draw.id,
                 replaces_id=old.id)
    session.add(new)
    new.events.append(MemberEvent(kind="drawn", on=on, reason=f"replaces member {old.id}",
                                  actor=actor(session)))
    old.events.append(MemberEvent(kind="replaced", on=on, actor=actor(session),
                                  reason=f"replacement draw {draw.id}"))
    session.add(new)
    session.flush()
    audit.record(session, "member.replace", "member", new.id, mandate=mandate.id,
                 replaces=old.id, draw=draw.id, algorithm=algorithm, seed=seed,
                 public_number=public_number, respondent=respondent.public_id)
    return new


def _reduced(candidates: Sequence[Respondent], sitting: Sequence[Member], old: Member,
             group: SeatGroup, quotas: Sequence[Quota],
             households: bool) -> tuple[tuple[Quota, ...], Pool]:
    """The one-seat problem of a replacement: the quotas minus what the members who stay hold.

    The engine's ``replacement_problem`` makes the reduction when it is installed (one rule
    for every caller); the seat is then drawn by this module's lottery, so that a public
    number can choose it as it chooses a panel.
    """
    try:
        from kleroterion.sortition.replacement import replacement_problem
    except ImportError:
        counts = Counter((f, m.respondent.features.get(f)) for m in sitting
                         for f in group.features)
        reduced = tuple(
            Quota(q.feature, q.value, max(0, q.min - counts[(q.feature, q.value)]),
                  max(0, q.max - counts[(q.feature, q.value)]))
            for q in quotas
        )
        return reduced, _pool(candidates, group.features, households)
    people = [m.respondent for m in sitting] + [old.respondent] + list(candidates)
    whole = Problem(pool=_pool(people, group.features, households), quotas=tuple(quotas),
                    seats=len(sitting) + 1)
    try:
        problem, eligible = replacement_problem(whole, range(len(sitting) + 1), [len(sitting)])
    except Exception as error:  # the engine's InfeasibleQuotas: stayers above a maximum
        detail = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
        raise InvalidInput("the replacement cannot be drawn: %(detail)s",
                           detail=detail) from None
    offset = len(sitting) + 1
    if eligible != list(range(offset, len(people))):
        # The engine also excluded relatives of members who stay: keep the same candidates.
        raise InvalidInput("the replacement's candidates differ from the engine's; "
                           "check the household rule")
    return problem.quotas, problem.pool


def latest_panel_draw(session: Session, mandate_id: int, group_key: str) -> Draw | None:
    """The newest panel draw of a seat group (a failed one included), or None."""
    return session.scalar(select(Draw).where(
        Draw.mandate_id == mandate_id, Draw.kind == "panel", Draw.seat_group == group_key)
        .order_by(Draw.id.desc()))


def draws(session: Session, mandate_id: int) -> list[Draw]:
    get(session, Mandate, mandate_id)
    return list(session.scalars(select(Draw).where(Draw.mandate_id == mandate_id)
                                .order_by(Draw.id)))


def entry_summaries(session: Session, mandate_id: int) -> dict[int, tuple[int, float]]:
    """(candidates, smallest selection probability) of each of the mandate's draws, by id.

    One aggregate query: the public record shows these figures, not the candidates, and
    loading every entry of every draw to find them cost more than the page around them.
    """
    rows = session.execute(
        select(DrawEntry.draw_id, func.count(), func.min(DrawEntry.probability))
        .join(Draw, DrawEntry.draw_id == Draw.id)
        .where(Draw.mandate_id == mandate_id)
        .group_by(DrawEntry.draw_id))
    return {draw_id: (count, float(smallest)) for draw_id, count, smallest in rows}
