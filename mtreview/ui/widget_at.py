"""Widgets drawn anew for what is open: the view switch for each view, the document list
for each document, the segment list and "Go to segment" for each segment, the comparison's
row box for each row. Each callback acts only while what its widget was drawn for is still
open.

A rerun request carries the browser's copy of the widget states, which takes in a value the
script gave a widget a render or two after the page is drawn. Under load, a request sent in
between (the correction box of a segment just opened sending a draft as it mounts, a click
on what the page still shows) carries the old value, and Streamlit reads it as the user's
choice: the move, the new document, the switch of view was undone. A new widget alone does
not help: Streamlit keeps a widget's callback after it is gone and calls it when an old
value arrives; so each callback is told what its widget was drawn for (`args`), and checks
it against the session state that says what is open (`still_open`).
"""

from __future__ import annotations

import streamlit as st


def key_at(stem: str, drawn: object) -> str:
    """The key of widget `stem` as drawn while `drawn` is open."""
    return f"{stem}_{drawn}"


def still_open(state: str, drawn: object) -> bool:
    """Whether session state `state` still holds what a widget was drawn for: else its
    value is one the browser had before the page moved on, not a choice."""
    return bool(st.session_state.get(state) == drawn)
