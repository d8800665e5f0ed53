"""The JSON API of the public record: promotions, draws, acts, sessions, events, follow-up.

Read-only and free of personal data, like the pages of ``kleroterion.web.records``
whose views it shares: a draw gives its digests and public number (no candidate), a
proposal its content, votes, attachments, answers and transitions, an adopted act
its journey. Every list spans all the city's mandates, or the one ``?promotion=``
names; the city's answers are written through ``kleroterion.web.api_answers``.
The routes are added to the ``api`` blueprint at import, declared with ``@endpoint``
so that the OpenAPI document describes them; ``api.init_app`` imports this module
before registering the blueprint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from flask import Response, abort, jsonify, request, url_for
from kleroterion.city.types import CityConfig
from kleroterion.models import Mandate, Proposal
from kleroterion.services import proposals, subjects
from kleroterion.web import promotions, records
from kleroterion.web.api import InvalidQuery, bp, dump, endpoint, parse_query
from kleroterion.web.context import current_config
from kleroterion.web.database import db_session
from kleroterion.web.i18n import said
from kleroterion.web.public import SESSION_FIELDS, all_meetings, today
from kleroterion.web.records import MAX_ID
from kleroterion.web.schemas import BaseSchema, LocalizedField
from marshmallow import fields, validate

# -- schemas --------------------------------------------------------------------------


class DrawSchema(BaseSchema):
    id = fields.Integer()
    seat_group = fields.String()
    group_label = LocalizedField()
    algorithm = fields.String()
    seats = fields.Integer()
    respondents = fields.Integer(metadata={"description": "respondents in the pool"})
    min_probability = fields.Float(allow_none=True, metadata={
        "description": "the smallest selection probability of a respondent, 0 to 1"})
    respondents_digest = fields.String(metadata={"description": "SHA-256 of the respondents"})
    quotas_digest = fields.String(allow_none=True, metadata={"description": "SHA-256"})
    list_digest = fields.String(allow_none=True, metadata={
        "description": "the lottery folder's digest, published before the draw: SHA-256 of "
                       "its manifest, which lists every file's SHA-256 (kleroterion verify "
                       "--digest)"})
    public_number = fields.String(allow_none=True)
    number = fields.Integer(allow_none=True, metadata={"description": "the number used"})
    panel_index = fields.Integer(allow_none=True, metadata={
        "description": "the chosen panel: number modulo panels"})
    panels = fields.Integer(allow_none=True, metadata={"description": "numbered panels"})
    final = fields.Boolean()
    state = fields.String(validate=validate.OneOf(["published", "chosen"]), metadata={
        "description": "published: the list is out, awaiting the public number; chosen: "
                       "the number chose the panel"})
    published_at = fields.String(allow_none=True, metadata={
        "description": "ISO date and time the lottery folder was published"})
    chosen_at = fields.String(allow_none=True, metadata={
        "description": "ISO date and time the number was entered, after publication"})
    files = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "SHA-256 of each file of the lottery folder, by file name"})
    lottery_url = fields.String(allow_none=True, metadata={
        "description": "the lottery folder as a zip, to check with kleroterion verify"})


class ProposalMoveSchema(BaseSchema):
    on = fields.String(metadata={"description": "ISO date"})
    source = fields.String()
    source_label = LocalizedField()
    target = fields.String()
    target_label = LocalizedField()
    actor = fields.String()
    reason = fields.String(metadata={"description": "in the request's language (?lang=), "
                                                    "else in the first one written"})
    reasons = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "the reason by language code, as the secretariat wrote it"})


class VoteSchema(BaseSchema):
    body = fields.String(validate=validate.OneOf(["assembly", "council"]))
    on = fields.String(metadata={"description": "ISO date"})
    votes_for = fields.Integer()
    votes_against = fields.Integer()
    abstentions = fields.Integer()
    reference = fields.String(metadata={
        "description": "the council's reference for its decision (deliberation number)"})


class AttachmentSchema(BaseSchema):
    id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(["adopted_text", "synthesis", "other"]))
    title = fields.String(metadata={"description": "in the request's language (?lang=), else "
                                                   "in the city's first language"})
    titles = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "the document's title by language code"})
    media_type = fields.String()
    size = fields.Integer(metadata={"description": "bytes"})
    digest = fields.String(metadata={"description": "SHA-256 of the file"})
    url = fields.String()


class AnswerSchema(BaseSchema):
    id = fields.Integer(metadata={"description": "the answer's id, to correct it "
                                                "(PATCH /api/answers/{ident})"})
    kind = fields.String(validate=validate.OneOf(["first", "final", "yearly", "reasons"]))
    on = fields.String(metadata={"description": "ISO date"})
    summary = fields.String(metadata={"description": "the gist in the request's language "
                                                     "(?lang=), else in the first one written"})
    summaries = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "the gist by language code, as the secretariat wrote it"})
    text = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "the answer's text by language code (plain text)"})
    verdict = fields.String(allow_none=True, validate=validate.OneOf(
        ["retained", "partly_retained", "not_retained"]), metadata={
        "description": "whether the city retains the act, apart from its implementation"})
    year = fields.Integer(allow_none=True, metadata={"description": "of a yearly answer"})
    revision = fields.String(metadata={
        "description": "the answer as you read it: send it back as expected_revision when "
                       "correcting it"})


class ProposalSchema(BaseSchema):
    id = fields.Integer()
    promotion = fields.Integer(metadata={"description": "the mandate the act belongs to"})
    promotion_label = fields.String()
    summary = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "the act's summary by language code (plain text)"})
    full_text = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "the act's full text by language code (plain text)"})
    tabled_by = fields.String(metadata={
        "description": "who tables it before its addressee, in the request's language "
                       "(?lang=), else in the city's first language"})
    tabled_by_texts = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "who tables it, by language code, as the secretariat wrote it"})
    subject = fields.Integer(allow_none=True, metadata={
        "description": "the subject of its promotion the act answers (see /api/subjects)"})
    votes = fields.List(fields.Nested(VoteSchema))
    attachments = fields.List(fields.Nested(AttachmentSchema))
    answers = fields.List(fields.Nested(AnswerSchema))
    kind = fields.String()
    kind_label = LocalizedField()
    title = fields.String(metadata={"description": "in the request's language (?lang=), else "
                                                   "in the city's first language"})
    titles = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "the act's title by language code, as the secretariat wrote it"})
    state = fields.String()
    state_label = LocalizedField()
    outcome = fields.String()
    created_on = fields.String(metadata={"description": "ISO date"})
    transitions = fields.List(fields.Nested(ProposalMoveSchema))
    version = fields.Integer(metadata={
        "description": "changes with every change of the act: send it back as "
                       "expected_version when moving it"})


class StepSchema(BaseSchema):
    on = fields.String(metadata={"description": "ISO date"})
    what = fields.String(validate=validate.OneOf(
        ["proposed", "moved", "voted", "response_due", "answered", "committed",
         "commitment_due", "milestone_due", "milestone_done"]))
    title = fields.String(metadata={"description": "an answer's summary, a commitment's or "
                                                  "a milestone's title: in the request's "
                                                  "language, else the first one written"})
    state = LocalizedField(allow_none=True)
    actor = fields.String(metadata={"description": "who acted; of a committed step, the "
                                                  "department, in the request's language"})
    reason = fields.String(metadata={"description": "a move's reason in the request's "
                                                    "language, else the first one written"})
    label = LocalizedField(allow_none=True)
    overdue = fields.Boolean()
    answer_kind = fields.String(metadata={"description": "of an answered step"})
    verdict = fields.String(allow_none=True)


class CommitmentSchema(BaseSchema):
    id = fields.Integer()
    title = fields.String(metadata={"description": "in the request's language (?lang=), "
                                                  "else in the first one written"})
    department = fields.String(metadata={"description": "in the request's language "
                                                       "(?lang=), else in the first one "
                                                       "written"})
    titles = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "the title by language code, as the secretariat wrote it"})
    departments = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "the department by language code, as the secretariat wrote it"})
    status = fields.String()
    progress = fields.Integer(metadata={"description": "percent"})
    due_on = fields.String(allow_none=True, metadata={"description": "ISO date"})
    overdue = fields.Boolean()
    milestones_done = fields.Integer()
    milestones = fields.Integer()
    version = fields.Integer(metadata={
        "description": "send it back as expected_version when updating the commitment"})


class JourneySchema(BaseSchema):
    id = fields.Integer()
    mandate_id = fields.Integer(metadata={"description": "the act's promotion"})
    mandate_label = fields.String()
    followed = fields.Boolean(metadata={"description": "whether the city still follows it"})
    answers = fields.List(fields.Nested(AnswerSchema))
    kind = fields.String()
    kind_label = LocalizedField()
    title = fields.String(metadata={"description": "in the request's language (?lang=), else "
                                                   "in the city's first language"})
    titles = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "the act's title by language code, as the secretariat wrote it"})
    state = fields.String()
    state_label = LocalizedField()
    overdue = fields.Integer(metadata={"description": "how many steps are overdue today"})
    steps = fields.List(fields.Nested(StepSchema))
    commitments = fields.List(fields.Nested(CommitmentSchema))


class PromotionSchema(BaseSchema):
    id = fields.Integer()
    label = fields.String()
    starts_on = fields.String(metadata={"description": "ISO date"})
    ends_on = fields.String(metadata={"description": "ISO date"})
    follow_up_until = fields.String(metadata={"description": "ISO date"})
    status = fields.String(validate=validate.OneOf(list(promotions.STATUSES)))
    members = fields.Integer(metadata={"description": "members sitting (not withdrawn)"})
    sessions = fields.Integer()
    acts = fields.Integer()
    adopted = fields.Integer()
    subjects = fields.Integer(metadata={"description": "subjects it works on"})
    workshops = fields.Integer(metadata={"description": "its own workshops"})


class GuestSchema(BaseSchema):
    name = fields.String()
    role = fields.String(validate=validate.OneOf(["expert", "elected", "agent", "other"]))
    organisation = fields.String(metadata={
        "description": "whom the guest speaks for, in the request's language, else the "
                       "city's first"})
    organisations = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "the organisation by language code, as the secretariat wrote it"})


class DocumentSchema(BaseSchema):
    title = fields.String()
    url = fields.String()


_IN_LANGUAGE = ("in the request's language (?lang=), else in the city's first language "
                "(see language)")


class MeetingSchema(BaseSchema):
    id = fields.Integer()
    type = fields.String(validate=validate.OneOf(["session", "event"]), metadata={
        "description": "a session of one promotion, or a city-level event"})
    day = fields.String(metadata={"description": "ISO date"})
    starts_at = fields.String(allow_none=True, metadata={"description": "local time HH:MM"})
    ends_at = fields.String(allow_none=True, metadata={"description": "local time HH:MM"})
    kind = fields.String()
    kind_label = LocalizedField(allow_none=True)
    body_label = LocalizedField(allow_none=True)
    title = fields.String(metadata={"description": _IN_LANGUAGE})
    place = fields.String(metadata={"description": _IN_LANGUAGE})
    agenda = fields.String(metadata={"description": _IN_LANGUAGE})
    minutes = fields.String(metadata={"description": _IN_LANGUAGE})
    language = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "the language of each of title, place, agenda and minutes given "
                       "in another language than the request's (the city's first)"})
    texts = fields.Dict(keys=fields.String(), values=fields.Dict(
        keys=fields.String(), values=fields.String()), metadata={
        "description": "title, place, agenda and minutes by language code: every "
                       "language the secretariat wrote them in"})
    optional = fields.Boolean()
    promotion = fields.Integer(allow_none=True)
    promotion_label = fields.String()
    guests = fields.List(fields.Nested(GuestSchema))
    documents = fields.List(fields.Nested(DocumentSchema))


# -- views ------------------------------------------------------------------------


def iso(value: Any) -> Any:
    """Dates as ISO strings, recursively (the OpenAPI builder knows strings, not dates)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: iso(item) for key, item in value.items()}
    if isinstance(value, list):
        return [iso(item) for item in value]
    return value


