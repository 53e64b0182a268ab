"""Readers: exact offsets, paragraphs, tables, JSONL, Moses; properties over any text."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtreview.documents import Document
from mtreview.errors import InputError
from mtreview.readers import iter_segments, read_document
from mtreview.readers.base import ReadOptions
from mtreview.readers.text import segment_text
from mtreview.segmentation import make_splitter

SPLITTER = make_splitter()


def check_offsets(original: str, segments: list) -> None:
    for seg in segments:
        assert original[seg.start : seg.end] == seg.text
        assert seg.text == seg.text.strip()
        assert seg.text


def test_article_segments_keep_exact_offsets_and_paragraphs(article: Path) -> None:
    doc = read_document(article)
    check_offsets(doc.original, list(doc))
    assert doc.original == article.read_text(encoding="utf-8")
    paragraphs = [p for p in doc.original.split("\n\n") if p.strip()]
    assert max(seg.paragraph for seg in doc) == len(paragraphs) - 1
    assert [seg.index for seg in doc] == list(range(len(doc)))
    titles = [seg for seg in doc if seg.text.startswith("La pression des ONG est endommagée")]
    assert len(titles) == 3
    # the dateline stays with its sentence
    assert any(seg.text.startswith("Almaty. 2 février. KAZTAG - La pression") for seg in doc)
    # segment line numbers point at the line where the segment starts
    lines = doc.original.split("\n")
    for seg in doc:
        assert seg.text in lines[seg.line - 1]


def test_long_quotations_are_cut_into_sentences_keeping_their_marks() -> None:
    first = "«Récemment, plusieurs organisations ont été condamnées à une amende pour des motifs "
    first += "que personne n'a pu expliquer clairement aux journalistes présents."
    second = "Au 25 janvier, les activités d'au moins trois organisations ont été suspendues "
    second += "pendant trois mois, selon M. Dupont »"
    text = f"{first} {second}, a déclaré la déclaration."
    segments = list(segment_text(text, ReadOptions(doc_id="d", splitter=SPLITTER)))
    assert [seg.text for seg in segments] == [first, f"{second}, a déclaré la déclaration."]


def test_crlf_bom_tabs_emoji_and_combining_accents(tmp_path: Path) -> None:
    text = "\ufeffLe cafe\u0301 est bon.\tIl fait 😀 beau.\r\n\r\nM. Dupont arrive. Fin.\r\n"
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode("utf-8"))
    doc = read_document(path)
    check_offsets(doc.original, list(doc))
    assert doc.original == text[1:]
    assert [seg.paragraph for seg in doc] == [0, 0, 1, 1]
    assert doc.segments[1].text == "Il fait 😀 beau."
    assert doc.segments[2].text == "M. Dupont arrive."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Almaty. 2 février. KAZTAG - Le texte commence ici. Une autre phrase.",
            ["Almaty. 2 février. KAZTAG - Le texte commence ici.", "Une autre phrase."],
        ),
        (
            "Le Dr. Martin, M. Durand etc. sont venus le 3 fév. 2021 à Paris. Fin.",
            ["Le Dr. Martin, M. Durand etc. sont venus le 3 fév. 2021 à Paris.", "Fin."],
        ),
        (
            "« Nous partons. Tout de suite », a-t-il dit. Ensuite rien.",
            ["« Nous partons. Tout de suite », a-t-il dit.", "Ensuite rien."],
        ),
        (
            'Il a dit "Non." Puis il est parti.',
            ['Il a dit "Non."', "Puis il est parti."],
        ),
    ],
)
def test_french_news_sentence_splitting(text: str, expected: list[str]) -> None:
    segments = list(segment_text(text, ReadOptions(doc_id="d", splitter=SPLITTER)))
    assert [seg.text for seg in segments] == expected


texts = st.lists(
    st.sampled_from(
        [*"abcdeé ÉÀ.,;:!?«»\"'\t\r\n", "\u0301", "😀", "M.", "Dr.", "fév.", "\ufeff", "Le "]
    ),
    max_size=80,
).map("".join)


@given(texts)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_segments_always_slice_the_original(text: str) -> None:
    segments = list(segment_text(text, ReadOptions(doc_id="d", splitter=SPLITTER)))
    check_offsets(text, segments)
    # segments are in order and do not overlap
    for before, after in itertools.pairwise(segments):
        assert before.end <= after.start


@given(st.binary(max_size=300))
@settings(max_examples=150, deadline=None)
def test_readers_never_crash_on_arbitrary_bytes(data: bytes) -> None:
    import tempfile

    for suffix in (".txt", ".tsv", ".csv", ".jsonl"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"x{suffix}"
            path.write_bytes(data)
            try:
                doc = read_document(path)
            except InputError as exc:
                assert str(path) in str(exc)
            else:
                check_offsets_rows = doc.original
                for seg in doc:
                    assert check_offsets_rows[seg.start : seg.end] == seg.text


def test_tsv_with_header_and_positional(tmp_path: Path) -> None:
    header = tmp_path / "h.tsv"
    header.write_text("source\ttranslation\treference\nПривет\tBonjour\tSalut\n\nМир\tMonde\t\n")
    doc = read_document(header)
    assert [(s.source, s.text, s.reference) for s in doc] == [
        ("Привет", "Bonjour", "Salut"),
        ("Мир", "Monde", ""),
    ]
    assert [s.line for s in doc] == [2, 4]
    check_offsets_any(doc)
    positional = tmp_path / "p.tsv"
    positional.write_text("src one\ttgt one\nsrc two\ttgt two\n")
    assert [(s.source, s.text) for s in read_document(positional)] == [
        ("src one", "tgt one"),
        ("src two", "tgt two"),
    ]


def check_offsets_any(doc: Document) -> None:
    for seg in doc:
        assert doc.original[seg.start : seg.end] == seg.text


def test_csv_with_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('translation,source\n"Deux\nlignes, ici","two\nlines"\nUne,One\n')
    doc = read_document(path)
    assert [s.text for s in doc] == ["Deux\nlignes, ici", "Une"]
    assert [s.line for s in doc] == [2, 5]  # where each row begins
    check_offsets_any(doc)


def test_jsonl_plain_and_hugging_face_layout(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    rows = [
        {"translation": "Bonjour", "source": "Hello", "reference": "Salut"},
        {"translation": {"fr": "Monde", "en": "World"}},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    doc = read_document(path)
    assert [(s.text, s.source, s.reference) for s in doc] == [
        ("Bonjour", "Hello", "Salut"),
        ("Monde", "World", None),
    ]


def test_moses_pairs_stay_aligned(tmp_path: Path) -> None:
    target = tmp_path / "t.fr"
    source = tmp_path / "s.en"
    target.write_text("Bonjour\n\nMonde\n")
    source.write_text("Hello\n\nWorld\n")
    doc = read_document(target, source_file=source)
    assert [(s.source, s.text) for s in doc] == [("Hello", "Bonjour"), ("", ""), ("World", "Monde")]
    source.write_text("Hello\n")
    with pytest.raises(InputError, match="ends before"):
        read_document(target, source_file=source)


@pytest.mark.parametrize(
    ("name", "content", "message", "line"),
    [
        ("a.tsv", "source\ttranslation\nx\ty\nonly one\n", "expected 2 columns, found 1", 3),
        ("a.tsv", "src\ttranslation\nx\ty\n", "unknown column 'src'", 1),
        ("a.tsv", "a\tb\tc\td\n", "4 columns without a header", 1),
        ("a.jsonl", '{"translation": "ok"}\n{"translation": 3}\n', "must be a string", 2),
        ("a.jsonl", '{"translation": "ok"}\nnot json\n', "not valid JSON", 2),
        ("a.jsonl", '{"text": "x"}\n', "unknown key 'text'", 1),
        ("a.csv", 'translation\n"open quote\n', "", None),
    ],
)
def test_bad_tables_name_the_line(
    tmp_path: Path, name: str, content: str, message: str, line: int | None
) -> None:
    path = tmp_path / name
    path.write_text(content)
    try:
        list(iter_segments(path))
    except InputError as exc:
        assert message in str(exc)
        if line is not None:
            assert exc.line == line
            assert f"{path}:{line}:" in str(exc)
    else:
        assert name == "a.csv"  # csv tolerates an unterminated quote at end of file


def test_cell_longer_than_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.tsv"
    path.write_text("translation\n" + "x" * 50 + "\n")
    with pytest.raises(InputError, match="longer than the limit of 40"):
        list(iter_segments(path, max_segment_chars=40))
