"""Links into the app: `?doc=ID&segment=N` opens that row (what `mtreview compare` links to).

`ID` is a compared document (its id without `@SYSTEM`: the comparison view at that source
row) or any document (the document view at that segment); `N` counts from 0, as the
records' `segment_id`. A link is followed once per session and value, so the reviewer can
move on from where it led; a link to what does not exist, or is not the reviewer's, is
said in a toast and changes nothing.

The page keeps its own URL such a link (`keep_position`): every run of the document view
writes the open document and segment into it (and of the comparison view, the compared
document and row), so a reload, a new session, reopens them, with the page of a long
document that holds the segment. The corpus view takes them out (a reload opens the corpus
again). A value the session wrote itself is never followed: each script run gets the URL
the browser had when it asked for the run, which may be from before the last move (a
click right after another), and following it would move the reviewer back. (So the
browser's Back changes the URL, not the segment.)
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from mtreview.store import Comparison, ReviewStore
from mtreview.ui import actions, team
from mtreview.ui.compare import BASE, ROW
from mtreview.ui.corpus import COMPARISON, DOCUMENT, VIEW

FOLLOWED = "link_followed"  # the (doc, segment) of the link already followed
WRITTEN = "link_written"  # the (doc, segment) values this session wrote into the URL
WRITTEN_KEPT = 1_000  # of them, remembered (a session that moved more forgets the oldest)


def follow_link(
    store: ReviewStore, comparisons: Sequence[Comparison], scope: team.Scope | None
) -> None:
    """Open what the page's link names, before the view is chosen."""
    doc, segment = st.query_params.get("doc"), st.query_params.get("segment", "0")
    if doc is None or st.session_state.get(FOLLOWED) == (doc, segment):
        return
    if (doc, segment) in st.session_state.get(WRITTEN, {}):
        return  # the page's own, from before its last move: not a link
    st.session_state[FOLLOWED] = (doc, segment)
    index = int(segment) if segment.isascii() and segment.isdigit() else -1
    if index < 0:
        actions.flash("warning", f"link: segment {segment!r} is not a segment number")
        return
    comparison = next((c for c in comparisons if c.base == doc), None)
    if comparison is not None:
        mine = scope is None or any(index in scope.get(d, ()) for d in comparison.doc_ids)
        if index >= comparison.rows or not mine:
            actions.flash("warning", f"link: no row {index} of {doc!r} for you")
            return
        st.session_state.update({VIEW: COMPARISON, BASE: doc, ROW: index + 1})
        return
    known = {info.doc_id: info.segments for info in store.documents()}
    mine = scope is None or index in scope.get(doc, ())
    if doc not in known or index >= known[doc] or not mine:
        actions.flash("warning", f"link: no segment {index} of document {doc!r} for you")
        return
    st.session_state.update({VIEW: DOCUMENT, "doc_id": doc, "current": index})


def keep_position(doc: str | None, segment: int = 0) -> None:
    """The URL names `doc` and `segment` (`doc` None: neither), as a link the page has
    followed; written only when it changes (each change is a step of the browser's
    history)."""
    wanted = {"doc": doc, "segment": None if doc is None else str(segment)}
    if {name: st.query_params.get(name) for name in wanted} != wanted:
        if doc is None:
            for name in wanted:
                st.query_params.pop(name, None)
        else:
            st.query_params.update({"doc": doc, "segment": str(segment)})
    st.session_state[FOLLOWED] = (doc, str(segment))
    if doc is not None:
        written: dict[tuple[str, str], None] = st.session_state.setdefault(WRITTEN, {})
        written[(doc, str(segment))] = None  # (a dict keeps them in the order written)
        for old in list(written)[:-WRITTEN_KEPT]:
            del written[old]


def keep_comparison_position() -> None:
    """The comparison view's compared document and row (`?doc=BASE&segment=ROW-1`)."""
    base, row = st.session_state.get(BASE), st.session_state.get(ROW)
    if isinstance(base, str) and isinstance(row, int) and row >= 1:
        keep_position(base, row - 1)
