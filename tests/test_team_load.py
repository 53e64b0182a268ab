"""The team load benchmark (`benchmarks/team_load.py`) run small: three reviewers through
the real app (`streamlit run`, the sign-in form, the websocket as the page speaks it) on
an SQLite store, for a few seconds. Every mark and correction the app acknowledged is in
the store exactly once, and a script run stays within issue 24's budget of SQL statements
and transactions per action (no timing is asserted: the machine is shared)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtreview.testing.team_load import ACTIONS, Plan, run_load

pytestmark = [pytest.mark.processes, pytest.mark.slow]

STATEMENTS, TRANSACTIONS = 15, 3  # per action, on average (issue 24)


def test_three_reviewers_lose_nothing_within_the_sql_budget(tmp_path: Path) -> None:
    plan = Plan(reviewers=3, seconds=2.0, think=0.4)
    report = run_load(str(tmp_path / "team.db"), plan, tmp_path)
    assert report.actions >= len(ACTIONS) and report.failed == 0
    assert report.lost == 0 and report.duplicated == 0
    assert 0 < report.statements_per_action <= STATEMENTS
    assert 0 < report.transactions_per_action <= TRANSACTIONS
    alone = {probe.kind: probe for probe in report.probe}
    assert set(alone) == set(ACTIONS)
    # moving about costs one read transaction; a write one more
    assert alone["open"].transactions == alone["next"].transactions == 1
    assert alone["mark"].transactions == alone["correct"].transactions == 2
    assert max(alone["open"].statements, alone["next"].statements) <= STATEMENTS
    assert report.as_json()["probe"]["correct"]["statements"] == alone["correct"].statements
