"""Drafts, measured (issue 13): is any typed correction lost, and what does keeping it cost?

.venv/bin/python benchmarks/drafts.py            # 20 tries of each way to leave, ~3 minutes
.venv/bin/python benchmarks/drafts.py --tries 5

A reviewer types a few words at the end of a segment's correction box in Chromium and
leaves at once, four ways: a click on another segment, a reload, Ctrl+S, or a pause with
no click at all. Each try is then checked in the store: the draft (or, for Ctrl+S, the
saved version) must hold exactly what was typed, and a save must leave no draft. Before
drafts, every one of the first three lost the text unless it was saved. Then the picker
(issue 24): a word dragged, a severity, a fix typed in its Correction field, and at once a
click on another segment or a reload; the store must hold the fix as the reviewer's draft
of that error (before, both lost it). Also printed: the wait from a pause in typing to
"Draft kept" (the pause itself is 1.5 s) and the script run that keeping a draft costs.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mtreview.store import ReviewStore
from mtreview.testing.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_app
from mtreview.testing.reviewer import RUN_LOG, ScriptedReviewer

BOX = "textarea[aria-label='Corrected segment']"
REVIEWER = "Bench"
SEGMENTS = (5, 6, 7, 8, 9, 10, 11, 12)  # 1-based, on the shipped article's first page
KEPT = "() => document.querySelector('.mtr-draft-note')?.textContent.startsWith('Draft kept')"


class Session:
    def __init__(self, page: Any, url: str, db: Path) -> None:
        self.page, self.url, self.db = page, url, db
        page.on("dialog", lambda dialog: dialog.accept())  # the reload's "leave site?"
        self.start()

    def start(self) -> None:
        self.page.goto(self.url)
        self.page.wait_for_selector(".mtr-segment")
        self.person = ScriptedReviewer(self.page)
        self.person.idle()

    def open(self, number: int) -> None:
        self.page.locator(f'.mtr-seg[data-index="{number - 1}"]').click()
        self.page.get_by_role("heading", name=f"Segment {number} of").wait_for()
        self.person.idle()

    def type_at_end(self, text: str) -> str:
        area = self.page.locator(BOX)
        area.click()
        area.press("Control+End")
        area.type(text)
        return str(area.input_value())

    def stored(self, number: int) -> tuple[str | None, str]:
        """(draft, latest saved text) of segment `number`."""
        with ReviewStore(self.db) as store:
            doc_id = store.documents()[0].doc_id
            draft = store.draft(doc_id, number - 1, reviewer=REVIEWER)
            return (draft.text if draft else None), store.segment(doc_id, number - 1).current_text

    def arrives(self, number: int, wanted: tuple[str | None, str | None]) -> bool:
        """Whether the store comes to hold `wanted` (draft, saved text; None for the saved
        text: any) within 10 s, and still holds it a second later."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            draft, saved = self.stored(number)
            if draft == wanted[0] and wanted[1] in (None, saved):
                time.sleep(1)
                return self.stored(number)[0] == wanted[0]
            time.sleep(0.2)
        return False


def _click_away(session: Session, number: int, typed: str) -> bool:
    session.open(SEGMENTS[(SEGMENTS.index(number) + 1) % len(SEGMENTS)])
    return session.arrives(number, (typed, None))


def _reload(session: Session, number: int, typed: str) -> bool:
    session.page.reload()
    session.start()
    return session.arrives(number, (typed, None))


def _ctrl_s(session: Session, number: int, typed: str) -> bool:
    session.page.keyboard.press("Control+s")
    session.person.idle()
    return session.arrives(number, (None, typed))


def _pause(session: Session, number: int, typed: str) -> bool:
    return session.arrives(number, (typed, None))


def _picker_fix(session: Session, number: int, attempt: int) -> str:
    """A word of segment `number` dragged, severity 1, a fix typed in the picker: the fix."""
    with ReviewStore(session.db) as store:
        doc_id = store.documents()[0].doc_id
        text = store.segment(doc_id, number - 1).text
    word = re.findall(r"\w{5,}", text)[attempt % 3]
    session.person.drag(word)
    session.page.locator(".mtr-picker .mtr-fix").wait_for()
    session.page.keyboard.press("1")  # the cursor goes to the Correction field
    fix = f"{word[:3]}-{attempt}"
    session.page.keyboard.type(fix)
    return fix


