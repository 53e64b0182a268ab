"""Callbacks that run to their end.

Streamlit looks for a newer rerun request at every use of `st.session_state`, inside
widget callbacks too, and stops the run there. A request that comes while a callback writes
to the store (a busy store's lock, a slow disk; "Next" clicked right after "Add error")
then stops it after the write and before the session learns of it: the error stored, but
its message, its undo and the end of the form lost (a second click adds it again). With
Streamlit's fast reruns it was worse: the newer request started a second run beside the
first, which drew the page before the error was stored. So the server hands a newer
request to the run under way (`runner.fastReruns` off, `mtreview.ui.gate`), and a callback
wrapped in `uninterrupted` takes it only once it has returned, as Streamlit takes one that
comes between two callbacks: the newer request runs next and sees all the callback did.

This reaches into Streamlit's session state (`_yield_callback`; Streamlit 1.67 is pinned).
Without it a callback runs as before, and `tests/test_app_flow.py` fails.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

P = ParamSpec("P")
_HOOK = "_yield_callback"  # SafeSessionState's check for a newer request, at every use


def _no_check() -> None:
    return None


def uninterrupted(callback: Callable[P, None]) -> Callable[P, None]:
    """`callback`, with no stop for a newer request until it has returned."""

    @functools.wraps(callback)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        ctx = get_script_run_ctx(suppress_warning=True)
        state = ctx.session_state if ctx is not None else None
        check = getattr(state, _HOOK, None)
        if check is None or check is _no_check:  # no session, or already inside one
            callback(*args, **kwargs)
            return
        object.__setattr__(state, _HOOK, _no_check)
        try:
            callback(*args, **kwargs)
        finally:
            object.__setattr__(state, _HOOK, check)
        check()  # a request that came meanwhile: taken now, as between two callbacks

    return run
