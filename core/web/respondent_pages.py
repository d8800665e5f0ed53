"""The back office's respondents import: the expected columns, a template, the refused lines.

The page says which columns the seat group's file needs and what each accepts, in
the visitor's language, and offers the header as a file to fill in (a template per
seat group, in French, Dutch or English: the import reads each). A refused file is
shown problem by problem in a table that wraps on any width. The import itself is
``services.recruitment``'s, all rows or none, as from the CLI. The routes are added
to the ``backoffice`` blueprint at import (``backoffice.init_app``).
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from kleroterion import spreadsheet
from kleroterion.db import session_scope
from kleroterion.messages import Message
from kleroterion.models import Mandate
from kleroterion.services import import_columns, recruitment, respondents_file
from kleroterion.services.errors import ServiceError
from kleroterion.sortition.io import decode
from kleroterion.web.auth import actor, role_required
from kleroterion.web.backoffice import bp, write_engine
from kleroterion.web.context import current_config
from kleroterion.web.database import current_mandate
from kleroterion.web.forms import RespondentsForm
from kleroterion.web.i18n import current_language, l10n_text, refusal_text
from werkzeug.utils import secure_filename

#: Refused lines shown in the table; a sentence says how many more there are.
PROBLEMS_SHOWN = 200
#: How much of a refused line is shown back: enough to find it in the file.
LINE_SHOWN = 200


@dataclass(frozen=True)
class RefusedLine:
    """One problem of a refused file, as the table shows it."""

    line: int | None
    content: str | None  # the line as the file has it (the secretariat's own file)
    column: str | None
    value: str | None
    reason: str  # in the visitor's language


def _refused_lines(check: respondents_file.RespondentsCheck, content: bytes) -> list[RefusedLine]:
    # Read as the service read it (same encoding guess), and split as csv counts lines.
    lines = io.StringIO(decode(content)[0], newline="").readlines()
    shown = []
    for problem in check.problems[:PROBLEMS_SHOWN]:
        line = problem.line
        text = lines[line - 1].rstrip("\r\n") if line and line <= len(lines) else None
        if text is not None and len(text) > LINE_SHOWN:  # a 100 MB line is not a page
            text = text[:LINE_SHOWN] + "…"
        column = (f"{problem.column_number} ({problem.column})" if problem.column is not None
                  else None)
        reason = (Message("%(problem)s; accepted: %(accepted)s", problem=problem.problem,
                          accepted=problem.accepted)
                  if problem.accepted else Message.of(problem.problem))
        value = problem.value
        if value is not None and len(value) > LINE_SHOWN:
            value = value[:LINE_SHOWN] + "…"
        shown.append(RefusedLine(line, text, column, value, refusal_text(reason)))
    return shown


def _respondents_form(mandate: Mandate) -> RespondentsForm:
    form = RespondentsForm()
    groups = current_config().composition.seat_groups
    form.seat_group.choices = [(g.key, l10n_text(g.label)) for g in groups
                               if g.selection != "open"]
    return form


@bp.route("/respondents")
@role_required("secretariat")
def respondents() -> ResponseReturnValue:
    mandate = current_mandate()
    form = _respondents_form(mandate) if mandate else None
    return _page(mandate=mandate, form=form)


@bp.route("/respondents", methods=["POST"])
@role_required("secretariat")
def import_respondents() -> ResponseReturnValue:
    """Import a respondents file, all rows or none; a refusal is shown next to its line."""
    mandate = current_mandate()
    if mandate is None:
        abort(404)
    form = _respondents_form(mandate)
    if not form.validate_on_submit():
        return _page(mandate=mandate, form=form), 422
    upload = form.upload.data
    # The name is the visitor's: ".." or 300 characters must not become a path.
    name = (secure_filename(upload.filename or "")[-100:].lstrip(".")
            or "respondents.csv")
    content = upload.read()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        refused: respondents_file.RespondentsCheck | None = None
        try:
            with session_scope(write_engine(), actor=actor()) as session:
                rows = recruitment.import_respondents(session, mandate.id,
                                                      form.seat_group.data, path).rows
        except respondents_file.RespondentsRefused as refusal:
            refused, message = refusal.check, None
        except ServiceError as refusal:
            message = refusal_text(refusal)
        else:
            flash(ngettext("%(num)d respondent imported.", "%(num)d respondents imported.",
                           rows))
            return redirect(url_for("backoffice.respondents"))
    form.upload.errors = [*form.upload.errors,
                          gettext("Nothing was imported; choose the file again once corrected.")]
    return _page(
        mandate=mandate, form=form, refusal=message, check=refused,
        filename=name, problems=_refused_lines(refused, content) if refused else [],
        more=len(refused.problems) - PROBLEMS_SHOWN if refused else 0,
    ), 422


def _page(**context: object) -> str:
    """The respondents page, with the columns each seat group's file needs."""
    groups = [g for g in current_config().composition.seat_groups if g.selection != "open"]
    expected = {g.key: _expected(g.key) for g in groups}
    return render_template("admin/respondents.html", expected=expected,
                           group_labels={g.key: l10n_text(g.label) for g in groups}, **context)


@dataclass(frozen=True)
class ExpectedColumn:
    """A column of the seat group's file, as the page lists it."""

    name: str
    required: bool
    accepted: str


def _expected(group_key: str | None) -> list[ExpectedColumn]:
    config = current_config()
    groups = [g for g in config.composition.seat_groups if g.selection != "open"]
    group = next((g for g in groups if g.key == group_key), groups[0] if groups else None)
    if group is None:
        return []
    features = {f.key: f for f in config.composition.features}
    header = import_columns.template(config, group, current_language(),
                                     tuple(respondents_file.PERSONAL_COLUMNS))
    result = [ExpectedColumn(header[0], True, gettext("a reference unique in the file"))]
    for name, key in zip(header[1:], group.features, strict=False):
        feature = features.get(key)
        values = ", ".join(l10n_text(v.label) for v in feature.values) if feature else ""
        result.append(ExpectedColumn(name, True, values))
    optional = gettext("optional, personal data")
    result += [ExpectedColumn(name, False, optional) for name in header[1 + len(group.features):]]
    return result


@bp.route("/respondents/template.csv")
@role_required("secretariat")
def respondents_template() -> ResponseReturnValue:
    """The header of a seat group's respondents file, to fill in, in the visitor's language."""
    config = current_config()
    key = request.args.get("seat_group", "")
    group = next((g for g in config.composition.seat_groups
                  if g.key == key and g.selection != "open"), None)
    if group is None:
        abort(404)
    language = current_language()
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, delimiter=";" if language != "en" else ",",
                                lineterminator="\r\n")
    writer.writerow(import_columns.template(config, group, language,
                                            tuple(respondents_file.PERSONAL_COLUMNS)))
    word = {"fr": "repondants", "nl": "respondenten"}.get(language, "respondents")
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="{word}-{group.key}.csv"'})
