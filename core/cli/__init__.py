"""The ``kleroterion`` command line: one click group; each concern adds its commands.

Every module listed in ``COMMAND_MODULES`` exposes ``COMMANDS``, a list of click
commands added to the group. City and extension plugins add theirs through the
``register_commands`` hook.
"""

from __future__ import annotations

import importlib

import click

COMMAND_MODULES = (
    "kleroterion.cli.cities",
    "kleroterion.cli.sortition",
    "kleroterion.cli.newcity",
    "kleroterion.cli.web",
    "kleroterion.cli.lifecycle",
    "kleroterion.cli.record",
)


class KleroterionGroup(click.Group):
    """The main group; plugins' commands are added the first time a command is looked up."""

    plugin_commands_loaded = False

    def _load_plugin_commands(self) -> None:
        if self.plugin_commands_loaded:
            return
        self.plugin_commands_loaded = True
        from kleroterion import plugins

        try:
            manager = plugins.manager_of_all()
        except plugins.PluginError:
            # Commands that need the plugins report the error themselves, clearly.
            return
        manager.hook.register_commands(cli=self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None:
            self._load_plugin_commands()
            command = super().get_command(ctx, cmd_name)
        return command


@click.group(cls=KleroterionGroup)
@click.version_option(package_name="kleroterion")
def main() -> None:
    """kleroterion: run a permanent citizens' assembly.

    Set KLEROTERION_TRACE_HOOKS=1 to print every plugin hook call on stderr.
    """


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(_name).COMMANDS:
        main.add_command(_command)
