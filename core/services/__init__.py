"""The domain rules of a mandate, as plain functions over an SQLAlchemy session.

The CLI and the web app are thin shells over these functions. Each function checks
its input against the city's configuration and the database, raises a
:class:`~kleroterion.services.errors.ServiceError` with one clear sentence when it
cannot proceed, records every change in the audit log, and never commits: the
caller runs it inside :func:`kleroterion.db.session_scope`, so a failed command
leaves the database exactly as it was.

Modules: ``mandates`` (mandates and phases), ``recruitment`` (invitation draws,
respondents, volunteers), ``panel`` (panel and replacement draws), ``members``
(confirm, withdraw, history), ``bodies``, ``sessions`` (sessions and attendance),
``indemnities``, ``proposals``, ``followup``, ``privacy`` (purge, personal data
export), ``audit``, ``users``.
"""
