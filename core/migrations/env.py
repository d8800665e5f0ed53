"""Alembic environment: runs the shipped migrations against the configured database.

A caller may hand over an open connection in ``config.attributes["connection"]``
(tests do, to migrate a per-test PostgreSQL schema); otherwise the URL of the
configuration is used. SQLite gets batch mode, since it cannot alter constraints
in place.
"""

from __future__ import annotations

from alembic import context
from kleroterion.db import make_engine
from kleroterion.models import Base
from sqlalchemy import Connection

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
