"""The hooks a kleroterion plugin may implement.

A **city plugin** implements ``city_profile`` and the other configuration hooks: it
says how its assembly is composed, what it may decide, how it is paid and how the
city answers for it. An **extension plugin** implements no ``city_profile``; it is
loaded for every city and adds commands or reacts to events.

Configuration hooks are ``firstresult``: the first plugin that returns something
other than ``None`` wins, so a city plugin overrides the core's defaults (registered
with ``trylast``). Their results are validated when the plugin manager is built
(``kleroterion.plugins.load_city``). Behaviour hooks receive the city and a context
(a member, a move, a date) and answer with a decision. Only a city's own plugin may
answer configuration and behaviour hooks: an extension that implements one is
refused when the city loads, with a message naming both plugins. Event hooks carry
typed events (``kleroterion.city.behaviour``) with pseudonymous ids only.

docs/hooks.md is generated from this module (``kleroterion docs hooks``); a test
fails when it drifts, when a hook has no docstring, or when a hook has no test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import datetime as dt

    import click
    import flask
    from kleroterion.city.behaviour import (
        Candidate,
        Entitlement,
        MemberWithdrawn,
        Move,
        MoveRule,
        PaidMember,
        ProposalDecided,
        ProposalMoved,
    )
    from kleroterion.city.types import (
        AccountabilityRules,
        Body,
        CityConfig,
        CityProfile,
        IndemnityPolicy,
        Institution,
        MandateRules,
        PanelComposition,
        ProposalKind,
        ResponseDeadline,
        SeatGroup,
    )

hookspec = pluggy.HookspecMarker("kleroterion")

# --- Configuration hooks ------------------------------------------------------


@hookspec(firstresult=True)
def city_profile() -> CityProfile | None:
    """Return who the city is: slug, name, the assembly's name, languages, currency.

    Implementing this hook is what makes a plugin a *city* plugin; its ``slug`` is
    the name used by ``kleroterion compare``, ``select --city`` and ``create_app``.
    Two installed plugins returning the same slug are an error. This is a
    ``firstresult`` hook: the first non-``None`` answer is used.
    """


@hookspec(firstresult=True)
def panel_composition() -> PanelComposition | None:
    """Return how the panel is composed: seats, seat groups, stratification criteria.

    Seat groups must add up to ``seats``; each names its registry (electoral roll,
    addresses, residents' card, volunteers), its selection method and the criteria
    that stratify it, whose population weights give the quota targets. This is a
    ``firstresult`` hook: the first non-``None`` answer is used.
    """


@hookspec(firstresult=True)
def assembly_bodies() -> tuple[Body, ...] | None:
    """Return the sub-bodies of the assembly and their composition.

    Workshops, a proposals group, a methodology committee, guarantors...: each body
    lists its seats by role (drawn members, volunteers, elected officials of the
    majority and of the opposition, agents, facilitators) and how they are filled.
    The core's default is no body. This is a ``firstresult`` hook: the first
    non-``None`` answer is used.
    """


@hookspec(firstresult=True)
def mandate_rules() -> MandateRules | None:
    """Return how long a panel sits, its phases and the kinds of sessions it holds.

    Session kinds carry the unit (half-day, day, session) in which attendance is
    counted and indemnities paid. This is a ``firstresult`` hook: the first
    non-``None`` answer is used.
    """


@hookspec(firstresult=True)
def proposal_kinds() -> tuple[ProposalKind, ...] | None:
    """Return the acts the assembly may produce: the city's decision powers.

    Each kind names its addressee, whether adoption binds, and its lifecycle as
    states and allowed transitions (each made by an actor). A transition the city
    does not list is refused by the core. This is a ``firstresult`` hook: the first
    non-``None`` answer is used.
    """


@hookspec(firstresult=True)
def indemnity_policy() -> IndemnityPolicy | None:
    """Return what members are paid: rate, unit, who is paid, conditions and caps.

    The core computes statements from it: rate times units attended, only for the
    bodies listed in ``paid_bodies`` (every member when empty), only for members
    meeting the means test, within ``max_units`` and ``annual_ceiling``, plus the
    extras claimed. The core's default pays nothing. This is a ``firstresult``
    hook: the first non-``None`` answer is used.
    """


@hookspec(firstresult=True)
def accountability_rules() -> AccountabilityRules | None:
    """Return how the city answers for the acts: reports, deadlines, follow-up committee.

    Response deadlines (in months after an act is submitted) drive the overdue list;
    ``report_every_months`` the periodic follow-up report. The core's default is a
    yearly public report by the secretariat. This is a ``firstresult`` hook: the
    first non-``None`` answer is used.
    """


@hookspec(firstresult=True)
def institution() -> Institution | None:
    """Return how the assembly is instituted, funded, staffed and tied to officials.

    Founding act, rules of procedure, whether the droit de suite is in law, budget
    and staff, the place of experts and stakeholders, the articulation with elected
    officials and agents, engagement measures: what practitioners compare. A fact
    left empty is unknown; a fact given without a source in ``evidence`` stops the
    city's load naming the field. The core's default knows nothing. This is a
    ``firstresult`` hook: the first non-``None`` answer is used.
    """


# --- Extension hooks ----------------------------------------------------------


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``kleroterion`` command line.

    Called once when the command line starts, for the plugins of every installed
    city and every extension; add commands with ``cli.add_command(...)``.
    """


@hookspec
def register_blueprints(app: flask.Flask) -> None:
    """Add pages or endpoints to a city's web application.

    Called once by ``kleroterion.web.create_app`` after the core's blueprints are
    registered; register yours with ``app.register_blueprint(...)``. Keep personal
    data off public routes, as the core does.
    """


@hookspec
def extra_template_vars(city: str) -> dict[str, Any] | None:
    """Return variables to add to the context of every page the web app renders.

    ``city`` is the slug of the instance's city. Called for each render; when two
    plugins return the same name, the answer of the plugin called first wins (the
    city's own plugin before extensions registered after it). The public pages are
    rendered again only when the database, the language or the date changes
    (``kleroterion.web.page_cache``), so the variables must not depend on anything else
    (the time of day, a counter).
    """


# --- Behaviour hooks ----------------------------------------------------------
#
# Where cities differ in logic: each receives the city's configuration and a context,
# and answers. Like the configuration hooks, only the city's own plugin may answer
# them (an extension that implements one is refused at load time); the core's
# defaults read the declared configuration.


@hookspec(firstresult=True)
def indemnity_entitlement(city: CityConfig, member: PaidMember, on: dt.date) -> Entitlement | None:
    """Return whether ``member`` is paid for an attendance on ``on``, and the rate per unit.

    The core's default pays every member, or only members of ``paid_bodies``, under
    the means test of ``family_quotient_max``, at the policy's rate; the caps
    (``max_units``, ``annual_ceiling``) are applied by the core afterwards. This is a
    ``firstresult`` hook: the first non-``None`` answer is used.
    """


@hookspec(firstresult=True)
def transition_rule(city: CityConfig, move: Move) -> MoveRule | None:
    """Return whether an act may make ``move``, and what the move requires.

    Called once the move is one the act kind's lifecycle lists. The core's default
    requires a justification for a transition declared with ``justification = true``
    (e.g. a recommendation the government does not retain). This is a
    ``firstresult`` hook: the first non-``None`` answer is used.
    """


@hookspec(firstresult=True)
def response_due(
    city: CityConfig, kind: ProposalKind, deadline: ResponseDeadline, sent_on: dt.date
) -> dt.date | None:
    """Return the day the addressee's answer to an act sent on ``sent_on`` is due.

    The core's default adds ``deadline.months`` calendar months. A city whose rule
    counts otherwise (working days, a summer recess) answers here. This is a
    ``firstresult`` hook: the first non-``None`` answer is used.
    """


@hookspec(firstresult=True)
def seat_group_eligibility(city: CityConfig, group: SeatGroup, candidate: Candidate) -> str | None:
    """Return why ``candidate`` may not sit in ``group``, or ``""`` when they may.

    Asked for every respondent of the group's pool when a draw is made among it (the
    panel draw, stratified or uniform, with the age on the mandate's first day; a
    replacement draw, with the age on the withdrawal's day): a respondent given a
    reason is not a candidate of the draw, and is not in its published folder.
    ``candidate`` carries the pseudonymous id, the selection features and the age when
    the birth date is known, never a name. The core's default checks the group's age
    bounds when the age is known. This is a ``firstresult`` hook: the first
    non-``None`` answer is used.
    """


# --- Event hooks --------------------------------------------------------------
#
# Called after the change is committed, every implementation in turn; one that raises
# is logged (its plugin, the hook, the error's type) and never turns the saved change
# into an error.


@hookspec
def on_withdrawal(event: MemberWithdrawn) -> None:
    """React to a panel member's withdrawal (notify, plan a replacement draw...).

    ``event`` carries the city, the day, the mandate and the member's pseudonymous
    id; never the reason, which may be about health or family. Every implementation
    is called.
    """


@hookspec
def on_transition(event: ProposalMoved) -> None:
    """React to an act moving from ``event.source`` to ``event.target``.

    ``event`` carries the city, the day, the mandate, the act's id and kind and the
    actor. Every implementation is called.
    """


@hookspec
def on_decision(event: ProposalDecided) -> None:
    """React to an act reaching a final state (adopted, rejected, answered...).

    Called after ``on_transition`` when the new state is final, with the state's
    ``outcome``; a city may open follow-up commitments here. Every implementation is
    called.
    """


_DEPRECATED = "is deprecated since kleroterion 0.6 and will be removed in 1.0; implement {}"


@hookspec(warn_on_impl=DeprecationWarning(
    "on_member_withdrawn " + _DEPRECATED.format("on_withdrawal(event)")))
def on_member_withdrawn(member_id: str, reason: str, date: str) -> None:
    """Deprecated: implement ``on_withdrawal``. Still called, with an empty ``reason``.

    ``member_id`` is the member's pseudonymous id, ``date`` an ISO date. The reason is
    no longer passed (it may be about health): ``reason`` is always ``""``.
    """


@hookspec(warn_on_impl=DeprecationWarning(
    "on_proposal_transition " + _DEPRECATED.format("on_transition(event)")))
def on_proposal_transition(
    proposal_id: str, kind: str, source: str, target: str, actor: str
) -> None:
    """Deprecated: implement ``on_transition``. Still called after each move."""


@hookspec(warn_on_impl=DeprecationWarning(
    "on_proposal_decided " + _DEPRECATED.format("on_decision(event)")))
def on_proposal_decided(proposal_id: str, kind: str, outcome: str) -> None:
    """Deprecated: implement ``on_decision``. Still called after a final move."""


#: The configuration hooks, in the order the core reads them.
CONFIG_HOOKS: tuple[str, ...] = (
    "city_profile",
    "panel_composition",
    "assembly_bodies",
    "mandate_rules",
    "proposal_kinds",
    "indemnity_policy",
    "accountability_rules",
    "institution",
)

#: The behaviour hooks: like the configuration hooks, the city's own plugin answers them.
BEHAVIOUR_HOOKS: tuple[str, ...] = (
    "indemnity_entitlement",
    "transition_rule",
    "response_due",
    "seat_group_eligibility",
)


def hook_names() -> list[str]:
    """Every hook declared here, in declaration order."""
    return [
        name
        for name, obj in globals().items()
        if callable(obj) and hasattr(obj, "kleroterion_spec")
    ]
