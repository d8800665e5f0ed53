"""The public record of the current mandate: its panel draws, its acts and their follow-up.

Read from the database through the services, never a person: draws show their
published digests, the dates of publication and of the public number, and the
lottery folder to download and verify (public ids and selection features only,
checked again before it is served; no candidate's name), acts their timeline of
transitions, adopted acts their journey from proposal to decision to commitments
and milestones, with deadlines and overdue marks, and the yearly follow-up report
(Markdown or CSV) to download. The views build plain dataclasses (``Step``,
``Journey``) that the pages and the JSON API share.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, render_template, url_for
from kleroterion import __version__
from kleroterion.city.types import CityConfig, Localized, ProposalKind
from kleroterion.models import Draw, Mandate, Proposal
from kleroterion.services import followup, panel, proposals
from kleroterion.services.errors import NotAllowed, ServiceError
from kleroterion.web import source
from kleroterion.web.context import current_city, current_config
from kleroterion.web.database import current_mandate, db_session
from kleroterion.web.public import today

bp = Blueprint("records", __name__)

REPORT_FORMATS = {"md": ("markdown", "text/markdown"), "csv": ("csv", "text/csv")}


# -- draws ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawRecord:
    """A panel draw as published: what anyone needs to check it, and no candidate."""

    id: int
    seat_group: str
    group_label: Localized
    algorithm: str
    seats: int
    respondents: int
    min_probability: float | None
    respondents_digest: str
    quotas_digest: str | None
    list_digest: str | None
    public_number: str | None
    number: int | None
    panel_index: int | None
    panels: int | None
    final: bool
    state: str = "chosen"
    published_at: dt.datetime | None = None
    chosen_at: dt.datetime | None = None
    files: dict[str, str] = field(default_factory=dict)
    lottery_url: str | None = None
    #: ``pip install`` of the source this site serves and the HiGHS of the draw (None when
    #: the draw was computed by another version than the one this site runs).
    install: str | None = None
    #: ``panel`` or ``replacement``.
    kind: str = "panel"
    #: The ``kleroterion verify`` command of this draw's folder, digest and number.
    verify: str | None = None
    #: The versions that computed the draw, as ``kleroterion 0.1.0, highspy 1.16.0``.
    versions: str | None = None


def draw_records(config: CityConfig, mandate: Mandate,
                 kinds: tuple[str, ...] = ("panel",)) -> list[DrawRecord]:
    """The mandate's draws of ``kinds`` (panel draws by default), in the order they were made.

    A draw still computing, or failed, is not public yet: only a published lottery
    (awaiting its number) and a chosen panel are listed.
    """
    labels = {group.key: group.label for group in config.composition.seat_groups}
    body_labels = {body.key: body.label for body in config.bodies}
    found: list[DrawRecord] = []
    rows: list[Draw] = panel.draws(db_session(), mandate.id)
    summaries = panel.entry_summaries(db_session(), mandate.id)
    for row in rows:
        if row.kind not in kinds or row.state not in ("published", "chosen"):
            continue
        inputs = row.inputs or {}
        number = inputs.get("number")
        stratified = row.panels_digest is not None and row.algorithm not in ("uniform", "open")
        folder = panel.folder_path(row, lottery_root(current_app))
        key = row.seat_group or row.body_key or ""
        candidates, smallest = summaries.get(row.id, (0, None))
        served = folder is not None and folder.is_dir()
        found.append(DrawRecord(
            id=row.id,
            seat_group=key,
            group_label=(body_labels if row.kind == "body" else labels).get(key, {"en": key}),
            algorithm=row.algorithm,
            seats=row.seats,
            respondents=int(inputs.get("respondents", candidates)),
            min_probability=smallest,
            respondents_digest=str(inputs.get("respondents_digest", "")),
            quotas_digest=inputs.get("quotas_digest"),
            list_digest=row.panels_digest,
            public_number=row.public_number,
            number=number if isinstance(number, int) else None,
            panel_index=(number % panel.LOTTERY_SIZE
                         if stratified and isinstance(number, int) else None),
            panels=panel.LOTTERY_SIZE if stratified else None,
            final=row.final,
            state=row.state,
            published_at=row.published_at,
            chosen_at=row.chosen_at,
            files=dict(inputs.get("files") or {}),
            # Only a folder that is there: a page never points to a missing download.
            lottery_url=(url_for("records.lottery_download", draw_id=row.id)
                         if served else None),
            install=install_command(inputs.get("engine"), source.source_url()),
            kind=row.kind,
            verify=(verify_command(Path(row.lottery_folder or "").name, row.panels_digest,
                                   number if isinstance(number, int) else None)
                    if served else None),
            versions=engine_versions(inputs.get("engine")),
        ))
    return found


def verify_command(folder: str, digest: str | None, number: int | None) -> str:
    """``kleroterion verify FOLDER --digest D --number N``, as a resident types it."""
    parts = ["kleroterion verify", folder]
    if digest:
        parts += ["--digest", digest]
    if number is not None:
        parts += ["--number", str(number)]
    return " ".join(parts)


def engine_versions(engine: object) -> str | None:
    """``kleroterion 0.1.0, highspy 1.16.0`` for a manifest's ``engine``, if well formed."""
    if not isinstance(engine, dict):
        return None
    named = [f"{name} {engine.get('version' if name == 'kleroterion' else name)}"
             for name in _ENGINE_PACKAGES
             if isinstance(engine.get("version" if name == "kleroterion" else name), str)
             and _VERSION.fullmatch(engine["version" if name == "kleroterion" else name])]
    return ", ".join(named) or None


