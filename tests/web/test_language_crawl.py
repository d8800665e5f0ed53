"""Every public page of the three demos, in each of their languages, speaks that language.

The crawl starts at the home page and follows every link of the site (not the back
office, not the API, not downloads). On each page, the language switcher and the
languages' own names aside, no passage may be marked in another language (an English
page may quote, marked, what the city publishes only in its own languages), no
configuration key may show raw (a ``snake_case`` word, or one of the city's own
hyphenated keys such as ``adopte-assemblee``, in the text), no confidence tag may show
raw (``[A]``), and no number may be written the English way in a French or Dutch page
(``1,350,000``, ``264.00``). French and Dutch pages carry no English left over (the
words ``the``, ``and``, ``with``... that neither language uses), French pages put a
space before « : » and « ; », Dutch and English pages carry no French a secretariat
wrote for a session or an event (« salle », « démonstration », « réunion ») unless it is
marked French (a text not written in the page's language), and every page names a
mandate with the city's own word in the page's language: Brussels says « cycle » in
French and « cyclus » in Dutch (a demo cycle is « cyclus 2026 (demo) », never « cycle
2026 (démo) »), Poitiers « édition », never « promotion ». Dutch pages quote with “…” or
‘…’, never French « »; no page names a thing and then repeats it in parentheses
(« Opvolgingsvergadering 2 (Opvolgingsvergadering) »), nor a workshop and then its body
of the same name, nor a session's length of « 1 séance ». Every text the demo writes
for a subject, a workshop, a session, a city event or an act's move is written in each
language of the site (no fallback to French on an English page).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from kleroterion.city.types import CityConfig
from kleroterion.models import (
    AssemblySession,
    CityEvent,
    Proposal,
    ProposalTransition,
    Subject,
    Workshop,
)
from kleroterion.plugins import load_city
from kleroterion.services.texts import texts_of
from kleroterion.web import create_app, demo
from kleroterion.web.database import current_engine, db_session
from kleroterion.web.term import term_in
from sqlalchemy import select

from tests.lifecycle import engine_standin

from .conftest import CITIES, CITY_LANGUAGES

TODAY = dt.date(2026, 11, 23)
LINK = re.compile(r'href="([^"#]+)"')
SWITCHER = re.compile(r'<nav class="languages".*?</nav>', re.S)
#: A language's own name, marked in that language (the languages a site offers).
ENDONYM = re.compile(r'<span lang="(?:fr|en|nl)">(?:Français|English|Nederlands)</span>')
MARKED = re.compile(r'\slang="([a-z]{2})"')
TAGS = re.compile(r"<[^>]+>")
INLINE = re.compile(r"</?(?:a|strong|em|span|abbr|code|time)\b[^>]*>")
#: A configuration key shown raw: lowercase words joined by underscores.
RAW_KEY = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
#: An English thousands separator or decimal point in a French or Dutch text.
ENGLISH_NUMBER = re.compile(r"\b\d{1,3}(?:,\d{3})+\b|(?<![=.\d])\b\d+\.\d{2}\b(?!\.\d)")
#: English words that neither French nor Dutch uses: English left over in the page.
ENGLISH_WORDS = re.compile(
    r"\b(?:the|and|with|which|from|this|that|these|those|has|have|been|will|should|"
    r"each|every|their|there|where|when|into|after|before|under|about|only|other)\b",
    re.I)
#: Words only French uses, from what a secretariat writes of a session or a city event
#: (its place, agenda, minutes, a guest's organisation, a meeting's title): unmarked on
#: a Dutch or English page, they are French prose left untranslated.
FRENCH_WORDS = frozenset({"salle", "accueil", "ateliers", "démonstration", "réunion",
                          "médiathèque", "mairie", "université", "rendu", "annuel",
                          # The demo's act titles and documents' titles.
                          "usagers", "végétaliser", "fontaines", "cantines", "bibliothèques",
                          "gaspillage", "déchets",
                          # Who tables the demo's acts (« l'Exécutif parisien, par
                          # l'adjointe… », « le comité méthodologique… »).
                          "exécutif", "adjointe", "méthodologique"})
#: Who tables an act, on its page (« Présenté par », « Ingediend door »).
TABLED_BY = re.compile(r"<dt>(?:Tabled by|Présenté par|Ingediend door)</dt><dd>(.*?)</dd>",
                       re.S)
#: A confidence tag shown raw: [A], [P], [V].
RAW_TAG = re.compile(r"\[[APV]\]")
#: French typography: a space (thin or not) before « : » and « ; » (a web address aside),
#: after a word or after a year (« 16 juin 2026 : »), not in a time (« 18:30 »).
FRENCH_COLON = re.compile(r"(?:[^\s\u00a0\u202f\d]|(?<![\d:])(?:19|20)\d\d)([:;])(?!//)")
#: A parenthesis (not nested) and what the page says before it (back to a bracket, a dash,
#: a colon, a full stop): « Réunion de suivi 1 (Réunion de suivi) » says it twice.
PARENTHESIS = re.compile(r"\(([^()]{4,})\)")
BEFORE = re.compile(r"[)\]—:.;]")
#: A workshop named, then its body of the same name (« Atelier Exploration … — Atelier
#: Exploration »).
WORKSHOP_AND_BODY = re.compile(r"<strong>([^<]+)</strong>[^\n]*? — (?:<span[^>]*>)?\1"
                               r"(?:</span>)?</li>")
ONE_SESSION = re.compile(r"\(1 (?:séance|session|zitting)\)")
SKIPPED = ("/admin", "/api", "/static", "/source", "/sessions.ics", "/answer")


def _visible(page: str) -> str:
    body = page.split("<main", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    # Inline tags join their text to what follows (« <strong>…</strong>: » reads « …: »).
    body = INLINE.sub("", body)
    return " ".join(html.unescape(TAGS.sub(" ", body)).split())


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _repeated(text: str) -> Iterator[str]:
    """Each name the text follows with itself in parentheses."""
    for match in PARENTHESIS.finditer(text):
        inner = _words(match.group(1))
        if not inner or inner.isdigit():
            continue
        before = BEFORE.split(text[max(match.start() - len(match.group(1)) - 15, 0):
                                   match.start()])[-1]
        if f" {inner} " in f" {_words(before)} ":
            yield text[max(match.start() - 60, 0):match.end()]


def _crawl(app: Flask, language: str) -> Iterator[tuple[str, str]]:
    client = app.test_client()
    seen: set[str] = set()
    queue = ["/"]
    while queue and len(seen) < 120:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        separator = "&" if "?" in path else "?"
        response = client.get(f"{path}{separator}lang={language}")
        page = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()  # a download (an act's attachment) holds its file open until then
        if response.status_code != 200 or not page:
            continue
        yield path, page
        for link in LINK.findall(page):
            parts = urlsplit(urljoin("http://localhost" + path, html.unescape(link)))
            if parts.netloc not in ("", "localhost") or parts.path.startswith(SKIPPED):
                continue
            if parts.path.endswith((".zip", ".csv", ".md", ".pdf", ".json")) or (
                    "/files/" in parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query and
                                   "lang=" not in parts.query else "")
            if target not in seen:
                queue.append(target)


@pytest.fixture(scope="module", params=CITIES)
def demo_app(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Flask]]:
    city = request.param
    with pytest.MonkeyPatch.context() as patch:
        login = demo.prepare(tmp_path_factory.mktemp(f"demo-{city}"), city, today=TODAY,
                             engine=engine_standin.ENGINE)
        patch.setenv("KLEROTERION_INSTANCE_PATH", str(Path(login.database_url.split(
            "sqlite:///", 1)[-1]).parent))
        app = create_app(city, {"SECRET_KEY": "crawl", "KLEROTERION_TODAY": TODAY,
                                "KLEROTERION_DATABASE_URL": login.database_url})
    yield city, app
    with app.app_context():  # the crawl's connections closed with the module
        current_engine().dispose()


def _hyphenated_keys(config: CityConfig) -> set[str]:
    """The city's configuration keys written with a hyphen between letters."""
    keys = {body.key for body in config.bodies}
    keys |= {kind.key for kind in config.mandate.session_kinds}
    keys |= {phase.key for phase in config.mandate.phases}
    keys |= {group.key for group in config.composition.seat_groups}
    for kind in config.proposal_kinds:
        keys |= {kind.key} | {state.key for state in kind.states}
        keys |= {verdict.key for verdict in kind.verdicts}
    keys |= {deadline.key for deadline in config.accountability.response_deadlines}
    for feature in config.composition.features:
        keys |= {value.key for value in feature.values}
    # « non-retenue » is also a French noun (« motifs de non-retenue »), not only a key.
    return {key for key in keys if re.fullmatch(r"[a-z]+(?:-[a-z]+)+", key)} - {"non-retenue"}


