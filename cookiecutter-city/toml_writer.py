"""A small TOML writer for the city's data file, readable by a person who corrects it.

Tables and arrays of tables for the model's sections, one inline table a line for
short lists (states, transitions, feature values), and a ``# TODO translate``
comment at the end of a line holding a text copied from another language. It
imports only the standard library (the template bakes without kleroterion).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Texts = dict[str, str]
Table = dict[str, Any]
TODO_TRANSLATE = "TODO translate"
#: Lists written as one inline table a line; the others as arrays of tables.
INLINE_LISTS = frozenset(
    {"quotas", "values", "seats", "states", "transitions", "response_deadlines", "extras"}
)


@dataclass(frozen=True)
class Label:
    """A Localized text; the languages in ``copied`` are to be translated."""

    texts: Texts
    copied: frozenset[str] = frozenset()




def string(text: str) -> str:
    # JSON's escapes are valid in TOML basic strings; accents stay readable.
    return json.dumps(text, ensure_ascii=False)


def _inline(value: Any, todo: list[str]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return string(f"{value}")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return string(value)
    if isinstance(value, Label):
        todo.extend(sorted(value.copied))
        return _inline(value.texts, todo)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_inline(item, todo) for item in value) + "]"
    if isinstance(value, dict):
        pairs = [
            f"{_key(key)} = {_inline(item, todo)}"
            for key, item in value.items()
            if key != "__comments__"
        ]
        return "{ " + ", ".join(pairs) + " }" if pairs else "{}"
    raise TypeError(f"cannot write {type(value).__name__} in TOML")


def _key(key: str) -> str:
    return (
        key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else (string(key))
    )


def _line(key: str, value: Any) -> str:
    todo: list[str] = []
    text = f"{_key(key)} = {_inline(value, todo)}"
    if todo:
        text += f"  # {TODO_TRANSLATE}: {', '.join(sorted(set(todo)))}"
    return text


def _is_table(value: Any) -> bool:
    return isinstance(value, dict) and not isinstance(value, Label)


def table(
    name: str, fields: Table, out: list[str], *, array: bool = False, comment: str = ""
) -> None:
    """Write ``fields`` as the table (or one element of the array of tables) ``name``."""
    out.append("")
    if comment:
        out.append(f"# {comment}")
    out.append(f"[[{name}]]" if array else f"[{name}]")
    comments = fields.get("__comments__", {})
    later: list[tuple[str, Any]] = []
    for key, value in fields.items():
        if key == "__comments__":
            continue
        listed = isinstance(value, (list, tuple)) and value and _is_table(value[0])
        deferred = (listed and key not in INLINE_LISTS) or (
            _is_table(value) and key != "follow_up_committee"
        )
        if key in comments and not deferred:
            out.append(f"# {comments[key]}")
        if listed and key in INLINE_LISTS:
            out.append(f"{_key(key)} = [")
            for item in value:
                todo: list[str] = []
                text = f"    {_inline(item, todo)},"
                if todo:
                    text += f"  # {TODO_TRANSLATE}: {', '.join(sorted(set(todo)))}"
                out.append(text)
            out.append("]")
        elif deferred:
            later.append((key, value))
        else:
            out.append(_line(key, value))
    for key, value in later:
        for index, item in enumerate(value if isinstance(value, (list, tuple)) else [value]):
            table(
                f"{name}.{key}",
                item,
                out,
                array=isinstance(value, (list, tuple)),
                comment=comments.get(key, "") if index == 0 else "",
            )
