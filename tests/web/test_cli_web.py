"""``kleroterion serve``: builds the city's app and serves it where asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from kleroterion.cli import main
from kleroterion.web.context import city_of


def test_serve_runs_the_city_app_on_the_loopback_by_default(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}

    def fake_run(self: Flask, **kwargs: Any) -> None:
        served.update(kwargs, city=city_of(self).slug)

    monkeypatch.setattr(Flask, "run", fake_run)
    result = CliRunner().invoke(main, ["serve", "--city", "brussels"])
    assert result.exit_code == 0, result.output
    assert served["city"] == "brussels"
    assert (served["host"], served["port"]) == ("127.0.0.1", 5000)
    assert "http://127.0.0.1:5000/" in result.output

    result = CliRunner().invoke(main, ["serve", "--city", "paris", "--host", "0.0.0.0",
                                       "--port", "8081"])
    assert result.exit_code == 0, result.output
    assert (served["city"], served["host"], served["port"]) == ("paris", "0.0.0.0", 8081)


def test_serve_reads_the_city_from_the_environment(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Flask, "run", lambda self, **kwargs: None)
    monkeypatch.setenv("KLEROTERION_CITY", "poitiers")
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 0, result.output
    assert "Serving poitiers" in result.output


def test_serve_an_unknown_city_is_one_line_not_a_traceback(instance: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--city", "atlantis"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: unknown city 'atlantis'; installed cities: brussels, paris, poitiers"
    )
