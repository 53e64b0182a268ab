"""A Marian tokenizer's files checked against each other and against the config.

MarianTokenizer trusts its files: a vocabulary without `<unk>` raises a KeyError, an id
past the embedding matrix fails inside torch on the first sentence, an id the vocabulary
lacks is looked up in the SentencePiece model and raises an IndexError when that has fewer
pieces, a damaged `.spm` raises from sentencepiece's C++ code. Each of these is found here,
before the tokenizer is built, and said in one line that names the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mtreview.backends.base import first_line
from mtreview.backends.marian_config import (
    ConfigProblem,
    ModelShape,
    is_integer,
    shown,
    token_id,
)

MAX_JSON_BYTES = 200_000_000  # a 1,000,000-token vocabulary is about 30 MB
MAX_SPM_BYTES = 100_000_000  # opus-mt's are under 1 MB
SPECIAL_TOKENS = {"unk_token": "<unk>", "eos_token": "</s>", "pad_token": "<pad>"}


def read_json(path: Path) -> Any:
    """The parsed file, or ConfigProblem saying why it cannot be."""
    try:
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise ConfigProblem(f"is {size:,} bytes, too large for this file")
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigProblem(f"cannot be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ConfigProblem("is not valid JSON (corrupt)") from None


def json_object(path: Path) -> dict[str, Any]:
    data = read_json(path)
    if not isinstance(data, dict):
        raise ConfigProblem(f"must be a JSON object, got {shown(data)}")
    return data


def vocabulary(path: Path, size: int, size_name: str) -> dict[str, int]:
    """token -> id, every id a distinct integer below `size` (config.json's `size_name`)."""
    vocab = read_json(path)
    if not isinstance(vocab, dict) or not vocab:
        raise ConfigProblem("is not a token -> id mapping (corrupt)")
    owners: dict[int, str] = {}
    for token, index in vocab.items():
        if not is_integer(index) or not 0 <= index < size:
            raise ConfigProblem(
                f"the id of {shown(token)} must be an integer from 0 to {size - 1} "
                f"(config.json's {size_name} is {size}), got {shown(index)}"
            )
        if index in owners:
            raise ConfigProblem(
                f"{shown(owners[index])} and {shown(token)} both have id {index} "
                "(ids must be unique)"
            )
        owners[index] = token
    return vocab


def special_tokens(*configs: dict[str, Any]) -> dict[str, str]:
    """The unknown, end and padding tokens the tokenizer will use: the defaults, unless
    tokenizer_config.json or special_tokens_map.json name others."""
    tokens = dict(SPECIAL_TOKENS)
    for config in configs:
        for name in SPECIAL_TOKENS:
            if name not in config:
                continue
            value = config[name]
            content = value.get("content") if isinstance(value, dict) else value
            if not isinstance(content, str) or not content:
                raise ConfigProblem(f"{name} must be a token, got {shown(value)}")
            tokens[name] = content
    return tokens


def missing_specials(vocab: dict[str, int], tokens: dict[str, str]) -> None:
    for name, token in tokens.items():
        if token not in vocab:
            raise ConfigProblem(f"has no {token} ({name.replace('_token', '')} token)")


def tokenizer_settings(config: dict[str, Any], shape: ModelShape) -> set[int]:
    """tokenizer_config.json's values; the ids of the tokens it adds."""
    kwargs = config.get("sp_model_kwargs")
    if kwargs not in (None, {}):
        raise ConfigProblem(
            "sp_model_kwargs must be empty (mtreview needs SentencePiece's deterministic "
            f"segmentation), got {shown(kwargs)}"
        )
    if "separate_vocabs" in config and not isinstance(config["separate_vocabs"], bool):
        raise ConfigProblem(
            f"separate_vocabs must be true or false, got {shown(config['separate_vocabs'])}"
        )
    tokenizer_class = config.get("tokenizer_class")
    if tokenizer_class not in (None, "MarianTokenizer"):  # CTranslate2's converter reads it
        raise ConfigProblem(
            f'tokenizer_class must be "MarianTokenizer", got {shown(tokenizer_class)}'
        )
    length = config.get("model_max_length")
    if length is not None and (not is_integer(length) or length < 1):
        raise ConfigProblem(f"model_max_length must be a positive integer, got {shown(length)}")
    for name in ("source_lang", "target_lang"):
        if config.get(name) is not None and not isinstance(config[name], str):
            raise ConfigProblem(f"{name} must be a language name, got {shown(config[name])}")
    return added_token_ids(config.get("added_tokens_decoder", {}), shape)


def added_token_ids(added: Any, shape: ModelShape) -> set[int]:
    """added_tokens_decoder: {"id": {"content": token, ...}}, ids within the vocabulary."""
    if not isinstance(added, dict):
        raise ConfigProblem(f"added_tokens_decoder must be an object, got {shown(added)}")
    ids = set()
    for key, token in added.items():
        index = int(key) if key.isdecimal() and len(key) < 20 else None
        token_id(index if index is not None else key, "added_tokens_decoder", shape.vocab_size)
        if not isinstance(token, dict) or not isinstance(token.get("content"), str):
            raise ConfigProblem(
                f"added_tokens_decoder[{key}] must have a content, got {shown(token)}"
            )
        ids.add(int(key))
    return ids


def added_tokens_file(added: Any, shape: ModelShape) -> set[int]:
    """added_tokens.json: {token: id}."""
    if not isinstance(added, dict):
        raise ConfigProblem(f"must be a token -> id mapping, got {shown(added)}")
    for index in added.values():
        token_id(index, "every id", shape.vocab_size)
    return set(added.values())


def sentencepiece_pieces(path: Path) -> int:
    """How many pieces the SentencePiece model has, after loading it and cutting a word."""
    import sentencepiece

    size = path.stat().st_size
    if size > MAX_SPM_BYTES:
        raise ConfigProblem(f"is {size:,} bytes, too large for a SentencePiece model")
    processor = sentencepiece.SentencePieceProcessor()
    try:
        processor.Load(str(path))
        processor.encode("Test, 1 2.", out_type=str)
        pieces = int(processor.get_piece_size())
    except (RuntimeError, OSError, ValueError, TypeError, IndexError) as exc:
        first = first_line(exc).replace(str(path), path.name)
        raise ConfigProblem(
            f"is not a SentencePiece model (corrupt or truncated: {first})"
        ) from None
    if pieces < 1:
        raise ConfigProblem("is an empty SentencePiece model")
    return pieces


def unmapped_ids(vocab: dict[str, int], size: int, added: set[int], pieces: int) -> None:
    """Ids the model can output that no token of the vocabulary has: MarianTokenizer asks
    the target SentencePiece model for them, which fails past its last piece."""
    known = set(vocab.values()) | added
    past = [index for index in range(pieces, size) if index not in known]
    if past:
        more = f" and {len(past) - 1} more" if len(past) > 1 else ""
        raise ConfigProblem(
            f"has no token for id {past[0]}{more}, which the model can output and "
            f"target.spm ({pieces} pieces) cannot spell"
        )