def _foreign_terms(city: str, language: str) -> set[str]:
    """Other cities' words for a mandate that this city does not use in ``language``."""
    own = term_in(load_city(city).config.mandate, language)
    words: set[str] = set()
    for other in CITIES:
        word = term_in(load_city(other).config.mandate, language)
        words |= {word.one.lower(), word.many.lower()}
    return words - {own.one.lower(), own.many.lower()}


def _other_language_terms(city: str, language: str) -> set[str]:
    """The city's own word for a mandate in its other languages, not in ``language``
    (Brussels's « cycle » on a Dutch page), and French's « démo » outside French."""
    languages = CITY_LANGUAGES[city]
    rules = load_city(city).config.mandate
    own = term_in(rules, language)
    words = {w.lower() for other in languages if other != language
             for w in (term_in(rules, other).one, term_in(rules, other).many)}
    return words - {own.one.lower(), own.many.lower()} | ({"démo"} if language != "fr"
                                                          else set())


def test_every_public_page_speaks_its_language(demo_app: tuple[str, Flask]) -> None:
    city, app = demo_app
    problems: list[tuple[str, str, str]] = []
    own = {code for code in CITY_LANGUAGES[city] if code != "en"}
    config = load_city(city).config
    keys = _hyphenated_keys(config)
    for language in CITY_LANGUAGES[city]:
        pages = 0
        for path, page in _crawl(app, language):
            pages += 1
            assert f'<html lang="{language}">' in page, (path, language)
            body = ENDONYM.sub("", SWITCHER.sub("", page))
            for marked in MARKED.findall(body):
                # An English page may quote what the city publishes in its own languages
                # only (an act's text), marked as such; French and Dutch pages, nothing.
                if marked != language and not (language == "en" and marked in own):
                    problems.append((path, language, f'a passage marked lang="{marked}"'))
            text = _visible(body)
            for key in sorted(set(RAW_KEY.findall(text))):
                problems.append((path, language, f"raw key {key!r}"))
            words = set(re.findall(r"[\w'-]+", text))
            for key in sorted(keys & words):
                problems.append((path, language, f"raw key {key!r}"))
            for tag in sorted(set(RAW_TAG.findall(text))):
                problems.append((path, language, f"raw confidence tag {tag!r}"))
            lowered = {w.lower() for w in words}
            # The comparison names every city's own word for its term, by design.
            foreign_terms = set() if path.startswith("/comparison") \
                else _foreign_terms(city, language)
            for foreign in sorted(foreign_terms & lowered):
                problems.append((path, language, f"another city's word {foreign!r}"))
            # What an English page quotes, marked, in the city's languages aside.
            # (Within <main>: the page's own <html lang> would take the whole page away.)
            unmarked = _visible(re.sub(
                rf'<(\w+)\b[^>]*\slang="(?!{language}")[a-z]{{2}}"[^>]*>.*?</\1>', " ",
                body.split("<main", 1)[-1], flags=re.S))
            said = {w.lower() for w in re.findall(r"[\w'-]+", unmarked)}
            for foreign in sorted(_other_language_terms(city, language) & said):
                at = unmarked.lower().find(foreign)
                problems.append((path, language, f"a word of another language {foreign!r}: "
                                 f"{unmarked[max(at - 40, 0):at + 40]!r}"))
            # The comparison cites its French sources by their titles (« compte rendu... »).
            if language != "fr" and not path.startswith("/comparison"):
                for french in sorted(FRENCH_WORDS & said):
                    at = unmarked.lower().find(french)
                    problems.append((path, language, f"French {french!r}, unmarked: "
                                     f"{unmarked[max(at - 40, 0):at + 40]!r}"))
            if language in ("fr", "nl"):
                for number in sorted(set(ENGLISH_NUMBER.findall(text))):
                    problems.append((path, language, f"English number {number!r}"))
                for english in sorted({w.lower() for w in ENGLISH_WORDS.findall(text)}):
                    at = text.lower().find(f" {english} ")
                    problems.append((path, language, f"English {english!r}: "
                                     f"{text[max(at - 40, 0):at + 40]!r}"))
            # Who tables an act, in the page's language: not two languages joined by « / ».
            for shown in TABLED_BY.findall(body):
                if " / " in shown:
                    problems.append((path, language, f"who tables it, in two languages: "
                                     f"{shown!r}"))
            for repeated in sorted(set(_repeated(text))):
                problems.append((path, language, f"said twice: {repeated!r}"))
            # A session counted in sessions lasts one: « Session de l'assemblée (1 séance) »
            # would mix the city's word and the interface's to say nothing.
            for length in sorted(set(ONE_SESSION.findall(text))):
                problems.append((path, language, f"a session's length said: {length!r}"))
            for workshop in sorted(set(WORKSHOP_AND_BODY.findall(body))):
                problems.append((path, language, f"a workshop and its body: {workshop!r}"))
            # (The comparison cites French sources by their titles, « » and all.)
            if language == "nl" and ("«" in text or "»" in text) and not path.startswith(
                    "/comparison"):
                at = text.find("«") if "«" in text else text.find("»")
                problems.append((path, language, "French quotation marks on a Dutch page: "
                                 f"{text[max(at - 40, 0):at + 40]!r}"))
            if language == "fr":
                for match in FRENCH_COLON.finditer(text):
                    around = text[max(match.start() - 30, 0):match.end() + 10]
                    problems.append((path, language,
                                     f"no space before {match.group(1)!r}: {around!r}"))
        assert pages >= 10, (city, language, pages)
    assert problems == [], "\n".join(map(str, sorted(set(problems))[:200]))


