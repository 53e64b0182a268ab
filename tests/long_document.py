"""A long document for the paging tests: a table of `count` distinct French sentences
(each names its own number, so its words are unique in the document), scored into a
store by `mtreview score --db` without models."""

from __future__ import annotations

from pathlib import Path

from mtreview.cli import main

SENTENCES = (
    "Le ministre a reçu la lettre numéro {n} ce matin.",
    "La commission examine le dossier {n} avec attention.",
    "Les organisations ont publié la déclaration {n} hier soir.",
    "Le tribunal a rejeté la demande {n} sans explication.",
)


def long_texts(count: int) -> list[str]:
    return [SENTENCES[i % len(SENTENCES)].format(n=i + 1) for i in range(count)]


def long_store(folder: Path, count: int) -> Path:
    """A store holding one document of `count` segments (one a row)."""
    table = folder / "long.tsv"
    table.write_text("translation\n" + "\n".join(long_texts(count)) + "\n", encoding="utf-8")
    db = folder / "long.db"
    command = ["score", str(table), "--db", str(db), "--no-models", "--no-grammar"]
    if main(command) != 0:
        raise RuntimeError(f"mtreview {' '.join(command)} failed")
    return db
