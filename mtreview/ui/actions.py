"""Button and component callbacks: each one saves one reviewer action in the store at once.

Callbacks run before the page is drawn again, so what the reviewer sees afterwards is read
back from the store, in the same run. Their messages become toasts (they float over the
page and never push it down); library errors become a message, never a traceback. Each
error added and correction saved goes on the session's undo stack (`Undoable`; taken back
by `mtreview.ui.undo`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import streamlit as st

from mtreview.errors import ConflictError, MTReviewError
from mtreview.store import Annotation, Correction, ReviewStore
from mtreview.ui.components import ARTICLE_KEY, DOCUMENT_SLOT, SEGMENT_KEY, Slot, event
from mtreview.ui.offsets import selection_span
from mtreview.ui.uninterrupted import uninterrupted
from mtreview.ui.view_model import md_escape

FLASH = "flash"  # messages for the next run's toasts: [(kind, text)]
FOCUS = "focus_token"  # counts actions: the segment component keeps the segment in view
PENDING = "pending"  # (doc_id, index, start, end) found by "Mark by typing", for the form
CONFLICT = "conflict"
BASES = "base_versions"
INDEPENDENT = "independent"  # (doc_id, index) this reviewer works on blind (ui.team.blind)
CHOICE = "last_choice"  # the category and severity of the reviewer's last error
HANDLED = "handled_adds"  # ids of the picker's errors already stored
UNDO = "undo_stack"  # this session's actions to take back, last last (Undoable)
UNDO_KEPT = 50  # actions kept on it
MARK_NUMBERS = "mark_numbers"  # (doc_id, index): the picker's last event handled (add, draft)

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Undoable:
    """One action of the reviewer's that undo can take back: an error added (`mark`; with
    the correction `version` saved in the same step), an error deleted (`mark`; `linked`:
    the version it was added with; `version`: the version that reverted that correction),
    or a correction saved (`version`)."""

    kind: str  # "add", "delete" or "correct"
    doc_id: str
    index: int
    mark: Annotation | None = None
    version: int | None = None
    linked: int | None = None

    @property
    def label(self) -> str:
        error = f"error “{self.mark.text}”" if self.mark is not None else ""
        if self.kind == "add":
            done = f"{error} and its correction added" if self.version else f"{error} added"
        elif self.kind == "delete":
            done = f"{error} deleted" + (", its correction reverted" if self.version else "")
        else:
            done = f"correction version {self.version} saved"
        return f"{done} (segment {self.index + 1})"


def undo_stack() -> list[Undoable]:
    """The session's undo stack, taken before a store write: the action is then put on it
    without going through st.session_state (see `_save`)."""
    taken: list[Undoable] = st.session_state.setdefault(UNDO, [])
    return taken


def push(taken: list[Undoable], action: Undoable) -> None:
    taken.append(action)
    del taken[:-UNDO_KEPT]


def flash(kind: str, message: str, messages: list[tuple[str, str]] | None = None) -> None:
    """A message for the next run's toasts. `messages`: the list taken from st.session_state
    before a store write, so the message is in it even if the bump of FOCUS (a point where
    Streamlit may stop the callback for a newer request) does not happen."""
    (st.session_state.setdefault(FLASH, []) if messages is None else messages).append(
        (kind, message)
    )
    st.session_state[FOCUS] = st.session_state.get(FOCUS, 0) + 1


ICONS = {
    "success": ":material/check_circle:",
    "info": ":material/info:",
    "warning": ":material/warning:",
    "error": ":material/error:",
}


def toasts() -> None:
    """Messages of the last action: toasts float over the page and never push it down."""
    for kind, message in st.session_state.pop(FLASH, []):
        if kind == "error":
            st.toast(md_escape(message), icon=ICONS["error"], duration="long")
        else:
            st.toast(md_escape(message), icon=ICONS.get(kind))


def guarded(action: Callable[[], str | None]) -> None:
    """Run a store action; report success or the library's one-line error."""
    try:
        done = action()
    except MTReviewError as exc:
        flash("error", str(exc))
        return
    if done:
        flash("success", done)


