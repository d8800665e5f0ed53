"""One date for the pages and the services: the app's ``KLEROTERION_TODAY`` setting, else the
environment variable of the same name, else the real date (``services.context.today``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from kleroterion.services import context
from kleroterion.services.errors import InvalidInput
from kleroterion.web import create_app
from kleroterion.web.public import TODAY_SETTING, today

from tests.conftest import PINNED_TODAY


def test_without_the_setting_the_pages_follow_the_variable_like_the_services(
        instance: Path) -> None:
    app = create_app("paris", {"TESTING": True, "SECRET_KEY": "s"})
    with app.test_request_context("/"):
        app.preprocess_request()
        assert today() == context.today() == dt.date.fromisoformat(PINNED_TODAY)


def test_the_app_s_setting_is_the_services_date_during_its_requests(
        instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pinned = dt.date(2025, 10, 1)
    app = create_app("paris", {"TESTING": True, "SECRET_KEY": "s", TODAY_SETTING: pinned})
    with app.test_request_context("/"):
        app.preprocess_request()
        assert today() == context.today() == pinned
        app.do_teardown_request()
    # Outside a request, the services follow the variable again; unset, the real date.
    assert context.today() == dt.date.fromisoformat(PINNED_TODAY)
    monkeypatch.delenv(context.TODAY_VARIABLE)
    assert context.today() == dt.date.today()


def test_a_variable_that_is_no_date_stops_the_app_before_it_answers(
        instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(context.TODAY_VARIABLE, "tomorrow")
    with pytest.raises(InvalidInput, match="KLEROTERION_TODAY is 'tomorrow', not a date"):
        create_app("paris", {"TESTING": True, "SECRET_KEY": "s"})
