"""CTranslate2 backend: the same Marian model, converted once, run 3-4x faster on CPU.

Tokens come from the model's own SentencePiece and vocabulary exactly as in the transformers
backend (same ids, same spans), and batches are formed the same way, so float32 results
equal the transformers backend's; int8 trades a little agreement for speed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mtreview.backends.base import (
    EOS_TEXT,
    BatchedTranslator,
    ScoredText,
    TokenScore,
    first_line,
    model_failures,
    quiet_loader_logs,
    run_unique,
)
from mtreview.backends.fingerprint import model_fingerprint
from mtreview.backends.hf import (
    HINT,
    check_target_token,
    resolve_model,
    target_pieces,
    with_target_token,
)
from mtreview.backends.hub import cached_snapshot
from mtreview.errors import ModelError, SettingsError

COMPUTE_TYPES = ("auto", "int8", "float32")
MAX_WORKERS = 4  # parallel sub-batches; threads beyond go to each worker's own ops
MIN_ROWS_PER_WORKER = 4  # smaller sub-batches cost more than they save
# generation settings of the model's generation_config.json that CTranslate2 also knows
GENERATION_OPTIONS = {
    "length_penalty": "length_penalty",
    "repetition_penalty": "repetition_penalty",
    "no_repeat_ngram_size": "no_repeat_ngram_size",
}


def resolve_compute_type(compute_type: str) -> str:
    """`auto` is int8 where this CPU supports it (it does on x86-64), else float32."""
    if compute_type not in COMPUTE_TYPES:
        raise SettingsError(
            f"unknown compute type {compute_type!r} (choose from {', '.join(COMPUTE_TYPES)})"
        )
    if compute_type != "auto":
        return compute_type
    import ctranslate2

    return "int8" if "int8" in ctranslate2.get_supported_compute_types("cpu") else "float32"


def model_slug(model: str) -> str:
    """The model's part of its conversions' folder names."""
    local = Path(model).expanduser()
    label = local.resolve().name if local.is_dir() else model
    return re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("_")[:60] or "model"


def converted_dir(model: str, compute_type: str, cache_dir: Path) -> Path:
    """Where the conversion of (model, revision, compute type) lives in the cache."""
    key = model_fingerprint(model).split(":", 1)[1][:16]
    return cache_dir / "ct2" / f"{model_slug(model)}-{key}-{compute_type}"


def conversion_pattern(model: str | None = None) -> re.Pattern[str]:
    """Matches the conversion folder names of one model (any revision), or of any."""
    slug = re.escape(model_slug(model)) if model else r".+"
    types = "|".join(t for t in COMPUTE_TYPES if t != "auto")
    return re.compile(rf"{slug}-[0-9a-z]{{1,16}}-({types})")


def convert_once(model: str, compute_type: str, cache_dir: Path) -> Path:
    """Convert into a temporary folder and rename it into place: safe when several
    processes (Ray actors) convert the same model at once."""
    target = converted_dir(model, compute_type, cache_dir)
    if (target / "model.bin").is_file():
        return target
    from ctranslate2.converters import TransformersConverter

    made = [folder for folder in (target.parent, *target.parent.parents) if not folder.exists()]
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(target)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        try:
            with quiet_loader_logs():
                converter = TransformersConverter(model)
                converter.convert(str(temp), quantization=compute_type, force=True)
        except Exception as exc:  # the converter runs transformers and torch: any of theirs
            shutil.rmtree(temp, ignore_errors=True)
            for folder in made:  # a refused model leaves no folder behind (empty ones only)
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise ModelError(f"{model}: cannot convert to CTranslate2: {first_line(exc)}") from None
        try:
            os.replace(temp, target)
        except OSError:  # another process finished first: use its conversion
            if not (target / "model.bin").is_file():
                raise ModelError(f"{model}: cannot write CTranslate2 model {target}") from None
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return target


STALE_SECONDS = 3600  # a conversion takes seconds: a temporary folder this old was left


def _remove_stale(target: Path) -> None:
    """Temporary folders of conversions killed midway (another process's recent one may
    still be in use: left alone)."""
    for old in target.parent.glob(f".{target.name}.*"):
        with contextlib.suppress(OSError):
            if time.time() - old.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(old, ignore_errors=True)


def load_tokenizer(model: str) -> Any:
    from transformers import MarianTokenizer

    source, _is_local = resolve_model(model)
    try:
        with quiet_loader_logs():
            return MarianTokenizer.from_pretrained(source)
    except OSError as exc:
        raise ModelError(f"cannot load tokenizer of {model!r}: {first_line(exc)}; {HINT}") from None
    except Exception as exc:  # what the checks cannot foresee, from any loader: one line
        raise ModelError(
            f"{model}: cannot load the tokenizer ({type(exc).__name__}: {first_line(exc)})"
        ) from None


def shipped_generation_config(model: str) -> dict[str, Any]:
    folder = cached_snapshot(model) or Path(model).expanduser()
    path = folder / "generation_config.json"
    if not path.is_file():
        return {}
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return config if isinstance(config, dict) else {}


def generation_options(model: str) -> dict[str, Any]:
    """Beam-search settings the model ships with, so both backends search alike."""
    config = shipped_generation_config(model)
    return {ours: config[theirs] for theirs, ours in GENERATION_OPTIONS.items() if theirs in config}


def shipped_length_limit(model: str) -> int | None:
    """The model's own `max_length` for generation (transformers honours it too)."""
    limit = shipped_generation_config(model).get("max_length")
    return limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 2 else None


