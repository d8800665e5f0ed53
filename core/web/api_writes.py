"""The JSON API's writes: what a city's own tools automate, over the back office's services.

Move an act along a transition its kind allows (with the version read, 409 when it
changed since), record the addressee's answer to a response deadline, open a
commitment for an adopted act, update its status, progress or due date, add a
milestone and mark it done, and record the attendance of a session (all lines or
none). Each endpoint declares its least role (a token of the secretariat or an
administrator; ``api_auth`` checks it) and a marshmallow load schema: a body that is
not JSON answers 415 (or 400 when it does not parse), a field that is not valid 422
with messages by field. The change runs in one ``session_scope`` whose audit actor
is the token's user; the services' refusals answer with their sentence: 404 for an
unknown id (or one of another city), 409 when the state of the record forbids the
change or it changed meanwhile, 422 for a value the rules do not accept. These
sentences are the services' English ones (``str(refusal)``) unless the request asks
for a language with ``?lang=``: then they are the back office's sentences in that
language, naming fields by their labels; the field's key is ``field`` beside the
message (and the key of ``errors``), which programs read instead. Answers
say whether a person was named responsible for a commitment, never who: that name
is personal data (see the public follow-up report).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from flask import Response, jsonify
from kleroterion.city.types import CityConfig, localize
from kleroterion.db import session_scope
from kleroterion.models import (
    AssemblySession,
    Attendance,
    Base,
    Commitment,
    Mandate,
    Milestone,
    Proposal,
)
from kleroterion.services import followup, proposals, sessions, texts
from kleroterion.services.context import MISSING, get
from kleroterion.services.errors import ConflictError, InvalidInput, NotAllowed, NotFound
from kleroterion.web.api import (
    ENDPOINTS,
    ApiRefusal,
    bp,
    dump,
    endpoint,
    parse_body,
    parse_query,
    refusal_message,
)
from kleroterion.web.api_auth import token_actor
from kleroterion.web.api_records import ProposalSchema, number_param, proposal_view
from kleroterion.web.context import current_city, current_config
from kleroterion.web.database import current_engine
from kleroterion.web.i18n import said
from kleroterion.web.public import today
from kleroterion.web.records import MAX_ID
from kleroterion.web.schemas import BaseSchema, LocalizedField
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")

#: The least role of every write: read-only tokens may only read.
WRITE_ROLE = "secretariat"
TAG = "changes"
REASON_LENGTH = 2000

# -- load schemas ---------------------------------------------------------------------


class InputSchema(Schema):
    """A request body: an unknown field is an error, so a typo is not silently ignored."""

    class Meta:
        unknown = RAISE


def date_field(description: str, *, required: bool = True) -> fields.Date:
    return fields.Date(required=required, metadata={"description": description + " (ISO date)"})


def by_language(what: str) -> fields.Dict:
    """An optional text by language code, beside the single-language string field."""
    return fields.Dict(keys=fields.String(validate=validate.Length(min=2, max=8)),
                       values=fields.String(validate=validate.Length(max=REASON_LENGTH)),
                       load_default=dict, metadata={
                           "description": f"{what} by language code (one of the city's "
                                          "site); the string field is the city's first "
                                          "language's"})


class ProposalMoveInput(InputSchema):
    target = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={
        "description": "the state to move to: one the act's lifecycle allows from its state"})
    on = date_field("the day of the step")
    reason = fields.String(load_default="", validate=validate.Length(max=REASON_LENGTH),
                           metadata={"description": "why, shown on the act's timeline"})
    reasons = by_language("the reason")
    expected_version = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1),
        metadata={"description": "the act's version you read (/api/proposals/{ident}); "
                                 "a change made since answers 409"})


def _state_field(config: CityConfig) -> dict[str, fields.Field[Any]]:
    states = sorted({state.key for kind in config.proposal_kinds for state in kind.states})
    return {"target": fields.String(required=True, validate=validate.OneOf(states), metadata={
        "description": "the state to move to: one the act's lifecycle allows from its state"})}


class ResponseInput(InputSchema):
    deadline = fields.String(required=True, metadata={
        "description": "the key of one of the city's response deadlines"})
    on = date_field("the day the addressee answered")
    summary = fields.String(load_default="", validate=validate.Length(max=REASON_LENGTH),
                            metadata={"description": "what the answer says"})
    summaries = by_language("what the answer says")


def _deadline_field(config: CityConfig) -> dict[str, fields.Field[Any]]:
    keys = [rule.key for rule in config.accountability.response_deadlines]
    refusal = ("Must be one of: {choices}." if keys else
               f"{localize(config.profile.name, 'en')} sets no response deadline.")
    return {"deadline": fields.String(required=True, validate=validate.OneOf(keys, error=refusal),
                                      metadata={"description": "one of the city's response "
                                                               "deadlines"})}


class CommitmentInput(InputSchema):
    title = fields.String(load_default="", validate=validate.Length(max=300), metadata={
        "description": "what the city commits to do (required unless titles gives it in "
                       "the city's first language)"})
    titles = by_language("what the city commits to do")
    department = fields.String(load_default="", validate=validate.Length(max=200), metadata={
        "description": "the department responsible (required unless departments gives it "
                       "in the city's first language)"})
    departments = by_language("the department responsible")
    on = date_field("the day of the commitment, not before the act was adopted")
    due_on = fields.Date(load_default=None, allow_none=True,
                         metadata={"description": "when it is due (ISO date)"})
    responsible = fields.String(
        load_default="", validate=validate.Length(max=200),
        metadata={"description": "the person responsible, where the city names one per "
                                 "measure; personal data: stored, never returned"})


class CommitmentUpdateInput(InputSchema):
    #: What ``_something`` checks, said in the OpenAPI document.
    openapi_constraints: ClassVar[dict[str, Any]] = {
        "anyOf": [{"required": [name]} for name in ("status", "progress", "due_on", "titles",
                                                     "departments")]}

    status = fields.String(validate=validate.OneOf(followup.STATUSES))
    progress = fields.Integer(strict=True, validate=validate.Range(min=0, max=100),
                              metadata={"description": "percent"})
    due_on = fields.Date(metadata={"description": "the new due date (ISO date)"})
    titles = fields.Dict(keys=fields.String(validate=validate.Length(min=2, max=8)),
                         values=fields.String(validate=validate.Length(max=300)), metadata={
                             "description": "the title by language code, the ones to change "
                                            "(an empty text removes that language's)"})
    departments = fields.Dict(keys=fields.String(validate=validate.Length(min=2, max=8)),
                              values=fields.String(validate=validate.Length(max=200)),
                              metadata={"description": "the department by language code, as "
                                                       "titles"})
    # Required: a PATCH without it would overwrite whatever changed since it was read.
    expected_version = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1),
        metadata={"description": "the commitment's version you read (/api/follow-up); "
                                 "a change made since answers 409"})

    @validates_schema
    def _something(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not {"status", "progress", "due_on", "titles", "departments"} & set(data):
            raise ValidationError("give at least one of status, progress, due_on, titles, "
                                  "departments", "_schema")


class MilestoneInput(InputSchema):
    title = fields.String(load_default="", validate=validate.Length(max=300), metadata={
        "description": "the step (required unless titles gives it in the city's first "
                       "language)"})
    titles = by_language("the step")
    due_on = date_field("when it is due, not before the commitment")


class MilestoneDoneInput(InputSchema):
    on = date_field("the day it was done")


class AttendanceLineInput(InputSchema):
    member = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID),
                            metadata={"description": "the member's id"})
    status = fields.String(required=True, validate=validate.OneOf(sessions.ATTENDANCE))
    expected = fields.String(allow_none=True, validate=validate.OneOf(sessions.ATTENDANCE),
                             metadata={"description": "the status you read (null: none was "
                                                      "recorded); if someone else recorded "
                                                      "another since, the request answers 409"})


class AttendanceInput(InputSchema):
    attendance = fields.List(fields.Nested(AttendanceLineInput), required=True,
                             validate=validate.Length(min=1, max=1000), metadata={
                                 "description": "one line per member; recorded all together "
                                                "or not at all"})

    @validates_schema(skip_on_field_errors=False)
    def _once_each(self, data: dict[str, Any], **kwargs: Any) -> None:
        # Also when other lines are invalid: every message at once, not one per try.
        seen: dict[int, int] = {}
        errors: dict[str, Any] = {}
        for index, line in enumerate(data.get("attendance") or []):
            member = line.get("member")
            if member is None:
                continue
            if member in seen:
                errors[str(index)] = {"member": [
                    f"member {member} is already on line {seen[member]}"]}
            seen.setdefault(member, index)
        if errors:
            raise ValidationError({"attendance": errors})


# -- response schemas -----------------------------------------------------------------


class DeadlineSchema(BaseSchema):
    key = fields.String()
    label = LocalizedField()
    by = fields.String(metadata={"description": "who owes the answer"})
    due_on = fields.Date()
    answered_on = fields.Date(allow_none=True)
    overdue = fields.Boolean()


class ProposalDeadlinesSchema(BaseSchema):
    proposal = fields.Integer()
    deadlines = fields.List(fields.Nested(DeadlineSchema))


class MilestoneSchema(BaseSchema):
    id = fields.Integer()
    commitment = fields.Integer()
    title = fields.String(metadata={"description": "in the request's language (?lang=), else "
                                                  "in the first one written"})
    titles = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"description": "the title by language code"})
    due_on = fields.Date()
    done_on = fields.Date(allow_none=True)


class CommitmentStateSchema(BaseSchema):
    id = fields.Integer()
    proposal = fields.Integer()
    title = fields.String(metadata={"description": "in the request's language (?lang=), else "
                                                  "in the first one written"})
    titles = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"description": "the title by language code"})
    department = fields.String(metadata={"description": "as title"})
    departments = fields.Dict(keys=fields.String(), values=fields.String(),
                              metadata={"description": "the department by language code"})
    responsible_named = fields.Boolean(metadata={
        "description": "whether a person was named responsible (who is personal data)"})
    status = fields.String(validate=validate.OneOf(followup.STATUSES))
    progress = fields.Integer(metadata={"description": "percent"})
    created_on = fields.Date()
    due_on = fields.Date(allow_none=True)
    version = fields.Integer(metadata={"description": "send it back as expected_version"})
    milestones = fields.List(fields.Nested(MilestoneSchema))


class AttendanceSummarySchema(BaseSchema):
    session = fields.Integer()
    held_on = fields.Date()
    recorded = fields.Integer(metadata={"description": "lines recorded by this request"})
    present = fields.Integer(metadata={"description": "members present, now"})
    excused = fields.Integer()
    absent = fields.Integer()


# -- the change, and its refusals -----------------------------------------------------


def in_transaction(work: Callable[[Session], T], *, field: str | None = None) -> T:
    """Run ``work`` in one transaction as the token's user; refusals become answers.

    ``field`` is the body field a refused value is shown under (422).
    """
    try:
        with session_scope(current_engine(), actor=token_actor()) as session:
            return work(session)
    except NotFound as refusal:
        raise ApiRefusal(404, refusal_message(refusal), field=refusal.field) from None
    except (ConflictError, NotAllowed) as refusal:
        raise ApiRefusal(409, refusal_message(refusal), field=refusal.field) from None
    except InvalidInput as refusal:
        message = refusal_message(refusal)
        errors = {field: [message]} if field else None
        raise ApiRefusal(422, message, errors=errors, field=field or refusal.field) from None
    except IntegrityError:
        # A unique row written by a concurrent request between our read and our write.
        raise ApiRefusal(409, "the same change was just made by another request; read the "
                         "record again") from None


def _in_city(session: Session, mandate_id: int, model: type[Base], ident: int) -> None:
    """A record of another city served by the same database is unknown here."""
    mandate = session.get(Mandate, mandate_id)
    if mandate is None or mandate.city != current_city().slug:
        raise NotFound(MISSING[model.__tablename__], id=ident)


def proposal_of(session: Session, ident: int) -> Proposal:
    proposal = get(session, Proposal, ident)
    _in_city(session, proposal.mandate_id, Proposal, ident)
    return proposal


def _commitment(session: Session, ident: int) -> Commitment:
    commitment = get(session, Commitment, ident)
    _in_city(session, commitment.proposal.mandate_id, Commitment, ident)
    return commitment


def _milestone(session: Session, ident: int) -> Milestone:
    milestone = get(session, Milestone, ident)
    _in_city(session, milestone.commitment.proposal.mandate_id, Milestone, ident)
    return milestone


def meeting_of(session: Session, ident: int) -> AssemblySession:
    meeting = get(session, AssemblySession, ident)
    _in_city(session, meeting.mandate_id, AssemblySession, ident)
    return meeting


def request_body(view_name: str, ident: str) -> tuple[int, dict[str, Any], str | None]:
    """The record's number, the validated body and the language asked, before any change
    (a refused query must not follow a change made)."""
    number = number_param(ident)
    language: str | None = parse_query(view_name).get("lang")
    return number, parse_body(view_name), language


def reply(schema: type[BaseSchema], data: Any, status: int, language: str | None) -> Response:
    response = jsonify(dump(schema, data, language=language))
    response.status_code = status
    return response


def _by_language(row: Commitment | Milestone, field: str) -> dict[str, str]:
    return texts.texts_of(row, field, current_config().profile.languages[0])


def milestone_view(milestone: Milestone) -> dict[str, Any]:
    """A milestone, its title in the request's language (else the first written) and in
    each language written."""
    titles = _by_language(milestone, "title")
    return {"id": milestone.id, "commitment": milestone.commitment_id,
            "title": said(titles).text, "titles": titles,
            "due_on": milestone.due_on, "done_on": milestone.done_on}


def commitment_view(commitment: Commitment) -> dict[str, Any]:
    """A commitment as the API answers it: whether a person is responsible, not who."""
    titles, departments = (_by_language(commitment, "title"),
                           _by_language(commitment, "department"))
    return {"id": commitment.id, "proposal": commitment.proposal_id,
            "title": said(titles).text, "titles": titles,
            "department": said(departments).text, "departments": departments,
            "responsible_named": bool(commitment.responsible),
            "status": commitment.status, "progress": commitment.progress,
            "created_on": commitment.created_on, "due_on": commitment.due_on,
            "version": commitment.version,
            "milestones": [milestone_view(m) for m in commitment.milestones]}


def deadlines_view(config: CityConfig, session: Session, proposal_id: int) -> dict[str, Any]:
    labels = {rule.key: rule.label for rule in config.accountability.response_deadlines}
    on = today()
    return {"proposal": proposal_id, "deadlines": [
        {"key": d.key, "label": labels.get(d.key, {"en": d.label}), "by": d.by,
         "due_on": d.due_on, "answered_on": d.answered_on, "overdue": d.overdue(on)}
        for d in followup.deadlines(session, proposal_id)]}


# -- endpoints ------------------------------------------------------------------------

ACT = {"ident": "the act's number, as listed by /api/proposals"}
_COMMITMENT = {"ident": "the commitment's id, as listed by /api/follow-up"}


@endpoint("Move an act along a transition its lifecycle allows", ProposalSchema,
          method="POST", body=ProposalMoveInput, body_fields=_state_field, role=WRITE_ROLE,
          path_parameters=ACT, tag=TAG)
def move_proposal(ident: str) -> Response:
    number, body, language = request_body("move_proposal", ident)
    config = current_config()

    def work(session: Session) -> dict[str, Any]:
        proposal = proposal_of(session, number)
        proposals.move(session, proposal.id, body["target"], body["on"],
                       reason=body["reason"], reasons=body["reasons"],
                       expected_version=body["expected_version"])
        return proposal_view(config, proposal)

    return reply(ProposalSchema, in_transaction(work, field="on"), 200, language)


@endpoint("Record the addressee's answer to one of the city's response deadlines",
          ProposalDeadlinesSchema, method="POST", body=ResponseInput,
          body_fields=_deadline_field, role=WRITE_ROLE, status=201, path_parameters=ACT,
          tag=TAG)
def record_response(ident: str) -> Response:
    number, body, language = request_body("record_response", ident)
    config = current_config()

    def work(session: Session) -> dict[str, Any]:
        proposal = proposal_of(session, number)
        followup.record_response(session, proposal.id, body["deadline"], body["on"],
                                 body["summary"], body["summaries"])
        return deadlines_view(config, session, proposal.id)

    return reply(ProposalDeadlinesSchema, in_transaction(work, field="on"), 201, language)


@endpoint("Open a commitment for an adopted act", CommitmentStateSchema, method="POST",
          body=CommitmentInput, role=WRITE_ROLE, status=201, path_parameters=ACT, tag=TAG)
def add_commitment(ident: str) -> Response:
    number, body, language = request_body("add_commitment", ident)

    def work(session: Session) -> dict[str, Any]:
        proposal = proposal_of(session, number)
        commitment = followup.add_commitment(
            session, proposal.id, body["title"], body["department"], body["on"],
            responsible=body["responsible"], due_on=body["due_on"], titles=body["titles"],
            departments=body["departments"])
        return commitment_view(commitment)

    return reply(CommitmentStateSchema, in_transaction(work), 201, language)


@endpoint("Update a commitment's status, progress, due date, title or department",
          CommitmentStateSchema, method="PATCH", body=CommitmentUpdateInput, role=WRITE_ROLE,
          path_parameters=_COMMITMENT, tag=TAG)
def update_commitment(ident: str) -> Response:
    number, body, language = request_body("update_commitment", ident)

    def work(session: Session) -> dict[str, Any]:
        commitment = _commitment(session, number)
        followup.update_commitment(
            session, commitment.id, status=body.get("status"), progress=body.get("progress"),
            due_on=body.get("due_on"), titles=body.get("titles"),
            departments=body.get("departments"), expected_version=body["expected_version"])
        return commitment_view(commitment)

    return reply(CommitmentStateSchema, in_transaction(work), 200, language)


@endpoint("Add a dated milestone to a commitment", MilestoneSchema, method="POST",
          body=MilestoneInput, role=WRITE_ROLE, status=201, path_parameters=_COMMITMENT,
          tag=TAG)
def add_milestone(ident: str) -> Response:
    number, body, language = request_body("add_milestone", ident)

    def work(session: Session) -> dict[str, Any]:
        commitment = _commitment(session, number)
        return milestone_view(followup.add_milestone(session, commitment.id, body["title"],
                                                     body["due_on"], titles=body["titles"]))

    return reply(MilestoneSchema, in_transaction(work, field="due_on"), 201, language)


@endpoint("Mark a milestone done", MilestoneSchema, method="POST", body=MilestoneDoneInput,
          role=WRITE_ROLE, path_parameters={"ident": "the milestone's id"}, tag=TAG)
def complete_milestone(ident: str) -> Response:
    number, body, language = request_body("complete_milestone", ident)

    def work(session: Session) -> dict[str, Any]:
        milestone = _milestone(session, number)
        return milestone_view(followup.complete_milestone(session, milestone.id, body["on"]))

    return reply(MilestoneSchema, in_transaction(work, field="on"), 200, language)


def _record_lines(session: Session, meeting: AssemblySession,
                  lines: list[dict[str, Any]]) -> None:
    """Record every line or none: the first refused line refuses the whole request."""
    for index, line in enumerate(lines):
        try:
            sessions.record_attendance(session, meeting.id, line["member"], line["status"],
                                       expected=line.get("expected", sessions.UNCHECKED),
                                       today=today())
        except (InvalidInput, NotAllowed) as refusal:
            said = refusal_message(refusal)
            key = f"attendance.{index}.member"
            raise ApiRefusal(422 if isinstance(refusal, InvalidInput) else 409,
                             f"line {index}: {said}", errors={key: [said]}, field=key) from None


@endpoint("Record the attendance of a session: present, excused or absent, per member",
          AttendanceSummarySchema, method="POST", body=AttendanceInput, role=WRITE_ROLE,
          path_parameters={"ident": "the session's id"}, tag=TAG)
def record_attendance(ident: str) -> Response:
    number, body, language = request_body("record_attendance", ident)

    def work(session: Session) -> dict[str, Any]:
        meeting = meeting_of(session, number)
        _record_lines(session, meeting, body["attendance"])
        counts: dict[str, int] = {status: count for status, count in session.execute(
            select(Attendance.status, func.count()).where(Attendance.session_id == meeting.id)
            .group_by(Attendance.status))}
        return {"session": meeting.id, "held_on": meeting.held_on,
                "recorded": len(body["attendance"]),
                **{status: counts.get(status, 0) for status in sessions.ATTENDANCE}}

    return reply(AttendanceSummarySchema, in_transaction(work), 200, language)


for _rule, _view in (
    ("/proposals/<ident>/transitions", move_proposal),
    ("/proposals/<ident>/responses", record_response),
    ("/proposals/<ident>/commitments", add_commitment),
    ("/commitments/<ident>", update_commitment),
    ("/commitments/<ident>/milestones", add_milestone),
    ("/milestones/<ident>/done", complete_milestone),
    ("/sessions/<ident>/attendance", record_attendance),
):
    bp.add_url_rule(_rule, view_func=_view,
                    methods=[ENDPOINTS[f"{bp.name}.{_view.__name__}"].method])