#: The packages of a lottery manifest's ``engine`` that make its panels, in install order.
_ENGINE_PACKAGES = ("kleroterion", "highspy")
_VERSION = re.compile(r"[0-9][0-9A-Za-z.+!-]*")


def install_command(engine: object, source: str) -> str | None:
    """``pip install SOURCE highspy==Y``: the source this site serves, the draw's HiGHS.

    None unless the manifest's ``engine`` names the kleroterion version this site runs
    (the one its ``source`` archive holds) and a well-formed HiGHS version: no index
    serves kleroterion, so only the served source can be installed.
    """
    if not isinstance(engine, dict) or engine.get("version") != __version__:
        return None
    highspy = engine.get("highspy")
    pin = f" highspy=={highspy}" if isinstance(highspy, str) and _VERSION.fullmatch(
        highspy) else ""
    return f"pip install {source}{pin}"


LOTTERY_ROOT_SETTING = "KLEROTERION_LOTTERY_ROOT"


def lottery_root(app: Flask) -> Path:
    """Where the app writes lottery folders: the setting, else ``lotteries/`` in the instance."""
    configured = app.config.get(LOTTERY_ROOT_SETTING)
    return Path(configured) if configured else Path(app.instance_path) / "lotteries"


def lottery_zip(draw: Draw) -> Response:
    """The draw's lottery folder as a zip of its files, or 404 if it may not be served."""
    try:
        files = panel.public_files(draw, lottery_root(current_app))
    except NotAllowed:
        abort(404)
    name = Path(draw.lottery_folder or "lottery").name
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, f"{name}/{path.name}")
    response = Response(buffer.getvalue(), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    return response


# -- proposals ------------------------------------------------------------------------


def find_kind(config: CityConfig, key: str) -> ProposalKind | None:
    try:
        return config.proposal_kind(key)
    except KeyError:
        return None


def state_label_of(kind: ProposalKind | None, key: str) -> Localized:
    if kind is not None:
        for state in kind.states:
            if state.key == key:
                return state.label
    return {"en": key}


def outcome_of(kind: ProposalKind | None, key: str) -> str:
    if kind is not None:
        for state in kind.states:
            if state.key == key:
                return state.outcome
    return ""


#: The largest id an INTEGER column holds on either database: a larger number is no
#: record (and would overflow the query: a 500 instead of a 404).
MAX_ID = 2**31 - 1


def proposal_or_404(ident: int) -> tuple[Mandate, Proposal]:
    """The current mandate's proposal ``ident``, or a 404 page."""
    mandate = current_mandate()
    if mandate is None or not 0 < ident <= MAX_ID:
        abort(404)
    proposal = db_session().get(Proposal, ident)
    if proposal is None or proposal.mandate_id != mandate.id:
        abort(404)
    return mandate, proposal


# -- follow-up --------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One dated event of an adopted act's journey."""

    on: dt.date
    what: str  # proposed | moved | response_due | answered | committed | commitment_due
    #            | milestone_due | milestone_done
    title: str = ""
    state: Localized | None = None
    actor: str = ""
    reason: str = ""
    label: Localized | None = None
    overdue: bool = False


@dataclass(frozen=True)
class CommitmentView:
    id: int
    title: str
    department: str
    status: str
    progress: int
    due_on: dt.date | None
    overdue: bool
    milestones_done: int
    milestones: int
    version: int


@dataclass(frozen=True)
class Journey:
    """An adopted act from proposal to decision, responses, commitments and milestones."""

    id: int
    kind: str
    kind_label: Localized
    title: str
    state: str
    state_label: Localized
    steps: list[Step] = field(default_factory=list)
    commitments: list[CommitmentView] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for step in self.steps if step.overdue)


