"""Logging in and out of the back office, roles, and the limit on login attempts.

Flask-Login keeps the logged-in ``User`` (from ``kleroterion.models``) in the signed
session cookie, as its id and its current ``session_token``; each request loads the
user and compares the token, so a cookie stops working, everywhere and even when
replayed, as soon as the token changes: at logout (which therefore ends the user's
sessions on every device), at a password change and when the account is
deactivated. ``users.authenticate`` checks the werkzeug password hash, against a
dummy hash for an unknown username, so that the time an answer takes does not say
which usernames exist. Roles are ordered read-only < secretariat < administrator;
``role_required`` refuses a logged-in user below the role with 403, and sends
anonymous visitors to the login page. Members' personal data (names, bank details)
is the secretariat's: ``sees_personal_data`` is false for a read-only account, whose
pages show public ids instead.

Failed logins are counted in the database by ``kleroterion.web.throttle`` (per
account and client, per client, per account), so every worker and machine shares
the counts: a small in-app limiter was preferred over flask-limiter because only one
form needs it, the lockout message must be the login page itself in the visitor's
language, and the per-account rules (a lock per account and client, known clients
spared) are the point of it.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
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
from kleroterion.db import session_scope
from kleroterion.models import ROLE_LEVEL as ROLE_LEVEL  # the back office reads it here
from kleroterion.models import User
from kleroterion.services import users
from kleroterion.web.database import current_engine, db_session
from kleroterion.web.forms import LoginForm, LogoutForm
from kleroterion.web.throttle import LoginThrottle
from sqlalchemy.exc import OperationalError, ProgrammingError

bp = Blueprint("auth", __name__, url_prefix="/admin")
login_manager = LoginManager()


_THROTTLE = "kleroterion.login_throttle"

F = TypeVar("F", bound=Callable[..., Any])


def throttle() -> LoginThrottle:
    found = current_app.extensions.get(_THROTTLE)
    if found is None:
        # Made on first use: the secret key that keys its digests is settled by then.
        found = LoginThrottle(secret=str(current_app.config["SECRET_KEY"]).encode())
        current_app.extensions[_THROTTLE] = found
    assert isinstance(found, LoginThrottle)
    return found


def current_role_level() -> int:
    if not current_user.is_authenticated:
        return 0
    return ROLE_LEVEL.get(cast(User, current_user).role, 0)


#: The least role that sees members' personal data (names, bank details): the
#: secretariat, who runs the mandate. A read-only account sees public ids only.
PERSONAL_DATA_ROLE = "secretariat"


def sees_personal_data() -> bool:
    """Whether the logged-in user may see members' names and bank details."""
    return current_role_level() >= ROLE_LEVEL[PERSONAL_DATA_ROLE]


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
    """The active user a session cookie names, if its session token is still the user's."""
    ident, _, token = user_id.partition(":")
    try:
        user = db_session().get(User, int(ident))
    except (ValueError, OperationalError, ProgrammingError):
        return None
    if user is None or not user.active or not token:
        return None
    return user if hmac.compare_digest(user.session_token, token) else None


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another one."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//"):
            return target
    return url_for("backoffice.dashboard")


def _locked(wait: float) -> str:
    minutes = max(1, int(wait // 60) + (1 if wait % 60 else 0))
    return str(ngettext(
        "Too many failed attempts. Logging in is locked for %(num)d more minute.",
        "Too many failed attempts. Logging in is locked for %(num)d more minutes.",
        minutes,
    ))


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    error: str | None = None
    status = 200
    if form.validate_on_submit():
        username = (form.username.data or "").strip()
        limiter = throttle()
        attempt = limiter.attempt(username, request.remote_addr)
        # Committed before the password is checked: other workers count this attempt.
        wait = limiter.begin(current_engine(), attempt)
        if wait > 0:
            error, status = _locked(wait), 429
        else:
            user = users.authenticate(db_session(), username, form.password.data or "")
            if user is None:
                error = gettext("Unknown username or wrong password.")
                status = 401
            else:
                limiter.succeed(current_engine(), attempt)
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
    if current_user.is_authenticated:
        # A copy of the cookie (another device, a stolen one) must not outlive the logout.
        with session_scope(current_engine(), actor=actor()) as session:
            users.end_sessions(session, cast(User, current_user).id)
    logout_user()
    return redirect(url_for("public.home"))


def _template_context() -> dict[str, Any]:
    return {
        "logout_form": LogoutForm() if current_user.is_authenticated else None,
        "role_level": current_role_level(),
        "sees_personal_data": sees_personal_data(),
    }


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # The login page says what it is for; a flashed lazy string would not fit in the
    # JSON session cookie anyway.
    login_manager.login_message = None
    login_manager.user_loader(load_user)
    login_manager.session_protection = "strong"
    app.context_processor(_template_context)
    app.register_blueprint(bp)
