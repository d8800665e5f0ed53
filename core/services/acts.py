"""What an act says and how it was decided: its text, who tables it, its votes, its files.

The summary and the full text are plain text per language, in the languages the
city publishes (Brussels: French and Dutch); the public site shows them escaped,
never as markup. A vote is the assembly's or the council's (for, against,
abstentions), the council's with its own reference (a deliberation number).
Attachments (the act as adopted, a carnet de synthèse) are copied under the
instance's ``attachments`` folder with a name made of their digest and a safe
version of theirs, so a file name never reaches a path or a header unsanitised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import shutil
from collections.abc import Mapping
from pathlib import Path

from kleroterion.models import Mandate, Proposal, ProposalAttachment, ProposalVote
from kleroterion.services import audit, texts
from kleroterion.services.context import check_version, city_of, conflicts, flush, get
from kleroterion.services.errors import InvalidInput, NotAllowed
from kleroterion.services.field_labels import field_label
from sqlalchemy.orm import Session
from werkzeug.utils import secure_filename

#: The longest text of an act, in characters (a délibération runs to a few pages).
TEXT_LIMIT = 100_000
VOTE_BODIES = ("assembly", "council")
ATTACHMENT_KINDS = ("adopted_text", "synthesis", "other")
#: File types an attachment may have, by suffix: documents a city publishes.
ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".png": "image/png",
    ".jpg": "image/jpeg",
}
#: The counts of a vote, as ``record_vote`` names its parameters.
VOTE_COUNTS = ("votes_for", "votes_against", "abstentions")
ATTACHMENT_LIMIT = 20 * 1024 * 1024  # bytes
#: The longest title of an act or an attachment, in characters, in each language.
TITLE_LIMIT = 300
#: The longest « tabled by » of an act, in characters, in each language (its column's).
TABLED_BY_LIMIT = 200
ATTACHMENTS_FOLDER = "attachments"


def checked_texts(mandate: Mandate, texts: dict[str, str] | None, what: str
                  ) -> dict[str, str] | None:
    """``texts`` by language, checked against the city's languages and the length limit."""
    if texts is None:
        return None
    languages = city_of(mandate).config.profile.languages
    found = {}
    for language, text in texts.items():
        if language not in languages:
            raise InvalidInput("%(what)s in %(language)r: %(city)s publishes in %(accepted)s",
                               what=field_label(what), language=language, city=mandate.city,
                               accepted=", ".join(languages), field=what)
        if len(text) > TEXT_LIMIT:
            raise InvalidInput("the %(what)s in %(language)s has %(length)s characters; at "
                               "most %(limit)s", what=field_label(what), language=language,
                               length=len(text), limit=TEXT_LIMIT, field=what)
        if text.strip():
            found[language] = text.strip()
    return found


@conflicts
def set_content(session: Session, proposal_id: int, *, summary: dict[str, str] | None = None,
                full_text: dict[str, str] | None = None, tabled_by: str | None = None,
                titles: Mapping[str, str] | None = None,
                tabled_by_texts: Mapping[str, str] | None = None,
                expected_version: int | None = None) -> Proposal:
    """Set an act's title, summary and full text (by language) and who tables it
    (``tabled_by_texts`` by language; ``tabled_by`` is the city's first language's
    unless ``tabled_by_texts`` gives it).

    A language given with an empty text removes that language's text; the title in
    the city's first language may not be removed.
    """
    proposal = get(session, Proposal, proposal_id)
    check_version(proposal, expected_version)
    mandate = get(session, Mandate, proposal.mandate_id)
    summaries = checked_texts(mandate, summary, "summary")
    full_texts = checked_texts(mandate, full_text, "full_text")
    first = texts.first_language(mandate.city)
    tabled = dict(tabled_by_texts or {})
    if tabled_by is not None:
        tabled.setdefault(first, tabled_by)
    by_field = {field: values for field, values in (("title", titles), ("tabled_by", tabled))
                if values}
    given = texts.checked(mandate.city, by_field or None,
                          {"title": TITLE_LIMIT, "tabled_by": TABLED_BY_LIMIT})
    if given.get("title", {}).get(first) == "":
        raise InvalidInput("the title in %(language)r is empty: a title in the city's first "
                           "language is required", language=first, field="title")
    if summaries is None and full_texts is None and not given:
        raise InvalidInput("nothing to change: give a summary, a full text or who tables the "
                           "act", field="summary")
    if summaries is not None:
        proposal.summary = {**{k: v for k, v in proposal.summary.items()
                               if k not in (summary or {})}, **summaries}
    if full_texts is not None:
        proposal.full_text = {**{k: v for k, v in proposal.full_text.items()
                                 if k not in (full_text or {})}, **full_texts}
    changes = texts.apply(proposal, first, given)
    flush(session, proposal)
    audit.record(session, "proposal.content", "proposal", proposal.id,
                 summary=sorted((summaries or {}).keys()),
                 full_text=sorted((full_texts or {}).keys()), texts=changes,
                 tabled_by=proposal.tabled_by, version=proposal.version)
    return proposal


