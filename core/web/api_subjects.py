"""The JSON API of what the promotions work on: subjects with their origin, and workshops.

``/api/subjects`` lists every subject of every promotion (or of ``?promotion=``) with
its origin, the workshops on it and the acts that answer it; ``/api/subjects/<id>``
one of them; ``/api/workshops`` each promotion's own workshops. The same views as
the subjects page (``kleroterion.web.subject_pages``). A token of the secretariat
corrects a subject (``PATCH``: only the fields sent change, texts language by
language) or deletes one recorded in error (``DELETE``: refused with 409 while acts
answer it, naming them), through ``services.subjects`` as the CLI and the back
office do. The routes are added to the ``api`` blueprint at import
(``api.init_app`` imports this module).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, ClassVar

from flask import Response
from kleroterion.city.types import SUBJECT_ORIGINS
from kleroterion.services import subjects
from kleroterion.services.errors import InvalidInput
from kleroterion.web import api_writes, subject_pages
from kleroterion.web.api import ENDPOINTS, ApiRefusal, bp, endpoint, refusal_message
from kleroterion.web.api_records import iso, number_param, promotion_query, reply, shown_mandates
from kleroterion.web.database import db_session
from kleroterion.web.i18n import said
from kleroterion.web.schemas import BaseSchema, LocalizedField
from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy.orm import Session


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
    title = fields.String(metadata={"description": "in the request's language (?lang=), "
                                                   "else in the city's first language"})
    titles = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "the act's title by language code"})
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


def subject_record(view: subject_pages.SubjectView) -> dict[str, Any]:
    """A subject as the API answers it: its acts' titles in the request's language."""
    record: dict[str, Any] = iso(asdict(view))
    for act, shown in zip(view.acts, record["acts"], strict=True):
        shown["titles"] = dict(act.title)
        shown["title"] = said(act.title).text
    return record


@endpoint("The subjects of every promotion, with their origin, workshops and acts",
          SubjectSchema, many=True, query=promotion_query)
def subjects_list() -> Response:
    found = [subject_record(view) for view in subject_pages.subject_views(shown_mandates())]
    return reply("subjects_list", SubjectSchema, found, many=True)


@endpoint("One subject of any promotion, with its origin, workshops and acts", SubjectSchema,
          path_parameters={"ident": "the subject's number, as listed by /api/subjects"})
def subject(ident: str) -> Response:
    from kleroterion.web.context import current_config

    found, mandate = subject_pages.find_subject(number_param(ident))
    view = subject_pages.subject_view(current_config(), found, mandate)
    return reply("subject", SubjectSchema, subject_record(view))


@endpoint("The workshops of every promotion: each promotion has its own",
          WorkshopSchema, many=True, query=promotion_query)
def workshops_list() -> Response:
    found = [asdict(view) for view in subject_pages.workshop_views(shown_mandates())]
    return reply("workshops_list", WorkshopSchema, found, many=True)


# -- writes ---------------------------------------------------------------------------


def _texts(what: str) -> fields.Dict:
    return fields.Dict(keys=fields.String(validate=validate.Length(min=2, max=8)),
                       values=fields.String(), metadata={
                           "description": f"{what} by language code: a language sent "
                                          "replaces its text, an empty text removes it, the "
                                          "others stay"})


#: The body's field a refusal of the service names (its own names, sometimes shorter).
_BODY_FIELD = {"note": "origin_note", "workshop": "workshops"}
_EDITABLE = ("title", "origin", "origin_note", "proposed_on", "summary", "workshops")


class SubjectEditInput(api_writes.InputSchema):
    openapi_constraints: ClassVar[dict[str, Any]] = {
        "anyOf": [{"required": [name]} for name in _EDITABLE]}

    title = _texts("the title")
    origin = fields.String(validate=validate.OneOf(SUBJECT_ORIGINS), metadata={
        "description": "who proposed it, among the origins the city accepts (/api/city)"})
    origin_note = _texts("how it came")
    proposed_on = fields.Date(allow_none=True, metadata={
        "description": "the day it was proposed (ISO date); null forgets it"})
    summary = _texts("what it is about")
    workshops = fields.List(fields.String(), metadata={
        "description": "the keys of the promotion's workshops on it (/api/workshops); "
                       "replaces them, [] for none"})

    @validates_schema
    def _something(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not set(_EDITABLE) & set(data):
            raise ValidationError("give at least one of " + ", ".join(_EDITABLE), "_schema")


class SubjectDeletedSchema(BaseSchema):
    id = fields.Integer(metadata={"description": "the subject deleted"})
    workshops = fields.List(fields.String(), metadata={
        "description": "the keys of the workshops that no longer list it (they stay)"})


def _by_field(refusal: InvalidInput) -> ApiRefusal:
    field = _BODY_FIELD.get(refusal.field or "_schema", refusal.field or "_schema")
    message = refusal_message(refusal)
    return ApiRefusal(422, message, errors={field: [message]},
                      field=None if field == "_schema" else field)


_SUBJECT = {"ident": "the subject's number, as listed by /api/subjects"}


@endpoint("Correct a subject: only the fields sent change", SubjectSchema, method="PATCH",
          body=SubjectEditInput, role=api_writes.WRITE_ROLE, path_parameters=_SUBJECT,
          tag=api_writes.TAG)
def edit_subject(ident: str) -> Response:
    from kleroterion.web.context import current_config

    number, body, language = api_writes.request_body("edit_subject", ident)

    def work(session: Session) -> None:
        try:
            subjects.edit_subject(
                session, number, title=body.get("title"), origin=body.get("origin"),
                origin_note=body.get("origin_note"),
                proposed_on=body.get("proposed_on", subjects.KEEP),
                summary=body.get("summary"), workshop_keys=body.get("workshops"))
        except InvalidInput as refusal:
            raise _by_field(refusal) from None

    api_writes.in_transaction(work)
    db_session().expire_all()
    found, mandate = subject_pages.find_subject(number)
    view = subject_pages.subject_view(current_config(), found, mandate)
    return api_writes.reply(SubjectSchema, subject_record(view), 200, language)


@endpoint("Delete a subject recorded in error (refused while acts answer it)",
          SubjectDeletedSchema, method="DELETE", role=api_writes.WRITE_ROLE,
          path_parameters=_SUBJECT, tag=api_writes.TAG)
def delete_subject(ident: str) -> Response:
    number = number_param(ident)
    detached = api_writes.in_transaction(
        lambda session: subjects.delete_subject(session, number))
    db_session().expire_all()
    return api_writes.reply(SubjectDeletedSchema, {"id": number, "workshops": detached}, 200,
                            None)


for _rule, _view in (
    ("/subjects", subjects_list),
    ("/subjects/<ident>", subject),
    ("/workshops", workshops_list),
    ("/subjects/<ident>", edit_subject),
    ("/subjects/<ident>", delete_subject),
):
    bp.add_url_rule(_rule, view_func=_view,
                    methods=[ENDPOINTS[f"{bp.name}.{_view.__name__}"].method])
