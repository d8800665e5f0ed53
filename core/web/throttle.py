"""The login throttle: failed logins counted in the database, seen by every worker and machine.

Each attempt is counted under three keys, with its own limit within the window
(``WINDOW``, 15 minutes):

- **this account from this client** (``PAIR_LIMIT`` failures): the usual lock. It
  refuses this client even the right password until the window has passed (else the
  guess that locks would also be the one that finds the password), but it locks only
  this client out of this account: the real user, elsewhere, still logs in.
- **this client, whatever the account** (``CLIENT_LIMIT``): a client trying many
  usernames (a list of common ones, say) is locked out of all of them.
- **this account, whatever the client** (``ACCOUNT_LIMIT``): a guess spread over many
  addresses. This lock spares the clients *known* to the account (that logged into
  it within ``KNOWN_FOR``), so that nobody can lock a user out of their own account
  from elsewhere.

The client is the request's address as werkzeug sees it: the socket's peer, or, with
``KLEROTERION_TRUSTED_PROXIES`` set to the number of reverse proxies in front of the
app, the address those proxies put in ``X-Forwarded-For`` (``kleroterion.web.security``
applies werkzeug's ProxyFix; without the setting the header is ignored, so a client
cannot forge it). An IPv6 client is counted by its /64 network, which one machine
usually holds whole.

The attempt is written (committed) *before* the password is checked, and the counts
read after, so workers racing on one account cannot check more passwords than the
limit between them. A success deletes this client's failures on the account and
marks the client known. Keys are HMAC digests under the app's secret key: neither
usernames nor addresses are stored. Rows older than their window are deleted on each
attempt, so the table holds at most the last 15 minutes of failures (and one row
per client known to an account), however many usernames are tried.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field

from kleroterion.db import session_scope
from kleroterion.models import LoginAttempt
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

WINDOW = dt.timedelta(minutes=15)
PAIR_LIMIT = 5
CLIENT_LIMIT = 20
ACCOUNT_LIMIT = 50
#: How long a client that logged into an account is spared that account's wide lock.
KNOWN_FOR = dt.timedelta(days=365)

FAILURE, KNOWN = "failure", "known"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def client_of(address: str | None) -> str:
    """The unit a client is counted by: its IPv4 address, or its IPv6 /64 network."""
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


@dataclass(frozen=True)
class Attempt:
    """One login attempt: the keys it counts under, as stored digests."""

    pair: str
    client: str
    account: str
    known: str

    def counted(self) -> dict[str, str]:
        return {"pair": self.pair, "client": self.client, "account": self.account}


@dataclass
class LoginThrottle:
    """Counts failed logins in the database; ``secret`` keys the digests; ``limits``
    by kind (pair, client, account): a kind left out is not counted."""

    secret: bytes
    window: dt.timedelta = WINDOW
    limits: dict[str, int] = field(default_factory=lambda: {
        "pair": PAIR_LIMIT, "client": CLIENT_LIMIT, "account": ACCOUNT_LIMIT})
    clock: Callable[[], dt.datetime] = _now

    def _counted(self, attempt: Attempt) -> dict[str, str]:
        """The attempt's keys that have a limit here (a throttle may count fewer kinds)."""
        return {kind: key for kind, key in attempt.counted().items() if kind in self.limits}

    def _digest(self, *parts: str) -> str:
        message = "\0".join(parts).encode("utf-8", "surrogatepass")
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def attempt(self, username: str, address: str | None) -> Attempt:
        account, client = username.casefold(), client_of(address)
        return Attempt(pair=self._digest("pair", account, client),
                       client=self._digest("client", client),
                       account=self._digest("account", account),
                       known=self._digest("known", account, client))

    def begin(self, engine: Engine, attempt: Attempt) -> float:
        """Count the attempt as a failure before the password is checked.

        Returns 0 when the password may be checked, else the seconds until this
        client may try this account again (the attempt is then not counted). The
        attempt is committed before the counts are read, so each of several racing
        workers counts at least the attempts committed before its own: no more than
        the limit of them are let through.
        """
        now = self.clock()
        with session_scope(engine, actor="login") as session:
            self._forget_old(session, now)
            rows = [LoginAttempt(key=key, kind=FAILURE, at=now)
                    for key in self._counted(attempt).values()]
            session.add_all(rows)
            session.flush()
            ids = [row.id for row in rows]
        with session_scope(engine, actor="login") as session:
            wait = self._wait(session, attempt, now)
            if wait > 0:
                session.execute(delete(LoginAttempt).where(LoginAttempt.id.in_(ids)))
        return wait

    def succeed(self, engine: Engine, attempt: Attempt) -> None:
        """A good password: this client's failures on the account go; the client is known."""
        with session_scope(engine, actor="login") as session:
            session.execute(delete(LoginAttempt).where(
                LoginAttempt.key.in_([attempt.pair, attempt.known])))
            # This attempt was counted for the client and the account too: it was no failure.
            for key in (attempt.client, attempt.account):
                newest = session.scalar(select(LoginAttempt).where(
                    LoginAttempt.key == key, LoginAttempt.kind == FAILURE)
                    .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc()).limit(1))
                if newest is not None:
                    session.delete(newest)
            session.add(LoginAttempt(key=attempt.known, kind=KNOWN, at=self.clock()))

    def waiting(self, engine: Engine, attempt: Attempt) -> float:
        """Seconds this client must wait (0: none), counting only failures recorded so
        far; for checks that record a failure only when there is one (``fail``), which
        are cheap for the many that succeed but may let a racing burst exceed the limit
        by the number of workers."""
        with session_scope(engine, actor="throttle") as session:
            return self.waiting_in(session, attempt)

    def waiting_in(self, session: Session, attempt: Attempt) -> float:
        """``waiting``, read in ``session`` (a request's own: no transaction of its own)."""
        return self._wait(session, attempt, self.clock(), margin=1)

    def fail(self, engine: Engine, attempt: Attempt) -> None:
        """Count one failure of ``attempt`` (see ``waiting``)."""
        now = self.clock()
        with session_scope(engine, actor="throttle") as session:
            self._forget_old(session, now)
            session.add_all(LoginAttempt(key=key, kind=FAILURE, at=now)
                            for key in self._counted(attempt).values())

    def _count(self, session: Session, key: str, since: dt.datetime) -> tuple[int, dt.datetime]:
        count, oldest = session.execute(
            select(func.count(), func.min(LoginAttempt.at)).where(
                LoginAttempt.key == key, LoginAttempt.kind == FAILURE,
                LoginAttempt.at > since)).one()
        return int(count), oldest

    def _wait(self, session: Session, attempt: Attempt, now: dt.datetime,
              margin: int = 0) -> float:
        """``margin``: attempts not yet counted (1 when this one is not among them)."""
        since = now - self.window
        wait = 0.0
        for kind, key in self._counted(attempt).items():
            if kind == "account" and self._is_known(session, attempt, now):
                continue
            count, oldest = self._count(session, key, since)
            # This attempt is one of ``count``: more than the limit means it is one too many.
            if count + margin > self.limits[kind]:
                oldest = oldest.replace(tzinfo=dt.UTC) if oldest.tzinfo is None else oldest
                wait = max(wait, (oldest + self.window - now).total_seconds(), 1.0)
        return wait

    def _is_known(self, session: Session, attempt: Attempt, now: dt.datetime) -> bool:
        return session.scalar(select(LoginAttempt.id).where(
            LoginAttempt.key == attempt.known, LoginAttempt.kind == KNOWN,
            LoginAttempt.at > now - KNOWN_FOR).limit(1)) is not None

    def _forget_old(self, session: Session, now: dt.datetime) -> None:
        session.execute(delete(LoginAttempt).where(
            LoginAttempt.kind == FAILURE, LoginAttempt.at <= now - self.window))
        session.execute(delete(LoginAttempt).where(
            LoginAttempt.kind == KNOWN, LoginAttempt.at <= now - KNOWN_FOR))
