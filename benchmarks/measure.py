"""One benchmark measurement in its own process (so its peak memory is its own).

    python benchmarks/measure.py roundtrip --path ct2-int8 --segments 128
    python benchmarks/measure.py rescore --segments 1000 --corrections 10
    python benchmarks/measure.py workers

Prints one JSON object on standard output.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    FULL,
    OUTPUT_TOKENS,
    QUICK,
    Shape,
    bench_settings,
    build_models,
    make_inputs,
    work_dir,
)

from mtreview.analysis import Analyzer, Models, SegmentAnalysis
from mtreview.documents import Segment
from mtreview.engines import LocalEngine

# path -> (backend, compute type, batch size, one segment at a time)
PATHS: dict[str, tuple[str, str, int, bool]] = {
    "hf-single": ("hf", "float32", 1, True),
    "hf-batched": ("hf", "float32", 64, False),
    "ct2-float32": ("ct2", "float32", 64, False),
    "ct2-int8": ("ct2", "int8", 64, False),
}


def no_flags(analyses: list[SegmentAnalysis]) -> list[SegmentAnalysis]:
    return analyses


class Numbered:
    """Random models translate many inputs alike, and the analysis translates each distinct
    back-translation once; real back-translations differ. Numbering each one keeps the
    work per segment that of real models, in every path alike."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.name, self.model_id = backend.name, backend.model_id
        self.compute_type = getattr(backend, "compute_type", "")
        self.count = 0

    def translate(self, texts: Any, **options: Any) -> list[str]:
        return [best[0] for best in self.translate_nbest(texts, 1, **options)]

    def translate_nbest(self, texts: Any, n: int, **options: Any) -> list[list[str]]:
        numbered = []
        for candidates in self.backend.translate_nbest(texts, n, **options):
            self.count += 1
            numbered.append([f"{text} {self.count}" for text in candidates])
        return numbered

    def score(self, sources: Any, targets: Any, **options: Any) -> Any:
        return self.backend.score(sources, targets, **options)


def load_models(back: Path, ret: Path, backend: str, compute_type: str, threads: int) -> Models:
    from mtreview.backends.ct2 import CT2MarianBackend
    from mtreview.backends.hf import HFMarianBackend

    def load(model: Path) -> Any:
        if backend == "hf":
            return HFMarianBackend(str(model), threads=threads, fixed_length=OUTPUT_TOKENS)
        return CT2MarianBackend(
            str(model),
            threads=threads,
            compute_type=compute_type,
            cache_dir=work_dir(),
            fixed_length=OUTPUT_TOKENS,
        )

    models = Models(back=Numbered(load(back)), ret=load(ret))
    gc.freeze()  # as `mtreview score` does once its models are loaded
    return models


def as_segments(texts: list[str]) -> list[Segment]:
    segments, offset = [], 0
    for index, text in enumerate(texts):
        segments.append(Segment("bench", index, index, offset, offset + len(text), text))
        offset += len(text) + 2
    return segments


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def roundtrip(args: argparse.Namespace, shape: Shape) -> dict[str, Any]:
    backend, compute_type, batch_size, single = PATHS[args.path]
    back, ret = build_models(shape)
    settings = bench_settings(
        back, ret, backend=backend, compute_type=compute_type, batch_size=batch_size,
        threads=args.threads, beams=args.beams,
    )  # fmt: skip
    models = load_models(back, ret, backend, compute_type, args.threads)
    analyzer = Analyzer(settings, models=models, highlighter=no_flags)
    segments = as_segments(make_inputs(back, args.segments + 4, seed=7))
    warm, rest = segments[:4], segments[4:]
    analyzer.analyze(warm[:1] if single else warm)
    size = 1 if single else batch_size  # check the time budget after each batch
    measured, started, pivots = 0, time.perf_counter(), set()
    for start in range(0, len(rest), size):  # until the time budget is spent
        for analysis in analyzer.analyze(rest[start : start + size]):
            pivots.add(analysis.back_translation)
            measured += 1
        if time.perf_counter() - started > args.budget and measured >= 3:
            break
    seconds = time.perf_counter() - started
    return {
        "path": args.path,
        "segments": measured,
        "seconds": round(seconds, 3),
        "segments_per_second": round(measured / seconds, 3),
        "peak_rss_mb": round(peak_rss_mb()),
        "distinct_back_translations": round(len(pivots) / max(1, measured), 2),
    }


def peak(args: argparse.Namespace, shape: Shape) -> dict[str, Any]:
    """Matrix-multiply GFLOP/s of this machine (float32, `threads` threads): the ceiling."""
    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    size = 2048
    a, b = torch.randn(size, size), torch.randn(size, size)
    na, nb = a.numpy(), b.numpy()
    best: dict[str, float] = {}
    for name, multiply in (("torch", lambda: a @ b), ("numpy", lambda: np.matmul(na, nb))):
        multiply()
        rates = []
        for _ in range(5):
            rates.append(2 * size**3 / timed(multiply) / 1e9)
        best[name] = round(max(rates), 1)
    return {"matmul_gflops": best, "threads": args.threads}


