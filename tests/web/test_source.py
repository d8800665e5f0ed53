"""The source offer (AGPL-3.0 section 13): the instance serves exactly the code it runs."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import kleroterion
import kleroterion.sortition.verify
from flask.testing import FlaskClient
from kleroterion import __version__
from kleroterion.web import source


def _members(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        return {m.name: archive.extractfile(m).read()  # type: ignore[union-attr]
                for m in archive.getmembers() if m.isfile()}


def test_the_archive_holds_the_running_files_and_installs_them() -> None:
    built = source.build()
    assert built.filename == f"kleroterion-{__version__}.tar.gz"
    assert source.build().data == built.data  # deterministic: one digest from every worker
    files = _members(built.data)
    root = f"kleroterion-{__version__}"
    running = Path(kleroterion.sortition.verify.__file__)
    assert files[f"{root}/kleroterion/sortition/verify.py"] == running.read_bytes()
    pyproject = files[f"{root}/pyproject.toml"].decode()
    assert f'version = "{__version__}"' in pyproject and "highspy" in pyproject
    assert '"paris" = "kleroterion_paris"' in pyproject
    assert any(name.endswith("translations/fr/LC_MESSAGES/messages.mo") for name in files)
    assert any(name.startswith(f"{root}/kleroterion/cookiecutter_city/") for name in files)
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in files)


def test_the_route_serves_the_running_version_only(client: FlaskClient) -> None:
    served = source.archive()
    response = client.get(f"/source/{served.filename}")
    assert response.status_code == 200 and response.data == served.data
    assert response.headers["X-Content-SHA256"] == served.sha256
    assert client.get("/source/kleroterion-0.0.1.tar.gz").status_code == 404
    page = client.get("/draw?lang=en").get_data(as_text=True)
    assert f"pip install http://localhost/source/{served.filename}" in page
    assert served.sha256 in page
