"""Logging in and out of the back office, roles, and the limit on login attempts.

Flask-Login keeps the logged-in ``User`` (from ``kleroterion.models``) in the signed
session cookie; ``users.authenticate`` checks the werkzeug password hash. Roles are
ordered read-only < secretariat < administrator; ``role_required`` refuses a
logged-in user below the role with 403, and sends anonymous visitors to the login
page.

Failed logins are counted per account and per client address in memory, within
each worker process (``LoginThrottle``): a small in-app limiter was preferred over
flask-limiter because only one form needs it, the lockout message must be the
login page itself in the visitor's language, and a per-account count (not just
per address) is what stops a distributed guess at one password. With several
workers, an attacker gets at most that many times the limit, which stays small.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from flask_login import LoginManager, current_user, login_user, logout_user
from kleroterion.models import ROLE_LEVEL as ROLE_LEVEL  # the back office reads it here
from kleroterion.models import User
from kleroterion.services import users
from kleroterion.web.database import db_session
from kleroterion.web.forms import LoginForm, LogoutForm
from sqlalchemy.exc import OperationalError, ProgrammingError

bp = Blueprint("auth", __name__, url_prefix="/admin")
login_manager = LoginManager()


#: Failed attempts allowed within the window, per account and per client address.
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW_SECONDS = 15 * 60
_THROTTLE = "kleroterion.login_throttle"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class LoginThrottle:
    """Timestamps of recent failed logins, by key (``account:…`` or ``address:…``)."""

    window: float = WINDOW_SECONDS
    limits: dict[str, int] = field(
        default_factory=lambda: {"account": ACCOUNT_LIMIT, "address": ADDRESS_LIMIT}
    )
    clock: Callable[[], float] = time.monotonic
    failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, key: str) -> deque[float]:
        now = self.clock()
        stamps = self.failures.setdefault(key, deque())
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        return stamps

    def wait_seconds(self, keys: dict[str, str]) -> float:
        """Seconds until these keys may try again; 0 when they may now."""
        wait = 0.0
        for kind, key in keys.items():
            stamps = self._recent(f"{kind}:{key}")
            if len(stamps) >= self.limits[kind]:
                wait = max(wait, stamps[0] + self.window - self.clock())
        return wait

    def fail(self, keys: dict[str, str]) -> None:
        for kind, key in keys.items():
            self._recent(f"{kind}:{key}").append(self.clock())

    def succeed(self, keys: dict[str, str]) -> None:
        """A good password clears the account's count (not the address's)."""
        self.failures.pop(f"account:{keys['account']}", None)


def throttle() -> LoginThrottle:
    found = current_app.extensions.get(_THROTTLE)
    assert isinstance(found, LoginThrottle)
    return found


def current_role_level() -> int:
    if not current_user.is_authenticated:
        return 0
    return ROLE_LEVEL.get(cast(User, current_user).role, 0)


def role_required(role: str) -> Callable[[F], F]:
    """Let through users with at least ``role``; anonymous visitors go to the login page."""
    needed = ROLE_LEVEL[role]

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_role_level() < needed:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorate


def actor() -> str:
    """Who the audit log names for changes made in this request."""
    if current_user.is_authenticated:
        return f"user:{cast(User, current_user).username}"
    return "anonymous"


def load_user(user_id: str) -> User | None:
    try:
        user = db_session().get(User, int(user_id))
    except (ValueError, OperationalError, ProgrammingError):
        return None
    return user if user is not None and user.active else None


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another one."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//"):
            return target
    return url_for("backoffice.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    error: str | None = None
    status = 200
    if form.validate_on_submit():
        username = (form.username.data or "").strip()
        keys = {"account": username.casefold(), "address": request.remote_addr or "unknown"}
        limiter = throttle()
        wait = limiter.wait_seconds(keys)
        if wait > 0:
            minutes = max(1, int(wait // 60) + (1 if wait % 60 else 0))
            error = ngettext(
                "Too many failed attempts. Logging in is locked for %(num)d more minute.",
                "Too many failed attempts. Logging in is locked for %(num)d more minutes.",
                minutes,
            )
            status = 429
        else:
            user = users.authenticate(db_session(), username, form.password.data or "")
            if user is None:
                limiter.fail(keys)
                error = gettext("Unknown username or wrong password.")
                status = 401
            else:
                limiter.succeed(keys)
                login_user(user)
                return redirect(_safe_next(request.args.get("next")))
    elif form.is_submitted():
        status = 400 if form.csrf_token.errors else 422
    form.password.data = ""
    return render_template("admin/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    form = LogoutForm()
    if not form.validate_on_submit():
        abort(400)
    logout_user()
    return redirect(url_for("public.home"))


def _template_context() -> dict[str, Any]:
    return {
        "logout_form": LogoutForm() if current_user.is_authenticated else None,
        "role_level": current_role_level(),
    }


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # The login page says what it is for; a flashed lazy string would not fit in the
    # JSON session cookie anyway.
    login_manager.login_message = None
    login_manager.user_loader(load_user)
    login_manager.session_protection = "strong"
    app.extensions[_THROTTLE] = LoginThrottle()
    app.context_processor(_template_context)
    app.register_blueprint(bp)
