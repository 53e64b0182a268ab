"""Simulated reviewers against the real app, for the team load benchmark
(`benchmarks/team_load.py`) and its test.

The app runs as it is served (`streamlit run` of the packaged app, in its own process);
each reviewer signs in with the form (the HttpOnly cookie, as a browser gets it), opens the
app's websocket with that cookie and speaks Streamlit's protocol as the page would
(`mtreview.ui.stream_client`): it clicks a segment in the article, marks a span in the
segment component, saves a correction from the correction box, and presses "Next", with
think time between actions. Every action is one script run of its session; its server
time is from the request to the end of the run it started, measured by the client on
loopback. The server's timing log (`timing_log`) gives each run's SQL statements and
transactions (`mtreview.store.counting`); /proc gives its CPU time and memory.

At the end every acknowledged mark and correction is looked up in the store: each must be
there exactly once (`lost`, `duplicated`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import os
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from mtreview.analysis import SegmentAnalysis
from mtreview.backends.base import ScoredText, TokenScore
from mtreview.documents import Segment
from mtreview.flags import Flag
from mtreview.metrics import MetricScore
from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.store.schema import annotations_table, corrections
from mtreview.testing.browser import streamlit_process
from mtreview.testing.team import team
from mtreview.ui.stream_client import WidgetState, open_stream, read_run, request_run

PASSWORD = "load test lantern orchard"
COOKIE = "mtreview_session"
SIGN_IN = "/_mtreview/signin"
TRIGGERS = "$$STREAMLIT_INTERNAL_KEY_{}__events"  # a v2 component's events widget
ACTIONS = ("open", "mark", "correct", "next")  # one review cycle
_TABS = itertools.count(1)
MARKER = "load:"  # starts every comment and ends every correction the load writes


@dataclasses.dataclass(frozen=True)
class Plan:
    """How many reviewers, for how long, how they work. Reviewers work in pairs (the
    last of an odd number joins the pair before), each pair on a document of its own with
    `segments` segments, `shared` of them assigned to both (reviewed blind)."""

    reviewers: int = 3
    seconds: float = 10.0
    think: float = 5.0  # mean seconds between two actions of one reviewer
    segments: int = 12
    shared: int = 8
    seed: int = 1
    analyses: bool = False  # store analyses as the models would (issue 24's first screen)


@dataclasses.dataclass(frozen=True)
class Action:
    """One action as the client saw it."""

    reviewer: str
    kind: str
    seconds: float  # request to the end of its script run
    acknowledged: bool  # the run's toast said it was saved (mark, correct), or it ran
    token: str = ""  # the mark's comment or the correction's end: looked up at the end


@dataclasses.dataclass(frozen=True)
class Probe:
    """One action of one reviewer alone on the server: its exact cost."""

    kind: str
    seconds: float
    statements: int
    transactions: int


@dataclasses.dataclass(frozen=True)
class LoadReport:
    """What the benchmark writes (`as_json`)."""

    database: str
    reviewers: int
    seconds: float
    think: float
    shared: int
    actions: int
    failed: int
    p50_s: float
    p95_s: float
    max_s: float
    first_screen_s: float  # median over reviewers: sign-in form post to the first page
    first_screen_cold_s: float  # the server's first session (its page modules imported)
    server_cpu_s: float  # the server process's CPU time during the load
    cpu_s_per_action: float
    mb_base: float  # the server's memory with one warm session
    mb_per_session: float
    statements_per_action: float
    transactions_per_action: float
    probe: tuple[Probe, ...]
    lost: int
    duplicated: int

    def as_json(self) -> dict[str, Any]:
        found = dataclasses.asdict(self)
        found["probe"] = {p.kind: dataclasses.asdict(p) for p in self.probe}
        return found


# --- the store the reviewers work in -------------------------------------------------------
def _text(doc: int, segments: int) -> str:
    return "".join(
        f"Phrase {n} du document {doc}, que les relecteurs doivent corriger avec soin.\n\n"
        for n in range(segments)
    )


def _analysis(segment: Segment, rng: random.Random) -> SegmentAnalysis:
    """What the models and checks would have stored: back-translation, round trip, chrF,
    a log-probability per word, 0-3 pre-highlights (random, of the right shape)."""
    tokens, cursor = [], 0
    for word in segment.text.split():
        start = segment.text.index(word, cursor)
        cursor = start + len(word)
        tokens.append(TokenScore("▁" + word, start, cursor, -rng.random() * 9))
    flags = []
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        start = rng.randrange(max(1, len(segment.text) - 4))
        flags.append(Flag(start, start + 3, "Fluency/Grammar", "minor", ("rule:load",), "load"))
    return SegmentAnalysis(
        segment=segment,
        back_translation=f"Sentence {segment.index} of the document, to correct with care.",
        round_trip=segment.text[::-1],
        metrics={"chrf": MetricScore("chrf", rng.uniform(20, 100), "chrF2|load")},
        return_score=ScoredText(tuple(tokens), sum(t.logprob for t in tokens) / len(tokens)),
        flags=tuple(sorted(flags, key=lambda f: (f.start, f.end))),
        risk=round(rng.random() ** 2, 4),
    )


def groups(names: Sequence[str]) -> list[list[str]]:
    """Pairs of reviewers (three in the last group of an odd number; one alone if one)."""
    found = [list(names[i : i + 2]) for i in range(0, len(names), 2)]
    if len(found) > 1 and len(found[-1]) == 1:
        found[-2].extend(found.pop())
    return found


def prepare(db: str, plan: Plan) -> list[str]:
    """A team store: one document per group of reviewers, assigned with `plan.shared`
    segments to two of them; every reviewer an account with a password. Their names."""
    names = [f"r{n:02d}" for n in range(plan.reviewers)]
    rng = random.Random(plan.seed)
    with ReviewStore(db) as store:
        admin = team(store)["admin"]
        for name in names:
            store.add_user(name, role="reviewer", password=PASSWORD, by=admin)
        for number, group in enumerate(groups(names)):
            doc_id = f"doc{number}"
            document = document_from_text(
                _text(number, plan.segments), doc_id=doc_id, name=f"{doc_id}.txt"
            )
            found = [_analysis(s, rng) for s in document.segments] if plan.analyses else None
            store.add_document(
                document, found, info={"models": "load"} if found else None, by=admin
            )
            overlap = min(1.0, plan.shared / plan.segments) if len(group) > 1 else 0.0
            store.assign(doc_id, group, by=admin, overlap=overlap)
    return names


# --- the server ------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Server:
    url: str
    pid: int
    timing: Path  # its timing log

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def runs(self) -> list[dict[str, Any]]:
        if not self.timing.exists():
            return []
        lines = self.timing.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]


@contextlib.contextmanager
def serving(db: str, folder: Path) -> Iterator[Server]:
    """The packaged app on a free loopback port, on store `db`, no models, its timing log
    on (which switches the statement counts on)."""
    timing = folder / "timing.jsonl"
    timing.unlink(missing_ok=True)
    env = {"MTREVIEW_USE_MODELS": "false", "MTREVIEW_TIMING_LOG": str(timing)}
    with streamlit_process(db, folder / "streamlit.log", cwd=folder, **env) as (url, pid):
        yield Server(url, pid, timing)


# --- one reviewer ----------------------------------------------------------------------------
class Reviewer:
    """One signed-in browser tab, spoken to over the app's websocket."""

    def __init__(self, server: Server, name: str, rng: random.Random) -> None:
        self.server, self.name, self.rng = server, name, rng
        self.count = 0  # actions that wrote, for their tokens
        self.tab = next(_TABS)  # one reviewer may sign in twice (the warm-up's probe)
        self.number = 0  # the box's event number (the page counts its events)
        self.elements: list[tuple[str, Any]] = []
        started = time.perf_counter()
        answer = httpx.post(
            server.url + SIGN_IN,
            data={"user": name, "password": PASSWORD},
            headers={"Origin": server.url},
            timeout=60,
        )
        cookie = answer.cookies.get(COOKIE)
        if answer.status_code != 303 or not cookie:
            raise RuntimeError(f"{name} could not sign in: {answer.status_code}")
        self._open = contextlib.ExitStack()
        self.ws = self._open.enter_context(
            open_stream(server.port, headers={"Cookie": f"{COOKIE}={cookie}"}, timeout=120)
        )
        self._run(())
        self.first_screen = time.perf_counter() - started
        if self._component("article") is None:
            raise RuntimeError(f"{name}'s first page has no article: {self._texts()[:5]}")

    def close(self) -> None:
        self._open.close()

    def _run(self, widgets: Sequence[WidgetState]) -> float:
        started = time.perf_counter()
        request_run(self.ws, widgets=widgets)
        self.elements = list(read_run(self.ws, timeout=120).elements)
        return time.perf_counter() - started

    def _texts(self) -> list[str]:
        return [str(getattr(e, "body", "")) for _, e in self.elements]

    def _toasts(self) -> list[str]:
        return [str(e.body) for name, e in self.elements if name == "toast"]

    def _component(self, key: str) -> tuple[str, dict[str, Any]] | None:
        """(widget id, data) of the component keyed `key` on the page now."""
        for name, element in self.elements:
            if name == "bidi_component" and element.id.endswith(f"-{key}"):
                data = element.json or element.mixed.json
                return element.id, json.loads(data) if data else {}
        return None

    def _button(self, key: str) -> str | None:
        for name, element in self.elements:
            if name == "button" and element.id.endswith(f"-{key}") and not element.disabled:
                return str(element.id)
        return None

    def _event(self, key: str, event: str, value: object) -> tuple[float, bool]:
        found = self._component(key)
        if found is None:
            return 0.0, False
        payload = json.dumps([{"event": event, "value": value}])
        seconds = self._run([(TRIGGERS.format(found[0]), "json_trigger_value", payload)])
        return seconds, True

    def act(self, kind: str) -> Action:
        """One action of the review cycle (`ACTIONS`)."""
        token = ""
        if kind == "open":
            article = self._component("article")
            shown = [
                s["index"]
                for paragraph in (article[1]["paragraphs"] if article else [])
                for s in paragraph
                if not s["hidden"]
            ]
            seconds, ok = self._event("article", "open", self.rng.choice(shown))
        elif kind == "mark":
            seconds, ok, token = self._mark()
        elif kind == "correct":
            seconds, ok, token = self._correct()
        else:
            button = self._button("next_btn") or self._button("prev_btn")
            ok = button is not None
            seconds = self._run([(button, "trigger_value", True)]) if button else 0.0
        return Action(self.name, kind, seconds, ok, token)

    def _token(self, what: str) -> str:
        self.count += 1
        return f"{MARKER}{self.name}.{self.tab}:{what}{self.count}"

    def _mark(self) -> tuple[float, bool, str]:
        editor = self._component("segment_editor")
        if editor is None:
            return 0.0, False, ""
        data = editor[1]
        text: str = data["text"]
        words = [i for i, c in enumerate(text) if c != " " and (i == 0 or text[i - 1] == " ")]
        start = self.rng.choice(words)
        end = text.find(" ", start)
        end = len(text) if end < 0 else end
        token = self._token("m")
        value = {
            "id": token, "doc": data["doc"], "segment": data["segment"], "start": start,
            "end": end, "text": text[start:end], "utf16_start": start, "utf16_end": end,
            "category": "Fluency/Grammar", "severity": "minor", "comment": token,
            "correction": None,
        }  # fmt: skip
        seconds, sent = self._event("segment_editor", "add", value)
        return seconds, sent and any(t.startswith("marked") for t in self._toasts()), token

    def _correct(self) -> tuple[float, bool, str]:
        box = self._component("correction_box")
        if box is None:
            return 0.0, False, ""
        data = box[1]
        token = self._token("c")
        self.number += 1
        value = {
            "doc": data["doc"], "segment": data["segment"], "base": data["base"],
            "text": f"{data['saved']} [{token}]", "number": self.number,
        }  # fmt: skip
        seconds, sent = self._event("correction_box", "save", value)
        saved = any(t.startswith("correction saved") for t in self._toasts())
        return seconds, sent and saved, token


