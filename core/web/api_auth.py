"""Bearer tokens of the JSON API: who makes a write, and whether their role allows it.

Before any view of an endpoint declared with a ``role``, the ``Authorization:
Bearer <token>`` header is checked through ``users.authenticate_token`` in its own
short transaction (which records the token's last use): no header, or a token that
is unknown, revoked or of an inactive account, answers 401 with a
``WWW-Authenticate`` challenge (RFC 6750); a token whose role is below the
endpoint's answers 403. The session cookie is never consulted, so a logged-in
browser cannot write through the API (and the API's exemption from CSRF tokens
covers token-authenticated requests only). The token itself is never logged,
stored or echoed: only its public prefix appears in an answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, g, request
from kleroterion.db import session_scope
from kleroterion.models import ROLE_LEVEL
from kleroterion.services import users
from kleroterion.web.api import ENDPOINTS, SAFE_METHODS, bp, error_response
from kleroterion.web.database import current_engine
from sqlalchemy.exc import OperationalError, ProgrammingError

REALM = "kleroterion"
_USE = "kleroterion_api_token"


@dataclass(frozen=True)
class TokenUse:
    """The token that authenticated the current request (never the token itself)."""

    token_id: int
    prefix: str
    username: str
    role: str


def _challenge(status: int, message: str, error: str | None = None) -> Response:
    challenge = f'Bearer realm="{REALM}"'
    if error is not None:
        challenge += f', error="{error}", error_description="{message}"'
    return error_response(status, message=message, headers={"WWW-Authenticate": challenge})


def presented_token() -> str | None:
    """The bearer token of the request's ``Authorization`` header, if any."""
    credentials = request.authorization
    if credentials is None or credentials.type != "bearer" or not credentials.token:
        return None
    return credentials.token


def _authenticate(token: str) -> TokenUse | None:
    try:
        with session_scope(current_engine(), actor="api") as session:
            row = users.authenticate_token(session, token)
            if row is None:
                return None
            return TokenUse(row.id, row.prefix, row.user.username, row.effective_role)
    except (OperationalError, ProgrammingError):  # no tables yet: no token can exist
        return None


@bp.before_request
def require_token() -> Response | None:
    """Refuse a write without a valid token of a high enough role; let reads through.

    Whatever the method of an API request other than GET, HEAD or OPTIONS, it passes
    here with a valid token or not at all: that is what makes the blueprint's CSRF
    exemption hold for token-authenticated requests only.
    """
    declared = ENDPOINTS.get(request.endpoint or "")
    if declared is None or request.method in SAFE_METHODS:
        return None
    needed = declared.role or "administrator"  # ``endpoint`` refuses a write without one
    token = presented_token()
    if token is None:
        return _challenge(401, "this endpoint needs an API token: send the header "
                          "Authorization: Bearer <token> (kleroterion user token)")
    use = _authenticate(token)
    if use is None:
        return _challenge(401, "the API token is unknown, revoked, or its account is "
                          "inactive", "invalid_token")
    if ROLE_LEVEL[use.role] < ROLE_LEVEL[needed]:
        return _challenge(403, f"token {use.prefix} acts as {use.role}; this endpoint needs "
                          f"{needed} or above", "insufficient_scope")
    setattr(g, _USE, use)
    return None


def current_token() -> TokenUse:
    """The token of the current write request (``require_token`` let it through)."""
    use = g.get(_USE)
    assert isinstance(use, TokenUse), "a write endpoint must declare a role"
    return use


def token_actor() -> str:
    """Who the audit log names for the current write: the token's user."""
    return f"user:{current_token().username}"
