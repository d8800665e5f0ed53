"""The ``kleroterion`` command line: one click group; each concern adds its commands.

Every module listed in ``COMMAND_MODULES`` exposes ``COMMANDS``, a list of click
commands added to the group. City and extension plugins add theirs through the
``register_commands`` hook.
"""

from __future__ import annotations

import importlib

import click

COMMAND_MODULES = (
    "kleroterion.cli.sortition",
)


@click.group()
@click.version_option(package_name="kleroterion")
def main() -> None:
    """kleroterion: run a permanent citizens' assembly."""


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(_name).COMMANDS:
        main.add_command(_command)
