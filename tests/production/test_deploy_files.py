"""The deployment files say only what exists: every command and setting they name.

deploy/ (the compose file, the container image, the systemd units, Caddy's files, the
backup scripts) and docs/hosting.md are read as text: every ``kleroterion ...`` command
line they give must be a command of the CLI with options it has, gunicorn's target
must be the WSGI module's ``app``, and every ``KLEROTERION_*`` variable they name must
be read from the environment by the code (core/, or gunicorn.conf.py), or by Caddy
(``{$NAME}`` in a Caddyfile) where only the proxy uses it. Nothing is run: there is no
container engine on a test machine (tests/production/test_topology.py runs the
processes themselves).
"""

from __future__ import annotations

import ast
import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import yaml
from kleroterion.cli import main

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
HOSTING = ROOT / "docs" / "hosting.md"
VARIABLE = re.compile(r"\bKLEROTERION_[A-Z0-9_]*[A-Z0-9]\b")


def _deploy_files() -> list[Path]:
    return sorted(p for p in DEPLOY.rglob("*") if p.is_file())


def _environment_reads(path: Path) -> set[str]:
    """The names a Python file reads from the environment: ``os.environ.get(X)``,
    ``os.environ[X]``, ``os.getenv(X)``, ``envvar=X``, X a literal or a module constant."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants: dict[str, str] = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = node.value.value
        elif (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
              and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            constants[node.target.id] = node.value.value

    def value(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return constants.get(node.id)
        if isinstance(node, ast.Attribute):  # a constant of another module: its name
            return _imported_constants().get(node.attr)
        return None

    def environ(node: ast.AST) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
            isinstance(node, ast.Name) and node.id == "environ")

    read: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if isinstance(func, ast.Attribute) and (
                    (func.attr in ("get", "setdefault", "pop") and environ(func.value))
                    or func.attr == "getenv"):
                name = value(node.args[0])
                if name:
                    read.add(name)
        if isinstance(node, ast.Subscript) and environ(node.value):
            name = value(node.slice)
            if name:
                read.add(name)
        if isinstance(node, ast.keyword) and node.arg == "envvar":
            name = value(node.value)
            if name:
                read.add(name)
        if isinstance(node, ast.Call) and node.args:
            # app.config.get(SETTING) or os.environ.get(SETTING): the helpers the
            # settings go through (``_setting(app, NAME)``) pass the name on.
            for arg in node.args:
                name = value(arg)
                if name and name.startswith("KLEROTERION_") and _passes_to_environ(tree):
                    read.add(name)
    return read


_CONSTANTS: dict[str, str] = {}


def _imported_constants() -> dict[str, str]:
    if not _CONSTANTS:
        for path in (ROOT / "core").rglob("*.py"):
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                        and isinstance(node.value.value, str)
                        and node.value.value.startswith("KLEROTERION_")):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            _CONSTANTS[target.id] = node.value.value
    return _CONSTANTS


def _passes_to_environ(tree: ast.AST) -> bool:
    """Whether a module has a function that reads ``os.environ`` with a parameter."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            params = {a.arg for a in node.args.args}
            for inner in ast.walk(node):
                if (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute)
                        and inner.func.attr == "get" and inner.args
                        and isinstance(inner.func.value, ast.Attribute)
                        and inner.func.value.attr == "environ"
                        and isinstance(inner.args[0], ast.Name)
                        and inner.args[0].id in params):
                    return True
    return False


def _read_by_code() -> set[str]:
    read: set[str] = set()
    for path in [*(ROOT / "core").rglob("*.py"), DEPLOY / "gunicorn.conf.py"]:
        read |= _environment_reads(path)
    return read


def _read_by_caddy() -> set[str]:
    return {name for path in DEPLOY.glob("Caddyfile*")
            for name in re.findall(r"\{\$(KLEROTERION_[A-Z0-9_]+)", path.read_text())}


def _named() -> dict[str, set[str]]:
    """Every KLEROTERION_* name in deploy/ and docs/hosting.md, with the files naming it."""
    named: dict[str, set[str]] = {}
    for path in [*_deploy_files(), HOSTING]:
        for name in VARIABLE.findall(path.read_text(encoding="utf-8")):
            named.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return named


def test_every_setting_the_deployment_names_is_read() -> None:
    read = _read_by_code() | _read_by_caddy()
    named = _named()
    assert {"KLEROTERION_DATABASE_URL", "KLEROTERION_BROKER_URL", "KLEROTERION_CITY",
            "KLEROTERION_BIND"} <= set(named)
    unread = {name: sorted(files) for name, files in named.items()
              if name not in read}
    assert not unread, f"named in the deployment but read by nothing: {unread}"


