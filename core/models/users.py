"""People who use the back office: secretariat accounts, their roles and API tokens.

Passwords are stored as werkzeug hashes; API tokens only as SHA-256 digests, so a
copy of the database gives no way in. A token's first characters (``klr_`` and
eight hex digits) are its public prefix: stored in clear so that a list of tokens
can be matched with the token a tool holds, and so that a request's token is found
by prefix and then compared by digest in constant time. The attributes flask-login
looks for (``is_active``, ``get_id``...) are plain properties so the web app can
use the model directly without this module importing Flask.

A user's ``session_token`` is a random value the signed session cookie carries (in
``get_id``): logging out, changing the password or deactivating the account draws a
new one, so every cookie issued before, replayed or not, stops opening the back
office. ``LoginAttempt`` rows are the login throttle's memory, shared by every worker
and machine through the database (see ``kleroterion.web.throttle``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from kleroterion.models.base import Base, utcnow
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

ROLES = ("administrator", "secretariat", "read-only")
#: Roles allowed to change data; read-only users may only look.
WRITE_ROLES = ("administrator", "secretariat")
#: How much each role may do: a page or an endpoint asks for at least one of these.
ROLE_LEVEL = {"read-only": 1, "secretariat": 2, "administrator": 3}


class User(Base):
    """A back-office account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Changed to end every session of the user (see ``end_sessions``).
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: new_session_token())
    # The city the account works for; None: every city of the installation (an
    # account made before accounts had a city, or an installation's administrator).
    city: Mapped[str | None] = mapped_column(String(64), index=True, default=None)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Make every session cookie issued for this user so far worthless."""
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES

    # flask-login's protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """What the session cookie holds: the id and the current session token."""
        return f"{self.id}:{self.session_token}"


def new_session_token() -> str:
    return secrets.token_hex(32)


class LoginAttempt(Base):
    """A failed login, or a client known to an account, as the login throttle counts them.

    ``key`` is a keyed digest of what is counted (the account, the client address or
    both), never the username or the address themselves; ``kind`` is ``failure`` or
    ``known`` (the client logged into the account). Rows older than the throttle's
    window (a year for ``known``) are deleted on the next attempt.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    at: Mapped[dt.datetime] = mapped_column(index=True)


def token_digest(token: str) -> str:
    """The digest under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


TOKEN_SCHEME = "klr_"
#: Length of a token's public prefix: the scheme and eight hex digits.
PREFIX_LENGTH = len(TOKEN_SCHEME) + 8


def new_token() -> str:
    """A fresh random token, shown once to its owner and never stored.

    ``klr_`` + 8 hex digits (the public prefix) + ``_`` + 43 characters of secret
    (256 random bits); the scheme lets secret scanners recognise a leaked token.
    """
    return f"{TOKEN_SCHEME}{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"


#: What ``new_token`` makes; anything else is refused before the database is asked.
TOKEN_SHAPE = re.compile(r"klr_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def token_prefix(token: str) -> str:
    """The public part of a token, under which it is listed and looked up."""
    return token[:PREFIX_LENGTH]


class ApiToken(Base):
    """A bearer token for the JSON API, stored as a digest.

    ``role`` is None when the token acts with its user's role; a given role can
    only lower it (a read-only token of an administrator). Either way the token
    never acts above its user's current role: demoting a user demotes the tokens.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    role: Mapped[str | None] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")

    @property
    def valid(self) -> bool:
        return self.revoked_at is None and self.user.active

    @property
    def effective_role(self) -> str:
        """The role the token acts with: its own, capped by its user's current one."""
        if self.role is None or ROLE_LEVEL[self.role] > ROLE_LEVEL[self.user.role]:
            return self.user.role
        return self.role
