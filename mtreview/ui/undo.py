"""Undo (Ctrl+Z, or the "Undo" button), and deleting an error with the correction it came with.

The session keeps the reviewer's own last actions (`actions.Undoable`: an error added, with
the correction the picker saved in the same step; an error deleted; a correction saved).
Undo takes the last one back through the store with its real inverse, a new action of the
reviewer's, audited and refused like any other write: an added error is deleted, a deleted
one is added again (linked again to the correction it was added with), and a correction is
followed by a new version holding the text before it (the reviewer's draft, if any, stays
their draft). A reload starts a new session, with nothing to undo.

Deleting an error that was added with a correction still the segment's latest asks first:
revert that correction too (a new version with the text before it), or delete the error
only.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from mtreview.errors import ConflictError, MTReviewError, StoreError
from mtreview.store import Annotation, ReviewStore, SegmentReview
from mtreview.ui import actions
from mtreview.ui.components import DOCUMENT_SLOT, SEGMENT_KEY, Slot, event
from mtreview.ui.drafts import version_text
from mtreview.ui.uninterrupted import uninterrupted

HANDLED = "undo_handled"  # ids of the component's undo events handled (each handled once)
CONFIRM = "confirm_delete"  # (annotation id, correction version): a delete asking first
UNDO_KEY = "Ctrl+Z"  # the component's key (a Streamlit shortcut would fire in text boxes too)


@uninterrupted
def undo_last(store: ReviewStore, reviewer: str) -> None:
    """Take the session's last action back; it leaves the stack whether or not the store
    lets it be undone (then the message says why)."""
    taken = actions.undo_stack()
    messages: list[tuple[str, str]] = st.session_state.setdefault(actions.FLASH, [])
    bases: dict[tuple[str, int], int] = st.session_state.setdefault(actions.BASES, {})
    independent = st.session_state.get(actions.INDEPENDENT, set())
    if not taken:
        actions.flash("info", "nothing to undo in this session", messages)
        return
    action = taken.pop()
    try:
        _take_back(store, action, reviewer, bases, independent)
    except MTReviewError as exc:
        actions.flash("error", f"could not undo {action.label}: {exc}", messages)
        return
    actions.flash("success", f"undone: {action.label}", messages)
    if st.session_state.get("doc_id") == action.doc_id:
        actions.go_to(action.index)  # the document view shows what changed


def _take_back(
    store: ReviewStore,
    action: actions.Undoable,
    reviewer: str,
    bases: dict[tuple[str, int], int],
    independent: set[tuple[str, int]],
) -> None:
    version = None
    if action.version is not None:
        segment = (action.doc_id, action.index)
        version = restore_before(
            store, segment, action.version, reviewer, bases, independent=segment in independent
        )
    mark = action.mark
    if mark is None:
        return
    if action.kind == "add":
        store.delete_annotation(mark.id, reviewer=reviewer)
        return
    back = _add_again(store, mark, reviewer)
    linked = version if version is not None else action.linked
    if linked is not None:
        store.link_correction(back.id, linked, reviewer=reviewer)


def _add_again(store: ReviewStore, mark: Annotation, reviewer: str) -> Annotation:
    return store.add_annotation(
        mark.doc_id,
        mark.segment_index,
        mark.start,
        mark.end,
        category=mark.category,
        severity=mark.severity,
        comment=mark.comment,
        origin=mark.origin,
        reviewer=reviewer,
    )


def restore_before(
    store: ReviewStore,
    segment: tuple[str, int],
    version: int,
    reviewer: str,
    bases: dict[tuple[str, int], int],
    *,
    independent: bool = False,
) -> int:
    """Save the text the segment had before `version` as a new version (only while
    `version` is still its latest); the reviewer's draft stays theirs, on the new version.
    The new version's number (the session edits from it now)."""
    doc_id, index = segment
    review = store.segment(doc_id, index, viewer=reviewer)
    before = version_text(store, review, version - 1, reviewer)
    draft = store.draft(doc_id, index, reviewer=reviewer)
    try:
        saved = store.save_correction(
            doc_id, index, before, expected_version=version, reviewer=reviewer,
            independent=independent,
        )  # fmt: skip
    except ConflictError as exc:
        raise StoreError(
            f"segment {index + 1} has a later version ({exc.current_version}) than "
            f"version {version}: correct it in the box instead"
        ) from None
    bases[segment] = saved.version
    if draft is not None:
        store.save_draft(doc_id, index, draft.text, base_version=saved.version, reviewer=reviewer)
    return saved.version


