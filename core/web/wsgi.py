"""WSGI entry point for production servers: ``gunicorn 'kleroterion.web.wsgi:app'``.

The city comes from ``KLEROTERION_CITY`` and the instance folder from
``KLEROTERION_INSTANCE_PATH``; every worker builds the same app, and all sign
sessions with the instance folder's secret key.
"""

from __future__ import annotations

from kleroterion.web import create_app

app = create_app()