def attempt(action: Callable[[], T]) -> T | None:
    """A store action's result, or None with the library's one-line error told."""
    try:
        return action()
    except MTReviewError as exc:
        flash("error", str(exc))
        return None


def base_version(doc_id: str, index: int, current: int) -> int:
    """The version this browser session started editing from (kept across reruns)."""
    bases: dict[tuple[str, int], int] = st.session_state.setdefault(BASES, {})
    return bases.setdefault((doc_id, index), current)


def set_base(doc_id: str, index: int, version: int) -> None:
    st.session_state.setdefault(BASES, {})[(doc_id, index)] = version


def open_document(doc_id: str) -> None:
    st.session_state.update(doc_id=doc_id, current=None)
    st.session_state.pop(PENDING, None)


def go_to(index: int | None) -> None:
    if index is None:
        return
    st.session_state["current"] = index
    st.session_state.pop(PENDING, None)


def open_clicked() -> None:
    """The article component: a click on a segment opens it."""
    opened = event(ARTICLE_KEY, "open")
    if isinstance(opened, int):
        go_to(opened)


def _add(
    store: ReviewStore,
    doc_id: str,
    index: int,
    span: tuple[int, int],
    choice: Mapping[str, Any],
    reviewer: str,
) -> Annotation:
    mark = store.add_annotation(
        doc_id,
        index,
        span[0],
        span[1],
        category=str(choice["category"]),
        severity=str(choice["severity"]),
        comment=str(choice.get("comment") or ""),
        reviewer=reviewer,
    )
    st.session_state[CHOICE] = {"category": mark.category, "severity": mark.severity}
    return mark


def _marked(mark: Annotation) -> str:
    return f"marked “{mark.text}” as {mark.category} ({mark.severity})"


@uninterrupted
def add_marked(
    store: ReviewStore,
    doc_id: str,
    index: int,
    text: str,
    reviewer: str,
    slot: Slot = DOCUMENT_SLOT,
) -> None:
    """The segment component's picker: one error, and its correction when one was typed,
    one action to undo; the picker's draft of it (`drafted`) ends. (`doc_id`, `index`,
    `text`: the segment the page last drew open, in any view; `slot`: the editor it was
    drawn in, one of several on the page or the document view's.)"""
    payload = event(slot.key(SEGMENT_KEY), "add")
    if not isinstance(payload, Mapping):
        return
    handled: set[str] = st.session_state.setdefault(HANDLED, set())
    if payload.get("id") in handled:
        return  # a fragment's rerun can hand the same trigger over again
    handled.add(str(payload.get("id")))
    if payload.get("doc") != (slot.doc or doc_id) or payload.get("segment") != index:
        flash("warning", "that selection was made in a segment that is no longer open")
        return
    span = selection_span(text, payload)
    if span is None:
        flash("error", "the selection does not match the segment's text; select it again")
        return
    taken = undo_stack()
    number = payload.get("number")
    if isinstance(number, int):  # a draft of the picker sent before this add comes too late
        st.session_state.setdefault(MARK_NUMBERS, {})[(doc_id, index)] = number
    mark = attempt(lambda: _add(store, doc_id, index, span, payload, reviewer))
    if mark is not None:
        flash("success", _marked(mark))
    correction = payload.get("correction")
    saved = (
        _save(store, doc_id, index, correction, reviewer) if isinstance(correction, str) else None
    )
    if mark is not None and saved is not None:
        attempt(lambda: store.link_correction(mark.id, saved.version, reviewer=reviewer))
    if mark is not None and payload.get("drafted"):
        attempt(lambda: store.discard_mark_draft(doc_id, index, reviewer=reviewer))
    if mark is not None or saved is not None:
        version = saved.version if saved is not None else None
        push(taken, Undoable("add" if mark else "correct", doc_id, index, mark, version))


