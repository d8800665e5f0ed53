"""The JSON API of the public record: panel draws, proposals with their transitions, follow-up.

Read-only and free of personal data, like the pages of ``kleroterion.web.records``
whose views it shares: a draw gives its digests and public number (no candidate), a
proposal its transitions, an adopted act its journey. The routes are added to the
``api`` blueprint at import, declared with ``@endpoint`` so that the OpenAPI document
describes them; ``api.init_app`` imports this module before registering the blueprint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from flask import Response, abort, jsonify
from kleroterion.city.types import CityConfig
from kleroterion.models import Proposal
from kleroterion.services import proposals
from kleroterion.web import records
from kleroterion.web.api import _dump, bp, endpoint, parse_query
from kleroterion.web.context import current_config
from kleroterion.web.database import current_mandate, db_session
from kleroterion.web.public import today
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
    reason = fields.String()


class ProposalSchema(BaseSchema):
    id = fields.Integer()
    kind = fields.String()
    kind_label = LocalizedField()
    title = fields.String()
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
        ["proposed", "moved", "response_due", "answered", "committed", "commitment_due",
         "milestone_due", "milestone_done"]))
    title = fields.String()
    state = LocalizedField(allow_none=True)
    actor = fields.String()
    reason = fields.String()
    label = LocalizedField(allow_none=True)
    overdue = fields.Boolean()


class CommitmentSchema(BaseSchema):
    id = fields.Integer()
    title = fields.String()
    department = fields.String()
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
    kind = fields.String()
    kind_label = LocalizedField()
    title = fields.String()
    state = fields.String()
    state_label = LocalizedField()
    overdue = fields.Integer(metadata={"description": "how many steps are overdue today"})
    steps = fields.List(fields.Nested(StepSchema))
    commitments = fields.List(fields.Nested(CommitmentSchema))


# -- views ------------------------------------------------------------------------


def _iso(value: Any) -> Any:
    """Dates as ISO strings, recursively (the OpenAPI builder knows strings, not dates)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _iso(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_iso(item) for item in value]
    return value


def proposal_view(config: CityConfig, proposal: Proposal) -> dict[str, Any]:
    kind = records.find_kind(config, proposal.kind)
    view: dict[str, Any] = _iso({
        "id": proposal.id, "kind": proposal.kind,
        "kind_label": kind.label if kind is not None else {"en": proposal.kind},
        "title": proposal.title, "state": proposal.state,
        "state_label": records.state_label_of(kind, proposal.state),
        "outcome": records.outcome_of(kind, proposal.state),
        "created_on": proposal.created_on, "version": proposal.version,
        "transitions": [
            {"on": move.on, "source": move.source,
             "source_label": records.state_label_of(kind, move.source),
             "target": move.target, "target_label": records.state_label_of(kind, move.target),
             "actor": move.actor, "reason": move.reason}
            for move in proposal.transitions
        ],
    })
    return view


def journey_view(journey: records.Journey) -> dict[str, Any]:
    view: dict[str, Any] = _iso(asdict(journey))
    view["overdue"] = journey.overdue
    return view


def _number(ident: str) -> int:
    """A record's number from the path (a plain string there, as OpenAPI documents it)."""
    if not (ident.isascii() and ident.isdigit()) or int(ident) > MAX_ID:
        abort(404)
    return int(ident)


def _reply(view_name: str, schema: type[BaseSchema], data: Any, *, many: bool = False
           ) -> Response:
    query = parse_query(view_name)
    return jsonify(_dump(schema, data, many=many, language=query.get("lang")))


@endpoint("The panel draws of the current mandate: digests, public number, chosen panel",
          DrawSchema, many=True)
def draws() -> Response:
    config = current_config()
    mandate = current_mandate()
    found = records.draw_records(config, mandate) if mandate is not None else []
    return _reply("draws", DrawSchema, [_iso(asdict(draw)) for draw in found], many=True)


def _proposal_query(config: CityConfig) -> dict[str, fields.Field[Any]]:
    return {
        "kind": fields.String(
            validate=validate.OneOf([kind.key for kind in config.proposal_kinds]),
            metadata={"description": "only acts of this kind"},
        )
    }


@endpoint("The acts of the current mandate with every transition", ProposalSchema, many=True,
          query=_proposal_query)
def proposals_list() -> Response:
    config = current_config()
    query = parse_query("proposals_list")
    mandate = current_mandate()
    rows = (proposals.list_proposals(db_session(), mandate.id, with_history=True)
            if mandate is not None else [])
    if "kind" in query:
        rows = [row for row in rows if row.kind == query["kind"]]
    return jsonify(_dump(ProposalSchema, [proposal_view(config, row) for row in rows],
                         many=True, language=query.get("lang")))


@endpoint("One act of the current mandate with every transition", ProposalSchema,
          path_parameters={"ident": "the act's number, as listed by /api/proposals"})
def proposal(ident: str) -> Response:
    _, found = records.proposal_or_404(_number(ident))
    return _reply("proposal", ProposalSchema, proposal_view(current_config(), found))


@endpoint("The follow-up of each adopted act: its journey and commitments", JourneySchema,
          many=True)
def follow_up() -> Response:
    config = current_config()
    mandate = current_mandate()
    journeys = ([records.journey(config, p, today()) for p in records.adopted(config, mandate)]
                if mandate is not None else [])
    return _reply("follow_up", JourneySchema, [journey_view(j) for j in journeys], many=True)


@endpoint("The follow-up of one adopted act", JourneySchema,
          path_parameters={"ident": "the act's number, as listed by /api/follow-up"})
def follow_up_item(ident: str) -> Response:
    config = current_config()
    mandate, found = records.proposal_or_404(_number(ident))
    if found not in records.adopted(config, mandate):
        abort(404)
    return _reply("follow_up_item", JourneySchema,
                  journey_view(records.journey(config, found, today())))


for _rule, _view in (
    ("/draws", draws),
    ("/proposals", proposals_list),
    ("/proposals/<ident>", proposal),
    ("/follow-up", follow_up),
    ("/follow-up/<ident>", follow_up_item),
):
    bp.add_url_rule(_rule, view_func=_view, methods=["GET"])
