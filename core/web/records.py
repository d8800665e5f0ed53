"""The public record of every mandate of the city: panel draws, acts and their follow-up.

Read from the database through the services, never a person: draws show their
published digests, the dates of publication and of the public number, and the
lottery folder to download and verify (public ids and selection features only,
checked again before it is served; no candidate's name), acts their timeline of
transitions, adopted acts their journey from proposal to decision to commitments
and milestones, with deadlines and overdue marks, and the yearly follow-up report
(a page, Markdown or CSV, see ``kleroterion.web.report_page``). Every list spans
all the city's mandates, sitting or past, or the one ``?promotion=`` names
(``kleroterion.web.promotions``). An act's page gives its content (summary and
text in the page's language, shown as text), its votes, the council's reference,
its attachments (served under their safe stored name) and the city's answers.
The views build plain dataclasses (``Step``, ``Journey``, ``AnswerView``) that the
pages and the JSON API share.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    render_template,
    send_file,
    url_for,
)
from kleroterion import __version__
from kleroterion.city.types import CityConfig, Localized, ProposalKind
from kleroterion.models import Draw, Mandate, Proposal, ProposalAttachment, ProposalTransition
from kleroterion.services import acts, answer_edits, followup, panel, proposals, texts
from kleroterion.services.context import follow_up_until
from kleroterion.services.errors import NotAllowed
from kleroterion.web import promotions, source
from kleroterion.web.context import current_city, current_config
from kleroterion.web.database import db_session
from kleroterion.web.i18n import mandate_label
from kleroterion.web.public import today
from sqlalchemy.exc import OperationalError, ProgrammingError

bp = Blueprint("records", __name__)
T = TypeVar("T")

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


def row_or_404(model: type[T], ident: int) -> T:
    """The row ``ident`` of ``model``, or a 404 page (also before the database exists)."""
    if not 0 < ident <= MAX_ID:
        abort(404)
    try:
        row = db_session().get(model, ident)
    except (OperationalError, ProgrammingError):
        db_session().rollback()
        abort(404)
    if row is None:
        abort(404)
    return row


def proposal_or_404(ident: int) -> tuple[Mandate, Proposal]:
    """The city's proposal ``ident``, whatever its mandate, or a 404 page."""
    proposal = row_or_404(Proposal, ident)
    mandate = db_session().get(Mandate, proposal.mandate_id)
    if mandate is None or mandate.city != current_city().slug:
        abort(404)
    return mandate, proposal


# -- follow-up --------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One dated event of an adopted act's journey."""

    on: dt.date
    what: str  # proposed | moved | voted | response_due | answered | committed
    #            | commitment_due | milestone_due | milestone_done
    title: str = ""
    state: Localized | None = None
    actor: str = ""
    reason: str = ""
    label: Localized | None = None
    overdue: bool = False
    answer_kind: str = ""  # of an "answered" step: first | final | yearly | reasons
    verdict: str | None = None
    #: The secretariat's prose of the step by language (a move's reason, an answer's
    #: summary, a commitment's or a milestone's title), the city's first language first.
    texts: Localized = field(default_factory=dict)
    #: A commitment's department by language, for a "committed" step.
    department: Localized = field(default_factory=dict)


@dataclass(frozen=True)
class CommitmentView:
    id: int
    title: Localized  # by language, the city's first language first
    department: Localized
    status: str
    progress: int
    due_on: dt.date | None
    overdue: bool
    milestones_done: int
    milestones: int
    version: int


@dataclass(frozen=True)
class AnswerView:
    """One of the city's answers to an act, as published."""

    kind: str  # first | final | yearly | reasons
    on: dt.date
    summary: Localized  # by language, the city's first language first
    text: Localized
    verdict: str | None
    year: int | None
    label: Localized | None = None  # the deadline's label, for a first or final answer
    id: int = 0  # what a correction names (``PATCH /api/answers/<id>``)
    revision: str = ""  # what a correction sends back (``answer_edits.revision``)


