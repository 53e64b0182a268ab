"""Hostile inputs that once gave tracebacks, quadratic time or leftovers (issue 13): each a
regression test through the CLI or the public readers."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtreview.cli import main
from mtreview.errors import InputError
from mtreview.readers import iter_segments
from mtreview.readers.base import ReadOptions
from mtreview.readers.text import segment_blocks, segment_text
from mtreview.segmentation import make_splitter
from mtreview.settings import Settings
from mtreview.store import ReviewStore

REGEX = make_splitter("regex")


def fails(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """`mtreview ARGV` exits 2 with one line; that line."""
    assert main(list(argv)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("mtreview: error: "), err
    return err


def score(path: Path, out: Path, *extra: str) -> list[str]:
    return ["score", str(path), "--no-models", "--no-grammar", "-o", str(out), *extra]


# --- JSON that Python parses but cannot hold or write --------------------------------------
@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"translation": "bad \\ud800 text"}', "lone surrogate escape at column 22"),
        ('{"translation": "x", "source": "\\udc00"}', "lone surrogate escape at column 33"),
        ('{"translation": ' + "[" * 5000 + "]" * 5000 + "}", "JSON nested too deeply"),
        ('{"translation": ' + "[" * 70 + "]" * 70 + "}", "JSON nested deeper than 64 levels"),
        ('{"translation": "x", "id": ' + "1" * 5000 + "}", "not usable JSON"),
    ],
)
def test_jsonl_that_json_accepts_but_text_cannot_hold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"translation": "Bonjour \\ud83d\\ude00."}\n' + line + "\n", "utf-8")
    out = tmp_path / "out.jsonl"
    err = fails(capsys, *score(path, out))
    assert f"{path}:2: {message}" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]  # nothing left behind


def test_app_upload_refuses_a_lone_surrogate(tmp_path: Path) -> None:
    from mtreview.analysis import Models
    from mtreview.ui.loading import ModelState, import_upload

    data = b'{"translation": "Oui."}\n{"translation": "\\ud800"}\n'
    settings = Settings(use_models=False, grammar=False, cache_dir=str(tmp_path))
    with ReviewStore(tmp_path / "s.db") as store:
        with pytest.raises(InputError) as caught:
            import_upload(store, "mine.jsonl", data, settings, ModelState(Models(), "off"))
        assert str(caught.value).startswith("mine.jsonl:2: lone surrogate escape at column 18")
        assert store.documents() == []


# --- nothing to review, and what a failed run leaves ---------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "untranslated.xlf",
            '<xliff version="1.2"><file original="a" source-language="ru" datatype="x">'
            "<body><trans-unit id='1'><source>Да.</source></trans-unit></body></file></xliff>",
            "nothing to review: no <trans-unit> with a non-empty <target>",
        ),
        (
            "header.po",
            'msgid ""\nmsgstr ""\n"Language: fr\\n"\n',
            "nothing to review: no translated",
        ),
        ("bom.txt", "\ufeff", "empty file"),
        ("header.tsv", "source\ttranslation\n", "nothing to review: no text to review"),
    ],
)
def test_nothing_to_review_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert message in fails(capsys, *score(path, tmp_path / "out.jsonl"))
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_run_failing_after_its_first_segments_cleans_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rows.tsv"
    rows = "".join(f"Phrase numéro {n}.\n" for n in range(300))
    path.write_text("translation\n" + rows + "une\tdeux\ttrois\tquatre\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert f"{path}:302: expected 1 columns" in fails(capsys, *score(path, out, "--single-pass"))
    assert [p.name for p in tmp_path.iterdir()] == ["rows.tsv"]


# --- long text: linear time, memory bounded by the longest segment -------------------------
def test_a_paragraph_with_no_sentence_end_is_cut_into_bounded_segments() -> None:
    text = " ".join(f"mot{n}" for n in range(6000)) + "\n\n" + "a" * 16_000
    options = ReadOptions(doc_id="d", splitter=make_splitter(), max_segment_chars=4000)
    segments = list(segment_text(text, options))
    assert all(text[s.start : s.end] == s.text and len(s.text) <= 4000 for s in segments)
    assert "".join(s.text for s in segments if s.paragraph == 1) == "a" * 16_000
    words = " ".join(s.text for s in segments if s.paragraph == 0).split()
    assert words == [f"mot{n}" for n in range(6000)]  # nothing lost, nothing doubled


def test_titles_joined_to_their_names_never_pass_the_segment_limit() -> None:
    text = "M. " * 5000 + "Dupont."
    options = ReadOptions(doc_id="d", splitter=make_splitter(), max_segment_chars=1000)
    segments = list(segment_text(text, options))
    assert max(len(s.text) for s in segments) <= 1000 and len(segments) >= 15


def _peak_reading(path: Path, **options: object) -> int:
    tracemalloc.start()
    try:
        for _ in iter_segments(path, splitter=REGEX, **options):  # type: ignore[arg-type]
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_memory_does_not_grow_with_the_text(tmp_path: Path) -> None:
    sentence = "Le gouvernement a publié une déclaration importante hier soir "  # no full stop
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_text(sentence * 4_000, encoding="utf-8")  # 250 KB, one paragraph
    big.write_text(sentence * 40_000, encoding="utf-8")  # 2.5 MB
    assert _peak_reading(big) < 1.5 * _peak_reading(small) + 200_000


def test_a_huge_table_line_is_refused_before_it_is_held(tmp_path: Path) -> None:
    path = tmp_path / "big.tsv"
    path.write_bytes(b"translation\n" + b"x" * 5_000_000 + b"\n")
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="line longer than 480,000 bytes"):
            list(iter_segments(path))
        assert tracemalloc.get_traced_memory()[1] < 2_000_000
    finally:
        tracemalloc.stop()


pieces = st.lists(
    st.sampled_from(
        ["Le chat dort. ", "M. ", "etc. la ", "\n", "\n\n", "  \n ", "é", "😀", "a" * 9, " " * 7,
         "\t", "« Oui. » ", "Paris. 2 février. AFP - ", "x" * 40, "\r\n", "Fin."]
    ),
    max_size=40,
).map("".join)  # fmt: skip


@given(
    text=pieces,
    cuts=st.lists(st.integers(0, 2000), max_size=6),
    limit=st.sampled_from([8, 30, 20000]),
)
@settings(max_examples=200, deadline=None)
def test_segments_do_not_depend_on_where_blocks_end(text: str, cuts: list[int], limit: int) -> None:
    """A file is read in blocks: wherever they end, the segments are those of the whole text."""
    options = ReadOptions(doc_id="d", splitter=REGEX, max_segment_chars=limit)
    whole = [(s.start, s.end, s.paragraph, s.line, s.text) for s in segment_text(text, options)]
    bounds = sorted({min(c, len(text)) for c in cuts})
    blocks = [text[a:b] for a, b in zip([0, *bounds], [*bounds, len(text)], strict=True)]
    streamed = [
        (s.start, s.end, s.paragraph, s.line, s.text) for s in segment_blocks(blocks, options)
    ]
    assert streamed == whole
    for start, end, _paragraph, line, segment in whole:
        assert text[start:end] == segment and len(segment) <= max(limit, 2)
        assert line == text.count("\n", 0, start) + 1


# --- reviews backups: every value checked on import -------------------------------------------
@pytest.fixture()
def backup(tmp_path: Path) -> tuple[Path, list[dict[str, object]]]:
    db = tmp_path / "seed.db"
    text = tmp_path / "a.txt"
    text.write_text("Le chat dort. Le chien aussi.\n\nFin du texte.\n", encoding="utf-8")
    with ReviewStore(db) as store:
        from mtreview.readers import read_document

        store.add_document(read_document(text, doc_id="a"))
        store.mark_reviewed("a", 0, reviewer="zoé")
        store.add_annotation("a", 1, 0, 2, category="Other", severity="minor", reviewer="zoé")
        store.save_correction("a", 2, "Fin.", expected_version=0, reviewer="bob")
    out = tmp_path / "reviews.jsonl"
    assert main(["export", "--db", str(db), "--format", "reviews", "-o", str(out)]) == 0
    return db, [json.loads(line) for line in out.read_text("utf-8").splitlines()]


def _write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _first(records: list[dict[str, object]], kind: str) -> int:
    return next(i for i, r in enumerate(records) if r["type"] == kind)


@pytest.mark.parametrize(
    ("kind", "field", "value", "message"),
    [
        ("segment", "reviewed_by", None, "'reviewed_by' and 'reviewed_at' go together"),
        ("annotation", "start", 2**63, "'start' must be an integer from 0 to 2,147,483,647"),
        ("correction", "version", 0, "'version' must be an integer from 1"),
        ("annotation", "created_at", "not a date", "'created_at' is not an ISO 8601 time"),
        ("correction", "created_at", "0001-01-01T00:00:00+01:00", "'created_at' is out of range"),
        ("correction", "text", "\ud800", "lone surrogate escape at column"),
        ("annotation", "severity", "x" * 41, "'severity' is longer than 40 characters"),
        ("document", "created_at", None, "'created_at' must be str"),
    ],
)
def test_import_reviews_checks_every_value(
    backup: tuple[Path, list[dict[str, object]]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    field: str,
    value: object,
    message: str,
) -> None:
    seed, records = backup
    number = _first(records, kind)
    records[number][field] = value
    path = _write(tmp_path / "bad.jsonl", records)
    for db in (tmp_path / "fresh.db", seed):  # a new store, and a merge into the old one
        assert f"{path}:{number + 1}: {message}" in fails(
            capsys, "import-reviews", str(path), "--db", str(db)
        )


def test_import_reviews_fills_missing_nullable_fields_and_normalises_times(
    backup: tuple[Path, list[dict[str, object]]], tmp_path: Path
) -> None:
    _seed, records = backup
    segment = records[_first(records, "segment")]
    del segment["source"], segment["line"]
    records[_first(records, "correction")]["created_at"] = "2027-03-01T12:00:00+02:00"
    path = _write(tmp_path / "ok.jsonl", records)
    db = tmp_path / "fresh.db"
    assert main(["import-reviews", str(path), "--db", str(db)]) == 0
    with ReviewStore(db) as store:
        assert store.segment("a", 0).analysis.segment.source is None
        assert store.corrections("a", 2)[0].created_at == "2027-03-01T10:00:00.000000+00:00"
    from mtreview.export import EXPORTERS

    for fmt in EXPORTERS:  # whatever an import accepted, every export writes
        assert main(["export", "--db", str(db), "--format", fmt, "-o", str(tmp_path / fmt)]) == 0


def test_a_conversion_killed_midway_leaves_nothing_for_long(
    tmp_path: Path, tiny_fr_en: Path
) -> None:
    import os

    from mtreview.backends.ct2 import convert_once, converted_dir

    target = converted_dir(str(tiny_fr_en), "int8", tmp_path)
    target.parent.mkdir(parents=True)
    stale, recent = target.parent / f".{target.name}.old", target.parent / f".{target.name}.now"
    stale.mkdir()
    recent.mkdir()  # another process converting right now: left alone
    os.utime(stale, (0, 0))
    assert convert_once(str(tiny_fr_en), "int8", tmp_path) == target
    assert (target / "model.bin").is_file()
    assert sorted(p.name for p in target.parent.iterdir()) == sorted([target.name, recent.name])


def test_files_the_cli_cannot_write_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "a.txt"
    text.write_text("Le chat dort.\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    missing = tmp_path / "no" / "summary.json"
    assert f"{missing}: output folder {missing.parent} does not exist" in fails(
        capsys, *score(text, out, "--summary", str(missing))
    )
    assert not out.exists()  # refused before the run, not after it
    assert main([*score(text, out)]) == 0
    capsys.readouterr()
    err = fails(capsys, "calibrate", str(out), "--analysis", str(out), "--json", str(missing))
    assert f"{missing}: output folder {missing.parent} does not exist" in err
