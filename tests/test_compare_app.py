"""The app's comparison view with AppTest on real SQLite stores, and its view model: the
translations of a row come shuffled (the same order on every run, another on other rows),
named only by their slot; marks and corrections land on the right system's document; a
reviewer with assignments sees only their systems; the ranking names the systems."""

from __future__ import annotations

from pathlib import Path

import pytest
from box_events import send
from open_widgets import row_box, view_switch
from streamlit.testing.v1 import AppTest

from mtreview.cli import main
from mtreview.mqm import load_typology
from mtreview.store import Comparison, ReviewStore
from mtreview.testing.team import team
from mtreview.ui.compare_model import (
    pair_results,
    ranking_names,
    resolve_slot,
    slot_name,
    slot_order,
    system_scores,
)
from mtreview.ui.signin import HARNESS_KEY, HarnessSignIn

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("sysalpha", "sysbeta")
ROWS = [  # source, sysalpha, sysbeta
    ("The NGO is under pressure.", "L'ONG est sous pression.", "L'ONG subit la pression."),
    ("The court fined it.", "Le tribunal l'a condamnée.", "La cour l'a amendée."),
    ("Its director left.", "Sa directrice est partie.", "Son directeur a quitté."),
]


def _store(db: Path, folder: Path) -> None:
    table = folder / "news.tsv"
    lines = ["source\t" + "\t".join(f"translation:{n}" for n in NAMES)]
    table.write_text("\n".join(lines + ["\t".join(row) for row in ROWS]) + "\n", "utf-8")
    assert main(["score", str(table), "--no-models", "--db", str(db)]) == 0


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    return _run(at)


def _comparison(at: AppTest | None = None) -> AppTest:
    """The app (`at`, or a new session) in its comparison view."""
    if at is None:
        at = _run(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120))
    view_switch(at).set_value("Comparison")
    return _run(at)


def _page(at: AppTest) -> str:
    """Everything the browser is sent: every element's message (labels, keys, the
    components' data), as text."""
    parts: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def test_the_shuffle_is_stable_per_row_and_reviewer_and_differs_across_rows() -> None:
    comparison = Comparison("news", (("A", "news@A"), ("B", "news@B"), ("C", "news@C")), 40)
    orders = [tuple(slot_order(comparison, row, "anne")) for row in range(40)]
    assert orders == [tuple(slot_order(comparison, row, "anne")) for row in range(40)]
    assert all(sorted(order) == sorted(comparison.systems) for order in orders)
    assert len(set(orders)) == 6  # every order of three systems turns up over 40 rows
    assert orders != [tuple(slot_order(comparison, row, "bob")) for row in range(40)]
    for row in (0, 7, 39):  # the browser's slot names come back to the slot's document
        for slot, (_, doc_id) in enumerate(slot_order(comparison, row, "anne"), start=1):
            assert resolve_slot(comparison, 2, slot_name(2, slot), row, "anne") == doc_id
    assert resolve_slot(comparison, 1, slot_name(2, 1), 0, "anne") is None  # another one's
    assert resolve_slot(comparison, 2, slot_name(2, 4), 0, "anne") is None  # no slot 4
    assert resolve_slot(comparison, 2, slot_name(2, 1), 40, "anne") is None  # no row 41
    assert resolve_slot(comparison, 2, "news@A", 0, "anne") is None
    assert ranking_names(comparison, False) == {"A": "System 1", "B": "System 2", "C": "System 3"}


