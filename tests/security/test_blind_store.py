"""Blind review is enforced by the store's reads: two reviewers on one segment each read
back only their own marks, decisions, comments, corrections, "done" and version numbers
(their own chain: 1, 2, …), through every read a face draws from (`segment`,
`iter_segments`, `context`, `corrections`, the segment a write returns); a lead reads
everyone's. After adjudication, the history (`corrections`, `reviewer_work`) shows every
reviewer's versions to the segment's reviewers; their working view stays their own, as
their saves go on their own chain."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mtreview.analysis import SegmentAnalysis
from mtreview.errors import AccessError, ConflictError
from mtreview.flags import Flag
from mtreview.readers import document_from_text
from mtreview.store import ReviewStore, SegmentReview
from mtreview.store.principal import Principal
from mtreview.testing.team import team

TEXT = "".join(f"Phrase numéro {n} du texte.\n\n" for n in range(4))
PEOPLE: dict[str, tuple[str, str | None]] = {
    "anne": ("reviewer", None),
    "bob": ("reviewer", None),
    "lena": ("lead", None),
}
BOB_TEXT = "BOBS-SECRET-FIX 0."
BOB_COMMENT = "BOBS-SECRET-COMMENT"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[ReviewStore, dict[str, Principal]]]:
    """Segment 0 blind (anne and bob), 1 anne's alone, 2 bob's alone, 3 nobody's. Bob saved
    segment 0 twice, marked it with a comment, decided its pre-highlight; anne saved once.
    The lead corrected segment 1 (anne's alone) first."""
    store = ReviewStore(tmp_path / "team.db")
    doc = document_from_text(TEXT, doc_id="d", name="d.txt")
    flag = Flag(0, 6, "Fluency/Grammar", "minor", ("rule:repeat",), "mot répété")
    store.add_document(doc, [SegmentAnalysis(segment=s, flags=(flag,)) for s in doc.segments])
    who = team(store, PEOPLE)
    bob, lena = who["bob"], who["lena"]
    store.assign("d", ["anne", "bob"], by=lena, first=0, last=0, overlap=1.0)
    store.assign("d", ["anne"], by=lena, first=1, last=1)
    store.assign("d", ["bob"], by=lena, first=2, last=2)
    store.save_correction("d", 0, "bob first.", expected_version=0, reviewer=bob)
    store.save_correction("d", 0, BOB_TEXT, expected_version=1, reviewer=bob)
    store.add_annotation(
        "d", 0, 0, 6, category="Accuracy/Mistranslation", severity="major", reviewer=bob,
        comment=BOB_COMMENT,
    )  # fmt: skip
    store.decide_flag("d", 0, 0, accept=False, reviewer=bob)
    store.save_correction("d", 1, "lena 1.", expected_version=0, reviewer=lena)
    yield store, who
    store.close()


def _bob_traces(review: SegmentReview) -> list[str]:
    """Whatever of bob's work a review record carries."""
    found = [a.comment for a in review.annotations if a.reviewer == "bob"]
    found += [d.decision for d in review.decisions if d.reviewer == "bob"]
    if review.correction is not None and review.correction.reviewer == "bob":
        found.append(review.correction.text)
    if review.reviewed_by == "bob":
        found.append("bob's done mark")
    return found


def test_each_blind_read_holds_only_the_readers_own_work(world) -> None:
    store, who = world
    anne = who["anne"]
    saved = store.save_correction("d", 0, "anne 0.", expected_version=0, reviewer=anne)
    assert saved.version == 1  # her first, though bob saved two before her
    reads = [
        store.segment("d", 0, viewer=anne),
        next(iter(store.iter_segments("d", viewer=anne))),
        store.context("d", 1, viewer=anne)[0],
        store.mark_reviewed("d", 0, reviewer=anne),
    ]
    for review in reads:
        assert _bob_traces(review) == []
        assert review.correction is not None
        assert (review.correction.version, review.current_text) == (1, "anne 0.")
        assert review.decision(0) is None  # bob's rejection is his own
        assert review.annotations == ()
    assert [(c.version, c.reviewer) for c in store.corrections("d", 0, viewer=anne)] == [
        (1, "anne")
    ]
    assert list(store.reviewer_work("d", 0, viewer=anne)) == ["anne"]
    # anne's second save is her version 2: the store numbers her own chain
    again = store.save_correction("d", 0, "anne again.", expected_version=1, reviewer=anne)
    assert again.version == 2
    assert store.segment("d", 0, viewer=anne).version == 2
    # bob reads his own the same way: his two versions, not anne's
    mine = store.segment("d", 0, viewer=who["bob"])
    assert (mine.version, mine.current_text, mine.annotations[0].comment) == (
        2,
        BOB_TEXT,
        BOB_COMMENT,
    )
    assert [c.text for c in store.corrections("d", 0, viewer=who["bob"])] == [
        "bob first.",
        BOB_TEXT,
    ]


def test_a_reviewer_sees_nothing_of_segments_not_theirs_and_all_of_their_own(world) -> None:
    """Another's segment shows its text only; the segment assigned to her alone shows the
    lead's correction she continues from (no blindness there)."""
    store, who = world
    anne = who["anne"]
    by_index = {r.index: r for r in store.iter_segments("d", viewer=anne)}
    bobs = store.save_correction("d", 2, "bob 2.", expected_version=0, reviewer=who["bob"])
    assert bobs.version == 1
    assert store.segment("d", 2, viewer=anne).correction is None
    assert store.corrections("d", 2, viewer=anne) == []
    assert by_index[1].current_text == "lena 1." and by_index[1].version == 1
    store.save_correction("d", 1, "anne 1.", expected_version=1, reviewer=anne)
    assert store.segment("d", 1, viewer=anne).version == 2


def test_a_lead_sees_everyone_and_the_stored_numbers(world) -> None:
    store, who = world
    anne, lena = who["anne"], who["lena"]
    store.save_correction("d", 0, "anne 0.", expected_version=0, reviewer=anne)
    review = store.segment("d", 0, viewer=lena)
    assert (review.version, review.current_text) == (3, "anne 0.")
    assert [a.comment for a in review.annotations] == [BOB_COMMENT]
    assert [(c.version, c.reviewer) for c in store.corrections("d", 0, viewer=lena)] == [
        (1, "bob"),
        (2, "bob"),
        (3, "anne"),
    ]
    # the corpus reads count everyone's work: a lead's, never a reviewer's
    assert store.corpus_count(viewer=lena) >= 1
    with pytest.raises(AccessError):
        store.corpus_queue(viewer=anne)
    with pytest.raises(AccessError):
        store.corpus_overview(viewer=anne)


def test_after_adjudication_the_history_shows_both_on_their_own_chains(world) -> None:
    """What the store does today: adjudicated, the segment's history and each reviewer's
    work are no longer blind; the working view (and the numbers saves check) stays each
    reviewer's own chain."""
    store, who = world
    anne = who["anne"]
    store.save_correction("d", 0, "anne 0.", expected_version=0, reviewer=anne)
    store.adjudicate("d", 0, by=who["lena"], text="final 0.", spans=[])
    history = [(c.version, c.reviewer, c.text) for c in store.corrections("d", 0, viewer=anne)]
    assert history == [(1, "bob", "bob first."), (2, "bob", BOB_TEXT), (1, "anne", "anne 0.")]
    assert sorted(store.reviewer_work("d", 0, viewer=anne)) == ["anne", "bob"]
    review = store.segment("d", 0, viewer=anne)
    assert (review.version, review.current_text, _bob_traces(review)) == (1, "anne 0.", [])
    assert store.save_correction("d", 0, "anne 2.", expected_version=1, reviewer=anne).version == 2


def test_a_stale_blind_save_conflicts_with_the_readers_own_version_only(world) -> None:
    """A second tab of anne's is refused with her own text and number, never bob's."""
    store, who = world
    anne = who["anne"]
    store.save_correction("d", 0, "anne 0.", expected_version=0, reviewer=anne)
    with pytest.raises(ConflictError) as refused:
        store.save_correction("d", 0, "stale.", expected_version=0, reviewer=anne)
    conflict = refused.value
    assert (conflict.current_version, conflict.current_text) == (1, "anne 0.")
    assert BOB_TEXT not in str(conflict)


def test_a_draft_on_her_own_chain_is_kept_against_her_own_numbers(world) -> None:
    """A draft typed on her version 1 that matches nothing saved since is kept (its base is
    her own number, not the stored one bob's saves pushed up)."""
    store, who = world
    anne = who["anne"]
    store.save_correction("d", 0, "anne 0.", expected_version=0, reviewer=anne)
    store.save_correction("d", 0, "anne 1.", expected_version=1, reviewer=anne)
    kept = store.save_draft("d", 0, "anne 0.", base_version=2, reviewer=anne)
    assert kept is not None  # her version 1's text, typed again on version 2: a draft
    assert store.save_draft("d", 0, "anne 1.", base_version=1, reviewer=anne) is None


def test_the_pickers_draft_and_its_link_are_the_reviewers_own(world) -> None:
    """Issue 24 on a team store: the error begun in the picker is kept for a segment the
    reviewer may work on only, seen by them only; the correction an error came with is
    linked and read on their own chain (her version 1, stored after bob's two)."""
    store, who = world
    anne, bob = who["anne"], who["bob"]
    fields = {"start": 0, "end": 6, "category": "Other", "severity": "minor", "fix": "Fraze"}
    store.save_mark_draft("d", 0, reviewer=anne, **fields)  # type: ignore[arg-type]
    assert store.mark_draft("d", 0, reviewer=anne).fix == "Fraze"
    assert store.mark_draft("d", 0, reviewer=bob) is None  # blind: bob sees none of it
    with pytest.raises(AccessError, match="not assigned"):
        store.save_mark_draft("d", 2, reviewer=anne, **fields)  # type: ignore[arg-type]
    mark = store.add_annotation("d", 0, 0, 6, category="Other", severity="minor", reviewer=anne)
    saved = store.save_correction("d", 0, "Fraze numéro 0.", expected_version=0, reviewer=anne)
    assert saved.version == 1
    store.link_correction(mark.id, 1, reviewer=anne)
    assert store.saved_with(mark.id, viewer=anne) == saved
    assert store.saved_with(mark.id, viewer=bob) is None
    with pytest.raises(AccessError, match="signed-in principal"):
        store.link_correction(mark.id, 1, reviewer="anne")  # a name proves nothing