@dataclass(frozen=True)
class VoteView:
    body: str  # assembly | council
    on: dt.date
    votes_for: int
    votes_against: int
    abstentions: int
    reference: str


@dataclass(frozen=True)
class Journey:
    """An adopted act from proposal to decision, responses, commitments and milestones."""

    id: int
    kind: str
    kind_label: Localized
    title: Localized  # by language, the city's first language first
    state: str
    state_label: Localized
    steps: list[Step] = field(default_factory=list)
    commitments: list[CommitmentView] = field(default_factory=list)
    mandate_id: int = 0
    mandate_label: str = ""
    answers: list[AnswerView] = field(default_factory=list)
    #: Whether the city still follows the act: its follow-up period runs, or a
    #: commitment is open.
    followed: bool = True

    @property
    def overdue(self) -> int:
        return sum(1 for step in self.steps if step.overdue)


def adopted(config: CityConfig, mandate: Mandate) -> list[Proposal]:
    """The mandate's acts whose state's outcome is "adopted"."""
    return [p for _, p in adopted_of(config, [mandate])]


def adopted_of(config: CityConfig, shown: list[Mandate]) -> list[tuple[Mandate, Proposal]]:
    """The adopted acts of ``shown`` with their history, mandate by mandate, loaded in a
    few queries whatever the number of mandates and acts."""
    found = proposals.acts_of(db_session(), [m.id for m in shown], with_history=True)
    return [(m, p) for m in shown for p in found[m.id]
            if outcome_of(find_kind(config, p.kind), p.state) == "adopted"]


def answers_of(config: CityConfig, proposal: Proposal) -> list[AnswerView]:
    """The city's answers to an act, in date order."""
    rules = {rule.key: rule.label for rule in config.accountability.response_deadlines}
    first = config.profile.languages[0]
    return [AnswerView(kind=r.kind, on=r.answered_on,
                       summary=texts.texts_of(r, "summary", first), text=dict(r.text),
                       verdict=r.verdict, year=r.year, label=rules.get(r.deadline_key),
                       id=r.id, revision=answer_edits.revision(r, first))
            for r in sorted(proposal.responses, key=lambda r: (r.answered_on, r.id))]


def titles_of(config: CityConfig, row: texts.Written) -> Localized:
    """An act's (or an attachment's) title by language, the city's first language first."""
    return texts.texts_of(row, "title", config.profile.languages[0])


def tabled_by_of(config: CityConfig, proposal: Proposal) -> Localized:  # who tables it
    return texts.texts_of(proposal, "tabled_by", config.profile.languages[0])


def reasons_of(config: CityConfig, move: ProposalTransition) -> Localized:
    """A move's reason by language, the city's first language first."""
    return texts.texts_of(move, "reason", config.profile.languages[0])


def votes_of(proposal: Proposal) -> list[VoteView]:
    return [VoteView(v.body, v.on, v.votes_for, v.votes_against, v.abstentions, v.reference)
            for v in proposal.votes]


def journeys(config: CityConfig, shown: list[Mandate], on: dt.date) -> list[Journey]:
    """The journeys of the adopted acts of ``shown``: those still followed first."""
    found = [journey(config, p, on, mandate=m) for m, p in adopted_of(config, shown)]
    return sorted(found, key=lambda j: (not j.followed, j.id))


