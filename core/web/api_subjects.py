"""The JSON API of what the promotions work on: subjects with their origin, and workshops.

``/api/subjects`` lists every subject of every promotion (or of ``?promotion=``) with
its origin, the workshops on it and the acts that answer it; ``/api/subjects/<id>``
one of them; ``/api/workshops`` each promotion's own workshops. The same views as
the subjects page (``kleroterion.web.subject_pages``). The routes are added to the
``api`` blueprint at import (``api.init_app`` imports this module).
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Response
from kleroterion.city.types import SUBJECT_ORIGINS
from kleroterion.web import subject_pages
from kleroterion.web.api import bp, endpoint
from kleroterion.web.api_records import iso, number_param, promotion_query, reply, shown_mandates
from kleroterion.web.schemas import BaseSchema, LocalizedField
from marshmallow import fields, validate


class WorkshopSchema(BaseSchema):
    id = fields.Integer()
    key = fields.String()
    label = LocalizedField()
    purpose = LocalizedField()
    body = fields.String(metadata={
        "description": "the key of the city's body it is an instance of, or empty"})
    body_label = LocalizedField()
    mandate_id = fields.Integer(metadata={"description": "its promotion"})


class SubjectActSchema(BaseSchema):
    id = fields.Integer()
    title = fields.String()
    kind_label = LocalizedField()
    state_label = LocalizedField()


class SubjectSchema(BaseSchema):
    id = fields.Integer()
    mandate_id = fields.Integer(metadata={"description": "its promotion"})
    mandate_label = fields.String()
    title = LocalizedField()
    summary = LocalizedField()
    origin = fields.String(validate=validate.OneOf(SUBJECT_ORIGINS), metadata={
        "description": "who proposed it: the assembly, the executive (a work mandate adopted "
                       "in plenary), the council, a call for subjects, a petition, the "
                       "previous panel"})
    origin_note = LocalizedField()
    proposed_on = fields.String(allow_none=True, metadata={"description": "ISO date"})
    workshops = fields.List(fields.Nested(WorkshopSchema))
    acts = fields.List(fields.Nested(SubjectActSchema))


@endpoint("The subjects of every promotion, with their origin, workshops and acts",
          SubjectSchema, many=True, query=promotion_query)
def subjects_list() -> Response:
    found = [iso(asdict(view)) for view in subject_pages.subject_views(shown_mandates())]
    return reply("subjects_list", SubjectSchema, found, many=True)


@endpoint("One subject of any promotion, with its origin, workshops and acts", SubjectSchema,
          path_parameters={"ident": "the subject's number, as listed by /api/subjects"})
def subject(ident: str) -> Response:
    from kleroterion.web.context import current_config

    found, mandate = subject_pages.find_subject(number_param(ident))
    view = subject_pages.subject_view(current_config(), found, mandate)
    return reply("subject", SubjectSchema, iso(asdict(view)))


@endpoint("The workshops of every promotion: each promotion has its own",
          WorkshopSchema, many=True, query=promotion_query)
def workshops_list() -> Response:
    found = [asdict(view) for view in subject_pages.workshop_views(shown_mandates())]
    return reply("workshops_list", WorkshopSchema, found, many=True)


for _rule, _view in (
    ("/subjects", subjects_list),
    ("/subjects/<ident>", subject),
    ("/workshops", workshops_list),
):
    bp.add_url_rule(_rule, view_func=_view, methods=["GET"])
