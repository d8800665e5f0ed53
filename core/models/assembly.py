"""Tables of one mandate: recruitment, draws, members, bodies, sessions and attendance.

Personal data (name, address, birth date, contacts, family quotient) lives in
``personal_data`` alone, one row per respondent, so that selection features,
draws and attendance can be kept, exported and published without it, and a purge
blanks one table. Members, whose status two secretariat users may change at once,
and attendance lines carry a version counter: a stale update raises instead of
overwriting.

A member may consent to be named on the public site under a name they choose: the
date of the consent is on the member (it changes the member's version, so two
users recording it at once conflict), the name itself in ``personal_data``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from kleroterion.models.base import Base, Units, utcnow
from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

#: The longest public name a member may choose, in characters.
PUBLIC_NAME_LENGTH = 60


class Mandate(Base):
    """One term of one panel of one city: a promotion, an edition, a cycle."""

    __tablename__ = "mandates"
    __table_args__ = (UniqueConstraint("city", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city: Mapped[str] = mapped_column(String(64), index=True)
    label: Mapped[str] = mapped_column(String(120))
    # The label in the site's other languages ({"nl": "cyclus 2026"}); ``label`` is the
    # name in the city's first language, unique, and shown where a language has none.
    labels: Mapped[dict[str, str]] = mapped_column(default=dict)
    term: Mapped[str] = mapped_column(String(40))  # the city's word: promotion, édition, cycle
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    status: Mapped[str] = mapped_column(String(16), default="open")
    # Keys the opaque household numbers of this mandate; never shown.
    household_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    phases: Mapped[list[MandatePhase]] = relationship(
        back_populates="mandate", order_by="MandatePhase.position", cascade="all, delete-orphan"
    )


class MandatePhase(Base):
    """A phase of a mandate with its dates, from the city's mandate rules."""

    __tablename__ = "mandate_phases"
    __table_args__ = (UniqueConstraint("mandate_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id"), index=True)
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]

    mandate: Mapped[Mandate] = relationship(back_populates="phases")


class InvitationDraw(Base):
    """A first draw of letters from a registry file: what was read, how, and its result."""

    __tablename__ = "invitation_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id"), index=True)
    seat_group: Mapped[str] = mapped_column(String(64))
    registry_name: Mapped[str] = mapped_column(String(255))
    registry_digest: Mapped[str] = mapped_column(String(64))
    output_digest: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int]
    rows: Mapped[int]
    stratify_by: Mapped[str | None] = mapped_column(String(64))
    strata: Mapped[dict[str, Any]]  # value -> [size, invited]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: The last day an invitee may answer online or by phone (set with the letters).
    answers_until: Mapped[dt.date | None]


