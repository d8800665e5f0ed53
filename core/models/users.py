"""People who use the back office: secretariat accounts, their roles and API tokens.

Passwords are stored as werkzeug hashes; API tokens only as SHA-256 digests, so a
copy of the database gives no way in. The attributes flask-login looks for
(``is_active``, ``get_id``...) are plain properties so the web app can use the
model directly without this module importing Flask.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from kleroterion.models.base import Base, utcnow
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

ROLES = ("administrator", "secretariat", "read-only")
#: Roles allowed to change data; read-only users may only look.
WRITE_ROLES = ("administrator", "secretariat")


class User(Base):
    """A back-office account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

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
        return str(self.id)


def token_digest(token: str) -> str:
    """The digest under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random token, shown once to its owner and never stored."""
    return "klr_" + secrets.token_urlsafe(32)


class ApiToken(Base):
    """A bearer token for the JSON API, stored as a digest."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")

    @property
    def valid(self) -> bool:
        return self.revoked_at is None and self.user.active
