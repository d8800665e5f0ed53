"""The one rule choosing a draw's algorithm, shared by ``select`` and the database draws."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kleroterion.services.selection import UnknownAlgorithm, algorithm_for

KNOWN = ("leximin", "legacy")
NAMES = st.sampled_from(["leximin", "legacy", "maximin", "nash", ""])


@given(requested=st.none() | NAMES, city=st.none() | NAMES)
def test_the_algorithm_is_asked_then_the_citys_then_leximin(requested: str | None,
                                                            city: str | None) -> None:
    if requested and requested not in KNOWN:
        with pytest.raises(UnknownAlgorithm, match="expected one of leximin, legacy"):
            algorithm_for(requested, city, KNOWN)
        return
    chosen = algorithm_for(requested, city, KNOWN)
    assert chosen in KNOWN
    if requested:
        assert chosen == requested
    elif city in KNOWN:
        assert chosen == city
    else:
        assert chosen == "leximin"
