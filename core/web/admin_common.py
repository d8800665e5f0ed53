"""What the back office's lifecycle pages share: one change in one transaction, refused whole.

``change(work)`` runs ``work(session)`` in ``session_scope`` with the logged-in user as
the audit actor: a service's refusal (the same ``ServiceError`` the CLI and the API
show) rolls everything back and comes back as a sentence in the visitor's language;
nothing is half done. ``kind_choices`` and friends give a select's choices from the
city's declarations, labelled in the visitor's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort
from kleroterion.db import session_scope
from kleroterion.models import Mandate
from kleroterion.services.errors import ConflictError, ServiceError
from kleroterion.web.auth import ROLE_LEVEL, actor, current_role_level
from kleroterion.web.database import current_engine, db_session
from kleroterion.web.i18n import refusal_text
from sqlalchemy.orm import Session

T = TypeVar("T")


class Refusal(Exception):
    """A service refused the change: ``text`` says why in the visitor's language."""

    def __init__(self, text: str, field: str | None = None, conflict: bool = False) -> None:
        super().__init__(text)
        self.text = text
        self.field = field
        #: Someone else changed the record since the page was shown (409, not 422).
        self.conflict = conflict


def change(work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction as the logged-in user; raise ``Refusal`` if refused."""
    try:
        with session_scope(current_engine(), actor=actor()) as session:
            result = work(session)
    except ServiceError as refusal:
        db_session().expire_all()
        raise Refusal(refusal_text(refusal), getattr(refusal, "field", None),
                      isinstance(refusal, ConflictError)) from None
    db_session().expire_all()
    return result


def may_write() -> bool:
    return current_role_level() >= ROLE_LEVEL["secretariat"]


def mandate_or_404(mandate_id: int) -> Mandate:
    mandate = db_session().get(Mandate, mandate_id)
    if mandate is None:
        abort(404)
    return mandate
