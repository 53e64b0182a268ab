"""The word-order model's binary format (`write_model`, `read_model`): the same tables as
the TSV (`write_table`, `read_table`), the same bytes every time, and a damaged file a
one-line `ModelError` that names it."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from mtreview.checks.order_model import (
    MAGIC,
    MODEL,
    OrderModel,
    count_model,
    read_model,
    read_table,
    shipped_model,
    token_class,
    units,
    write_model,
    write_table,
)
from mtreview.errors import ModelError

TEXT = [
    "Impossible d'ouvrir le fichier temporaire.",
    "Le fichier de configuration est introuvable.",
    "Afficher la liste des paquets installés : 12 paquets, 3,5 Mo.",
    "Le mot de passe est incorrect.",
    "La fenêtre est ouverte et le dossier est vide.",
    "Ouvrir le fichier « config.toml » avec l’éditeur.",
] * 3
VOCABULARY = {"le", "la", "de", "fichier", "est", "d'", "l'", "."}


def tables() -> tuple[dict, dict, dict]:
    sentences = [[token_class(t, VOCABULARY) for u in units(s) for t in u.tokens] for s in TEXT]
    return count_model(sentences, prune=2)


def as_tables(model: OrderModel) -> tuple[object, ...]:
    """Every table of a model, with its order and types."""
    return (
        list(model.ids.items()),
        model.size,
        [(k, type(k), v, type(v)) for k, v in model.trigrams.items()],
        [(k, v, type(v)) for k, v in model.contexts.items()],
        [(k, type(k), v, type(v)) for k, v in model.bigrams.items()],
        model.middle,
        model.followers,
        model.unigrams,
        model.total,
        model.vocabulary,
    )


def written(tmp_path: Path) -> Path:
    path = tmp_path / "model.bin"
    write_model(str(path), OrderModel.from_counts(*tables()), "a header\nsecond line")
    return path


def test_the_binary_model_reads_as_the_tsv_and_is_written_the_same_every_time(
    tmp_path: Path,
) -> None:
    tsv = tmp_path / "model.tsv.gz"
    write_table(str(tsv), tables(), "a header")
    from_tsv = read_table(io.BytesIO(tsv.read_bytes()))
    binary = tmp_path / "model.bin"
    write_model(str(binary), from_tsv, "a header")
    again = tmp_path / "again.bin"  # built from the counts, not the TSV: the same bytes
    write_model(str(again), OrderModel.from_counts(*tables()), "a header")
    assert binary.read_bytes() == again.read_bytes()
    read = read_model(io.BytesIO(binary.read_bytes()), "model.bin")
    assert as_tables(read) == as_tables(from_tsv)
    assert read.contexts and read.trigrams  # prune=2 kept some of each
    sentence = units("le fichier est ouvert")
    assert read.sentence_logprob(sentence) == from_tsv.sentence_logprob(sentence)


def test_the_shipped_model_is_in_the_binary_format() -> None:
    shipped = Path(__file__).resolve().parent.parent / "mtreview" / "data" / MODEL
    assert gzip.decompress(shipped.read_bytes()).startswith(MAGIC)
    assert len(shipped_model().ids) > 1000


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data[:100] + bytes([data[100] ^ 0xFF]) + data[101:],  # a byte flipped
        lambda data: gzip.compress(gzip.decompress(data)[:-3], mtime=0),  # tables cut short
        lambda data: gzip.compress(gzip.decompress(data) + b"\0", mtime=0),  # bytes after
        lambda data: gzip.compress(b"t\tle la\n3\tle la le\t3\n", mtime=0),  # the TSV
        lambda data: b"not gzip at all",
        lambda data: b"",
    ],
)
def test_a_damaged_model_is_a_one_line_error_that_names_it(tmp_path: Path, damage) -> None:
    data = damage(written(tmp_path).read_bytes())
    with pytest.raises(ModelError) as caught:
        read_model(io.BytesIO(data), "somewhere/model.bin")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("somewhere/model.bin: not a readable word-order model (")
    assert message.endswith("rebuild it with benchmarks/build_word_order_model.py")
