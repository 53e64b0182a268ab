"""A scripted reviewer: enters a fixed set of MQM errors with corrections into the shipped
article through the real app in Chromium, as a careful person would, and counts what it
took (issue 15's measure; `tests/test_app_flow.py` and `benchmarks/review_flow.py`).

Every mouse click, drag, key press and scroll is an action; the characters of the typed
corrections are not. Server time is measured in the page: from the action to the end of
the script run it started (Streamlit's `data-test-script-state`).
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HEADER_PX = 60  # Streamlit's fixed header covers the top of the page
REVIEWER_ENV = {"MTREVIEW_REVIEWER": "Scripted reviewer"}  # for `browser.streamlit_app`


@dataclasses.dataclass(frozen=True)
class PlannedError:
    """One error to enter: the words (unique in the segment) and what replaces them."""

    segment: int  # 1-based, as people count
    words: str
    category: str
    severity: str
    fix: str


ARTICLE_ERRORS: tuple[PlannedError, ...] = (
    PlannedError(1, "est endommagée", "Accuracy/Mistranslation", "major", "nuit"),
    PlannedError(
        6,
        "non gouvernementales non gouvernementales",
        "Accuracy/Addition",
        "minor",
        "non gouvernementales",
    ),
    PlannedError(
        6,
        "à être exposées de plus en plus de la pression",
        "Fluency/Grammar",
        "major",
        "à subir de plus en plus la pression",
    ),
    PlannedError(6, "condamnés", "Fluency/Grammar", "minor", "condamnées"),
    PlannedError(
        7, "de grandes quantités", "Accuracy/Mistranslation", "major", "de lourdes amendes"
    ),
    PlannedError(8, "a déclaré la déclaration", "Style/Awkward", "minor", "indique la déclaration"),
    PlannedError(9, "sont endommagées à", "Fluency/Grammar", "major", "nuisent à"),
    PlannedError(10, "assure", "Fluency/Grammar", "minor", "assurent"),
    PlannedError(11, "mais également des dommages à", "Fluency/Grammar", "major", "mais nuisent"),
    PlannedError(11, "la déclaration est notée", "Style/Awkward", "minor", "note la déclaration"),
    PlannedError(12, "kazakhstani", "Terminology/Inappropriate", "minor", "kazakhstanaises"),
    PlannedError(14, "Rappel du 30 novembre", "Accuracy/Mistranslation", "major", "Le 30 novembre"),
    PlannedError(18, "CMBCP", "Terminology/Inconsistent", "minor", "KMBC"),
    PlannedError(18, "Mazhilis", "Terminology/Inconsistent", "minor", "Majilis"),
)

# Page scripts. RUN_LOG records each change of Streamlit's script state with its time:
# the value a change set is the next change's old value (the attribute may have moved on
# by the time the observer runs), the last one's is the attribute as it is.
RUN_LOG = """() => {
  if (window.__runLog) return;
  window.__runLog = [];
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver((records) => {
    const t = performance.now();
    records.forEach((record, i) => {
      const state = i + 1 < records.length ? records[i + 1].oldValue
                                            : app.dataset.testScriptState;
      window.__runLog.push({state, t});
    });
  }).observe(app, {attributes: true, attributeOldValue: true,
                   attributeFilter: ['data-test-script-state']});
}"""
RUN_DONE = """(t0) => {
  const log = window.__runLog || [];
  const started = log.findIndex((e) => e.t >= t0 && e.state === 'running');
  if (started < 0) return null;
  const done = log.slice(started + 1).find((e) => e.state === 'notRunning');
  return done ? [log[started].t, done.t] : null;
}"""
# Where words of the open segment sit on screen: the left edge of the first character and
# the right edge of the last, found through the DOM's own text nodes. The argument is the
# words, or [words, a selector of the element holding the segment editor meant].
LOCATE = """(wanted) => {
  const [words, within] = Array.isArray(wanted) ? wanted : [wanted, ''];
  wanted = words;
  const root = document.querySelector(`${within} .mtr-segment`.trim());
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = []; let all = '';
  while (walker.nextNode()) {
    nodes.push([walker.currentNode, all.length]);
    all += walker.currentNode.textContent;
  }
  const at = all.indexOf(wanted);
  if (at < 0) return null;
  const locate = (pos) => {
    for (const [node, start] of nodes)
      if (pos < start + node.textContent.length) return [node, pos - start];
  };
  const rect = (pos) => {
    const [node, offset] = locate(pos);
    const range = document.createRange();
    range.setStart(node, offset);
    range.setEnd(node, offset + 1);
    return range.getBoundingClientRect();
  };
  const first = rect(at), last = rect(at + wanted.length - 1);
  return {x1: first.left + 1, y1: first.top + first.height / 2,
          x2: last.right - 1, y2: last.top + last.height / 2,
          top: Math.min(first.top, last.top), bottom: Math.max(first.bottom, last.bottom)};
}"""
# The middle of the first line of a segment in the article, and whether it is in view.
FIRST_LINE = """(index) => {
  const node = document.querySelector(`.mtr-seg[data-index="${index}"]`);
  const line = node.getClientRects()[0];
  const box = node.closest('.mtr-article').getBoundingClientRect();
  return {x: line.left + Math.min(20, line.width / 2), y: line.top + line.height / 2,
          visible: line.top >= Math.max(box.top, 60) &&
                   line.bottom <= Math.min(box.bottom, window.innerHeight)};
}"""
IN_VIEW = """([header, within]) => {
  const node = document.querySelector(`${within} .mtr-segment`.trim());
  if (!node) return false;
  const r = node.getBoundingClientRect();
  return r.top >= header && r.bottom <= window.innerHeight;
}"""


@dataclasses.dataclass
class Tally:
    clicks: int = 0
    drags: int = 0
    keys: int = 0
    scrolls: int = 0
    typed: int = 0  # characters of corrections: not actions
    server_seconds: float = 0.0  # from an action to the end of the run it started
    run_seconds: float = 0.0  # the runs alone, as the page saw them start and end
    out_of_view: int = 0  # times the open segment was not fully visible after an action

    @property
    def actions(self) -> int:
        return self.clicks + self.drags + self.keys + self.scrolls


@dataclasses.dataclass(frozen=True)
class FlowResult:
    errors: int
    tally: Tally
    wall_seconds: float
    wrong_spans: int
    missing_spans: int
    wrong_corrections: int
    page_errors: tuple[str, ...] = ()

    @property
    def actions_per_error(self) -> float:
        return self.tally.actions / self.errors

    @property
    def server_seconds_per_error(self) -> float:
        return self.tally.server_seconds / self.errors

    @property
    def seconds_per_error(self) -> float:
        return self.wall_seconds / self.errors

    def as_dict(self) -> dict[str, Any]:
        tally = dataclasses.asdict(self.tally)
        return {
            "errors": self.errors,
            **tally,
            "actions": self.tally.actions,
            "actions_per_error": round(self.actions_per_error, 2),
            "server_seconds_per_error": round(self.server_seconds_per_error, 3),
            "run_seconds_per_error": round(self.tally.run_seconds / self.errors, 3),
            "seconds_per_error": round(self.seconds_per_error, 3),
            "wrong_spans": self.wrong_spans,
            "missing_spans": self.missing_spans,
            "wrong_corrections": self.wrong_corrections,
            "page_errors": len(self.page_errors),
        }


class ScriptedReviewer:
    """Drives one Playwright page of the app; counts its own actions. `within`: a selector
    of the element holding the segment editor to use, when a page has several (the
    comparison view); it may change between actions."""

    def __init__(self, page: Any, within: str = "") -> None:
        self.page = page
        self.within = within
        self.tally = Tally()
        self.page_errors: list[str] = []  # the component's script must never fail
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    # --- measuring ---------------------------------------------------------------------
    def idle(self) -> None:
        self.page.wait_for_function(
            "() => document.querySelector('[data-testid=\"stApp\"]')"
            "?.dataset.testScriptState === 'notRunning'"
        )
        self.page.evaluate(RUN_LOG)

    def _now(self) -> float:
        return float(self.page.evaluate("performance.now()"))

    def _until_served(self, start: float) -> None:
        """Wait for the script run the last action started; count its time."""
        began, ended = self.page.wait_for_function(RUN_DONE, arg=start).json_value()
        self.tally.server_seconds += (float(ended) - start) / 1000
        self.tally.run_seconds += (float(ended) - float(began)) / 1000

    def _check_view(self) -> None:
        if not self.page.evaluate(IN_VIEW, [HEADER_PX, self.within]):
            self.tally.out_of_view += 1

    # --- actions -----------------------------------------------------------------------
    def key(self, key: str, *, reruns: bool = False) -> None:
        start = self._now()
        self.page.keyboard.press(key)
        self.tally.keys += 1
        if reruns:
            self._until_served(start)

    def open_segment(self, number: int) -> None:
        """J for the next segment, else a click on it in the article, else (on another
        page of a long document) its number in "Go to segment"."""
        current = self.current_segment()
        if number == current:
            return
        start = self._now()
        if number == current + 1:
            self.page.keyboard.press("j")
            self.tally.keys += 1
        elif not self.page.locator(f'.mtr-seg[data-index="{number - 1}"]').count():
            box = self.page.get_by_label(re.compile(r"^Go to segment"))
            box.click()
            box.fill(str(number))
            box.press("Enter")
            self.tally.clicks += 1
            self.tally.keys += 1
            box.evaluate("(e) => e.blur()")  # J and K again, not digits in the box
        else:
            where = self.page.evaluate(FIRST_LINE, number - 1)
            if not where["visible"]:
                self.page.locator(
                    f'.mtr-seg[data-index="{number - 1}"]'
                ).scroll_into_view_if_needed()
                self.tally.scrolls += 1
                where = self.page.evaluate(FIRST_LINE, number - 1)
            self.page.mouse.click(where["x"], where["y"])
            self.tally.clicks += 1
        self._until_served(start)
        self.page.get_by_text(f"Segment {number} of").wait_for()
        self._check_view()

    def current_segment(self) -> int:
        title = self.page.locator('[data-testid="stHeading"]').filter(has_text="Segment ")
        return int(title.first.inner_text().split()[1])

    def _in(self, selector: str) -> str:
        """`selector` inside the editor in use."""
        return f"{self.within} {selector}".strip()

    def drag(self, words: str) -> None:
        box = self.page.evaluate(LOCATE, [words, self.within])
        if box is None:
            raise AssertionError(f"{words!r} is not in the open segment")
        height = self.page.viewport_size["height"]
        if box["top"] < HEADER_PX or box["bottom"] > height:
            self.page.mouse.wheel(0, box["top"] - height / 3)
            self.tally.scrolls += 1
            # the page scrolls after the wheel returns, maybe over several frames: until
            # the words have moved and stay put
            before, last = box["top"], box["top"]
            for _ in range(100):
                self.page.wait_for_timeout(20)
                box = self.page.evaluate(LOCATE, [words, self.within])
                if box["top"] == last != before:
                    break
                last = box["top"]
        self.page.mouse.move(box["x1"], box["y1"])
        self.page.mouse.down()
        self.page.mouse.move(box["x2"], box["y2"], steps=10)
        self.page.mouse.up()
        self.tally.drags += 1

    def mark(self, error: PlannedError) -> None:
        """Drag the words, confirm them in the picker, pick, type the fix, Enter."""
        marks = self.page.locator(self._in(".mtr-segment .mtr-error")).count()
        self.drag(error.words)
        picker = self.page.locator(self._in(".mtr-picker"))
        picker.wait_for()
        shown = picker.locator(".mtr-quote").inner_text()
        if shown != f"«{error.words}»":
            raise AssertionError(f"the picker shows {shown}, not «{error.words}»")
        chosen = picker.locator('.mtr-cat[aria-selected="true"]').get_attribute("data-label")
        if chosen != error.category:
            option = picker.locator(f'.mtr-cat[data-label="{error.category}"] kbd')
            self.key(option.inner_text())
        severity = picker.locator(f'.mtr-sev[data-label="{error.severity}"] kbd')
        self.key(severity.inner_text())  # the cursor moves to the correction field
        self.page.keyboard.type(error.fix)
        self.tally.typed += len(error.fix)
        self.key("Enter", reruns=True)
        self.page.wait_for_function(
            "([n, within]) => document.querySelectorAll(`${within} .mtr-segment .mtr-error`)"
            ".length > n && !document.querySelector('.mtr-picker')",
            arg=[marks, self.within],
        )
        self._check_view()


def expected_corrections(texts: Sequence[str], errors: Sequence[PlannedError]) -> dict[int, str]:
    """Segment index -> its text with every planned fix applied."""
    out: dict[int, str] = {}
    for error in errors:
        index = error.segment - 1
        current = out.get(index, texts[index])
        out[index] = current.replace(error.words, error.fix, 1)
    return out


def check_store(db: Path, errors: Sequence[PlannedError]) -> tuple[int, int, int]:
    """(wrong spans, missing spans, wrong corrections) of the store against the plan."""
    from mtreview.store import ReviewStore

    with ReviewStore(db) as store:
        reviews = list(store.iter_segments())
    texts = [r.text for r in reviews]
    wanted = set()
    for error in errors:
        text = texts[error.segment - 1]
        start = text.index(error.words)
        wanted.add(
            (error.segment - 1, start, start + len(error.words), error.category, error.severity)
        )
    stored = {
        (r.index, a.start, a.end, a.category, a.severity) for r in reviews for a in r.annotations
    }
    fixes = expected_corrections(texts, errors)
    wrong_fixes = sum(reviews[i].current_text != text for i, text in fixes.items())
    return len(stored - wanted), len(wanted - stored), wrong_fixes


def run_flow(
    page: Any, url: str, db: Path, errors: Sequence[PlannedError] = ARTICLE_ERRORS
) -> FlowResult:
    """Open the app (started with its local user named, `REVIEWER_ENV`) and enter
    `errors` in segment order."""
    page.goto(url)
    page.wait_for_selector(".mtr-segment")
    reviewer = ScriptedReviewer(page)
    reviewer.idle()
    began = time.perf_counter()
    for error in sorted(errors, key=lambda e: e.segment):
        try:
            reviewer.open_segment(error.segment)
            reviewer.mark(error)
        except Exception as exc:
            raise AssertionError(f"segment {error.segment}, «{error.words}»: {exc}") from exc
    wall = time.perf_counter() - began
    wrong, missing, wrong_fixes = check_store(db, errors)
    return FlowResult(
        len(errors),
        reviewer.tally,
        wall,
        wrong,
        missing,
        wrong_fixes,
        tuple(reviewer.page_errors),
    )