def adopted(config: CityConfig, mandate: Mandate) -> list[Proposal]:
    """The mandate's acts whose state's outcome is "adopted"."""
    return [p for p in proposals.list_proposals(db_session(), mandate.id, with_history=True)
            if outcome_of(find_kind(config, p.kind), p.state) == "adopted"]


def journey(config: CityConfig, proposal: Proposal, on: dt.date) -> Journey:
    """The chronological story of one act, with what is late on ``on``."""
    kind = find_kind(config, proposal.kind)
    steps = [Step(proposal.created_on, "proposed", title=proposal.title,
                  state=state_label_of(kind, kind.initial if kind else ""))]
    for move in proposal.transitions:
        steps.append(Step(move.on, "moved", state=state_label_of(kind, move.target),
                          actor=move.actor, reason=move.reason))
    rules = {rule.key: rule.label for rule in config.accountability.response_deadlines}
    for deadline in followup.deadlines(db_session(), proposal.id):
        label = rules.get(deadline.key, {"en": deadline.label})
        steps.append(Step(deadline.due_on, "response_due", actor=deadline.by, label=label,
                          overdue=deadline.overdue(on)))
        if deadline.answered_on is not None:
            steps.append(Step(deadline.answered_on, "answered", actor=deadline.by, label=label))
    commitments: list[CommitmentView] = []
    for commitment in proposal.commitments:
        closed = commitment.status in followup.CLOSED
        late = (not closed and commitment.due_on is not None and on > commitment.due_on)
        steps.append(Step(commitment.created_on, "committed", title=commitment.title,
                          actor=commitment.department))
        if commitment.due_on is not None:
            steps.append(Step(commitment.due_on, "commitment_due", title=commitment.title,
                              overdue=late))
        for milestone in commitment.milestones:
            steps.append(Step(milestone.due_on, "milestone_due", title=milestone.title,
                              overdue=(not closed and milestone.done_on is None
                                       and on > milestone.due_on)))
            if milestone.done_on is not None:
                steps.append(Step(milestone.done_on, "milestone_done", title=milestone.title))
        commitments.append(CommitmentView(
            id=commitment.id, title=commitment.title, department=commitment.department,
            status=commitment.status, progress=max(0, min(100, commitment.progress)),
            due_on=commitment.due_on, overdue=late,
            milestones_done=sum(1 for m in commitment.milestones if m.done_on is not None),
            milestones=len(commitment.milestones), version=commitment.version))
    order = ("proposed", "moved", "committed", "response_due", "answered", "milestone_due",
             "milestone_done", "commitment_due")
    steps.sort(key=lambda step: (step.on, order.index(step.what)))
    return Journey(
        id=proposal.id, kind=proposal.kind,
        kind_label=kind.label if kind is not None else {"en": proposal.kind},
        title=proposal.title, state=proposal.state,
        state_label=state_label_of(kind, proposal.state), steps=steps, commitments=commitments)


