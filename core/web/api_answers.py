"""The API's write endpoint for the city's answers to an act (first, final, yearly, reasons).

``POST /api/proposals/<ident>/answers`` records an answer through
``followup.record_answer`` with a bearer token of the secretariat, and answers with
the act as the public record shows it (its answers included, each with its ``id``
and ``revision``). ``PATCH /api/answers/<id>`` corrects one (``answer_edits``): only
the fields sent change, a language sent with an empty text loses it, a verdict sent
as null is removed; ``expected_revision`` is the answer's ``revision`` as read, and
a correction made since answers 409. An answer the city
does not owe for this act (Paris's first answer: it sets no response deadline; a
yearly entry for an act not adopted) is refused with the reason (409). The route is
added to the ``api`` blueprint at import; ``records.init_app`` imports this module
(before the ``api`` blueprint is registered).
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import Response
from kleroterion.models import Mandate, Proposal, ProposalResponse
from kleroterion.services import answer_edits, followup
from kleroterion.services.context import MISSING, get
from kleroterion.services.errors import NotFound
from kleroterion.web.api import ENDPOINTS, bp, endpoint
from kleroterion.web.api_records import ProposalSchema, proposal_view
from kleroterion.web.api_writes import (
    ACT,
    REASON_LENGTH,
    TAG,
    WRITE_ROLE,
    InputSchema,
    by_language,
    date_field,
    in_transaction,
    proposal_of,
    reply,
    request_body,
)
from kleroterion.web.context import current_city, current_config
from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy.orm import Session

TEXT_LENGTH = 100_000


class AnswerInput(InputSchema):
    kind = fields.String(required=True, validate=validate.OneOf(followup.ANSWER_KINDS),
                         metadata={"description": "first, final, yearly or reasons"})
    on = date_field("the day the city answered")
    summary = fields.String(load_default="", validate=validate.Length(max=REASON_LENGTH),
                            metadata={"description": "the answer's gist, one line"})
    summaries = by_language("the answer's gist")
    text = fields.Dict(keys=fields.String(), values=fields.String(
        validate=validate.Length(max=TEXT_LENGTH)), load_default=dict,
        metadata={"description": "the answer's text by language code (plain text)"})
    verdict = fields.String(load_default=None, allow_none=True,
                            validate=validate.OneOf(followup.VERDICTS),
                            metadata={"description": "retained, partly_retained or "
                                                     "not_retained, apart from progress"})
    year = fields.Integer(load_default=None, allow_none=True,
                          metadata={"description": "the year of a yearly answer"})


@endpoint("Record one of the city's answers to an act (first, final, yearly, reasons)",
          ProposalSchema, method="POST", body=AnswerInput, role=WRITE_ROLE, status=201,
          path_parameters=ACT, tag=TAG)
def record_answer(ident: str) -> Response:
    number, body, language = request_body("record_answer", ident)
    config = current_config()

    def work(session: Session) -> dict[str, Any]:
        proposal = proposal_of(session, number)
        followup.record_answer(session, proposal.id, body["kind"], body["on"],
                               summary=body["summary"], summaries=body["summaries"],
                               text=body["text"],
                               verdict=body["verdict"], year=body["year"])
        session.refresh(proposal)
        return proposal_view(config, proposal)

    return reply(ProposalSchema, in_transaction(work, field="kind"), 201, language)


#: What a correction may change.
_CORRECTED = ("on", "summary", "summaries", "text", "verdict")


def _texts(what: str, limit: int) -> fields.Dict:
    return fields.Dict(keys=fields.String(validate=validate.Length(min=2, max=8)),
                       values=fields.String(validate=validate.Length(max=limit)), metadata={
                           "description": f"{what} by language code (one of the city's); "
                                          "an empty text removes that language's"})


class AnswerEditInput(InputSchema):
    #: What ``_something`` checks, said in the OpenAPI document.
    openapi_constraints: ClassVar[dict[str, Any]] = {
        "anyOf": [{"required": [name]} for name in _CORRECTED]}

    on = date_field("the day the city answered", required=False)
    summary = fields.String(validate=validate.Length(max=REASON_LENGTH), metadata={
        "description": "the gist in the city's first language"})
    summaries = _texts("the answer's gist", REASON_LENGTH)
    text = _texts("the answer's text (plain text)", TEXT_LENGTH)
    verdict = fields.String(allow_none=True, validate=validate.OneOf(followup.VERDICTS),
                            metadata={"description": "retained, partly_retained or "
                                                     "not_retained; null removes it"})
    # Required: a correction without it would overwrite whatever changed since it was read.
    expected_revision = fields.String(
        required=True, validate=validate.Length(min=1, max=64),
        metadata={"description": "the answer's revision you read (answers of "
                                 "/api/proposals/{ident}); a correction made since answers "
                                 "409"})

    @validates_schema
    def _something(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not set(_CORRECTED) & set(data):
            raise ValidationError("give at least one of " + ", ".join(_CORRECTED), "_schema")


def _answer_of(session: Session, ident: int) -> ProposalResponse:
    """The answer ``ident`` of this city (another city's is unknown here)."""
    answer = get(session, ProposalResponse, ident)
    mandate = session.get(Mandate, get(session, Proposal, answer.proposal_id).mandate_id)
    if mandate is None or mandate.city != current_city().slug:
        raise NotFound(MISSING[ProposalResponse.__tablename__], id=ident)
    return answer


@endpoint("Correct one of the city's answers to an act: only the fields sent change",
          ProposalSchema, method="PATCH", body=AnswerEditInput, role=WRITE_ROLE,
          path_parameters={"ident": "the answer's id, as the act's answers give it"},
          tag=TAG)
def edit_answer(ident: str) -> Response:
    number, body, language = request_body("edit_answer", ident)
    config = current_config()
    first = config.profile.languages[0]

    def work(session: Session) -> dict[str, Any]:
        answer = _answer_of(session, number)
        summaries = dict(body.get("summaries") or {})
        if "summary" in body:
            summaries.setdefault(first, body["summary"])
        # Absent: kept; null: removed (the service's "").
        verdict = (body["verdict"] or "") if "verdict" in body else None
        answer_edits.edit_answer(
            session, answer.id, summaries=summaries or None, texts=body.get("text"),
            verdict=verdict,
            answered_on=body.get("on"), expected_revision=body["expected_revision"])
        proposal = get(session, Proposal, answer.proposal_id)
        session.refresh(proposal)
        return proposal_view(config, proposal)

    return reply(ProposalSchema, in_transaction(work), 200, language)


for _rule, _view in (("/proposals/<ident>/answers", record_answer),
                     ("/answers/<ident>", edit_answer)):
    bp.add_url_rule(_rule, view_func=_view,
                    methods=[ENDPOINTS[f"{bp.name}.{_view.__name__}"].method])
