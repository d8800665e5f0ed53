"""The page cache survives writes: a write drops the pages of what it changed, not all.

Each answer is stored with the areas of the database it shows; when the audit head
moves, a worker reads the actions in between and drops only the answers of the
areas they change. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from kleroterion.services import mandates, proposals, sessions
from kleroterion.web import page_cache

from .conftest import Run
from .test_page_cache import START, app  # noqa: F401 (the fixture)

pytestmark = pytest.mark.usefixtures("close_apps")

TODAY = dt.date(2026, 3, 2)


def _stored(application: Flask) -> set[str]:
    return {key[0].split("?")[0].removeprefix("http://localhost")
            for key in page_cache.cache_of(application)._entries}


def test_a_write_drops_only_the_pages_of_what_it_changed(app: Flask, run: Run) -> None:  # noqa: F811
    mandate = run(mandates.open_mandate, "paris", "Promotion 2026", START)
    act = run(proposals.create, mandate.id, "deliberation", "Des fontaines", START)
    client = app.test_client()
    pages = ["/panel", "/sessions", "/powers", f"/proposals/{act.id}", "/proposals"]
    before = {page: client.get(page).get_data(as_text=True) for page in pages}
    assert _stored(app) == set(pages)

    target, _actor = run(proposals.allowed_moves, act.id)[0]
    run(proposals.move, act.id, target, START)
    after = client.get(f"/proposals/{act.id}").get_data(as_text=True)
    assert after != before[f"/proposals/{act.id}"]  # the act's page shows the move
    # The panel's, the sessions' and the powers' pages were kept; /proposals was dropped.
    assert _stored(app) == {"/panel", "/sessions", "/powers", f"/proposals/{act.id}"}
    assert client.get("/proposals").get_data(as_text=True) != before["/proposals"]

    run(sessions.add_session, mandate.id, "pleniere", dt.date(2026, 4, 1), title="Séance")
    assert "Séance" in client.get("/sessions").get_data(as_text=True)
    assert "/panel" in _stored(app) and f"/proposals/{act.id}" in _stored(app)

    run(mandates.close_mandate, mandate.id)  # an action not listed: drops all
    client.get("/powers")
    assert _stored(app) == {"/powers"}


def test_a_log_that_does_not_match_its_head_drops_everything() -> None:
    cache = page_cache.PageCache()
    key = ("/panel", "fr", TODAY)
    first = page_cache.Stamp.of("a", 1)
    cache.advance(first, lambda a, b: [])
    cache.put(first, key, page_cache.Stored(b"x", (), frozenset({"members"})))
    cache.advance(page_cache.Stamp.of("b", 2), lambda a, b: None)  # entries missing
    assert cache.get(page_cache.Stamp.of("b", 2), key) is None
    cache.put(page_cache.Stamp.of("b", 2), key, page_cache.Stored(b"x", (),
                                                                  frozenset({"members"})))
    cache.put(first, ("/other", "fr", TODAY), page_cache.Stored(b"old", ()))
    assert len(cache) == 1  # an answer made under an older stamp is not stored


actions = st.lists(st.sampled_from(["proposal.move", "followup.commit", "session.add",
                                    "attendance.record", "member.withdraw", "panel.draw",
                                    "user.create", "unknown.thing"]), max_size=5)


@given(before=st.sampled_from(sorted(page_cache.AREAS)), done=actions)
def test_an_answer_survives_only_changes_outside_its_areas(before: str, done: list[str]
                                                           ) -> None:
    cache = page_cache.PageCache()
    key = (before, "fr", TODAY)
    areas = page_cache.AREAS[before]
    cache.advance(page_cache.Stamp.of("a", 1), lambda a, b: [])
    cache.put(page_cache.Stamp.of("a", 1), key, page_cache.Stored(b"x", (), areas))
    seen: list[tuple[int, int]] = []

    def read(a: int, b: int) -> list[str]:
        seen.append((a, b))
        return done

    new = page_cache.Stamp.of("b", 1 + len(done))
    cache.advance(new, read)
    changed = page_cache.changed_areas(done)
    kept = cache.get(new, key) is not None
    if not done:
        assert not kept  # same seq, another hash: a rewritten log, all dropped
    else:
        assert seen == [(1, 1 + len(done))]
        assert kept == (changed is not None and areas is not None and not (areas & changed))


def test_every_cached_endpoint_declares_its_areas() -> None:
    assert set(page_cache.CACHED) <= set(page_cache.AREAS)


