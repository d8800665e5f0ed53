"""Personal data: the purge of respondents not seated, and recorded exports.

Once every panel draw of a mandate is final, the personal data of respondents who
never held a seat serve no purpose but one: a replacement drawn from them must be
reached. The purge blanks them, and the respondent's external id (in practice an
electoral number: it becomes the pseudonymous id), but keeps the reserve list's
contact data and household key until the city's replacement deadline
(``replacement_deadline``); a purge after it blanks those too. Members' own data
are purged a city-set period after their term ends (``purge_due``); until then they
keep them (they are paid, convened). A purge keeps the respondent row, its
pseudonymous id, its selection features (the published draw's inputs) and the
draw's probabilities. Every export of personal data goes through here
and is recorded in the audit log with its purpose, its row count and the digest of
what was written: a mandate's CSV (``export_personal``), or everything kept about one
person (``export_person``: a right of access answered whole, in JSON).

An answer is also kept no longer than its city says (``answers_retention_months`` of
the city's composition, which the answer page tells the invitee): ``purge_expired``
blanks, whatever the state of the draws, the personal data of every respondent who
entered the pool before that many months ago and holds no seat.

Invitation letters and reminders made as exports (``exports/<id>/`` of the instance
folder: a zip of letters and labels with residents' names and addresses) are kept
until the last day to answer they announce (``answers_until``): by then they are
printed and posted, and a letter can no longer be answered. ``purge_letters`` deletes,
the day after, the folder of every such export (made, or failed half-way), which the
daily ``privacy purge --due`` and the back office's purge run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kleroterion import spreadsheet
from kleroterion.models import (
    Attendance,
    BodyMembership,
    Draw,
    DrawEntry,
    ExportJob,
    ExtraClaim,
    Mandate,
    Member,
    PersonalData,
    Respondent,
    utcnow,
)
from kleroterion.services import audit, exports
from kleroterion.services.context import add_months, city_of, get
from kleroterion.services.context import today as context_today
from kleroterion.services.errors import InvalidInput, NotAllowed, NotFound
from kleroterion.services.respondents_file import PERSONAL_COLUMNS
from kleroterion.services.scope import current_scope
from sqlalchemy import select
from sqlalchemy.orm import Session

#: What the purge blanks: the imported personal columns, and the public name a person
#: may have chosen (only members get to choose one, but a name is a name).
PURGED_FIELDS = (*PERSONAL_COLUMNS, "public_name")


#: What a replacement needs to reach someone of the reserve list (and the household key,
#: which the household rule of a replacement draw reads): kept until the city's
#: replacement deadline, the rest purged at once.
CONTACT_FIELDS = ("name", "address", "email", "phone")


def replacement_deadline(mandate: Mandate) -> dt.date:
    """The last day a member who leaves is replaced: the city's ``replacement_months``
    after the term starts, or the term's end."""
    months = city_of(mandate).config.mandate.replacement_months
    return mandate.ends_on if months is None else min(add_months(mandate.starts_on, months),
                                                       mandate.ends_on)


def retention_end(mandate: Mandate) -> dt.date | None:
    """The day members' personal data are due to be purged (None: the city set no period)."""
    months = city_of(mandate).config.mandate.personal_data_months
    return None if months is None else add_months(mandate.ends_on, months)


def _blank(personal: PersonalData, fields: tuple[str, ...]) -> None:
    for field in fields:
        setattr(personal, field, None)
    respondent = personal.respondent
    # The electoral number identifies the person as surely as a name; the pseudonymous
    # id keeps the row unique in its mandate.
    respondent.external_id = respondent.public_id


def _purge_whole(rows: Iterable[PersonalData], now: dt.datetime) -> int:
    """Blank everything of each row (contact data and household key too); how many."""
    count = 0
    for personal in rows:
        _blank(personal, PURGED_FIELDS)
        personal.respondent.household = None
        personal.purged_at = now
        count += 1
    return count


