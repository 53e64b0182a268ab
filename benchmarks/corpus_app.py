"""A big review store, reviewed in the real app: server time of each action, percentiles.

Fills an SQLite store with 100,000 segments (200 documents of 500; real French text from
the gettext catalogues under /usr/share/locale, English source; analyses with back-
translation, round trip, metrics, 20 token log-probabilities and 0-3 pre-highlights each;
a few hundred segments already reviewed), times the store queries behind the corpus view,
then starts `streamlit run app.py` on it and drives Debian's Chromium through Playwright:
open the app (the corpus view) ten times, then again and again open the riskiest segment
of the queue, select words, mark the error, save a correction, go to the next in the queue
and back to the queue. The app logs each of its script runs (`MTREVIEW_TIMING_LOG`: wall
and CPU time); an action's server time is the sum of the runs it caused. Prints p50/p95/max
per action: wall time, CPU time of the script thread, and click-to-result in the browser.

.venv/bin/python benchmarks/corpus_app.py [--segments 100000] [--documents 200] [--rounds 25]
"""

from __future__ import annotations

import argparse
import gettext
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import work_dir

from mtreview.analysis import SegmentAnalysis
from mtreview.backends.base import ScoredText, TokenScore
from mtreview.documents import Document, Segment
from mtreview.flags import Flag
from mtreview.metrics import MetricScore
from mtreview.store import QueueFilter, ReviewStore
from mtreview.store.schema import SCHEMA_VERSION
from mtreview.store.schema import segments as segments_table
from mtreview.testing.browser import CHROMIUM, CHROMIUM_ARGS, only, settle, streamlit_app

ORIGINS = ("rule:spacing", "rule:repeated_words", "grammar", "model", "rule:non_french")
CATEGORIES = ("Fluency/Punctuation", "Accuracy/Mistranslation", "Fluency/Grammar", "Style/Awkward")
SIGNATURE = "chrF2|nc:6|nw:0|space:no|version:2.5.1"


# --- the store --------------------------------------------------------------------------------
def catalogue_pairs() -> list[tuple[str, str]]:
    """(English, French) messages of the installed gettext catalogues: real translations."""
    pairs: dict[str, str] = {}
    for path in sorted(Path("/usr/share/locale").glob("fr*/LC_MESSAGES/*.mo")):
        try:
            with path.open("rb") as handle:
                catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        except (OSError, gettext.error, UnicodeDecodeError):
            continue
        for key, value in catalog.items():
            english = key[0] if isinstance(key, tuple) else key
            if isinstance(english, str) and english and 20 <= len(value) <= 300:
                text = " ".join(value.split())
                pairs.setdefault(" ".join(english.split()), text)
    if len(pairs) < 100:  # no catalogues here: made-up sentences, same shape
        return [
            (f"Sentence {n}.", f"La phrase numéro {n} du corpus, assez longue.") for n in range(999)
        ]
    return sorted(pairs.items())


def analysis(segment: Segment, rng: random.Random) -> SegmentAnalysis:
    words = segment.text.split()
    tokens, cursor = [], 0
    for word in words[:20]:
        start = segment.text.index(word, cursor)
        cursor = start + len(word)
        tokens.append(TokenScore("▁" + word, start, cursor, -rng.random() * 9))
    tokens.append(TokenScore("</s>", len(segment.text), len(segment.text), -0.1))
    flags = []
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        start = rng.randrange(max(1, len(segment.text) - 4))
        label = (rng.choice(CATEGORIES), rng.choice(("minor", "major")))
        flags.append(Flag(start, start + 3, *label, (rng.choice(ORIGINS),), "benchmark flag"))
    chrf = rng.uniform(20, 100)
    return SegmentAnalysis(
        segment=segment,
        back_translation=segment.source,
        round_trip=segment.text[::-1],
        metrics={"chrf": MetricScore("chrf", chrf, SIGNATURE)},
        return_score=ScoredText(tuple(tokens), sum(t.logprob for t in tokens) / len(tokens)),
        flags=tuple(sorted(flags, key=lambda f: (f.start, f.end))),
        risk=round(rng.random() ** 2, 4),
    )


