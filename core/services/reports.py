"""The yearly follow-up report of a city: every act of every mandate, as of 31 December.

Paris reports once a year to all its promotions on every act the Conseil de Paris
adopted; Brussels's government answers each cycle's recommendations. The report
spans the city's mandates (or the ones asked for): per act, its promotion, state,
votes, the answers given in or before the year, the responses still due, and each
commitment with its status, progress and milestones. ``city_report`` gathers it as
data; ``as_csv`` and ``as_markdown`` write it in a reader's language through the
``Words`` they are given (the web's gettext, or the catalogs loaded by the CLI), so
the page, the CSV and the Markdown say the same thing. The name of a person
responsible for a measure is personal data: the report says whether one is named.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from kleroterion import spreadsheet
from kleroterion.city.types import Localized, localize
from kleroterion.models import Mandate, Proposal
from kleroterion.services import followup, mandates, proposals, texts
from kleroterion.services.context import city
from kleroterion.services.errors import InvalidInput
from kleroterion.services.proposals import proposal_kind, state_of
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ReportMilestone:
    title: Localized  # by language, the city's first language first
    due_on: dt.date
    done_on: dt.date | None


@dataclass(frozen=True)
class ReportCommitment:
    title: Localized  # by language, the city's first language first
    department: Localized
    responsible_named: bool
    status: str
    progress: int
    due_on: dt.date | None
    overdue: bool
    milestones: tuple[ReportMilestone, ...]


@dataclass(frozen=True)
class ReportAnswer:
    kind: str
    on: dt.date
    summary: Localized  # by language, the city's first language first
    text: Localized
    verdict: str | None


@dataclass(frozen=True)
class ReportAct:
    id: int
    mandate_id: int
    #: The promotion's name by language (``mandates.label_texts``).
    mandate_label: Localized
    kind: str
    kind_label: Localized
    title: Localized  # by language, the city's first language first
    state_label: Localized
    outcome: str
    answers: tuple[ReportAnswer, ...]
    pending: tuple[tuple[Localized, dt.date, bool], ...]  # (deadline, due on, overdue)
    commitments: tuple[ReportCommitment, ...]


@dataclass(frozen=True)
class CityReport:
    city: str
    assembly: Localized
    year: int
    as_of: dt.date
    mandates: tuple[tuple[int, Localized], ...]
    acts: tuple[ReportAct, ...] = ()
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def commitments(self) -> int:
        return sum(len(act.commitments) for act in self.acts)

    @property
    def mean_progress(self) -> int:
        values = [c.progress for act in self.acts for c in act.commitments]
        return round(sum(values) / len(values)) if values else 0

    @property
    def overdue(self) -> int:
        return sum(1 for act in self.acts for c in act.commitments if c.overdue)


def _act(session: Session, mandate: Mandate, proposal: Proposal, as_of: dt.date) -> ReportAct:
    kind = proposal_kind(mandate, proposal.kind)
    state = state_of(kind, proposal.state)
    commitments = []
    first = texts.first_language(mandate.city)
    for c in proposal.commitments:
        if c.created_on > as_of:
            continue
        commitments.append(ReportCommitment(
            title=texts.texts_of(c, "title", first),
            department=texts.texts_of(c, "department", first),
            responsible_named=bool(c.responsible),
            status=c.status, progress=max(0, min(100, c.progress)), due_on=c.due_on,
            overdue=(c.status not in followup.CLOSED and c.due_on is not None
                     and as_of > c.due_on),
            milestones=tuple(ReportMilestone(texts.texts_of(m, "title", first), m.due_on,
                                             m.done_on if m.done_on and m.done_on <= as_of
                                             else None) for m in c.milestones)))
    answers = tuple(ReportAnswer(r.kind, r.answered_on, texts.texts_of(r, "summary", first),
                                 dict(r.text), r.verdict)
                    for r in sorted(proposal.responses, key=lambda r: (r.answered_on, r.id))
                    if r.answered_on <= as_of)
    labels = {rule.key: rule.label
              for rule in city(mandate.city).config.accountability.response_deadlines}
    pending = tuple((labels.get(d.key, {"en": d.label}), d.due_on, d.overdue(as_of))
                    for d in followup.deadlines(session, proposal.id)
                    if d.answered_on is None or d.answered_on > as_of)
    return ReportAct(id=proposal.id, mandate_id=mandate.id,
                     mandate_label=mandates.label_texts(mandate), kind=kind.key,
                     kind_label=kind.label, title=texts.texts_of(proposal, "title", first),
                     state_label=state.label, outcome=state.outcome, answers=answers,
                     pending=pending, commitments=tuple(commitments))


def city_report(session: Session, city_slug: str, year: int,
                mandate_ids: list[int] | None = None) -> CityReport:
    """The follow-up of ``city_slug``'s acts as of 31 December of ``year``."""
    config = city(city_slug).config
    every = mandates.list_mandates(session, city_slug)
    shown = [m for m in every if mandate_ids is None or m.id in mandate_ids]
    if mandate_ids is not None and len(shown) != len(set(mandate_ids)):
        raise InvalidInput("%(city)s has no mandate among %(mandates)s", city=city_slug,
                           mandates=", ".join(map(str, mandate_ids)), field="mandate")
    first = min((m.starts_on.year for m in every), default=None)
    if first is None or year < first:
        raise InvalidInput("%(city)s has no mandate before %(year)s: no report", city=city_slug,
                           year=year + 1, field="year")
    as_of = dt.date(year, 12, 31)
    acts = []
    for mandate in shown:
        if mandate.starts_on > as_of:
            continue
        for proposal in proposals.list_proposals(session, mandate.id, with_history=True):
            if proposal.created_on <= as_of:
                acts.append(_act(session, mandate, proposal, as_of))
    by_status = Counter(c.status for act in acts for c in act.commitments)
    return CityReport(city=city_slug, assembly=config.profile.assembly_name, year=year,
                      as_of=as_of, mandates=tuple((m.id, mandates.label_texts(m)) for m in shown),
                      acts=tuple(acts),
                      by_status={s: by_status.get(s, 0) for s in followup.STATUSES})