def journey(config: CityConfig, proposal: Proposal, on: dt.date, *,
            mandate: Mandate | None = None) -> Journey:
    """The chronological story of one act, with what is late on ``on``."""
    kind = find_kind(config, proposal.kind)
    mandate = mandate or db_session().get(Mandate, proposal.mandate_id)
    titles = titles_of(config, proposal)
    steps = [Step(proposal.created_on, "proposed", title=proposal.title, texts=titles,
                  state=state_label_of(kind, kind.initial if kind else ""))]
    for move in proposal.transitions:
        steps.append(Step(move.on, "moved", state=state_label_of(kind, move.target),
                          actor=move.actor, texts=reasons_of(config, move)))
    for vote in proposal.votes:
        steps.append(Step(vote.on, "voted", actor=vote.body, title=vote.reference))
    rules = {rule.key: rule.label for rule in config.accountability.response_deadlines}
    for deadline in followup.deadlines(db_session(), proposal.id):
        label = rules.get(deadline.key, {"en": deadline.label})
        steps.append(Step(deadline.due_on, "response_due", actor=deadline.by, label=label,
                          overdue=deadline.overdue(on)))
    answers = answers_of(config, proposal)
    for answer in answers:
        steps.append(Step(answer.on, "answered", texts=answer.summary, label=answer.label,
                          answer_kind=answer.kind, verdict=answer.verdict))
    commitments: list[CommitmentView] = []
    first = config.profile.languages[0]
    for commitment in proposal.commitments:
        closed = commitment.status in followup.CLOSED
        late = (not closed and commitment.due_on is not None and on > commitment.due_on)
        title = texts.texts_of(commitment, "title", first)
        department = texts.texts_of(commitment, "department", first)
        steps.append(Step(commitment.created_on, "committed", title=commitment.title,
                          actor=commitment.department, texts=title, department=department))
        if commitment.due_on is not None:
            steps.append(Step(commitment.due_on, "commitment_due", title=commitment.title,
                              texts=title, overdue=late))
        for milestone in commitment.milestones:
            named = texts.texts_of(milestone, "title", first)
            steps.append(Step(milestone.due_on, "milestone_due", title=milestone.title,
                              texts=named, overdue=(not closed and milestone.done_on is None
                                                    and on > milestone.due_on)))
            if milestone.done_on is not None:
                steps.append(Step(milestone.done_on, "milestone_done", title=milestone.title,
                                  texts=named))
        commitments.append(CommitmentView(
            id=commitment.id, title=title, department=department,
            status=commitment.status, progress=max(0, min(100, commitment.progress)),
            due_on=commitment.due_on, overdue=late,
            milestones_done=sum(1 for m in commitment.milestones if m.done_on is not None),
            milestones=len(commitment.milestones), version=commitment.version))
    order = ("proposed", "moved", "voted", "committed", "response_due", "answered",
             "milestone_due", "milestone_done", "commitment_due")
    steps.sort(key=lambda step: (step.on, order.index(step.what)))
    still_open = any(c.status not in followup.CLOSED for c in proposal.commitments)
    followed = still_open or (mandate is not None and on <= follow_up_until(mandate)) or (
        bool(config.accountability.report_every_months))
    return Journey(
        id=proposal.id, kind=proposal.kind,
        kind_label=kind.label if kind is not None else {"en": proposal.kind},
        title=titles, state=proposal.state,
        state_label=state_label_of(kind, proposal.state), steps=steps, commitments=commitments,
        mandate_id=proposal.mandate_id, mandate_label=mandate_label(mandate) if mandate else "",
        answers=answers, followed=followed)


def report_years(every: list[Mandate]) -> list[int]:
    """The years a follow-up report may be read for, latest first."""
    if not every:
        return []
    first = min(m.starts_on.year for m in every)
    last = max(first, min(today().year, max(m.ends_on.year for m in every) + 1))
    return list(range(last, first - 1, -1))


# -- pages ------------------------------------------------------------------------


@bp.get("/draw")
def draw_page() -> str:
    config = current_config()
    every = promotions.city_mandates()
    mandate = promotions.featured(today(), every)
    records = (draw_records(config, mandate, ("panel", "replacement", "body"))
               if mandate is not None else [])
    served = source.archive()
    return render_template("public/draw.html", config=config, mandate=mandate,
                           draws=[r for r in records if r.kind == "panel"],
                           replacements=[r for r in records if r.kind != "panel"],
                           lottery_size=panel.LOTTERY_SIZE, source_url=source.source_url(),
                           source_sha256=served.sha256,
                           selector=promotions.links(every, today(), mandate))