def rescore(args: argparse.Namespace, shape: Shape) -> dict[str, Any]:
    """First scoring of a document, then again after `corrections` segments changed; the
    re-score is repeated with other corrections each time (the models really work) and
    its median reported."""
    from mtreview.analysis.cache import AnalysisCache, CachedAnalyzer

    back, ret = build_models(shape)
    settings = bench_settings(
        back, ret, backend="ct2", compute_type="int8", batch_size=32, threads=args.threads,
        beams=args.beams,
    )  # fmt: skip
    models = load_models(back, ret, "ct2", "int8", args.threads)
    fresh = args.corrections * args.repeats
    texts = make_inputs(back, args.segments + fresh, seed=11)
    document, replacements = texts[: args.segments], texts[args.segments :]
    step = max(1, args.segments // max(1, args.corrections))

    def corrected(repeat: int) -> list[str]:
        result = list(document)
        mine = replacements[repeat * args.corrections : (repeat + 1) * args.corrections]
        for number, text in enumerate(mine):
            result[number * step] = text
        return result

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "analysis.sqlite"
        Analyzer(settings, models=models).analyze(as_segments(document[:4]))  # warm up

        def run(texts: list[str]) -> float:
            analyzer = CachedAnalyzer(
                settings, cache=AnalysisCache(path), models=models
            )  # a new run: new analyzer, checks and all, same cache file
            return timed(lambda: list(LocalEngine().run(as_segments(texts), analyzer)))

        first = run(document)
        again = sorted(run(corrected(repeat)) for repeat in range(args.repeats))
    median = again[len(again) // 2]
    return {
        "segments": args.segments,
        "corrections": args.corrections,
        "first_seconds": round(first, 3),
        "rescore_seconds": round(median, 3),
        "rescore_runs": [round(seconds, 3) for seconds in again],
        "speedup": round(first / median, 1),
        "peak_rss_mb": round(peak_rss_mb()),
    }


def workers(args: argparse.Namespace, shape: Shape) -> dict[str, Any]:
    """Greedy decoding time of one model, `threads` threads as one worker or as
    single-threaded workers sharing each batch (what the ct2 backend does)."""
    import ctranslate2

    from mtreview.backends.ct2 import CT2MarianBackend, convert_once

    back, _ret = build_models(shape)
    backend = CT2MarianBackend(
        str(back), threads=args.threads, compute_type="int8", cache_dir=work_dir()
    )
    sources = backend.source_tokens(make_inputs(back, 64, seed=5))
    path = str(convert_once(str(back), "int8", work_dir()))
    length = {"min_decoding_length": OUTPUT_TOKENS, "max_decoding_length": OUTPUT_TOKENS}
    result: dict[str, Any] = {"threads": args.threads}

    def best_of_three(translator: Any, batch: list[list[str]], share: int) -> float:
        def decode() -> object:
            return translator.translate_batch(batch, beam_size=1, max_batch_size=share, **length)

        decode()  # warm up
        return min(timed(decode) for _ in range(3))

    for count, intra in ((1, args.threads), (args.threads, 1)):
        translator = ctranslate2.Translator(
            path, device="cpu", compute_type="int8", intra_threads=intra, inter_threads=count
        )
        for rows in (10, 64):
            seconds = best_of_three(translator, sources[:rows], -(-rows // count))
            result[f"{count}x{intra}_batch{rows}_seconds"] = round(seconds, 3)
    for rows in (10, 64):
        one = result[f"1x{args.threads}_batch{rows}_seconds"]
        many = result[f"{args.threads}x1_batch{rows}_seconds"]
        result[f"workers_speedup_batch{rows}"] = round(one / many, 2)
    return result


MEASURES: dict[str, Callable[[argparse.Namespace, Shape], dict[str, Any]]] = {
    "roundtrip": roundtrip,
    "rescore": rescore,
    "peak": peak,
    "workers": workers,
}


def main() -> int:
    from transformers.utils import logging

    logging.set_verbosity_error()  # fixed-length generation warns about max_length
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=sorted(MEASURES))
    parser.add_argument("--path", choices=sorted(PATHS), default="ct2-int8")
    parser.add_argument("--segments", type=int, default=64, help="at most this many")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per path, about")
    parser.add_argument("--corrections", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5, help="re-scores, each other corrections")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--beams", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="small models (development)")
    args = parser.parse_args()
    shape = Shape(**(QUICK if args.quick else FULL))
    result = MEASURES[args.what](args, shape)
    sys.stdout.write(json.dumps({**result, "shape": dataclasses.asdict(shape)}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
