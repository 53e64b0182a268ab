"""What a Marian config.json and generation_config.json may say, checked before any loader
reads them.

transformers builds whatever a config asks for: `"decoder_layers": 2**63` makes it allocate
layers until the machine runs out of memory, a string where a number belongs raises from a
validator deep in huggingface_hub, a token id past the vocabulary fails inside torch on the
first sentence. So every value the model's shape depends on is checked for its type and
range here, against limits far above any opus-mt model (opus-mt-big: 6+6 layers, d_model
1024, FFN 4096, 60k vocabulary), and the whole model against a parameter budget: a config
cannot make mtreview grow without bound, and what is wrong is said in one line.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

from mtreview.errors import ModelError

MAX_LAYERS = 64
MAX_D_MODEL = 16_384
MAX_HEADS = 1_024
MAX_FFN = 65_536
MAX_VOCAB = 1_000_000
MAX_POSITIONS = 65_536
MAX_PARAMETERS = 2_000_000_000  # 8 GB of float32 weights; opus-mt-big has about 240 million
MAX_GENERATION_LENGTH = 1_000_000
MAX_BEAMS = 1_024

# The activations both runtimes implement (transformers' ACT2FN and CTranslate2's converter).
ACTIVATIONS = frozenset(
    {"gelu", "gelu_fast", "gelu_new", "gelu_python", "gelu_pytorch_tanh", "quick_gelu", "relu"}
    | {"silu", "swish"}
)
DTYPES = frozenset({"float32", "float16", "bfloat16", "float64", "auto"})

SIZES: dict[str, int] = {  # required; each an integer from 1 to its limit
    "vocab_size": MAX_VOCAB,
    "d_model": MAX_D_MODEL,
    "encoder_layers": MAX_LAYERS,
    "decoder_layers": MAX_LAYERS,
    "encoder_attention_heads": MAX_HEADS,
    "decoder_attention_heads": MAX_HEADS,
    "encoder_ffn_dim": MAX_FFN,
    "decoder_ffn_dim": MAX_FFN,
    "max_position_embeddings": MAX_POSITIONS,
}
# other names transformers accepts for the same values (MarianConfig.attribute_map)
ALIASES = {
    "num_hidden_layers": "encoder_layers",
    "num_attention_heads": "encoder_attention_heads",
    "hidden_size": "d_model",
}
TOKEN_IDS = ("pad_token_id", "eos_token_id", "decoder_start_token_id")  # required
FRACTIONS = (
    "dropout",
    "attention_dropout",
    "activation_dropout",
    "encoder_layerdrop",
    "decoder_layerdrop",
    "classifier_dropout",
    "classif_dropout",
)
NULLABLE_FRACTIONS = ("classifier_dropout", "classif_dropout")
FLAGS = (
    "scale_embedding",
    "share_encoder_decoder_embeddings",
    "tie_word_embeddings",
    "use_cache",
    "is_encoder_decoder",
    "is_decoder",
    "static_position_embeddings",
    "normalize_embedding",
    "normalize_before",
    "add_final_layer_norm",
    "add_bias_logits",
    "output_hidden_states",
    "output_attentions",
    "return_dict",
)
# generation settings, in generation_config.json or (older models) in config.json
GENERATION_SIZES: dict[str, tuple[int, int]] = {
    "max_length": (1, MAX_GENERATION_LENGTH),
    "min_length": (0, MAX_GENERATION_LENGTH),
    "max_new_tokens": (1, MAX_GENERATION_LENGTH),
    "min_new_tokens": (0, MAX_GENERATION_LENGTH),
    "num_beams": (1, MAX_BEAMS),
    "num_beam_groups": (1, MAX_BEAMS),
    "num_return_sequences": (1, MAX_BEAMS),
    "no_repeat_ngram_size": (0, MAX_GENERATION_LENGTH),
    "encoder_no_repeat_ngram_size": (0, MAX_GENERATION_LENGTH),
    "top_k": (0, MAX_VOCAB),
}
GENERATION_NUMBERS: dict[str, tuple[float, float]] = {
    "length_penalty": (-1e6, 1e6),
    "repetition_penalty": (1e-6, 1e6),
    "encoder_repetition_penalty": (1e-6, 1e6),
    "diversity_penalty": (0.0, 1e6),
    "temperature": (1e-6, 1e6),
    "top_p": (0.0, 1.0),
    "typical_p": (0.0, 1.0),
}
GENERATION_FLAGS = (
    "do_sample",
    "renormalize_logits",
    "use_cache",
    "remove_invalid_values",
    "output_attentions",
    "output_hidden_states",
    "output_scores",
    "output_logits",
    "return_dict_in_generate",
)
GENERATION_TOKEN_IDS = (
    "pad_token_id",
    "bos_token_id",
    "decoder_start_token_id",
    "forced_bos_token_id",
    "forced_eos_token_id",
    "eos_token_id",
)


@dataclasses.dataclass(frozen=True)
class ModelShape:
    """The sizes a checked config gives the model: what its files must agree with."""

    vocab_size: int
    decoder_vocab_size: int  # the output side: vocab_size when embeddings are shared
    d_model: int
    encoder_layers: int
    decoder_layers: int
    encoder_ffn_dim: int
    decoder_ffn_dim: int
    max_position_embeddings: int
    shared: bool

    def parameters(self) -> int:
        """About how many numbers the model holds (embeddings, positions, layers)."""
        d = self.d_model
        embeddings = self.vocab_size * d + (0 if self.shared else self.decoder_vocab_size * d)
        positions = 2 * self.max_position_embeddings * d
        encoder = self.encoder_layers * (4 * d * d + 2 * d * self.encoder_ffn_dim)
        decoder = self.decoder_layers * (8 * d * d + 2 * d * self.decoder_ffn_dim)
        return embeddings + positions + encoder + decoder + self.decoder_vocab_size


class ConfigProblem(ModelError):
    """One thing wrong with a value of a model file (the message names the field); the
    directory check turns it into one line naming the file."""


def shown(value: Any) -> str:
    """A value as the JSON file spells it, cut short: a string keeps its quotes."""
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= 40 else text[:37] + "..."


def is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def integer(config: dict[str, Any], name: str, low: int, high: int) -> int:
    value: Any = config.get(name)
    if not is_integer(value) or not low <= value <= high:
        raise ConfigProblem(f"{name} must be an integer from {low} to {high}, got {shown(value)}")
    return int(value)


def number(config: dict[str, Any], name: str, low: float, high: float) -> None:
    value = config[name]
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise ConfigProblem(f"{name} must be a number from {low:g} to {high:g}, got {shown(value)}")


def flag(config: dict[str, Any], name: str) -> None:
    if not isinstance(config[name], bool):
        raise ConfigProblem(f"{name} must be true or false, got {shown(config[name])}")


def token_id(value: Any, name: str, size: int, *, nullable: bool = False) -> None:
    if value is None and nullable:
        return
    if not is_integer(value) or not 0 <= value < size:
        raise ConfigProblem(
            f"{name} must be a token id from 0 to {size - 1} (the vocabulary), got {shown(value)}"
        )


def model_shape(config: dict[str, Any]) -> ModelShape:
    """Check config.json's values; the shape they give, or ConfigProblem."""
    for name in (*SIZES, *TOKEN_IDS):
        if name not in config:
            raise ConfigProblem(f"has no {name}")
    sizes = {name: integer(config, name, 1, limit) for name, limit in SIZES.items()}
    for alias, name in ALIASES.items():
        if alias in config and config[alias] != sizes[name]:
            raise ConfigProblem(
                f"{alias} is another name for {name} ({sizes[name]}) and must equal it, "
                f"got {shown(config[alias])}"
            )
    for name in ("share_encoder_decoder_embeddings", *FLAGS):
        if name in config:
            flag(config, name)
    shared = bool(config.get("share_encoder_decoder_embeddings", True))
    decoder_vocab = sizes["vocab_size"]
    if config.get("decoder_vocab_size") is not None or not shared:
        decoder_vocab = integer(config, "decoder_vocab_size", 1, MAX_VOCAB)
        if shared and decoder_vocab != sizes["vocab_size"]:
            raise ConfigProblem(
                f"decoder_vocab_size ({decoder_vocab}) must equal vocab_size "
                f"({sizes['vocab_size']}) when the embeddings are shared"
            )
    for side in ("encoder", "decoder"):
        heads = sizes[f"{side}_attention_heads"]
        if sizes["d_model"] % heads:
            raise ConfigProblem(
                f"d_model ({sizes['d_model']}) must be divisible by {side}_attention_heads "
                f"({heads})"
            )
    shape = ModelShape(
        vocab_size=sizes["vocab_size"],
        decoder_vocab_size=decoder_vocab,
        d_model=sizes["d_model"],
        encoder_layers=sizes["encoder_layers"],
        decoder_layers=sizes["decoder_layers"],
        encoder_ffn_dim=sizes["encoder_ffn_dim"],
        decoder_ffn_dim=sizes["decoder_ffn_dim"],
        max_position_embeddings=sizes["max_position_embeddings"],
        shared=shared,
    )
    if shape.parameters() > MAX_PARAMETERS:
        raise ConfigProblem(
            f"asks for about {shape.parameters():,} parameters, more than mtreview's limit of "
            f"{MAX_PARAMETERS:,}"
        )
    _other_values(config, shape)
    return shape


