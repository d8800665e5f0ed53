"""Web commands: ``serve`` runs one city's site on this machine.

``kleroterion serve --city paris`` builds the city's app (its configuration checked
first, so a broken plugin stops here with one line) and serves it with Werkzeug's
threaded server on 127.0.0.1. That server is for one machine and a few users; in
production, run the WSGI entry point under gunicorn:

    KLEROTERION_CITY=paris gunicorn 'kleroterion.web.wsgi:app'
"""

from __future__ import annotations

import click
from kleroterion import plugins


def _app_or_fail(city: str) -> object:
    from kleroterion.web import MissingCity, create_app

    try:
        return create_app(city)
    except (plugins.PluginError, plugins.UnknownCity, MissingCity) as error:
        raise click.ClickException(str(error)) from None


@click.command()
@click.option("--city", required=True, envvar="KLEROTERION_CITY", show_envvar=True,
              help="Slug of an installed city (see `kleroterion cities`).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; keep the loopback unless a proxy sits in front.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
def serve(city: str, host: str, port: int) -> None:
    """Serve the site of CITY (public pages, JSON API) on HOST:PORT.

    The instance folder (secret key, database) is KLEROTERION_INSTANCE_PATH, or
    ./instance. For production use gunicorn with kleroterion.web.wsgi:app.
    """
    from flask import Flask

    app = _app_or_fail(city)
    assert isinstance(app, Flask)
    click.echo(f"Serving {city} on http://{host}:{port}/ (instance folder {app.instance_path})")
    click.echo("Press Ctrl+C to stop. In production, run kleroterion.web.wsgi:app under gunicorn.")
    app.run(host=host, port=port, threaded=True, use_reloader=False, load_dotenv=False)


COMMANDS: list[click.Command] = [serve]
