"""The back office's place to work: its menu, and the dashboard of what is due.

The menu is one list of entries (endpoint, label, least role); an entry whose
endpoint the application does not have (a module not installed) or whose role the
visitor lacks is left out, so the menu only ever offers pages the visitor may open.
The dashboard gathers, for the city's open mandates, what the secretariat must do
soon: the sessions of this week, overdue commitments and milestones, the answers the
city owes for its acts, the draws waiting for their public number or to be declared
final. It reads only; every line links to the page where the work is done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from kleroterion.city.types import Localized
from kleroterion.models import AssemblySession, Draw, Mandate, Proposal
from kleroterion.services import followup, proposals, sessions
from kleroterion.web.auth import ROLE_LEVEL, current_role_level, role_required
from kleroterion.web.backoffice import bp
from kleroterion.web.context import current_city, current_config
from kleroterion.web.database import current_mandate, db_session
from kleroterion.web.i18n import title_of
from kleroterion.web.public import today
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError


@dataclass(frozen=True)
class MenuEntry:
    endpoint: str
    label: object  # a lazy string, translated when the menu is rendered
    role: str = "read-only"
    #: Other endpoints under this entry (the entry is marked current on them too).
    under: tuple[str, ...] = ()


#: The back office's menu, in the order of a mandate's work.
MENU: tuple[MenuEntry, ...] = (
    MenuEntry("backoffice.dashboard", _l("What is due")),
    MenuEntry("admin_mandates.mandates_page", _l("Mandates"),
              under=("admin_mandates.new_mandate", "admin_mandates.close_mandate",
                     "admin_mandates.edit_mandate", "admin_mandates.save_mandate")),
    MenuEntry("backoffice.respondents", _l("Respondents"), "secretariat"),
    MenuEntry("answers_admin.answers_desk", _l("Answers to invitations"), "secretariat"),
    MenuEntry("admin_draws.draws_page", _l("Draws"),
              under=("panel_draw.page", "panel_draw.start", "panel_draw.choose",
                     "admin_draws.finalize")),
    MenuEntry("admin_quotas.quotas_page", _l("Quotas"),
              under=("admin_quotas.group_page", "admin_quotas.save", "admin_quotas.reset",
                     "admin_quotas.relax")),
    MenuEntry("backoffice.members_page", _l("Members"),
              under=("backoffice.member_page", "admin_members.seat_page",
                     "admin_members.withdraw", "admin_members.replace")),
    MenuEntry("admin_members.confirm_page", _l("Confirm members"), "secretariat",
              under=("admin_members.confirm_members",)),
    MenuEntry("admin_bodies.bodies_page", _l("Bodies"),
              under=("admin_bodies.body_page", "admin_bodies.join", "admin_bodies.draw",
                     "admin_bodies.appoint", "admin_bodies.leave")),
    MenuEntry("admin_sessions.sessions_page", _l("Sessions"),
              under=("backoffice.attendance", "backoffice.save_attendance",
                     "admin_sessions.new_session", "admin_sessions.texts_page",
                     "admin_sessions.save_texts", "admin_sessions.add_guest",
                     "admin_sessions.edit_guest", "admin_sessions.remove_guest")),
    MenuEntry("admin_events.events_page", _l("City events"),
              under=("admin_events.new_event", "admin_events.event_page",
                     "admin_events.save_event", "admin_events.delete_event")),
    MenuEntry("admin_acts.acts_page", _l("Acts"),
              under=("backoffice.proposal_page", "admin_acts.new_act", "admin_acts.texts_page",
                     "admin_acts.save_texts",
                     "backoffice_followup.page")),
    MenuEntry("admin_subjects.subjects_page", _l("Subjects"),
              under=("admin_subjects.subject_page", "admin_subjects.save_subject",
                     "admin_subjects.delete_subject")),
    MenuEntry("backoffice.indemnity_statements", _l("Indemnities")),
    MenuEntry("exports.index", _l("Letters and reports"),
              under=("exports.start_letters", "exports.start_report", "exports.page",
                     "exports.download")),
    MenuEntry("admin_privacy.privacy_page", _l("Personal data"), "secretariat",
              under=("admin_privacy.purge",)),
    MenuEntry("admin_accounts.accounts_page", _l("Accounts"), "administrator",
              under=("admin_accounts.account_page", "admin_accounts.new_account",
                     "admin_accounts.set_role", "admin_accounts.deactivate",
                     "admin_accounts.issue_token", "admin_accounts.revoke_token")),
)


def menu() -> list[tuple[str, object, bool]]:
    """The entries the visitor may open: (endpoint, label, current page)."""
    level = current_role_level()
    here = request.endpoint
    return [(entry.endpoint, entry.label, here == entry.endpoint or here in entry.under)
            for entry in MENU
            if entry.endpoint in current_app.view_functions and level >= ROLE_LEVEL[entry.role]]


def _open_mandates() -> list[Mandate]:
    """The city's mandates that have not been closed, the current one first."""
    current = current_mandate()
    try:
        every = list(db_session().scalars(
            select(Mandate).where(Mandate.city == current_city().slug, Mandate.status == "open")
            .order_by(Mandate.starts_on, Mandate.id)))
    except (OperationalError, ProgrammingError):
        db_session().rollback()
        return []
    if current is not None and current in every:
        every.remove(current)
        every.insert(0, current)
    return every


