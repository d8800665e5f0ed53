"""Letters and reports as jobs of the queue: started from the back office or the command
line, made by a worker of the SQLite queue, followed in words, downloaded when done.

The back-office tests run the app's embedded worker (the SQLite queue of the instance
folder: what a machine without servers uses); the command-line test queues an export
as ``kleroterion letters generate`` does and has a worker of the same queue make it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from kleroterion import jobs
from kleroterion.cli import main
from kleroterion.db import make_engine, make_sessionmaker, upgrade
from kleroterion.jobs import exports as export_jobs
from kleroterion.models import ExportJob, Invitation, utcnow
from kleroterion.services import exports, mandates, recruitment
from kleroterion.web.database import database_url
from sqlalchemy import func, select

from .conftest import in_database
from .test_access import csrf_token, log_in

PAGE = "/admin/exports/"


def _registry(path: Path, rows: int = 30) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["numero", "prenom", "nom", "adresse", "code_postal", "ville",
                         "arrondissement"])
        for i in range(rows):
            writer.writerow([i + 1, f"Prénom{i}", f"Fictif{i}", f"{i} rue de l'Essai",
                             "75011", "Paris", ["1er", "2e", "10e"][i % 3]])
    return path


@pytest.fixture
def invitations(app: Flask, tmp_path: Path) -> tuple[int, Path]:
    """A Paris promotion and an invitation draw of 12 letters: its id, its mail merge."""
    upgrade(database_url(app))
    registry = _registry(tmp_path / "registry.csv")
    mailmerge = tmp_path / "mailmerge.csv"

    def make(session):  # type: ignore[no-untyped-def]
        mandate = mandates.open_mandate(session, "paris", "promotion 2025", dt.date(2025, 9, 1))
        draw = recruitment.record_invitation_draw(
            session, mandate.id, "liste-electorale", registry, mailmerge, seed=7, count=12,
            stratify_by="arrondissement")
        return int(draw.id)

    return in_database(app, make), mailmerge


def _export(app: Flask, export_id: int) -> ExportJob:
    def read(session):  # type: ignore[no-untyped-def]
        export = session.get(ExportJob, export_id)
        session.expunge(export)
        return export
    result: ExportJob = in_database(app, read)
    return result


def _wait(app: Flask, export_id: int, seconds: float = 90) -> ExportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        export = _export(app, export_id)
        if export.state in ("done", "failed"):
            return export
        time.sleep(0.2)
    raise AssertionError("the export was not made by the embedded worker")


def _started(client: FlaskClient, url: str, data: dict[str, object]) -> int:
    response = client.post(url, data={"csrf_token": csrf_token(client, PAGE), **data},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_letters_from_the_back_office_are_made_by_the_worker_and_downloaded(
        app: Flask, client: FlaskClient, invitations: tuple[int, Path], instance: Path) -> None:
    draw_id, mailmerge = invitations
    log_in(client, "secretariat")
    export_id = _started(client, f"{PAGE}letters?lang=fr", {
        "kind": "letters", "invitation_draw": str(draw_id), "answers_until": "2100-01-31",
        "url": "https://example.org/answer",
        "upload": (io.BytesIO(mailmerge.read_bytes()), "mailmerge.csv")})
    queued = client.get(f"{PAGE}{export_id}?lang=fr").get_data(as_text=True)
    assert "Lettres d’invitation" in queued or "Lettres d'invitation" in queued
    export = _wait(app, export_id)
    assert export.state == "done", export.reason
    page = client.get(f"{PAGE}{export_id}?lang=fr").get_data(as_text=True)
    assert "Terminé" in page and "http-equiv=\"refresh\"" not in page
    download = client.get(f"{PAGE}{export_id}/download")
    assert download.status_code == 200
    data = download.data
    download.close()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    assert "letters.pdf" in names and "labels.csv" in names
    assert in_database(app, lambda s: s.scalar(select(func.count()).select_from(Invitation)
                                               .where(Invitation.invitation_draw_id == draw_id)))\
        == 12
    # The mail merge (names, addresses) is not kept on the server once the letters exist.
    assert not (exports.folder(exports.exports_root(instance), export_id) / "input").exists()


def test_a_refused_export_says_why_in_the_reader_s_language_and_stores_nothing(
        app: Flask, client: FlaskClient, invitations: tuple[int, Path]) -> None:
    draw_id, _mailmerge = invitations
    log_in(client, "secretariat")
    export_id = _started(client, f"{PAGE}letters", {
        "kind": "letters", "invitation_draw": str(draw_id), "answers_until": "2100-01-31",
        "upload": (io.BytesIO(b"numero,nom\n1,Autre\n"), "other.csv")})
    export = _wait(app, export_id)
    assert export.state == "failed" and export.reason
    french = client.get(f"{PAGE}{export_id}?lang=fr").get_data(as_text=True)
    english = client.get(f"{PAGE}{export_id}?lang=en").get_data(as_text=True)
    assert "L’export a échoué" in french or "L'export a échoué" in french
    assert "The export failed" in english
    assert client.get(f"{PAGE}{export_id}/download").status_code == 404
    assert in_database(app, lambda s: s.scalar(select(func.count()).select_from(Invitation))) == 0


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_yearly_report_is_an_export_in_the_chosen_language(
        app: Flask, client: FlaskClient, invitations: tuple[int, Path], language: str) -> None:
    log_in(client, "secretariat")
    export_id = _started(client, f"{PAGE}report", {
        "year": "2025", "language": language, "format": "csv"})
    export = _wait(app, export_id)
    assert export.state == "done", export.reason
    download = client.get(f"{PAGE}{export_id}/download")
    body = download.data.decode("utf-8-sig")
    download.close()
    header = body.splitlines()[0]
    expected = {"fr": ";", "nl": ";", "en": ","}[language]
    assert expected in header
    listing = client.get(f"{PAGE}?lang={language}").get_data(as_text=True)
    assert f'href="/admin/exports/{export_id}"' in listing


def test_a_read_only_account_follows_exports_but_neither_starts_them_nor_reads_letters(
        app: Flask, client: FlaskClient, invitations: tuple[int, Path]) -> None:
    draw_id, mailmerge = invitations
    app.config[jobs.BROKER_SETTING] = "memory://"  # made at once, inside the request
    log_in(client, "secretariat")
    export_id = _started(client, f"{PAGE}letters", {
        "kind": "letters", "invitation_draw": str(draw_id), "answers_until": "2100-01-31",
        "upload": (io.BytesIO(mailmerge.read_bytes()), "mailmerge.csv")})
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, PAGE)})
    reader = app.test_client()
    log_in(reader, "read-only")
    assert reader.get(f"{PAGE}{export_id}").status_code == 200
    assert reader.get(f"{PAGE}{export_id}/download").status_code == 403
    assert reader.post(f"{PAGE}report", data={
        "csrf_token": csrf_token(reader, PAGE), "year": "2025", "language": "fr",
        "format": "csv"}).status_code == 403


def test_an_export_whose_worker_went_silent_is_queued_again(
        app: Flask, invitations: tuple[int, Path], instance: Path) -> None:
    def make(session):  # type: ignore[no-untyped-def]
        export = exports.start(session, exports.exports_root(instance), "report",
                               {"city": "paris", "year": 2025, "language": "fr",
                                "format": "markdown"}, actor="test")
        export.state, export.stage = "running", "report"
        export.heartbeat_at = utcnow() - dt.timedelta(minutes=5)
        return int(export.id)

    export_id = in_database(app, make)
    requeued = in_database(app, lambda s: exports.stale(s, utcnow(), dt.timedelta(seconds=20),
                                                        set()))
    assert requeued == [export_id]
    assert _export(app, export_id).state == "queued"
    # The next worker to take it makes it from its start.
    engine = make_engine(database_url(app))
    try:
        state = export_jobs.run(make_sessionmaker(engine), export_id, instance)
    finally:
        engine.dispose()
    assert state == "done"


def test_the_command_line_queues_letters_for_a_worker_or_makes_them_inline(
        app: Flask, invitations: tuple[int, Path], instance: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    draw_id, mailmerge = invitations
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", database_url(app))
    queued = CliRunner().invoke(main, ["letters", "generate", str(draw_id), str(mailmerge),
                                       "--until", "2100-01-31", "--url",
                                       "https://example.org/answer"])
    assert queued.exit_code == 0, queued.output
    export_id = int(queued.output.split()[1])
    shown = CliRunner().invoke(main, ["jobs", "show", str(export_id)])
    assert "queued; Waiting for a worker" in shown.output
    # A worker of the same queue (the instance folder's SQLite file) makes it.
    huey = jobs.queue_of(app)
    task = huey.dequeue()
    assert task is not None and task.name == "export"
    huey.execute(task)
    shown = CliRunner().invoke(main, ["jobs", "show", str(export_id)])
    assert "done; Done" in shown.output and "letters-" in shown.output
    fetched = CliRunner().invoke(main, ["jobs", "fetch", str(export_id), str(tmp_path)])
    assert fetched.exit_code == 0, fetched.output
    assert (tmp_path / f"letters-{draw_id}.zip").is_file()
    report = CliRunner().invoke(main, ["record", "report", "paris", "--year", "2025",
                                       "--queue"])
    assert report.exit_code == 0 and "queued" in report.output


def test_letters_are_deleted_the_day_after_their_last_day_to_answer(
        app: Flask, client: FlaskClient, invitations: tuple[int, Path], instance: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The letters' zip (residents' names and addresses) is kept until the last day to
    answer it announces; the daily ``privacy purge --due`` and the back office's purge
    delete it from the day after, audited by number and count, never by name."""
    from kleroterion.models import AuditEntry
    from kleroterion.services import privacy

    draw_id, mailmerge = invitations
    app.config[jobs.BROKER_SETTING] = "memory://"  # made at once, inside the request
    log_in(client, "secretariat")
    made = [_started(client, f"{PAGE}letters", {
        "kind": kind, "invitation_draw": str(draw_id), "answers_until": "2100-01-31",
        "url": "https://example.org/answer",
        "upload": (io.BytesIO(mailmerge.read_bytes()), "mailmerge.csv")})
        for kind in ("letters", "reminders")]
    assert [_export(app, i).state for i in made] == ["done", "done"]
    root = exports.exports_root(instance)
    assert all(exports.folder(root, i).is_dir() for i in made)
    # Kept until the last day to answer, that day included.
    assert in_database(app, lambda s: privacy.purge_letters(
        s, instance, today=dt.date(2100, 1, 31))) == 0
    kept = client.get(f"{PAGE}{made[0]}/download")
    assert kept.status_code == 200
    kept.close()

    # The back office's purge deletes them even while the mandate's purge is refused.
    monkeypatch.setenv("KLEROTERION_TODAY", "2100-02-01")
    first = made[0]

    def only_first(session):  # type: ignore[no-untyped-def]
        second = session.get(ExportJob, made[1])
        second.params = {**second.params, "answers_until": "2100-12-31"}
    in_database(app, only_first)
    response = client.post("/admin/personal-data/purge?lang=en",
                           data={"csrf_token": csrf_token(client, "/admin/personal-data/")})
    page = response.get_data(as_text=True)
    assert "The letters of 1 export past its last day to answer are deleted." in page
    assert not exports.folder(root, first).exists()
    assert exports.folder(root, made[1]).is_dir()
    assert client.get(f"{PAGE}{first}/download").status_code == 404
    assert "The file is no longer on the server." in client.get(
        f"{PAGE}{first}?lang=en").get_data(as_text=True)

    # The daily command deletes the other once its own day has passed, and says how many.
    monkeypatch.setenv("KLEROTERION_TODAY", "2101-01-01")
    monkeypatch.setenv("KLEROTERION_DATABASE_URL", database_url(app))
    result = CliRunner().invoke(main, ["privacy", "purge", "--due"])
    assert result.exit_code == 0, result.output
    assert "letters of 1 exports deleted" in result.output
    assert not exports.folder(root, made[1]).exists()
    again = CliRunner().invoke(main, ["privacy", "purge", "--due"])
    assert "letters of 0 exports deleted" in again.output

    entries = in_database(app, lambda s: [(e.entity_id, e.data) for e in s.scalars(
        select(AuditEntry).where(AuditEntry.entity == "export")
        .order_by(AuditEntry.seq))])
    assert [ident for ident, _data in entries] == [str(first), str(made[1])]
    assert all('"letters":12' in data.replace(" ", "") for _ident, data in entries)
    assert not any("Fictif" in data or "rue" in data for _ident, data in entries)
