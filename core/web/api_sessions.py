"""The API's session writes: a session's title, place, agenda and minutes by language.

``PATCH /api/sessions/<id>`` is what ``kleroterion record session --place-in`` and the
back office do, through ``services.sessions.describe_session``: the languages sent
change, an empty text removes one, the others stay; a language the city's site does
not offer or a text too long is refused (422) naming the field, and nothing changes.
The answer is the session as ``/api/sessions`` lists it. The routes are added to the
``api`` blueprint at import (``api.init_app`` imports this module).
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import Response
from kleroterion.models import Mandate
from kleroterion.services import sessions
from kleroterion.services.context import MISSING
from kleroterion.services.errors import InvalidInput, NotFound
from kleroterion.web import api_writes, promotions
from kleroterion.web.api import ENDPOINTS, ApiRefusal, bp, endpoint
from kleroterion.web.api_records import MeetingSchema, meeting_view
from kleroterion.web.context import current_config
from kleroterion.web.database import db_session
from kleroterion.web.public import all_meetings
from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy.orm import Session

_EDITABLE = tuple(sessions.SESSION_TEXTS)


def _texts(what: str) -> fields.Dict:
    return fields.Dict(keys=fields.String(validate=validate.Length(min=2, max=8)),
                       values=fields.String(), metadata={
                           "description": f"{what} by language code: a language sent "
                                          "replaces its text, an empty text removes it, the "
                                          "others stay"})


class SessionTextsInput(api_writes.InputSchema):
    openapi_constraints: ClassVar[dict[str, Any]] = {
        "anyOf": [{"required": [name]} for name in _EDITABLE]}

    title = _texts("its title")
    place = _texts("where it is held")
    agenda = _texts("its agenda (plain text)")
    minutes = _texts("its minutes, compte rendu (plain text)")

    @validates_schema
    def _something(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not set(_EDITABLE) & set(data):
            raise ValidationError("give at least one of " + ", ".join(_EDITABLE), "_schema")


@endpoint("Write a session's title, place, agenda or minutes in languages of the site",
          MeetingSchema, method="PATCH", body=SessionTextsInput, role=api_writes.WRITE_ROLE,
          path_parameters={"ident": "the session's id, as listed by /api/sessions"},
          tag=api_writes.TAG)
def edit_session_texts(ident: str) -> Response:
    number, body, language = api_writes.request_body("edit_session_texts", ident)

    def work(session: Session) -> int:
        meeting = api_writes.meeting_of(session, number)
        try:
            sessions.describe_session(session, meeting.id, translations={
                field: body[field] for field in _EDITABLE if field in body})
        except InvalidInput as refusal:
            field = refusal.field or "_schema"
            raise ApiRefusal(422, str(refusal), errors={field: [str(refusal)]}) from None
        return meeting.mandate_id

    mandate_id = api_writes.in_transaction(work)
    db_session().expire_all()
    mandate = db_session().get(Mandate, mandate_id)
    if mandate is None:  # deleted between the change and the answer
        raise NotFound(MISSING["sessions"], id=number)
    found = next(m for m in all_meetings(current_config(), promotions.city_mandates(),
                                         [mandate])
                 if m.anchor == f"session-{number}")
    return api_writes.reply(MeetingSchema, meeting_view(found), 200, language)


for _rule, _view in (
    ("/sessions/<ident>", edit_session_texts),
):
    bp.add_url_rule(_rule, view_func=_view,
                    methods=[ENDPOINTS[f"{bp.name}.{_view.__name__}"].method])
