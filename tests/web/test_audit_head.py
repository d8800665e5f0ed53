"""The audit log's head, published on the public site and in the API, as the database has it.

A head published is what ``kleroterion audit verify --head`` later checks a copy of
the database against (tests/lifecycle/test_audit_anchor.py); here, that the page and
the answer show the current head, in every language, and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from kleroterion.services import audit
from kleroterion.web import create_app

from . import test_public_records
from .test_public_records import PLANTED, TODAY, _query

database = test_public_records.database


@pytest.fixture
def app(instance: Path, database: str) -> Flask:
    return create_app("paris", {"TESTING": True, "SECRET_KEY": "test",
                                "KLEROTERION_DATABASE_URL": database,
                                "KLEROTERION_TODAY": TODAY})


def test_the_head_is_published_on_a_page_and_in_the_api(app: Flask, database: str) -> None:
    head = _query(database, audit.head)
    assert head.seq > 0
    client = app.test_client()
    answer = client.get("/api/audit-head")
    assert answer.status_code == 200 and answer.get_json() == {"seq": head.seq,
                                                               "hash": head.hash}
    for language, title in (("fr", "Journal d’audit"), ("en", "Audit log")):  # Paris: no nl
        page = client.get(f"/audit?lang={language}").get_data(as_text=True)
        assert title in page and f"--head {head.seq}:{head.hash}" in page
        assert not any(value in page for value in PLANTED.values())
    assert client.get("/api/audit-head?lang=8").status_code in (400, 422)
