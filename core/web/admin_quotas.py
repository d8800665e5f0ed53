"""The back office's quotas: a mandate's own bounds per seat group, and the advice applied.

The page of a seat group drawn under quotas shows, for each value of each criterion,
the city's bounds and the mandate's (inputs for the secretariat). Saving sends every
bound to ``services.quotas.set_quotas``, the CLI's ``mandate quotas set``: the whole
set is validated first, and a refusal (an entry that is not a whole number, a bound
the service refuses) shows the page again with the sentence and changes nothing.
The draw page's "apply this advice" button posts to :func:`relax`
(``services.quotas.apply_relaxation``), which writes the bounds of the failed draw's
advice as the mandate's quotas; the draw can then be started again. Every change is
in the audit log with its old and new bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from kleroterion.city.types import SeatGroup
from kleroterion.models import Mandate
from kleroterion.services import quotas
from kleroterion.web import relaxation
from kleroterion.web.admin_common import Refusal, change, may_write
from kleroterion.web.admin_forms import ButtonForm
from kleroterion.web.auth import role_required
from kleroterion.web.context import current_config
from kleroterion.web.database import current_mandate, db_session
from sqlalchemy.orm import Session

bp = Blueprint("admin_quotas", __name__, url_prefix="/admin/quotas")


@dataclass(frozen=True)
class Row:
    """One value of one criterion: its labels, the city's bounds and the mandate's."""

    feature: str
    value: str
    feature_label: str
    value_label: str
    city: tuple[int, int]
    current: tuple[int, int]
    entered: tuple[str, str]

    @property
    def name(self) -> str:
        return f"{self.feature}/{self.value}"


def _groups() -> list[SeatGroup]:
    return [g for g in current_config().composition.seat_groups if g.selection == "stratified"]


def _group(key: str) -> tuple[Mandate, SeatGroup]:
    mandate = current_mandate()
    if mandate is None:
        abort(404)
    for group in _groups():
        if group.key == key:
            return mandate, group
    abort(404)


def _rows(mandate: Mandate, group: SeatGroup) -> list[Row]:
    features = current_config().composition.features
    city = quotas.city_quotas(mandate, group)
    current = quotas.quotas_for(db_session(), mandate, group)
    rows = []
    for mine, theirs in zip(current, city, strict=True):
        feature, value = relaxation.labels(features, mine.feature, mine.value)
        entered = (request.form.get(f"min:{mine.feature}/{mine.value}", str(mine.min)),
                   request.form.get(f"max:{mine.feature}/{mine.value}", str(mine.max)))
        rows.append(Row(mine.feature, mine.value, feature, value, (theirs.min, theirs.max),
                        (mine.min, mine.max), entered))
    return rows


@bp.route("/")
@role_required("read-only")
def quotas_page() -> ResponseReturnValue:
    return render_template("admin/quotas.html", mandate=current_mandate(), groups=_groups())


def _render(group_key: str, refusal: str | None = None, status: int = 200) -> ResponseReturnValue:
    mandate, group = _group(group_key)
    return render_template("admin/quotas_group.html", mandate=mandate, group=group,
                           rows=_rows(mandate, group), form=ButtonForm(formdata=None),
                           may_write=may_write(), refusal=refusal), status


@bp.route("/<group_key>")
@role_required("read-only")
def group_page(group_key: str) -> ResponseReturnValue:
    return _render(group_key)


def _read(rows: list[Row]) -> dict[tuple[str, str], tuple[int, int]]:
    """The bounds entered, or a ``Refusal`` naming the first entry that is not a number."""
    bounds = {}
    for row in rows:
        low, high = (text.strip() for text in row.entered)
        for text, which in ((low, "min"), (high, "max")):
            if not text.isdigit():
                if which == "min":
                    message = gettext("%(feature)s “%(value)s”: the minimum “%(entry)s” is not "
                                      "a whole number of seats (0 or more).",
                                      feature=row.feature_label, value=row.value_label,
                                      entry=text[:20])
                else:
                    message = gettext("%(feature)s “%(value)s”: the maximum “%(entry)s” is not "
                                      "a whole number of seats (0 or more).",
                                      feature=row.feature_label, value=row.value_label,
                                      entry=text[:20])
                raise Refusal(message)
        bounds[(row.feature, row.value)] = (int(low), int(high))
    return bounds


@bp.route("/<group_key>/save", methods=["POST"])
@role_required("secretariat")
def save(group_key: str) -> ResponseReturnValue:
    """Set the bounds entered as the mandate's quotas (``mandate quotas set``)."""
    mandate, group = _group(group_key)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        bounds = _read(_rows(mandate, group))
        change(lambda session: quotas.set_quotas(session, mandate.id, group.key, bounds))
    except Refusal as refusal:
        return _render(group_key, refusal.text, 422)
    flash(gettext("The quotas of this seat group are saved for this mandate."))
    return redirect(url_for("admin_quotas.group_page", group_key=group.key))


def _button(group_key: str, work: Callable[[Session, int, str], object], done: str,
            then: str) -> ResponseReturnValue:
    """A lone button's change of the group's quotas: done, or the page with the refusal."""
    mandate, group = _group(group_key)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        change(lambda session: work(session, mandate.id, group.key))
    except Refusal as refusal:
        return _render(group_key, refusal.text, 422)
    flash(done)
    return redirect(url_for(then, group_key=group.key))


@bp.route("/<group_key>/reset", methods=["POST"])
@role_required("secretariat")
def reset(group_key: str) -> ResponseReturnValue:
    """Go back to the city's quotas (``mandate quotas reset``)."""
    return _button(group_key, quotas.reset_quotas,
                   gettext("The city's quotas apply again to this seat group."),
                   "admin_quotas.group_page")


@bp.route("/<group_key>/relax", methods=["POST"])
@role_required("secretariat")
def relax(group_key: str) -> ResponseReturnValue:
    """Apply the failed draw's advice (``mandate quotas relax``); back to the draw page."""
    return _button(group_key, quotas.apply_relaxation,
                   gettext("The advice is applied to this mandate's quotas. You may start the "
                           "draw again."), "panel_draw.page")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