def purge(session: Session, mandate_id: int, *, today: dt.date | None = None) -> int:
    """Blank the personal data of the mandate's respondents never seated; return how many.

    Until the city's replacement deadline the reserve list keeps what a replacement
    needs (name, address, email, phone, household key); a purge after the deadline
    blanks those too. The electoral number goes at once.
    """
    mandate = get(session, Mandate, mandate_id)
    panel_draws = list(session.scalars(select(Draw).where(Draw.mandate_id == mandate.id,
                                                         Draw.kind == "panel")))
    if not panel_draws:
        raise NotAllowed("mandate %(mandate)s has no panel draw yet; nothing may be purged",
                         mandate=mandate.id)
    pending = [d.id for d in panel_draws if not d.final]
    if pending:
        raise NotAllowed("draws %(draws)s of mandate %(mandate)s are not final; finalize them "
                         "before purging", draws=", ".join(map(str, pending)),
                         mandate=mandate.id)
    deadline = replacement_deadline(mandate)
    keep_contact = (today or context_today()) <= deadline
    seated = select(Member.respondent_id)
    rows = session.scalars(
        select(PersonalData).join(Respondent).where(
            Respondent.mandate_id == mandate.id, Respondent.id.not_in(seated),
            PersonalData.purged_at.is_(None))
        .order_by(PersonalData.respondent_id))
    count = 0
    now = utcnow()
    fields = tuple(f for f in PURGED_FIELDS if f not in CONTACT_FIELDS) if keep_contact \
        else PURGED_FIELDS
    for personal in rows:
        if keep_contact and personal.respondent.external_id == personal.respondent.public_id \
                and all(getattr(personal, f) is None for f in fields):
            continue  # already purged but for the contact data
        _blank(personal, fields)
        if not keep_contact:
            personal.respondent.household = None
            personal.purged_at = now
        count += 1
    audit.record(session, "personal_data.purge", "mandate", mandate.id, respondents=count,
                 contact_kept_until=deadline if keep_contact else None)
    return count


def purge_expired(session: Session, on: dt.date, mandate_id: int | None = None
                  ) -> dict[int, int]:
    """Blank the answers kept longer than their city's retention, on day ``on``: of one
    mandate, or of every mandate in reach; how many per mandate (those with any).

    Respondents who sit keep theirs (they are paid and convened); the others' answers
    go once ``answers_retention_months`` have passed since they entered the pool, even
    while a draw is pending: the answer page promised it.
    """
    if mandate_id is not None:
        mandates = [get(session, Mandate, mandate_id)]
    else:
        mandates = list(session.scalars(select(Mandate).order_by(Mandate.id)))
    counts: dict[int, int] = {}
    now = utcnow()
    for mandate in mandates:
        months = city_of(mandate).config.composition.answers_retention_months
        limit = add_months(on, -months)
        rows = session.scalars(select(PersonalData).join(Respondent).where(
            Respondent.mandate_id == mandate.id,
            Respondent.id.not_in(select(Member.respondent_id)),
            Respondent.created_at < dt.datetime.combine(limit, dt.time()),
            PersonalData.purged_at.is_(None)).order_by(PersonalData.respondent_id))
        count = _purge_whole(rows, now)
        if count:
            counts[mandate.id] = count
            audit.record(session, "personal_data.purge", "mandate", mandate.id,
                         respondents=count, rule="retention", months=months,
                         before=limit.isoformat())
    return counts


def purge_members(session: Session, mandate_id: int) -> int:
    """Blank the personal data of every person of an ended mandate, members included."""
    mandate = get(session, Mandate, mandate_id)
    rows = session.scalars(select(PersonalData).join(Respondent).where(
        Respondent.mandate_id == mandate.id, PersonalData.purged_at.is_(None))
        .order_by(PersonalData.respondent_id))
    count = _purge_whole(rows, utcnow())
    audit.record(session, "personal_data.purge", "mandate", mandate.id, respondents=count,
                 members=True)
    return count


def purge_due(session: Session, *, today: dt.date | None = None) -> list[tuple[int, int]]:
    """Purge every mandate whose retention period has run out; (mandate, people) purged.

    A city sets the period (``mandate_rules.personal_data_months``) after the end of
    a term; a city that set none is left alone.
    """
    day = today or context_today()
    done = []
    for mandate in session.scalars(select(Mandate).order_by(Mandate.id)):
        end = retention_end(mandate)
        if end is not None and end <= day:
            count = purge_members(session, mandate.id)
            if count:
                done.append((mandate.id, count))
    return done


#: The exports that hold residents' names and addresses (reports hold none).
LETTER_KINDS = ("letters", "reminders")


