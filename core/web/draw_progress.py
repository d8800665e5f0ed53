"""A running draw's progress in words, in the visitor's language, and its honest percentage.

The worker records a short stage (``waiting``, ``queued``, ``computing``, the engine's own words
such as ``leximin: level 3, 41/300 fixed, 57 panels, 12 s``, ``rounding``,
``publishing``) and a fraction. The page never shows the raw stage: each is read
into a sentence. The percentage keeps room for the steps that follow the engine
(rounding the distribution to the numbered panels, writing the lottery folder), so
a page never sits at 100 % while work remains: the engine's share is scaled to
``ENGINE_SHARE`` and 100 % is shown only once the lottery is published.
"""

from __future__ import annotations

import re

from flask_babel import gettext

#: The share of the bar the engine's own computation fills; the rest is rounding and publishing.
ENGINE_SHARE = 0.85
#: Where the bar stands during the steps after the engine.
AFTER_ENGINE = {"rounding": 0.88, "publishing": 0.95}

_LEVEL = re.compile(r"level (\d+)(?: done)?, (\d+)/(\d+) fixed")
_CERTIFY = re.compile(r"certifying (\d+) levels|(\d+) levels certified")
_PANELS = re.compile(r"(\d+) panels?\b")


def percent(stage: str | None, fraction: float | None, state: str = "running") -> int:
    """The whole percentage to show: below 100 until the draw is published."""
    if state != "running":
        return 100 if state in ("published", "chosen") else 0
    if stage in AFTER_ENGINE:
        share = AFTER_ENGINE[stage]
    elif stage in (None, "waiting", "queued"):
        share = 0.0
    else:
        share = ENGINE_SHARE * max(0.0, min(1.0, fraction or 0.0))
    return min(99, int(share * 100))


def stage_words(stage: str | None) -> str:
    """The stage as a sentence in the current language (never the raw key)."""
    return str(_words(stage))


def _words(stage: str | None) -> object:
    if stage in (None, "", "waiting"):
        return gettext("Waiting for the computation to start.")
    assert stage is not None
    if stage == "queued":
        return gettext("Waiting in the queue for a worker to compute it.")
    if stage == "computing":
        return gettext("Reading the respondents and the quotas.")
    if stage == "rounding":
        return gettext("Rounding the distribution to the numbered panels of the lottery.")
    if stage == "publishing":
        return gettext("Writing and publishing the lottery folder.")
    if stage == "published":
        return gettext("The lottery is published.")
    if stage.startswith("legacy"):
        return gettext("Computing the distribution (legacy algorithm).")
    panels = _PANELS.search(stage)
    found = (" " + str(gettext("Panels found so far: %(count)s.", count=panels.group(1)))
             if panels else "")
    level = _LEVEL.search(stage)
    if level:
        return gettext("Raising the lowest chances, step %(step)s: the chances of %(fixed)s "
                       "respondents out of %(total)s are settled.", step=level.group(1),
                       fixed=level.group(2), total=level.group(3)) + found
    certify = _CERTIFY.search(stage)
    if certify:
        return gettext("Checking the fairest distribution (%(levels)s levels) and finding its "
                       "panels.", levels=certify.group(1) or certify.group(2)) + found
    if "types compiled" in stage:
        return gettext("Grouping respondents who share the same features.")
    return gettext("Computing the fairest distribution.") + found
