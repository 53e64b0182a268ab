"""Drafts in the app: a correction typed and not saved is kept per segment and reviewer,
and so is an error begun in the picker and not added.

The correction box is drawn by the component (typing never reruns the page), so the
browser sends what is typed (`review_draft.js`: after a pause, on leaving the box, before
a reload); the store keeps it and the box starts from it on return, after a reload or a
restarted server. The picker sends its error the same way once something is typed in it
(`review_marks.js`), and opens again with it on return. Keeping a draft reruns the page,
not a fragment: a draft sent while the reviewer opens another segment would be dropped
with a fragment that the new page no longer has.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeGuard

import streamlit as st

from mtreview.errors import MTReviewError
from mtreview.store import Draft, ReviewStore, SegmentReview
from mtreview.ui import actions
from mtreview.ui.components import BOX_KEY, DOCUMENT_SLOT, SEGMENT_KEY, Slot, event
from mtreview.ui.uninterrupted import uninterrupted

DRAFT_ERROR = "draft_error"  # why the last draft could not be kept, for the keeper's line
DRAFT_LEDGER = "draft_ledger"  # the drafts this session handled (DraftLedger)
HANDLED_SHOWN = 32  # draft numbers the page reports handled (far more than are ever unsure)


@dataclasses.dataclass(frozen=True)
class BoxStart:
    """What the correction box starts from in this session."""

    key: str  # the box's widget key: one per segment and base version
    base: int  # the version this session edits from
    saved: str  # that version's text
    draft: Draft | None  # the reviewer's draft typed on that version, shown in the box

    @property
    def text(self) -> str:
        return self.draft.text if self.draft is not None else self.saved


def version_text(store: ReviewStore, review: SegmentReview, version: int, reviewer: str) -> str:
    if version == review.version:
        return review.current_text
    history = store.corrections(review.doc_id, review.index, viewer=reviewer) if version else []
    # the reader's own first: on a blind segment each reviewer's versions count from 1
    history.sort(key=lambda c: c.reviewer != reviewer)
    return next((c.text for c in history if c.version == version), review.text)


def box_start(
    store: ReviewStore, review: SegmentReview, reviewer: str, slot: Slot = DOCUMENT_SLOT
) -> BoxStart:
    """The box's key, base version and text: a draft brings back the version it was typed
    on, so saving it still meets the conflict check when someone saved meanwhile. (One of
    several boxes on a page is keyed by its slot, which says which document it shows: a
    key is a class in the page, and the page may not name the document.)"""
    doc_id, index = review.doc_id, review.index
    draft = store.draft(doc_id, index, reviewer=reviewer)
    base = actions.base_version(doc_id, index, draft.base_version if draft else review.version)
    kept = draft if draft is not None and draft.base_version == base else None
    key = slot.key(f"fix_{index}_{base}") if slot.several else f"fix_{doc_id}_{index}_{base}"
    return BoxStart(key, base, version_text(store, review, base, reviewer), kept)


def draft_note(draft: Draft, current_version: int) -> str:
    when = draft.updated_at[:16].replace("T", " ")
    note = f"Draft kept {when} UTC, not saved yet"
    if draft.base_version != current_version:
        note += (
            f" (typed on version {draft.base_version}; version {current_version} was saved "
            "since: saving shows both)"
        )
    return note


def shown_note(review: SegmentReview, start: BoxStart) -> str:
    """The line under the box: why the last draft could not be kept, or the kept draft."""
    kept = start.draft
    error = st.session_state.pop(DRAFT_ERROR, None)
    return str(error) if error else (draft_note(kept, review.version) if kept else "")


def handled_drafts() -> list[int]:
    """The numbers of the drafts this session handled last (the browser sends again what
    is not among them)."""
    return list(_ledger().handled)


def handled_marks() -> list[int]:
    """The same, of the picker's drafts."""
    return list(_ledger().marks)


@dataclasses.dataclass(frozen=True)
class SentText:
    """The box's text as the browser sent it (a draft, a save, "reviewed"), with the
    segment and version it was typed on; `number` grows with every event a page sends."""

    doc_id: str
    index: int
    base: int
    text: str
    number: int


def sent_text(slot: Slot, name: str) -> SentText | None:
    """The box's event `name`, read in its callback; None when it is not well formed or
    names a document this slot does not know."""
    payload = event(slot.key(BOX_KEY), name)
    if not isinstance(payload, Mapping):
        return None
    doc, index, base, text, number = (
        payload.get(k) for k in ("doc", "segment", "base", "text", "number")
    )
    if not (isinstance(doc, str) and isinstance(text, str)):
        return None
    if not (_whole(index) and _whole(base) and _whole(number)):
        return None
    if slot.resolve is not None:  # the browser knows the document by another name
        doc = slot.resolve(doc, index)
        if doc is None:
            return None
    return SentText(doc, index, base, text, number)


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@dataclasses.dataclass
class DraftLedger:
    """This session's record of the drafts it handled (kept in st.session_state and changed
    in place: a write through st.session_state is a point where Streamlit may stop the
    callback for a newer request, here between the store and the record)."""

    latest: dict[tuple[str, int], int] = dataclasses.field(default_factory=dict)
    # the numbers of the drafts handled last: the browser sends again a draft not among them
    handled: list[int] = dataclasses.field(default_factory=list)
    # the same of the picker's drafts (apart: the segment editor is drawn again only when
    # one of its own was handled)
    marks: list[int] = dataclasses.field(default_factory=list)

    def record(self, number: int) -> None:
        self.handled = [*self.handled[-(HANDLED_SHOWN - 1) :], number]

    def record_mark(self, number: int) -> None:
        self.marks = [*self.marks[-(HANDLED_SHOWN - 1) :], number]