def purge_letters(session: Session, instance: Path, *, today: dt.date | None = None) -> int:
    """Delete the letters past their last day to answer; how many exports lost their files.

    An export of letters or reminders is kept until its ``answers_until`` day and
    deleted from the day after, whether it was made or failed half-way (the folder
    may then hold some letters); a queued or running one is left to its worker. The
    record stays (who made it, when, how many letters), without its file; each
    deletion is in the audit log with the export's number and letter count, no name.
    Of the city in scope, or of every city.
    """
    day = today or context_today()
    root = exports.exports_root(instance)
    query = select(ExportJob).where(ExportJob.kind.in_(LETTER_KINDS),
                                    ExportJob.state.in_(("done", "failed")))
    city = current_scope()
    if city is not None:
        query = query.where(ExportJob.city == city)
    count = 0
    for export in session.scalars(query.order_by(ExportJob.id)):
        try:
            until = dt.date.fromisoformat(str(export.params.get("answers_until")))
        except ValueError:  # every export of letters has one; kept rather than guessed
            continue
        work = exports.folder(root, export.id)
        if until >= day or not (work.exists() or export.result):
            continue
        shutil.rmtree(work, ignore_errors=True)
        export.result = None
        audit.record(session, "personal_data.purge", "export", export.id, kind=export.kind,
                     letters=export.done, rule="answers_until", answers_until=until.isoformat())
        count += 1
    return count


#: Every personal datum kept on a respondent, so that an export answers a right of access
#: whole: the Poitiers means test's family quotient, and the name a member consented to
#: be shown under with the date of that consent, as well as contact details.
EXPORT_COLUMNS = ("public_id", "external_id", "seat_group", "status", "member", "name",
                  "address", "birth_date", "email", "phone", "family_quotient",
                  "iban", "public_name", "public_name_consent_on", "selection_features",
                  "withdrawn_on", "withdrawal_reason")


def _day(value: dt.date | None, french: bool) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y") if french else value.isoformat()


def export_personal(session: Session, mandate_id: int, purpose: str, *,
                    members_only: bool = True, french: bool = False) -> str:
    """CSV of the personal data of a mandate's members (or every respondent), recorded."""
    mandate = get(session, Mandate, mandate_id)
    purpose = purpose.strip()
    if not purpose:
        raise InvalidInput("give the purpose of this personal data export")
    query = select(Respondent).where(Respondent.mandate_id == mandate.id).order_by(Respondent.id)
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, delimiter=";" if french else ",", lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for respondent in session.scalars(query):
        member = respondent.member
        if members_only and member is None:
            continue
        personal = respondent.personal

        def kept(field: str, personal: PersonalData | None = personal) -> str:
            value = getattr(personal, field) if personal else None
            return "" if value is None else str(value)

        quotient = kept("family_quotient")
        consent_on = member.public_name_consent_on if member else None
        writer.writerow([
            respondent.public_id, respondent.external_id, respondent.seat_group,
            respondent.status, member.id if member else "", kept("name"), kept("address"),
            _day(personal.birth_date if personal else None, french), kept("email"),
            kept("phone"), quotient.replace(".", ",") if french else quotient, kept("iban"),
            kept("public_name") if consent_on else "", _day(consent_on, french),
            "; ".join(f"{k}={v}" for k, v in sorted(respondent.features.items())),
            _day(member.withdrawn_on if member else None, french),
            (member.withdrawal_reason or "") if member else "",
        ])
        count += 1
    text = buffer.getvalue()
    audit.record(session, "personal_data.export", "mandate", mandate.id,
                 what="members" if members_only else "respondents", rows=count,
                 purpose=purpose, digest=hashlib.sha256(text.encode()).hexdigest())
    return text


