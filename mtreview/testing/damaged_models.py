"""Damaged copies of a good Marian model directory, for tests and fuzzing of model loading.

Each case copies the good directory and breaks one thing the way a half download, a bad
disk, a hand edit or a hostile file would: a file missing, truncated or garbage; a config
value of the wrong type or far out of range; a vocabulary that disagrees with the config or
the SentencePiece models; a safetensors header that disagrees with the config. Every one
must be refused in one line by mtreview (exit 2), never crash, hang or grow without bound.

Deterministic: the same good directory gives the same cases, byte for byte.
"""

from __future__ import annotations

import json
import random
import shutil
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

Damage = Callable[[Path], None]
HUGE = 9223372036854775808  # 2**63: one past int64, as the fuzz found
# cases the directory checks let through, refused by the loaders' backstop (one line too)
PAST_THE_CHECKS = ("config-use_return_dict-set", "config-attn_implementation-unknown")


# --- small editors ---------------------------------------------------------------------------
def _remove(name: str) -> Damage:
    return lambda folder: (folder / name).unlink()


def _write(name: str, data: bytes) -> Damage:
    def damage(folder: Path) -> None:
        (folder / name).write_bytes(data)

    return damage


def _truncate(name: str, keep: float) -> Damage:
    def damage(folder: Path) -> None:
        data = (folder / name).read_bytes()
        (folder / name).write_bytes(data[: int(len(data) * keep)])

    return damage


def _garbage(name: str, seed: int) -> Damage:
    def damage(folder: Path) -> None:
        size = (folder / name).stat().st_size
        (folder / name).write_bytes(random.Random(seed).randbytes(size))

    return damage


def _edit_json(name: str, edit: Callable[[Any], Any]) -> Damage:
    def damage(folder: Path) -> None:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
        (folder / name).write_text(json.dumps(edit(data)), encoding="utf-8")

    return damage


def _set(name: str, key: str, value: Any) -> Damage:
    return _edit_json(name, lambda data: {**data, key: value})


def _drop(name: str, key: str) -> Damage:
    return _edit_json(name, lambda data: {k: v for k, v in data.items() if k != key})


def _edit_header(edit: Callable[[dict[str, Any]], None]) -> Damage:
    """Rewrite model.safetensors' JSON header, the tensors' bytes as they were (an edit
    may drop tensors or change shapes: the remaining tensors are packed again)."""

    def damage(folder: Path) -> None:
        path = folder / "model.safetensors"
        raw = path.read_bytes()
        (length,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8 : 8 + length])
        data = {
            key: raw[8 + length + info["data_offsets"][0] : 8 + length + info["data_offsets"][1]]
            for key, info in header.items()
            if key != "__metadata__"
        }
        edit(header)
        body = b""
        for key, info in header.items():
            if key != "__metadata__":
                info["data_offsets"] = [len(body), len(body) + len(data[key])]
                body += data[key]
        encoded = json.dumps(header).encode()
        path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + body)

    return damage


def _misstate_bytes(header: dict[str, Any]) -> None:
    """One tensor's shape no longer matches its bytes."""
    info = header["final_logits_bias"]
    info["shape"] = [1, info["shape"][1] + 1]


def _transpose_embedding(header: dict[str, Any]) -> None:
    for key, info in header.items():
        if key.endswith("shared.weight"):
            info["shape"] = list(reversed(info["shape"]))


def _drop_embedding(header: dict[str, Any]) -> None:
    for key in [k for k in header if k.endswith(("shared.weight", "embed_tokens.weight"))]:
        del header[key]


def _drop_last_layer(header: dict[str, Any]) -> None:
    for key in [k for k in header if ".decoder.layers.1." in k]:
        del header[key]


def _shift_vocab(edit: Callable[[dict[str, int]], dict[str, Any]]) -> Damage:
    return _edit_json("vocab.json", edit)


def _without(token: str) -> Damage:
    return _shift_vocab(lambda vocab: {k: v for k, v in vocab.items() if k != token})


def _first_id_to(value: Any) -> Damage:
    """The first ordinary token's id replaced by `value`."""

    def edit(vocab: dict[str, Any]) -> dict[str, Any]:
        token = next(k for k in vocab if not k.startswith("<"))
        return {**vocab, token: value}

    return _shift_vocab(edit)


def _duplicate_id(vocab: dict[str, int]) -> dict[str, int]:
    """The token with id 3 given id 2 as well."""
    return {k: (2 if v == 3 else v) for k, v in vocab.items()}


def _gap_past_spm(vocab: dict[str, int]) -> dict[str, int]:
    """Every id from 3 up moved far past the config's vocab_size."""
    return {k: (v if v < 3 else v + 5000) for k, v in vocab.items()}


