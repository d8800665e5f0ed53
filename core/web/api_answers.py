"""The API's write endpoint for the city's answers to an act (first, final, yearly, reasons).

``POST /api/proposals/<ident>/answers`` records an answer through
``followup.record_answer`` with a bearer token of the secretariat, and answers with
the act as the public record shows it (its answers included). An answer the city
does not owe for this act (Paris's first answer: it sets no response deadline; a
yearly entry for an act not adopted) is refused with the reason (409). The route is
added to the ``api`` blueprint at import; ``records.init_app`` imports this module
(before the ``api`` blueprint is registered).
"""

from __future__ import annotations

from typing import Any

from flask import Response
from kleroterion.services import followup
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
from kleroterion.web.context import current_config
from marshmallow import fields, validate
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


bp.add_url_rule("/proposals/<ident>/answers", view_func=record_answer,
                methods=[ENDPOINTS[f"{bp.name}.{record_answer.__name__}"].method])