def _find_person(session: Session, ident: str) -> Respondent:
    """A respondent by pseudonymous id (``R…``), or by external id when it is unique."""
    ident = ident.strip()
    found = session.scalar(select(Respondent).where(Respondent.public_id == ident))
    if found is not None:
        return found
    matches = list(session.scalars(select(Respondent).where(Respondent.external_id == ident)
                                   .limit(2)))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise InvalidInput("external id %(ident)r is used in several mandates; give the "
                           "pseudonymous id (R...) of the respondent", ident=ident[:80])
    raise NotFound("no respondent has the id %(ident)r", ident=ident[:80])


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def person_record(session: Session, respondent: Respondent) -> dict[str, Any]:
    """Everything kept about one respondent, across tables (not the audit log's ids)."""
    from kleroterion.services import indemnities

    personal = respondent.personal
    record: dict[str, Any] = {
        "respondent": {"public_id": respondent.public_id, "external_id": respondent.external_id,
                       "mandate": respondent.mandate_id, "seat_group": respondent.seat_group,
                       "source": respondent.source, "status": respondent.status,
                       "selection_features": dict(respondent.features),
                       "household_key": respondent.household,
                       "imported_at": _iso(respondent.created_at)},
        "personal_data": None if personal is None else {
            "name": personal.name, "address": personal.address,
            "birth_date": _iso(personal.birth_date), "email": personal.email,
            "phone": personal.phone,
            "family_quotient": None if personal.family_quotient is None
            else str(personal.family_quotient), "iban": personal.iban,
            "public_name": personal.public_name, "purged_at": _iso(personal.purged_at)},
        "draws": [{"draw": entry.draw_id, "kind": entry.draw.kind,
                   "probability": entry.probability, "selected": entry.selected}
                  for entry in session.scalars(select(DrawEntry).where(
                      DrawEntry.respondent_id == respondent.id).order_by(DrawEntry.id))],
        "member": None,
    }
    member = respondent.member
    if member is None:
        return record
    mandate = get(session, Mandate, member.mandate_id)
    statement = indemnities.statement(session, member.id, mandate.starts_on, mandate.ends_on)
    record["member"] = {
        "id": member.id, "seat_group": member.seat_group, "source": member.source,
        "status": member.status, "seated_on": _iso(member.seated_on),
        "confirmed_on": _iso(member.confirmed_on), "withdrawn_on": _iso(member.withdrawn_on),
        "withdrawal_reason": member.withdrawal_reason,
        "public_name_consent_on": _iso(member.public_name_consent_on),
        "history": [{"kind": e.kind, "on": _iso(e.on), "reason": e.reason, "by": e.actor}
                    for e in member.events],
        "body_seats": [{"body": seat.body_key, "role": seat.role, "selection": seat.selection,
                        "draw": seat.draw_id, "joined_on": _iso(seat.joined_on),
                        "left_on": _iso(seat.left_on)}
                       for seat in session.scalars(select(BodyMembership).where(
                           BodyMembership.member_id == member.id)
                           .order_by(BodyMembership.id))],
        "attendance": [{"session": a.session_id, "held_on": _iso(a.session.held_on),
                        "kind": a.session.kind, "status": a.status}
                       for a in session.scalars(select(Attendance).where(
                           Attendance.member_id == member.id).order_by(Attendance.id))],
        "extra_claims": [{"extra": c.extra_key, "claimed_on": _iso(c.claimed_on),
                          "amount": str(c.amount), "note": c.note}
                         for c in session.scalars(select(ExtraClaim).where(
                             ExtraClaim.member_id == member.id).order_by(ExtraClaim.id))],
        "indemnity": {"start": _iso(statement.start), "end": _iso(statement.end),
                      "eligible": statement.eligible, "reason": statement.reason,
                      "unit": statement.unit, "units_attended": str(statement.units),
                      "units_paid": str(statement.paid_units), "rate": str(statement.rate),
                      "total": str(statement.total), "currency": statement.currency},
    }
    return record


def export_person(session: Session, ident: str, purpose: str) -> str:
    """Everything kept about one person, as JSON: a right of access answered whole, recorded.

    ``ident`` is the respondent's pseudonymous id, or their external id when only one
    respondent has it. The audit log records the pseudonymous id, the purpose and the
    digest of what was written, never the data.
    """
    purpose = purpose.strip()
    if not purpose:
        raise InvalidInput("give the purpose of this personal data export")
    respondent = _find_person(session, ident)
    text = json.dumps(person_record(session, respondent), ensure_ascii=False, indent=2,
                      sort_keys=True) + "\n"
    audit.record(session, "personal_data.export", "respondent", respondent.id,
                 what="person", respondent=respondent.public_id, purpose=purpose,
                 digest=hashlib.sha256(text.encode()).hexdigest())
    return text
