"""Alembic migrations of the kleroterion schema, shipped with the package.

Run them with ``kleroterion db upgrade`` or :func:`kleroterion.db.upgrade`.
"""
