"""A failed draw's message in the visitor's words: the smallest relaxation of the quotas.

The engine refuses infeasible quotas with English lines (``gender/femme: maximum 41
→ 55``, :class:`kleroterion.sortition.types.QuotaChange`). The draw page reads each
line it knows into a sentence in the page's language, with the criterion's and the
value's labels from the city's declaration; a line it does not know (a plugin's
engine, a precheck's reason) is shown as written, marked English.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext
from kleroterion.city.types import Feature
from kleroterion.services import quotas
from kleroterion.services.quotas import CHANGE
from kleroterion.web.i18n import l10n_text

_CHANGE = CHANGE  # one bound moved, as the service reads it to apply the advice
_SHORT = re.compile(r"^\((\d+) seats but only (\d+) respondents\)$")
_FEW = re.compile(r"^\(([^/\s]+)/(.+): minimum (\d+) but only (\d+) respondents\)$")
_CROSSED = re.compile(r"^\(([^/\s]+)/(.+): minimum (\d+) above maximum (\d+)\)$")
_HEAD = "the draw cannot be made:"
_SMALLEST = "The quotas cannot all be met; the smallest change that makes them feasible:"
_HOPELESS = "The quotas cannot be met, and relaxing them within their flex does not help."
_INTERRUPTED = ("the computation was interrupted (the server stopped or restarted); start the "
                "draw again")


@dataclass(frozen=True)
class Line:
    text: str
    english: bool  # shown as written, marked lang="en"


def labels(features: Sequence[Feature], key: str, value: str) -> tuple[str, str]:
    """A criterion's and a value's labels in the page's language (the keys if unknown):
    those the service's refusals name them by (:func:`quotas.labels`), as page text."""
    feature, option = quotas.labels(features, key, value)
    return _text(feature), _text(option)


def _text(label: object) -> str:
    return l10n_text(label) if isinstance(label, dict) else str(label)


def read(message: str | None, features: Sequence[Feature]) -> list[Line]:
    """The failure's lines, each in words when known."""
    lines: list[Line] = []
    for raw in (message or "").splitlines():
        text = raw.strip()
        if not text or text == _HEAD:
            continue
        change = _CHANGE.match(raw)
        if change:
            key, value, bound, old, new = change.groups()
            feature, option = labels(features, key, value)
            if bound == "maximum":
                said = gettext("%(feature)s “%(value)s”: raise the maximum from %(old)s to "
                               "%(new)s seats.", feature=feature, value=option, old=old, new=new)
            else:
                said = gettext("%(feature)s “%(value)s”: lower the minimum from %(old)s to "
                               "%(new)s seats.", feature=feature, value=option, old=old, new=new)
            lines.append(Line(str(said), False))
        elif short := _SHORT.match(text):
            lines.append(Line(str(gettext(
                "There are %(seats)s seats but only %(count)s respondents.",
                seats=short.group(1), count=short.group(2))), False))
        elif few := _FEW.match(text):
            feature, option = labels(features, few.group(1), few.group(2))
            lines.append(Line(str(gettext(
                "%(feature)s “%(value)s”: the minimum is %(minimum)s seats but only %(count)s "
                "respondents have this value.", feature=feature, value=option,
                minimum=few.group(3), count=few.group(4))), False))
        elif crossed := _CROSSED.match(text):
            feature, option = labels(features, crossed.group(1), crossed.group(2))
            lines.append(Line(str(gettext(
                "%(feature)s “%(value)s”: the minimum (%(minimum)s) is above the maximum "
                "(%(maximum)s).", feature=feature, value=option, minimum=crossed.group(3),
                maximum=crossed.group(4))), False))
        elif text == _SMALLEST:
            lines.append(Line(str(gettext("The quotas cannot all be met. The smallest change "
                                          "that makes them feasible:")), False))
        elif text == _HOPELESS:
            lines.append(Line(str(gettext("The quotas cannot be met, and relaxing them within "
                                          "their tolerance does not help.")), False))
        elif text == _INTERRUPTED:
            lines.append(Line(str(gettext("The computation was interrupted (the server stopped "
                                          "or restarted); start the draw again.")), False))
        else:
            lines.append(Line(text, True))
    return lines