@uninterrupted
def add_error(
    store: ReviewStore, doc_id: str, index: int, reviewer: str, slot: Slot = DOCUMENT_SLOT
) -> None:
    """The "Mark by typing" form: the words found, category and severity from its boxes."""
    pending = st.session_state.get(PENDING)
    if not pending or tuple(pending[:2]) != (doc_id, index):
        flash("warning", "find the words to mark first")
        return
    state = st.session_state
    choice = {
        "category": state[slot.key("new_category")],
        "severity": state[slot.key("new_severity")],
        "comment": state.get(slot.key("new_comment"), ""),
    }

    taken = undo_stack()

    def run() -> str:
        mark = _add(store, doc_id, index, (pending[2], pending[3]), choice, reviewer)
        push(taken, Undoable("add", doc_id, index, mark))
        state.pop(PENDING, None)
        state[slot.key("new_comment")] = ""
        return _marked(mark)

    guarded(run)


@uninterrupted
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


@uninterrupted
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


def _save(
    store: ReviewStore, doc_id: str, index: int, text: str, reviewer: str
) -> Correction | None:
    """The correction saved, or None (a conflict, kept as a draft; another error: told)."""
    # Every read and write of st.session_state is a point where Streamlit may stop a
    # callback for a newer rerun request (a draft sent with Ctrl+S, a fragment's timer);
    # the callbacks that call this run `uninterrupted`, and besides, should one not, the
    # session's containers are taken before the store writes, and the new base and
    # the message are put in them without going through st.session_state: a stop cannot
    # lose the base (the next save would conflict with the reviewer's own) or the toast.
    state = st.session_state
    messages: list[tuple[str, str]] = state.setdefault(FLASH, [])
    bases: dict[tuple[str, int], int] = state.setdefault(BASES, {})
    base = bases.setdefault((doc_id, index), 0)
    independent = (doc_id, index) in state.get(INDEPENDENT, set())
    state.pop(CONFLICT, None)
    try:
        saved = store.save_correction(
            doc_id, index, text, expected_version=base, reviewer=reviewer, independent=independent
        )
    except ConflictError as exc:
        _keep(lambda: store.save_draft(doc_id, index, text, base_version=base, reviewer=reviewer))
        state[CONFLICT] = {
            "segment": (doc_id, index),
            "theirs": exc.current_text,
            "version": exc.current_version,
            "mine": text,
        }
        flash(
            "error",
            f"segment {index + 1} was saved by someone else first (version "
            f"{exc.current_version}); their text is shown under the correction box",
        )
        return None
    except MTReviewError as exc:
        flash("error", str(exc))
        return None
    bases[(doc_id, index)] = saved.version
    flash("success", f"correction saved (version {saved.version})", messages)
    return saved


def _keep(draft_action: Callable[[], object]) -> None:
    """A draft kept or dropped beside a save: its failure is told, the save stands."""
    try:
        draft_action()
    except MTReviewError as exc:
        flash("error", f"the draft: {exc}")


@uninterrupted
def save_correction(store: ReviewStore, doc_id: str, index: int, text: str, reviewer: str) -> None:
    taken = undo_stack()
    saved = _save(store, doc_id, index, text, reviewer)
    if saved is not None:
        push(taken, Undoable("correct", doc_id, index, version=saved.version))


@uninterrupted
def take_theirs(store: ReviewStore, doc_id: str, index: int, reviewer: str) -> None:
    """Give up this reviewer's text (and its draft) for the version saved first."""
    conflict: dict[str, Any] = st.session_state.pop(CONFLICT, {}) or {}
    if conflict:
        set_base(doc_id, index, int(conflict["version"]))
        _keep(lambda: store.discard_draft(doc_id, index, reviewer=reviewer))


@uninterrupted
def mark_reviewed(store: ReviewStore, doc_id: str, index: int, reviewer: str) -> None:
    def run() -> str:
        store.mark_reviewed(doc_id, index, reviewer=reviewer)
        return f"segment {index + 1} marked reviewed"

    guarded(run)