# --- the load ------------------------------------------------------------------------------
def _work(reviewer: Reviewer, plan: Plan, until: float, out: list[Action]) -> None:
    """Think, act, until `until` (an action begun before it is finished)."""
    time.sleep(reviewer.rng.uniform(0, plan.think))
    step = 0
    while time.monotonic() < until:
        out.append(reviewer.act(ACTIONS[step % len(ACTIONS)]))
        step += 1
        time.sleep(reviewer.rng.uniform(0.5 * plan.think, 1.5 * plan.think))


def _probe(server: Server, reviewer: Reviewer) -> list[Probe]:
    """Each action once, alone: its statements from the timing log's new lines."""
    found = []
    for kind in ACTIONS:
        before = len(server.runs())
        action = reviewer.act(kind)
        new = server.runs()[before:]
        found.append(
            Probe(
                kind,
                round(action.seconds, 4),
                sum(r["statements"] for r in new),
                sum(r["transactions"] for r in new),
            )
        )
    return found


def run_load(db: str, plan: Plan, folder: Path, *, database: str = "") -> LoadReport:
    """Prepare the store, serve it, warm it with a probe reviewer, then `plan.reviewers`
    reviewers for `plan.seconds`; check the store; the report."""
    names = prepare(db, plan)
    with serving(db, folder) as server:
        warm = Reviewer(server, names[0], random.Random(plan.seed))
        cold = warm.first_screen
        probe = _probe(server, warm)  # (its runs warm the server up for the load too)
        mb_base = server.rss_mb()
        reviewers = [
            Reviewer(server, name, random.Random(plan.seed * 1000 + n))
            for n, name in enumerate(names)
        ]
        first_screen = statistics.median(r.first_screen for r in reviewers)
        runs_before, cpu_before = len(server.runs()), server.cpu_s()
        until = time.monotonic() + plan.seconds
        results: list[list[Action]] = [[] for _ in reviewers]
        threads = [
            threading.Thread(target=_work, args=(r, plan, until, out))
            for r, out in zip(reviewers, results, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        cpu = server.cpu_s() - cpu_before
        load_runs = server.runs()[runs_before:]
        mb_end = server.rss_mb()
        for reviewer in [warm, *reviewers]:
            reviewer.close()
    actions = [a for out in results for a in out]
    lost, duplicated = check_store(db, [a for a in actions if a.acknowledged and a.token])
    timed = sorted(a.seconds for a in actions if a.acknowledged)
    done = len(timed)
    return LoadReport(
        database=database or ("postgresql" if db.startswith("postgresql") else "sqlite"),
        reviewers=plan.reviewers,
        seconds=plan.seconds,
        think=plan.think,
        shared=plan.shared,
        actions=done,
        failed=len(actions) - done,
        p50_s=round(_quantile(timed, 0.5), 4),
        p95_s=round(_quantile(timed, 0.95), 4),
        max_s=round(timed[-1] if timed else 0.0, 4),
        first_screen_s=round(first_screen, 4),
        first_screen_cold_s=round(cold, 4),
        server_cpu_s=round(cpu, 3),
        cpu_s_per_action=round(cpu / done, 4) if done else 0.0,
        mb_base=round(mb_base, 1),
        mb_per_session=round((mb_end - mb_base) / plan.reviewers, 2),
        statements_per_action=round(sum(r["statements"] for r in load_runs) / done, 2)
        if done
        else 0.0,
        transactions_per_action=round(sum(r["transactions"] for r in load_runs) / done, 2)
        if done
        else 0.0,
        probe=tuple(probe),
        lost=lost,
        duplicated=duplicated,
    )


def _quantile(values: Sequence[float], share: float) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(share * len(values)))]


def check_store(db: str, written: Sequence[Action]) -> tuple[int, int]:
    """(lost, duplicated): acknowledged writes not in the store, and in it more than once."""
    with ReviewStore(db) as store, store.engine.connect() as conn:
        marks = Counter(
            conn.execute(
                sa.select(annotations_table.c.comment).where(
                    annotations_table.c.comment.startswith(MARKER)
                )
            ).scalars()
        )
        fixes = Counter(
            text[text.rfind("[") + 1 : -1]
            for text in conn.execute(
                sa.select(corrections.c.text).where(corrections.c.text.contains(MARKER))
            ).scalars()
        )
    found: Mapping[str, int] = marks + fixes
    lost = sum(1 for a in written if found.get(a.token, 0) == 0)
    duplicated = sum(1 for a in written if found.get(a.token, 0) > 1)
    return lost, duplicated