def _other_values(config: dict[str, Any], shape: ModelShape) -> None:
    """Token ids, dropouts, activation, dtype and the rest transformers reads."""
    both = min(shape.vocab_size, shape.decoder_vocab_size)
    token_id(config["pad_token_id"], "pad_token_id", both)  # padding index of both sides
    token_id(config["eos_token_id"], "eos_token_id", shape.decoder_vocab_size)
    token_id(config["decoder_start_token_id"], "decoder_start_token_id", shape.decoder_vocab_size)
    for name in ("bos_token_id", "forced_eos_token_id", "forced_bos_token_id"):
        if name in config:
            token_id(config[name], name, shape.decoder_vocab_size, nullable=True)
    for name in FRACTIONS:
        if name in config and not (config[name] is None and name in NULLABLE_FRACTIONS):
            number(config, name, 0.0, 1.0)
    if "init_std" in config:
        number(config, "init_std", 0.0, 1e6)
    activation = config.get("activation_function", "gelu")
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ConfigProblem(
            f"activation_function must be one of {', '.join(sorted(ACTIVATIONS))}, "
            f"got {shown(activation)}"
        )
    for name in ("dtype", "torch_dtype"):
        value = config.get(name)
        if value is not None and (not isinstance(value, str) or value not in DTYPES):
            raise ConfigProblem(
                f"{name} must be one of {', '.join(sorted(DTYPES))}, got {shown(value)}"
            )
    if config.get("quantization_config") is not None:
        raise ConfigProblem(
            "quantization_config must be absent: mtreview loads unquantized Marian weights "
            "(CTranslate2 quantizes them itself)"
        )
    _labels(config)
    architectures = config.get("architectures")
    if architectures is not None and (
        not isinstance(architectures, list) or not all(isinstance(a, str) for a in architectures)
    ):
        raise ConfigProblem(f"architectures must be a list of names, got {shown(architectures)}")
    generation_values(config, shape, token_ids=False)


