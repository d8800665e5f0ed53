"""The promotions page: every mandate of the city, sitting, to come or past, with its record.

Each mandate links to its panel, its draws, its sessions, its acts and its follow-up
(the pages filtered by ``?promotion=``), with counts of each, so a promotion that
ended years ago stays as reachable as the one sitting now. The routes are added to
the ``records`` blueprint at import (``records.init_app`` imports this module).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import abort, render_template
from kleroterion.models import Mandate
from kleroterion.services import members, proposals, sessions, subjects
from kleroterion.services.context import follow_up_until
from kleroterion.web import promotions
from kleroterion.web.context import current_config
from kleroterion.web.database import db_session
from kleroterion.web.i18n import mandate_label
from kleroterion.web.public import today
from kleroterion.web.records import MAX_ID, bp, find_kind, outcome_of


@dataclass(frozen=True)
class PromotionRecord:
    """A mandate as the promotions page shows it."""

    id: int
    label: str
    starts_on: dt.date
    ends_on: dt.date
    follow_up_until: dt.date
    status: str
    members: int
    sessions: int
    acts: int
    adopted: int
    subjects: int = 0
    workshops: int = 0


def promotion_record(mandate: Mandate, on: dt.date,
                     counted: dict[int, tuple[int, int]] | None = None) -> PromotionRecord:
    """The record of one mandate; ``counted``: its subjects and workshops, counted for a list."""
    session = db_session()
    if counted is None:
        counted = subjects.counts(session, [mandate.id])
    config = current_config()
    acts = proposals.list_proposals(session, mandate.id)
    return PromotionRecord(
        id=mandate.id, label=mandate_label(mandate), starts_on=mandate.starts_on,
        ends_on=mandate.ends_on, follow_up_until=follow_up_until(mandate),
        status=promotions.status_of(mandate, on),
        members=sum(1 for _ in members.seated_features(session, mandate.id)),
        sessions=len(sessions.sessions_of(session, mandate.id)),
        acts=len(acts),
        adopted=sum(1 for p in acts
                    if outcome_of(find_kind(config, p.kind), p.state) == "adopted"),
        subjects=counted.get(mandate.id, (0, 0))[0],
        workshops=counted.get(mandate.id, (0, 0))[1])


@bp.get("/promotions")
def promotions_page() -> str:
    every = promotions.city_mandates()
    counted = subjects.counts(db_session(), [m.id for m in every]) if every else {}
    found = [promotion_record(m, today(), counted)
             for m in sorted(every, key=lambda m: (m.starts_on, m.id), reverse=True)]
    return render_template("public/promotions.html", config=current_config(), records=found)


@bp.get("/promotions/<int:ident>")
def promotion_page(ident: int) -> str:
    if not 0 < ident <= MAX_ID:
        abort(404)
    mandate = next((m for m in promotions.city_mandates() if m.id == ident), None)
    if mandate is None:
        abort(404)
    return render_template("public/promotion.html", config=current_config(),
                           record=promotion_record(mandate, today()), mandate=mandate)
