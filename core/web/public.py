"""The public site: what anyone may read about the city's assembly, without logging in.

The pages here need only the city's configuration: the assembly and how it works,
the panel's composition against its quota targets, the assembly's powers and the
lifecycle of each act, the indemnity, and the accountability rules. Pages that read
the database (the current mandate, the draw, sessions, proposals, follow-up) come
with the services and stay as thin as these.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template
from kleroterion.compare import typical_year_amount
from kleroterion.web.charts import group_charts
from kleroterion.web.context import current_config

bp = Blueprint("public", __name__)


@bp.get("/")
def home() -> str:
    config = current_config()
    return render_template(
        "public/home.html", config=config, year_amount=typical_year_amount(config)
    )


@bp.get("/panel")
def panel() -> str:
    config = current_config()
    groups = [
        (group, group_charts(config.composition, group))
        for group in config.composition.seat_groups
    ]
    return render_template("public/panel.html", config=config, groups=groups)


@bp.get("/powers")
def powers() -> str:
    return render_template("public/powers.html", config=current_config())


@bp.get("/powers/<kind>")
def power(kind: str) -> str:
    config = current_config()
    try:
        proposal_kind = config.proposal_kind(kind)
    except KeyError:
        abort(404)
    states = {state.key: state for state in proposal_kind.states}
    return render_template("public/power.html", config=config, kind=proposal_kind, states=states)


@bp.get("/indemnity")
def indemnity() -> str:
    config = current_config()
    return render_template(
        "public/indemnity.html", config=config, year_amount=typical_year_amount(config)
    )


@bp.get("/accountability")
def accountability() -> str:
    return render_template("public/accountability.html", config=current_config())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
