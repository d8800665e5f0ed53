"""The Alembic migrations build exactly the schema the models declare, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from kleroterion import db
from kleroterion.models import Base
from sqlalchemy import inspect


def test_migrations_and_models_agree(database_url: str) -> None:
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
    head = ScriptDirectory.from_config(db.alembic_config(database_url)).get_current_head()
    assert db.current_revision(database_url) == head


def test_upgrade_is_idempotent_and_downgrade_removes_everything(database_url: str) -> None:
    db.upgrade(database_url)
    db.upgrade(database_url)
    command.downgrade(db.alembic_config(database_url), "base")
    engine = db.make_engine(database_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    assert db.current_revision(database_url) is None


def test_default_database_is_sqlite_in_the_instance_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(db.DATABASE_URL_VARIABLE, raising=False)
    monkeypatch.setenv(db.INSTANCE_PATH_VARIABLE, str(tmp_path / "inst"))
    assert db.database_url() == f"sqlite:///{tmp_path / 'inst' / db.SQLITE_FILENAME}"
    db.upgrade()
    assert (tmp_path / "inst" / db.SQLITE_FILENAME).exists()
    monkeypatch.setenv(db.DATABASE_URL_VARIABLE, "postgresql+psycopg://u@h/d")
    assert db.database_url() == "postgresql+psycopg://u@h/d"
