"""Back-office accounts: create, authenticate, change roles, issue and check API tokens.

An account belongs to a city (``User.city``; None: every city): in a front end
serving one city, an account or token of another city does not exist
(``services.scope``). Changes to accounts are audited (never the password or the token). A token is
shown once when issued; only its SHA-256 is stored, with its public prefix. A
presented token is looked up by that prefix and its digest compared with
``hmac.compare_digest``, so the time an answer takes says nothing of how much of
a guessed token was right.

Authentication takes the same time whether the username exists or not: an unknown
(or inactive) account's password is checked against a dummy hash made like the real
ones. Changing a password or deactivating an account ends the user's sessions
(``User.end_sessions``), as does logging out (``end_sessions``).
"""

from __future__ import annotations

import functools
import hmac
import secrets

from kleroterion.models import (
    ROLE_LEVEL,
    ROLES,
    TOKEN_SHAPE,
    ApiToken,
    User,
    new_token,
    token_digest,
    token_prefix,
    utcnow,
)
from kleroterion.services import audit
from kleroterion.services.context import get
from kleroterion.services.errors import InvalidInput, NotAllowed
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

MIN_PASSWORD = 10


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("a password has at least %(length)s characters",
                           length=MIN_PASSWORD)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput("%(role)r is not a role; accepted: %(accepted)s", role=role,
                           accepted=", ".join(ROLES))


def create_user(session: Session, username: str, password: str, role: str,
                city: str | None = None) -> User:
    """A new active account; ``city`` is the city it works for (None: every city)."""
    username = username.strip()
    if not username:
        raise InvalidInput("a user needs a username")
    _check_role(role)
    _check_password(password)
    if session.scalar(select(User.id).where(User.username == username)):
        raise InvalidInput("the username %(username)r is taken", username=username)
    user = User(username=username, role=role, active=True, city=city or None)
    user.set_password(password)
    session.add(user)
    session.flush()
    audit.record(session, "user.create", "user", user.id, username=username, role=role,
                 city=user.city)
    return user


def set_city(session: Session, user_id: int, city: str | None) -> User:
    """Give an account its city (None: every city of the installation)."""
    user = get(session, User, user_id)
    user.city = city or None
    audit.record(session, "user.city", "user", user.id, city=user.city)
    return user


def by_username(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise InvalidInput("no user named %(username)r", username=username)
    return user


@functools.cache
def _dummy_hash() -> str:
    """A hash made as real ones are (same method and cost), of a password nobody knows."""
    return generate_password_hash(secrets.token_hex(16))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for every failure).

    A password hash is checked in every case, so an unknown username is not answered
    sooner than a known one.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if user.check_password(password) else None


def end_sessions(session: Session, user_id: int) -> None:
    """End every back-office session of a user (logout): their cookies no longer work."""
    get(session, User, user_id).end_sessions()


def set_role(session: Session, user_id: int, role: str) -> User:
    user = get(session, User, user_id)
    _check_role(role)
    user.role = role
    audit.record(session, "user.role", "user", user.id, role=role)
    return user


def set_password(session: Session, user_id: int, password: str) -> User:
    user = get(session, User, user_id)
    _check_password(password)
    user.set_password(password)
    audit.record(session, "user.password", "user", user.id)
    return user


def deactivate(session: Session, user_id: int) -> User:
    user = get(session, User, user_id)
    if not user.active:
        raise NotAllowed("user %(user)s is already inactive", user=user_id)
    user.active = False
    user.end_sessions()
    audit.record(session, "user.deactivate", "user", user.id)
    return user


def issue_token(session: Session, user_id: int, name: str,
                role: str | None = None) -> tuple[ApiToken, str]:
    """A new API token for a user: the row, and the token itself (shown once, never stored).

    Without ``role`` the token acts with its user's role, whatever it becomes; a
    given role may be lower than the user's, never higher.
    """
    user = get(session, User, user_id)
    if not user.active:
        raise NotAllowed("user %(user)s is inactive", user=user_id)
    if role is not None:
        _check_role(role)
        if ROLE_LEVEL[role] > ROLE_LEVEL[user.role]:
            raise NotAllowed("a token of user %(user)s (%(role)s) cannot act as %(wanted)s",
                             user=user_id, role=user.role, wanted=role)
    token = new_token()
    row = ApiToken(user_id=user.id, name=name.strip() or "token", prefix=token_prefix(token),
                   role=role, token_hash=token_digest(token))
    session.add(row)
    session.flush()
    audit.record(session, "token.issue", "api_token", row.id, user=user.id, name=row.name,
                 prefix=row.prefix, role=role)
    return row, token


def list_tokens(session: Session, user_id: int | None = None) -> list[ApiToken]:
    """API tokens (of one user, or all), oldest first; revoked ones too."""
    query = select(ApiToken).order_by(ApiToken.id)
    if user_id is not None:
        get(session, User, user_id)
        query = query.where(ApiToken.user_id == user_id)
    return list(session.scalars(query))


def authenticate_token(session: Session, token: str) -> ApiToken | None:
    """The valid token row matching ``token``, its last use set to now; else None.

    None for an unknown, revoked or malformed token, or one whose user is
    inactive: the caller answers all of them alike.
    """
    if not TOKEN_SHAPE.fullmatch(token):  # nor sent to the database (a NUL would fail there)
        return None
    digest = token_digest(token)
    found: ApiToken | None = None
    for row in session.scalars(select(ApiToken).where(ApiToken.prefix == token_prefix(token))):
        if hmac.compare_digest(row.token_hash, digest):
            found = row
    if found is None or not found.valid:
        return None
    found.last_used_at = utcnow()
    return found


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a valid token belongs to, or None."""
    row = authenticate_token(session, token)
    return row.user if row is not None else None


def revoke_token(session: Session, token_id: int) -> ApiToken:
    row = get(session, ApiToken, token_id)
    if row.revoked_at is not None:
        raise NotAllowed("API token %(token)s is already revoked", token=token_id)
    row.revoked_at = utcnow()
    audit.record(session, "token.revoke", "api_token", row.id)
    return row
