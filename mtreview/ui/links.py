"""Links into the app: `?doc=ID&segment=N` opens that row (what `mtreview compare` links to).

`ID` is a compared document (its id without `@SYSTEM`: the comparison view at that source
row) or any document (the document view at that segment); `N` counts from 0, as the
records' `segment_id`. A link is followed once per session and value, so the reviewer can
move on from where it led; a link to what does not exist, or is not the reviewer's, is
said in a toast and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from mtreview.store import Comparison, ReviewStore
from mtreview.ui import actions, team
from mtreview.ui.compare import BASE, ROW
from mtreview.ui.corpus import COMPARISON, DOCUMENT

FOLLOWED = "link_followed"  # the (doc, segment) of the link already followed


def follow_link(
    store: ReviewStore, comparisons: Sequence[Comparison], scope: team.Scope | None
) -> None:
    """Open what the page's link names, before the view is chosen."""
    doc, segment = st.query_params.get("doc"), st.query_params.get("segment", "0")
    if doc is None or st.session_state.get(FOLLOWED) == (doc, segment):
        return
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
        st.session_state.update({"view": COMPARISON, BASE: doc, ROW: index + 1})
        return
    known = {info.doc_id: info.segments for info in store.documents()}
    mine = scope is None or index in scope.get(doc, ())
    if doc not in known or index >= known[doc] or not mine:
        actions.flash("warning", f"link: no segment {index} of document {doc!r} for you")
        return
    st.session_state.update({"view": DOCUMENT, "doc_id": doc, "current": index})
    st.session_state.pop("doc_pick", None)