class RespondentImport(Base):
    """One respondents file imported into a mandate; a file is imported once."""

    __tablename__ = "respondent_imports"
    __table_args__ = (UniqueConstraint("mandate_id", "file_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id"), index=True)
    seat_group: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    file_digest: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Respondent(Base):
    """Someone who answered (or volunteered): a pseudonymous id and selection features.

    ``status``: ``pool`` until a panel draw, then ``selected`` or ``not_selected``;
    ``volunteer`` for an open volunteer who joined without a draw.
    """

    __tablename__ = "respondents"
    __table_args__ = (UniqueConstraint("mandate_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id"), index=True)
    seat_group: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))  # respondent | volunteer
    external_id: Mapped[str] = mapped_column(String(80))
    features: Mapped[dict[str, str]]
    household: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pool")
    import_id: Mapped[int | None] = mapped_column(ForeignKey("respondent_imports.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    personal: Mapped[PersonalData | None] = relationship(
        back_populates="respondent", cascade="all, delete-orphan", uselist=False
    )
    member: Mapped[Member | None] = relationship(back_populates="respondent", uselist=False)


class PersonalData(Base):
    """Who a respondent is: kept apart from the features, blanked by the purge."""

    __tablename__ = "personal_data"

    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    birth_date: Mapped[dt.date | None]
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    # Means test of Poitiers' indemnity; as private as an address.
    family_quotient: Mapped[Decimal | None]
    # Where the indemnity is paid: bank details the finance department needs, purged
    # with the rest, never in a log line, an API answer or a public page.
    iban: Mapped[str | None] = mapped_column(String(34))
    # The name a member chose to be shown under on the public site ("Marie D."), only
    # while ``Member.public_name_consent_on`` is set; blanked when consent is withdrawn.
    public_name: Mapped[str | None] = mapped_column(String(PUBLIC_NAME_LENGTH))
    purged_at: Mapped[dt.datetime | None]

    respondent: Mapped[Respondent] = relationship(back_populates="personal")

    def __repr__(self) -> str:
        return f"<PersonalData respondent_id={self.respondent_id}>"


class Draw(Base):
    """A persisted draw: a panel draw, a replacement draw or a body draw.

    ``inputs`` holds the digests of what the draw read (respondents, quotas) and its
    parameters, so that anyone can re-derive it; entries hold every candidate's
    probability and whether they were chosen.

    A stratified panel draw is a published lottery made in two steps: ``state`` is
    ``running`` while the distribution is computed (``progress_*`` and ``heartbeat_at``
    tell how far, and that the worker is alive), ``published`` once the lottery folder
    is written (``lottery_folder``, ``published_at``; its digests in ``panels_digest``
    and ``inputs["files"]``), ``chosen`` once the public number picked the panel
    (``chosen_at``), or ``failed`` with ``message``. Every other draw is ``chosen`` when
    it is made. ``slot`` is set while a panel draw of a seat group runs, waits or
    stands, and is unique: the database itself refuses a second one at the same time.
    """

    __tablename__ = "draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # panel | replacement | body
    seat_group: Mapped[str | None] = mapped_column(String(64))
    body_key: Mapped[str | None] = mapped_column(String(64))
    algorithm: Mapped[str] = mapped_column(String(32))
    seed: Mapped[int | None] = mapped_column(BigInteger)
    public_number: Mapped[str | None] = mapped_column(String(64))
    seats: Mapped[int]
    inputs: Mapped[dict[str, Any]]
    panels_digest: Mapped[str | None] = mapped_column(String(64))
    final: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="chosen", server_default="chosen")
    slot: Mapped[str | None] = mapped_column(String(160), unique=True)
    lottery_folder: Mapped[str | None] = mapped_column(String(1000))
    time_limit: Mapped[float | None]
    progress_stage: Mapped[str | None] = mapped_column(String(64))
    progress_fraction: Mapped[float | None]
    heartbeat_at: Mapped[dt.datetime | None]
    message: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[dt.datetime | None]
    chosen_at: Mapped[dt.datetime | None]

    entries: Mapped[list[DrawEntry]] = relationship(
        back_populates="draw", cascade="all, delete-orphan", order_by="DrawEntry.id"
    )


