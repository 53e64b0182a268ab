"""One run for every face: a document the app analyses in the background gets, byte for
byte, the analyses `mtreview score FILE --db DB` stores, because both send the models the
batches the planning module forms (model numbers depend in their last bits on the batch).
Tiny real Marian models; a document with copies, so that a window's cache misses are
batched across its chunks."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest
from model_batches import write_with_copies

from mtreview.analysis import SegmentAnalysis
from mtreview.analysis.cache import CachedAnalyzer
from mtreview.cli import main
from mtreview.documents import Segment
from mtreview.settings import load_settings
from mtreview.store import ReviewStore
from mtreview.ui.jobs import AnalysisJobs
from mtreview.ui.loading import load_models, open_path


def stored(db: Path) -> tuple[list[tuple[object, ...]], list[tuple[int, str]]]:
    """The segments rows, and each segment's analysis record as stored (JSON text)."""
    with sqlite3.connect(db) as conn:
        segments = conn.execute("SELECT * FROM segments ORDER BY doc_id, idx").fetchall()
        records = conn.execute(
            "SELECT s.idx, a.record FROM segments s JOIN analyses a ON a.segment_id = s.id "
            "ORDER BY s.doc_id, s.idx"
        ).fetchall()
    return segments, records


@pytest.mark.slow  # beam search with n-best lists over 45 segments, twice
def test_the_app_stores_the_analyses_of_score_db(
    tmp_path: Path, tiny_fr_en: Path, tiny_en_fr: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_with_copies(tmp_path / "copies.txt", lines=40)  # 80 segments, 45 distinct
    config = tmp_path / "mtreview.toml"  # beams, n-best lists, two threads: where batches show
    config.write_text(
        "[mtreview]\nmax_length = 12\nnum_beams = 4\nnum_return = 2\nthreads = 2\n"
        "grammar = false\n",
        "utf-8",
    )
    models = {"back_model": str(tiny_fr_en), "return_model": str(tiny_en_fr)}
    batches: dict[str, list[list[int]]] = {"app": [], "cli": []}
    face = "app"
    compute = CachedAnalyzer.compute_fresh

    def recorded(self: CachedAnalyzer, segments: Sequence[Segment]) -> list[SegmentAnalysis]:
        batches[face].append([segment.index for segment in segments])
        return compute(self, segments)

    monkeypatch.setattr(CachedAnalyzer, "compute_fresh", recorded)

    # the app: stored at once with the rule flags, the models' analyses in the background
    settings = load_settings(config, overrides={**models, "cache_dir": str(tmp_path / "a")})
    state = load_models(settings)
    assert state.loaded
    jobs = AnalysisJobs()
    with ReviewStore(tmp_path / "app.db") as store:
        doc_id = open_path(store, source, settings, state, jobs)
        job = jobs.wait(doc_id, timeout=300)
        assert job is not None and job.error is None and job.done == job.total == 80

    face = "cli"
    db = tmp_path / "cli.db"
    argv = ["score", str(source), "--db", str(db), "--config", str(config)]
    argv += ["--back-model", models["back_model"], "--return-model", models["return_model"]]
    assert main([*argv, "--cache-dir", str(tmp_path / "c")]) == 0

    # one batch: the misses of the window's two chunks (the app's own chunks of 8, 16, 32
    # and 24 segments were four batches, and gave 19 of the 80 records other numbers)
    assert [len(batch) for batch in batches["cli"]] == [45]
    assert batches["app"] == batches["cli"]
    app_segments, app_records = stored(tmp_path / "app.db")
    cli_segments, cli_records = stored(db)
    assert len(app_records) == 80 and app_records == cli_records
    assert app_segments == cli_segments
