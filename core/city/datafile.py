"""A city's facts as a data file its plugin ships (``city.toml``), read once and checked.

A secretariat corrects a rate, a deadline or a sentence in this file, not in Python.
Its tables are the sections of the city model (``kleroterion.city.types``):

- ``[sources.<key>]``: the public documents, each cited by its key;
- ``[profile]``, ``[composition]``, ``[[bodies]]``, ``[mandate]``, ``[[proposal_kinds]]``,
  ``[indemnity]``, ``[accountability]``, ``[institution]``: one per configuration hook,
  with the fields of docs/configuration.md; a section left out is answered by the
  core's default;
- a section's ``sources`` lists source keys; its ``evidence`` table gives, beside
  each fact, ``{ source = "<key>", confidence = "verified" | "approximate" | "unknown" }``.

Prose is a table of languages: ``summary = { fr = "…", en = "…" }``. A file that
cannot be read or checked stops the city's load with a ``CityFileError`` naming the
file, the line and the field, the value given and what is accepted.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kleroterion import hookimpl
from kleroterion.city import types as t
from kleroterion.city.schemas import check_city, hook_schema
from marshmallow import ValidationError

#: The file's tables, by the hook each answers.
TABLES: dict[str, str] = {
    "profile": "city_profile",
    "composition": "panel_composition",
    "bodies": "assembly_bodies",
    "mandate": "mandate_rules",
    "proposal_kinds": "proposal_kinds",
    "indemnity": "indemnity_policy",
    "accountability": "accountability_rules",
    "institution": "institution",
}
HOOK_TABLES = {hook: table for table, hook in TABLES.items()}


class CityFileError(ValueError):
    """A city's data file that cannot be read, or a fact in it that is not valid."""


def key_lines(text: str) -> dict[str, int]:
    """The line of every table and key of a TOML text, by dotted path.

    Arrays of tables are numbered as the parsed data numbers them
    (``proposal_kinds.1.states.0.label``), so a validation error's field path finds
    its line. Keys inside inline tables share the line of the key that holds them.
    """
    lines: dict[str, int] = {}
    counts: dict[str, int] = {}
    current = ""

    def resolve(dotted: str, *, array: bool = False) -> str:
        # Each array of tables on the way stands for its latest element; the last
        # part of an array header is the array itself, numbered by the caller.
        parts = _split(dotted)
        prefix = ""
        for index, part in enumerate(parts):
            prefix = f"{prefix}.{part}" if prefix else part
            last = index == len(parts) - 1
            if prefix in counts and not (array and last):
                prefix = f"{prefix}.{counts[prefix] - 1}"
        return prefix

    in_string = False
    array_path, array_index = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if in_string:
            in_string = line.count('"""') % 2 == 0
            continue
        if not line or line.startswith("#"):
            continue
        array = re.match(r"^\[\[\s*(.+?)\s*\]\]", line)
        table = re.match(r"^\[\s*(.+?)\s*\]", line)
        if array:
            name = resolve(array.group(1), array=True)
            index = counts.get(name, 0)
            counts[name] = index + 1
            current = f"{name}.{index}"
            lines.setdefault(current, number)
        elif table:
            current = resolve(table.group(1))
            lines.setdefault(current, number)
        else:
            assignment = re.match(r"^([A-Za-z0-9_\-.\"' ]+?)\s*=", line)
            if assignment:
                parts = _split(assignment.group(1))
                for end in range(1, len(parts) + 1):  # a.b.c = ... also places a.b
                    key = ".".join(parts[:end])
                    lines.setdefault(f"{current}.{key}" if current else key, number)
                if line.endswith("["):  # a multi-line array: one inline table a line
                    array_path, array_index = f"{current}.{key}" if current else key, 0
                in_string = line.count('"""') % 2 == 1
                continue
            if array_path and line.startswith("{"):
                item = f"{array_path}.{array_index}"
                lines.setdefault(item, number)
                for inner in re.findall(r"([A-Za-z0-9_-]+)\s*=", line):
                    lines.setdefault(f"{item}.{inner}", number)
                array_index += 1
            elif line.startswith("]"):
                array_path = ""
    return lines


def _split(dotted: str) -> list[str]:
    return [part.strip().strip("\"'") for part in dotted.split(".")]


