"""``kleroterion new-city``: scaffold a new municipality's city plugin from cookiecutter-city.

A thin shell over ``cookiecutter.main.cookiecutter`` on the template shipped with
kleroterion: it asks the template's questions (or reads them from ``--answers``,
``--config-file`` and ``QUESTION=ANSWER`` arguments), lets the template's
pre-generation hook refuse impossible answers, and says what to do next. The
template is found in the installed package (a wheel ships it as
``kleroterion/cookiecutter_city``) or, from a source checkout, beside ``core/``.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

import click

TEMPLATE_PACKAGE_DIR = "cookiecutter_city"  # where pyproject.toml puts it in a wheel
TEMPLATE_CHECKOUT_DIR = "cookiecutter-city"  # where it lives in the repository
ANSWERS_FILE = "new-city-answers.json"  # refused answers, kept to be corrected
LANGUAGES = ("fr", "en")  # the languages the questions are written in


def template_path() -> Path:
    """The cookiecutter-city template: packaged with kleroterion, else in the checkout."""
    import kleroterion

    package = Path(kleroterion.__file__).resolve().parent
    for candidate in (package / TEMPLATE_PACKAGE_DIR, package.parent / TEMPLATE_CHECKOUT_DIR):
        if (candidate / "cookiecutter.json").is_file():
            return candidate
    raise click.ClickException(
        f"the cookiecutter-city template is missing: looked in {package / TEMPLATE_PACKAGE_DIR} "
        f"and {package.parent / TEMPLATE_CHECKOUT_DIR}; reinstall kleroterion"
    )


def questions(template: Path) -> list[str]:
    """The questions the template asks, in order (its cookiecutter.json's public keys)."""
    context = json.loads((template / "cookiecutter.json").read_text(encoding="utf-8"))
    return [key for key in context if not key.startswith("_")]


def _answers(answers_file: Path | None, pairs: tuple[str, ...], known: list[str]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    if answers_file is not None:
        try:
            loaded = json.loads(answers_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise click.BadParameter(f"{answers_file}: {error}", param_hint="--answers") from None
        if not isinstance(loaded, dict):
            raise click.BadParameter(
                f"{answers_file}: expected a JSON object of question: answer",
                param_hint="--answers",
            )
        answers.update(loaded)
    for pair in pairs:
        question, sign, answer = pair.partition("=")
        if not sign:
            raise click.BadParameter(f"{pair!r} is not QUESTION=ANSWER", param_hint="QUESTION")
        answers[question.strip()] = answer
    # cookiecutter silently ignores unknown questions; a misspelt one must not be lost.
    unknown = [question for question in answers if question not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown question {', '.join(map(repr, unknown))}; the questions are: "
            f"{', '.join(known)}",
            param_hint="QUESTION",
        )
    return answers


def _save_answers(template: Path, config_file: Path | None, output_dir: Path) -> Path | None:
    """Keep refused answers (cookiecutter's replay of them) so that nobody answers twice."""
    from cookiecutter.config import get_user_config
    from cookiecutter.replay import load

    try:
        config = get_user_config(config_file=str(config_file) if config_file else None)
        context = load(config["replay_dir"], template.name)["cookiecutter"]
    except (OSError, ValueError, KeyError):
        return None
    answers = {key: value for key, value in context.items() if not key.startswith("_")}
    path = output_dir / ANSWERS_FILE
    path.write_text(json.dumps(answers, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


@click.command(name="new-city")
@click.argument("pairs", nargs=-1, metavar="[QUESTION=ANSWER]...")
@click.option("--no-input", is_flag=True,
              help="Ask nothing: take the answers given, else the template's defaults.")
@click.option("--output-dir", "-o", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True,
              help="Where to create the kleroterion-<slug> project folder.")
@click.option("--answers", "answers_file", type=click.Path(exists=True, dir_okay=False,
              path_type=Path),
              help="A JSON file of answers, such as the cookiecutter-answers.json of a plugin "
              "generated before.")
@click.option("--config-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A cookiecutter user configuration file (YAML); its default_context "
              "gives default answers.")
@click.option("--overwrite", is_flag=True,
              help="Write into an existing project folder, replacing the generated files.")
@click.option("--list-questions", is_flag=True,
              help="Print the questions the template asks, then stop.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="fr", show_default=True,
              help="The language the questions are asked in.")
def new_city(
    pairs: tuple[str, ...],
    no_input: bool,
    output_dir: Path,
    answers_file: Path | None,
    config_file: Path | None,
    overwrite: bool,
    list_questions: bool,
    lang: str,
) -> None:
    """Create a city plugin for a new municipality, from a few questions.

    The questions are asked in French (--lang en: in English); the answers become the
    city's data file, src/<package>/city.toml. The project it creates installs beside
    kleroterion and passes its own tests:

        kleroterion new-city
        cd kleroterion-<slug> && pip install -e ".[test]" && pytest
        kleroterion compare <slug> paris poitiers brussels

    Answers may be given ahead, e.g. kleroterion new-city city_name=Lorient seats=60.
    docs/new-city.md explains every question.
    """
    template = template_path()
    known = questions(template)
    if list_questions:
        click.echo("\n".join(known))
        return
    extra_context = _answers(answers_file, pairs, known)
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        asked = template if lang == "fr" else _in_language(template, lang, Path(scratch))
        _bake(asked, template, no_input, extra_context, output_dir, config_file, overwrite)


def _in_language(template: Path, lang: str, scratch: Path) -> Path:
    """A copy of the template whose questions are those of ``prompts-<lang>.json``.

    cookiecutter reads its prompts from cookiecutter.json only: the French ones live
    there, the others beside it.
    """
    copy = scratch / template.name
    shutil.copytree(template, copy, ignore=shutil.ignore_patterns("__pycache__"))
    context = json.loads((copy / "cookiecutter.json").read_text(encoding="utf-8"))
    context["__prompts__"] = json.loads(
        (template / f"prompts-{lang}.json").read_text(encoding="utf-8"))
    (copy / "cookiecutter.json").write_text(
        json.dumps(context, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return copy


def _bake(template: Path, original: Path, no_input: bool, extra_context: dict[str, Any],
          output_dir: Path, config_file: Path | None, overwrite: bool) -> None:
    from cookiecutter.exceptions import (
        CookiecutterException,
        FailedHookException,
        OutputDirExistsException,
    )
    from cookiecutter.main import cookiecutter

    # The hook prints why it refuses; cookiecutter's own traceback of it would bury that.
    quiet = logging.getLogger("cookiecutter")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    try:
        project = cookiecutter(
            str(template),
            no_input=no_input,
            extra_context=extra_context,
            output_dir=str(output_dir),
            config_file=str(config_file) if config_file else None,
            overwrite_if_exists=overwrite,
        )
    except FailedHookException:
        # The hook has printed each refused answer on stderr already.
        saved = _save_answers(original, config_file, output_dir)
        again = (f"; your answers are in {saved}: correct them, then run\n"
                 f"  kleroterion new-city --no-input --answers {saved}") if saved else ""
        raise click.ClickException(
            f"the answers were refused (see above); no project was created{again}"
        ) from None
    except OutputDirExistsException as error:
        raise click.ClickException(
            f"{error}; choose another --output-dir or add --overwrite"
        ) from None
    except (CookiecutterException, ValueError) as error:
        # ValueError: an answer outside a multiple-choice question's options.
        raise click.ClickException(str(error)) from None
    slug = json.loads((Path(project) / "cookiecutter-answers.json").read_text("utf-8"))["slug"]
    click.echo(f"Created {project}")
    click.echo("Next:")
    click.echo(f'  cd {project} && pip install -e ".[test]" && pytest')
    click.echo(f"  kleroterion compare {slug} paris poitiers brussels")
    click.echo("Then correct the facts in src/*/city.toml, cite your sources, and follow "
               "docs/new-city.md to a hosted instance.")


COMMANDS: list[click.Command] = [new_city]
