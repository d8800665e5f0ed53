"""A lottery folder's files and manifest: names, digests, reading and atomic writing.

Every published draw is a folder of CSV files and a ``manifest.json`` that lists each
file's SHA-256 and the draw's parameters. The manifest's ``digest`` is the SHA-256 of
the manifest itself (without ``digest`` and ``draw``) in a canonical JSON form: since
the manifest holds every file's digest, that one value binds the respondents, the
quotas, the panels, the probabilities and the algorithm's parameters, and is the one
to publish before the public number is known. Recompute it in Python with
``manifest_digest(json.load(open("manifest.json")))``, or by hand: drop the two keys,
``json.dumps(m, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, then the
SHA-256 of its UTF-8 bytes (docs/verification.md).

This module holds what the lottery kinds share (:mod:`lottery` for LEXIMIN lotteries,
:mod:`uniform` for plain lotteries, :mod:`grouped` for seat groups).
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import hashlib
import io
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from kleroterion import __version__, spreadsheet

__all__ = [
    "DIGEST_EXCLUDES",
    "FORMAT",
    "FORMATS",
    "HOUSEHOLD_COLUMN",
    "MANIFEST",
    "Lottery",
    "LotteryError",
    "canonical_json",
    "check_new",
    "csv_text",
    "engine",
    "load",
    "make_public",
    "manifest_digest",
    "new_folder",
    "now",
    "read_manifest",
    "read_panels",
    "sha256_file",
    "write_json",
]

#: The current format of a LEXIMIN lottery folder; /1 folders (no manifest digest) still verify.
FORMAT = "kleroterion-lottery/2"
FORMATS = ("kleroterion-lottery/1", FORMAT)
RESPONDENTS, QUOTAS, PANELS, PROBABILITIES, MANIFEST = (
    "respondents.csv",
    "quotas.csv",
    "panels.csv",
    "probabilities.csv",
    "manifest.json",
)
HOUSEHOLD_COLUMN = "household"
#: Manifest keys the digest leaves out: the digest itself, and the draw recorded afterwards.
DIGEST_EXCLUDES = ("digest", "draw")
#: Folders anyone on the machine may read (a web server running as another user serves them).
FOLDER_MODE, FILE_MODE = 0o755, 0o644


class LotteryError(ValueError):
    """A lottery folder that cannot be written, read or drawn from, with the reason."""


@dataclass(frozen=True)
class Lottery:
    """A published lottery folder: its manifest and its numbered panels (as id lists)."""

    directory: Path
    manifest: dict[str, Any]
    panels: list[list[str]]

    @property
    def list_digest(self) -> str:
        """The SHA-256 of ``panels.csv`` alone."""
        return str(self.manifest["list_digest"])

    @property
    def digest(self) -> str:
        """The digest to publish before the draw: the manifest's, which binds every file."""
        return str(self.manifest.get("digest") or self.manifest["list_digest"])

    @property
    def m(self) -> int:
        return int(self.manifest["m"])

    @property
    def draw(self) -> dict[str, Any] | None:
        return cast("dict[str, Any] | None", self.manifest.get("draw"))


def canonical_json(data: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes a manifest's digest is taken of."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def manifest_digest(manifest: dict[str, Any]) -> str:
    """SHA-256 of the canonical manifest without ``digest`` and ``draw``."""
    body = {k: v for k, v in manifest.items() if k not in DIGEST_EXCLUDES}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    # Fixed dialect and "\n" endings: the digests must not depend on the platform.
    buffer = io.StringIO()
    # The safe writer: a published file opened in a spreadsheet runs no formula.
    writer = spreadsheet.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()


def engine() -> dict[str, str]:
    """The engine this process runs, as a manifest records it: kleroterion and HiGHS."""
    from importlib import metadata

    versions = {"name": "kleroterion", "version": __version__}
    with contextlib.suppress(metadata.PackageNotFoundError):
        versions["highspy"] = metadata.version("highspy")
    return versions


def make_public(directory: Path) -> None:
    """Give a folder written through ``mkdtemp`` (mode 0700) and its files read access to all.

    What a lottery folder holds is public by design; a web server running as another
    user than the one who drew must be able to serve it.
    """
    os.chmod(directory, FOLDER_MODE)
    for path in directory.rglob("*"):
        os.chmod(path, FOLDER_MODE if path.is_dir() else FILE_MODE)


def check_new(directory: Path) -> None:
    """Refuse a folder that exists and is not empty: a lottery is never written over another."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise LotteryError(f"{directory} already exists and is not an empty folder")


@contextlib.contextmanager
def new_folder(directory: Path) -> Iterator[Path]:
    """A temporary folder beside ``directory``, renamed into place when the block ends.

    The folder appears whole or not at all: an error in the block removes the temporary
    folder. Once complete it is made readable by all (:func:`make_public`).
    """
    check_new(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        yield temporary
        make_public(temporary)
        if directory.exists():
            directory.rmdir()  # empty, checked above
        os.rename(temporary, directory)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON beside ``path`` then rename it over: never a half-written manifest."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as f:
            json.dump(data, f, ensure_ascii=False, indent=2)
            f.write("\n")
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def read_manifest(directory: Path, expected: str | Sequence[str] = FORMATS) -> dict[str, Any]:
    """The manifest of ``directory``, whose format must be ``expected`` (or one of them)."""
    formats = (expected,) if isinstance(expected, str) else tuple(expected)
    path = directory / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LotteryError(f"{path}: cannot be read ({error.strerror})") from None
    except ValueError as error:
        raise LotteryError(f"{path}: is not valid JSON ({error})") from None
    if not isinstance(data, dict) or data.get("format") not in formats:
        raise LotteryError(
            f"{path}: not a kleroterion lottery manifest (format {' or '.join(formats)})"
        )
    return data


def read_panels(path: Path) -> list[tuple[str, list[str]]]:
    """``(number cell, ids)`` for each row of panels.csv, as written."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise LotteryError(f"{path}: cannot be read ({error.strerror})") from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return [(row[0], [cell for cell in row[1:] if cell]) for row in rows[1:] if row]


def load(directory: str | Path) -> Lottery:
    """Read a lottery folder's manifest and panels (without checking them: see ``verify``)."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    return Lottery(directory, manifest, [ids for _, ids in read_panels(directory / PANELS)])


def is_mode_public(path: Path) -> bool:
    """Whether group and others may read ``path`` (and enter it, for a folder)."""
    mode = path.stat().st_mode
    wanted = stat.S_IRGRP | stat.S_IROTH
    if path.is_dir():
        wanted |= stat.S_IXGRP | stat.S_IXOTH
    return mode & wanted == wanted
