""" "One translation for two different sources" only in running text: prose and tables of
sentences get the flag, catalogues of short UI strings do not."""

from __future__ import annotations

from pathlib import Path

from mtreview.checks import CHECKS, DocumentContext
from mtreview.checks.duplicates import running_text
from mtreview.documents import Segment
from mtreview.readers import read_document
from mtreview.settings import Settings

ARTICLE = [
    "Le parlement a adopté la loi sur les associations mardi soir.",
    "Les organisations non gouvernementales dénoncent une pression croissante.",
    "Le ministre a refusé de commenter la décision du tribunal.",
    "Les organisations non gouvernementales dénoncent une pression croissante.",
]
ARTICLE_SOURCES = [
    "Parliament passed the law on associations on Tuesday evening.",
    "Non-governmental organisations denounce growing pressure.",
    "The minister declined to comment on the court's decision.",
    "NGOs complain of mounting pressure.",
]
CATALOGUE = [
    ("Read error", "Erreur de lecture du disque"),
    ("Open", "Ouvrir"),
    ("Save the file as…", "Enregistrer le fichier sous…"),
    ("Disk read error", "Erreur de lecture du disque"),
    ("Preferences", "Préférences"),
]


def rows(pairs: list[tuple[str | None, str]], **fields: object) -> list[Segment]:
    return [
        Segment("doc", i, i, 0, len(text), text, source=source, table_row=True, **fields)  # type: ignore[arg-type]
        for i, (source, text) in enumerate(pairs)
    ]


def duplicates(segments: list[Segment], *, primed: bool = True) -> list[tuple[int, str]]:
    """(row, severity) of each duplicate flag, with the document observed first or streamed."""
    check = CHECKS["duplicate_segments"](Settings())
    context = DocumentContext("doc")
    if primed:
        for segment in segments:
            context.observe(segment)
        context.complete = True
    found = []
    for segment in segments:
        context.observe(segment)
        found += [(segment.index, f.severity) for f in check.checked(segment, context)]
    return found


def test_a_repeated_sentence_of_prose_is_flagged() -> None:
    prose = [Segment("doc", i, i, 0, len(t), t) for i, t in enumerate(ARTICLE)]
    assert duplicates(prose) == [(1, "major"), (3, "major")]
    assert duplicates(prose, primed=False) == [(3, "major")]


def test_a_table_of_sentences_is_running_text() -> None:
    """A news article one sentence a row: the same translation of two sources is flagged
    (once, minor), whether the document was read first or streamed."""
    table = rows(list(zip(ARTICLE_SOURCES, ARTICLE, strict=True)))
    assert duplicates(table) == [(3, "minor")]
    assert duplicates(table, primed=False) == [(3, "minor")]
    context = DocumentContext("doc")
    for segment in table:
        context.observe(segment)
    assert running_text(table[0], context)


def test_a_catalogue_of_ui_strings_is_not() -> None:
    catalogue = rows(CATALOGUE)  # one sentence in five rows
    assert duplicates(catalogue) == []
    assert duplicates(catalogue, primed=False) == []


def test_gettext_format_flags_mark_a_catalogue() -> None:
    """Messages with `c-format` are a program's, whatever their length."""
    table = rows(list(zip(ARTICLE_SOURCES, ARTICLE, strict=True)), formats=("c-format",))
    assert duplicates(table) == []


def test_read_from_files(tmp_path: Path) -> None:
    """The readers' own segments: a TSV of UI strings and a TSV of an article's sentences."""
    found = {}
    for name, pairs in (
        ("ui", CATALOGUE),
        ("news", list(zip(ARTICLE_SOURCES, ARTICLE, strict=True))),
    ):
        path = tmp_path / f"{name}.tsv"
        lines = ["source\ttranslation", *(f"{s}\t{t}" for s, t in pairs)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        found[name] = duplicates(list(read_document(path).segments))
    assert found == {"ui": [], "news": [(3, "minor")]}
