"""The audit log's head, published: a public page (``/audit``) and ``/api/audit-head``.

Whoever can write to the database can recompute the audit chain; what they cannot
change is a head already published and kept by others (an archived page, a saved
answer, a downloaded lottery folder's ``audit-head.json``). ``kleroterion audit verify
--head SEQ:HASH`` or ``--anchor FILE`` checks the log against it (see
``kleroterion.services.audit``). The head holds no personal data: a number and a hash.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, render_template
from kleroterion.models import GENESIS
from kleroterion.services import audit
from kleroterion.web.api import bp as api_bp
from kleroterion.web.api import endpoint, parse_query
from kleroterion.web.database import db_session
from kleroterion.web.schemas import BaseSchema
from marshmallow import fields
from sqlalchemy.exc import OperationalError, ProgrammingError

bp = Blueprint("anchor", __name__)


class AuditHeadSchema(BaseSchema):
    seq = fields.Integer(metadata={"description": "the sequence number of the log's last "
                                                  "entry (0: no change recorded yet)"})
    hash = fields.String(metadata={"description": "its SHA-256 chain hash, hexadecimal; "
                                                  "check with kleroterion audit verify "
                                                  "--head SEQ:HASH"})


def _head() -> audit.Head:
    """The head, or the empty log's on a site started before ``kleroterion db upgrade``."""
    try:
        return audit.head(db_session())
    except (OperationalError, ProgrammingError):
        db_session().rollback()
        return audit.Head(0, GENESIS)


@bp.get("/audit")
def page() -> str:
    return render_template("public/audit.html", head=_head())


@endpoint("The audit log's head: its last entry's number and chain hash, to keep and "
          "check the log against later", AuditHeadSchema)
def audit_head() -> Response:
    parse_query("audit_head")  # the API's common query (lang) is validated as everywhere
    return jsonify(AuditHeadSchema().dump(_head().document()))


api_bp.add_url_rule("/audit-head", view_func=audit_head, methods=["GET"])


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
