"""Fixtures of the cookiecutter-city tests: the template, and each answer set baked once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cookiecutter.main import cookiecutter

from tests.newcity.answers import BILINGUAL_SWISS, CITIES, LONG_NAMES

ROOT = Path(__file__).resolve().parents[2]  # the repository's checkout
TEMPLATE = ROOT / "cookiecutter-city"


@pytest.fixture(scope="session")
def cookiecutter_config(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A user config keeping cookiecutter's replay files out of the home folder."""
    home = tmp_path_factory.mktemp("cookiecutter-home")
    config = home / "config.yaml"
    config.write_text(
        f"cookiecutters_dir: {home / 'templates'}\nreplay_dir: {home / 'replay'}\n",
        encoding="utf-8",
    )
    return str(config)


def bake(output: Path, answers: dict[str, Any], config: str) -> Path:
    """Generate the project for ``answers`` (no questions asked) and return its folder."""
    return Path(
        cookiecutter(
            str(TEMPLATE),
            no_input=True,
            extra_context=dict(answers),
            output_dir=str(output),
            config_file=config,
        )
    )


@pytest.fixture(scope="session")
def baked(tmp_path_factory: pytest.TempPathFactory, cookiecutter_config: str) -> dict[str, Path]:
    """Every answer set of ``CITIES`` (and the Swiss and long ones) baked once per session."""
    output = tmp_path_factory.mktemp("baked")
    sets = {name: answers for name, (_, answers) in CITIES.items()}
    sets["swiss"] = BILINGUAL_SWISS
    sets["long"] = LONG_NAMES
    return {name: bake(output, answers, cookiecutter_config) for name, answers in sets.items()}