def test_the_reading_of_settings_is_detected() -> None:
    """The check above would catch a setting nobody reads (and sees the real ones)."""
    read = _read_by_code()
    assert "KLEROTERION_BROKER_URL" in read and "KLEROTERION_LOG_FORMAT" in read
    assert "KLEROTERION_WEB_WORKERS" in read  # gunicorn.conf.py
    assert "KLEROTERION_NO_SUCH_SETTING" not in read


# -- commands ---------------------------------------------------------------------


def _command_lines() -> Iterator[tuple[str, list[str]]]:
    """(where, argv) of every command the deployment files and the hosting guide give."""
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    for name, service in compose["services"].items():
        for key in ("command", "entrypoint"):
            if isinstance(service.get(key), list):
                yield f"compose.yaml {name}", [str(a) for a in service[key]]
        test = (service.get("healthcheck") or {}).get("test")
        if isinstance(test, list) and test[:1] == ["CMD"]:
            yield f"compose.yaml {name} healthcheck", [str(a) for a in test[1:]]
    for line in (DEPLOY / "Containerfile").read_text().splitlines():
        if line.startswith(("CMD ", "ENTRYPOINT ")):
            yield "Containerfile", json.loads(line.split(" ", 1)[1])
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                yield unit.name, shlex.split(line.removeprefix("ExecStart="))
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in _deploy_files()
             if p.suffix in ("", ".sh", ".yaml", ".service", ".example")]
    for where, text in texts:
        for line in text.splitlines():
            yield from _commands_in(where, line.lstrip("#").strip())
    markdown = HOSTING.read_text(encoding="utf-8")
    for block in re.findall(r"```[a-z]*\n(.*?)```", markdown, flags=re.S):
        for line in block.splitlines():
            yield from _commands_in("docs/hosting.md", line.strip())
    prose = re.sub(r"```.*?```", "", markdown, flags=re.S).replace("\n", " ")
    for span in re.findall(r"`([^`]+)`", prose):
        yield from _commands_in("docs/hosting.md", span)


def _commands_in(where: str, text: str) -> Iterator[tuple[str, list[str]]]:
    """The ``kleroterion ...`` command a shell line (or a code span) runs, if any."""
    text = text.split(" #")[0]
    # At the start of the line (after sudo), as a path, or run in a compose service.
    found = re.search(r"(?:^(?:sudo (?:-\S+ )*(?:-u \S+ )?)?|/|(?:run --rm|exec) \S+ )"
                      r"kleroterion ([a-z][\w-]*(?: [^|;&]*)?)$", text)
    if found is None:
        return
    words = shlex.split(found.group(1), comments=False)
    yield where, ["kleroterion", *words]


def _resolve(argv: list[str]) -> tuple[click.Command, list[str]]:
    """The click command an argv names, and the arguments left for it."""
    command: click.Command = main
    ctx = click.Context(main)
    rest = argv[1:]
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        found = command.get_command(ctx, rest[0])
        assert found is not None, f"no command {rest[0]!r} in `{' '.join(argv)}`"
        command, rest = found, rest[1:]
    return command, rest


def test_every_kleroterion_command_of_the_deployment_exists_with_its_options() -> None:
    seen = []
    for where, argv in _command_lines():
        if Path(argv[0]).name != "kleroterion":
            continue
        command, rest = _resolve(argv)
        assert not isinstance(command, click.Group) or not rest, (where, argv)
        known = {opt for param in command.params for opt in param.opts + param.secondary_opts}
        for word in rest:
            if word.startswith("--"):
                assert word.split("=")[0] in known, f"{where}: `{' '.join(argv)}` has no {word}"
        seen.append(" ".join(argv[:3]))
    assert any(line.startswith("kleroterion worker") for line in seen)
    assert any(line.startswith("kleroterion db upgrade") for line in seen)


def test_gunicorn_serves_the_wsgi_app_with_the_shipped_settings() -> None:
    targets = [(where, argv) for where, argv in _command_lines()
               if Path(argv[0]).name == "gunicorn"]
    assert targets, "no gunicorn command in the deployment"
    wsgi = ast.parse((ROOT / "core" / "web" / "wsgi.py").read_text())
    assigned = {t.id for node in wsgi.body if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)}
    for where, argv in targets:
        assert argv[-1] == "kleroterion.web.wsgi:app" and "app" in assigned, where
        config = argv[argv.index("--config") + 1]
        assert Path(config).name == "gunicorn.conf.py", where
    compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec")


@pytest.mark.parametrize("unknown", [["kleroterion", "no-such-command"],
                                     ["kleroterion", "db", "no-such-step"]])
def test_a_command_that_does_not_exist_is_caught(unknown: list[str]) -> None:
    with pytest.raises(AssertionError):
        _resolve(unknown)
