"""Analysis cache: a corrected document only computes its changed segments."""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from mtreview.analysis import Analyzer, Models, SegmentAnalysis
from mtreview.analysis.cache import AnalysisCache, CachedAnalyzer
from mtreview.backends import ScoredText, TranslationBackend, load_backend
from mtreview.cli import main
from mtreview.documents import Segment
from mtreview.errors import StoreError
from mtreview.metrics import MetricScore
from mtreview.pipeline import make_analyzer
from mtreview.settings import Settings

TEXTS = [
    "Le chat dort sur la table.",
    "L'ONG a reçu une lettre du ministère.",
    "Le chat dort sur la table.",
    "Les autorités n'ont pas répondu.",
    "Il a dit non.",
]


class Counting:
    """A real backend that remembers what it was asked to translate and score."""

    def __init__(self, backend: TranslationBackend) -> None:
        self.backend = backend
        self.name = backend.name
        self.model_id = backend.model_id
        self.translated: list[str] = []
        self.scored: list[str] = []

    def translate(self, texts: Sequence[str], **options: int) -> list[str]:
        self.translated.extend(texts)
        return self.backend.translate(texts, **options)

    def translate_nbest(self, texts: Sequence[str], n: int, **options: int) -> list[list[str]]:
        self.translated.extend(texts)
        return self.backend.translate_nbest(texts, n, **options)

    def score(
        self, sources: Sequence[str], targets: Sequence[str], *, batch_size: int = 16
    ) -> list[ScoredText]:
        self.scored.extend(targets)
        return self.backend.score(sources, targets, batch_size=batch_size)


def document(texts: Sequence[str]) -> list[Segment]:
    segments, offset = [], 0
    for index, text in enumerate(texts):
        segments.append(Segment("doc", index, index, offset, offset + len(text), text))
        offset += len(text) + 1
    return segments


@pytest.fixture()
def settings(tiny_fr_en: Path, tiny_en_fr: Path, tmp_path: Path) -> Settings:
    return Settings(
        back_model=str(tiny_fr_en),
        return_model=str(tiny_en_fr),
        max_length=12,
        num_beams=2,
        grammar=False,
        cache_dir=str(tmp_path / "cache"),
    )


def counting_models(settings: Settings) -> tuple[Models, Counting, Counting]:
    def load(model: str) -> Counting:
        return Counting(load_backend("hf", model, max_length=settings.max_length))

    back, ret = load(settings.back_model), load(settings.return_model)
    return Models(back=back, ret=ret), back, ret  # type: ignore[arg-type]


def as_records(analyses: Sequence[object]) -> list[str]:
    return [json.dumps(a.to_record(), sort_keys=True) for a in analyses]  # type: ignore[attr-defined]


@pytest.mark.parametrize("num_return", [1, 2])
def test_rescoring_computes_only_changed_segments(settings: Settings, num_return: int) -> None:
    """With n-best back-translations too: their evidence and the model flags are cached."""
    settings = dataclasses.replace(settings, num_return=num_return)
    cache = AnalysisCache(Path(settings.cache_dir) / "analysis.sqlite")
    models, back, ret = counting_models(settings)
    first = CachedAnalyzer(settings, cache=cache, models=models)
    original = first.analyze(document(TEXTS))
    assert back.translated == sorted(set(TEXTS), key=TEXTS.index)  # each distinct text once
    assert first.stats.computed == 4 and first.stats.repeats == 1
    assert as_records(original) == as_records(Analyzer(settings).analyze(document(TEXTS)))

    corrected = [*TEXTS[:3], "Les autorités n'ont toujours pas répondu.", TEXTS[4]]
    back.translated.clear()
    ret.scored.clear()
    again = CachedAnalyzer(settings, cache=AnalysisCache(cache.path), models=models)
    rescored = again.analyze(document(corrected))
    assert back.translated == [corrected[3]]
    assert ret.scored == [corrected[3]] * num_return
    assert again.stats.hits == 4 and again.stats.computed == 1
    fresh = as_records(Analyzer(settings).analyze(document(corrected)))
    assert as_records(rescored)[:3] == fresh[:3] and as_records(rescored)[4] == fresh[4]
    assert json.loads(as_records(rescored)[3])["text"] == corrected[3]


def test_a_cached_segment_takes_its_new_place(settings: Settings) -> None:
    cache = AnalysisCache(Path(settings.cache_dir) / "analysis.sqlite")
    analyzer = CachedAnalyzer(settings, cache=cache)
    analyzer.analyze(document(TEXTS))
    moved = document(["Une phrase nouvelle.", *TEXTS])
    results = analyzer.analyze(moved)
    for result, segment in zip(results, moved, strict=True):
        assert result.segment == segment
    assert analyzer.stats.hits == len(TEXTS)


