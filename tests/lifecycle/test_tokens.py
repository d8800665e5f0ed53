"""API tokens: issued once, stored as a digest with a public prefix, checked in constant
time, listed, revoked, capped by their user's role; and their commands. On SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.db import make_engine, make_sessionmaker, session_scope
from kleroterion.models import ApiToken, AuditEntry, User
from kleroterion.services import audit, users
from kleroterion.services.errors import InvalidInput, NotAllowed
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.lifecycle import test_cli
from tests.lifecycle.test_cli import Invoke, snapshot

PASSWORD = "a long password"
invoke = test_cli.invoke  # the commands' fixture: a migrated database per test


def _user(run: Callable[..., Any], name: str = "clerk", role: str = "secretariat") -> User:
    user: User = run(users.create_user, name, PASSWORD, role)
    return user


def test_a_token_is_shown_once_and_only_its_digest_and_prefix_are_stored(
    run: Callable[..., Any], database_url: str
) -> None:
    user = _user(run)
    row, token = run(users.issue_token, user.id, "tableur de suivi")
    assert token.startswith("klr_") and len(token) == 4 + 8 + 1 + 43
    assert row.prefix == token[:12] and row.name == "tableur de suivi"
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (row.role, row.last_used_at, row.revoked_at) == (None, None, None)
    # Nowhere in the database, the audit log included, is the token or its secret part.
    for table, rows in snapshot(database_url).items():
        for values in rows:
            for value in values:
                assert token[12:] not in str(value), table
    issued = run(lambda s: next(audit.entries(s, entity="api_token")))
    assert issued.action == "token.issue" and row.prefix in issued.data


def test_tokens_are_listed_and_revoked(run: Callable[..., Any]) -> None:
    clerk, boss = _user(run), _user(run, "boss", "administrator")
    first, token = run(users.issue_token, clerk.id, "one")
    second, _ = run(users.issue_token, boss.id, "two")
    third, _ = run(users.issue_token, clerk.id, "three", role="read-only")
    listed = run(lambda s: [(t.id, t.user.username, t.effective_role)
                            for t in users.list_tokens(s)])
    assert listed == [(first.id, "clerk", "secretariat"), (second.id, "boss", "administrator"),
                      (third.id, "clerk", "read-only")]
    assert [t.id for t in run(users.list_tokens, clerk.id)] == [first.id, third.id]
    assert run(users.user_for_token, token).id == clerk.id
    run(users.revoke_token, first.id)
    assert run(users.authenticate_token, token) is None
    with pytest.raises(NotAllowed, match="already revoked"):
        run(users.revoke_token, first.id)
    # Revoked tokens stay listed, with the time of their revocation.
    assert run(lambda s: s.get(ApiToken, first.id).revoked_at) is not None
    assert len(run(users.list_tokens)) == 3
    assert run(audit.verify) == []


def test_a_use_is_recorded_and_the_digest_compared_in_constant_time(
    run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    user = _user(run)
    row, token = run(users.issue_token, user.id, "api")
    compared: list[tuple[str, str]] = []
    original = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(users.hmac, "compare_digest", spy)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    found = run(users.authenticate_token, token)
    assert found is not None and found.id == row.id
    assert compared == [(row.token_hash, row.token_hash)]
    used = run(lambda s: s.get(ApiToken, row.id).last_used_at)
    assert used is not None and used >= before
    # Same prefix, wrong secret: compared, refused, and no use recorded.
    compared.clear()
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert run(users.authenticate_token, forged) is None
    assert compared == [(row.token_hash, hashlib.sha256(forged.encode()).hexdigest())]
    assert run(lambda s: s.get(ApiToken, row.id).last_used_at) == used


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(guess=st.one_of(st.text(max_size=80),
                       st.text(alphabet="0123456789abcdef_-xyzAB", min_size=40, max_size=60)
                       .map(lambda rest: "klr_" + rest)))
def test_no_other_string_authenticates(run: Callable[..., Any], guess: str) -> None:
    user = run(lambda s: s.scalar(select(User).where(User.username == "guessed")))
    if user is None:
        user = _user(run, "guessed")
        run(users.issue_token, user.id, "api")
    assert run(users.authenticate_token, guess) is None


def test_a_token_never_acts_above_its_user(run: Callable[..., Any]) -> None:
    clerk = _user(run)
    with pytest.raises(NotAllowed, match="cannot act as administrator"):
        run(users.issue_token, clerk.id, "api", role="administrator")
    with pytest.raises(InvalidInput, match="not a role"):
        run(users.issue_token, clerk.id, "api", role="king")
    _, token = run(users.issue_token, clerk.id, "inherits")
    run(users.issue_token, clerk.id, "lowered", role="read-only")

    def roles(session: Session) -> list[str]:
        return [t.effective_role for t in users.list_tokens(session, clerk.id)]

    assert run(roles) == ["secretariat", "read-only"]
    run(users.set_role, clerk.id, "read-only")  # a demotion demotes its tokens
    assert run(roles) == ["read-only", "read-only"]
    run(users.set_role, clerk.id, "administrator")
    assert run(roles) == ["administrator", "read-only"]
    run(users.deactivate, clerk.id)
    assert run(users.authenticate_token, token) is None


def test_the_token_commands(invoke: Invoke, database_url: str,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLEROTERION_PASSWORD", PASSWORD)
    invoke("user", "add", "clerk", "--role", "secretariat")
    issued = invoke("user", "token", "clerk", "--name", "tableur", "--role", "read-only")
    line = issued.stdout.strip()
    assert line.startswith("token 1 for clerk (read-only): klr_")
    token = line.rsplit(" ", 1)[1]
    assert "shown only this once" in issued.stderr
    listed = invoke("user", "tokens").stdout
    assert token[:12] in listed and token[12:] not in listed
    assert "\tclerk\tread-only\ttableur\t" in listed and listed.rstrip().endswith("active")
    before = snapshot(database_url)
    refused = invoke("user", "token", "clerk", "--role", "administrator", ok=False)
    assert refused.exit_code == 1
    assert refused.stderr.strip() == ("Error: a token of user 1 (secretariat) cannot act as "
                                      "administrator")
    assert snapshot(database_url) == before
    assert invoke("user", "revoke", "1").stdout.strip() == "token 1 revoked"
    assert "revoked " in invoke("user", "tokens", "clerk").stdout
    assert invoke("user", "revoke", "1", ok=False).exit_code == 1
    assert invoke("user", "tokens", "nobody", ok=False).stderr.strip() == (
        "Error: no user named 'nobody'")

    def entries(session: Session) -> list[str]:
        return [entry.data for entry in session.scalars(select(AuditEntry))]

    engine = make_engine(database_url)
    with session_scope(make_sessionmaker(engine)) as session:
        assert all(token[12:] not in data for data in entries(session))
    engine.dispose()
