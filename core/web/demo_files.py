"""The demo's synthetic files and texts: a registry, respondents meeting the quotas, acts.

Every person in them is fictional and named as such ("Personne fictive", "Électeur
fictif"); addresses are on "rue de la Démonstration" and e-mails end in ``.invalid``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from kleroterion import spreadsheet
from kleroterion.city.quotas import group_quotas
from kleroterion.city.types import CityConfig, SeatGroup

REGISTRY_ROWS = 4000
RESPONDENTS_PER_SEAT = 2


def _deal(bounds: Sequence[tuple[str, int, int]], seats: int, rng: random.Random) -> list[str]:
    """``seats`` values meeting the (value, min, max) bounds, in random order."""
    counts = {value: low for value, low, _ in bounds}
    room = seats - sum(counts.values())
    order = list(bounds)
    rng.shuffle(order)
    for value, low, high in order:
        extra = min(room, high - low)
        counts[value] += extra
        room -= extra
    if room:
        raise ValueError("the quotas of this seat group cannot be met by any panel")
    values = [value for value, count in counts.items() for _ in range(count)]
    rng.shuffle(values)
    return values


def write_respondents(path: Path, config: CityConfig, group: SeatGroup, rows: int,
                      rng: random.Random) -> None:
    """Synthetic respondents: the first ``seats`` meet every quota, the rest vary them."""
    quotas = group_quotas(config.composition, group)
    columns = {
        feature: _deal([(q.value, q.min, q.max) for q in quotas if q.feature == feature],
                       group.seats, rng)
        for feature in group.features
    }
    vectors = [tuple(columns[f][i] for f in group.features) for i in range(group.seats)]
    while len(vectors) < rows:
        # Mix the features of two feasible rows: respondents are not clones of the panel.
        a, b = rng.randrange(group.seats), rng.randrange(group.seats)
        vectors.append(tuple(vectors[a][j] if rng.random() < 0.5 else vectors[b][j]
                             for j in range(len(group.features))))
    quotient_values = ("680", "920", "1 150", "1 480", "")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = spreadsheet.writer(handle)
        writer.writerow(["id", *group.features, "nom", "adresse", "courriel",
                         "quotient_familial"])
        for index, vector in enumerate(vectors):
            ident = f"{group.key[:4].upper()}-{index + 1:04d}"
            writer.writerow([ident, *vector, f"Personne fictive {ident}",
                             f"{index + 1} rue de la Démonstration",
                             f"{ident.lower()}@demo.invalid",
                             quotient_values[index % len(quotient_values)]])


def write_registry(path: Path, config: CityConfig, group: SeatGroup,
                   rng: random.Random) -> str | None:
    """A synthetic registry for the invitation draw; returns its stratification column."""
    column = group.stratify_invitations_by or None
    feature = next((f for f in config.composition.features if f.key == column), None)
    if column and feature is not None:
        values = [value.key for value in feature.values]
        weights = [value.population for value in feature.values]
    else:
        values, weights = ["A", "B", "C"], [1.0, 1.0, 1.0]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = spreadsheet.writer(handle)
        writer.writerow(["numero", "nom", column or "secteur"])
        for index in range(REGISTRY_ROWS):
            writer.writerow([index + 1, f"Électeur fictif {index + 1}",
                             rng.choices(values, weights)[0]])
    return column


# -- the acts' texts ------------------------------------------------------------------

SUMMARY = {
    "fr": "Texte de démonstration : l'assemblée demande {to} d'agir sur « {title} ».",
    "nl": "Demonstratietekst: de burgerraad vraagt {to} op te treden rond “{title}”.",
    "en": "Demonstration text: the assembly asks {to} to act on “{title}”.",
}
FULL_TEXT = {
    "fr": ("Considérant les auditions menées par l'assemblée,\n\nArticle 1 : {who} étudie "
           "la mesure « {title} » avec les habitants.\n\nArticle 2 : {who} rend compte "
           "chaque année de sa mise en œuvre{followed}."),
    "nl": ("Gelet op de hoorzittingen van de burgerraad,\n\nArtikel 1: {who} onderzoekt "
           "de maatregel “{title}” samen met de inwoners.\n\nArtikel 2: {who} brengt "
           "jaarlijks verslag uit over de uitvoering."),
    "en": ("Having heard the experts,\n\nArticle 1: {who} studies “{title}” with the "
           "residents.\n\nArticle 2: {who} reports on it every year."),
}
#: Whom a city's acts address, as its own prose names it (« la Ville de Paris », « le
#: Gouvernement bruxellois »): (« to » form, subject form) per language.
AUTHORITY = {
    "paris": {"fr": ("à la Ville de Paris", "la Ville de Paris"),
              "en": ("the City of Paris", "the City of Paris")},
    "poitiers": {"fr": ("à la Ville de Poitiers", "la Ville de Poitiers"),
                 "en": ("the City of Poitiers", "the City of Poitiers")},
    "brussels": {"fr": ("au Gouvernement bruxellois", "le Gouvernement bruxellois"),
                 "nl": ("de Brusselse regering", "de Brusselse regering"),
                 "en": ("the Brussels government", "the Brussels government")},
}
#: The public authority in general, for a city the demo does not know.
ANY_AUTHORITY = {"fr": ("aux pouvoirs publics", "la collectivité"),
                 "nl": ("de overheid", "de overheid"),
                 "en": ("the authorities", "the authority")}


def authority(config: CityConfig, language: str) -> tuple[str, str]:
    """Whom the city's acts address in ``language``: (« to » form, subject form)."""
    return AUTHORITY.get(config.profile.slug, {}).get(language) or ANY_AUTHORITY[language]


def tabled_by(config: CityConfig, addressee_actor: str) -> dict[str, str]:
    """Who tables an act before its addressee, as the city's own institutions write it,
    in each language of the city's site."""
    if config.profile.slug == "paris":
        said = {"fr": "l'Exécutif parisien, par l'adjointe à la Maire chargée de la "
                      "participation citoyenne",
                "en": "the Paris Executive, through the Deputy Mayor for citizen "
                      "participation"}
    elif addressee_actor == "government":
        said = {"fr": "le secrétariat de l'Assemblée citoyenne, au Gouvernement bruxellois",
                "nl": "het secretariaat van de Burgerraad, aan de Brusselse regering",
                "en": "the secretariat of the Citizens' Assembly, to the Brussels Government"}
    else:
        said = {"fr": "le comité méthodologique, au conseil municipal",
                "en": "the methodology committee, to the municipal council"}
    offered = (*config.profile.languages, "en")
    return {code: text for code, text in said.items() if code in offered}


def text_languages(config: CityConfig) -> list[str]:
    return [code for code in config.profile.languages if code in SUMMARY]


def act_content(config: CityConfig, titles: dict[str, str], addressee_actor: str
                ) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """A demo act's summary and full text in the city's languages (naming the act by
    its title in each), and who tables it."""
    languages = text_languages(config)
    texts = {code: titles.get(code) or next(iter(titles.values())) for code in languages}
    # Paris's acts end with the yearly account its rules call « droit de suite ».
    followed = " (droit de suite)" if config.profile.slug == "paris" else ""
    return ({code: SUMMARY[code].format(title=texts[code], to=authority(config, code)[0])
             for code in languages},
            {code: FULL_TEXT[code].format(title=texts[code], who=authority(config, code)[1],
                                          followed=followed) for code in languages},
            tabled_by(config, addressee_actor))