def test_the_demo_writes_its_texts_in_every_language_of_the_site(
        demo_app: tuple[str, Flask]) -> None:
    """No demo text falls back to another language: subjects and workshops, sessions'
    places and agendas, city events, the reasons of the assembly's and secretariat's
    moves are written in French, English and (Brussels) Dutch."""
    city, app = demo_app
    config = load_city(city).config
    first = config.profile.languages[0]
    wanted = set(CITY_LANGUAGES[city])
    missing: list[tuple[str, int, str, list[str]]] = []

    def check(what: str, ident: int, field: str, texts: dict[str, str]) -> None:
        if texts and set(texts) != wanted:
            missing.append((what, ident, field, sorted(wanted - set(texts))))

    with app.app_context():
        session = db_session()
        for subject in session.scalars(select(Subject)):
            check("subject", subject.id, "title", subject.title)
            check("subject", subject.id, "origin_note", subject.origin_note)
        for workshop in session.scalars(select(Workshop)):
            check("workshop", workshop.id, "label", workshop.label)
            check("workshop", workshop.id, "purpose", workshop.purpose)
        for meeting in session.scalars(select(AssemblySession)):
            for field in ("place", "agenda", "minutes"):
                check("session", meeting.id, field, texts_of(meeting, field, first))
            # A Brussels assembly meets in the Region's Parliament or a commune's house,
            # not in a Parisian « mairie de quartier ».
            if city == "brussels":
                assert meeting.place.startswith(("Parlement bruxellois", "Maison communale")), (
                    meeting.place)
        for event in session.scalars(select(CityEvent).where(CityEvent.city == city)):
            for field in ("title", "place", "summary"):
                check("event", event.id, field, texts_of(event, field, first))
        for move in session.scalars(select(ProposalTransition).where(
                ProposalTransition.actor.in_(("assembly", "secretariat")))):
            check("move", move.id, "reason", texts_of(move, "reason", first))
            # The secretariat sends an act on: it does not vote on it.
            if move.actor == "secretariat":
                assert "vote" not in move.reason and "stemming" not in str(move.texts)
        for act in session.scalars(select(Proposal)):
            tabled = texts_of(act, "tabled_by", first)
            check("act", act.id, "tabled_by", tabled)
            # Each language on its own: no « fr / nl » in one language's text.
            assert not any(" / " in text for text in tabled.values()), tabled
        assert len(session.scalars(select(Subject)).all()) >= 2
    assert missing == []
