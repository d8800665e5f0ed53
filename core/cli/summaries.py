"""Each core command's summary, so that ``kleroterion --help`` lists them without loading them.

A summary is the first sentence of the command's help, all click reads of it for the short
help it lists; the group (``kleroterion.cli``) shows it for a command not loaded yet, and
loads a command missing here to list it, as before. A test fails when a summary differs
from its command's help.
"""

from __future__ import annotations

SUMMARIES: dict[str, str] = {
    "cities": "List the installed cities: slug, name and the plugin that provides each.",
    "plugins": "List every plugin: name, distribution, version, kind and the hooks it implements.",
    "compare": (
        "Compare cities on the practitioners' questions: indemnity, accountability and "
        "follow-up, experts and stakeholders, sortition and engagement, work with elected "
        "officials and agents, legal basis, budget and staff, term and renewal."
    ),
    "docs": (
        "Generate a reference page: hooks (docs/hooks.md), cli (docs/cli.md), cities "
        "(docs/cities.md) or configuration (docs/configuration.md)."
    ),
    "invite": "Draw the invitation letters from a registry file (the first draw).",
    "select": "Draw the panel from the respondents under the quotas, fairly.",
    "draw": "Record the public number in a published lottery and show the panel it draws.",
    "verify": "Re-derive a published lottery from its own files and report every difference.",
    "new-city": "Create a city plugin for a new municipality, from a few questions.",
    "serve": "Serve the site of CITY (public pages, JSON API) on HOST:PORT.",
    "worker": "Run the jobs (panel draws, letters, reports) of CITY's queue until stopped.",
    "demo": "Serve CITY's site on a simulated mandate (paris, poitiers, brussels or any city).",
    "db": "Create and upgrade the database schema.",
    "mandate": "Open, list and close mandates (promotions, editions, cycles).",
    "invitations": "Invitation draws: letters sent from a registry.",
    "respondents": "Respondents: import, list, export of personal data.",
    "panel": "Panel draws: publish the lottery, choose by the public number, show, finalize.",
    "member": "Members: list, confirm, withdraw, replace, history, public names, volunteers.",
    "body": "Bodies: workshops, groups, committees.",
    "session": "Sessions: plenaries, workshops, hearings, visits, trainings.",
    "attendance": "Attendance: present, excused or absent.",
    "indemnity": "Indemnities: statements, export for the finance department, extra costs.",
    "proposal": "Proposals: acts of the kinds the city allows, through its lifecycle.",
    "followup": (
        "Follow-up: commitments, milestones, answers and corrections, overdue list, report."
    ),
    "audit": "The audit log: verify its hash chain, read it.",
    "privacy": "Personal data: purge after the draw, export what is kept about one person.",
    "user": "Back-office accounts and API tokens.",
    "observatory": (
        "Compare assemblies on what their public records show (recruitment, retention, "
        "attendance, acts and answers, indemnities)."
    ),
    "letters": "Invitation letters: one per invitee, with an answer code and its QR code.",
    "record": "The public record: act content, votes, files, answers, sessions, events, report.",
    "jobs": "Exports made by the workers: letters, reminders, reports.",
    "subject": "What a mandate works on: workshops, subjects and their origin, acts on them.",
}