def test_key_follows_settings_and_weights(settings: Settings, tmp_path: Path) -> None:
    cache = AnalysisCache(Path(settings.cache_dir) / "analysis.sqlite")
    CachedAnalyzer(settings, cache=cache).analyze(document(TEXTS[:2]))
    other_beams = CachedAnalyzer(dataclasses.replace(settings, num_beams=1), cache=cache)
    other_beams.analyze(document(TEXTS[:2]))
    assert other_beams.stats.hits == 0
    stricter = CachedAnalyzer(dataclasses.replace(settings, surprisal_threshold=-2.0), cache=cache)
    stricter.analyze(document(TEXTS[:2]))
    assert stricter.stats.hits == 0  # model flags are cached too

    retrained = tmp_path / "retrained"
    shutil.copytree(settings.return_model, retrained)
    with open(retrained / "config.json", "a", encoding="utf-8") as handle:
        handle.write("\n")  # any change to the model's files is another model
    moved = CachedAnalyzer(dataclasses.replace(settings, return_model=str(retrained)), cache=cache)
    moved.analyze(document(TEXTS[:2]))
    assert moved.stats.hits == 0
    same = CachedAnalyzer(settings, cache=AnalysisCache(cache.path))
    same.analyze(document(TEXTS[:2]))
    assert same.stats.hits == 2
    assert len(cache) == 8