def fill(db: Path, segments: int, documents: int) -> None:
    pairs = catalogue_pairs()
    rng = random.Random(10)
    per_doc = segments // documents
    with ReviewStore(db) as store:
        for d in range(documents):
            doc_id = f"doc{d:05d}"
            texts = [pairs[(d * per_doc + n) % len(pairs)] for n in range(per_doc)]
            original = "\n".join(fr for _en, fr in texts)
            segs, start = [], 0
            for n, (en, fr) in enumerate(texts):
                segs.append(
                    Segment(doc_id, n, n, start, start + len(fr), fr, source=en, line=n + 2)
                )
                start += len(fr) + 1
            document = Document(doc_id, f"{doc_id}.tsv", original, tuple(segs), "fr", "en", "tsv")
            store.add_document(document, [analysis(s, rng) for s in segs], info={"models": "bench"})
            for n in rng.sample(range(per_doc), 3):  # a few reviews everywhere
                store.mark_reviewed(doc_id, n, reviewer="zoé")
                store.add_annotation(
                    doc_id, n, 0, 2, category="Fluency/Grammar", severity="minor", reviewer="zoé"
                )
            if d % 20 == 0:
                print(f"  filled {d + 1}/{documents} documents", file=sys.stderr)


def store_for(segments: int, documents: int) -> Path:
    """The benchmark store, built once per size and schema (kept under the cache dir)."""
    shape = zlib.crc32(" ".join(segments_table.c.keys()).encode())  # the row as it is now
    db = work_dir() / f"corpus-s{SCHEMA_VERSION}-{shape:08x}-{segments}-{documents}.db"
    if not db.is_file():
        db.parent.mkdir(parents=True, exist_ok=True)
        partial = db.with_suffix(".partial.db")
        partial.unlink(missing_ok=True)
        started = time.perf_counter()
        fill(partial, segments, documents)
        partial.rename(db)
        print(f"filled {db} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return db


# --- store queries ----------------------------------------------------------------------------
def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": statistics.median(ordered), "p95": p95, "max": ordered[-1], "n": len(ordered)}


def time_queries(db: Path, repeat: int = 15) -> dict[str, dict[str, float]]:
    with ReviewStore(db) as store:
        first = store.corpus_queue(limit=1)[0]
        cases: dict[str, Callable[[], Any]] = {
            "overview (every document)": store.corpus_overview,
            "queue page 1": lambda: store.corpus_queue(QueueFilter(), limit=25),
            "queue page 200": lambda: store.corpus_queue(QueueFilter(), offset=199 * 25, limit=25),
            "queue count": lambda: store.corpus_count(QueueFilter()),
            "queue, origin grammar": lambda: store.corpus_queue(QueueFilter(origin="grammar")),
            "queue, category + severity": lambda: store.corpus_queue(
                QueueFilter(category="Style/Awkward", severity="major")
            ),
            "queue, reviewer zoé, reviewed": lambda: store.corpus_queue(
                QueueFilter(reviewer="zoé", status="reviewed")
            ),
            "next in queue": lambda: store.corpus_after(QueueFilter(), first),
            "segment in context": lambda: store.context(first.doc_id, first.index),
            "filter choices": store.filter_choices,
        }
        results = {}
        for name, call in cases.items():
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                call()
                times.append(time.perf_counter() - started)
            results[name] = percentiles(times)
    return results


# --- the app in Chromium ----------------------------------------------------------------------
class Recorder:
    """Server time of an action: the app's script runs it caused, summed."""

    def __init__(self, timings: Path) -> None:
        self.timings = timings
        self.server: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}
        self.browser: dict[str, list[float]] = {}
        self.runs: dict[str, list[int]] = {}  # script runs an action caused

    def _runs(self) -> list[dict[str, Any]]:
        if not self.timings.is_file():
            return []
        return [json.loads(line) for line in self.timings.read_text().splitlines() if line]

    def settle(self, before: int) -> list[dict[str, Any]]:
        """Wait until no new run has started for half a second; the runs since `before`."""
        seen, quiet = len(self._runs()), time.monotonic()
        while time.monotonic() - quiet < 0.5:
            time.sleep(0.05)
            now = len(self._runs())
            if now != seen:
                seen, quiet = now, time.monotonic()
        return self._runs()[before:]

    def measure(self, name: str, act: Callable[[], None], done: Callable[[], None]) -> None:
        before = len(self._runs())
        started = time.perf_counter()
        act()
        done()
        self.browser.setdefault(name, []).append(time.perf_counter() - started)
        runs = self.settle(before)
        self.server.setdefault(name, []).append(sum(run["seconds"] for run in runs))
        self.cpu.setdefault(name, []).append(sum(run["cpu"] for run in runs))
        self.runs.setdefault(name, []).append(len(runs))


def queue_button(page: Any) -> Any:
    """The first "Open" of the queue (its buttons are keyed queue_open_<row>)."""
    return page.locator("[class*='st-key-queue_open_'] button").first


def segment_header(page: Any) -> Any:
    return page.locator("h3").filter(has_text="Segment ").first