@dataclass(frozen=True)
class AnswerDue:
    proposal: Proposal
    label: Localized
    by: str
    due_on: dt.date
    overdue: bool


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of ``day``'s week."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


#: How far ahead the dashboard lists the answers the city owes.
ANSWERS_AHEAD = dt.timedelta(days=30)


@bp.route("/")
@role_required("read-only")
def dashboard() -> ResponseReturnValue:
    """What is due: this week's sessions, overdue work, answers owed, draws waiting."""
    day = today()
    monday, sunday = week_of(day)
    mandates = _open_mandates()
    ids = [m.id for m in mandates]
    session = db_session()
    week: list[AssemblySession] = []
    acts: list[Proposal] = []
    for mandate in mandates:
        week += [s for s in sessions.sessions_of(session, mandate.id)
                 if monday <= s.held_on <= sunday]
        acts += proposals.list_proposals(session, mandate.id)
    week.sort(key=lambda s: (s.held_on, s.starts_at or dt.time(0), s.id))
    late = [item for mandate_id in ids
            for item in followup.overdue(session, day, mandate_id=mandate_id)
            if item.what in ("commitment", "milestone", "report")]
    rules = {rule.key: rule.label
             for rule in current_config().accountability.response_deadlines}
    answers: list[AnswerDue] = []
    for act in acts:
        for deadline in followup.deadlines(session, act.id):
            if deadline.answered_on is None and deadline.due_on <= day + ANSWERS_AHEAD:
                answers.append(AnswerDue(act, rules.get(deadline.key, {"en": deadline.label}),
                                         deadline.by, deadline.due_on, deadline.overdue(day)))
    answers.sort(key=lambda a: (a.due_on, a.proposal.id))
    draws = list(session.scalars(select(Draw).where(
        Draw.mandate_id.in_(ids), Draw.kind == "panel",
        Draw.state.in_(("published", "chosen")), Draw.final.is_(False)).order_by(Draw.id))
    ) if ids else []
    groups = {g.key: g.label for g in current_config().composition.seat_groups}
    return render_template(
        "admin/dashboard.html", mandates=mandates, week=week, monday=monday, sunday=sunday,
        late=late, answers=answers, waiting=[d for d in draws if d.state == "published"],
        unfinal=[d for d in draws if d.state == "chosen"], groups=groups,
        titles={act.id: title_of(act) for act in acts}, day=day,
    )


def init_app(app: Flask) -> None:
    app.add_template_global(menu, "admin_menu")
    app.add_template_global(lambda name: name in current_app.view_functions, "has_endpoint")