@uninterrupted
def undo_sent(store: ReviewStore, reviewer: str, slot: Slot = DOCUMENT_SLOT) -> None:
    """The segment component's Ctrl+Z (pressed outside any text box)."""
    payload = event(slot.key(SEGMENT_KEY), "undo")
    if not isinstance(payload, Mapping):
        return
    handled: set[str] = st.session_state.setdefault(HANDLED, set())
    if str(payload.get("id")) in handled:
        return
    handled.add(str(payload.get("id")))
    undo_last(store, reviewer)


def undo_button(store: ReviewStore, reviewer: str) -> None:
    """ "Undo: …", naming the action it takes back, while the session has one."""
    taken = st.session_state.get(actions.UNDO) or []
    if not taken:
        return
    st.button(
        f"↶ Undo: {taken[-1].label}",
        key="undo_btn",
        type="tertiary",
        help=f"{UNDO_KEY} outside a text box",
        on_click=undo_last,
        args=(store, reviewer),
    )


# --- deleting an error -----------------------------------------------------------------------
def ask_delete(store: ReviewStore, annotation_id: int, reviewer: str, version: int) -> None:
    """Delete: at once, unless the error was added with a correction that is still the
    segment's latest (`version`): then the page asks whether to revert it too."""
    saved = actions.attempt(lambda: store.saved_with(annotation_id, viewer=reviewer))
    if saved is not None and saved.version == version:
        st.session_state[CONFIRM] = (annotation_id, saved.version)
        return
    linked = saved.version if saved is not None else None
    delete_error(store, annotation_id, reviewer, linked=linked)


@uninterrupted
def delete_error(
    store: ReviewStore,
    annotation_id: int,
    reviewer: str,
    *,
    linked: int | None = None,
    revert: bool = False,
) -> None:
    """Delete the error (and, `revert`, the correction `linked` it was added with): one
    action to undo."""
    state = st.session_state
    state.pop(CONFIRM, None)
    taken = actions.undo_stack()
    bases: dict[tuple[str, int], int] = state.setdefault(actions.BASES, {})
    independent = state.get(actions.INDEPENDENT, set())
    gone = actions.attempt(lambda: store.delete_annotation(annotation_id, reviewer=reviewer))
    if gone is None:
        return
    segment = (gone.doc_id, gone.segment_index)
    reverted = None
    if revert and linked is not None:
        reverted = actions.attempt(
            lambda: restore_before(
                store, segment, linked, reviewer, bases, independent=segment in independent
            )
        )
    actions.push(taken, actions.Undoable("delete", *segment, gone, reverted, linked))
    note = f", correction reverted (version {reverted})" if reverted is not None else ""
    actions.flash("success", f"error “{gone.text}” deleted{note} · {UNDO_KEY} undoes it")


def confirm_delete(store: ReviewStore, review: SegmentReview, reviewer: str) -> None:
    """The question `ask_delete` left for an error of this segment, with its answers."""
    asked = st.session_state.get(CONFIRM)
    mark = next((a for a in review.annotations if asked and a.id == asked[0]), None)
    if mark is None or asked is None:
        return
    version = int(asked[1])
    st.warning(
        f"“{mark.text}” was added with a correction (version {version}), still the "
        "segment's latest. Revert that correction too?"
    )
    row = st.container(horizontal=True, gap="small")
    answers = (
        ("Delete and revert the correction", "revert", True),
        ("Delete the error only", "only", False),
    )
    for label, name, revert in answers:
        row.button(
            label,
            key=f"confirm_{name}_{mark.id}",
            type="primary" if revert else "secondary",
            on_click=delete_error,
            args=(store, mark.id, reviewer),
            kwargs={"linked": version, "revert": revert},
        )
    row.button("Cancel", key=f"confirm_cancel_{mark.id}", on_click=_cancel_delete)


def _cancel_delete() -> None:
    st.session_state.pop(CONFIRM, None)