def open_text(page: Any, store: ReviewStore) -> str:
    """The open segment's text, from the store (the caption says which one it is)."""
    caption = page.get_by_text(re.compile(r"^doc\d+ · segment \d+ of \d+$")).first.inner_text()
    doc, where = caption.split(" · ")
    return store.segment(doc, int(where.split()[1]) - 1).text


def review_one(page: Any, recorder: Recorder, store: ReviewStore) -> None:
    """Select a word (the keyboard's way, "Mark by typing the words": the mouse's picker
    costs no server run until its Enter), mark it, correct the segment, go to the next one
    in the queue (the correction took the open one out of it)."""
    text = open_text(page, store)
    word = max(text.split(), key=len)
    if not page.get_by_label("Words in the segment").is_visible():
        page.get_by_text("Mark by typing the words").click()

    def select() -> None:
        settle(page)
        page.get_by_label("Words in the segment").fill(word)
        page.get_by_role("button", name="Find them").click()

    def correct() -> None:
        settle(page)  # a box filled while a run redraws it would get its old text back
        only(page, "textarea[aria-label='Corrected segment']").fill(text + " (corrigé)")
        only(page, ".mtr-box-save").click()

    found = page.get_by_text("Found (characters")
    recorder.measure("select words", select, lambda: found.wait_for())
    recorder.measure(
        "mark an error",
        lambda: only(page, ".st-key-add_error button").click(),
        lambda: page.get_by_text("marked “").wait_for(),
    )
    recorder.measure(
        "save a correction",
        correct,
        lambda: page.get_by_text("correction saved (version").wait_for(),
    )
    current = segment_header(page).inner_text()
    recorder.measure(
        "next in the queue",
        lambda: only(page, ".st-key-corpus_next button").click(),
        lambda: page.wait_for_function(
            "(old) => { const h = [...document.querySelectorAll('h3')]"
            ".find(e => e.textContent.startsWith('Segment ')); return h && "
            "h.textContent !== old; }",
            arg=current,
        ),
    )


def drive(db: Path, rounds: int, opens: int = 10) -> dict[str, dict[str, dict[str, float]]]:
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="mtreview-bench-"))
    timings = folder / "timings.jsonl"
    recorder = Recorder(timings)
    env = {"MTREVIEW_TIMING_LOG": str(timings), "MTREVIEW_USE_MODELS": "false"}
    server = streamlit_app(db, folder / "streamlit.log", **env)
    with ReviewStore(db) as store:
        store.set_local_user("bench")  # the local store's one user
    with server as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.set_default_timeout(120_000)
        for attempt in range(opens + 1):  # the first open also imports everything: cold
            name = "open the app (cold)" if attempt == 0 else "open the app"
            recorder.measure(
                name,
                lambda: page.goto(url),
                lambda: queue_button(page).wait_for(),
            )
        with ReviewStore(db) as store:
            for _ in range(rounds):
                recorder.measure(
                    "open a segment from the queue",
                    lambda: queue_button(page).click(),
                    lambda: segment_header(page).wait_for(),
                )
                review_one(page, recorder, store)
                recorder.measure(
                    "back to the queue",
                    lambda: only(page, ".st-key-corpus_back button").click(),
                    lambda: queue_button(page).wait_for(),
                )
        browser.close()
    return {
        kind: {name: percentiles(values) for name, values in found.items()}
        for kind, found in (
            ("server", recorder.server),
            ("cpu", recorder.cpu),
            ("browser", recorder.browser),
        )
    }


def table(title: str, results: dict[str, dict[str, float]]) -> str:
    lines = [title, f"{'':<34} {'p50':>8} {'p95':>8} {'max':>8} {'n':>4}"]
    for name, value in results.items():
        lines.append(
            f"{name:<34} {value['p50'] * 1000:7.0f}ms {value['p95'] * 1000:7.0f}ms "
            f"{value['max'] * 1000:7.0f}ms {value['n']:>4.0f}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=25, help="segments reviewed in the app")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    db = store_for(args.segments, args.documents)
    with ReviewStore(db) as store:
        count = sum(d.segments for d in store.corpus_overview())
    print(f"store: {db} ({count} segments, {db.stat().st_size / 1e6:.0f} MB)")
    queries = time_queries(db)
    print(table("store queries", queries))
    app_times = drive(db, args.rounds)
    print(table("server time per action (wall time of the app's script runs)", app_times["server"]))
    print(table("CPU time of those runs (the script thread)", app_times["cpu"]))
    print(table("in the browser (click to result shown)", app_times["browser"]))
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.json:
        report = {"segments": count, "queries": queries, **app_times}
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
