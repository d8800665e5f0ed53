"""The instance's source offer (AGPL-3.0, section 13): the exact code it runs, to download.

Anyone using the site over a network may download the source of the version it runs,
at ``/source/kleroterion-<version>.tar.gz``. The archive is built, once per process,
from the very files the running process imports (the ``kleroterion`` package, the
bundled city plugins and the new-city template), with a ``pyproject.toml`` that
installs them with ``pip install <archive>``: it is what the draw page tells anyone
to install to verify a draw. The archive is deterministic (sorted entries, fixed
dates), so its SHA-256, shown on the draw page, is the same from every worker.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import io
import json
import tarfile
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, url_for
from kleroterion import __version__

bp = Blueprint("source", __name__)

DISTRIBUTION = "kleroterion"
#: Packages whose folder is not inside their parent's (pyproject's package-dir).
MAPPED_PACKAGES = ("kleroterion.cookiecutter_city",)
_SKIPPED = ("__pycache__", ".pyc", ".pyo", ".mypy_cache", ".pytest_cache", ".egg-info")


@dataclass(frozen=True)
class SourceArchive:
    """The archive of the running code: its file name, bytes and SHA-256."""

    filename: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


_lock = threading.Lock()
_built: SourceArchive | None = None


def _location(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _packages() -> dict[str, Path]:
    """The importable name → folder of every package the distribution installs."""
    try:
        top = (metadata.distribution(DISTRIBUTION).read_text("top_level.txt") or "").split()
    except metadata.PackageNotFoundError:
        top = []
    found: dict[str, Path] = {}
    for name in [*(top or [DISTRIBUTION]), *MAPPED_PACKAGES]:
        folder = _location(name)
        if folder is not None and folder.is_dir():
            found[name] = folder
    return found


def _pyproject() -> str:
    """A pyproject.toml that installs the archived packages as the running distribution."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
        requires = [r for r in dist.requires or [] if "extra ==" not in r]
        entry_points = list(dist.entry_points)
    except metadata.PackageNotFoundError:
        requires, entry_points = [], []
    scripts = [e for e in entry_points if e.group == "console_scripts"]
    plugins = [e for e in entry_points if e.group == "kleroterion"]
    lines = [
        "[build-system]",
        'requires = ["setuptools>=61"]',
        'build-backend = "setuptools.build_meta"',
        "",
        "[project]",
        f"name = {json.dumps(DISTRIBUTION)}",
        f"version = {json.dumps(__version__)}",
        'description = "The source of kleroterion that this instance runs (AGPL-3.0 section 13)."',
        'requires-python = ">=3.11"',
        'license = {text = "AGPL-3.0-or-later"}',
        f"dependencies = {json.dumps(requires)}",
        "",
        "[project.scripts]",
        *(f"{json.dumps(e.name)} = {json.dumps(e.value)}" for e in scripts),
        "",
        "[project.entry-points.kleroterion]",
        *(f"{json.dumps(e.name)} = {json.dumps(e.value)}" for e in plugins),
        "",
        "[tool.setuptools.packages.find]",
        'include = ["kleroterion", "kleroterion.*", "kleroterion_*"]',
        "",
        "[tool.setuptools.package-data]",
        '"*" = ["**/*"]',
        "",
    ]
    return "\n".join(lines)


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), 0, 0o644
    info.uname = info.gname = ""
    archive.addfile(info, io.BytesIO(data))


def build() -> SourceArchive:
    """Build the archive of the code this process runs (deterministic bytes)."""
    root = f"{DISTRIBUTION}-{__version__}"
    entries: dict[str, bytes] = {
        f"{root}/pyproject.toml": _pyproject().encode(),
        f"{root}/README.txt": (
            "The source of kleroterion that this instance runs, offered under the GNU Affero "
            "General Public License, version 3 or later (section 13).\n"
            "Install it with: pip install " + f"{root}.tar.gz\n"
        ).encode(),
    }
    for name, folder in _packages().items():
        prefix = f"{root}/{name.replace('.', '/')}"
        for path in folder.rglob("*"):
            relative = path.relative_to(folder).as_posix()
            if not path.is_file() or any(part in relative for part in _SKIPPED):
                continue
            if path.name.startswith(".") and path.name != ".gitignore":
                continue  # an editor's or a tool's file, never part of the package
            entries[f"{prefix}/{relative}"] = path.read_bytes()
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name in sorted(entries):
            _add(archive, name, entries[name])
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=0) as compressed:
        compressed.write(tar_bytes.getvalue())
    return SourceArchive(f"{root}.tar.gz", packed.getvalue())


def archive() -> SourceArchive:
    """The archive of the running code, built on first use."""
    global _built
    with _lock:
        if _built is None:
            _built = build()
        return _built


def source_url() -> str:
    """The full address of the source archive on this site (inside a request)."""
    return url_for("source.download", filename=f"{DISTRIBUTION}-{__version__}.tar.gz",
                   _external=True)


@bp.get("/source/<filename>")
def download(filename: str) -> Response:
    """The source of the running version; any other file name is not found."""
    served = archive()
    if filename != served.filename:
        abort(404)
    return Response(served.data, mimetype="application/gzip", headers={
        "Content-Disposition": f"attachment; filename={served.filename}",
        "X-Content-SHA256": served.sha256,
    })


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