def _ledger() -> DraftLedger:
    ledger = st.session_state.get(DRAFT_LEDGER)
    if not isinstance(ledger, DraftLedger):
        ledger = st.session_state[DRAFT_LEDGER] = DraftLedger()
    return ledger


@uninterrupted
def keep_draft(store: ReviewStore, reviewer: str, slot: Slot = DOCUMENT_SLOT) -> None:
    """The browser sent the box's text: keep it, or forget the draft when it is back to the
    saved text. A late draft is let go: one from before a save in this session (the base
    moved on, the save has its text), or one older than a draft already handled (Streamlit
    can hand a trigger over twice, and the browser sends again what was not handled)."""
    sent = sent_text(slot, "draft")
    if sent is None:
        return
    bases: Mapping[Any, int] = st.session_state.get(actions.BASES, {})
    ledger, segment = _ledger(), (sent.doc_id, sent.index)
    error = None
    # (a segment this session has not opened: no save here to be late for, e.g. a draft
    # the page kept across a reload)
    fresh = bases.get(segment, sent.base) == sent.base
    if fresh and sent.number > ledger.latest.get(segment, -1):
        try:
            review = store.segment(sent.doc_id, sent.index, viewer=reviewer)
            saved = version_text(store, review, sent.base, reviewer)
            keep_text(store, sent.doc_id, sent.index, sent.text, sent.base, saved, reviewer)
        except MTReviewError as exc:
            error = str(exc)
        ledger.latest[segment] = sent.number
    ledger.record(sent.number)
    if error:
        st.session_state[DRAFT_ERROR] = f"The draft could not be kept: {error}"


def keep_text(
    store: ReviewStore, doc_id: str, index: int, text: str, base: int, saved: str, reviewer: str
) -> bool:
    """`text` as the reviewer's draft typed on version `base`, or no draft when it is that
    version's text (`saved`); whether a draft is kept. No st.* call in here."""
    if text == saved:
        store.discard_draft(doc_id, index, reviewer=reviewer)
        return False
    return store.save_draft(doc_id, index, text, base_version=base, reviewer=reviewer) is not None


def keep_typed(store: ReviewStore, sent: SentText, reviewer: str) -> None:
    """ "Reviewed, no change" sent with text typed in the box: the segment is marked
    reviewed and the typed text stays a draft (nothing typed is thrown away unasked)."""
    doc_id, index = sent.doc_id, sent.index
    actions.mark_reviewed(store, doc_id, index, reviewer)

    def keep() -> str | None:
        review = store.segment(doc_id, index, viewer=reviewer)
        if sent.base != review.version and sent.text == review.current_text:
            return None  # sent from a box drawn before its own text was saved
        saved = version_text(store, review, sent.base, reviewer)
        if keep_text(store, doc_id, index, sent.text, sent.base, saved, reviewer):
            return "the text typed in the box is kept as a draft, not saved"
        return None

    actions.guarded(keep)


# --- the picker's error, not added yet ------------------------------------------------------
def mark_draft_data(
    store: ReviewStore, review: SegmentReview, reviewer: str
) -> dict[str, object] | None:
    """The reviewer's error begun in the picker on this segment, for the segment component
    (its picker opens with it); None when there is none."""
    kept = store.mark_draft(review.doc_id, review.index, reviewer=reviewer)
    if kept is None:
        return None
    return {
        "start": kept.start,
        "end": kept.end,
        "category": kept.category,
        "severity": kept.severity,
        "comment": kept.comment,
        "fix": kept.fix,
    }


@uninterrupted
def keep_mark_draft(store: ReviewStore, reviewer: str, slot: Slot = DOCUMENT_SLOT) -> None:
    """The picker sent the error being typed in it (or its end: `discard`): kept as the
    reviewer's draft of the segment's error, or forgotten. One older than the picker's last
    event handled for that segment (an error added included) is let go."""
    payload = event(slot.key(SEGMENT_KEY), "mark")
    if not isinstance(payload, Mapping):
        return
    doc, index, number = payload.get("doc"), payload.get("segment"), payload.get("number")
    if not (isinstance(doc, str) and _whole(index) and _whole(number)):
        return
    if slot.resolve is not None:
        doc = slot.resolve(doc, index)
        if doc is None:
            return
    latest: dict[tuple[str, int], int] = st.session_state.setdefault(actions.MARK_NUMBERS, {})
    ledger, error = _ledger(), None
    if number > latest.get((doc, index), -1):
        try:
            if payload.get("discard"):
                store.discard_mark_draft(doc, index, reviewer=reviewer)
            else:
                _keep_mark(store, doc, index, payload, reviewer)
        except MTReviewError as exc:
            error = str(exc)
        latest[(doc, index)] = number
    ledger.record_mark(number)
    if error:
        st.session_state[DRAFT_ERROR] = f"The picker's error could not be kept: {error}"


def _keep_mark(
    store: ReviewStore, doc_id: str, index: int, sent: Mapping[str, Any], reviewer: str
) -> None:
    start, end, fix = sent.get("start"), sent.get("end"), sent.get("fix")
    if not (_whole(start) and _whole(end)):
        raise MTReviewError("its span is not two character offsets")
    store.save_mark_draft(
        doc_id,
        index,
        start=start,
        end=end,
        category=str(sent.get("category") or ""),
        severity=str(sent.get("severity") or ""),
        comment=str(sent.get("comment") or ""),
        fix=fix if isinstance(fix, str) else None,
        reviewer=reviewer,
    )
