"""Secret key, cookie settings, CSRF protection and security headers of a city's app.

The secret key comes from the app's config, else ``KLEROTERION_SECRET_KEY``, else a
file ``secret_key`` in the instance folder, generated on first start with owner-only
permissions: sessions then survive restarts and every gunicorn worker signs with the
same key, without anyone having to invent one.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, Response
from flask_wtf.csrf import CSRFProtect

SECRET_ENV = "KLEROTERION_SECRET_KEY"
SECRET_FILE = "secret_key"

csrf = CSRFProtect()

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


def _add_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Settle the secret key and cookie flags, protect every form, add the headers."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get(SECRET_ENV) or instance_secret(
            app.instance_path
        )
    csrf.init_app(app)
    app.after_request(_add_headers)
