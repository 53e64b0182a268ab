"""Issue 21, point 7: sign-in could be hammered (120 wrong passwords, no delay, no lockout,
24 parallel argon2 hashes took the server from 868 MB to 2 GB), and the store and its
-wal/-shm were created world-readable (point 5).

Now failures are counted in the store, per account and per client address: after 5 each
attempt waits longer, then the key is locked out; a refused attempt hashes nothing; two
stores on one database (two replicas) share the counts; parallel guesses are counted
before they are hashed; at most `hash_limit` hashes run at once. The clock is the
policy's, moved by the tests: nothing sleeps. Wrong passwords are checked against hashes
made with cheap argon2 parameters (argon2 reads them from the stored hash), so a guess
costs about a millisecond here; hashes made by the store keep its own parameters.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

from mtreview.readers import document_from_text
from mtreview.store import AuthError, ReviewStore
from mtreview.store.schema import reviewers
from mtreview.store.team_schema import accounts, sign_in_failures
from mtreview.store.throttle import (
    LOOPBACK,
    SignInThrottled,
    ThrottlePolicy,
    client_address,
    hash_gate,
)

ROOT = Path(__file__).resolve().parent.parent.parent
PASSWORD = "plum orchard lantern"
WRONG = "not the password at all"


class Clock:
    """The time the policy sees; tests move it."""

    def __init__(self) -> None:
        self.at = dt.datetime(2031, 5, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += dt.timedelta(seconds=seconds)


def _policy(clock: Clock, **given: object) -> ThrottlePolicy:
    return ThrottlePolicy(now=clock, **given)  # type: ignore[arg-type]


def _team(db: str | Path, *, cost: tuple[int, int] = (1, 1024)) -> None:
    """A store with one admin, anne, whose stored hash has the argon2 cost (time, KiB)."""
    with ReviewStore(db) as store:
        store.add_user("anne", role="admin", password=PASSWORD, by="admin")
        hashed = PasswordHasher(time_cost=cost[0], memory_cost=cost[1], parallelism=1).hash(
            PASSWORD
        )
        anne = sa.select(reviewers.c.id).where(reviewers.c.name == "anne").scalar_subquery()
        with store.engine.begin() as conn:
            conn.execute(
                accounts.update().where(accounts.c.reviewer_id == anne).values(password_hash=hashed)
            )


def _throttled(sign_in: Callable[[], object]) -> SignInThrottled:
    with pytest.raises(SignInThrottled) as caught:
        sign_in()
    return caught.value


def _wrong(store: ReviewStore, name: str = "anne", client: str | None = "10.0.0.7") -> None:
    with pytest.raises(AuthError):
        store.sign_in(name, WRONG, client=client)


def _counts(store: ReviewStore) -> dict[tuple[str, str], int]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(sign_in_failures).where(sign_in_failures.c.failures > 0))
        return {(row.kind, row.key): row.failures for row in rows}


def _actions(store: ReviewStore) -> list[str]:
    return [
        entry.action for entry in store.audit_log() if entry.action.startswith(("sign", "lock"))
    ]


def test_after_five_failures_each_wait_doubles_then_a_lockout_refuses_even_the_password(
    tmp_path: Path,
) -> None:
    db = tmp_path / "team.db"
    _team(db)
    clock = Clock()
    gate = hash_gate(ThrottlePolicy().hash_limit)
    with ReviewStore(db, throttle=_policy(clock)) as store:
        for _ in range(5):
            _wrong(store)  # the free ones: refused as wrong, no wait
        waits = []
        for _ in range(4):  # 6th to 9th attempts: each must wait, then fails
            gate.reset()
            refused = _throttled(lambda: store.sign_in("anne", PASSWORD, client="10.0.0.7"))
            assert gate.entered == 0  # refused without hashing the password
            assert not refused.locked and "try again in" in str(refused)
            waits.append((refused.retry_at - clock()).total_seconds())
            clock.advance(waits[-1])
            _wrong(store)
        assert waits == [2.0, 4.0, 8.0, 16.0]
        clock.advance(32)
        _wrong(store)  # the 10th failure locks the account (and the address) out
        locked = _throttled(lambda: store.sign_in("anne", PASSWORD, client="10.0.0.8"))
        assert locked.locked and locked.kind == "account"
        assert "locked out" in str(locked) and "15 min" in str(locked)
        clock.advance(899)
        _throttled(lambda: store.sign_in("anne", PASSWORD, client="10.0.0.8"))
        clock.advance(1)
        assert store.sign_in("anne", PASSWORD, client="10.0.0.8").user.name == "anne"
        assert ("account", "anne") not in _counts(store)  # the success cleared it
        log = store.audit_log()
    actions = [e.action for e in log if e.action.startswith(("sign", "lock"))]
    assert actions.count("sign-in-failed") == 10
    assert actions.count("sign-in-throttled") == 5  # one per wait, however often refused
    lockouts = [e.detail for e in log if e.action == "lockout"]
    assert [(d["by"], d["key"]) for d in lockouts] == [
        ("account", "anne"),
        ("address", "10.0.0.7"),
    ]
    assert store.verify_audit().ok


def test_two_replicas_on_one_database_share_the_counts(store_db: str) -> None:
    _team(store_db)
    clock = Clock()
    policy = _policy(clock, free_failures=3, lockout_failures=5)
    with (
        ReviewStore(store_db, throttle=policy) as one,
        ReviewStore(store_db, throttle=policy) as two,
    ):
        _wrong(one, client="192.0.2.1")
        _wrong(two, client="192.0.2.2")
        _wrong(one, client="192.0.2.3")
        # the next attempt, on either replica and from a fresh address, waits
        _throttled(lambda: two.sign_in("ANNE", PASSWORD, client="192.0.2.4"))
        _throttled(lambda: one.sign_in("anne", PASSWORD, client="192.0.2.5"))
        clock.advance(2)
        assert two.sign_in("anne", PASSWORD, client="192.0.2.4").user.name == "anne"
        assert _counts(one) == {  # the account's count is cleared; each address keeps its own
            ("address", "192.0.2.1"): 1,
            ("address", "192.0.2.2"): 1,
            ("address", "192.0.2.3"): 1,
        }


def test_one_address_trying_many_names_is_slowed_down_and_other_addresses_are_not(
    tmp_path: Path,
) -> None:
    db = tmp_path / "team.db"
    _team(db)
    clock = Clock()
    with ReviewStore(db, throttle=_policy(clock, free_failures=2)) as store:
        _wrong(store, "bob", client="203.0.113.9")  # names with no account count the same
        _wrong(store, "carol", client="203.0.113.9")
        refused = _throttled(lambda: store.sign_in("dave", WRONG, client="203.0.113.9"))
        assert refused.kind == "address" and "from this address" in str(refused)
        # anne signs in from elsewhere; from the guesser's address even she waits
        assert store.sign_in("anne", PASSWORD, client="198.51.100.1").user.name == "anne"
        _throttled(lambda: store.sign_in("anne", PASSWORD, client="203.0.113.9"))
        clock.advance(2)
        # a success from the address gives back only its own attempt: the count holds
        assert store.sign_in("anne", PASSWORD, client="203.0.113.9").user.name == "anne"
        _throttled(lambda: store.sign_in("erin", WRONG, client="203.0.113.9"))


def test_guesses_sent_at_once_are_counted_before_any_is_hashed(store_db: str) -> None:
    """20 wrong guesses in parallel: only the free ones reach argon2, the rest wait."""
    _team(store_db)
    policy = _policy(Clock(), free_failures=3, hash_limit=7)
    gate = hash_gate(7)
    gate.reset()
    outcomes: list[str] = []
    start = threading.Barrier(20)
    with ReviewStore(store_db, throttle=policy) as store:

        def guess(n: int) -> None:
            start.wait()
            try:
                store.sign_in("anne", f"{WRONG} {n}", client=f"192.0.2.{n}")
            except SignInThrottled:
                outcomes.append("throttled")
            except AuthError:
                outcomes.append("wrong")

        threads = [threading.Thread(target=guess, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with store.engine.connect() as conn:
            counted = conn.execute(
                sa.select(sign_in_failures.c.failures).where(sign_in_failures.c.kind == "account")
            ).scalar()
    assert sorted(outcomes) == ["throttled"] * 17 + ["wrong"] * 3
    assert gate.entered == 3 and counted == 3


@pytest.mark.parametrize("limit", [1, 8])
def test_password_hashes_run_at_most_n_at_once(tmp_path: Path, limit: int) -> None:
    """8 sign-ins at once; the gate counts the verifies in progress. With 8 slots they do
    overlap (the measurement sees concurrency), with 1 never."""
    db = tmp_path / "team.db"
    _team(db, cost=(2, 16384))  # ~50 ms a verify: long enough to overlap when allowed
    policy = _policy(Clock(), free_failures=100, lockout_failures=100, hash_limit=limit)
    gate = hash_gate(limit)
    gate.reset()
    start = threading.Barrier(8)
    failed: list[bool] = []
    with ReviewStore(db, throttle=policy) as store:

        def sign_in() -> None:
            start.wait()
            with pytest.raises(AuthError):
                store.sign_in("anne", WRONG, client="10.1.1.1")
            failed.append(True)

        threads = [threading.Thread(target=sign_in) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(failed) == 8 and gate.entered == 8
    if limit == 1:
        assert gate.most == 1
    else:
        assert gate.most >= 2


def test_a_flood_of_refused_attempts_writes_one_audit_row(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    _team(db)
    clock = Clock()
    with ReviewStore(db, throttle=_policy(clock, free_failures=1, lockout_failures=1)) as store:
        _wrong(store)
        before = len(store.audit_log())
        for _ in range(50):
            _throttled(lambda: store.sign_in("anne", PASSWORD, client="10.0.0.7"))
        assert _actions(store)[-2:] == ["lockout", "sign-in-throttled"]
        assert len(store.audit_log()) == before + 1


def test_the_client_address_comes_from_a_forwarded_header_only_when_trusted() -> None:
    assert client_address("198.51.100.4", None, trust_forwarded=False) == "198.51.100.4"
    assert client_address(None, None, trust_forwarded=False) == LOOPBACK
    # anyone can send the header: untrusted, it never picks the key
    assert client_address("198.51.100.4", "10.9.9.9", trust_forwarded=False) == "198.51.100.4"
    # the web server took the peer from the header (it trusts loopback peers): the
    # connection came from this machine, and counts as such
    assert client_address("10.9.9.9", "10.9.9.9", trust_forwarded=False) == LOOPBACK
    # behind the team's own proxy: the hop it appended, not what the client wrote
    forwarded = "6.6.6.6, 203.0.113.50"
    assert client_address(None, forwarded, trust_forwarded=True) == "203.0.113.50"


def test_a_new_sqlite_store_and_its_wal_and_shm_are_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        db = tmp_path / "new.db"
        with ReviewStore(db) as store:
            store.add_document(document_from_text("Une phrase.", doc_id="d", name="d.txt"))
            files = [Path(f"{db}{end}") for end in ("", "-wal", "-shm")]
            assert all(path.exists() for path in files)
            modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in files}
        assert modes == {"new.db": 0o600, "new.db-wal": 0o600, "new.db-shm": 0o600}
        shared = tmp_path / "shared.db"
        shared.touch(mode=0o640)
        ReviewStore(shared).close()
        assert stat.S_IMODE(shared.stat().st_mode) == 0o640  # not ours: left as it was
    finally:
        os.umask(old_umask)


def test_the_app_shows_the_wait_and_draws_no_uploader_before_sign_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "team.db"
    monkeypatch.setenv("MTREVIEW_DB", str(db))
    _team(db)
    with ReviewStore(db, throttle=ThrottlePolicy(base_delay=3600.0)) as store:
        for _ in range(5):  # five wrong guesses from this machine (AppTest's address)
            _wrong(store, client=LOOPBACK)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    assert at.get("file_uploader") == [] and not at.selectbox and not at.button
    assert any('action="/_mtreview/signin"' in html.value for html in at.html)
    # the form posts to the sign-in route, which redirects a throttled attempt here (played
    # against the real server in tests/security/test_cookie_session.py)
    at.query_params.update(signin="wait", kind="account", locked="0", seconds="3600")
    at.run()
    assert not at.exception
    shown = at.error[0].value.replace("\\", "")  # Markdown-escaped
    assert shown.startswith("too many failed sign-ins for this account") and "try again" in shown
    assert at.get("file_uploader") == [] and not at.selectbox
