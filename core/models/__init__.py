"""The domain's tables as SQLAlchemy 2.0 typed models; ``Base.metadata`` holds them all."""

from __future__ import annotations

from kleroterion.models.assembly import (
    AssemblySession,
    Attendance,
    BodyMembership,
    CityEvent,
    Draw,
    DrawEntry,
    ExtraClaim,
    InvitationDraw,
    Mandate,
    MandatePhase,
    Member,
    MemberEvent,
    PersonalData,
    Respondent,
    RespondentImport,
    SessionGuest,
)
from kleroterion.models.audit import GENESIS, AuditEntry, AuditHead
from kleroterion.models.base import Base, utcnow
from kleroterion.models.exports import ExportJob
from kleroterion.models.invitations import Invitation
from kleroterion.models.proposals import (
    Commitment,
    Milestone,
    Proposal,
    ProposalAttachment,
    ProposalResponse,
    ProposalTransition,
    ProposalVote,
)
from kleroterion.models.quotas import MandateQuota
from kleroterion.models.subjects import Subject, Workshop, subject_workshops
from kleroterion.models.users import (
    ROLE_LEVEL,
    ROLES,
    TOKEN_SHAPE,
    WRITE_ROLES,
    ApiToken,
    LoginAttempt,
    User,
    new_session_token,
    new_token,
    token_digest,
    token_prefix,
)

__all__ = [
    "GENESIS",
    "ROLES",
    "ROLE_LEVEL",
    "TOKEN_SHAPE",
    "WRITE_ROLES",
    "ApiToken",
    "AssemblySession",
    "Attendance",
    "AuditEntry",
    "AuditHead",
    "Base",
    "BodyMembership",
    "CityEvent",
    "Commitment",
    "Draw",
    "DrawEntry",
    "ExportJob",
    "ExtraClaim",
    "Invitation",
    "InvitationDraw",
    "LoginAttempt",
    "Mandate",
    "MandatePhase",
    "MandateQuota",
    "Member",
    "MemberEvent",
    "Milestone",
    "PersonalData",
    "Proposal",
    "ProposalAttachment",
    "ProposalResponse",
    "ProposalTransition",
    "ProposalVote",
    "Respondent",
    "RespondentImport",
    "SessionGuest",
    "Subject",
    "User",
    "Workshop",
    "new_session_token",
    "new_token",
    "subject_workshops",
    "token_digest",
    "token_prefix",
    "utcnow",
]
