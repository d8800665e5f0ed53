"""The code stays in files a newcomer can hold in their head, with public seams.

No module of the package or of the bundled cities passes 600 lines (issue 15: split
along the seams), and no module imports another's ``_private`` name: what two modules
share is public where it lives.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "core").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")])

def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_sources_are_found() -> None:
    assert len(SOURCES) > 150


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_no_module_passes_600_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 600, f"{_relative(path)} has {lines} lines: split it along its seams"


def test_no_module_imports_another_modules_private_name() -> None:
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kleroterion"):
                found += [f"{_relative(path)}: {node.module}.{alias.name}"
                          for alias in node.names
                          if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert found == [], "\n".join(found)