class DrawEntry(Base):
    """One candidate of a draw: their selection probability and whether they were chosen."""

    __tablename__ = "draw_entries"
    __table_args__ = (UniqueConstraint("draw_id", "respondent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id"), index=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"), index=True)
    probability: Mapped[float]
    selected: Mapped[bool]

    draw: Mapped[Draw] = relationship(back_populates="entries")


class Member(Base):
    """A seat held by one person in one mandate.

    A withdrawn member keeps their row; their replacement is a new row pointing back
    through ``replaces_id``. Every change is also a ``MemberEvent``.
    """

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id"), index=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"), unique=True)
    seat_group: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))  # drawn | replacement | volunteer
    status: Mapped[str] = mapped_column(String(16), default="seated")
    seated_on: Mapped[dt.date]
    confirmed_on: Mapped[dt.date | None]
    withdrawn_on: Mapped[dt.date | None]
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("draws.id"))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # When the member consented to be named publicly; None: never, or withdrawn.
    public_name_consent_on: Mapped[dt.date | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    respondent: Mapped[Respondent] = relationship(back_populates="member")
    events: Mapped[list[MemberEvent]] = relationship(
        back_populates="member", order_by="MemberEvent.id", cascade="all, delete-orphan"
    )

    @property
    def public_id(self) -> str:
        return self.respondent.public_id

    @property
    def active(self) -> bool:
        return self.status != "withdrawn"


class MemberEvent(Base):
    """One dated step of a member's history: seated, confirmed, withdrawn, replaced."""

    __tablename__ = "member_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    on: Mapped[dt.date]
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship(back_populates="events")


class BodyMembership(Base):
    """A seat in a body: a panel member, or a named official (elected, agent, facilitator).

    Officials sit in a public capacity; their name is not respondent data.
    """

    __tablename__ = "body_memberships"
    __table_args__ = (UniqueConstraint("mandate_id", "body_key", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id"), index=True)
    body_key: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    selection: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    official_name: Mapped[str | None] = mapped_column(String(200))
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("draws.id"))
    joined_on: Mapped[dt.date]
    left_on: Mapped[dt.date | None]

    member: Mapped[Member | None] = relationship()


class AssemblySession(Base):
    """A dated meeting of the assembly or of one body, with its length in the city's unit."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    body_key: Mapped[str | None] = mapped_column(String(64))
    held_on: Mapped[dt.date]
    duration: Mapped[Decimal] = mapped_column(Units)
    unit: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200), default="")
    # As it happens: local times, the place, the agenda and the minutes (plain text).
    starts_at: Mapped[dt.time | None]
    ends_at: Mapped[dt.time | None]
    place: Mapped[str] = mapped_column(String(300), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    # A training members may skip (Paris's optional trainings).
    optional: Mapped[bool] = mapped_column(default=False)
    # Public documents of the session: [{"title": ..., "url": ...}].
    documents: Mapped[list[Any]] = mapped_column(default=list)
    # title, place, agenda and minutes in the site's other languages: {"place": {"nl": ...}};
    # the columns above hold them in the city's first language (``services.texts``).
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)

    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )
    guests: Mapped[list[SessionGuest]] = relationship(
        back_populates="session", order_by="SessionGuest.id", cascade="all, delete-orphan"
    )


class SessionGuest(Base):
    """Someone heard at a session (expert, elected official, agent): a guest, not a member.

    Guests speak in a public capacity, like officials in a body: their name is public.
    """

    __tablename__ = "session_guests"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # expert | elected | agent | other
    organisation: Mapped[str] = mapped_column(String(200), default="")
    # The organisation in the site's other languages: {"organisation": {"nl": ...}}.
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)

    session: Mapped[AssemblySession] = relationship(back_populates="guests")


class CityEvent(Base):
    """A city-level meeting that belongs to no single mandate.

    Paris's yearly droit-de-suite meeting addresses all promotions; Brussels's formal
    follow-up meetings follow one cycle's recommendations. ``mandate_ids`` lists the
    mandates addressed; empty means every mandate of the city.
    """

    __tablename__ = "city_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    city: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # accountability | follow_up | other
    held_on: Mapped[dt.date]
    starts_at: Mapped[dt.time | None]
    ends_at: Mapped[dt.time | None]
    place: Mapped[str] = mapped_column(String(300), default="")
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    mandate_ids: Mapped[list[Any]] = mapped_column(default=list)
    # title, place and summary in the site's other languages: {"title": {"nl": ...}}.
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Attendance(Base):
    """Whether one member attended one session: present, excused or absent."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("session_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(default=1)

    # Two users correcting one line at once: the second write fails instead of overwriting.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    session: Mapped[AssemblySession] = relationship(back_populates="attendances")
    member: Mapped[Member] = relationship()


class ExtraClaim(Base):
    """A cost a member claims on top of the indemnity (childcare...), as the policy allows."""

    __tablename__ = "extra_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    extra_key: Mapped[str] = mapped_column(String(64))
    claimed_on: Mapped[dt.date]
    amount: Mapped[Decimal]
    note: Mapped[str] = mapped_column(Text, default="")

    member: Mapped[Member] = relationship()
