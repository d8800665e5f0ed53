"""Error pages in the visitor's language, and JSON errors under ``/api``.

Every HTTP error renders the site's layout with a sentence the visitor can act on;
the API answers ``{"status": ..., "error": ...}`` instead. An unexpected exception
becomes a plain 500 page: its message may hold data that must not be shown, so it is
logged (a database error by its class and SQL only, see ``kleroterion.logsafe``),
never rendered. A value the database refuses (``DataError``: too long, too large, a NUL
PostgreSQL cannot store) is the sender's, not the site's: 422, not 500.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from kleroterion.web.api import API_PREFIX
from kleroterion.web.database import db_session
from sqlalchemy.exc import DataError
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    InternalServerError,
    UnprocessableEntity,
)

_TITLES: dict[int, Any] = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("File too large"),
    422: _l("Invalid input"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}
_EXPLANATIONS: dict[int, Any] = {
    400: _l("The request could not be understood. Please go back and try again."),
    403: _l("You are not allowed to see this page."),
    404: _l("There is no page at this address. It may have moved, or the link may be wrong."),
    405: _l("This address does not accept this kind of request."),
    413: _l("What was sent is larger than this site accepts (a file too large, or a text far "
            "longer than any field takes): nothing was recorded."),
    422: _l("Some of what was sent is not valid."),
    429: _l("Too many attempts in a short time. Please wait a few minutes and try again."),
    500: _l(
        "The site met an unexpected error. The secretariat has been told; "
        "please try again later."
    ),
}


def _wants_json() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def _render(error: HTTPException) -> tuple[Response | str, int]:
    code = error.code or 500
    title = _TITLES.get(code, _TITLES[500] if code >= 500 else _TITLES[400])
    if _wants_json():
        # Machines read the API: its errors are HTTP's own English names, stable
        # whatever the visitor's language.
        return jsonify(status=code, error=error.name), code
    explanation = getattr(error, "explanation", None) or _EXPLANATIONS.get(
        code, _EXPLANATIONS[500] if code >= 500 else _EXPLANATIONS[400])
    return render_template("error.html", code=code, title=title, explanation=explanation), code


def handle_http_error(error: HTTPException) -> tuple[Response | str, int] | HTTPException:
    if error.code is None:  # a redirect raised as an exception: let it through
        return error
    return _render(error)


def _roll_back() -> None:
    # The page's layout reads the database: a session left failed by the error
    # would fail the error page too (PendingRollbackError), a second 500.
    db_session().rollback()


def handle_internal_error(error: InternalServerError) -> tuple[Response | str, int]:
    _roll_back()
    return _render(InternalServerError())


class ForgedForm(BadRequest):
    """A form sent without this site's token (CSRF), or with one from another session."""

    explanation = _l("This form did not come from this page, or it has expired: nothing was "
                     "recorded. Open the page again and send the form from it.")


def handle_csrf_error(error: CSRFError) -> tuple[Response | str, int]:
    return _render(ForgedForm())


class UnstorableValue(UnprocessableEntity):
    """A value the database refused (too long, too large, a character it cannot hold)."""

    explanation = _l("A value sent is too long, too large or holds a character that cannot "
                     "be stored. Please correct it and try again.")


def handle_data_error(error: DataError) -> tuple[Response | str, int]:
    """A value the checks before the database missed: 422, logged without the row's values."""
    current_app.logger.warning("a value the database refused reached it on %s %s: %s",
                               request.method, request.path, error)
    _roll_back()
    return _render(UnstorableValue())


def init_app(app: Flask) -> None:
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_internal_error)
