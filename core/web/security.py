"""Secret key, cookie settings, CSRF protection, proxies and security headers of a city's app.

The secret key comes from the app's config, else ``KLEROTERION_SECRET_KEY``, else a
file ``secret_key`` in the instance folder, generated on first start with owner-only
permissions: sessions then survive restarts and every gunicorn worker signs with the
same key, without anyone having to invent one.

Behind reverse proxies, ``KLEROTERION_TRUSTED_PROXIES`` (setting or environment
variable) is how many of them stand in front of the app: werkzeug's ProxyFix then
takes the client's address and scheme from that many entries of ``X-Forwarded-For``
and ``X-Forwarded-Proto``, the ones those proxies wrote. The default, 0, trusts no
header: a client could otherwise claim any address and escape the login throttle.

Every answer carries the headers of ``SECURITY_HEADERS``; one served over https also
``Strict-Transport-Security`` (``KLEROTERION_HSTS_SECONDS``, a year by default, 0 for
none); every back-office page and every answer to a logged-in user or an API token
``Cache-Control: no-store``, so that no browser or proxy keeps a copy of what only
they may see.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import Flask, Response, current_app, request, session
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

SECRET_ENV = "KLEROTERION_SECRET_KEY"
SECRET_FILE = "secret_key"
PROXIES_SETTING = "KLEROTERION_TRUSTED_PROXIES"
HSTS_SETTING = "KLEROTERION_HSTS_SECONDS"
HSTS_SECONDS = 365 * 24 * 3600
#: Paths whose every answer is for a logged-in user, or a form that leads there.
PRIVATE_PREFIX = "/admin"

csrf = CSRFProtect()
log = logging.getLogger(__name__)
_WARNED = "kleroterion.proxy_warned"

# No inline script or style anywhere: the templates and the SVG charts use classes,
# so the policy can forbid both and make injected markup inert.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


#: Applied by ``create_app`` before the caller's config, which may relax them (a test,
#: a development server on plain http).
DEFAULT_SETTINGS = {
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "MAX_CONTENT_LENGTH": 256 * 1024 * 1024,  # a registry extract is large, not unbounded
}


def instance_secret(instance_path: str) -> str:
    """The secret key stored in the instance folder, created on first use."""
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SECRET_FILE
    try:
        # O_EXCL: two workers starting together must not each write their own key.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
        raise RuntimeError(
            f"the secret key file {path} is empty; delete it to regenerate"
        ) from None
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def _private() -> bool:
    """Whether this answer is made for someone: a back-office page, a logged-in user, a token."""
    # ``in`` does not mark the session accessed (which would add ``Vary: Cookie``).
    return (request.path == PRIVATE_PREFIX or request.path.startswith(PRIVATE_PREFIX + "/")
            or "Authorization" in request.headers or "_user_id" in session)


def _add_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    seconds = current_app.config[HSTS_SETTING]
    if request.is_secure and seconds > 0:
        response.headers.setdefault("Strict-Transport-Security",
                                    f"max-age={seconds}; includeSubDomains")
    if _private():
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


def _warn_untrusted_proxy() -> None:
    """Say once per worker that a proxy forwards addresses the app was not told to trust."""
    if "X-Forwarded-For" in request.headers and not current_app.extensions.get(_WARNED):
        current_app.extensions[_WARNED] = True
        log.warning("requests carry X-Forwarded-For but %s is 0: every visitor counts as the "
                    "proxy's address for the login throttle; set it to the number of reverse "
                    "proxies in front of the app", PROXIES_SETTING)


def trusted_proxies(app: Flask) -> int:
    """How many reverse proxies the app trusts, from its setting or the environment."""
    raw = app.config.get(PROXIES_SETTING, os.environ.get(PROXIES_SETTING, "0"))
    try:
        count = int(str(raw).strip() or "0")
    except ValueError:
        count = -1
    if not 0 <= count <= 10:
        raise ValueError(f"{PROXIES_SETTING}={raw!r}: give the number of reverse proxies in "
                         "front of the app, from 0 (none, the default) to 10")
    return count


def init_app(app: Flask) -> None:
    """Settle the secret key and cookie flags, protect every form, add the headers."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get(SECRET_ENV) or instance_secret(
            app.instance_path
        )
    raw = app.config.get(HSTS_SETTING, HSTS_SECONDS)
    try:
        app.config[HSTS_SETTING] = max(0, int(raw))
    except (TypeError, ValueError):
        raise ValueError(f"{HSTS_SETTING}={raw!r}: give the seconds browsers keep to https, "
                         "0 for no Strict-Transport-Security header") from None
    proxies = trusted_proxies(app)
    if proxies:
        # Not the host: Flask reads the proxy's Host header, which the proxy sets itself.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies)
    else:
        app.before_request(_warn_untrusted_proxy)
    csrf.init_app(app)
    app.after_request(_add_headers)