def proposal_view(config: CityConfig, proposal: Proposal) -> dict[str, Any]:
    kind = records.find_kind(config, proposal.kind)
    mandate = db_session().get(Mandate, proposal.mandate_id)
    view: dict[str, Any] = iso({
        "id": proposal.id, "kind": proposal.kind,
        "promotion": proposal.mandate_id, "promotion_label": mandate.label if mandate else "",
        "subject": proposal.subject_id,
        "summary": dict(proposal.summary), "full_text": dict(proposal.full_text),
        "tabled_by": said(records.tabled_by_of(config, proposal)).text,
        "tabled_by_texts": records.tabled_by_of(config, proposal),
        "votes": [asdict(vote) for vote in records.votes_of(proposal)],
        "attachments": [
            {"id": a.id, "kind": a.kind, "title": said(records.titles_of(config, a)).text,
             "titles": records.titles_of(config, a), "media_type": a.media_type,
             "size": a.size, "digest": a.digest,
             "url": url_for("records.attachment_download", ident=proposal.id, file_id=a.id)}
            for a in proposal.attachments],
        "answers": [_answer(a) for a in records.answers_of(config, proposal)],
        "kind_label": kind.label if kind is not None else {"en": proposal.kind},
        "title": said(records.titles_of(config, proposal)).text,
        "titles": records.titles_of(config, proposal), "state": proposal.state,
        "state_label": records.state_label_of(kind, proposal.state),
        "outcome": records.outcome_of(kind, proposal.state),
        "created_on": proposal.created_on, "version": proposal.version,
        "transitions": [
            {"on": move.on, "source": move.source,
             "source_label": records.state_label_of(kind, move.source),
             "target": move.target, "target_label": records.state_label_of(kind, move.target),
             "actor": move.actor, "reason": said(records.reasons_of(config, move)).text,
             "reasons": records.reasons_of(config, move)}
            for move in proposal.transitions
        ],
    })
    return view