def _picker_kept(session: Session, number: int, fix: str) -> bool:
    """Whether the store comes to hold `fix` as the picker's draft of segment `number`
    (within 10 s); the draft is then given up, as a reviewer does (Cancel in a picker still
    open, which the page reopened after a reload), for the next try."""
    deadline = time.monotonic() + 10
    with ReviewStore(session.db) as store:
        doc_id = store.documents()[0].doc_id
        kept = None
        while kept is None and time.monotonic() < deadline:
            draft = store.mark_draft(doc_id, number - 1, reviewer=REVIEWER)
            kept = draft if draft is not None and draft.fix == fix else None
            time.sleep(0.2)
        cancel = session.page.locator(".mtr-picker .mtr-cancel")
        if cancel.count():
            cancel.click()
            session.person.idle()
        while (
            store.mark_draft(doc_id, number - 1, reviewer=REVIEWER) and time.monotonic() < deadline
        ):
            time.sleep(0.2)
        store.discard_mark_draft(doc_id, number - 1, reviewer=REVIEWER)
    return kept is not None


PICKER_WAYS: dict[str, Callable[[Session, int], None]] = {
    "picker, click away": lambda s, n: s.open(SEGMENTS[(SEGMENTS.index(n) + 1) % len(SEGMENTS)]),
    "picker, reload": lambda s, _n: (s.page.reload(), s.start()),
}


WAYS: dict[str, Callable[[Session, int, str], bool]] = {
    "click another segment": _click_away,
    "reload": _reload,
    "Ctrl+S": _ctrl_s,
    "pause, no click": _pause,
}


def _pause_costs(session: Session, tries: int) -> tuple[list[float], list[float]]:
    """Seconds from the last key to "Draft kept", and of the script run that kept it."""
    waits, runs = [], []
    session.open(SEGMENTS[0])
    for number in range(tries):
        session.page.evaluate(RUN_LOG)
        session.type_at_end(f" p{number}")
        typed_at = session.page.evaluate("performance.now()")
        session.page.wait_for_function(KEPT)
        kept_at = session.page.evaluate("performance.now()")
        log = session.page.evaluate("window.__runLog")
        started = [e["t"] for e in log if e["t"] > typed_at and e["state"] == "running"]
        waits.append((kept_at - typed_at) / 1000)
        if started:
            ended = [e["t"] for e in log if e["t"] > started[0] and e["state"] == "notRunning"]
            runs.extend((ended[0] - started[0]) / 1000 for _ in ended[:1])
        session.page.locator(".mtr-draft-discard").click()
        session.page.wait_for_function(f"() => !({KEPT})()")
    return waits, runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="mtreview-drafts-") as folder,
        streamlit_app(
            Path(folder) / "review.db", Path(folder) / "streamlit.log", MTREVIEW_REVIEWER=REVIEWER
        ) as url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1500, "height": 1100}).new_page()
        page.set_default_timeout(60_000)
        session = Session(page, url, Path(folder) / "review.db")
        for way, leave in WAYS.items():
            kept = 0
            for attempt in range(args.tries):
                number = SEGMENTS[attempt % len(SEGMENTS)]
                session.open(number)
                typed = session.type_at_end(f" {way[:5]}{attempt}")
                kept += leave(session, number, typed)
            print(f"{way:>22}: {kept}/{args.tries} kept, {args.tries - kept} lost", flush=True)
        for way, go in PICKER_WAYS.items():
            kept = 0
            for attempt in range(args.tries):
                number = SEGMENTS[attempt % len(SEGMENTS)]
                session.page.goto(session.url)  # a fresh page: no picker left open
                session.start()
                session.open(number)
                fix = _picker_fix(session, number, attempt)
                go(session, number)
                kept += _picker_kept(session, number, fix)
            print(f"{way:>22}: {kept}/{args.tries} kept, {args.tries - kept} lost", flush=True)
        session.page.goto(session.url)  # the last picker, its draft given up, gone too
        session.start()
        waits, runs = _pause_costs(session, max(3, args.tries // 4))
        print(
            f"pause to 'Draft kept': median {statistics.median(waits):.2f} s (1.5 s of it the "
            f"pause); the run keeping it: median {statistics.median(runs):.2f} s"
        )
        browser.close()


if __name__ == "__main__":
    main()
