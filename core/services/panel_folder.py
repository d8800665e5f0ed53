"""Lottery folders of the database's draws: where they live, what may be served, undo.

Every draw writes its folder under the instance's lottery root (``lotteries/`` in the
instance folder for the command line, the web app's ``KLEROTERION_LOTTERY_ROOT``
otherwise) as ``<mandate>-<group>-<draw id>``; the draw keeps the folder's path
*relative to that root*, so that an instance moved elsewhere keeps serving its
folders. A panel or replacement lottery folder holds the five files of
:mod:`kleroterion.sortition.lottery`, a uniform one the two of
:mod:`kleroterion.sortition.uniform`; nothing else is ever served. A folder written
in a transaction that is rolled back is removed again.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kleroterion import db
from kleroterion.messages import Message
from kleroterion.models import Draw, Respondent
from kleroterion.models.base import utcnow
from kleroterion.services import audit
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.sortition import lottery
from kleroterion.sortition.io import InputError, shared_households
from kleroterion.sortition.manifest import read_manifest
from kleroterion.sortition.types import Pool, Problem
from kleroterion.sortition.uniform import (
    UNIFORM_FORMAT,
    choose_uniform,
    publish_uniform,
    uniform_pick,
)
from sqlalchemy import event
from sqlalchemy.orm import Session

#: The only files a service-written lottery folder holds: all of them may be published.
#: The audit log's head (``audit.ANCHOR_FILE``) is written beside them once the
#: publication is recorded; folders published before it existed lack it.
FOLDER_FILES = (lottery.RESPONDENTS, lottery.QUOTAS, lottery.PANELS, lottery.PROBABILITIES,
                lottery.MANIFEST)
UNIFORM_FILES = (lottery.RESPONDENTS, lottery.MANIFEST)


def lottery_root() -> Path:
    """Where the command line writes lottery folders: ``lotteries/`` in the instance folder."""
    return db.instance_path() / "lotteries"


def folder_name(draw: Draw) -> str:
    """The folder of a draw under the lottery root: ``<mandate>-<group or body>-<draw id>``."""
    return f"{draw.mandate_id}-{draw.seat_group or draw.body_key or draw.kind}-{draw.id}"


def folder_path(draw: Draw, root: Path | None = None) -> Path | None:
    """The draw's lottery folder on this machine, or None when it has none.

    Stored relative to the lottery root it was published under, so an instance moved
    elsewhere (or served by another front end with the same root) finds it under
    ``root``; when it is not there, the absolute path kept at publication (a folder
    published under another root, ``kleroterion panel publish --lotteries``) is used,
    and a path stored whole (before folders were kept relative) is used as it is.
    """
    if not draw.lottery_folder:
        return None
    found = (root if root is not None else lottery_root()) / draw.lottery_folder
    if not found.is_dir():
        written = (draw.inputs or {}).get("folder_path")
        if isinstance(written, str) and Path(written).is_dir():
            return Path(written)
    return found


def keep_folder(draw: Draw, folder: Path) -> None:
    """Record a just-written folder on its draw: its name, and where it was written."""
    draw.lottery_folder = folder.name
    inputs = dict(draw.inputs or {})
    inputs["folder_path"] = str(folder.resolve())
    draw.inputs = inputs


_UNDO = "kleroterion.panel.undo"


def undo_on_rollback(session: Session, undo: Callable[[], None]) -> None:
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



def public_files(draw: Draw, root: Path | None = None) -> list[Path]:
    """The files of a draw's lottery folder that anyone may download, checked again.

    Refused (NotAllowed) unless the folder holds only the lottery's files and its
    respondents file only public ids, the quotas' features and the opaque household
    number: a folder edited by hand since it was written is not served.
    """
    folder = folder_path(draw, root)
    if draw.state not in ("published", "chosen") or folder is None:
        raise NotAllowed("draw %(draw)s has no published lottery folder", draw=draw.id)
    if not folder.is_dir():
        raise NotAllowed("the lottery folder of draw %(draw)s is missing", draw=draw.id)
    names = sorted(p.name for p in folder.iterdir() if p.name != audit.ANCHOR_FILE)
    uniform = _format(folder) == UNIFORM_FORMAT
    expected = UNIFORM_FILES if uniform else FOLDER_FILES
    if names != sorted(expected):
        raise NotAllowed("the lottery folder of draw %(draw)s holds other files", draw=draw.id)
    header = next(csv.reader(io.StringIO(
        (folder / lottery.RESPONDENTS).read_text(encoding="utf-8"))), [])
    allowed = {"id", lottery.HOUSEHOLD_COLUMN}
    if not uniform:
        quotas = list(csv.DictReader(io.StringIO(
            (folder / lottery.QUOTAS).read_text(encoding="utf-8"))))
        allowed |= {row.get("feature", "") for row in quotas}
    if not header or header[0] != "id" or not set(header) <= allowed:
        raise NotAllowed("the respondents file of draw %(draw)s has other columns",
                         draw=draw.id)
    anchor = folder / audit.ANCHOR_FILE
    return [*(folder / name for name in expected), *([anchor] if anchor.is_file() else [])]


def _format(folder: Path) -> Any:
    try:
        return json.loads((folder / lottery.MANIFEST).read_text(encoding="utf-8")).get("format")
    except (OSError, ValueError, AttributeError):
        return None


def uniform_candidates(candidates: Sequence[Respondent], seats: int,
                       households: bool) -> tuple[list[str], list[str | None] | None]:
    """The candidates' ids and opaque households, as a uniform lottery publishes them.

    Refused (InvalidInput) when fewer candidates of distinct households remain than
    seats: whatever the number, the rule could not fill them.
    """
    homes = (list(shared_households(c.household or None for c in candidates))
             if households else None)
    ids = [c.public_id for c in candidates]
    # The number only orders the candidates: how many distinct households it reaches
    # is the same for any number.
    reached = len(uniform_pick(ids, homes, seats, 0))
    if reached < seats:
        raise InvalidInput("only %(candidates)s candidates from distinct households for "
                           "%(seats)s seats", candidates=reached, seats=seats)
    return ids, homes


def publish_uniform_folder(session: Session, draw: Draw, root: Path | None, ids: list[str],
                           homes: list[str | None] | None) -> None:
    """Commit the folder of a uniform draw just persisted: its digest kept on the draw.

    Only the candidates, the seats and the rule: the public number is taken after the
    digest is published, and recorded by :func:`choose_folder`.
    """
    folder = (root if root is not None else lottery_root()) / folder_name(draw)
    try:
        manifest = publish_uniform(folder, ids, homes, draw.seats, extra={
            "mandate": draw.mandate_id, "seat_group": draw.seat_group, "draw_id": draw.id,
            "kind": draw.kind, **({"body": draw.body_key} if draw.body_key else {})})
    except (lottery.LotteryError, OSError) as error:
        raise InvalidInput("the lottery folder cannot be written: %(error)s",
                           error=error) from None
    undo_on_rollback(session, lambda: shutil.rmtree(folder, ignore_errors=True))
    keep_folder(draw, folder)
    draw.panels_digest = str(manifest["digest"])
    draw.published_at = utcnow()
    draw.state = "published"
    inputs = dict(draw.inputs)
    inputs.update(files=manifest["files"], engine=manifest["engine"])
    draw.inputs = inputs


def choose_folder(session: Session, draw: Draw, root: Path | None,
                  number: int) -> dict[str, Any]:
    """Let ``number`` choose in a draw's committed folder; the ``draw`` its manifest records.

    Refused unless the folder is the one whose digest the draw published; the manifest
    is restored if the transaction is rolled back. Works on both folder formats (a
    LEXIMIN list of panels, a uniform lottery).
    """
    folder = folder_path(draw, root) or Path()
    uniform = _format(folder) == UNIFORM_FORMAT
    try:
        digest = (str(read_manifest(folder, UNIFORM_FORMAT).get("digest")) if uniform
                  else lottery.load(folder).digest)
    except lottery.LotteryError as error:
        raise InvalidInput("the lottery folder of draw %(draw)s cannot be read: %(error)s",
                           draw=draw.id, error=error) from None
    if digest != draw.panels_digest:
        raise InvalidInput("the lottery folder of draw %(draw)s is not the one published (its "
                           "digest is %(digest)s, the draw's %(expected)s); refusing to "
                           "draw", draw=draw.id, digest=digest, expected=draw.panels_digest)
    before = (folder / lottery.MANIFEST).read_bytes()
    try:
        drawn = (choose_uniform(folder, number)["draw"] if uniform
                 else lottery.choose(folder, number).draw)
    except lottery.LotteryError as error:
        raise InvalidInput(Message.of(error)) from None

    def restore() -> None:
        (folder / lottery.MANIFEST).write_bytes(before)

    undo_on_rollback(session, restore)
    assert drawn is not None
    return dict(drawn)


def mark_chosen(session: Session, draw: Draw, drawn: dict[str, Any], number: int,
                public_number: str | None) -> list[int]:
    """Record the number on a draw and which entries it chose; their indices in entry order.

    Refused when the chosen ids are not all among the draw's candidates (the
    respondents changed since the folder was committed).
    """
    chosen_ids = set(drawn["panel"])
    entries = sorted(draw.entries, key=lambda e: e.id)
    public_ids = [session.get(Respondent, e.respondent_id) for e in entries]
    chosen = [i for i, r in enumerate(public_ids) if r is not None and r.public_id in chosen_ids]
    if len(chosen) != len(chosen_ids):
        raise InvalidInput("the respondents of draw %(draw)s changed since its lottery was "
                           "published; start a new draw", draw=draw.id)
    for index, entry in enumerate(entries):
        entry.selected = index in set(chosen)
    inputs = dict(draw.inputs)
    inputs["number"] = number
    if "panel_number" in drawn:
        inputs["panel_number"] = drawn["panel_number"]
    draw.inputs = inputs
    draw.public_number = public_number
    draw.state, draw.chosen_at = "chosen", utcnow()
    return chosen


def in_quota_order(problem: Problem) -> Problem:
    """The problem with its pool's features in the quotas' order, as a lottery publishes it."""
    features = tuple(dict.fromkeys(q.feature for q in problem.quotas))
    pool = problem.pool
    if pool.features == features:
        return problem
    columns = [pool.features.index(f) for f in features]
    values = tuple(tuple(row[j] for j in columns) for row in pool.values)
    return Problem(Pool(pool.ids, features, values, pool.households), problem.quotas,
                   problem.seats)
