"""cookiecutter-city end to end: generated plugins installed beside kleroterion, for real.

One fresh virtual environment per test session (building it is the slow part):
kleroterion is installed into it from a copy of this checkout as a wheel would be,
not in editable mode, so the template must be found as package data; the baked
plugins are then installed into it in editable mode, as a municipality does
(``pip install -e .``), and each runs its own test suite and ``kleroterion
compare <slug> paris``; ruff checks the generated code. pip's cache keeps the
downloads to the first run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.newcity.answers import CITIES
from tests.newcity.conftest import ROOT

pytestmark = pytest.mark.slow

#: What kleroterion's wheel is built from; the rest of the checkout (benchmarks
#: data, virtual environments) stays out of the copy.
SOURCES = ("pyproject.toml", "README.md", "core", "plugins", "cookiecutter-city")


@dataclass(frozen=True)
class Venv:
    path: Path
    env: dict[str, str]

    @property
    def bin(self) -> Path:
        return self.path / "bin"

    def run(self, args: Sequence[str | Path], cwd: Path | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(arg) for arg in args], cwd=cwd, env=self.env, capture_output=True, text=True,
            timeout=timeout, check=False,
        )

    def check(self, args: Sequence[str | Path], cwd: Path | None = None) -> str:
        result = self.run(args, cwd)
        assert result.returncode == 0, (
            f"{' '.join(map(str, args))} exited {result.returncode}\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
        return result.stdout

    def pip(self, *args: str | Path) -> str:
        return self.check([self.bin / "python", "-m", "pip", "install", "--quiet", *args])


def _clean_environment(venv: Path) -> dict[str, str]:
    # Nothing of this test session's own environment may leak into the fresh one.
    env = {
        key: value for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")
        and not key.startswith(("PYTEST_", "COV_"))
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A fresh virtual environment with kleroterion installed from this checkout."""
    base = tmp_path_factory.mktemp("venv")
    source = base / "kleroterion"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".*_cache")
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=ignore)
        else:
            shutil.copy2(origin, source / name)
    path = base / "env"
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=300)
    environment = Venv(path, _clean_environment(path))
    # Build tools once, then no build isolation: no fresh build environment per install.
    environment.pip("setuptools>=69", "wheel", "pytest>=8", "ruff>=0.5")
    environment.pip("--no-build-isolation", source)
    return environment


@pytest.fixture(scope="session")
def installed(venv: Venv, baked: dict[str, Path]) -> dict[str, Path]:
    """The baked plugins of ``CITIES``, installed in editable mode in the fresh environment."""
    projects = {name: baked[name] for name in CITIES}
    editable = [arg for project in projects.values() for arg in ("-e", project)]
    venv.pip("--no-deps", "--no-build-isolation", *editable)
    return projects


@pytest.mark.parametrize("name", CITIES)
def test_the_generated_plugin_passes_its_own_tests(
    venv: Venv, installed: dict[str, Path], name: str
) -> None:
    project = installed[name]
    output = venv.check([venv.bin / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                        cwd=project)
    assert "4 passed" in output


@pytest.mark.parametrize("name", CITIES)
def test_the_generated_plugin_appears_in_compare(
    venv: Venv, installed: dict[str, Path], name: str
) -> None:
    slug, answers = CITIES[name]
    output = venv.check([venv.bin / "kleroterion", "compare", slug, "paris", "--format",
                         "json"])
    table = json.loads(output)
    assert [city["slug"] for city in table["cities"]] == [slug, "paris"]
    rows = {row["key"]: row["values"] for q in table["questions"] for row in q["rows"]}
    names = {city: cell["value"] for city, cell in rows["profile.name"].items()}
    # One name answered is every language's (the profile's name per language).
    own = answers.get("city_name", "Villeneuve-sur-Mer")
    assert set(names[slug].values()) == {own} and names[slug]
    assert names["paris"]["fr"] == "Ville de Paris"
    # The text table, as a practitioner reads it, works too.
    text = venv.check([venv.bin / "kleroterion", "compare", slug, "paris", "--width", "120"])
    assert slug in text


def test_the_generated_code_passes_ruff(venv: Venv, baked: dict[str, Path]) -> None:
    # Each baked project is checked with the rules of its own pyproject.toml (kleroterion's);
    # --no-cache leaves no .ruff_cache in them.
    venv.check([venv.bin / "ruff", "check", "--no-cache", *baked.values()])


def test_the_generated_plugins_are_listed_with_their_distributions(
    venv: Venv, installed: dict[str, Path]
) -> None:
    output = venv.check([venv.bin / "kleroterion", "cities"])
    for slug, _ in CITIES.values():
        assert f"kleroterion-{slug}" in output


def test_new_city_finds_its_template_in_the_installed_wheel(
    venv: Venv, tmp_path: Path
) -> None:
    where = venv.check([venv.bin / "python", "-c",
                        "from kleroterion.cli.newcity import template_path; "
                        "print(template_path())"]).strip()
    assert "site-packages" in where and where.endswith("cookiecutter_city")
    config = tmp_path / "cookiecutter.yaml"
    config.write_text(f"replay_dir: {tmp_path / 'replay'}\n", encoding="utf-8")
    output = venv.check([venv.bin / "kleroterion", "new-city", "--no-input", "--output-dir",
                         tmp_path / "out", "--config-file", config, "city_name=Wheelton"])
    assert "Created" in output
    assert (tmp_path / "out/kleroterion-wheelton/src/kleroterion_wheelton/__init__.py").is_file()
