"""Messages and refusals as English templates with parameters (kleroterion.messages).

``str()`` must stay the English sentence an f-string made; ``translated`` must render
the same values through a catalog, translating only what is itself translatable.
"""

from __future__ import annotations

import pickle
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kleroterion.messages import Message, translate
from kleroterion.services.errors import ConflictError, InvalidInput, NotAllowed, NotFound
from kleroterion.sortition.io import InputError

NAMES = st.text(string.ascii_lowercase, min_size=1, max_size=8)
VALUES = st.one_of(st.text(max_size=20), st.integers(), st.dates().map(lambda d: d.isoformat()))
# A pretend catalog of three templates (any other is returned as it is, as gettext does).
SHOUT = {"THE %(WHAT)s IS %(HOW)s": "LE %(WHAT)s EST %(HOW)s", "FINE": "BIEN",
         "%(A)s AND %(B)s": "%(A)s ET %(B)s"}


def shout(template: str) -> str:
    return SHOUT.get(template, template)


@given(st.dictionaries(NAMES, VALUES, min_size=1, max_size=4),
       st.sampled_from(["s", "r"]), st.text(string.ascii_letters + " ,;:.", max_size=12))
def test_the_english_text_is_the_template_filled_as_an_f_string_would(
    params: dict[str, object], conversion: str, glue: str
) -> None:
    template = glue.join(f"%({name}){conversion}" for name in params) + " ok"
    message = Message(template, **params)
    expected = glue.join(f"{value!r}" if conversion == "r" else f"{value}"
                         for value in params.values()) + " ok"
    assert str(message) == expected
    assert message == expected  # it is the str itself
    assert message.template == template and dict(message.params) == params
    # Through a catalog that does not know the template: the same English sentence.
    assert message.translated(lambda text: text) == expected


@given(st.text(max_size=30))
def test_a_template_without_parameters_is_the_sentence_as_it_is(text: str) -> None:
    assert str(Message(text)) == text  # a "%" in it is not a placeholder
    assert Message(text).translated(lambda template: template) == text
    assert Message.of(text).translated(shout) == text  # a plain value is never looked up


def test_translatable_parameters_are_translated_and_plain_ones_kept() -> None:
    inner = Message("FINE")
    message = Message("THE %(WHAT)s IS %(HOW)s", WHAT="FINE", HOW=inner)
    assert str(message) == "THE FINE IS FINE"
    # The plain "FINE" is a value (a key, a name) and stays; the Message is translated.
    assert message.translated(shout) == "LE FINE EST BIEN"


def test_a_localized_label_is_shown_in_the_reader_s_language() -> None:
    label = {"fr": "promotion", "nl": "lichting", "en": "class"}
    message = Message("THE %(WHAT)s IS %(HOW)s", WHAT=label, HOW="x")
    assert str(message) == "THE class IS x"
    assert message.translated(shout, "nl") == "LE lichting EST x"
    assert message.translated(shout, "de") == "LE class EST x"  # English when missing


@given(st.lists(st.text(max_size=8), max_size=5), st.sampled_from([", ", "; ", "\n", " % "]))
def test_joined_is_str_join_with_each_item_rendered(items: list[str], separator: str) -> None:
    joined = Message.joined(separator, [*items, Message("FINE")])
    assert str(joined) == separator.join([*items, "FINE"])
    assert joined.translated(shout) == separator.join([*items, "BIEN"])
    assert Message.joined(", ", []).translated(shout) == ""  # never gettext("")


def test_a_message_survives_pickling_with_its_template() -> None:
    message = Message("%(A)s AND %(B)s", A="x", B=Message("FINE"))
    copy = pickle.loads(pickle.dumps(message))
    assert copy == message and copy.template == message.template
    assert copy.translated(shout) == "x ET BIEN"


@pytest.mark.parametrize("kind", [NotFound, InvalidInput, NotAllowed, ConflictError])
def test_a_refusal_is_its_english_sentence_and_renders_through_a_catalog(
    kind: type[InvalidInput],
) -> None:
    refusal = kind("THE %(WHAT)s IS %(HOW)s", WHAT="date", HOW="late", field="on")
    assert str(refusal) == "THE date IS late" and refusal.args == ("THE date IS late",)
    assert refusal.field == "on"
    assert refusal.template == "THE %(WHAT)s IS %(HOW)s"
    assert refusal.params == {"WHAT": "date", "HOW": "late"}
    assert refusal.translated(shout) == "LE date EST late"
    with pytest.raises(kind, match=r"^THE date IS late$"):
        raise refusal
    again = pickle.loads(pickle.dumps(refusal))
    assert str(again) == str(refusal) and again.translated(shout) == "LE date EST late"


def test_a_refusal_may_carry_another_refusal_or_a_file_problem() -> None:
    outer = InvalidInput("%(A)s AND %(B)s", A="sheet.csv", B=NotAllowed("FINE"))
    assert str(outer) == "sheet.csv AND FINE"
    assert translate(outer, shout) == "sheet.csv ET BIEN"
    problem = InputError(Message("FINE"), path="r.csv", line=3)
    wrapped = InvalidInput(Message.of(problem))
    assert str(wrapped) == str(problem) == "r.csv, line 3: FINE"
    assert translate(wrapped, shout) == "r.csv, line 3: BIEN"
    assert translate("plain text", shout) == "plain text"


@given(
    problem=st.text(string.ascii_letters + " ", min_size=1, max_size=12),
    path=st.none() | st.text(string.ascii_letters + "./", max_size=10),
    line=st.none() | st.integers(1, 10_000),
    column=st.none() | st.text(string.ascii_letters, max_size=8),
    number=st.none() | st.integers(1, 50),
    value=st.none() | st.text(max_size=8),
    accepted=st.none() | st.text(string.ascii_letters + " ,", max_size=12),
    option=st.none() | st.sampled_from(["--seats", "--count"]),
)
def test_a_located_problem_reads_as_it_always_did(
    problem: str, path: str | None, line: int | None, column: str | None, number: int | None,
    value: str | None, accepted: str | None, option: str | None,
) -> None:
    """InputError's English text, composed of Messages now, is the one it used to build."""
    where = [part for part in (option, path) if part is not None]
    if line is not None:
        where.append(f"line {line}")
    if column is not None:
        where.append(f"column{f' {number}' if number is not None else ''} ({column!r})")
    text = ", ".join(where)
    if value is not None:
        text += f"{': ' if text else ''}value {value!r}"
    text += f"{': ' if text else ''}{problem}"
    if accepted:
        text += f"; accepted: {accepted}"
    error = InputError(problem, path=path, line=line, column=column,
                       column_number=number if column is not None else None, value=value,
                       accepted=accepted, option=option)
    assert str(error) == text
    assert error.translated(lambda template: template) == text
