"""Cities compared on the practitioners' questions (``kleroterion compare``).

Each source is a city installed here (its slug) or another instance's API address
(``https://…/api``), whose ``/open-data/configuration`` is read. The rows are the city
model's compared facts (``kleroterion.observatory.configuration``), grouped by the
questions of the ICPC practice group; ``kleroterion.observatory.tables`` lays them
out in text, Markdown, JSON or CSV, in French, English or Dutch
(``kleroterion.observatory.wording``). A source that cannot be read is a column with
its reason, never the end of the comparison.

docs/cities.md is the Markdown output, in English, for the bundled cities; a test
fails when it drifts.
"""

from __future__ import annotations

import urllib.error
from collections.abc import Sequence

from kleroterion import plugins
from kleroterion.city.derived import drawn_share, typical_year_amount
from kleroterion.city.types import CityConfig
from kleroterion.observatory import configuration
from kleroterion.observatory.sources import get_json
from kleroterion.observatory.tables import (
    FORMATS,
    RENDERERS,
    Column,
    Comparison,
    to_csv,
    to_json,
    to_markdown,
    to_text,
)
from kleroterion.observatory.wording import Words


def is_address(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def remote(url: str) -> Column:
    """Another instance's configuration, read from its API root."""
    root = url.rstrip("/")
    try:
        data = get_json(f"{root}{configuration.OPEN_DATA}")
    except urllib.error.HTTPError as error:
        return Column(url, problem=("http", f"{error.code} {error.reason}"))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        return Column(url, problem=("unreachable", str(getattr(error, "reason", error))))
    except ValueError as error:  # json.JSONDecodeError and the size limit
        return Column(url, problem=("not_json", str(error)[:200]))
    try:
        return Column(url, configuration.read_document(data))
    except configuration.DocumentError as error:
        return Column(url, problem=(error.code, error.detail))


def compare(configs: Sequence[CityConfig]) -> Comparison:
    """The comparison of these cities' configurations, in the order given."""
    return Comparison(tuple(Column(config.profile.slug, configuration.facts_of(config))
                            for config in configs))


def local(source: str, available: list[plugins.Plugin]) -> Column:
    return Column(source, configuration.facts_of(
        plugins.load_city(source, plugins=available).config))


def collect(sources: Sequence[str], tolerant: bool = False) -> Comparison:
    """Every source read in the order given: addresses from afar, slugs from here.

    An unknown or broken local city raises ``PluginError``/``UnknownCity`` (a mistake
    of the person typing), unless ``tolerant`` (the observatory: it becomes a column
    with its reason); a remote instance that cannot be read is a column with its reason.
    """
    available = plugins.discover()
    columns = []
    for source in sources:
        if is_address(source):
            columns.append(remote(source))
            continue
        try:
            columns.append(local(source, available))
        except (plugins.PluginError, plugins.UnknownCity) as error:
            if not tolerant:
                raise
            columns.append(Column(source, problem=("unknown_city", str(error))))
    return Comparison(tuple(columns))


__all__ = [
    "FORMATS",
    "RENDERERS",
    "Column",
    "Comparison",
    "Words",
    "collect",
    "compare",
    "drawn_share",
    "remote",
    "to_csv",
    "to_json",
    "to_markdown",
    "to_text",
    "typical_year_amount",
]