def _labels(config: dict[str, Any]) -> None:
    for name, values in (("id2label", str), ("label2id", int | str)):
        labels = config.get(name)
        if labels is None:
            continue
        if not isinstance(labels, dict) or not all(
            isinstance(v, values) and not isinstance(v, bool) for v in labels.values()
        ):
            raise ConfigProblem(f"{name} must be an object of labels, got {shown(labels)}")
        if len(labels) > 10_000:
            raise ConfigProblem(f"{name} has {len(labels)} labels, more than 10000")
    for name in ("num_labels", "_num_labels"):
        if name in config:
            integer(config, name, 1, 10_000)


def generation_values(config: dict[str, Any], shape: ModelShape, *, token_ids: bool) -> None:
    """Generation settings of the right type and range (token ids too, when `token_ids`:
    config.json's own are checked by `model_shape`)."""
    for name, (low, high) in GENERATION_SIZES.items():
        if name in config and not (config[name] is None and name == "max_new_tokens"):
            integer(config, name, low, high)
    if config.get("max_length", 0) > shape.max_position_embeddings:  # each step a position
        raise ConfigProblem(
            f"max_length ({config['max_length']}) must not exceed max_position_embeddings "
            f"({shape.max_position_embeddings}): the model has no position past it"
        )
    for name, (low_f, high_f) in GENERATION_NUMBERS.items():
        if name in config:
            number(config, name, low_f, high_f)
    for name in GENERATION_FLAGS:
        if name in config:
            flag(config, name)
    early = config.get("early_stopping", False)
    if not isinstance(early, bool) and early != "never":
        raise ConfigProblem(f'early_stopping must be true, false or "never", got {shown(early)}')
    size = shape.decoder_vocab_size
    if token_ids:
        for name in GENERATION_TOKEN_IDS:
            value = config.get(name)
            values = value if name == "eos_token_id" and isinstance(value, list) else [value]
            nullable = name != "decoder_start_token_id" and not isinstance(value, list)
            for item in values if name in config else ():
                token_id(item, name, size, nullable=nullable)
    for name in ("bad_words_ids", "force_words_ids"):
        sequences = config.get(name)
        if sequences is None:
            continue
        if not isinstance(sequences, list) or not all(isinstance(s, list) and s for s in sequences):
            raise ConfigProblem(f"{name} must be a list of token id lists, got {shown(sequences)}")
        for sequence in sequences:
            for item in sequence:
                token_id(item, name, size)
    for name in ("suppress_tokens", "begin_suppress_tokens"):
        items = config.get(name)
        if items is None:
            continue
        if not isinstance(items, list):
            raise ConfigProblem(f"{name} must be a list of token ids, got {shown(items)}")
        for item in items:
            token_id(item, name, size)