def split_threads(threads: int) -> tuple[int, int]:
    """(workers, threads per worker). CTranslate2's ops scale poorly over threads at the
    batch sizes of an analysis, so threads go first to workers that each take a share of a
    batch: on 2 cores, 2 single-threaded workers decode a batch of 10 1.6-1.8x faster and a
    batch of 64 1.2x faster than 1 worker with 2 threads (`benchmarks/measure.py workers`)."""
    from mtreview.settings import available_cores

    available = threads if threads > 0 else available_cores()
    workers = max(1, min(MAX_WORKERS, available))
    return workers, max(1, available // workers)


class CT2MarianBackend(BatchedTranslator):
    """One `ctranslate2.Translator` per model and process; threads from the settings."""

    name = "ct2"

    def __init__(
        self,
        model: str,
        *,
        threads: int = 0,
        max_length: int = 256,
        compute_type: str = "auto",
        cache_dir: str | Path = "",
        target_token: str = "",
        fixed_length: int | None = None,
    ) -> None:
        resolve_model(model)  # a missing or broken model fails before CTranslate2 is imported
        import ctranslate2

        self.model_id = model
        self.max_length = max_length
        self.target_token = target_token
        self.fixed_length = fixed_length  # benchmarks only, as in the hf backend
        self.compute_type = resolve_compute_type(compute_type)
        self.tokenizer = load_tokenizer(model)
        check_target_token(self.tokenizer, model, target_token)
        self.revision = model_fingerprint(model)
        folder = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
        path = convert_once(model, self.compute_type, folder)
        self.workers, per_worker = split_threads(threads)
        try:
            self.translator = ctranslate2.Translator(
                str(path),
                device="cpu",
                compute_type=self.compute_type,
                intra_threads=per_worker,
                inter_threads=self.workers,
            )
        except Exception as exc:  # CTranslate2's own, whatever the conversion left
            raise ModelError(
                f"{model}: cannot load CTranslate2 model {path}: {first_line(exc)}"
            ) from None
        self.search = generation_options(model)
        self.length_limit = shipped_length_limit(model) or max_length

    def share(self, rows: int, limit: int) -> int:
        """Rows per sub-batch: the batch split evenly over the workers, which run at once."""
        parts = max(1, min(self.workers, rows // MIN_ROWS_PER_WORKER))
        return max(1, min(limit, -(-rows // parts)))

    # --- tokens --------------------------------------------------------------------------
    def source_tokens(self, texts: Sequence[str]) -> list[list[str]]:
        """Source pieces with EOS (and the target token), as the transformers backend
        feeds the encoder."""
        inputs = with_target_token(texts, self.target_token)
        ids = self.tokenizer(inputs, truncation=True, max_length=self.max_length)
        return [self.tokenizer.convert_ids_to_tokens(row) for row in ids["input_ids"]]

    def detokenize(self, tokens: Sequence[str]) -> str:
        ids = self.tokenizer.convert_tokens_to_ids(list(tokens))
        return str(self.tokenizer.decode(ids, skip_special_tokens=True))

    # --- translation -------------------------------------------------------------------
    def _generate(self, texts: list[str], n: int, beams: int) -> list[list[str]]:
        with model_failures(self.model_id, "translating"):
            return self._generate_batch(texts, n, beams)

    def _generate_batch(self, texts: list[str], n: int, beams: int) -> list[list[str]]:
        sources = self.source_tokens(texts)
        longest = max(len(tokens) for tokens in sources)
        if self.fixed_length:
            lengths = {
                "min_decoding_length": self.fixed_length,
                "max_decoding_length": self.fixed_length,
            }
        else:  # transformers counts the start token and ends with a forced EOS: 2 fewer
            cap = min(self.max_length, self.length_limit, 2 * longest + 10)
            lengths = {"max_decoding_length": max(1, cap - 2)}
        results = self.translator.translate_batch(
            sources,
            beam_size=beams,
            num_hypotheses=n,
            max_batch_size=self.share(len(sources), len(sources)),
            max_input_length=0,
            return_scores=False,
            **lengths,
            **self.search,
        )
        return [[self.detokenize(h) for h in result.hypotheses] for result in results]

    # --- forced decoding -----------------------------------------------------------------
    def score(
        self, sources: Sequence[str], targets: Sequence[str], *, batch_size: int = 16
    ) -> list[ScoredText]:
        if len(sources) != len(targets):
            raise ModelError(f"score: {len(sources)} sources but {len(targets)} targets")

        def compute(unique: list[tuple[str, str]]) -> list[object]:
            with model_failures(self.model_id, "scoring"):
                return list(self._score(unique, batch_size))

        pairs = list(zip(sources, targets, strict=True))
        return run_unique(pairs, compute)  # type: ignore[return-value]

    def _score(self, pairs: list[tuple[str, str]], batch_size: int) -> list[ScoredText]:
        encoded = [target_pieces(self.tokenizer, target, self.max_length) for _, target in pairs]
        # CTranslate2 adds the start and end tokens itself
        targets = [self.tokenizer.convert_ids_to_tokens(ids[:-1]) for ids, _, _ in encoded]
        results = self.translator.score_batch(
            self.source_tokens([source for source, _ in pairs]),
            targets,
            max_batch_size=self.share(len(pairs), batch_size),
            max_input_length=0,
        )
        scored = []
        for (_, target), (_, pieces, truncated), result in zip(
            pairs, encoded, results, strict=True
        ):
            values = [float(v) for v in result.log_probs]
            tokens = [
                TokenScore(target[s:e], s, e, v)
                for (_, s, e), v in zip(pieces, values, strict=False)
            ]
            tokens.append(TokenScore(EOS_TEXT, len(target), len(target), values[-1]))
            scored.append(ScoredText(tuple(tokens), sum(values) / len(values), truncated))
        return scored


def default_cache_dir() -> Path:
    from mtreview.settings import Settings

    return Settings().resolved_cache_dir()
