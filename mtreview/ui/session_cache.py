"""What a session reads of the store's layout (documents, a reviewer's scope, the
comparisons) kept from one run to the next, until the store's layout counter moves
(`ReviewStore.layout_version`: every process on the store bumps it when it changes
documents, their segments or assignments). A run reads the counter once, in its one read
transaction, instead of each of these queries.

The values are kept per session and per identity (a sign-in as someone else starts
afresh), and only what that identity was allowed to read is in them: every call that
reveals review work still goes to the store with the principal.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import streamlit as st

from mtreview.store import ReviewStore

KEY = "layout_cache"  # session key: (identity, layout version, {what: value})
T = TypeVar("T")


def start(store: ReviewStore, who: tuple[str, str]) -> None:
    """At the start of a run (`who`: the identity's name and role): the layout counter
    read, what was kept for an older layout or another identity dropped."""
    version = store.layout_version()
    kept = st.session_state.get(KEY)
    if not (isinstance(kept, tuple) and kept[0] == who and kept[1] == version):
        st.session_state[KEY] = (who, version, {})


def cached(store: ReviewStore, what: Hashable, read: Callable[[], T]) -> T:
    """`read()` once per layout; again after a layout change this process made since the
    run began (an import, an assignment)."""
    kept = st.session_state.get(KEY)
    if not isinstance(kept, tuple):
        return read()
    who, version, values = kept
    if store.layout_writes != version[1]:  # changed here since the counter was read
        version = (version[0], store.layout_writes)
        values = {}
        st.session_state[KEY] = (who, version, values)
    if what not in values:
        values[what] = read()
    found: T = values[what]
    return found
