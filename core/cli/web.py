"""Web commands: ``serve`` runs one city's site on this machine; ``demo`` shows one.

``kleroterion serve --city paris`` builds the city's app (its configuration checked
first, so a broken plugin stops here with one line) and serves it with Werkzeug's
threaded server on 127.0.0.1. That server is for one machine and a few users; in
production, run the WSGI entry point under gunicorn:

    KLEROTERION_CITY=paris gunicorn 'kleroterion.web.wsgi:app'

``kleroterion worker --city paris`` runs the jobs of the city's queue (panel draws,
letters and reports):
on any machine that reaches the database and the broker (``KLEROTERION_BROKER_URL``).

``kleroterion demo paris`` first creates (or reuses) a demo database of a simulated
mandate in the instance folder, then serves the site on it.
"""

from __future__ import annotations

import click
from kleroterion import plugins


def _app_or_fail(city: str, config: dict[str, object] | None = None) -> object:
    from kleroterion.services.engine import EngineSettingError
    from kleroterion.web import MissingCity, create_app

    try:
        return create_app(city, config)
    except (plugins.PluginError, plugins.UnknownCity, MissingCity,
            EngineSettingError) as error:
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


@click.command()
@click.argument("city")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
def demo(city: str, host: str, port: int) -> None:
    """Serve CITY's site on a simulated mandate (paris, poitiers, brussels or any city).

    The first run builds demo-CITY.sqlite3 in the instance folder (KLEROTERION_INSTANCE_PATH,
    or ./instance): a synthetic roll and invitation draw, respondents, the panel draw and
    its published lottery, sessions and attendance, acts at every stage and their
    follow-up. Later runs reuse it. Every run prints a fresh secretariat password.
    """
    from pathlib import Path

    from flask import Flask
    from kleroterion.services.errors import ServiceError
    from kleroterion.web.context import engine_of
    from kleroterion.web.demo import lottery_root, prepare

    # Plain http on this machine only: the cookies cannot require https here.
    app = _app_or_fail(city, {"SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False})
    assert isinstance(app, Flask)
    try:
        login = prepare(Path(app.instance_path), city, say=click.echo, engine=engine_of(app))
    except ServiceError as error:
        raise click.ClickException(f"the demo cannot be built: {error}") from None
    app.config["KLEROTERION_DATABASE_URL"] = login.database_url
    # Lottery folders are kept relative to the lottery root: the demo's own.
    app.config["KLEROTERION_LOTTERY_ROOT"] = str(lottery_root(Path(app.instance_path), city))
    what = "Built" if login.created else "Reusing"
    click.echo(f"{what} the demo database {login.database_url}")
    click.echo(f"Site: http://{host}:{port}/")
    click.echo(f"Secretariat login: {login.username} / {login.password}")
    click.echo("Press Ctrl+C to stop.")
    app.run(host=host, port=port, threaded=True, use_reloader=False, load_dotenv=False)


@click.command()
@click.option("--city", required=True, envvar="KLEROTERION_CITY", show_envvar=True,
              help="Slug of an installed city (see `kleroterion cities`).")
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Jobs run at once by this process (a draw uses one core).")
def worker(city: str, threads: int) -> None:
    """Run the jobs (panel draws, letters, reports) of CITY's queue until stopped.

    The queue is KLEROTERION_BROKER_URL (redis://HOST:PORT/DB in production), else the
    SQLite queue jobs.sqlite3 in the instance folder (KLEROTERION_INSTANCE_PATH, or
    ./instance). The database is KLEROTERION_DATABASE_URL, as for the site. Run as
    many workers, on as many machines, as the draws need; a draw whose worker stopped
    is taken up again by another within a minute. SIGINT waits for the jobs under way,
    SIGTERM stops at once (an interrupted draw is computed again from its start).
    """
    from flask import Flask
    from kleroterion.jobs import BrokerError, broker_url
    from kleroterion.jobs import worker as job_worker
    from kleroterion.observability import configure_logging

    app = _app_or_fail(city)
    assert isinstance(app, Flask)
    configure_logging(app.config.get("KLEROTERION_LOG_FORMAT"),
                      app.config.get("KLEROTERION_LOG_LEVEL"))
    url = broker_url(app)
    shown = url.split("@")[-1]  # never print a password from the URL
    click.echo(f"Worker of {city}: queue {shown}, {threads} job thread(s). Ctrl+C to stop.")
    try:
        job_worker.run(app, threads)
    except BrokerError as error:
        raise click.ClickException(str(error)) from None


COMMANDS: list[click.Command] = [serve, worker, demo]
