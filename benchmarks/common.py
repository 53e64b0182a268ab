"""Shared by the benchmark scripts: full-size random-weight models, inputs, settings.

The models have the opus-mt-fr-en architecture (vocabulary 59,514, d_model 512, 6+6 layers,
8 heads, FFN 2048) and random weights, so they cost what the real ones cost without a
download. Output length is fixed (30 tokens) so random weights do not change the work.
"""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

from mtreview.settings import Settings

FULL = {"vocab": 59_514, "d_model": 512, "layers": 6, "heads": 8, "ffn": 2048}
QUICK = {"vocab": 8_000, "d_model": 256, "layers": 2, "heads": 4, "ffn": 1024}
INPUT_TOKENS = 25  # source tokens, EOS included
OUTPUT_TOKENS = 30  # generated tokens, fixed


@dataclasses.dataclass(frozen=True)
class Shape:
    vocab: int
    d_model: int
    layers: int
    heads: int
    ffn: int

    @property
    def name(self) -> str:
        return f"v{self.vocab}-d{self.d_model}-l{self.layers}"


def work_dir() -> Path:
    return Settings().resolved_cache_dir() / "benchmarks"


def mt_corpus_dir() -> Path:
    """Where `flag_quality.py --mt` downloads and unpacks the MT-like set's packages."""
    return work_dir() / "mt-corpus"


def build_models(shape: Shape) -> tuple[Path, Path]:
    """fr→en and en→fr models of this shape, built once and kept under the cache."""
    from mtreview.testing.tiny_marian import build_tiny_marian

    folders = []
    for src, tgt, seed in (("fr", "en", 1), ("en", "fr", 2)):
        out = work_dir() / "models" / f"{src}-{tgt}-{shape.name}-2"
        if not (out / "model.safetensors").is_file():
            build_tiny_marian(
                out,
                src=src,
                tgt=tgt,
                seed=seed,
                d_model=shape.d_model,
                layers=shape.layers,
                heads=shape.heads,
                ffn=shape.ffn,
                pad_vocab_to=shape.vocab,
                init_std=0.1,  # random outputs that differ from input to input
            )
        folders.append(out)
    return folders[0], folders[1]


def make_inputs(model: Path, count: int, *, seed: int = 0) -> list[str]:
    """Distinct French sentences of exactly INPUT_TOKENS tokens under the model's tokenizer."""
    from transformers import MarianTokenizer

    from mtreview.testing.tiny_marian import corpus_text

    tokenizer = MarianTokenizer.from_pretrained(str(model))
    words = corpus_text("fr").split()
    rng = random.Random(seed)
    sentences: list[str] = []
    seen: set[str] = set()
    while len(sentences) < count:
        picked: list[str] = []
        while True:
            candidate = [*picked, rng.choice(words)]
            size = len(tokenizer(" ".join(candidate)).input_ids)
            if size > INPUT_TOKENS:
                break
            picked = candidate
            if size == INPUT_TOKENS:
                break
        text = " ".join(picked)
        if len(tokenizer(text).input_ids) == INPUT_TOKENS and text not in seen:
            seen.add(text)
            sentences.append(text)
    return sentences


def bench_settings(
    back: Path,
    ret: Path,
    *,
    backend: str,
    compute_type: str,
    batch_size: int,
    threads: int,
    beams: int,
) -> Settings:
    return Settings(
        back_model=str(back),
        return_model=str(ret),
        backend=backend,
        compute_type=compute_type,
        batch_size=batch_size,
        threads=threads,
        num_beams=beams,
        grammar=False,
        cache_dir=str(work_dir() / "cache"),
    )


def flops_per_segment(shape: Shape, beams: int) -> float:
    """Multiply-adds ×2 of one round trip: two translations (encode 25 and 30 tokens,
    generate 30 with `beams` beams) and one forced decoding of 25 tokens given 30."""
    d, ffn, layers, vocab = shape.d_model, shape.ffn, shape.layers, shape.vocab
    encoder_token = layers * (4 * d * d + 2 * d * ffn)
    decoder_token = layers * (6 * d * d + 2 * d * ffn) + d * vocab
    cross_kv = layers * 2 * d * d  # per source token, once per sequence
    back = INPUT_TOKENS * (encoder_token + cross_kv) + beams * OUTPUT_TOKENS * decoder_token
    ret = OUTPUT_TOKENS * (encoder_token + cross_kv) + beams * OUTPUT_TOKENS * decoder_token
    score = OUTPUT_TOKENS * (encoder_token + cross_kv) + INPUT_TOKENS * decoder_token
    return 2.0 * (back + ret + score)


def emit_report(report: dict[str, object], json_path: str | None) -> int:
    """Print a benchmark's report as JSON (and write it to `json_path`): exit code 0."""
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if json_path:
        Path(json_path).write_text(text + "\n", encoding="utf-8")
    return 0
