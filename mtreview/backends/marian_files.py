"""What a Marian model directory must hold, checked before transformers reads it.

A half-downloaded, corrupt or foreign model then fails with one line that names the model
and what is wrong, instead of a traceback from deep inside a loader.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

from mtreview.errors import ModelError

TOKENIZER_FILES = ("source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
SAFETENSORS_HEADER_LIMIT = 100_000_000  # larger headers are not a model we wrote or fetched


def check_model_dir(
    path: Path, *, label: str | None = None, safetensors_only: bool = False
) -> None:
    """Raise ModelError naming `label` (default: the path) and the first problem found."""
    problem = model_dir_problem(path, safetensors_only=safetensors_only)
    if problem:
        raise ModelError(f"{label or path}: {problem}")


def model_dir_problem(path: Path, *, safetensors_only: bool = False) -> str | None:
    """What keeps `path` from being a loadable Marian model, or None. Cheap: reads the
    config, the vocabulary and the safetensors header, never the weights."""
    problem = config_problem(path)
    if problem:
        return problem
    for name in TOKENIZER_FILES:
        if not (path / name).is_file():
            return f"not a Marian model directory (no {name})"
    try:
        vocab = json.loads((path / "vocab.json").read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "vocab.json is not valid JSON (corrupt)"
    if not isinstance(vocab, dict) or not vocab:
        return "vocab.json is not a token -> id mapping (corrupt)"
    return _weights_problem(path, safetensors_only)


def config_problem(path: Path) -> str | None:
    """config.json must be there, be JSON, and describe a Marian model."""
    config = path / "config.json"
    if not config.is_file():
        return "not a Marian model directory (no config.json)"
    try:
        model_type = json.loads(config.read_text(encoding="utf-8")).get("model_type")
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return "config.json is not valid JSON (corrupt)"
    if model_type != "marian":
        return f"model_type is {model_type!r}, expected 'marian' (another architecture)"
    return None


def _weights_problem(path: Path, safetensors_only: bool) -> str | None:
    safetensors = path / "model.safetensors"
    if safetensors.is_file():
        return safetensors_problem(safetensors)
    if safetensors_only:
        return "no model.safetensors (local models load from safetensors only)"
    if not (path / "pytorch_model.bin").is_file():
        return f"no weights ({' or '.join(WEIGHT_FILES)}): incomplete download?"
    return None


def safetensors_problem(path: Path) -> str | None:
    """The header must parse and its tensors must end exactly where the file ends."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            prefix = handle.read(8)
            if len(prefix) < 8:
                return f"{path.name} is truncated (corrupt)"
            (length,) = struct.unpack("<Q", prefix)
            if length > min(SAFETENSORS_HEADER_LIMIT, size - 8):
                return f"{path.name} has a bad header (corrupt or truncated)"
            header = json.loads(handle.read(length).decode("utf-8"))
    except OSError as exc:
        return f"{path.name} cannot be read ({exc.strerror or exc})"
    except (UnicodeDecodeError, json.JSONDecodeError):
        return f"{path.name} has a bad header (corrupt)"
    if not isinstance(header, dict):
        return f"{path.name} has a bad header (corrupt)"
    try:
        ends = [
            int(info["data_offsets"][1]) for key, info in header.items() if key != "__metadata__"
        ]
    except (TypeError, KeyError, IndexError, ValueError):
        return f"{path.name} has a bad header (corrupt)"
    expected = 8 + length + max(ends, default=0)
    if expected != size:
        return f"{path.name} is {size} bytes, its header says {expected} (truncated or corrupt)"
    return None