def _answer(answer: records.AnswerView) -> dict[str, Any]:
    view = asdict(answer)
    view.pop("label")
    view["summaries"] = view.pop("summary")
    view["summary"] = said(answer.summary).text
    return view


def journey_view(journey: records.Journey) -> dict[str, Any]:
    view: dict[str, Any] = iso(asdict(journey))
    view["overdue"] = journey.overdue
    view["titles"] = dict(journey.title)
    view["title"] = said(journey.title).text
    for step, shown in zip(journey.steps, view["steps"], strict=True):
        # A move's reason, an answer's summary: in the request's language.
        if step.texts:
            shown["reason" if step.what == "moved" else "title"] = said(step.texts).text
        if step.department:
            shown["actor"] = said(step.department).text
    for commitment, shown in zip(journey.commitments, view["commitments"], strict=True):
        shown["titles"], shown["departments"] = shown["title"], shown["department"]
        shown["title"] = said(commitment.title).text
        shown["department"] = said(commitment.department).text
    view["answers"] = iso([_answer(a) for a in journey.answers])
    return view


def _clock(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def meeting_view(meeting: Any) -> dict[str, Any]:
    return {
        "id": meeting.id, "type": "event" if meeting.event_kind else "session",
        "day": meeting.day.isoformat(), "starts_at": _clock(meeting.starts_at),
        "ends_at": _clock(meeting.ends_at),
        "kind": meeting.event_kind or next(iter(meeting.kind.values()), ""),
        "kind_label": None if meeting.event_kind else meeting.kind,
        "body_label": meeting.body,
        **{field: meeting.said(field).text for field in SESSION_FIELDS},
        "language": {field: meeting.said(field).lang for field in SESSION_FIELDS
                     if meeting.said(field).lang},
        "texts": {field: dict(text) for field, text in meeting.texts.items() if text},
        "optional": meeting.optional,
        "promotion": meeting.mandate_id, "promotion_label": meeting.mandate_label,
        "guests": [{"name": g.name, "role": g.role, "organisation": g.organisation.text,
                    "organisations": dict(g.organisations)} for g in meeting.guests],
        "documents": [{"title": t, "url": u} for t, u in meeting.documents],
    }


def number_param(ident: str) -> int:
    """A record's number from the path (a plain string there, as OpenAPI documents it)."""
    if not (ident.isascii() and ident.isdigit()) or int(ident) > MAX_ID:
        abort(404)
    return int(ident)


def reply(view_name: str, schema: type[BaseSchema], data: Any, *, many: bool = False
           ) -> Response:
    query = parse_query(view_name)
    return jsonify(dump(schema, data, many=many, language=query.get("lang")))


def promotion_query(config: CityConfig) -> dict[str, fields.Field[Any]]:
    return {"promotion": fields.Integer(strict=False, metadata={
        "description": "only this promotion (a mandate's id, as listed by /api/promotions)"})}


def shown_mandates() -> list[Mandate]:
    """The mandates a list answers for: all the city's, or the ``promotion`` asked for.

    An unknown promotion is an invalid parameter (422, naming the known ones).
    """
    every = promotions.city_mandates()
    value = request.args.get(promotions.PARAMETER)
    if not value:
        return every
    found = [m for m in every if str(m.id) == value]
    if not found:
        known = ", ".join(str(m.id) for m in every) or "none"
        raise InvalidQuery({promotions.PARAMETER: [
            f"no promotion {value} in this city; its promotions: {known}"]})
    return found


@endpoint("Every promotion of the city, sitting, to come or past, with counts of its record",
          PromotionSchema, many=True)
def promotions_list() -> Response:
    from kleroterion.web.promotion_pages import promotion_record

    every = promotions.city_mandates()
    counted = subjects.counts(db_session(), [m.id for m in every]) if every else {}
    found = [iso(asdict(promotion_record(m, today(), counted))) for m in every]
    return reply("promotions_list", PromotionSchema, found, many=True)


@endpoint("The sessions of every promotion (times, place, agenda, minutes, guests heard) "
          "and the city's events", MeetingSchema, many=True, query=promotion_query)
def sessions_list() -> Response:
    query = parse_query("sessions_list")
    every = promotions.city_mandates()
    found = [meeting_view(m) for m in all_meetings(current_config(), every, shown_mandates())]
    return jsonify(dump(MeetingSchema, found, many=True, language=query.get("lang")))


@endpoint("The panel draws of every promotion: digests, public number, chosen panel",
          DrawSchema, many=True, query=promotion_query)
def draws() -> Response:
    config = current_config()
    query = parse_query("draws")
    shown = shown_mandates()
    found = [draw for mandate in shown for draw in records.draw_records(config, mandate)]
    return jsonify(dump(DrawSchema, [iso(asdict(draw)) for draw in found], many=True,
                         language=query.get("lang")))


def _proposal_query(config: CityConfig) -> dict[str, fields.Field[Any]]:
    return {
        "kind": fields.String(
            validate=validate.OneOf([kind.key for kind in config.proposal_kinds]),
            metadata={"description": "only acts of this kind"},
        ),
        **promotion_query(config),
    }


@endpoint("The acts of every promotion with their content, votes, answers and transitions",
          ProposalSchema, many=True, query=_proposal_query)
def proposals_list() -> Response:
    config = current_config()
    query = parse_query("proposals_list")
    shown = shown_mandates()  # held: the session's identity map keeps only referenced mandates
    found = proposals.acts_of(db_session(), [m.id for m in shown], with_history=True)
    rows = [p for m in shown for p in found[m.id]]
    if "kind" in query:
        rows = [row for row in rows if row.kind == query["kind"]]
    return jsonify(dump(ProposalSchema, [proposal_view(config, row) for row in rows],
                         many=True, language=query.get("lang")))


@endpoint("One act of any promotion with its content, votes, answers and transitions",
          ProposalSchema,
          path_parameters={"ident": "the act's number, as listed by /api/proposals"})
def proposal(ident: str) -> Response:
    _, found = records.proposal_or_404(number_param(ident))
    return reply("proposal", ProposalSchema, proposal_view(current_config(), found))


@endpoint("The follow-up of each adopted act of every promotion: its journey, answers and "
          "commitments", JourneySchema, many=True, query=promotion_query)
def follow_up() -> Response:
    config = current_config()
    query = parse_query("follow_up")
    journeys = records.journeys(config, shown_mandates(), today())
    return jsonify(dump(JourneySchema, [journey_view(j) for j in journeys], many=True,
                         language=query.get("lang")))


@endpoint("The follow-up of one adopted act", JourneySchema,
          path_parameters={"ident": "the act's number, as listed by /api/follow-up"})
def follow_up_item(ident: str) -> Response:
    config = current_config()
    mandate, found = records.proposal_or_404(number_param(ident))
    if found not in records.adopted(config, mandate):
        abort(404)
    return reply("follow_up_item", JourneySchema,
                  journey_view(records.journey(config, found, today(), mandate=mandate)))


for _rule, _view in (
    ("/promotions", promotions_list),
    ("/sessions", sessions_list),
    ("/draws", draws),
    ("/proposals", proposals_list),
    ("/proposals/<ident>", proposal),
    ("/follow-up", follow_up),
    ("/follow-up/<ident>", follow_up_item),
):
    bp.add_url_rule(_rule, view_func=_view, methods=["GET"])
