"""What a request may carry, checked before anything parses it: size, characters, JSON shape.

Sizes are limited per route before the body is read: a respondents upload may be
large (``KLEROTERION_UPLOAD_LIMIT``, 64 MB by default), a signed-in person's form or
an API body small (``KLEROTERION_BODY_LIMIT``, 1 MB), and an anonymous visitor's POST
(the sign-in form) tiny (``KLEROTERION_ANONYMOUS_LIMIT``, 16 KB): a 200 MB POST is
refused with 413 from its ``Content-Length``, and a body sent without one is cut at
the limit by Werkzeug's stream. Then every value of the query, the form and a JSON
body is checked for what no text column can hold (a NUL character, a lone UTF-16
surrogate) and a JSON body for what no field takes (nesting deeper than
:data:`MAX_JSON_DEPTH`, ``NaN``, an infinite or overflowing number): such a request
is answered 400 (pages) or 422 (API) naming the field, never 500.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from kleroterion.services.values import text_problem
from kleroterion.web.api import API_PREFIX, ApiRefusal
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

#: Endpoints that receive a file, and may be as large as the upload limit.
UPLOAD_ENDPOINTS = frozenset({"backoffice.import_respondents"})
DEFAULTS = {
    "KLEROTERION_UPLOAD_LIMIT": 64 * 1024 * 1024,
    "KLEROTERION_BODY_LIMIT": 1024 * 1024,
    "KLEROTERION_ANONYMOUS_LIMIT": 16 * 1024,
}
#: No write endpoint takes more than three levels; 32 leaves room. A body nested deeper
#: than the JSON parser goes (about 1,000 levels: a RecursionError) is refused too.
MAX_JSON_DEPTH = 32


class UnfitInput(BadRequest):
    """A value no field accepts; ``explanation`` is the sentence the error page shows."""

    explanation = _l("A field holds a character that cannot be stored (a NUL character or "
                     "an invalid one). Remove it and send the form again.")

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def _limit() -> int:
    config = current_app.config
    if request.endpoint in UPLOAD_ENDPOINTS:
        return int(config["KLEROTERION_UPLOAD_LIMIT"])
    if request.headers.get("Authorization") or current_user.is_authenticated:
        return int(config["KLEROTERION_BODY_LIMIT"])
    return int(config["KLEROTERION_ANONYMOUS_LIMIT"])


#: A UTF-16 surrogate written as UTF-8 bytes (ED A0..BF ..): Python's JSON parser reads
#: bytes with "surrogatepass", so these become a lone surrogate in a string.
_RAW_SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")


class _NotANumber(ValueError):
    """A JSON number no field takes: NaN, Infinity, or one too large for a float."""


def _no_constant(name: str) -> float:
    raise _NotANumber(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotANumber(f"the number {text[:20]}... overflows")
    return value


def _walk(data: Any) -> Iterator[tuple[str, str, int]]:
    """Every string of a parsed JSON value, keys too, with where it is and how deep.

    Iterative: a deep value must not exhaust Python's own recursion here.
    """
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            yield path, value, depth
        elif isinstance(value, dict):
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                yield where, str(key), depth + 1
                stack.append((item, where, depth + 1))
        elif isinstance(value, list):
            yield path, "", depth + 1
            for index, item in enumerate(value):
                stack.append((item, f"{path}.{index}" if path else str(index), depth + 1))


def _refuse(field: str, problem: str) -> None:
    if request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/"):
        raise ApiRefusal(422, "some fields of the body are not valid",
                         errors={field: [problem]}, title="Invalid request body")
    raise UnfitInput(field, problem)


def _check_json() -> None:
    body = request.get_data(cache=True)
    try:
        data = json.loads(body, parse_constant=_no_constant, parse_float=_finite)
    except _NotANumber as error:
        _refuse("_schema", str(error))
        return
    except RecursionError:  # nested deeper than the parser goes (about 1,000)
        _refuse("_schema", f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels")
        return
    except ValueError:
        return  # not JSON: the endpoint answers 400 as it always did
    if (b"\\u" not in body and not _RAW_SURROGATE.search(body)
            and body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH):
        # A NUL can only come escaped (the parser refuses a raw one), a surrogate
        # escaped or as its UTF-8-like bytes (which the parser lets through), and so
        # few brackets cannot nest deeper: nothing to walk.
        return
    for field, text, depth in _walk(data):
        if depth > MAX_JSON_DEPTH:
            _refuse(field or "_schema", f"the JSON is nested deeper than {MAX_JSON_DEPTH} "
                    "levels")
        problem = text_problem(text)
        if problem is not None:
            _refuse(field or "_schema", str(problem))


def check_request() -> None:
    """Refuse, before any view parses it, a body too large or a value nothing can store."""
    if request.routing_exception is not None:
        return  # no such page: the 404 or 405 comes next, whatever the body holds
    if request.method in ("POST", "PUT", "PATCH") or request.content_length:
        # Only then: the limit may load the signed-in user, a query a page view skips.
        limit = _limit()
        request.max_content_length = limit
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()
    for field, text in request.args.items(multi=True):
        problem = text_problem(text) or text_problem(field)
        if problem is not None:
            _refuse(field, str(problem))
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if request.is_json:
        _check_json()
        return
    for field, text in request.form.items(multi=True):
        problem = text_problem(text) or text_problem(field)
        if problem is not None:
            _refuse(field, str(problem))


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    # First of all: before CSRF protection or a view reads (and parses) the body.
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
