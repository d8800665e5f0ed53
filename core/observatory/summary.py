"""The figures an observatory compares, read from one instance's open-data indicators.

Each promotion is summed into a few named figures (letters, answer rate, retention,
attendance, acts adopted, days to the city's answers, indemnities); an assembly's
totals add its promotions' counts and recompute its rates from the sums, so a rate is
never an average of rates. The names are the keys of ``FIGURES``, whose English labels
the catalogs translate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kleroterion.messages import N_
from kleroterion.observatory.sources import Instance, Problem

#: Every figure, in the order shown, with its label (translated by the catalogs).
FIGURES = {
    "letters": N_("Letters"),
    "answers": N_("Answers"),
    "answer_rate": N_("Answer rate"),
    "seated": N_("Seated by the draw"),
    "withdrawn": N_("Withdrawals"),
    "replacements": N_("Replacements"),
    "retention_rate": N_("Members of the draw still sitting"),
    "attendance_rate": N_("Attendance rate"),
    "acts": N_("Acts"),
    "acts_adopted": N_("Acts adopted"),
    "median_days_to_first": N_("Median days to the first answer"),
    "median_days_to_final": N_("Median days to the final answer"),
    "milestones_on_time": N_("Milestones met on time"),
    "indemnities": N_("Indemnities paid"),
}
#: Why a source could not be read, by ``Problem.code``; ``detail`` is the source's own.
PROBLEMS = {
    "unreachable": N_("no answer from this address (%(detail)s)"),
    "http": N_("the instance answered with an error (%(detail)s)"),
    "not_json": N_("the answer is not JSON (%(detail)s)"),
    "schema_version": N_("the instance publishes another version of the indicators: "
                         "%(detail)s"),
    "invalid": N_("the answer does not match the indicators' schema (%(detail)s)"),
    "unknown_city": N_("no such city is installed here (%(detail)s)"),
    "database": N_("this installation's database cannot be read (%(detail)s)"),
}
RATES = ("answer_rate", "retention_rate", "attendance_rate", "milestones_on_time")
MONEY = ("indemnities",)


@dataclass(frozen=True)
class Summary:
    source: str
    slug: str
    assembly_name: dict[str, str]
    currency: str
    problem: Problem | None
    totals: dict[str, Any] = field(default_factory=dict)
    mandates: list[dict[str, Any]] = field(default_factory=list)
    years: list[dict[str, Any]] = field(default_factory=list)


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 6) if whole else None


def _counts(mandate: dict[str, Any]) -> dict[str, Any]:
    """The additive counts of one promotion (rates are made from them)."""
    funnel = mandate["funnel"]
    sessions = mandate["attendance"]["sessions"]
    retention = mandate["retention"]
    commitments = mandate["commitments"]
    return {
        "letters": sum(f["letters"] for f in funnel),
        "answers": sum(f["answers"] for f in funnel),
        "seated": retention["seated"],
        "withdrawn": retention["withdrawn"],
        "replacements": retention["replacements"],
        "still": retention["still_sitting"],
        "on_roll": sum(s["on_roll"] for s in sessions),
        "present": sum(s["present"] for s in sessions),
        "acts": sum(a["count"] for a in mandate["acts"]),
        "acts_adopted": sum(a["count"] for a in mandate["acts"] if a["outcome"] == "adopted"),
        "milestones_due": commitments["milestones_due"],
        "milestones_met": commitments["milestones_on_time"],
        "indemnities": sum(float(y["total"]) for y in mandate["indemnities"]),
    }


def _figures(counts: dict[str, Any]) -> dict[str, Any]:
    return {
        "letters": counts["letters"], "answers": counts["answers"],
        "answer_rate": _ratio(counts["answers"], counts["letters"]),
        "seated": counts["seated"], "withdrawn": counts["withdrawn"],
        "replacements": counts["replacements"],
        "retention_rate": _ratio(counts["still"], counts["seated"]),
        "attendance_rate": _ratio(counts["present"], counts["on_roll"]),
        "acts": counts["acts"], "acts_adopted": counts["acts_adopted"],
        "milestones_on_time": _ratio(counts["milestones_met"], counts["milestones_due"]),
        "indemnities": round(counts["indemnities"], 2),
    }


def summarize(instance: Instance) -> Summary:
    """The figures of one instance (none when it could not be read)."""
    summary = Summary(instance.source, instance.slug, instance.assembly_name,
                      instance.currency, instance.problem)
    if instance.indicators is None:
        return summary
    total: dict[str, Any] = {}
    for mandate in instance.indicators["mandates"]:
        counts = _counts(mandate)
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
        summary.mandates.append({
            "label": mandate["label"], "starts_on": mandate["starts_on"],
            "ends_on": mandate["ends_on"], **_figures(counts),
            "median_days_to_first": mandate["delays"]["median_days_to_first"],
            "median_days_to_final": mandate["delays"]["median_days_to_final"],
        })
    if total:
        summary.totals.update(_figures(total))
        latest = summary.mandates[-1]
        # Medians do not add up: the totals give the latest promotion's.
        summary.totals["median_days_to_first"] = latest["median_days_to_first"]
        summary.totals["median_days_to_final"] = latest["median_days_to_final"]
    summary.years.extend({"year": y["year"], "total": float(y["total"]),
                          "members_paid": y["members_paid"]}
                         for y in instance.indicators["indemnities_by_year"])
    return summary