def test_cache_is_a_real_sqlite_file_shared_by_instances(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "analysis.sqlite"
    first = AnalysisCache(path)
    first.put_many({"a": '{"x": 1}', "b": '{"x": 2}'})
    first.close()
    second = AnalysisCache(path)
    assert second.get_many(["a", "b", "c", "a"]) == {"a": '{"x": 1}', "b": '{"x": 2}'}
    assert second.get_many([str(i) for i in range(1200)]) == {}  # more keys than one query


def test_unreadable_cache_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "analysis.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"analysis\.sqlite"):
        AnalysisCache(path)


def test_no_cache_without_models_or_when_asked(settings: Settings) -> None:
    assert not isinstance(make_analyzer(Settings(use_models=False)), CachedAnalyzer)
    # asked for none: a private cache, so batches are those of a first cached run
    private = make_analyzer(settings, cache=False)
    assert isinstance(private, CachedAnalyzer) and private.cache.private
    assert not Path(settings.cache_dir, "analysis.sqlite").exists()  # nothing on disk
    analyzer = make_analyzer(settings)
    assert isinstance(analyzer, CachedAnalyzer) and not analyzer.cache.private


def test_cli_second_run_comes_from_the_cache(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "doc.txt"
    source.write_text("\n\n".join(TEXTS) + "\n", encoding="utf-8")
    config = tmp_path / "mtreview.toml"
    config.write_text(f"[mtreview]\nmax_length = 12\ncache_dir = '{settings.cache_dir}'\n")
    args = [
        "score",
        str(source),
        "--config",
        str(config),
        "--back-model",
        settings.back_model,
        "--return-model",
        settings.return_model,
        "--no-grammar",
    ]
    outputs = []
    for run in ("first", "second"):
        out, summary = tmp_path / f"{run}.jsonl", tmp_path / f"{run}.json"
        assert main([*args, "-o", str(out), "--summary", str(summary)]) == 0
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]
    report = json.loads(summary.read_text(encoding="utf-8"))["cache"]
    assert report["hits"] == len(TEXTS) and report["computed"] == 0
    assert "5 from the cache" in capsys.readouterr().err
    assert (
        main([*args, "-o", str(tmp_path / "x.jsonl"), "--no-cache", "--summary", str(summary)]) == 0
    )
    assert json.loads(summary.read_text(encoding="utf-8"))["cache"] is None


def test_grammalecte_is_asked_only_about_new_texts(settings: Settings, tmp_path: Path) -> None:
    real = shutil.which("grammalecte-cli")
    if real is None:
        pytest.fail("grammalecte-cli is not installed: run scripts/setup.sh")
    asked = tmp_path / "asked.txt"
    spy = tmp_path / "grammalecte-cli"  # logs the lines it is sent, then runs the real tool
    spy.write_text(f'#!/bin/sh\ncat "$2" >> {asked}\nexec {real} "$@"\n', encoding="utf-8")
    spy.chmod(0o755)
    texts = ["Les chat mange la souris.", "Tout va bien.", "Il ont fini le travail."]
    settings = dataclasses.replace(settings, grammar=True, grammar_command=str(spy))
    models = Models.load(settings)
    cache = AnalysisCache(Path(settings.cache_dir) / "analysis.sqlite")
    first = CachedAnalyzer(settings, cache=cache, models=models).analyze(document(texts))
    assert asked.read_text(encoding="utf-8").splitlines() == texts

    corrected = [texts[0], "Les enfants ont fini le travail.", texts[2]]
    asked.unlink()
    again = CachedAnalyzer(settings, cache=cache, models=models).analyze(document(corrected))
    assert asked.read_text(encoding="utf-8").splitlines() == [corrected[1]]
    uncached = Analyzer(settings, models=models).analyze(document(corrected))
    assert as_records(again) == as_records(uncached)
    assert as_records(again)[0] == as_records(first)[0]
    assert any("grammar:gn" in f.origins for f in again[0].flags)  # from the cache, not lost

    other = dataclasses.replace(settings, allowed_words=("chat",))
    asked.unlink()
    CachedAnalyzer(other, cache=cache, models=models).analyze(document(corrected))
    assert asked.read_text(encoding="utf-8").splitlines() == corrected  # other options


def test_a_cached_nan_reads_back(settings: Settings) -> None:
    """Records are read with orjson, which refuses the NaN that json writes: fall back."""
    cache = AnalysisCache(Path(settings.cache_dir) / "analysis.sqlite")
    segments = document(TEXTS[:1])
    writer = CachedAnalyzer(settings, cache=cache, models=Models())
    odd = SegmentAnalysis(segment=segments[0], metrics={"ter": MetricScore("ter", math.nan, "s")})
    writer.fill(writer.lookup(segments), [odd])
    reader = CachedAnalyzer(settings, cache=AnalysisCache(cache.path), models=Models())
    [back] = reader.fill(reader.lookup(segments), [])
    assert math.isnan(back.metrics["ter"].score) and back.metrics["ter"].signature == "s"
    assert reader.stats.hits == 1


def test_cli_cache_shows_prunes_and_clears(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "cache"
    assert main(["cache", "--cache-dir", str(folder)]) == 0
    assert "no analysis cache yet" in capsys.readouterr().out
    assert not folder.exists()  # looking does not create it

    cache = AnalysisCache(folder / "analysis.sqlite")
    cache.put_many({f"k{i}": '{"x": 1}' for i in range(10)})
    with sqlite3.connect(cache.path) as db:  # three entries stored forty days ago
        db.execute("UPDATE analyses SET stored = stored - 40 * 86400 WHERE key < 'k3'")
    cache.close()
    assert main(["cache", "--cache-dir", str(folder)]) == 0
    assert "10 entries" in capsys.readouterr().out
    assert main(["cache", "--cache-dir", str(folder), "--older-than", "30"]) == 0
    out = capsys.readouterr().out
    assert "deleted 3 entries" in out and ": 7 entries" in out
    kept = AnalysisCache(folder / "analysis.sqlite").get_many(f"k{i}" for i in range(10))
    assert sorted(kept) == [f"k{i}" for i in range(3, 10)]
    assert main(["cache", "--cache-dir", str(folder), "--clear"]) == 0
    assert ": 0 entries" in capsys.readouterr().out

    with pytest.raises(SystemExit) as stopped:
        main(["cache", "--cache-dir", str(folder), "--older-than", "-1"])
    assert stopped.value.code == 2
    assert "number of days" in capsys.readouterr().err


def test_a_refused_run_makes_no_cache_folder_and_a_run_makes_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The cache file and its folder are made at the first write: a run refused before it
    analyses anything leaves none (the faces fuzz found a `cache_dir` made by one)."""
    text = tmp_path / "a.txt"
    text.write_text("Le chat dort.\n", encoding="utf-8")
    cache = tmp_path / "cache"
    argv = ["score", str(text), "--no-models", "--no-grammar", "--cache-dir", str(cache)]
    assert main([*argv, "--disable-check", "no_such_check", "-o", str(tmp_path / "x")]) == 2
    assert "no_such_check" in capsys.readouterr().err
    assert not cache.exists()
    opened = AnalysisCache(cache / "analysis.sqlite")
    assert opened.get_many(["k"]) == {} and len(opened) == 0 and not cache.exists()
    opened.put_many({"k": "{}"})
    assert opened.get_many(["k"]) == {"k": "{}"} and (cache / "analysis.sqlite").is_file()
    opened.close()
