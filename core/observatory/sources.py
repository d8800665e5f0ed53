"""Where an observatory's figures come from: this installation's database, or other instances.

A source is either a city installed here, read from the local database (the default
``KLEROTERION_DATABASE_URL``), or the address of another instance's API
(``https://…/api``), read from its open data: ``/city`` for who it is and
``/open-data/indicators`` for its record. A source that cannot be read (no answer,
an HTTP error, not JSON, an older or newer schema version, a document that does not
match the schema) becomes an ``Instance`` with a ``problem``: the observatory names it
with its reason and goes on with the others, never aborting the whole comparison.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from kleroterion import db
from kleroterion.plugins import PluginError, UnknownCity, load_city
from kleroterion.services import indicators
from sqlalchemy.exc import SQLAlchemyError

#: How long one request to another instance may take, in seconds.
TIMEOUT = 20.0
#: The most bytes read from one answer: an instance's open data is small.
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """Why a source could not be read; ``code`` is translated in the site, ``detail`` kept
    as the source gave it (an address, a status, a version)."""

    code: str  # unreachable | http | not_json | schema_version | invalid | unknown_city | database
    detail: str

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


@dataclass(frozen=True)
class Instance:
    """One assembly in the comparison: who it is and its indicators, or its problem."""

    source: str
    slug: str = ""
    name: dict[str, str] = field(default_factory=dict)  # the city's own name per language
    assembly_name: dict[str, str] = field(default_factory=dict)
    languages: tuple[str, ...] = ()
    currency: str = ""
    indicators: dict[str, Any] | None = None
    problem: Problem | None = None


def get_json(url: str) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                   "User-Agent": "kleroterion-observatory"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
        body = answer.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise ValueError(f"more than {MAX_BYTES} bytes")
    return json.loads(body)


def _check(data: Any) -> Problem | None:
    """Whether ``data`` is indicators this build reads, by version, then by shape."""
    from kleroterion.web.observatory import dataclass_schema

    if not isinstance(data, dict):
        return Problem("invalid", "not a JSON object")
    version = data.get("schema_version")
    if version != indicators.SCHEMA_VERSION:
        return Problem("schema_version", f"{version!r} (this build reads "
                                         f"{indicators.SCHEMA_VERSION})")
    errors = dataclass_schema(indicators.CityIndicators)().validate(data)
    if errors:
        first = next(iter(errors))
        return Problem("invalid", f"field {first}: {errors[first]}")
    return None


def remote(url: str) -> Instance:
    """An instance read from its API root, e.g. ``https://assemblee.example.fr/api``."""
    root = url.rstrip("/")
    try:
        city = get_json(f"{root}/city")
        data = get_json(f"{root}/open-data/indicators")
    except urllib.error.HTTPError as error:
        return Instance(url, problem=Problem("http", f"{error.code} {error.reason}"))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        return Instance(url, problem=Problem("unreachable", str(reason)))
    except ValueError as error:  # json.JSONDecodeError and the size limit
        return Instance(url, problem=Problem("not_json", str(error)[:200]))
    problem = _check(data)
    if problem is None and not isinstance(city, dict):
        problem = Problem("invalid", "/city is not a JSON object")
    if problem is not None:
        return Instance(url, problem=problem)
    name, city_name = city.get("assembly_name"), city.get("name")
    return Instance(
        url, slug=str(city.get("slug", "")),
        name=city_name if isinstance(city_name, dict) else {"": str(city_name or "")},
        assembly_name=name if isinstance(name, dict) else {"": str(name or "")},
        languages=tuple(city.get("site_languages") or city.get("languages") or ()),
        currency=str(city.get("currency", "")), indicators=data)


def local(slug: str, on: dt.date, database_url: str | None = None) -> Instance:
    """A city installed here, its record read from the local database."""
    try:
        config = load_city(slug).config
    except (UnknownCity, PluginError) as error:
        return Instance(slug, problem=Problem("unknown_city", str(error)))
    engine = db.make_engine(database_url or db.database_url())
    try:
        with db.session_scope(db.make_sessionmaker(engine), actor="observatory") as session:
            found = indicators.city_indicators(session, slug, on)
    except SQLAlchemyError as error:
        # The statement and the driver's words, never the parameters (there are none
        # here, but the rule is the same everywhere).
        reason = getattr(error, "orig", None) or error
        return Instance(slug, problem=Problem("database", str(reason).splitlines()[0][:200]))
    finally:
        engine.dispose()
    profile = config.profile
    return Instance(slug, slug=slug, name=dict(profile.name),
                    assembly_name=dict(profile.assembly_name), languages=profile.languages,
                    currency=profile.currency, indicators=found.to_dict())


def collect(sources: list[str], on: dt.date, database_url: str | None = None
            ) -> list[Instance]:
    """Every source read, in the order given: URLs from afar, slugs from here."""
    return [remote(source) if source.startswith(("http://", "https://"))
            else local(source, on, database_url) for source in sources]
