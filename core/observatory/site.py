"""The observatory as a static site anyone can publish: one page per language, CSV, JSON.

``build(instances, out, languages)`` writes ``OUT/<lang>/index.html`` (the assemblies
side by side, then each one promotion by promotion, every figure in a table), a
``OUT/<lang>/indicators.csv`` in that language's spreadsheet form (French and Dutch:
``;`` and a decimal comma, UTF-8 with a byte-order mark), ``OUT/indicators.json``
(every source as it was read, with its problem if any) and ``OUT/index.html``, which
links each language. The pages use the web interface's message catalogs, so a word
reads the same on a city's site and in the observatory.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import Translations
from kleroterion import spreadsheet
from kleroterion.observatory import configuration, tables
from kleroterion.observatory.sources import Instance
from kleroterion.observatory.summary import FIGURES, MONEY, PROBLEMS, RATES, Summary, summarize
from kleroterion.observatory.wording import Words

TEMPLATES = Path(__file__).parent / "templates"
TRANSLATIONS = Path(__file__).parents[1] / "web" / "translations"
LANGUAGES = ("fr", "en", "nl")
#: Spreadsheet form per language: field separator, and whether decimals take a comma.
CSV_FORM = {"fr": (";", True), "nl": (";", True), "en": (",", False)}


def _environment(language: str) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
        extensions=["jinja2.ext.i18n"], trim_blocks=False, lstrip_blocks=False)
    translations = Translations.load(str(TRANSLATIONS), [language], domain="messages")
    environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]

    def percent(share: float | None) -> str:
        if share is None:
            return "–"
        return format_percent(round(share, 3), locale=language, decimal_quantization=False)

    def show(key: str, value: Any, currency: str) -> str:
        if value is None:
            return "–"
        if key in RATES:
            return percent(value)
        if key in MONEY:
            return str(environment.filters["money"](value, currency))
        return format_decimal(value, locale=language)

    environment.globals.update(show=show, figure_labels=FIGURES, problem_messages=PROBLEMS)
    environment.filters.update({
        "percent": percent,
        "number": lambda value: "–" if value is None else format_decimal(value, locale=language),
        "money": lambda value, currency: ("–" if value is None or not currency
                                          else format_currency(value, currency, locale=language)),
        "longdate": lambda value: format_date(dt.date.fromisoformat(value), "long",
                                              locale=language),
        "localized": lambda label: _localized(label, language),
    })
    return environment


def _localized(label: dict[str, str], language: str) -> str:
    if language in label:
        return label[language]
    return next(iter(label.values()), "")


def _rows(summaries: Iterable[Summary]) -> Iterator[list[object]]:
    for one in summaries:
        for mandate in one.mandates:
            for name, value in mandate.items():
                if name not in ("label", "starts_on", "ends_on"):
                    yield [one.slug, mandate["label"], FIGURES.get(name, name), value]


def _csv(summaries: list[Summary], language: str) -> str:
    separator, comma = CSV_FORM.get(language, CSV_FORM["en"])
    translations = Translations.load(str(TRANSLATIONS), [language], domain="messages")
    header = [translations.gettext("Assembly"), translations.gettext("Promotion"),
              translations.gettext("Indicator"), translations.gettext("Value")]
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(header)
    for row in _rows(summaries):
        value = row[3]
        text = "" if value is None else str(value)
        if comma and isinstance(value, float | int) and not isinstance(value, bool):
            text = text.replace(".", ",")
        # Labels come from other instances: the safe writer keeps a cell a spreadsheet
        # would run as a formula as text.
        writer.writerow([str(row[0]), str(row[1]), translations.gettext(str(row[2])),
                         value if isinstance(value, int | float) and not comma else text])
    return "\ufeff" + buffer.getvalue()


def _configuration(comparison: tables.Comparison, language: str, folder: Path,
                   chosen: list[str]) -> list[Path]:
    """The configurations compared: a page and a spreadsheet in one language."""
    words = Words(language, fallback=False)
    page = _environment(language).get_template("configuration.html").render(
        lang=language, languages=chosen, columns=comparison.read,
        questions=tables.page_rows(comparison, words),
        sources=[tables.source_text(words, s) for s in comparison.sources()],
        problems=[(c.source, tables.problem_text(words, c)) for c in comparison.columns
                  if c.facts is None])
    (folder / "configuration.html").write_text(page, encoding="utf-8")
    (folder / "configuration.csv").write_text("\ufeff" + tables.to_csv(comparison, words),
                                              encoding="utf-8", newline="")
    return [folder / "configuration.html", folder / "configuration.csv"]


def configuration_json(comparison: tables.Comparison) -> str:
    """Every source's configuration as it was read (its open-data document), or its problem."""
    return json.dumps([{"source": column.source,
                        "document": configuration.document(column.facts)
                        if column.facts is not None else None,
                        "problem": None if column.problem is None else
                        {"code": column.problem[0], "detail": column.problem[1]}}
                       for column in comparison.columns], ensure_ascii=False, indent=1)


def build(instances: list[Instance], out: Path, languages: Iterable[str] = LANGUAGES,
          on: dt.date | None = None,
          compared: tables.Comparison | None = None) -> list[Path]:
    """Write the site into ``out`` (created if need be); return the files written.

    ``compared``: the sources' configurations, written as ``<lang>/configuration.html``
    and ``.csv`` beside the indicators, and ``configuration.json``.
    """
    out.mkdir(parents=True, exist_ok=True)
    summaries = [summarize(instance) for instance in instances]
    written: list[Path] = []
    chosen = [language for language in languages if language in LANGUAGES] or ["fr"]
    for language in chosen:
        folder = out / language
        folder.mkdir(exist_ok=True)
        page = _environment(language).get_template("observatory.html").render(
            lang=language, summaries=summaries, languages=chosen,
            built_on=(on or dt.date.today()).isoformat(), with_configuration=bool(compared))
        (folder / "index.html").write_text(page, encoding="utf-8")
        (folder / "indicators.csv").write_text(_csv(summaries, language), encoding="utf-8",
                                               newline="")
        written += [folder / "index.html", folder / "indicators.csv"]
        if compared is not None:
            written += _configuration(compared, language, folder, chosen)
    index = _environment(chosen[0]).get_template("languages.html").render(
        lang=chosen[0], languages=chosen)
    (out / "index.html").write_text(index, encoding="utf-8")
    data = [{**asdict(instance), "problem": None if instance.problem is None
             else asdict(instance.problem)} for instance in instances]
    (out / "indicators.json").write_text(json.dumps(data, ensure_ascii=False, indent=1,
                                                    default=str), encoding="utf-8")
    if compared is not None:
        (out / "configuration.json").write_text(configuration_json(compared), encoding="utf-8")
        written.append(out / "configuration.json")
    return [*written, out / "index.html", out / "indicators.json"]


def summaries_of(instances: list[Instance]) -> list[dict[str, Any]]:
    """The figures the site shows, as plain data (for tests and for JSON consumers)."""
    return [asdict(summarize(instance)) for instance in instances]
