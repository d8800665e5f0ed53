"""A failed draw's message in words: the relaxation's lines read, the unknown kept as written."""

from __future__ import annotations

import pytest
from flask import Flask
from kleroterion.services.context import city
from kleroterion.web import relaxation

MESSAGE = "\n".join([
    "the draw cannot be made:",
    "The quotas cannot all be met; the smallest change that makes them feasible:",
    "  gender/femme: maximum 41 → 55",
    "  gender/homme: minimum 40 → 30",
    "  (gender/homme: minimum 40 but only 12 respondents)",
    "  (100 seats but only 80 respondents)",
    "  a plugin's own words",
])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_relaxation_reads_in_the_page_language(app: Flask, language: str) -> None:
    features = city("paris").config.composition.features
    with app.test_request_context(f"/?lang={language}"):
        lines = relaxation.read(MESSAGE, features)
    said = [line.text for line in lines]
    assert len(lines) == 6 and [line.english for line in lines] == [False] * 5 + [True]
    assert said[-1] == "a plugin's own words"
    assert not any("→" in text or "gender/" in text for text in said)
    if language == "fr":
        assert "relever le maximum de 41 à 55 sièges" in said[1]
        assert "abaisser le minimum de 40 à 30 sièges" in said[2]
        assert said[4] == "Il y a 100 sièges mais seulement 80 répondants."
    else:
        assert "raise the maximum from 41 to 55 seats" in said[1]


def test_nothing_to_read() -> None:
    assert relaxation.read(None, ()) == []
