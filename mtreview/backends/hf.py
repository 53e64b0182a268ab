"""transformers MarianMT backend: `generate()` for translation, logits for forced decoding."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mtreview.backends.base import (
    EOS_TEXT,
    BatchedTranslator,
    ScoredText,
    TokenScore,
    char_offsets_from_bytes,
    first_line,
    length_batches,
    model_failures,
    quiet_loader_logs,
    run_unique,
    trim_span,
)
from mtreview.backends.hub import (
    RemoteModel,
    cached_snapshot,
    download_file,
    is_offline,
    remote_model,
)
from mtreview.backends.marian_files import (
    OPTIONAL_FILES,
    TOKENIZER_FILES,
    WEIGHT_FILES,
    check_model_dir,
    config_problem,
)
from mtreview.errors import ModelError

HINT = (
    "run `mtreview models fetch`, or give a local model directory (e.g. --back-model DIR), or "
    "put the model in the Hugging Face cache and set HF_HUB_OFFLINE=1, or run with --no-models"
)
HINT_REPAIR = "run `mtreview models fetch {model}` to repair it"


def resolve_model(model: str) -> tuple[str, bool]:
    """(what transformers should load, whether it is a local directory), after checking
    what is on this machine: a local directory, or a hub model's snapshot (cached, or
    downloaded here first), must be a whole, sound Marian model (`check_model_dir`: the
    one gate before transformers, torch or CTranslate2 read a model's files); a path that
    does not exist is an error."""
    local = Path(model).expanduser()
    if local.is_dir():
        check_model_dir(local, safetensors_only=True)
        return str(local), True
    if local.exists() or model.startswith((".", "/", "~")):
        raise ModelError(f"{model}: model directory not found ({HINT})")
    snapshot = cached_snapshot(model)
    if snapshot is None and is_offline():
        raise ModelError(
            f"cannot load model {model!r}: not on this machine (HF_HUB_OFFLINE is set); {HINT}"
        )
    if snapshot is None:  # download it here, to check it before transformers reads it
        try:
            remote = remote_model(model)
        except ModelError as exc:  # fail in one line, and fast, if it cannot be had
            raise type(exc)(f"{exc}; {HINT}") from None
        snapshot = download_for_loading(remote)
    check_model_dir(snapshot, label=f"model {model!r} ({HINT_REPAIR.format(model=model)})")
    return model, False


def download_for_loading(remote: RemoteModel) -> Path:
    """The files a Marian model loads from, into the Hugging Face cache: config.json first
    (a config mtreview refuses stops the download before the weights), then the tokenizer's
    and the optional files the hub has, then one weights file (safetensors preferred)."""
    listed = {file.path for file in remote.files}
    weights = next((name for name in WEIGHT_FILES if name in listed), WEIGHT_FILES[0])
    snapshot: Path | None = None
    for name in ("config.json", *TOKENIZER_FILES, *OPTIONAL_FILES, weights):
        if name not in listed:
            continue
        snapshot = download_file(remote.name, "main", name).parent
        problem = config_problem(snapshot) if name == "config.json" else None
        if problem:
            raise ModelError(f"model {remote.name!r}: {problem}")
    if snapshot is None:
        raise ModelError(f"{remote.name}: not a transformers model on the hub (no config.json)")
    return snapshot


def load_marian(model: str) -> tuple[Any, Any]:
    """(tokenizer, model) from a local directory or a hub name; clear errors, no traceback."""
    source, is_local = resolve_model(model)
    try:
        with quiet_loader_logs():
            return _from_pretrained(source, is_local)
    except OSError as exc:  # a file missing or unreadable, a hub that cannot serve it
        offline = " (HF_HUB_OFFLINE is set)" if os.environ.get("HF_HUB_OFFLINE") else ""
        raise ModelError(
            f"cannot load model {model!r}{offline}: {first_line(exc)}; {HINT}"
        ) from None
    except Exception as exc:  # what the checks cannot foresee, from any loader: one line
        raise ModelError(
            f"{model}: cannot load the model ({type(exc).__name__}: {first_line(exc)})"
        ) from None


def _from_pretrained(source: str, is_local: bool) -> tuple[Any, Any]:
    from transformers import MarianMTModel, MarianTokenizer

    if not is_local:  # fail with the hub's own reason before half-loading
        from transformers.utils import cached_file

        cached_file(source, "config.json")
    tokenizer = MarianTokenizer.from_pretrained(source)
    network = MarianMTModel.from_pretrained(source, use_safetensors=is_local or None)
    network.eval()
    return tokenizer, network


def check_target_token(tokenizer: Any, model: str, token: str) -> None:
    """A multilingual model needs its target token, and only one it knows."""
    codes = sorted(getattr(tokenizer, "supported_language_codes", None) or ())
    if token and token not in tokenizer.get_vocab():
        known = ", ".join(codes[:8]) + (" …" if len(codes) > 8 else "") if codes else "none"
        raise ModelError(
            f"model {model!r} has no target token {token} in its vocabulary (it has: {known})"
        )
    if not token and len(codes) > 1:
        raise ModelError(
            f"model {model!r} translates into several languages and needs a target token "
            f"(one of {', '.join(codes[:8])}{' …' if len(codes) > 8 else ''}): add a row to "
            "the model table or set back_token / return_token / source_token"
        )


def with_target_token(texts: Sequence[str], token: str) -> list[str]:
    """Inputs as a multilingual model reads them: `>>id<< text`. The token is on the input
    side only, so target tokens, offsets and log-probabilities never see it."""
    return [f"{token} {text}" for text in texts] if token else list(texts)


def encode_proto(processor: Any, text: str) -> Any:
    """SentencePiece pieces with byte offsets (the API name changed across versions)."""
    try:
        return processor.encode(text, return_type="proto")
    except (TypeError, ValueError):  # sentencepiece < 0.2.1
        return processor.encode(text, out_type="immutable_proto")


def target_pieces(
    tokenizer: Any, text: str, max_length: int
) -> tuple[list[int], list[tuple[str, int, int]], bool]:
    """Target token ids (EOS last) with each piece's code-point span in `text`.

    Shared by every backend that runs a Marian model, so their tokens and spans agree."""
    proto = encode_proto(tokenizer.spm_target, text)
    offsets = char_offsets_from_bytes(text)
    pieces = [(p.piece, *trim_span(text, offsets[p.begin], offsets[p.end])) for p in proto.pieces]
    truncated = len(pieces) > max_length - 1
    pieces = pieces[: max_length - 1]
    ids = [int(i) for i in tokenizer.convert_tokens_to_ids([p[0] for p in pieces])]
    return [*ids, int(tokenizer.eos_token_id)], pieces, truncated


class HFMarianBackend(BatchedTranslator):
    """Loads the model and tokenizer once; batches by length; no gradients."""

    name = "hf"

    def __init__(
        self,
        model: str,
        *,
        threads: int = 0,
        max_length: int = 256,
        target_token: str = "",
        fixed_length: int | None = None,
    ) -> None:
        resolve_model(model)  # a missing or broken model fails before torch is imported
        import torch

        if threads > 0:
            torch.set_num_threads(threads)
        self.model_id = model
        self.max_length = max_length
        self.target_token = target_token
        # benchmarks only: generate exactly this many tokens, so random weights fix the work
        self.fixed_length = fixed_length
        self.tokenizer, self.model = load_marian(model)
        check_target_token(self.tokenizer, model, target_token)
        # the model's own generation limit bounds ours (opus-mt ships 512; tiny test models less)
        shipped = getattr(self.model.generation_config, "max_length", None)
        self.length_limit = shipped if isinstance(shipped, int) and shipped > 2 else max_length
        self._torch = torch

    @property
    def revision(self) -> str:
        return str(getattr(self.model.config, "_commit_hash", None) or "local")

    # --- translation -------------------------------------------------------------------
    def _generate(self, texts: list[str], n: int, beams: int) -> list[list[str]]:
        with model_failures(self.model_id, "translating"), self._torch.inference_mode():
            batch = self.tokenizer(
                with_target_token(texts, self.target_token),
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=self.max_length,
            )
            longest = int(batch["input_ids"].shape[1])
            lengths: dict[str, int] = (
                {"min_new_tokens": self.fixed_length, "max_new_tokens": self.fixed_length}
                if self.fixed_length
                else {"max_length": min(self.max_length, self.length_limit, 2 * longest + 10)}
            )
            generated = self.model.generate(
                **batch, num_beams=beams, num_return_sequences=n, **lengths
            )
        flat = list(self.tokenizer.batch_decode(generated, skip_special_tokens=True))
        return [flat[row * n : (row + 1) * n] for row in range(len(texts))]

    # --- forced decoding -----------------------------------------------------------------
    def target_pieces(self, text: str) -> tuple[list[int], list[tuple[str, int, int]], bool]:
        """Target token ids (EOS last) with each piece's code-point span in `text`."""
        return target_pieces(self.tokenizer, text, self.max_length)

    def score(
        self, sources: Sequence[str], targets: Sequence[str], *, batch_size: int = 16
    ) -> list[ScoredText]:
        if len(sources) != len(targets):
            raise ModelError(f"score: {len(sources)} sources but {len(targets)} targets")

        def compute(unique: list[tuple[str, str]]) -> list[object]:
            results: list[object] = [None] * len(unique)
            lengths = [len(s) + len(t) for s, t in unique]
            for batch in length_batches(lengths, batch_size):
                for index, scored in zip(
                    batch, self._score([unique[i] for i in batch]), strict=True
                ):
                    results[index] = scored
            return results

        pairs = list(zip(sources, targets, strict=True))
        return run_unique(pairs, compute)  # type: ignore[return-value]

    def _score(self, pairs: list[tuple[str, str]]) -> list[ScoredText]:
        with model_failures(self.model_id, "scoring"):
            return self._score_batch(pairs)

    def _score_batch(self, pairs: list[tuple[str, str]]) -> list[ScoredText]:
        torch = self._torch
        encoded = [self.target_pieces(target) for _, target in pairs]
        width = max(len(ids) for ids, _, _ in encoded)
        pad = int(self.tokenizer.pad_token_id)
        labels = torch.full((len(pairs), width), pad, dtype=torch.long)
        for row, (ids, _, _) in enumerate(encoded):
            labels[row, : len(ids)] = torch.tensor(ids)
        start = int(self.model.config.decoder_start_token_id)
        decoder_inputs = torch.cat(
            [torch.full((len(pairs), 1), start, dtype=torch.long), labels[:, :-1]], dim=1
        )
        with torch.inference_mode():
            batch = self.tokenizer(
                with_target_token([source for source, _ in pairs], self.target_token),
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=self.max_length,
            )
            logits = self.model(**batch, decoder_input_ids=decoder_inputs).logits.float()
            # <pad> only starts the decoder and is never generated (Marian has no such
            # token): leave it out of the distribution, as generation and CTranslate2 do
            logits[..., pad] = float("-inf")
            logprobs = torch.log_softmax(logits, dim=-1)
            chosen = logprobs.gather(-1, labels.unsqueeze(-1)).squeeze(-1)
        results = []
        for row, ((_, target), (ids, pieces, truncated)) in enumerate(
            zip(pairs, encoded, strict=True)
        ):
            values = chosen[row, : len(ids)].tolist()
            tokens = [
                TokenScore(target[s:e], s, e, float(v))
                for (_, s, e), v in zip(pieces, values, strict=False)
            ]
            tokens.append(TokenScore(EOS_TEXT, len(target), len(target), float(values[-1])))
            results.append(ScoredText(tuple(tokens), float(sum(values) / len(values)), truncated))
        return results
