"""The lazy command group: each command loads only its own module, and none is lost."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner
from kleroterion.cli import COMMAND_INDEX, COMMAND_MODULES, LazyCommands, main
from kleroterion.cli.summaries import SUMMARIES


def test_the_index_names_exactly_the_commands_of_every_module() -> None:
    declared = {
        command.name: module
        for module in COMMAND_MODULES
        for command in importlib.import_module(module).COMMANDS
    }
    assert declared == COMMAND_INDEX


def test_help_lists_every_command_with_its_short_help() -> None:
    output = CliRunner().invoke(main, ["--help"]).output
    for name, module in COMMAND_INDEX.items():
        command = next(c for c in importlib.import_module(module).COMMANDS if c.name == name)
        assert f"  {name} " in output
        assert command.get_short_help_str(limit=45)[:20] in output


def test_every_summary_gives_its_commands_short_help_at_any_width() -> None:
    """``--help`` lists core commands from their summaries: each must read as its command."""
    assert set(SUMMARIES) == set(COMMAND_INDEX)
    for name, module in COMMAND_INDEX.items():
        command = next(c for c in importlib.import_module(module).COMMANDS if c.name == name)
        stand_in = click.Command(name, help=SUMMARIES[name])
        for limit in (20, 45, 60, 80, 200):
            assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit), name


def test_lazy_commands_load_one_module_and_keep_added_commands() -> None:
    commands = LazyCommands({"cities": "kleroterion.cli.cities", "serve": "kleroterion.cli.web"})
    assert list(commands) == ["cities", "serve"] and len(commands) == 2
    assert commands["cities"].name == "cities"
    extra = click.Command("extra")
    commands["extra"] = extra
    assert list(commands) == ["cities", "serve", "extra"] and commands["extra"] is extra
    del commands["serve"]
    assert "serve" not in commands and len(commands) == 2


_IMPORTED = """
import json, sys
{code}
print(json.dumps([m for m in ("flask", "sqlalchemy", "highspy", "numpy") if m in sys.modules]))
"""


def _heavy_modules_after(code: str) -> list[str]:
    output = subprocess.run(
        [sys.executable, "-c", _IMPORTED.format(code=code)],
        check=True, capture_output=True, text=True,
    ).stdout
    loaded: list[str] = json.loads(output.splitlines()[-1])
    return loaded


def test_invite_loads_neither_the_web_nor_the_database_nor_the_solver() -> None:
    run_help = (
        "from kleroterion.cli import main\n"
        "try:\n    main(['invite', '--help'])\nexcept SystemExit:\n    pass"
    )
    assert _heavy_modules_after(run_help) == []
    assert _heavy_modules_after("import kleroterion.sortition.invitation") == []
    assert _heavy_modules_after("import kleroterion.cli.sortition") == []
    # The check can fail: the select command does load the solver when it runs.
    assert "highspy" in _heavy_modules_after("import kleroterion.sortition.highs")


def test_the_list_of_commands_loads_neither_the_web_nor_the_database_nor_the_solver() -> None:
    run_help = (
        "from kleroterion.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert _heavy_modules_after(run_help) == []


def test_a_lazy_group_still_takes_plugin_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    from kleroterion import hookimpl, plugins
    from kleroterion.cli import KleroterionGroup

    class Extension:
        @hookimpl
        def register_commands(self, cli: click.Group) -> None:
            @cli.command(name="hello-city")
            def hello() -> None:
                """Say hello."""
                click.echo("bonjour")

    available = [*plugins.discover(), plugins.Plugin(name="hello", obj=Extension())]
    monkeypatch.setattr(plugins, "discover", lambda: available)
    group = KleroterionGroup(name="kleroterion", commands=LazyCommands(COMMAND_INDEX))
    runner = CliRunner()
    # A core command is found without loading the plugins...
    assert runner.invoke(group, ["invite", "--help"]).exit_code == 0
    assert not group.plugin_commands_loaded
    # ...a plugin's command when it is asked for, and both are listed.
    result = runner.invoke(group, ["hello-city"])
    assert result.exit_code == 0 and result.output == "bonjour\n"
    listing = runner.invoke(group, ["--help"]).output
    assert "hello-city" in listing and "invite" in listing and "verify" in listing
