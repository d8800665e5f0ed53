"""Message catalogs: every interface string translated, placeholders kept, .mo files current.

The compiled .mo files are committed (no build step at install or start-up); these
tests fail when a template or module gains a string the catalogs lack, or when a .po
was edited without running ``pybabel compile -d core/web/translations``. The strings
are the web interface's and the services' refusals (extracted as ``babel.cfg`` says).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "core" / "web"
TRANSLATIONS = WEB / "translations"
LANGUAGES = ("fr", "nl")
#: The folders and files of babel.cfg's extraction command, and its keywords.
SOURCES = (WEB, ROOT / "core" / "services", ROOT / "core" / "observatory")
FILES = (ROOT / "core" / "sortition" / "io.py", ROOT / "core" / "sortition" / "reader.py",
         ROOT / "core" / "sortition" / "decoding.py")
REFUSALS = ("ServiceError", "NotFound", "InvalidInput", "NotAllowed", "ConflictError")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "lazy_gettext": None, "_l": None,
            "N_": None, "Message": None, **dict.fromkeys(REFUSALS)}


def _po(language: str) -> Catalog:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _extracted() -> set[str | tuple[str, ...]]:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found: set[str | tuple[str, ...]] = set()
    for folder in SOURCES:
        for _, _, message, _, _ in extract_from_dir(str(folder), method_map,
                                                      keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else tuple(message))
    for path in FILES:
        with path.open("rb") as handle:
            for _, message, _, _ in extract("python", handle, keywords=KEYWORDS):
                found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_the_extraction_command_of_babel_cfg_is_the_one_replayed_here() -> None:
    command = " ".join((ROOT / "babel.cfg").read_text(encoding="utf-8").replace("\\\n#", " ")
                       .split())
    for keyword in ("N_", "Message", *REFUSALS):
        assert f"-k {keyword} " in command, keyword
    for source in (*SOURCES, *FILES):
        assert str(source.relative_to(ROOT)) in command, source


def _ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {message.id if isinstance(message.id, str) else tuple(message.id)
            for message in catalog if message.id}


def test_the_template_lists_exactly_the_strings_of_the_code() -> None:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    assert _extracted() == _ids(template), "run the pybabel extract command of babel.cfg"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_with_its_placeholders(language: str) -> None:
    catalog = _po(language)
    assert _ids(catalog) == _extracted(), "run pybabel update, then translate"
    for message in catalog:
        if not message.id:
            continue
        assert "fuzzy" not in message.flags, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {message.id!r}"
        # Babel's checkers: python-format placeholders and plural forms agree.
        assert not list(message.check(catalog)), message.id


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_matches_its_source(language: str) -> None:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        compiled = read_mo(handle)
    source = _po(language)

    def pairs(catalog: Catalog) -> dict[object, object]:
        return {message.id if isinstance(message.id, str) else tuple(message.id):
                message.string if isinstance(message.string, str) else tuple(message.string)
                for message in catalog if message.id}

    assert pairs(compiled) == pairs(source), "run pybabel compile -d core/web/translations"
