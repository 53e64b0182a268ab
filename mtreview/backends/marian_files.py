"""What a Marian model directory must hold, checked before transformers, torch or
CTranslate2 read it: the one gate every backend goes through (`resolve_model`).

A half-downloaded, corrupt, hand-edited or hostile model then fails with one line that
names the file and what is wrong, instead of a traceback from deep inside a loader, a hang
or memory growing until the machine gives out. Checked, reading headers only (never the
weights): the files are there and parse; config.json's values have the right type, lie
within limits far above any opus-mt model and agree with each other
(`marian_config`); the vocabulary, the tokenizer settings and both SentencePiece models
agree with each other and with the config (`marian_vocab`); every tensor the safetensors
header lists has the size its dtype and shape say, and the embedding and layer tensors
have the shapes the config gives.
"""

from __future__ import annotations

import functools
import json
import math
import re
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mtreview.backends import marian_vocab
from mtreview.backends.fingerprint import Stamp, folder_stamp
from mtreview.backends.marian_config import (
    ConfigProblem,
    ModelShape,
    generation_values,
    model_shape,
    shown,
)
from mtreview.errors import ModelError

TOKENIZER_FILES = ("source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
OPTIONAL_FILES = (  # read by the loaders when present, so checked when present
    "generation_config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "target_vocab.json",
)
SAFETENSORS_HEADER_LIMIT = 100_000_000  # larger headers are not a model we wrote or fetched
DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1}
DTYPE_BYTES |= {"U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1}
EMBEDDINGS = (  # names of the token embeddings (tied: any one of them holds all)
    "shared.weight",
    "encoder.embed_tokens.weight",
    "decoder.embed_tokens.weight",
    "lm_head.weight",
)
LAYER_KEY = re.compile(r"(encoder|decoder)\.layers\.(\d{1,6})\.(.+)")

Problem = tuple[str, str]  # (file, what is wrong with it); file "" for the directory


def check_model_dir(
    path: Path, *, label: str | None = None, safetensors_only: bool = False
) -> None:
    """Raise ModelError naming `label` (default: the file's path) and the first problem."""
    found = _first_problem(path, safetensors_only=safetensors_only)
    if found is None:
        return
    file, problem = found
    if label:
        raise ModelError(f"{label}: {file + ': ' if file else ''}{problem}")
    raise ModelError(f"{path / file if file else path}: {problem}")


def model_dir_problem(path: Path, *, safetensors_only: bool = False) -> str | None:
    """What keeps `path` from being a loadable Marian model, or None. Cheap: reads the
    configs, the vocabulary, the SentencePiece models and the safetensors header, never
    the weights; memoised on the files' sizes and times."""
    found = _first_problem(path, safetensors_only=safetensors_only)
    return None if found is None else f"{found[0] + ': ' if found[0] else ''}{found[1]}"


def config_problem(path: Path) -> str | None:
    """config.json must be there, be a JSON object, describe a Marian model and have
    values mtreview can build (checked before any weights are fetched)."""
    try:
        _config_shape(path)
    except ConfigProblem as exc:
        file, problem = _located("config.json", exc)
        return f"{file + ': ' if file else ''}{problem}"
    return None


class DirectoryProblem(ConfigProblem):
    """A problem of the directory as a whole (a file missing), not of a file's content."""


def _located(file: str, problem: ConfigProblem) -> Problem:
    return ("" if isinstance(problem, DirectoryProblem) else file), str(problem)


def _first_problem(path: Path, *, safetensors_only: bool) -> Problem | None:
    try:
        stamp = folder_stamp(path)
    except OSError as exc:
        return "", f"cannot be read ({exc.strerror or exc})"
    return _problem(str(path), stamp, safetensors_only)


@functools.lru_cache(maxsize=64)
def _problem(folder: str, _stamp: Stamp, safetensors_only: bool) -> Problem | None:
    """The first problem of the directory, file by file in the order the loaders read
    them (memoised on the files' names, sizes and times: `_stamp`)."""
    path = Path(folder)
    try:
        shape = _config_shape(path)
    except ConfigProblem as exc:
        return _located("config.json", exc)
    for name in TOKENIZER_FILES:
        if not (path / name).is_file():
            return "", f"not a Marian model directory (no {name})"
    for file, check in _TokenizerFiles(path, shape).checks():
        try:
            check()
        except ConfigProblem as exc:
            return _located(file, exc)
    return _weights_problem(path, shape, safetensors_only)


def _config_shape(path: Path) -> ModelShape:
    config_file = path / "config.json"
    if not config_file.is_file():
        raise DirectoryProblem("not a Marian model directory (no config.json)")
    try:
        config = marian_vocab.json_object(config_file)
    except ConfigProblem:
        raise ConfigProblem("is not valid JSON (corrupt)") from None
    model_type = config.get("model_type")
    if model_type != "marian":
        raise DirectoryProblem(
            f"model_type is {model_type!r:.40}, expected 'marian' (another architecture)"
        )
    return model_shape(config)


class _TokenizerFiles:
    """The generation settings and the tokenizer's files, each checked in turn: what one
    check reads (the vocabulary, the tokens added) the later ones compare against."""

    def __init__(self, path: Path, shape: ModelShape) -> None:
        self.path = path
        self.shape = shape
        self.configs: list[dict[str, Any]] = []
        self.added: set[int] = set()
        self.separate = False
        self.vocab: dict[str, int] = {}
        self.target: dict[str, int] | None = None
        self.target_pieces = 0

    def checks(self) -> Iterator[tuple[str, Callable[[], None]]]:
        """Lazily: which file holds the output vocabulary is known once its config is read."""
        optional = [
            ("generation_config.json", self.generation),
            ("tokenizer_config.json", self.tokenizer_config),
            ("special_tokens_map.json", self.special_map),
            ("added_tokens.json", self.added_tokens),
        ]
        yield from ((file, check) for file, check in optional if (self.path / file).is_file())
        yield "vocab.json", self.read_vocab
        yield "target_vocab.json", self.read_target_vocab
        yield "source.spm", self.read_source_spm
        yield "target.spm", self.read_target_spm
        yield ("target_vocab.json" if self.separate else "vocab.json"), self.unmapped

    def generation(self) -> None:
        config = marian_vocab.json_object(self.path / "generation_config.json")
        generation_values(config, self.shape, token_ids=True)

    def tokenizer_config(self) -> None:
        config = marian_vocab.json_object(self.path / "tokenizer_config.json")
        self.configs.append(config)
        self.added |= marian_vocab.tokenizer_settings(config, self.shape)
        self.separate = bool(config.get("separate_vocabs"))

    def special_map(self) -> None:
        self.configs.append(marian_vocab.json_object(self.path / "special_tokens_map.json"))

    def added_tokens(self) -> None:
        added = marian_vocab.read_json(self.path / "added_tokens.json")
        self.added |= marian_vocab.added_tokens_file(added, self.shape)

    def read_vocab(self) -> None:
        size = self.shape.vocab_size
        self.vocab = marian_vocab.vocabulary(self.path / "vocab.json", size, "vocab_size")
        specials = marian_vocab.special_tokens(*self.configs)
        marian_vocab.missing_specials(self.vocab, specials)

    def read_target_vocab(self) -> None:
        if not self.separate:
            return
        if not (self.path / "target_vocab.json").is_file():
            raise DirectoryProblem(
                "tokenizer_config.json says separate_vocabs but there is no target_vocab.json"
            )
        size = self.shape.decoder_vocab_size
        self.target = marian_vocab.vocabulary(
            self.path / "target_vocab.json", size, "decoder_vocab_size"
        )

    def read_source_spm(self) -> None:
        marian_vocab.sentencepiece_pieces(self.path / "source.spm")

    def read_target_spm(self) -> None:
        self.target_pieces = marian_vocab.sentencepiece_pieces(self.path / "target.spm")

    def unmapped(self) -> None:
        output = self.target if self.target is not None else self.vocab
        size = self.shape.decoder_vocab_size
        marian_vocab.unmapped_ids(output, size, self.added, self.target_pieces)


def _weights_problem(path: Path, shape: ModelShape, safetensors_only: bool) -> Problem | None:
    safetensors = path / "model.safetensors"
    if safetensors.is_file():
        problem = safetensors_problem(safetensors, shape)
        return ("model.safetensors", problem) if problem else None
    if safetensors_only:
        return "", "no model.safetensors (local models load from safetensors only)"
    if not (path / "pytorch_model.bin").is_file():
        return "", f"no weights ({' or '.join(WEIGHT_FILES)}): incomplete download?"
    return None


def safetensors_problem(path: Path, shape: ModelShape | None = None) -> str | None:
    """The header must parse, its tensors must tile the file exactly as their dtypes and
    shapes say, and (given the config's shape) agree with the config."""
    try:
        header, length, size = _read_header(path)
    except ConfigProblem as exc:
        return str(exc)
    try:
        end = _tensor_layout(header)
        if 8 + length + end != size:
            return f"is {size} bytes, its header says {8 + length + end} (truncated or corrupt)"
        if shape is not None:
            _agrees_with_config(header, shape)
    except ConfigProblem as exc:
        return str(exc)
    return None


def _read_header(path: Path) -> tuple[dict[str, Any], int, int]:
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            prefix = handle.read(8)
            if len(prefix) < 8:
                raise ConfigProblem("is truncated (corrupt)")
            (length,) = struct.unpack("<Q", prefix)
            if length > min(SAFETENSORS_HEADER_LIMIT, size - 8):
                raise ConfigProblem("has a bad header (corrupt or truncated)")
            header = json.loads(handle.read(length).decode("utf-8"))
    except OSError as exc:
        raise ConfigProblem(f"cannot be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ConfigProblem("has a bad header (corrupt)") from None
    if not isinstance(header, dict):
        raise ConfigProblem("has a bad header (corrupt)")
    return header, length, size


def _tensor_layout(header: dict[str, Any]) -> int:
    """Where the tensors' data ends; each tensor's bytes must match its dtype and shape,
    and the tensors must follow each other with no gap or overlap."""
    spans = []
    for key, info in header.items():
        if key == "__metadata__":
            continue
        try:
            dtype, dims, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        except (TypeError, KeyError, ValueError):
            raise ConfigProblem(f"has a bad header entry for {shown(key)} (corrupt)") from None
        if (
            not isinstance(dtype, str)
            or dtype not in DTYPE_BYTES
            or not isinstance(dims, list)
            or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in dims)
            or not all(isinstance(o, int) and not isinstance(o, bool) for o in (begin, end))
            or end - begin != math.prod(dims) * DTYPE_BYTES[dtype]
            or begin < 0
        ):
            raise ConfigProblem(f"has a bad header entry for {shown(key)} (corrupt)")
        spans.append((begin, end))
    position = 0
    for begin, end in sorted(spans):
        if begin != position:
            raise ConfigProblem("has tensors that overlap or leave gaps (corrupt)")
        position = end
    return position


def _agrees_with_config(header: dict[str, Any], shape: ModelShape) -> None:
    """Embeddings, positions and every layer's tensors have the config's sizes, and there
    are as many layers as it says."""
    d = shape.d_model
    expected = {
        "shared.weight": [shape.vocab_size, d],
        "encoder.embed_tokens.weight": [shape.vocab_size, d],
        "decoder.embed_tokens.weight": [shape.decoder_vocab_size, d],
        "lm_head.weight": [shape.decoder_vocab_size, d],
        "final_logits_bias": [1, shape.decoder_vocab_size],
        "encoder.embed_positions.weight": [shape.max_position_embeddings, d],
        "decoder.embed_positions.weight": [shape.max_position_embeddings, d],
    }
    layers: dict[str, set[int]] = {"encoder": set(), "decoder": set()}
    tensors = {key.removeprefix("model."): info for key, info in header.items()}
    for key, info in tensors.items():
        match = LAYER_KEY.fullmatch(key)
        want = expected.get(key)
        if match:
            side, index, name = match[1], int(match[2]), match[3]
            layers[side].add(index)
            ffn = shape.encoder_ffn_dim if side == "encoder" else shape.decoder_ffn_dim
            want = _layer_tensor_shape(name, d, ffn)
        if want is not None and info["shape"] != want:
            raise ConfigProblem(
                f"{key} has shape {info['shape']}, config.json says {want} (another model's "
                "weights, or a changed config)"
            )
    if not any(name in tensors for name in EMBEDDINGS):
        raise ConfigProblem("has no embedding matrix (shared.weight): not a Marian model's weights")
    for side, count in (("encoder", shape.encoder_layers), ("decoder", shape.decoder_layers)):
        if layers[side] != set(range(count)):
            raise ConfigProblem(
                f"holds {len(layers[side])} {side} layers, config.json's {side}_layers is {count}"
            )


def _layer_tensor_shape(name: str, d: int, ffn: int) -> list[int] | None:
    if name.endswith("_proj.weight"):
        return [d, d]
    if name.endswith(("_proj.bias", "layer_norm.weight", "layer_norm.bias", "fc2.bias")):
        return [d]
    return {"fc1.weight": [ffn, d], "fc1.bias": [ffn], "fc2.weight": [d, ffn]}.get(name)
