"""Commands about installed plugins and cities: ``cities``, ``plugins``, ``compare``, ``docs``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from kleroterion import compare as comparison
from kleroterion import docs as generated_docs
from kleroterion import plugins
from kleroterion.city.types import localize


def _fail(error: Exception) -> click.ClickException:
    return click.ClickException(str(error))


@click.command()
def cities() -> None:
    """List the installed cities: slug, name and the plugin that provides each."""
    try:
        installed = plugins.installed_cities()
        for slug in installed:
            city = plugins.load_city(slug)
            profile = city.config.profile
            click.echo(
                f"{slug:<12} {localize(profile.name, profile.languages[0])}"
                f"  ({city.plugin.distribution or city.plugin.name}"
                f" {city.plugin.version}, plugin {city.plugin.name})"
            )
    except (plugins.PluginError, plugins.UnknownCity) as error:
        raise _fail(error) from None


@click.command(name="plugins")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
def plugins_command(fmt: str) -> None:
    """List every plugin: name, distribution, version, kind and the hooks it implements."""
    try:
        rows = [
            {
                "name": plugin.name,
                "distribution": plugin.distribution,
                "version": plugin.version,
                "kind": "city" if plugin.is_city else "extension",
                "hooks": plugins.plugin_hooks(plugin),
            }
            for plugin in plugins.discover()
        ]
    except plugins.PluginError as error:
        raise _fail(error) from None
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['name']} ({row['distribution']} {row['version']}, {row['kind']})")
        click.echo(f"  hooks: {', '.join(row['hooks']) or 'none'}")


@click.command(name="compare")
@click.argument("sources", nargs=-1, required=True, metavar="CITY_OR_ADDRESS...")
@click.option(
    "--lang",
    "language",
    type=click.Choice(["fr", "en", "nl"]),
    default="fr",
    show_default=True,
    help="The language of the comparison's words, numbers and dates.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(comparison.FORMATS),
    default="text",
    show_default=True,
    help="text: a table for the terminal; markdown, json, csv: the same content, with each "
    "fact's status and sources (json and csv: typed values).",
)
@click.option(
    "--width",
    type=click.IntRange(60, 400),
    default=None,
    help="Width of the text table (default: the terminal's).",
)
def compare_command(sources: tuple[str, ...], language: str, fmt: str,
                    width: int | None) -> None:
    """Compare cities on the practitioners' questions: indemnity, accountability and
    follow-up, experts and stakeholders, sortition and engagement, work with elected
    officials and agents, legal basis, budget and staff, term and renewal.

    Each source is a city installed here (its slug) or another instance's API address
    (https://…/api), read from its open data. A cell says "unknown" when no source
    says the fact; an instance that cannot be read is named with its reason, and the
    others are compared all the same (the command then exits with status 1).

    Example: kleroterion compare paris poitiers brussels --lang en --format markdown
    """
    try:
        table = comparison.collect(sources)
    except (plugins.PluginError, plugins.UnknownCity) as error:
        raise _fail(error) from None
    words = comparison.Words(language)
    if fmt == "text":
        import shutil

        text = comparison.to_text(table, words, width or shutil.get_terminal_size().columns)
    else:
        text = comparison.RENDERERS[fmt](table, words)
    click.echo(text, nl=False)
    if len(table.read) < len(table.columns):
        raise click.exceptions.Exit(1)


@click.command(name="docs")
@click.argument("which", type=click.Choice(sorted(generated_docs.GENERATED)))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Exit with an error when the file given with --output is out of date.",
)
def docs_command(which: str, output: Path | None, check: bool) -> None:
    """Generate a reference page: hooks (docs/hooks.md), cli (docs/cli.md), cities
    (docs/cities.md) or configuration (docs/configuration.md)."""
    try:
        text = generated_docs.GENERATED[which]()
    except (plugins.PluginError, plugins.UnknownCity) as error:
        raise _fail(error) from None
    if output is None:
        click.echo(text, nl=False)
    elif check:
        if not output.exists() or output.read_text(encoding="utf-8") != text:
            raise click.ClickException(
                f"{output} is out of date; run: kleroterion docs {which} -o {output}"
            )
    else:
        output.write_text(text, encoding="utf-8")


COMMANDS: list[click.Command] = [cities, plugins_command, compare_command, docs_command]