def test_ranking_scores_and_wins(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    _store(db, tmp_path)
    typology = load_typology()
    with ReviewStore(db) as store:
        store.add_annotation(
            "news@sysalpha", 0, 0, 5, category="Fluency/Grammar", severity="major", reviewer="zoé"
        )
        store.mark_reviewed("news@sysbeta", 0, reviewer="zoé")  # row 1: beta wins
        store.mark_reviewed("news@sysalpha", 1, reviewer="zoé")
        store.mark_reviewed("news@sysbeta", 1, reviewer="zoé")  # row 2: a tie
        store.mark_reviewed("news@sysalpha", 2, reviewer="zoé")  # row 3: beta not judged
        [comparison] = store.comparisons()
        reviews = {s: list(store.iter_segments(d)) for s, d in comparison.systems}
        words = {s: store.document(d).words for s, d in comparison.systems}
    names = ranking_names(comparison, True)
    best, worst = system_scores(reviews, words, typology, names)
    assert (best.system, best.penalty, best.reviewed) == ("sysbeta", 0.0, 2)
    assert (worst.system, worst.penalty, worst.errors, worst.segments) == ("sysalpha", 5.0, 1, 3)
    [pair] = pair_results(reviews, typology, names)
    assert (pair.left, pair.right, pair.wins, pair.ties, pair.losses) == (
        "sysalpha",
        "sysbeta",
        0,
        1,
        1,
    )


def test_marks_and_corrections_land_on_the_slots_system_and_no_name_shows(
    app_env: Path, tmp_path: Path
) -> None:
    _store(app_env, tmp_path)
    at = _comparison()
    assert view_switch(at).options == ["Corpus", "Document", "Comparison"]
    page = _page(at)
    assert not any(name in page for name in NAMES)
    assert [m.value for m in at.markdown if m.value.startswith("**Translation")] == [
        "**Translation 1**",
        "**Translation 2**",
    ]
    assert ROWS[0][0] in [t.value for t in at.text]  # the source
    with ReviewStore(app_env) as store:
        [comparison] = store.comparisons()
    (_, first), (_, second) = slot_order(comparison, 0, "Anne")
    words = {"news@sysalpha": "est sous", "news@sysbeta": "subit"}[first]

    at.text_input(key="c0t1_mark_find").input(words)
    _click(at, "c0t1_mark_find_btn")
    at.selectbox(key="c0t1_new_severity").set_value("major")
    _click(at, "c0t1_add_error")
    send(at, "save", "Une correction.", key="c0t2_correction_box")  # the second box's Save
    assert not any(name in _page(at) for name in NAMES)
    with ReviewStore(app_env) as store:
        [mark] = store.segment(first, 0).annotations
        assert (mark.text, mark.severity, mark.reviewer) == (words, "major", "Anne")
        assert store.segment(second, 0).annotations == ()
        assert store.segment(second, 0).current_text == "Une correction."
        assert store.segment(first, 0).correction is None

    _click(at, "cmp_next")
    assert "Row 2 of 3" in [c.value for c in at.caption]
    assert ROWS[1][0] in [t.value for t in at.text]
    at.session_state["cmp_tab"] = "Ranking"  # the lead's view: the systems are named
    _run(at)
    [scores, pairs] = at.dataframe
    assert list(scores.value["system"]) == [second.split("@")[1], first.split("@")[1]]
    assert list(scores.value["penalty"]) == [0.0, 5.0]
    assert list(pairs.value["rows"]) == [1]  # only row 1 was judged in both


def test_a_setting_shows_the_names(app_env: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MTREVIEW_SHOW_SYSTEM_NAMES", "true")
    _store(app_env, tmp_path)
    at = _comparison()
    with ReviewStore(app_env) as store:
        [comparison] = store.comparisons()
    labels = [m.value for m in at.markdown if m.value.startswith("**Translation")]
    assert labels == [
        f"**Translation {n} · {name}**"
        for n, (name, _) in enumerate(slot_order(comparison, 0, "Anne"), start=1)
    ]


@pytest.fixture
def team_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "team.db"
    monkeypatch.setenv("MTREVIEW_DB", str(db))
    for name in ("MTREVIEW_DOCUMENT", "MTREVIEW_REVIEWER", "MTREVIEW_SHOW_SYSTEM_NAMES"):
        monkeypatch.delenv(name, raising=False)
    _store(db, tmp_path)
    with ReviewStore(db) as store:
        admin = team(store)["admin"]  # the first admin (OIDC only: never signs in here)
        store.add_user("anne", role="reviewer", password="plum orchard lantern", by=admin)
        store.add_user("bob", role="reviewer", password="copper meadow tundra", by=admin)
        store.assign("news@sysbeta", ["anne"], by=admin, first=0, last=1)
        store.assign("news@sysbeta", ["bob"], by=admin, first=0, last=0)
        bob = store.sign_in("bob", "copper meadow tundra").principal
        store.add_annotation(
            "news@sysbeta", 0, 0, 5, category="Fluency/Grammar", severity="minor", reviewer=bob
        )
    return db


def test_a_reviewer_sees_only_the_systems_assigned_and_blind(team_db: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    with ReviewStore(team_db) as store:  # AppTest sends no cookie: the harness signs in
        token = store.sign_in("anne", "plum orchard lantern").token
    at.session_state[HARNESS_KEY] = HarnessSignIn(token)
    _run(at)
    assert view_switch(at).options == ["Document", "Comparison"]  # no corpus
    at = _comparison(at)
    assert [t.label for t in at.tabs] == ["Compare"]  # no ranking
    assert [m.value for m in at.markdown if m.value.startswith("**Translation")] == [
        "**Translation 1**"
    ]  # sysbeta only, and bob's error on it unseen (shared: reviewed blind)
    page = _page(at)
    assert not any(name in page for name in NAMES) and "bob" not in page
    row_box(at).set_value(3)
    _run(at)
    assert "Row 2 of 3" in [c.value for c in at.caption]  # row 3 is not hers


def _linked(**params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for name, value in params.items():
        at.query_params[name] = value
    return _run(at)


def test_a_link_opens_its_row(app_env: Path, tmp_path: Path) -> None:
    """`?doc=news&segment=2` (what `mtreview compare` links to) opens the comparison view at
    source row 3; a document id opens the document view at that segment; a link to what is
    not there says so and opens the app as usual."""
    _store(app_env, tmp_path)
    at = _linked(doc="news", segment="2")
    assert view_switch(at).value == "Comparison"
    assert row_box(at).value == 3
    assert ROWS[2][0] in [t.value for t in at.text]
    _click(at, "cmp_prev")  # followed once: the reviewer moves on from there
    assert row_box(at).value == 2

    at = _linked(doc="news@sysbeta", segment="1")
    assert view_switch(at).value == "Document"
    assert "Segment 2 of 3" in [h.value for h in at.subheader]

    for params in (
        {"doc": "news", "segment": "7"},
        {"doc": "nope"},
        {"doc": "news", "segment": "x"},
    ):
        at = _linked(**params)
        assert next(t.value for t in at.toast).replace("\\", "").startswith("link: ")  # md-escaped
        assert view_switch(at).value != "Comparison" or row_box(at).value == 1


def test_ranking_means_carry_a_bootstrap_interval() -> None:
    from mtreview.ui.compare_model import mean_with_interval

    penalties = [0.0] * 10 + [5.0] * 10
    mean, low, high = mean_with_interval(penalties)
    assert mean == 2.5 and low is not None and high is not None
    assert 0.0 < low < mean < high < 5.0
    assert mean_with_interval(penalties) == (mean, low, high)  # seeded: the same each time
    assert mean_with_interval([1.0] * 12) == (1.0, 1.0, 1.0)
    assert mean_with_interval([3.0]) == (3.0, None, None)
    assert mean_with_interval([]) == (None, None, None)
