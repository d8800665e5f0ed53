"""Every package folder is listed in pyproject.toml, so wheels ship all the code."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_folder_is_listed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    found = set()
    for top, folder in setuptools["package-dir"].items():
        base = ROOT / folder
        for init in base.rglob("__init__.py"):
            relative = init.parent.relative_to(base)
            if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
                continue
            found.add(".".join((top, *relative.parts)))
    assert found - listed == set(), "add these packages to [tool.setuptools] packages"
    # The others are folders of data files, listed only so that setuptools does not warn
    # on install: each exists, holds no code package, and an enclosing package ships it.
    for name in listed - found:
        top = max((top for top in setuptools["package-dir"] if name.startswith(top + ".")),
                  key=len)
        inner = name.split(".")[1 + top.count("."):]
        folder = ROOT / setuptools["package-dir"][top] / Path(*inner)
        assert folder.is_dir(), f"{name}: no folder {folder}"
        assert any(key != name and name.startswith(key + ".")
                   for key in setuptools["package-data"]), f"{name}: no package-data ships it"


def test_bundled_cities_use_the_public_entry_point_group() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    entry_points = config["project"]["entry-points"]["kleroterion"]
    assert entry_points == {
        "paris": "kleroterion_paris",
        "poitiers": "kleroterion_poitiers",
        "brussels": "kleroterion_brussels",
    }
