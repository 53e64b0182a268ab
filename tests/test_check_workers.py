"""Checks spread over forked workers flag as one process does; the checks left to the
run's process are exactly those whose flags depend on the document; Grammalecte started
before the rule checks and given up cleanly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mtreview.analysis import Analyzer, Models, workers
from mtreview.analysis.highlight import Highlighter
from mtreview.analysis.record import SegmentAnalysis
from mtreview.checks import CHECKS, Check, DocumentContext
from mtreview.documents import Segment
from mtreview.engines import LocalEngine
from mtreview.grammar import GrammarChecker
from mtreview.pipeline import read_input
from mtreview.settings import Settings

UI = [  # what the article lacks: sources, placeholders, a catalogue's rows, English
    ("Cliquez sur le button pour continuer.", "Click the button to continue.", False),
    ("Le fichier est ouvert.", "File %s is open.", False),
    ("Erreur: fichier %s", "Error: file %s", True),
    ("Erreur : fichier %d", "Error: file %d", True),
    ("Ouvrez le file dans le dossier.", "Open the folder.", False),
]


def article_segments(article: Path) -> list[Segment]:
    ui = [
        Segment("ui", n, n, 0, len(text), text, source=source, table_row=row)
        for n, (text, source, row) in enumerate(UI)
    ]
    return [*read_input(article, Settings()).segments, *ui]


def test_only_checks_that_read_the_document_depend_on_it(article: Path) -> None:
    """Every check not marked `reads_document` gives the same flags with the document
    observed and with an empty context; the marked ones are those that observe."""
    segments = article_segments(article)
    seen = {doc: DocumentContext(doc) for doc in {s.doc for s in segments}}
    for segment in segments:
        seen[segment.doc].observe(segment)
    for name, cls in CHECKS.items():
        observes = cls.observe.__func__ is not Check.observe.__func__  # type: ignore[attr-defined]
        assert cls.reads_document == observes, name
        if cls.reads_document:
            continue
        check = cls(Settings())
        if not check.available():
            continue
        check.prepare(segments)
        for segment in segments:
            blank = DocumentContext(segment.doc)
            assert check.checked(segment, seen[segment.doc]) == check.checked(segment, blank), (
                name,
                segment.text,
            )


@pytest.mark.processes  # forks check workers
def test_forked_workers_flag_as_one_process(article: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "MIN_SEGMENTS", 8)
    monkeypatch.setattr(workers, "MIN_CHARS", 500)
    monkeypatch.setattr(workers, "can_fork", lambda: True)  # pytest-xdist runs threads
    segments = article_segments(article)
    analyses = [SegmentAnalysis(segment=segment) for segment in segments]
    results = {}
    for threads in (1, 2):
        highlighter = Highlighter(Settings(grammar=False, threads=threads, checks=("all",)))
        highlighter.prime(segments)
        try:
            results[threads] = highlighter(analyses)
            assert (highlighter.workers.executor is not None) == (threads == 2)
        finally:
            highlighter.close()
        assert highlighter.workers.executor is None
    assert results[1] == results[2]
    assert sum(len(a.flags) for a in results[1]) > 10  # the article's errors and the UI's
    origins = {o for a in results[1] for f in a.flags for o in f.origins}
    assert {"rule:agreement", "rule:untranslated_word", "rule:source_placeholders"} <= origins


def test_workers_are_forked_for_running_text_not_for_short_strings() -> None:
    """A window of UI strings stays in the run's process, one of running text is spread;
    so is any batch once the workers are forked (`CheckWorkers._worth`)."""

    def batch(text: str, count: int = workers.MIN_SEGMENTS) -> list[Segment]:
        return [Segment("d", n, n, 0, len(text), text) for n in range(count)]

    sentence = "Le fichier de configuration est lu au démarrage du service réseau. " * 2
    label = "Ouvrir le fichier…"
    window = workers.MIN_CHARS // len(sentence) + 1
    assert workers.worth_forking(batch(sentence, max(window, workers.MIN_SEGMENTS)))
    assert not workers.worth_forking(batch(label, 1024))  # a window of catalogue strings
    assert not workers.worth_forking(batch(sentence * 40, workers.MIN_SEGMENTS - 1))
    spread = workers.CheckWorkers([], 2)
    assert not spread._worth(batch(sentence, 1024))  # no check to spread
    two = workers.CheckWorkers([CHECKS["repeated_words"](Settings())], 2)
    assert not two._worth(batch(label, 1024))
    two.executor = object()  # type: ignore[assignment]  # forked for an earlier batch
    assert two._worth(batch(label, 1024)) and not two._worth(batch(label, 64))


@pytest.mark.processes  # runs Grammalecte
def test_grammalecte_runs_beside_the_caller_and_stops_when_given_up() -> None:
    if shutil.which("grammalecte-cli") is None:
        pytest.fail("grammalecte-cli is not installed: run scripts/setup.sh")
    checker = GrammarChecker(Settings(grammar_processes=1))
    texts = ["Les chat mange la souris.", "Tout va bien.", "Les chat mange la souris."]
    pending = checker.started(texts)
    flags = pending.flags()
    assert flags[0] == flags[2] and flags[0] and not flags[1]  # the repeat checked once
    given_up = checker.started(texts)
    running = given_up.running
    assert running is not None
    given_up.cancel()
    assert all(process.poll() is not None for _first, process, _path in running.parts)
    assert not Path(running.folder.name).exists()


@pytest.mark.processes  # forks check workers, runs Grammalecte
def test_engine_starts_the_next_window_before_giving_this_one(
    article: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The local engine reads and starts window k+1 (Grammalecte, the workers' pieces,
    the document checks) before it collects window k: the analyses are those of one
    call over the whole document, and a consumer that stops leaves nothing running."""
    if shutil.which("grammalecte-cli") is None:
        pytest.fail("grammalecte-cli is not installed: run scripts/setup.sh")
    monkeypatch.setattr(workers, "MIN_SEGMENTS", 8)
    monkeypatch.setattr(workers, "MIN_CHARS", 500)
    monkeypatch.setattr(workers, "can_fork", lambda: True)  # pytest-xdist runs threads
    segments = article_segments(article)
    settings = Settings(threads=2, checks=("all",), grammar_processes=1)
    whole = Highlighter(settings)
    whole.prime(segments)
    expected = whole([SegmentAnalysis(segment=s) for s in segments])
    whole.close()
    highlighter = Highlighter(settings)
    analyzer = Analyzer(settings, models=Models(), highlighter=highlighter)
    engine = LocalEngine(window_chunks=1)
    size = -(-len(segments) // 2)  # two windows
    try:
        highlighter.prime(segments)
        assert list(engine.run(iter(segments), analyzer, chunk_size=size)) == expected
        assert not highlighter.inflight and highlighter.workers.executor is not None
        stopped = engine.run(iter(segments), analyzer, chunk_size=size)
        assert next(stopped) == expected[0]
        (ahead,) = highlighter.inflight  # the second window, started
        running = ahead.pending.running if ahead.pending is not None else None
        stopped.close()
        assert not highlighter.inflight
        assert running is not None and all(p.poll() is not None for _f, p, _ in running.parts)
    finally:
        analyzer.close()
    assert sum(bool(a.flags) for a in expected) > 10
    assert any(o.startswith("grammar") for a in expected for f in a.flags for o in f.origins)
