"""The login throttle: failed logins counted per (account, address), per address and per
account, in fixed windows, by atomic counters in the database (so every worker shares them).

An attempt first *reserves* its place (one atomic upsert per counter, which increments and
returns the new count), and only a reserved attempt has its password checked; a refused or
successful attempt gives its reservation back. The counter rows stay locked by the attempt's
transaction until it ends (PostgreSQL row locks; SQLite's write lock), so parallel guesses
are counted one after the other: at most the limit is ever evaluated, on both engines.

Counters are written as Core statements on the session's connection: no ORM flush sees them,
so the page cache (tracker/cache.py) is not invalidated by anonymous login attempts.

Policy (limits in config.py, LOGIN_*), per window of LOGIN_WINDOW:
- (account, address): after LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS failures, that address
  may not try that account again until the window ends;
- address: after LOGIN_MAX_FAILURES_PER_ADDRESS failures over any accounts, that address is
  refused everywhere;
- account: after LOGIN_ACCOUNT_UNDER_ATTACK_FAILURES failures from all addresses, an address
  that has already failed for it in the window is refused; an address with no failure for it
  may still try, so a stranger's failures never keep the owner out.
Unknown e-mails are counted exactly like known ones. A success clears its (account, address)
counter. Counters whose window has ended are pruned as we go.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.types import DateTime

from tracker.auth.models import LoginCounter
from tracker.db import utcnow

COUNTERS = LoginCounter.__table__
PRUNE_BATCH = 500


def counter_key(kind: str, *parts: str) -> str:
    """The counter row's key for `kind` ("pair", "address" or "account") and its parts."""
    return hashlib.sha256("\x1f".join((kind, *parts)).encode()).hexdigest()


def client_address(raw: str, ipv6_prefix: int = 64) -> str:
    """The address a client is counted under: IPv4 as is, IPv6 by its network."""
    try:
        ip = ipaddress.ip_address(raw.strip())
    except ValueError:
        return raw.strip()[:64] or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{ipv6_prefix}", strict=False))
    return str(ip)


@dataclass
class Refusal:
    """An attempt refused by the throttle, and when it may come back."""

    retry_after: int  # seconds

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        unit = "minute" if minutes == 1 else "minutes"
        return f"Too many failed logins. Wait {minutes} {unit} and try again."


class Attempt:
    """One login attempt's place in the counters: reserve(), then succeeded() or failed()."""

    def __init__(self, db: Session, email: str, address: str) -> None:
        cfg = current_app.config
        self.db = db
        self.now = utcnow()
        self.window: timedelta = cfg["LOGIN_WINDOW"]
        self.limits = (
            cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS"],
            cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"],
            cfg["LOGIN_ACCOUNT_UNDER_ATTACK_FAILURES"],
        )
        where = client_address(address, cfg.get("LOGIN_IPV6_PREFIX", 64))
        # Always taken in this order (pair, address, account): no two attempts deadlock.
        self.pair = counter_key("pair", email, where)
        self.address = counter_key("address", where)
        self.account = counter_key("account", email)
        self.held: dict[str, int] = {}  # key -> count including this attempt's reservation

    def reserve(self) -> Refusal | None:
        """Count this attempt as a failure in advance; None when its password may be checked."""
        per_pair, per_address, under_attack = self.limits
        pair, pair_start = self._increment(self.pair)
        if pair > per_pair:
            return self._refuse(pair_start)
        address, address_start = self._increment(self.address)
        if address > per_address:
            return self._refuse(address_start)
        if pair > 1:  # this address already failed for this account in this window
            account, account_start = self._increment(self.account)
            if account - 1 >= under_attack:
                # Refused until either window ends: the address is clean again, or the
                # account is no longer under attack.
                return self._refuse(min(pair_start, account_start))
        return None

    def failed(self) -> None:
        """The password was wrong (or the account unknown or inactive): keep the counts."""
        if self.account not in self.held:
            self._increment(self.account)
        self._prune()

    def succeeded(self) -> None:
        """The login worked: clear the (account, address) counter, give the rest back."""
        self.db.connection().execute(delete(COUNTERS).where(COUNTERS.c.key == self.pair))
        self.held.pop(self.pair)
        self._give_back()
        self._prune()

    def _refuse(self, window_start: datetime) -> Refusal:
        self._give_back()
        self._prune()
        remaining = window_start + self.window - self.now
        return Refusal(retry_after=max(1, math.ceil(remaining.total_seconds())))

    def _increment(self, key: str) -> tuple[int, datetime]:
        """Add one failure to `key`'s counter (a new window when its own has ended), atomically;
        the row stays locked until the transaction ends. Returns the count and window start."""
        now = bindparam("now", self.now, type_=DateTime())
        dialect = postgresql if self.db.get_bind().dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(COUNTERS).values(key=key, window_start=now, failures=1)
        ended = COUNTERS.c.window_start <= bindparam("ended", self.now - self.window, DateTime())
        stmt = stmt.on_conflict_do_update(
            index_elements=[COUNTERS.c.key],
            set_={
                "failures": case((ended, 1), else_=COUNTERS.c.failures + 1),
                "window_start": case((ended, now), else_=COUNTERS.c.window_start),
            },
        ).returning(COUNTERS.c.failures, COUNTERS.c.window_start)
        failures, window_start = self.db.connection().execute(stmt).one()
        self.held[key] = failures
        return failures, window_start

    def _give_back(self) -> None:
        """Undo this attempt's reservations (their rows are still locked by this transaction)."""
        conn = self.db.connection()
        for key, count in self.held.items():
            if count <= 1:  # nothing but this attempt: no counter at all
                conn.execute(delete(COUNTERS).where(COUNTERS.c.key == key))
            else:
                conn.execute(
                    update(COUNTERS)
                    .where(COUNTERS.c.key == key)
                    .values(failures=COUNTERS.c.failures - 1)
                )
        self.held.clear()

    def _prune(self) -> None:
        """Drop counters whose window has ended (a few at a time, skipping rows others hold)."""
        ended = (
            select(COUNTERS.c.key)
            .where(COUNTERS.c.window_start <= self.now - self.window)
            .limit(PRUNE_BATCH)
            .with_for_update(skip_locked=True)
        )
        self.db.connection().execute(delete(COUNTERS).where(COUNTERS.c.key.in_(ended)))