@bp.get("/draw/<int:draw_id>/lottery.zip")
def lottery_download(draw_id: int) -> Response:
    """A published lottery folder of any mandate of the city, to check with ``verify``."""
    draw = row_or_404(Draw, draw_id)
    if draw.kind not in ("panel", "replacement", "body"):
        abort(404)
    mandate = db_session().get(Mandate, draw.mandate_id)
    if mandate is None or mandate.city != current_city().slug:
        abort(404)
    return lottery_zip(draw)


def acts_of(shown: list[Mandate]) -> list[tuple[Mandate, Proposal]]:
    found = proposals.acts_of(db_session(), [m.id for m in shown])
    return [(m, p) for m in shown for p in found[m.id]]


@bp.get("/proposals")
def proposals_page() -> str:
    config = current_config()
    every = promotions.city_mandates()
    shown, one = promotions.chosen(every)
    rows = acts_of(shown)
    by_kind = []
    for kind in config.proposal_kinds:
        mine = [(m, p) for m, p in rows if p.kind == kind.key]
        by_state = [(state, [(m, p) for m, p in mine if p.state == state.key])
                    for state in kind.states]
        by_kind.append((kind, mine, [(s, ps) for s, ps in by_state if ps]))
    return render_template("public/proposals.html", config=config, mandate=one,
                           every=every, by_kind=by_kind,
                           selector=promotions.links(every, today(), one))


@bp.get("/proposals/<int:ident>")
def proposal_page(ident: int) -> str:
    config = current_config()
    mandate, proposal = proposal_or_404(ident)
    kind = find_kind(config, proposal.kind)
    timeline = [(move, state_label_of(kind, move.source), state_label_of(kind, move.target),
                 reasons_of(config, move)) for move in proposal.transitions]
    adopted_act = outcome_of(kind, proposal.state) == "adopted"
    return render_template(
        "public/proposal.html", config=config, proposal=proposal, kind=kind, mandate=mandate,
        state_label=state_label_of(kind, proposal.state), outcome=outcome_of(kind, proposal.state),
        timeline=timeline, adopted=adopted_act, votes=votes_of(proposal),
        answers=answers_of(config, proposal), attachments=proposal.attachments)


@bp.get("/proposals/<int:ident>/files/<int:file_id>")
def attachment_download(ident: int, file_id: int) -> Response:
    """An act's attachment, as a download under its safe stored name."""
    _, proposal = proposal_or_404(ident)
    attachment = next((a for a in proposal.attachments if a.id == file_id), None)
    if attachment is None:
        abort(404)
    return _send_attachment(attachment)


def _send_attachment(attachment: ProposalAttachment) -> Response:
    path = acts.attachment_path(Path(current_app.instance_path), attachment)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=attachment.media_type, as_attachment=True,
                         download_name=attachment.stored_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/follow-up")
def follow_up_page() -> str:
    config = current_config()
    every = promotions.city_mandates()
    shown, one = promotions.chosen(every)
    return render_template("public/follow_up.html", config=config, mandate=one,
                           journeys=journeys(config, shown, today()),
                           years=report_years(every),
                           selector=promotions.links(every, today(), one))


@bp.get("/follow-up/<int:ident>")
def follow_up_item(ident: int) -> str:
    config = current_config()
    mandate, proposal = proposal_or_404(ident)
    if proposal not in adopted(config, mandate):
        abort(404)
    return render_template("public/follow_up_item.html", config=config,
                           journey=journey(config, proposal, today(), mandate=mandate),
                           today=today())


def init_app(app: Flask) -> None:
    from kleroterion.web import (  # noqa: F401  (their routes join the blueprints)
        api_answers,  # on the api blueprint, registered after this one
        promotion_pages,
        record_words,
        report_page,
        subject_pages,
    )

    record_words.init_app(app)
    app.register_blueprint(bp)
