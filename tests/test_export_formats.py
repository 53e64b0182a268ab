"""Each export format on rows from memory: valid files, hostile text, pairs, atomic writes."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree

from mtreview.errors import ExportError
from mtreview.export import (
    EXPORTERS,
    ExportAnnotation,
    ExportDocument,
    ExportOptions,
    ExportRow,
    export_to_bytes,
    export_to_path,
)
from mtreview.export.memory import RowsSource

SCHEMAS = Path(__file__).resolve().parent / "schemas"
WHEN = datetime(2024, 5, 1, 10, 30, 0)
NASTY = 'Zoé <b>"&amp;"</b> 😀'


def rows(*, source: bool = True, mt: str = "Le café <est> & «bon» 😀.") -> list[ExportRow]:
    start = mt.index("café")
    mark = ExportAnnotation(
        start, start + 4, "Accuracy/Mistranslation", "major", NASTY, "zoé", WHEN
    )
    emoji = ExportAnnotation(
        mt.index("😀"), mt.index("😀") + 1, "Style/Awkward", "minor", "", "bob", WHEN
    )
    src = (lambda text: text) if source else (lambda _text: None)
    return [
        ExportRow(
            "doc <1>",
            0,
            mt,
            source=src("Кофе <хороший> & 😀."),
            corrected="Le café est bon 😀 !",
            annotations=(mark, emoji),
            reviewer="zoé",
            changed=WHEN,
            status="corrected",
            source_lang="ru" if source else None,
        ),
        ExportRow(
            "doc <1>",
            1,
            "Deuxième\nligne\tavec tab\r\n et \u2028 fin.",
            source=src("Вторая\nстрока."),
            status="reviewed",
            reviewer="bob",
            changed=WHEN,
            paragraph=1,
            source_lang="ru" if source else None,
        ),
        ExportRow(
            "doc <1>",
            2,
            "Troisième.",
            source=src("Третья."),
            paragraph=1,
            source_lang="ru" if source else None,
        ),
    ]


def source_of(items: list[ExportRow], *, has_source: bool = True) -> RowsSource:
    lang = "ru" if has_source else None
    return RowsSource([ExportDocument("doc <1>", "Doc <1>", "fr", lang, has_source, 3)], items)


def xmllint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["xmllint", "--noout", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("pair", ["source", "mt"])
def test_tmx_is_valid_and_carries_everything(tmp_path: Path, pair: str) -> None:
    out = tmp_path / "out.tmx"
    summary = export_to_path(source_of(rows()), "tmx", out, ExportOptions(pair=pair))
    assert summary.segments == 3 and summary.annotations == 2 and summary.pair == pair
    result = xmllint("--dtdvalid", str(SCHEMAS / "tmx14.dtd"), str(out))
    assert result.returncode == 0, result.stderr
    root = etree.parse(str(out)).getroot()
    assert root.find("header/prop[@type='x-pair']").text == pair
    tus = root.findall("body/tu")
    assert len(tus) == 3
    first = tus[0]
    assert first.get("changeid") == "zoé" and first.get("changedate") == "20240501T103000Z"
    langs = [tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in first.iter("tuv")]
    assert langs == (["ru", "fr"] if pair == "source" else ["fr-x-mt", "fr"])
    segs = [seg.text for seg in first.iter("seg")]
    expected_left = "Кофе <хороший> & 😀." if pair == "source" else rows()[0].mt
    assert segs == [expected_left, "Le café est bon 😀 !"]
    marks = [json.loads(p.text) for p in first.findall("prop[@type='x-mqm']")]
    mt = rows()[0].mt
    assert [(m["start"], m["end"], m["text"]) for m in marks] == [
        (a.start, a.end, mt[a.start : a.end]) for a in rows()[0].annotations
    ]
    assert marks[0]["comment"] == NASTY
    # the second segment's line breaks survive XML (\r as a character reference)
    assert [seg.text for seg in tus[1].iter("seg")][1] == rows()[1].mt


@pytest.mark.parametrize("pair", ["source", "mt"])
def test_xliff_is_valid_with_states_and_notes(tmp_path: Path, pair: str) -> None:
    out = tmp_path / "out.xlf"
    export_to_path(source_of(rows()), "xliff", out, ExportOptions(pair=pair))
    result = xmllint("--schema", str(SCHEMAS / "xliff-core-1.2-strict.xsd"), str(out))
    assert result.returncode == 0, result.stderr
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    root = etree.parse(str(out)).getroot()
    file = root.find("x:file", ns)
    assert file.get("original") == "doc <1>"
    assert file.get("source-language") == ("ru" if pair == "source" else "fr-x-mt")
    assert f"pair={pair}" in file.find("x:header/x:note", ns).text
    states = [t.get("state") for t in root.iterfind(".//x:trans-unit/x:target", ns)]
    assert states == ["final", "signed-off", "needs-review-translation"]
    first = root.find(".//x:trans-unit", ns)
    notes = [n.text for n in first.iterfind("x:note", ns)]
    assert any(NASTY in note and "[3:7]" in note for note in notes)
    assert any(note.startswith("corrected by zoé on 2024-05-01T10:30:00Z") for note in notes)
    alt = first.find("x:alt-trans/x:target", ns)
    assert (alt is not None) == (pair == "source")


def test_xml_hostile_text_is_refused_with_its_place(tmp_path: Path) -> None:
    for bad, code in (("Bell \x07 here", "U+0007"), ("\ufffe", "U+FFFE"), ("a\ud800b", "U+D800")):
        items = rows()
        items[1] = ExportRow("doc <1>", 1, bad, source="x", source_lang="ru")
        for fmt in ("tmx", "xliff"):
            out = tmp_path / f"bad.{fmt}"
            with pytest.raises(ExportError, match=rf"segment 2 .*{re.escape(code)}"):
                export_to_path(source_of(items), fmt, out)
            assert not out.exists()
            assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_lone_surrogates_are_refused_by_text_formats(tmp_path: Path) -> None:
    items = rows()
    items[2] = ExportRow("doc <1>", 2, "bad \udc80 text", source="x", source_lang="ru")
    for fmt in ("tsv", "jsonl", "moses", "mqm", "html"):
        with pytest.raises(ExportError, match=r"segment 3 .*U\+DC80"):
            export_to_path(source_of(items), fmt, tmp_path / f"bad.{fmt}")
    assert list(tmp_path.iterdir()) == []


def test_failed_export_keeps_the_previous_file(tmp_path: Path) -> None:
    out = tmp_path / "corpus.tmx"
    out.write_text("previous export", encoding="utf-8")
    items = [*rows(), ExportRow("doc <1>", 3, "\x00", source="x", source_lang="ru")]
    with pytest.raises(ExportError):
        export_to_path(source_of(items), "tmx", out)
    assert out.read_text(encoding="utf-8") == "previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.tmx"]


def test_pair_source_needs_a_source(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no source text; export it with --pair mt"):
        export_to_path(
            source_of(rows(source=False)), "tsv", tmp_path / "x.tsv", ExportOptions(pair="source")
        )
    summary = export_to_path(
        source_of(rows(source=False), has_source=False), "tsv", tmp_path / "x.tsv"
    )
    assert summary.pair == "mt"  # chosen because the document has no source
    header = (tmp_path / "x.tsv").read_text(encoding="utf-8").splitlines()[0].split("\t")
    assert header[:4] == ["doc", "segment", "mt", "translation"]


def test_tsv_escapes_and_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "x.tsv"
    export_to_path(source_of(rows()), "tsv", out)
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == 5  # header + 3 rows, newline-terminated
    with out.open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))

    def unescape(cell: str) -> str:
        return cell.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r")

    assert table[0]["translation"] == "Le café est bon 😀 !"
    assert table[1]["translation"] == "Deuxième\\nligne\\tavec tab\\r\\n et \u2028 fin."
    assert unescape(table[1]["source"]) == "Вторая\nстрока."
    assert [r["status"] for r in table] == ["corrected", "reviewed", "new"]
    assert table[0]["changed"] == "2024-05-01T10:30:00Z"


def test_jsonl_loads_with_hugging_face_datasets(tmp_path: Path) -> None:
    import datasets

    out = tmp_path / "x.jsonl"
    export_to_path(source_of(rows()), "jsonl", out, ExportOptions(only="reviewed"))
    loaded = datasets.load_dataset(
        "json", data_files=str(out), split="train", cache_dir=str(tmp_path / "cache")
    )
    assert loaded.num_rows == 2
    assert loaded[0]["translation"] == {"ru": "Кофе <хороший> & 😀.", "fr": "Le café est bon 😀 !"}
    assert loaded[1]["translation"]["fr"] == rows()[1].mt
    assert loaded[0]["id"] == "doc <1>:1"


def test_moses_files_stay_aligned_whatever_the_line_breaks(tmp_path: Path) -> None:
    summary = export_to_path(
        source_of(rows()), "moses", tmp_path / "corpus", ExportOptions(pair="mt")
    )
    left, right = (Path(p) for p in summary.paths)
    assert (left.name, right.name) == ("corpus.fr-x-mt", "corpus.fr")
    for path in (left, right):
        data = path.read_text(encoding="utf-8")
        assert len(data.splitlines()) == 3 and data.count("\n") == 3
    assert right.read_text(encoding="utf-8").splitlines()[1] == (
        "Deuxième ligne\tavec tab  et   fin."
    )


def test_mqm_tsv_has_the_wmt_layout(tmp_path: Path) -> None:
    out = tmp_path / "x.mqm.tsv"
    export_to_path(source_of(rows()), "mqm", out, ExportOptions(system="sys-A"))
    lines = out.read_text(encoding="utf-8").splitlines()
    header, *body = (line.split("\t") for line in lines)
    assert header == [
        "system",
        "doc",
        "doc_id",
        "seg_id",
        "rater",
        "source",
        "target",
        "category",
        "severity",
    ]
    assert all(len(row) == 9 for row in body)
    assert len(body) == 3  # two errors in segment 1, No-error for reviewed segment 2
    first = body[0]
    assert first[:5] == ["sys-A", "doc <1>", "1", "1", "zoé"]
    assert first[6] == "Le <v>café</v> <est> & «bon» 😀."
    assert first[7:] == ["Accuracy/Mistranslation", "Major"]
    assert body[1][6].endswith("<v>😀</v>.") and body[1][4] == "bob"
    assert body[2][2:4] == ["2", "2"] and body[2][7:] == ["No-error", "No-error"]
    assert "\n" not in body[2][6] and "Deuxième ligne avec tab" in body[2][6]


def test_html_report_escapes_everything_and_loads_nothing(tmp_path: Path) -> None:
    items = rows()
    items[2] = ExportRow(
        "doc <1>",
        2,
        "<script>alert(1)</script> <img src=x onerror=alert(2)>",
        paragraph=1,
        source="s",
        source_lang="ru",
    )
    out = tmp_path / "r.html"
    export_to_path(source_of(items), "html", out, ExportOptions(title="<i>Rapport</i>"))
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page and "<img" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;&quot;&amp;amp;&quot;&lt;/b&gt;" in page  # the comment, in a title
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    tree = etree.HTML(page)
    marks = tree.findall(".//mark")
    assert [m.text for m in marks] == ["café", "😀"]
    assert tree.find(".//del").text and tree.find(".//ins").text  # the correction's diff
    assert page.count("<svg") == 3  # errors by category, by severity, penalty along the text
    summary = tree.find(".//div[@class='summary']")
    assert summary.find("h2").text == "Doc <1>"
    cells = {th.text: th.getnext().text for th in summary.iter("th")}
    assert cells["reviewed"] == "2 / 3" and cells["MQM penalty"] == "6"


def test_only_and_doc_filters(tmp_path: Path) -> None:
    items = rows()
    other = ExportRow("other", 0, "Autre.", source="Другой.", status="reviewed", source_lang="ru")
    docs = [
        ExportDocument("doc <1>", "Doc", "fr", "ru", True, 3),
        ExportDocument("other", "Other", "fr", "ru", True, 1),
    ]
    source = RowsSource(docs, [*items, other])
    for only, count in (("all", 4), ("reviewed", 3), ("corrected", 1)):
        assert (
            export_to_path(source, "jsonl", tmp_path / "x.jsonl", ExportOptions(only=only)).segments
            == count
        )
    summary = export_to_path(source, "jsonl", tmp_path / "x.jsonl", ExportOptions(docs=("other",)))
    assert summary.segments == 1
    with pytest.raises(ExportError, match="no document 'missing'"):
        export_to_path(source, "jsonl", tmp_path / "x.jsonl", ExportOptions(docs=("missing",)))


def test_empty_export_is_still_valid(tmp_path: Path) -> None:
    source = source_of(rows())
    for fmt in ("tmx", "xliff"):
        out = tmp_path / f"e.{fmt}"
        export_to_path(source, fmt, out, ExportOptions(only="corrected", docs=("doc <1>",)))
        empty = RowsSource(source.documents(), [])
        export_to_path(empty, fmt, out)
        schema = (
            ("--dtdvalid", str(SCHEMAS / "tmx14.dtd"))
            if fmt == "tmx"
            else ("--schema", str(SCHEMAS / "xliff-core-1.2-strict.xsd"))
        )
        result = xmllint(*schema, str(out))
        assert result.returncode == 0, result.stderr


def test_export_to_bytes_for_download_buttons() -> None:
    source = source_of(rows())
    for fmt in EXPORTERS:
        if fmt == "reviews":
            with pytest.raises(ExportError, match="needs a review store"):
                export_to_bytes(source, fmt)
            continue
        name, data, media = export_to_bytes(source, fmt, stem="kaztag")
        assert name.startswith("kaztag") and data and media
    name, data, media = export_to_bytes(source, "moses")
    assert name.endswith(".zip") and media == "application/zip" and data[:2] == b"PK"


def test_output_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is a directory"):
        export_to_path(source_of(rows()), "tsv", tmp_path)
    with pytest.raises(ExportError, match="does not exist"):
        export_to_path(source_of(rows()), "tsv", tmp_path / "missing" / "x.tsv")
    with pytest.raises(ExportError, match="unknown export format"):
        export_to_path(source_of(rows()), "docx", tmp_path / "x.docx")