def report_years(mandate: Mandate) -> list[int]:
    """The years a follow-up report may be downloaded for, latest first."""
    last = max(mandate.starts_on.year, min(today().year, mandate.ends_on.year + 1))
    return list(range(last, mandate.starts_on.year - 1, -1))


# -- pages ------------------------------------------------------------------------


@bp.get("/draw")
def draw_page() -> str:
    config = current_config()
    mandate = current_mandate()
    records = (draw_records(config, mandate, ("panel", "replacement", "body"))
               if mandate is not None else [])
    served = source.archive()
    return render_template("public/draw.html", config=config, mandate=mandate,
                           draws=[r for r in records if r.kind == "panel"],
                           replacements=[r for r in records if r.kind != "panel"],
                           lottery_size=panel.LOTTERY_SIZE, source_url=source.source_url(),
                           source_sha256=served.sha256)


@bp.get("/draw/<int:draw_id>/lottery.zip")
def lottery_download(draw_id: int) -> Response:
    """A published lottery folder of the current mandate, to check with ``kleroterion verify``."""
    mandate = current_mandate()
    if mandate is None:
        abort(404)
    draw = db_session().get(Draw, draw_id)
    if draw is None or draw.mandate_id != mandate.id or draw.kind not in (
            "panel", "replacement", "body"):
        abort(404)
    return lottery_zip(draw)


@bp.get("/proposals")
def proposals_page() -> str:
    config = current_config()
    mandate = current_mandate()
    rows = proposals.list_proposals(db_session(), mandate.id) if mandate is not None else []
    by_kind = []
    for kind in config.proposal_kinds:
        mine = [p for p in rows if p.kind == kind.key]
        by_state = [(state, [p for p in mine if p.state == state.key]) for state in kind.states]
        by_kind.append((kind, mine, [(s, ps) for s, ps in by_state if ps]))
    return render_template("public/proposals.html", config=config, mandate=mandate,
                           by_kind=by_kind)


@bp.get("/proposals/<int:ident>")
def proposal_page(ident: int) -> str:
    config = current_config()
    _, proposal = proposal_or_404(ident)
    kind = find_kind(config, proposal.kind)
    timeline = [(move, state_label_of(kind, move.source), state_label_of(kind, move.target))
                for move in proposal.transitions]
    adopted_act = outcome_of(kind, proposal.state) == "adopted"
    return render_template(
        "public/proposal.html", config=config, proposal=proposal, kind=kind,
        state_label=state_label_of(kind, proposal.state), outcome=outcome_of(kind, proposal.state),
        timeline=timeline, adopted=adopted_act)


@bp.get("/follow-up")
def follow_up_page() -> str:
    config = current_config()
    mandate = current_mandate()
    journeys = ([journey(config, p, today()) for p in adopted(config, mandate)]
                if mandate is not None else [])
    return render_template("public/follow_up.html", config=config, mandate=mandate,
                           journeys=journeys,
                           years=report_years(mandate) if mandate is not None else [])


@bp.get("/follow-up/<int:ident>")
def follow_up_item(ident: int) -> str:
    config = current_config()
    mandate, proposal = proposal_or_404(ident)
    if proposal not in adopted(config, mandate):
        abort(404)
    return render_template("public/follow_up_item.html", config=config,
                           journey=journey(config, proposal, today()), today=today())


@bp.get("/follow-up/report-<int:year>.<any(md, csv):fmt>")
def follow_up_report(year: int, fmt: str) -> Response:
    mandate = current_mandate()
    if mandate is None or year not in report_years(mandate):
        abort(404)
    session = db_session()
    name, mimetype = REPORT_FORMATS[fmt]
    try:
        body = followup.report(session, mandate.id, year, name,
                               french=current_config().profile.languages[0] == "fr",
                               public=True)
    except ServiceError:
        abort(404)
    finally:
        # The service logs each report it makes (and moves the next one's due date):
        # a visitor's download is a reading, not the city's report.
        session.rollback()
    response = Response(body, mimetype=mimetype)
    filename = f"{current_city().slug}-follow-up-{year}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
