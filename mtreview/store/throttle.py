"""Sign-in throttling counted in the store, so it holds across replicas; password hashing
under a bound, so a flood of sign-ins cannot take the server's memory.

Each password sign-in is counted against two keys, its account name (case-folded, whether
or not the account exists: a refusal tells nothing about names) and its client address,
one row each in `sign_in_failures`. Up to `free_failures` failures nothing waits; after
them each further attempt waits `base_delay × factor^k` (k = 0, 1, …), and at
`lockout_failures` the key is locked out for `lockout_seconds`. An attempt made inside a
wait is refused before any password is hashed (no CPU spent), with the time to retry.

An attempt is counted when it starts, in the transaction that checks the wait (and on
PostgreSQL under the row's lock), not after its hash: 100 guesses sent at once, to any
number of replicas, are 100 attempts in sequence, and all past the free ones wait. A
success gives its attempt back: the account's count is cleared, the address's goes down by
one (a colleague behind the same address who typed well does not clear a guesser's count).
A key with no attempt for `lockout_seconds` is forgotten.

Time comes from `ThrottlePolicy.now`, so tests move the clock instead of sleeping.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.errors import SettingsError, StoreError
from mtreview.settings import Settings
from mtreview.store.team_schema import sign_in_failures

ACCOUNT = "account"
ADDRESS = "address"
MAX_KEY = 200  # the column's width; a longer forwarded address is cut (it is no address)
LOOPBACK = "loopback"  # the address key of connections from this machine (a local proxy)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclasses.dataclass(frozen=True)
class ThrottlePolicy:
    """How many failed sign-ins are free, how the wait grows, when a key is locked out,
    and how many password hashes may run at once in one process."""

    free_failures: int = 5
    base_delay: float = 2.0  # seconds, the first wait after the free failures
    factor: float = 2.0
    lockout_failures: int = 10
    lockout_seconds: float = 900.0
    hash_limit: int = 2
    now: Callable[[], dt.datetime] = dataclasses.field(default=utc_now, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.free_failures <= self.lockout_failures or self.lockout_failures < 1:
            raise SettingsError(
                "signin_lockout_failures must be at least 1 and at least signin_free_failures"
            )
        if self.hash_limit < 1:
            raise SettingsError("password_hashes_at_once must be at least 1")

    @classmethod
    def from_settings(cls, settings: Settings) -> ThrottlePolicy:
        return cls(
            free_failures=settings.signin_free_failures,
            base_delay=settings.signin_delay_seconds,
            factor=settings.signin_delay_factor,
            lockout_failures=settings.signin_lockout_failures,
            lockout_seconds=settings.signin_lockout_minutes * 60.0,
            hash_limit=settings.password_hashes_at_once,
        )

    def wait(self, failures: int) -> float:
        """Seconds the next attempt waits once `failures` attempts failed in a row."""
        if failures >= self.lockout_failures:
            return self.lockout_seconds
        if failures < self.free_failures:
            return 0.0
        exponent = min(failures - self.free_failures, 60)  # bounded: no float overflow
        return min(self.base_delay * self.factor**exponent, self.lockout_seconds)

    def locks(self, failures: int) -> bool:
        return failures >= self.lockout_failures


class SignInThrottled(StoreError):
    """Too many failed sign-ins for this account or from this address: refused without
    checking the password until `retry_at`."""

    def __init__(self, kind: str, retry_at: dt.datetime, *, locked: bool, now: dt.datetime):
        self.kind = kind
        self.retry_at = retry_at
        self.locked = locked
        seconds = max(1, int((retry_at - now).total_seconds() + 0.999))
        whose = "for this account" if kind == ACCOUNT else "from this address"
        state = "locked out" if locked else "slowed down"
        when = retry_at.astimezone(dt.UTC).strftime("%H:%M:%S UTC")
        super().__init__(
            f"too many failed sign-ins {whose}: sign-in is {state}; try again in "
            f"{_duration(seconds)} (at {when})"
        )


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} s"
    return f"{(seconds + 59) // 60} min"


@dataclasses.dataclass(frozen=True)
class Refusal:
    """An attempt refused inside a wait; `first`: the first refusal of that wait (audited,
    the later ones only counted, so a flood cannot grow the audit log)."""

    error: SignInThrottled
    first: bool


@dataclasses.dataclass(frozen=True)
class Attempt:
    """An attempt counted against its keys; what a failure reports (the wait it leaves,
    the keys it locked out) and a success gives back."""

    keys: tuple[tuple[str, str], ...]
    failures: tuple[int, ...]  # each key's count with this attempt
    retry_at: dt.datetime | None  # the latest wait it leaves, if it fails
    locked: tuple[tuple[str, str], ...]  # keys locked out if it fails


def throttle_keys(name: str, client: str | None) -> tuple[tuple[str, str], ...]:
    """The account key (the name case-folded: `Lena` and `lena` share a count) and the
    address key, when the caller knows the address (a library or CLI caller may not)."""
    keys = [(ACCOUNT, name.casefold()[:MAX_KEY])]
    if client:
        keys.append((ADDRESS, client.strip()[:MAX_KEY]))
    return tuple(keys)


def client_address(peer: str | None, forwarded_for: str | None, *, trust_forwarded: bool) -> str:
    """The address a sign-in is counted against. `peer`: the connection's address as the
    web server reports it (None on loopback); `forwarded_for`: the X-Forwarded-For header.
    The header is anyone's to write, so it counts only when `trust_forwarded` (the app is
    behind the team's own reverse proxy, which appends the client's address: its last hop).
    Untrusted, a peer the server itself took from the header (uvicorn does for loopback
    peers) is counted as the loopback connection it came from."""
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    if trust_forwarded and hops:
        return hops[-1][:MAX_KEY]
    if peer is None or (hops and peer in hops):
        return LOOPBACK
    return peer[:MAX_KEY]


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _moment(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def _where(key: tuple[str, str]) -> Any:
    return (sign_in_failures.c.kind == key[0]) & (sign_in_failures.c.key == key[1])


def _row(
    conn: Connection,
    key: tuple[str, str],
    policy: ThrottlePolicy,
    now: dt.datetime,
    *,
    create: bool,
) -> Any:
    """The key's row under lock (made when missing and `create`, else None), its count
    forgotten after a quiet `lockout_seconds`."""
    query = sa.select(sign_in_failures).where(_where(key)).with_for_update()
    row = conn.execute(query).first()
    if row is None:
        if not create:
            return None
        try:
            with conn.begin_nested():
                conn.execute(
                    sign_in_failures.insert().values(
                        kind=key[0], key=key[1], failures=0, last_failure_at=_stamp(now), refused=0
                    )
                )
        except sa.exc.IntegrityError:  # another replica made it just now: use theirs
            pass
        row = conn.execute(query).one()
    quiet = now - (_moment(row.last_failure_at) or now)
    if row.failures and quiet.total_seconds() >= policy.lockout_seconds:
        reset = sign_in_failures.update().where(_where(key))
        conn.execute(reset.values(failures=0, retry_at=None, refused=0))
        row = conn.execute(query).one()
    return row


def _waiting(
    keys: Sequence[tuple[str, str]], rows: Sequence[Any], now: dt.datetime
) -> list[tuple[dt.datetime, tuple[str, str], Any]]:
    """The keys inside a wait: (until, key, row)."""
    return [
        (retry, key, row)
        for key, row in zip(keys, rows, strict=True)
        if row is not None and (retry := _moment(row.retry_at)) is not None and retry > now
    ]


def begin_attempt(
    conn: Connection, keys: Sequence[tuple[str, str]], policy: ThrottlePolicy
) -> Attempt | Refusal:
    """Refuse an attempt made inside a wait, else count it against every key: one write
    transaction, before any password is hashed. A refusal writes no new row (a flood of
    made-up names from a locked-out address does not fill the table)."""
    now = policy.now()
    found = [_row(conn, key, policy, now, create=False) for key in keys]
    if not _waiting(keys, found, now) and None in found:  # made now, or by a replica just now
        found = [
            row or _row(conn, key, policy, now, create=True)
            for key, row in zip(keys, found, strict=True)
        ]
    waiting = _waiting(keys, found, now)
    if waiting:
        for _retry, key, _found in waiting:
            refused = sign_in_failures.c.refused + 1
            conn.execute(sign_in_failures.update().where(_where(key)).values(refused=refused))
        retry, key, row = max(waiting, key=lambda item: item[0])
        error = SignInThrottled(key[0], retry, locked=policy.locks(row.failures), now=now)
        return Refusal(error, first=row.refused == 0)
    counts, retries, locked = [], [], []
    for key, row in zip(keys, found, strict=True):
        failures = row.failures + 1
        wait = policy.wait(failures)
        retry_at = now + dt.timedelta(seconds=wait) if wait else None
        conn.execute(
            sign_in_failures.update()
            .where(_where(key))
            .values(
                failures=failures,
                last_failure_at=_stamp(now),
                retry_at=None if retry_at is None else _stamp(retry_at),
                refused=0,
            )
        )
        counts.append(failures)
        if retry_at is not None:
            retries.append(retry_at)
        if policy.locks(failures) and not policy.locks(row.failures):
            locked.append(key)
    return Attempt(tuple(keys), tuple(counts), max(retries, default=None), tuple(locked))


def give_back(conn: Connection, attempt: Attempt, policy: ThrottlePolicy) -> None:
    """A successful sign-in: the account's count is cleared; the address's goes down by
    one, its wait recomputed from its last failure."""
    for key in attempt.keys:
        where = _where(key)
        if key[0] == ACCOUNT:
            conn.execute(sign_in_failures.delete().where(where))
            continue
        row = conn.execute(sa.select(sign_in_failures).where(where).with_for_update()).first()
        if row is None:
            continue
        failures = max(0, row.failures - 1)
        if failures == 0:
            conn.execute(sign_in_failures.delete().where(where))
            continue
        wait = policy.wait(failures)
        last = _moment(row.last_failure_at) or policy.now()
        retry_at = _stamp(last + dt.timedelta(seconds=wait)) if wait else None
        conn.execute(
            sign_in_failures.update().where(where).values(failures=failures, retry_at=retry_at)
        )


def forget_stale(conn: Connection, policy: ThrottlePolicy) -> None:
    """Drop the rows of keys quiet for `lockout_seconds` (they count as none anyway), so
    names and addresses tried once do not pile up."""
    cutoff = _stamp(policy.now() - dt.timedelta(seconds=policy.lockout_seconds))
    table = sign_in_failures
    stale = (
        sa.select(table.c.kind, table.c.key)
        .where(table.c.last_failure_at < cutoff)
        .with_for_update(skip_locked=True)  # a row an attempt holds is its to reset: no deadlock
    )
    conn.execute(table.delete().where(sa.tuple_(table.c.kind, table.c.key).in_(stale)))


class HashGate:
    """At most `limit` password hashes at once in this process. An argon2 hash holds its
    memory cost (64 MiB with argon2-cffi's defaults) while it runs: behind the gate the
    server holds at most `limit` of them however many sign-ins arrive; the rest queue.
    `running` and `most` (the largest `running` seen since `reset`) measure it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)
        self._count = threading.Lock()
        self.running = 0
        self.most = 0
        self.entered = 0

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        with self._slots:
            with self._count:
                self.running += 1
                self.entered += 1
                self.most = max(self.most, self.running)
            try:
                yield
            finally:
                with self._count:
                    self.running -= 1

    def reset(self) -> None:
        with self._count:
            self.most = self.running
            self.entered = 0


_GATES: dict[int, HashGate] = {}
_GATES_LOCK = threading.Lock()


def hash_gate(limit: int) -> HashGate:
    """The process-wide gate of `limit` slots: every store of the process with the same
    setting shares it (the app has one setting, so one gate)."""
    with _GATES_LOCK:
        if limit not in _GATES:
            _GATES[limit] = HashGate(limit)
        return _GATES[limit]