def record_vote(session: Session, proposal_id: int, body: str, on: dt.date, votes_for: int,
                votes_against: int, abstentions: int, *, reference: str = "") -> ProposalVote:
    """Record the assembly's or the council's vote on an act (once per body)."""
    proposal = get(session, Proposal, proposal_id)
    if body not in VOTE_BODIES:
        raise InvalidInput("%(body)r votes on no act; accepted: %(accepted)s", body=body,
                           accepted=", ".join(VOTE_BODIES), field="body")
    for name, count in zip(VOTE_COUNTS, (votes_for, votes_against, abstentions), strict=True):
        if count < 0:
            raise InvalidInput("%(name)s is a number of votes, 0 or more, not %(count)s",
                               name=field_label(name), count=count, field=name)
    if on < proposal.created_on:
        raise InvalidInput("the vote of %(date)s is before the act (%(created)s)",
                           date=on.isoformat(), created=proposal.created_on.isoformat(),
                           field="on")
    if any(vote.body == body for vote in proposal.votes):
        raise NotAllowed("the %(body)s's vote on proposal %(proposal)s is already recorded",
                         body=body, proposal=proposal.id, field="body")
    if body == "assembly" and reference.strip():
        raise InvalidInput("a reference is the council's (its deliberation number), not the "
                           "assembly's", field="reference")
    vote = ProposalVote(body=body, on=on, votes_for=votes_for, votes_against=votes_against,
                        abstentions=abstentions, reference=reference.strip()[:120])
    proposal.votes.append(vote)
    session.flush()
    audit.record(session, "proposal.vote", "proposal", proposal.id, body=body, on=on,
                 votes_for=votes_for, votes_against=votes_against, abstentions=abstentions,
                 reference=vote.reference)
    return vote


def attachments_folder(instance: Path) -> Path:
    return instance / ATTACHMENTS_FOLDER


def add_attachment(session: Session, proposal_id: int, source: Path, instance: Path, *,
                   kind: str, title: str, on: dt.date,
                   titles: Mapping[str, str] | None = None) -> ProposalAttachment:
    """Copy ``source`` into the instance's attachments folder and attach it to the act.

    ``titles`` gives its title by language (``title`` is the city's first language's).
    """
    from kleroterion.services.proposals import titles_of

    proposal = get(session, Proposal, proposal_id)
    mandate = get(session, Mandate, proposal.mandate_id)
    if kind not in ATTACHMENT_KINDS:
        raise InvalidInput("%(kind)r is not a kind of attachment; accepted: %(accepted)s",
                           kind=kind, accepted=", ".join(ATTACHMENT_KINDS), field="kind")
    given = titles_of(mandate.city, title, titles)
    suffix = source.suffix.lower()
    if suffix not in ATTACHMENT_TYPES:
        raise InvalidInput("%(file)s: a %(suffix)r file is not published; accepted: "
                           "%(accepted)s", file=source.name, suffix=suffix or "(none)",
                           accepted=", ".join(ATTACHMENT_TYPES), field="file")
    if not source.is_file():
        raise InvalidInput("%(file)s: no such file", file=str(source), field="file")
    size = source.stat().st_size
    if size > ATTACHMENT_LIMIT:
        raise InvalidInput("%(file)s has %(size)s bytes; at most %(limit)s", file=source.name,
                           size=size, limit=ATTACHMENT_LIMIT, field="file")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    stem = secure_filename(source.stem)[:80] or "document"
    stored = f"{proposal.id}-{digest[:16]}-{stem}{suffix}"
    if any(a.stored_name == stored for a in proposal.attachments):
        raise NotAllowed("%(file)s is already attached to proposal %(proposal)s",
                         file=source.name, proposal=proposal.id, field="file")
    folder = attachments_folder(instance)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, folder / stored)
    attachment = ProposalAttachment(
        kind=kind, title="", stored_name=stored,
        media_type=ATTACHMENT_TYPES.get(suffix) or mimetypes.types_map.get(suffix, ""),
        size=size, digest=digest, added_on=on, texts={})
    texts.apply(attachment, texts.first_language(mandate.city), given)
    proposal.attachments.append(attachment)
    session.flush()
    audit.record(session, "proposal.attach", "proposal", proposal.id, kind=kind,
                 title=attachment.title, texts=given, file=stored, digest=digest)
    return attachment


def attachment_path(instance: Path, attachment: ProposalAttachment) -> Path | None:
    """The stored file of ``attachment``, if it is there and inside the folder."""
    folder = attachments_folder(instance).resolve()
    path = (folder / attachment.stored_name).resolve()
    if path.parent != folder or not path.is_file():
        return None
    return path
