"""Every test's services run on a pinned date far after the mandates the tests build, so
that attendance taken at their sessions is not refused as future (the tests of that
refusal give their own date)."""

from __future__ import annotations

import pytest
from kleroterion.services.context import TODAY_VARIABLE

#: After every session the tests plan.
PINNED_TODAY = "2099-12-31"


@pytest.fixture(autouse=True)
def _services_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TODAY_VARIABLE, PINNED_TODAY)
