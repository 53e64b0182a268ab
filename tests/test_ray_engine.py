"""`--engine ray` on a local Ray (2 CPUs) gives the local engine's records, in its order."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mtreview.analysis.cache import AnalysisCache, CachedAnalyzer
from mtreview.cli import main
from mtreview.documents import Segment
from mtreview.engines import ENGINES, LocalEngine, make_engine
from mtreview.settings import Settings
from mtreview.store import ReviewStore

pytestmark = pytest.mark.processes  # a local Ray cluster

ray = pytest.importorskip("ray", reason="the ray extra is not installed")

TEXTS = [
    "Le chat dort sur la table.",
    "L'ONG a reçu une lettre du ministère.",
    "Le chat dort sur la table.",
    "",
    "Les autorités n'ont pas répondu.",
    "Ça coûte 20 € — « vraiment » ?",
    "Il a dit non.",
]


def segments(doc: str = "article") -> list[Segment]:
    result, offset = [], 0
    for index, text in enumerate(TEXTS):
        result.append(Segment(doc, index, index, offset, offset + len(text), text))
        offset += len(text) + 1
    return result


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture()
def settings(tiny_fr_en: Path, tiny_en_fr: Path, session_cache: Path) -> Settings:
    """The session's conversions (the engine and its actors convert nothing); each test's
    analysis cache is its own file."""
    return Settings(
        back_model=str(tiny_fr_en),
        return_model=str(tiny_en_fr),
        backend="ct2",
        compute_type="float32",
        max_length=12,
        num_beams=2,
        threads=1,
        grammar=False,
        cache_dir=str(session_cache),
    )


def records(results: Iterator[object]) -> list[str]:
    return [json.dumps(r.to_record(), sort_keys=True) for r in results]  # type: ignore[attr-defined]


def test_ray_with_cache_equals_local_with_cache(
    local_ray: None, settings: Settings, tmp_path: Path
) -> None:
    """Two windows per Ray dataset, several datasets, two actors: the same cache decisions,
    batches and records, in input order, as the local engine, and a rescoring computes only
    the new segment. (Without the cache: `score --db` below.)"""
    changed = [
        dataclasses.replace(s, text=s.text + " Fin.") if s.index == 4 else s for s in segments()
    ]
    outputs = {}
    for name, engine in (
        ("local", LocalEngine(window_chunks=1)),
        ("ray", make_engine("ray", window_chunks=1, windows=2)),
    ):
        cache = AnalysisCache(tmp_path / name / "analysis.sqlite")
        first = CachedAnalyzer(settings, cache=cache)
        original = records(engine.run(segments(), first, chunk_size=2))
        assert first.stats.computed == len(set(TEXTS))
        again = CachedAnalyzer(settings, cache=cache)
        rescored = records(engine.run(changed, again, chunk_size=2))
        assert again.stats.computed == 1
        assert rescored[:4] == original[:4] and rescored[5:] == original[5:]
        outputs[name] = (original, rescored)
    assert outputs["ray"] == outputs["local"]
    original = outputs["ray"][0]
    assert [json.loads(r)["segment_id"] for r in original] == list(range(len(TEXTS)))
    assert json.loads(original[0])["back_translation"]  # the models really ran


def test_score_db_on_ray_stores_what_the_local_engine_stores(
    local_ray: None, tiny_fr_en: Path, tiny_en_fr: Path, tmp_path: Path
) -> None:
    """The engineer's path: a corpus of several documents scored on Ray (the running one,
    joined) straight into the store without the cache, the same findings as the local
    engine."""
    corpus = tmp_path / "corpus.tsv"
    rows = [("alpha", text) for text in TEXTS if text] + [("beta", "Un nouveau document.")]
    corpus.write_text(
        "doc\ttranslation\n" + "".join(f"{doc}\t{text}\n" for doc, text in rows), "utf-8"
    )
    models = ["--back-model", str(tiny_fr_en), "--return-model", str(tiny_en_fr)]
    stored = {}
    for engine in ("local", "ray"):
        db = tmp_path / f"{engine}.db"
        argv = ["score", str(corpus), "--db", str(db), "--engine", engine, *models]
        assert main([*argv, "--no-grammar", "--no-cache"]) == 0
        with ReviewStore(db) as store:
            stored[engine] = [
                (review.doc_id, review.analysis.to_record()) for review in store.iter_segments()
            ]
    assert ray.is_initialized()  # joined, not started and shut down
    assert stored["ray"] == stored["local"]
    assert [doc for doc, _ in stored["ray"]] == [doc for doc, _ in rows]
    assert all(record["back_translation"] for _, record in stored["ray"])


def test_ray_is_registered_and_lazy() -> None:
    assert "ray" in ENGINES
    import subprocess
    import sys

    code = "import mtreview.engines, mtreview.analysis.cache, sys; print('ray' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