def _drop_highest_ordinary(vocab: dict[str, int]) -> dict[str, int]:
    """The highest id below <pad> left without a token: a model that outputs it makes the
    tokenizer ask the target SentencePiece model for a piece it does not have."""
    highest = max(v for k, v in vocab.items() if k != "<pad>")
    return {k: v for k, v in vocab.items() if v != highest}


# --- the cases -------------------------------------------------------------------------------
WRONG_TYPES: dict[str, Any] = {
    "string": "32",
    "float": 32.5,
    "bool": True,
    "null": None,
    "list": [32],
}
CONFIG_INT_FIELDS = (
    "vocab_size",
    "d_model",
    "encoder_layers",
    "decoder_layers",
    "encoder_attention_heads",
    "decoder_attention_heads",
    "encoder_ffn_dim",
    "decoder_ffn_dim",
    "max_position_embeddings",
    "pad_token_id",
    "eos_token_id",
    "decoder_start_token_id",
)


def damage_cases() -> dict[str, Damage]:
    """Case name -> what it does to a copy of a good model directory."""
    cases: dict[str, Damage] = {}
    for name in ("config.json", "vocab.json", "source.spm", "target.spm", "model.safetensors"):
        cases[f"missing-{name}"] = _remove(name)
    for name in ("source.spm", "target.spm"):
        cases[f"truncated-{name}"] = _truncate(name, 0.5)
        cases[f"garbage-{name}"] = _garbage(name, 1)
        cases[f"empty-{name}"] = _write(name, b"")
    cases.update(
        {
            "config-not-json": _write("config.json", b"{ not json"),
            "config-a-list": _write("config.json", b"[1, 2, 3]"),
            "config-not-utf8": _write("config.json", b'{"model_type": "\xff\xfe"}'),
            "config-other-architecture": _set("config.json", "model_type", "bert"),
        }
    )
    for field in CONFIG_INT_FIELDS:
        for kind, value in WRONG_TYPES.items():
            cases[f"config-{field}-{kind}"] = _set("config.json", field, value)
    out_of_range: dict[str, tuple[str, Any]] = {
        "decoder_layers-huge": ("decoder_layers", HUGE),
        "encoder_layers-huge": ("encoder_layers", 1_000_000),
        "decoder_layers-zero": ("decoder_layers", 0),
        "d_model-negative": ("d_model", -32),
        "d_model-huge": ("d_model", 10**9),
        "vocab_size-huge": ("vocab_size", 10**9),
        "vocab_size-small": ("vocab_size", 3),
        "decoder_vocab_size-string": ("decoder_vocab_size", "495"),
        "max_position_embeddings-huge": ("max_position_embeddings", 10**9),
        "encoder_ffn_dim-huge": ("encoder_ffn_dim", HUGE),
        "heads-not-dividing": ("decoder_attention_heads", 3),
        "heads-zero": ("encoder_attention_heads", 0),
        "pad_token_id-out-of-range": ("pad_token_id", 495),
        "pad_token_id-negative": ("pad_token_id", -1),
        "eos_token_id-out-of-range": ("eos_token_id", 10**6),
        "decoder_start_token_id-out-of-range": ("decoder_start_token_id", 495),
        "dropout-above-one": ("dropout", 1.5),
        "dropout-string": ("dropout", "0.1"),
        "attention_dropout-negative": ("attention_dropout", -0.1),
        "activation-unknown": ("activation_function", "nonsense"),
        "activation-number": ("activation_function", 3),
        "scale_embedding-string": ("scale_embedding", "yes"),
        "dtype-unknown": ("dtype", "float7"),
        "id2label-list": ("id2label", [1, 2]),
        "num_hidden_layers-huge": ("num_hidden_layers", HUGE),
        "quantization_config-string": ("quantization_config", "int4"),
        # values only the loaders judge: refused by their backstop, still in one line
        "use_return_dict-set": ("use_return_dict", True),
        "attn_implementation-unknown": ("attn_implementation", "bogus"),
        "hidden_size-other": ("hidden_size", 64),
    }
    for case, (field, value) in out_of_range.items():
        cases[f"config-{case}"] = _set("config.json", field, value)
    cases["config-no-d_model"] = _drop("config.json", "d_model")
    cases["config-too-many-parameters"] = _edit_json("config.json", _too_many_parameters)
    cases["config-layers-more-than-weights"] = _set("config.json", "decoder_layers", 3)
    cases["config-ffn-other-than-weights"] = _set("config.json", "encoder_ffn_dim", 128)
    cases.update(
        {
            "vocab-not-json": _write("vocab.json", b"{ not json"),
            "vocab-a-list": _write("vocab.json", b'["</s>", "<unk>"]'),
            "vocab-empty": _write("vocab.json", b"{}"),
            "vocab-no-unk": _without("<unk>"),
            "vocab-no-eos": _without("</s>"),
            "vocab-no-pad": _without("<pad>"),
            "vocab-id-past-vocab_size": _first_id_to(10_000),
            "vocab-id-negative": _first_id_to(-5),
            "vocab-id-string": _first_id_to("7"),
            "vocab-id-float": _first_id_to(7.5),
            "vocab-id-bool": _first_id_to(True),
            "vocab-id-null": _first_id_to(None),
            "vocab-duplicate-ids": _shift_vocab(_duplicate_id),
            "vocab-ids-past-spm": _shift_vocab(_gap_past_spm),
        }
    )

    cases["vocab-gap-past-spm"] = _shift_vocab(_drop_highest_ordinary)
    cases.update(
        {
            "safetensors-truncated": _truncate("model.safetensors", 0.7),
            "safetensors-header-garbage": _edit_bytes_after_length(b"{garbage"),
            "safetensors-header-length-huge": _write_length_prefix(2**62),
            "safetensors-empty": _write("model.safetensors", b""),
            "safetensors-embedding-transposed": _edit_header(_transpose_embedding),
            "safetensors-no-embedding": _edit_header(_drop_embedding),
            "safetensors-shape-not-its-bytes": _edit_header(_misstate_bytes),
            "safetensors-layer-missing": _edit_header(_drop_last_layer),
            "safetensors-pickle-only": _pickle_only,
        }
    )
    for case, (key, value) in {
        "max_length-string": ("max_length", "24"),
        "max_length-negative": ("max_length", -1),
        "num_beams-string": ("num_beams", "4"),
        "num_beams-zero": ("num_beams", 0),
        "pad_token_id-out-of-range": ("pad_token_id", 10**6),
        "eos_token_id-string": ("eos_token_id", "x"),
        "bad_words_ids-out-of-range": ("bad_words_ids", [[100_000]]),
        "bad_words_ids-flat": ("bad_words_ids", [494]),
        "length_penalty-string": ("length_penalty", "x"),
        "no_repeat_ngram_size-negative": ("no_repeat_ngram_size", -1),
        "do_sample-string": ("do_sample", "yes"),
        "max_length-float": ("max_length", 24.5),
        "max_length-null": ("max_length", None),
    }.items():
        cases[f"generation-{case}"] = _set("generation_config.json", key, value)
    cases["generation-not-json"] = _write("generation_config.json", b"{ not json")
    cases["generation-a-list"] = _write("generation_config.json", b"[]")
    cases.update(
        {
            "tokenizer-config-not-json": _write("tokenizer_config.json", b"{ not json"),
            "tokenizer-config-a-list": _write("tokenizer_config.json", b"[]"),
            "tokenizer-config-unk-unknown": _set("tokenizer_config.json", "unk_token", "<x>"),
            "tokenizer-config-sp-kwargs": _set(
                "tokenizer_config.json", "sp_model_kwargs", {"nonsense": 1}
            ),
            "tokenizer-config-separate-vocabs": _set(
                "tokenizer_config.json", "separate_vocabs", True
            ),
            "tokenizer-config-max-length-string": _set(
                "tokenizer_config.json", "model_max_length", "x"
            ),
            "tokenizer-config-added-token-out-of-range": _edit_json(
                "tokenizer_config.json", _added_token_out_of_range
            ),
        }
    )
    return cases


