"""Personal data: the purge of respondents not seated, and recorded exports.

Once every panel draw of a mandate is final, the personal data of respondents who
never held a seat serve no purpose: the purge blanks them, keeping the respondent
row, its pseudonymous id, its selection features (the published draw's inputs)
and the draw's probabilities. Members keep theirs (they are paid, convened).
Every export of personal data goes through here and is recorded in the audit log
with its purpose, its row count and the digest of what was written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from kleroterion import spreadsheet
from kleroterion.models import Draw, Mandate, Member, PersonalData, Respondent, utcnow
from kleroterion.services import audit
from kleroterion.services.context import get
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.recruitment import PERSONAL_COLUMNS
from sqlalchemy import select
from sqlalchemy.orm import Session

#: What the purge blanks: the imported personal columns, and the public name a person
#: may have chosen (only members get to choose one, but a name is a name).
PURGED_FIELDS = (*PERSONAL_COLUMNS, "public_name")


def purge(session: Session, mandate_id: int) -> int:
    """Blank the personal data of the mandate's respondents never seated; return how many."""
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
    seated = select(Member.respondent_id)
    rows = session.scalars(
        select(PersonalData).join(Respondent).where(
            Respondent.mandate_id == mandate.id, Respondent.id.not_in(seated),
            PersonalData.purged_at.is_(None))
        .order_by(PersonalData.respondent_id))
    count = 0
    now = utcnow()
    for personal in rows:
        for field in PURGED_FIELDS:
            setattr(personal, field, None)
        personal.purged_at = now
        count += 1
    audit.record(session, "personal_data.purge", "mandate", mandate.id, respondents=count)
    return count


#: Every personal datum kept on a respondent, so that an export answers a right of access
#: whole: the Poitiers means test's family quotient, and the name a member consented to
#: be shown under with the date of that consent, as well as contact details.
EXPORT_COLUMNS = ("public_id", "external_id", "seat_group", "status", "member", "name",
                  "address", "birth_date", "email", "phone", "family_quotient",
                  "public_name", "public_name_consent_on")


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
            kept("phone"), quotient.replace(".", ",") if french else quotient,
            kept("public_name") if consent_on else "", _day(consent_on, french),
        ])
        count += 1
    text = buffer.getvalue()
    audit.record(session, "personal_data.export", "mandate", mandate.id,
                 what="members" if members_only else "respondents", rows=count,
                 purpose=purpose, digest=hashlib.sha256(text.encode()).hexdigest())
    return text
