"""A mandate named in each language of the site: « cycle 2026 » on French pages,
« cyclus 2026 » on Dutch ones, the label it was opened with where a language has none;
a label in a language the city does not speak is refused, naming the field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.services import mandates, proposals, reports
from kleroterion.services.errors import InvalidInput
from sqlalchemy.orm import Session

from .conftest import app_on, seeded_database

TODAY = dt.date(2026, 11, 23)


def _fill(session: Session) -> None:
    past = mandates.open_mandate(session, "brussels", "cycle 2025", dt.date(2025, 3, 1))
    sitting = mandates.open_mandate(session, "brussels", "cycle 2026 (essai)",
                                    dt.date(2026, 10, 1),
                                    labels={"nl": "cyclus 2026 (test)", "en": ""})
    proposals.create(session, sitting.id, "recommandation", "Réparer", dt.date(2026, 11, 2))
    with pytest.raises(InvalidInput, match="'de' is not a language of this city") as bad:
        mandates.open_mandate(session, "brussels", "cycle 2027", dt.date(2027, 3, 1),
                              labels={"de": "Zyklus 2027"})
    assert bad.value.field == "labels"
    assert sitting.labels == {"nl": "cyclus 2026 (test)"}  # an empty text is no label
    assert past.labels == {}
    report = reports.city_report(session, "brussels", 2026)
    assert {act.mandate_label["nl"] for act in report.acts} == {"cyclus 2026 (test)"}


@pytest.fixture
def database(tmp_path: Path) -> str:
    return seeded_database(tmp_path / "labels.sqlite3", _fill)


@pytest.fixture
def app(instance: Path, database: str) -> Flask:
    return app_on("brussels", database, TODAY)


@pytest.mark.parametrize(("language", "shown", "hidden"), [
    ("nl", "cyclus 2026 (test)", "cycle 2026 (essai)"),
    ("fr", "cycle 2026 (essai)", "cyclus 2026 (test)"),
    ("en", "cycle 2026 (essai)", "cyclus 2026 (test)"),
])
def test_each_page_names_the_cycle_in_its_language(client: FlaskClient, language: str,
                                                   shown: str, hidden: str) -> None:
    for path in ("/", "/promotions", "/proposals", "/draw", "/follow-up/report-2026"):
        page = client.get(f"{path}?lang={language}").get_data(as_text=True)
        assert shown in page, (path, language)
        assert hidden not in page, (path, language)
    # A cycle opened without other labels keeps its own everywhere.
    assert "cycle 2025" in client.get(f"/promotions?lang={language}").get_data(as_text=True)
