"""The API's act writes: create an act, and write its title, summary and full text.

``POST /api/promotions/<ident>/proposals`` creates an act of one of the city's kinds in
its kind's first state (``services.proposals.create``, the CLI's ``proposal create``,
the back office's new act); ``PATCH /api/proposals/<ident>/texts`` changes its title,
summary and full text by language and who tables it (``services.acts.set_content``,
the CLI's ``record content``), with the version read (409 when it changed since).
``title`` is the city's first language's, ``titles`` gives the title by language: a
language the city's site does not offer, or an empty title in its first language, is
refused (422) naming the field, and nothing changes. The answer is the act as
``/api/proposals/<ident>`` shows it. The routes are added to the ``api`` blueprint at
import (``api.init_app`` imports this module).
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import Response
from kleroterion.models import Mandate
from kleroterion.services import acts, proposals
from kleroterion.services.context import MISSING, get
from kleroterion.services.errors import NotFound
from kleroterion.web.api import ENDPOINTS, bp, endpoint
from kleroterion.web.api_records import ProposalSchema, proposal_view
from kleroterion.web.api_writes import (
    ACT,
    TAG,
    WRITE_ROLE,
    InputSchema,
    date_field,
    in_transaction,
    proposal_of,
    reply,
    request_body,
)
from kleroterion.web.context import current_city, current_config
from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy.orm import Session

TEXT_LENGTH = acts.TEXT_LIMIT


def _by_language(what: str, length: int, *, replaces: bool) -> fields.Dict:
    more = (": a language sent replaces its text, an empty text removes it, the others "
            "stay" if replaces else "")
    return fields.Dict(keys=fields.String(validate=validate.Length(min=2, max=8)),
                       values=fields.String(validate=validate.Length(max=length)),
                       metadata={"description": f"{what} by language code (one of the "
                                                f"city's site){more}"})


class ActInput(InputSchema):
    kind = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={
        "description": "one of the city's kinds of act (/api/powers)"})
    title = fields.String(load_default="", validate=validate.Length(max=acts.TITLE_LIMIT),
                          metadata={"description": "the title in the city's first language "
                                                   "(or give it in titles)"})
    titles = _by_language("the title", acts.TITLE_LIMIT, replaces=False)
    on = date_field("the day the work began")
    summary = _by_language("the summary (plain text)", TEXT_LENGTH, replaces=False)
    full_text = _by_language("the full text (plain text)", TEXT_LENGTH, replaces=False)
    tabled_by = fields.String(load_default="", validate=validate.Length(
        max=acts.TABLED_BY_LIMIT), metadata={
        "description": "who tables it before its addressee, in the city's first language "
                       "(or give it in tabled_by_texts)"})
    tabled_by_texts = _by_language("who tables it", acts.TABLED_BY_LIMIT, replaces=False)


_EDITABLE = ("titles", "summary", "full_text", "tabled_by", "tabled_by_texts")


class ActTextsInput(InputSchema):
    openapi_constraints: ClassVar[dict[str, Any]] = {
        "anyOf": [{"required": [name]} for name in _EDITABLE]}

    titles = _by_language("the title", acts.TITLE_LIMIT, replaces=True)
    summary = _by_language("the summary (plain text)", TEXT_LENGTH, replaces=True)
    full_text = _by_language("the full text (plain text)", TEXT_LENGTH, replaces=True)
    tabled_by = fields.String(validate=validate.Length(max=acts.TABLED_BY_LIMIT), metadata={
        "description": "who tables it before its addressee, in the city's first language"})
    tabled_by_texts = _by_language("who tables it", acts.TABLED_BY_LIMIT, replaces=True)
    expected_version = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1),
        metadata={"description": "the act's version you read (/api/proposals/{ident}); "
                                 "a change made since answers 409"})

    @validates_schema
    def _something(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not set(_EDITABLE) & set(data):
            raise ValidationError("give at least one of " + ", ".join(_EDITABLE), "_schema")


def _mandate(session: Session, ident: int) -> Mandate:
    mandate = get(session, Mandate, ident)
    if mandate.city != current_city().slug:  # another city's, served by the same database
        raise NotFound(MISSING["mandates"], id=ident)
    return mandate


@endpoint("Create an act of one of the city's kinds, its title in languages of the site",
          ProposalSchema, method="POST", body=ActInput, role=WRITE_ROLE, status=201,
          path_parameters={"ident": "the promotion's id, as listed by /api/promotions"},
          tag=TAG)
def create_proposal(ident: str) -> Response:
    number, body, language = request_body("create_proposal", ident)
    config = current_config()

    def work(session: Session) -> dict[str, Any]:
        mandate = _mandate(session, number)
        proposal = proposals.create(session, mandate.id, body["kind"], body["title"],
                                    body["on"], titles=body.get("titles"),
                                    summary=body.get("summary"),
                                    full_text=body.get("full_text"),
                                    tabled_by=body["tabled_by"],
                                    tabled_by_texts=body.get("tabled_by_texts"))
        return proposal_view(config, proposal)

    return reply(ProposalSchema, in_transaction(work), 201, language)


@endpoint("Write an act's title, summary or full text in languages of the site",
          ProposalSchema, method="PATCH", body=ActTextsInput, role=WRITE_ROLE,
          path_parameters=ACT, tag=TAG)
def edit_proposal_texts(ident: str) -> Response:
    number, body, language = request_body("edit_proposal_texts", ident)
    config = current_config()

    def work(session: Session) -> dict[str, Any]:
        proposal = proposal_of(session, number)
        acts.set_content(session, proposal.id, titles=body.get("titles"),
                         summary=body.get("summary"), full_text=body.get("full_text"),
                         tabled_by=body.get("tabled_by"),
                         tabled_by_texts=body.get("tabled_by_texts"),
                         expected_version=body["expected_version"])
        return proposal_view(config, proposal)

    return reply(ProposalSchema, in_transaction(work), 200, language)


for _rule, _view in (
    ("/promotions/<ident>/proposals", create_proposal),
    ("/proposals/<ident>/texts", edit_proposal_texts),
):
    bp.add_url_rule(_rule, view_func=_view,
                    methods=[ENDPOINTS[f"{bp.name}.{_view.__name__}"].method])
