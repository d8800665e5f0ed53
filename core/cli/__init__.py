"""The ``kleroterion`` command line: one click group; each concern adds its commands."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="kleroterion")
def main() -> None:
    """kleroterion: run a permanent citizens' assembly."""
