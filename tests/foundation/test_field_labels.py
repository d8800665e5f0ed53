"""Every field a service's refusal names has a label in French, English and Dutch.

The services' refusals keep the key of the field they are about (``field=...``) for
forms and API clients, and name it in their sentence by its label
(``services.field_labels``), so that no French or Dutch page shows « title » or
« origin_note ». This walks the services' source: a new ``field="..."`` without a
label, a field computed in a way this test does not know, or a sentence that names
its field by the key fails here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from kleroterion.messages import Message
from kleroterion.services import acts, answers, events, respondents_file, sessions
from kleroterion.services.field_labels import FIELD_LABELS, LANGUAGES, field_label

SERVICES = Path(acts.__file__).parent


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(SERVICES.glob("*.py")):
        yield path.stem, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _functions(tree: ast.Module) -> Iterator[tuple[str, ast.AST]]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _argument(call: ast.Call, position: int) -> str | None:
    if len(call.args) > position and isinstance(call.args[position], ast.Constant):
        value = call.args[position].value
        return value if isinstance(value, str) else None
    return None


def _passed(function: str, position: int, relay: str = "") -> set[str]:
    """The constant keys passed to ``function`` at ``position`` anywhere in the services
    (``relay``, a function whose own callers are read too, may pass its parameter on)."""
    found = set()
    for _, tree in _modules():
        for caller, body in _functions(tree):
            for node in ast.walk(body):
                if isinstance(node, ast.Call) and _called(node) == function:
                    key = _argument(node, position)
                    assert key is not None or caller == relay, (
                        f"{caller} calls {function} with a key this test cannot read")
                    found |= {key} if key else set()
    return found


def _keywords(function: str) -> set[str]:
    found = set()
    for _, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called(node) == function:
                found |= {k.arg for k in node.keywords if k.arg is not None}
    return found


#: Where a refusal's field is a variable: the keys it can hold, read from the code.
DYNAMIC = {
    ("acts", "checked_texts", "what"): lambda: _passed("checked_texts", 2),
    ("subjects", "_texts", "field"): lambda: _passed("_texts", 2, relay="_merged")
                                             | _passed("_merged", 3),
    ("acts", "record_vote", "name"): lambda: set(acts.VOTE_COUNTS),
    ("recruitment", "_check_personal", "field"):
        lambda: set(respondents_file.PERSONAL_COLUMNS) | _keywords("_check_personal"),
    ("answers", "_check_contact", "name"): lambda: set(answers.LIMITS),
    ("texts", "checked", "field"): lambda: (set(sessions.SESSION_TEXTS)
                                            | set(events.EVENT_TEXTS) | {"organisation"}
                                            | _passed("one_field", 1)),
}


def _refusal_fields() -> tuple[set[str], set[str], list[str]]:
    """(fields named as constants, fields named through DYNAMIC, problems found)."""
    constants: set[str] = set()
    dynamic: set[str] = set()
    problems: list[str] = []
    for module, tree in _modules():
        for function, body in _functions(tree):
            for node in ast.walk(body):
                if not isinstance(node, ast.Call):
                    continue
                field = next((k.value for k in node.keywords if k.arg == "field"), None)
                if field is None:
                    continue
                where = f"{module}.py:{node.lineno} ({function})"
                params = [k for k in node.keywords if k.arg not in ("field", None)]
                if isinstance(field, ast.Constant) and isinstance(field.value, str):
                    constants.add(field.value)
                    problems += [f"{where}: {k.arg}={field.value!r} names the field by its key; "
                                 "use field_label()" for k in params
                                 if isinstance(k.value, ast.Constant)
                                 and k.value.value == field.value]
                elif isinstance(field, ast.JoinedStr):
                    # f"feature-{key}": a city's criterion, named in the sentence by its key
                    # as the city declares it (its answers form shows its label).
                    head = field.values[0]
                    if not (isinstance(head, ast.Constant) and head.value == "feature-"):
                        problems.append(f"{where}: a field this test cannot read")
                elif isinstance(field, ast.Name):
                    source = DYNAMIC.get((module, function, field.id))
                    if source is None:
                        problems.append(f"{where}: field={field.id} is not in this test's DYNAMIC")
                    else:
                        dynamic |= source()
                    problems += [f"{where}: {k.arg}={field.id} names the field by its key; use "
                                 "field_label()" for k in params
                                 if isinstance(k.value, ast.Name) and k.value.id == field.id]
                else:
                    problems.append(f"{where}: a field this test cannot read")
    return constants, dynamic, problems


def test_every_field_a_refusal_names_has_a_label_in_each_language() -> None:
    constants, dynamic, problems = _refusal_fields()
    assert not problems, "\n".join(problems)
    assert len(constants) > 40 and {"title", "labels", "votes_for", "iban"} <= constants | dynamic
    missing = [f"{key}: {language}" for key in sorted(constants | dynamic)
               for language in LANGUAGES
               if not (FIELD_LABELS.get(key) or {}).get(language, "").strip()]
    assert not missing, "fields with no label in a language:\n" + "\n".join(missing)


def test_no_label_is_left_over() -> None:
    """A label nobody names drifts unseen: every key of the registry is used."""
    constants, dynamic, _ = _refusal_fields()
    assert set(FIELD_LABELS) - constants - dynamic == set()


def test_a_label_reads_in_the_readers_language_and_english_on_the_command_line() -> None:
    message = Message("the %(name)s %(problem)s", name=field_label("birth_date"),
                      problem="is not a date")
    assert str(message) == "the birth date is not a date"
    assert message.translated(lambda text: text, "fr") == "the date de naissance is not a date"
    assert field_label("a_plugins_own") == {"en": "a_plugins_own"}