@dataclass(frozen=True)
class Words:
    """How a report speaks: translations and date format of one language."""

    language: str
    gettext: Callable[..., str]
    status: Callable[[str], str]
    answer_kind: Callable[[str], str]
    verdict: Callable[[str], str]
    day: Callable[[dt.date], str]
    #: The city's word for a mandate in this language, capitalised (« Cycle », « Promotion »).
    term: str = "Promotion"


def headers(words: Words) -> list[str]:
    _ = words.gettext
    return [_("Act"), words.term, _("Kind"), _("Title"), _("State"), _("Answers"),
            _("Commitment"), _("Department"), _("Person responsible"), _("Status"),
            _("Progress"), _("Due on"), _("Milestones")]


def _answers(act: ReportAct, words: Words) -> str:
    parts = [f"{words.answer_kind(a.kind)} ({words.day(a.on)})"
             + (f", {words.verdict(a.verdict)}" if a.verdict else "")
             + (words.gettext(": %(text)s", text=localize(a.summary, words.language))
                if a.summary else "")
             for a in act.answers]
    parts += [words.gettext("%(what)s due on %(day)s", what=localize(label, words.language),
                            day=words.day(due))
              for label, due, _late in act.pending]
    return "; ".join(parts)


def written_in(text: Localized, language: str) -> str:
    """A secretariat's text in ``language``, else in the first language written."""
    return text.get(language) or next(iter(text.values()), "")


def _milestones(c: ReportCommitment, words: Words) -> str:
    return "; ".join(
        f"{written_in(m.title, words.language)} ({words.day(m.due_on)}"
        + (f", {words.gettext('reached on %(day)s', day=words.day(m.done_on))})"
           if m.done_on else ")")
        for m in c.milestones)


def _title(act: ReportAct, words: Words) -> str:
    """The act's title in the report's language, else in the city's first language."""
    return localize(act.title, words.language, next(iter(act.title), "en"))


def rows(report: CityReport, words: Words) -> list[list[str]]:
    """The report's table: one row per commitment, or per act without one."""
    table = []
    _ = words.gettext
    for act in report.acts:
        base = [str(act.id), localize(act.mandate_label, words.language),
                localize(act.kind_label, words.language),
                _title(act, words), localize(act.state_label, words.language),
                _answers(act, words)]
        if not act.commitments:
            table.append([*base, "", "", "", "", "", "", ""])
        for c in act.commitments:
            status = words.status(c.status) + (f" ({_('overdue')})" if c.overdue else "")
            table.append([*base, written_in(c.title, words.language),
                          written_in(c.department, words.language),
                          _("named") if c.responsible_named else "", status,
                          f"{c.progress} %", words.day(c.due_on) if c.due_on else "",
                          _milestones(c, words)])
    return table


def as_csv(report: CityReport, words: Words, *, semicolon: bool) -> str:
    buffer = io.StringIO()
    # The safe writer: titles are typed by people; a cell must never run as a formula.
    writer = spreadsheet.writer(buffer, delimiter=";" if semicolon else ",",
                                lineterminator="\r\n")
    writer.writerow(headers(words))
    writer.writerows(rows(report, words))
    return buffer.getvalue()


def as_markdown(report: CityReport, words: Words) -> str:
    _ = words.gettext
    assembly = localize(report.assembly, words.language)
    title = _("Follow-up report %(year)s: %(assembly)s", year=report.year, assembly=assembly)
    lines = [f"# {_md(title)}",
             "", _("State as of %(day)s.", day=words.day(report.as_of)), "",
             _("%(acts)s acts, %(commitments)s commitments, %(done)s done, average progress "
               "%(progress)s %%.", acts=len(report.acts), commitments=report.commitments,
               done=report.by_status.get("done", 0), progress=report.mean_progress), ""]
    head = headers(words)
    for act in report.acts:
        lines += [f"## {_md(_title(act, words))}", "",
                  f"{head[1]}: {_md(localize(act.mandate_label, words.language))}; {head[2]}: "
                  f"{_md(localize(act.kind_label, words.language))}; {head[4]}: "
                  f"{_md(localize(act.state_label, words.language))}", ""]
        answers = _answers(act, words)
        if answers:
            lines += [f"{head[5]}: {_md(answers)}", ""]
        if act.commitments:
            lines += ["| " + " | ".join(head[6:]) + " |", "|" + " --- |" * len(head[6:])]
            for row in rows(CityReport(report.city, report.assembly, report.year,
                                       report.as_of, report.mandates, (act,)), words):
                lines.append("| " + " | ".join(_md(cell) for cell in row[6:]) + " |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    """A cell or line of Markdown that renders as the text itself, not as markup."""
    out = text.replace("\\", "\\\\").replace("\r", " ").replace("\n", " ")
    for char in "|*_`[]<>#":
        out = out.replace(char, "\\" + char)
    return out
