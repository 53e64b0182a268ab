"""Button callbacks: each one saves one reviewer action in the store at once.

Callbacks run before the page is drawn again, so what the reviewer sees afterwards is read
back from the store. Library errors become a message on the page, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from mtreview.errors import ConflictError, MTReviewError
from mtreview.store import ReviewStore

FLASH = "flash"
PENDING = "pending"  # (doc_id, index, start, end) of the selection waiting for a category
CONFLICT = "conflict"
BASES = "base_versions"
INDEPENDENT = "independent"  # (doc_id, index) this reviewer works on blind (ui.team.blind)


def flash(kind: str, message: str) -> None:
    st.session_state[FLASH] = (kind, message)


def guarded(action: Callable[[], str | None]) -> None:
    """Run a store action; report success or the library's one-line error."""
    try:
        done = action()
    except MTReviewError as exc:
        flash("error", str(exc))
        return
    if done:
        flash("success", done)


def base_version(doc_id: str, index: int, current: int) -> int:
    """The version this browser session started editing from (kept across reruns)."""
    bases: dict[tuple[str, int], int] = st.session_state.setdefault(BASES, {})
    return bases.setdefault((doc_id, index), current)


def set_base(doc_id: str, index: int, version: int) -> None:
    st.session_state.setdefault(BASES, {})[(doc_id, index)] = version


def open_document(doc_id: str) -> None:
    st.session_state.update(doc_id=doc_id, current=None)
    st.session_state.pop(PENDING, None)


def go_to(index: int) -> None:
    st.session_state["current"] = index
    st.session_state.pop(PENDING, None)


def add_error(store: ReviewStore, doc_id: str, index: int, reviewer: str) -> None:
    pending = st.session_state.get(PENDING)
    if not pending or tuple(pending[:2]) != (doc_id, index):
        flash("warning", "select words in the segment first (mouse, or 'Find text to mark')")
        return
    state = st.session_state

    def run() -> str:
        mark = store.add_annotation(
            doc_id,
            index,
            pending[2],
            pending[3],
            category=state["new_category"],
            severity=state["new_severity"],
            comment=state.get("new_comment", ""),
            reviewer=reviewer,
        )
        state.pop(PENDING, None)
        state["new_comment"] = ""
        return f"marked “{mark.text}” as {mark.category} ({mark.severity})"

    guarded(run)


def update_error(store: ReviewStore, annotation_id: int, reviewer: str) -> None:
    state = st.session_state

    def run() -> str:
        store.update_annotation(
            annotation_id,
            category=state[f"ann_cat_{annotation_id}"],
            severity=state[f"ann_sev_{annotation_id}"],
            comment=state[f"ann_comment_{annotation_id}"],
            reviewer=reviewer,
        )
        return "error span updated"

    guarded(run)


def delete_error(store: ReviewStore, annotation_id: int, reviewer: str) -> None:
    def run() -> str:
        store.delete_annotation(annotation_id, reviewer=reviewer)
        return "error span deleted"

    guarded(run)


def decide(
    store: ReviewStore, doc_id: str, index: int, flag: int | None, accept: bool, reviewer: str
) -> None:
    if flag is None:
        flash("info", "no pre-highlight left to decide in this segment")
        return

    def run() -> str:
        store.decide_flag(doc_id, index, flag, accept=accept, reviewer=reviewer)
        return "pre-highlight " + ("accepted as an error" if accept else "rejected")

    guarded(run)


def save_correction(store: ReviewStore, doc_id: str, index: int, key: str, reviewer: str) -> None:
    text = st.session_state.get(key, "")
    base = base_version(doc_id, index, 0)
    try:
        saved = store.save_correction(
            doc_id, index, text, expected_version=base, reviewer=reviewer,
            independent=(doc_id, index) in st.session_state.get(INDEPENDENT, set()),
        )  # fmt: skip
    except ConflictError as exc:
        st.session_state[CONFLICT] = {
            "segment": (doc_id, index),
            "theirs": exc.current_text,
            "version": exc.current_version,
            "mine": text,
        }
        flash("error", str(exc))
        return
    except MTReviewError as exc:
        flash("error", str(exc))
        return
    set_base(doc_id, index, saved.version)
    st.session_state.pop(CONFLICT, None)
    flash("success", f"correction saved (version {saved.version})")


def take_theirs(doc_id: str, index: int) -> None:
    conflict: dict[str, Any] = st.session_state.pop(CONFLICT, {}) or {}
    if conflict:
        set_base(doc_id, index, int(conflict["version"]))


def mark_reviewed(store: ReviewStore, doc_id: str, index: int, reviewer: str) -> None:
    def run() -> str:
        store.mark_reviewed(doc_id, index, reviewer=reviewer)
        return f"segment {index + 1} marked reviewed"

    guarded(run)