def _value_at(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, Mapping) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _flatten(messages: Any, prefix: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = prefix if key == "_schema" else f"{prefix}.{key}"
            found += _flatten(value, name)
    elif isinstance(messages, list):
        for message in messages:
            found += _flatten(message, prefix)
    else:
        found.append((prefix, str(messages)))
    return found


@dataclasses.dataclass(frozen=True)
class CityData:
    """The sections a city's data file declares, validated; a missing one is ``None``."""

    path: Path
    sections: dict[str, Any]

    def answer(self, hook: str) -> Any:
        """The section's dataclass (a tuple for bodies and act kinds), or ``None``."""
        return self.sections.get(hook)


class _Reader:
    """Reads one file; every problem is raised with its line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CityFileError(f"{path}: cannot be read: {error}") from error
        try:
            self.data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            raise CityFileError(f"{path}: not valid TOML: {error}") from error
        self.lines = key_lines(self.text)

    def fail(self, path: str, message: str, more: int = 0) -> CityFileError:
        parts = path.split(".")
        line = None
        while parts and line is None:
            line = self.lines.get(".".join(parts))
            parts.pop()
        where = f"{self.path}, line {line}" if line else str(self.path)
        value = _value_at(self.data, path)
        given = "" if value is None or isinstance(value, (dict, list)) else f" (given: {value!r})"
        extra = f" (and {more} more)" if more else ""
        return CityFileError(f"{where}: field {path!r}: {message}{given}{extra}")

    def sources(self) -> dict[str, dict[str, Any]]:
        table = self.data.get("sources", {})
        if not isinstance(table, dict):
            raise self.fail("sources", "must be a table of sources by key")
        return {
            key: {**value, "key": key} for key, value in table.items() if isinstance(value, dict)
        }

    def _resolve_sources(self, item: Any, path: str, known: dict[str, dict[str, Any]]) -> Any:
        if not isinstance(item, dict) or "sources" not in item:
            return item
        resolved = []
        for index, key in enumerate(item["sources"]):
            if not isinstance(key, str) or key not in known:
                raise self.fail(
                    f"{path}.sources.{index}",
                    f"unknown source {key!r}; declared in [sources]: {', '.join(known) or 'none'}",
                )
            resolved.append(known[key])
        return {**item, "sources": resolved}

    def read(self) -> CityData:
        unknown = [key for key in self.data if key not in TABLES and key != "sources"]
        if unknown:
            raise self.fail(unknown[0], f"unknown table; tables: sources, {', '.join(TABLES)}")
        known = self.sources()
        sections: dict[str, Any] = {}
        for table, hook in TABLES.items():
            if table not in self.data:
                continue
            _, schema, many = hook_schema(hook)
            raw = self.data[table]
            if many:
                if not isinstance(raw, list):
                    raise self.fail(table, f"must be an array of tables: [[{table}]]")
                raw = [
                    self._resolve_sources(item, f"{table}.{i}", known) for i, item in enumerate(raw)
                ]
            else:
                raw = self._resolve_sources(raw, table, known)
            try:
                loaded = schema(many=many).load(raw)
            except ValidationError as error:
                problems = _flatten(error.messages, table)
                raise self.fail(*problems[0], more=len(problems) - 1) from error
            sections[hook] = tuple(loaded) if many else loaded
        return CityData(self.path, sections)


def _provisional(data: CityData) -> t.CityConfig | None:
    """The city as its file alone declares it, to run the checks across sections."""
    from kleroterion import default_plugin

    answers: dict[str, Any] = {}
    for hook in TABLES.values():
        answer = data.answer(hook)
        if answer is None:
            default = getattr(default_plugin, hook, None)
            if default is None:
                return None  # a section the plugin answers in Python: checked at load
            answer = default()
        answers[hook] = answer
    return t.CityConfig.from_answers(str(data.path), answers)


def _file_path(hook: str, path: str) -> str:
    table = HOOK_TABLES[hook]
    return f"{table}.{path}" if path else table


@functools.cache
def read_city_file(path: Path) -> CityData:
    """Read and check a city's data file, once per process."""
    reader = _Reader(path)
    data = reader.read()
    config = _provisional(data)
    if config is not None:
        problems = check_city(config)
        if problems:
            hook, field_path, message = problems[0]
            raise reader.fail(_file_path(hook, field_path), message, len(problems) - 1)
    return data


class CityFile:
    """The configuration hooks of a city plugin whose facts live in a data file.

    A plugin module exposes these bound methods under the hooks' names::

        CITY = CityFile(Path(__file__).with_name("city.toml"))
        city_profile = CITY.city_profile

    The file is read on the first hook call and kept for the process.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def data(self) -> CityData:
        return read_city_file(self.path)

    @hookimpl
    def city_profile(self) -> t.CityProfile | None:
        return self.data().answer("city_profile")  # type: ignore[no-any-return]

    @hookimpl
    def panel_composition(self) -> t.PanelComposition | None:
        return self.data().answer("panel_composition")  # type: ignore[no-any-return]

    @hookimpl
    def assembly_bodies(self) -> tuple[t.Body, ...] | None:
        return self.data().answer("assembly_bodies")  # type: ignore[no-any-return]

    @hookimpl
    def mandate_rules(self) -> t.MandateRules | None:
        return self.data().answer("mandate_rules")  # type: ignore[no-any-return]

    @hookimpl
    def proposal_kinds(self) -> tuple[t.ProposalKind, ...] | None:
        return self.data().answer("proposal_kinds")  # type: ignore[no-any-return]

    @hookimpl
    def indemnity_policy(self) -> t.IndemnityPolicy | None:
        return self.data().answer("indemnity_policy")  # type: ignore[no-any-return]

    @hookimpl
    def accountability_rules(self) -> t.AccountabilityRules | None:
        return self.data().answer("accountability_rules")  # type: ignore[no-any-return]

    @hookimpl
    def institution(self) -> t.Institution | None:
        return self.data().answer("institution")  # type: ignore[no-any-return]
