"""The ``kleroterion`` command line: one click group; each concern adds its commands.

Every module listed in ``COMMAND_MODULES`` exposes ``COMMANDS``, a list of click
commands added to the group. City and extension plugins add theirs through the
``register_commands`` hook.

The group is lazy (click's documented "lazy loading of subcommands" pattern):
``COMMAND_INDEX`` names each core command's module, and that module is imported only
when the command runs or its help is shown, so ``kleroterion invite`` never loads the
web application, the database layer or the solver. ``kleroterion --help`` lists the
core commands from their summaries (:mod:`kleroterion.cli.summaries`) and loads only
the plugins' commands. Tests check that the index names exactly the commands of
``COMMAND_MODULES`` and that every summary is its command's.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping

import click
from kleroterion.cli.summaries import SUMMARIES

COMMAND_MODULES = (
    "kleroterion.cli.cities",
    "kleroterion.cli.sortition",
    "kleroterion.cli.newcity",
    "kleroterion.cli.web",
    "kleroterion.cli.lifecycle",
    "kleroterion.cli.observatory",
    "kleroterion.cli.letters",
    "kleroterion.cli.record",
    "kleroterion.cli.exports",
    "kleroterion.cli.subject_commands",
)

#: Each core command, in ``COMMAND_MODULES`` order: the module whose ``COMMANDS`` holds it.
COMMAND_INDEX: dict[str, str] = {
    "cities": "kleroterion.cli.cities",
    "plugins": "kleroterion.cli.cities",
    "compare": "kleroterion.cli.cities",
    "docs": "kleroterion.cli.cities",
    "invite": "kleroterion.cli.sortition",
    "select": "kleroterion.cli.sortition",
    "draw": "kleroterion.cli.sortition",
    "verify": "kleroterion.cli.sortition",
    "new-city": "kleroterion.cli.newcity",
    "serve": "kleroterion.cli.web",
    "worker": "kleroterion.cli.web",
    "demo": "kleroterion.cli.web",
    "db": "kleroterion.cli.lifecycle",
    "mandate": "kleroterion.cli.lifecycle",
    "invitations": "kleroterion.cli.lifecycle",
    "respondents": "kleroterion.cli.lifecycle",
    "panel": "kleroterion.cli.lifecycle",
    "member": "kleroterion.cli.lifecycle",
    "body": "kleroterion.cli.lifecycle",
    "session": "kleroterion.cli.lifecycle",
    "attendance": "kleroterion.cli.lifecycle",
    "indemnity": "kleroterion.cli.lifecycle",
    "proposal": "kleroterion.cli.lifecycle",
    "followup": "kleroterion.cli.lifecycle",
    "audit": "kleroterion.cli.lifecycle",
    "privacy": "kleroterion.cli.lifecycle",
    "user": "kleroterion.cli.lifecycle",
    "observatory": "kleroterion.cli.observatory",
    "letters": "kleroterion.cli.letters",
    "record": "kleroterion.cli.record",
    "jobs": "kleroterion.cli.exports",
    "subject": "kleroterion.cli.subject_commands",
}


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands, each loaded from its module the first time it is looked up.

    Names come from ``index`` without importing anything; commands added later (by
    plugins, or tests) are kept as given. ``dict(commands)`` loads every module.
    """

    def __init__(self, index: dict[str, str]) -> None:
        self._index = dict(index)
        self._loaded: dict[str, click.Command] = {}

    def _load(self, name: str) -> click.Command:
        module = importlib.import_module(self._index[name])
        for command in module.COMMANDS:
            if command.name in self._index and command.name not in self._loaded:
                self._loaded[command.name] = command
        if name not in self._loaded:
            raise LookupError(f"{self._index[name]} has no command {name!r} in its COMMANDS")
        return self._loaded[name]

    def __getitem__(self, name: str) -> click.Command:
        if name in self._loaded:
            return self._loaded[name]
        if name in self._index:
            return self._load(name)
        raise KeyError(name)

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._index.pop(name, None)
        self._loaded.pop(name, None)

    def is_loaded(self, name: str) -> bool:
        return name in self._loaded

    def __contains__(self, name: object) -> bool:
        return name in self._index or name in self._loaded

    def __iter__(self) -> Iterator[str]:
        yield from self._index
        yield from (name for name in self._loaded if name not in self._index)

    def __len__(self) -> int:
        return len(self._index) + sum(1 for name in self._loaded if name not in self._index)


class KleroterionGroup(click.Group):
    """The main group; plugins' commands are added the first time a command is looked up
    that the core does not have, or when every command is listed."""

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

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's, but a core command not loaded yet is listed from its summary,
        without importing its module: ``kleroterion --help`` stays fast."""
        commands = self.commands
        listed: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            lazy = isinstance(commands, LazyCommands) and not commands.is_loaded(name)
            if lazy and name in SUMMARIES:
                command: click.Command | None = click.Command(name, help=SUMMARIES[name])
            else:
                command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                listed.append((name, command))
        if listed:
            limit = formatter.width - 6 - max(len(name) for name, _ in listed)
            with formatter.section("Commands"):
                formatter.write_dl([(name, c.get_short_help_str(limit)) for name, c in listed])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None:
            self._load_plugin_commands()
            command = super().get_command(ctx, cmd_name)
        return command


@click.group(cls=KleroterionGroup, commands=LazyCommands(COMMAND_INDEX))
@click.version_option(package_name="kleroterion")
def main() -> None:
    """kleroterion: run a permanent citizens' assembly.

    Set KLEROTERION_TRACE_HOOKS=1 to print every plugin hook call on stderr.
    """
    from kleroterion import logsafe

    logsafe.install()