def _too_many_parameters(config: dict[str, Any]) -> dict[str, Any]:
    """Every size within its own limit, the whole far past the parameter budget."""
    sizes = {"vocab_size": 1_000_000, "decoder_vocab_size": 1_000_000, "d_model": 8192}
    return {**config, **sizes}


def _added_token_out_of_range(config: dict[str, Any]) -> dict[str, Any]:
    added = dict(config.get("added_tokens_decoder") or {})
    added["100000"] = {"content": "<extra>", "special": True}
    return {**config, "added_tokens_decoder": added}


def _edit_bytes_after_length(data: bytes) -> Damage:
    """The header's first bytes overwritten, its length prefix kept."""

    def damage(folder: Path) -> None:
        path = folder / "model.safetensors"
        raw = bytearray(path.read_bytes())
        raw[8 : 8 + len(data)] = data
        path.write_bytes(bytes(raw))

    return damage


def _write_length_prefix(length: int) -> Damage:
    def damage(folder: Path) -> None:
        path = folder / "model.safetensors"
        raw = path.read_bytes()
        path.write_bytes(struct.pack("<Q", length) + raw[8:])

    return damage


def _pickle_only(folder: Path) -> None:
    """Weights as a pickle (pytorch_model.bin) only: never unpickled from a directory."""
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")


def damaged_model_dirs(good_dir: Path, out_dir: Path) -> Iterator[tuple[str, Path]]:
    """(case name, damaged copy of `good_dir` under `out_dir`), one per case, in order."""
    for name, damage in damage_cases().items():
        target = out_dir / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(good_dir, target)
        damage(target)
        yield name, target
