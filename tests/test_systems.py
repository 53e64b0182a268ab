"""Several MT systems' translations of one source: read, scored, stored and exported per system.

Each system's translation is a document of its own (`news@A`, `news@B`) whose segments name
their system; segment i of every system translates source row i.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest
from jsonl_files import assert_round_trip

from mtreview.cli import main
from mtreview.errors import InputError
from mtreview.readers import iter_segments
from mtreview.store import ReviewStore

SCHEMAS = Path(__file__).resolve().parent / "schemas"
ROWS = [  # source, system A, system B, reference
    (
        "The NGO is under pressure.",
        "L'ONG est sous pression.",
        "L'ONG est sous la pression.",
        "L'ONG subit des pressions.",
    ),
    (
        "The court fined it.",
        "Le tribunal l'a condamnée à une amende.",
        "La cour l'a amendée.",
        "Le tribunal l'a condamnée à une amende.",
    ),
    (
        "Its director <b>left</b> & spoke.",
        "Sa directrice est partie et a parlé.",
        "Son directeur <b>a quitté</b> & parlé.",
        "Sa directrice est partie & a parlé.",
    ),
]


def wide_tsv(path: Path) -> Path:
    lines = ["source\ttranslation:A\ttranslation:B\treference"]
    lines += ["\t".join(row) for row in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def long_csv(path: Path, rows: list[tuple[str, str, str]] | None = None) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["system", "source", "translation"])
    for source, a, b, _ in ROWS:
        writer.writerow(["A", source, a])
        writer.writerow(["B", source, b])
    for row in rows or []:
        writer.writerow(row)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def by_system(path: Path) -> dict[str | None, list[tuple[str, int, str, str | None]]]:
    found: dict[str | None, list[tuple[str, int, str, str | None]]] = {}
    for segment in iter_segments(path):
        found.setdefault(segment.system, []).append(
            (segment.doc, segment.index, segment.text, segment.source)
        )
    return found


def expected(name: str, doc: str) -> list[tuple[str, int, str, str | None]]:
    column = 1 if name == "A" else 2
    return [(f"{doc}@{name}", i, row[column], row[0]) for i, row in enumerate(ROWS)]


@pytest.mark.parametrize("layout", ["wide tsv", "long csv", "wide jsonl", "jsonl system key"])
def test_every_layout_gives_one_document_per_system(tmp_path: Path, layout: str) -> None:
    if layout == "wide tsv":
        path = wide_tsv(tmp_path / "news.tsv")
    elif layout == "long csv":
        path = long_csv(tmp_path / "news.csv")
    else:
        path = tmp_path / "news.jsonl"
        if layout == "wide jsonl":
            records = [{"source": s, "translation": {"A": a, "B": b}} for s, a, b, _ in ROWS]
        else:
            records = [
                {"system": name, "source": row[0], "translation": row[column]}
                for row in ROWS
                for name, column in (("A", 1), ("B", 2))
            ]
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    found = by_system(path)
    assert list(found) == ["A", "B"]  # in the order the input names them
    assert found["A"] == expected("A", "news")
    assert found["B"] == expected("B", "news")


def test_a_language_pair_is_still_a_language_pair(tmp_path: Path) -> None:
    path = tmp_path / "hf.jsonl"
    path.write_text(json.dumps({"translation": {"fr": "Bonjour.", "en": "Hello."}}) + "\n")
    [segment] = list(iter_segments(path))
    assert (segment.system, segment.doc, segment.text, segment.source) == (
        None,
        "hf",
        "Bonjour.",
        "Hello.",
    )


@pytest.mark.parametrize(
    ("extra", "line", "words"),
    [
        ([("B", "Another source.", "Autre.")], 8, "does not translate what system 'A'"),
        ([("A", "One more.", "Encore.")], None, "system 'B' has 3 rows, system 'A' 4"),
        ([("", "Hello.", "Bonjour.")], 8, "empty system name"),
        ([("A/B", "Hello.", "Bonjour.")], 8, "may hold only letters"),
    ],
)
def test_systems_that_do_not_translate_the_same_rows_are_refused(
    tmp_path: Path, extra: list[tuple[str, str, str]], line: int | None, words: str
) -> None:
    path = long_csv(tmp_path / "news.csv", extra)
    with pytest.raises(InputError) as caught:
        list(iter_segments(path))
    message = str(caught.value)
    assert words in message
    assert message.startswith(f"{path}:{line}: " if line else f"{path}: ")


def test_bad_headers_and_rows_name_the_problem(tmp_path: Path) -> None:
    cases = {
        "source\ttranslation\ttranslation:B\n": "has no 'translation' or 'system' column",
        "source\ttranslation:A\ttranslation:A\n": "named twice",
        "source\ttranslation:A B\n": "may hold only letters",
    }
    for header, words in cases.items():
        path = tmp_path / "bad.tsv"
        path.write_text(header + "x\ty" + "\ty" * (header.count("\t") - 1) + "\n")
        with pytest.raises(InputError, match=words):
            list(iter_segments(path))
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(
        json.dumps({"system": "A", "translation": "Un."})
        + "\n"
        + json.dumps({"translation": "Deux."})
    )
    with pytest.raises(InputError, match=r"mixed.jsonl:2: .*'system' key on some rows only"):
        list(iter_segments(mixed))
    odd = tmp_path / "odd.jsonl"
    odd.write_text(
        json.dumps({"translation": {"A": "Un.", "B": "Une."}})
        + "\n"
        + json.dumps({"translation": {"A": "Deux."}})
    )
    with pytest.raises(InputError, match=r"odd.jsonl:2: 'translation' object has no 'B' key"):
        list(iter_segments(odd))


def test_score_reports_each_system_and_stores_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = wide_tsv(tmp_path / "news.tsv")
    out, summary, db = tmp_path / "run.jsonl", tmp_path / "summary.json", tmp_path / "r.db"
    assert main(["score", str(path), "--no-models", "-o", str(out), "--summary", str(summary)]) == 0
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [(r["doc"], r["system"]) for r in records] == [("news@A", "A")] * 3 + [
        ("news@B", "B")
    ] * 3
    systems = json.loads(summary.read_text("utf-8"))["systems"]
    assert list(systems) == ["A", "B"]
    a, b = (systems[name]["reference"]["chrf"]["score"] for name in ("A", "B"))
    assert a > b  # A is the closer translation of the references above
    assert "system        A: 3 segments" in capsys.readouterr().err
    assert main(["score", str(path), "--no-models", "--db", str(db)]) == 0
    with ReviewStore(db) as store:
        assert [info.doc_id for info in store.documents()] == ["news@A", "news@B"]
        assert {r.analysis.segment.system for r in store.iter_segments("news@B")} == {"B"}


@pytest.fixture
def reviewed_store(tmp_path: Path) -> Path:
    """Both systems scored into a store, an error marked in each system's segment 2."""
    db = tmp_path / "r.db"
    assert (
        main(["score", str(wide_tsv(tmp_path / "news.tsv")), "--no-models", "--db", str(db)]) == 0
    )
    with ReviewStore(db) as store:
        store.add_annotation(
            "news@A", 1, 0, 11, category="Fluency/Grammar", severity="minor", reviewer="zoé"
        )
        store.add_annotation(
            "news@B", 1, 3, 7, category="Accuracy/Mistranslation", severity="major", reviewer="zoé"
        )
        store.save_correction(
            "news@B", 1, "Le tribunal l'a condamnée.", expected_version=0, reviewer="zoé"
        )
    return db


def test_exports_keep_the_system(reviewed_store: Path, tmp_path: Path) -> None:
    def export(fmt: str) -> Path:
        out = tmp_path / f"out.{fmt}"
        assert main(["export", "--db", str(reviewed_store), "--format", fmt, "-o", str(out)]) == 0
        return out

    rows = [line.split("\t") for line in export("mqm").read_text("utf-8").splitlines()]
    header, errors = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert header[:4] == ["system", "doc", "doc_id", "seg_id"]
    assert [(e["system"], e["doc"], e["doc_id"], e["seg_id"], e["category"]) for e in errors] == [
        ("A", "news", "2", "2", "Fluency/Grammar"),
        ("B", "news", "2", "2", "Accuracy/Mistranslation"),
    ]
    assert errors[1]["target"] == "La <v>cour</v> l'a amendée."
    tmx = export("tmx")
    subprocess.run(
        ["xmllint", "--noout", "--dtdvalid", str(SCHEMAS / "tmx14.dtd"), str(tmx)], check=True
    )
    text = tmx.read_text("utf-8")
    assert text.count('<prop type="x-system">A</prop>') == 3
    assert text.count('<prop type="x-system">B</prop>') == 3
    xliff = export("xliff")
    subprocess.run(
        [
            "xmllint",
            "--noout",
            "--schema",
            str(SCHEMAS / "xliff-core-1.2-strict.xsd"),
            str(xliff),
        ],
        check=True,
    )
    assert xliff.read_text("utf-8").count('tool-id="x-system:B"') == 4  # the header's, 3 units
    jsonl = [json.loads(line) for line in export("jsonl").read_text("utf-8").splitlines()]
    assert [r["system"] for r in jsonl] == ["A"] * 3 + ["B"] * 3


def test_reviews_backup_round_trip_keeps_systems(reviewed_store: Path, tmp_path: Path) -> None:
    first, again = tmp_path / "reviews.jsonl", tmp_path / "again.jsonl"
    assert (
        main(["export", "--db", str(reviewed_store), "--format", "reviews", "-o", str(first)]) == 0
    )
    fresh = tmp_path / "fresh.db"
    assert main(["import-reviews", str(first), "--db", str(fresh)]) == 0
    assert main(["export", "--db", str(fresh), "--format", "reviews", "-o", str(again)]) == 0
    assert_round_trip(first.read_bytes(), again.read_bytes())
    with ReviewStore(fresh) as store:
        [mark] = store.segment("news@B", 1).annotations
        assert (mark.category, store.segment("news@B", 1).analysis.segment.system) == (
            "Accuracy/Mistranslation",
            "B",
        )


def test_runs_of_one_system_each_pair_up_by_name(tmp_path: Path) -> None:
    """`score --system NAME`: files named alike, or WMT's `news.NAME.txt`, give one base
    document; an input that names its own systems, or a bad name, is refused."""
    (tmp_path / "A").mkdir()
    first = tmp_path / "A" / "news.txt"
    first.write_text("Le chat dort. Il fait beau.\n", encoding="utf-8")
    second = tmp_path / "news.B.txt"
    second.write_text("Le chat dors. Il fais beau.\n", encoding="utf-8")
    db = tmp_path / "r.db"
    for path, name in ((first, "A"), (second, "B")):
        assert main(["score", str(path), "--system", name, "--no-models", "--db", str(db)]) == 0
    with ReviewStore(db) as store:
        assert [info.doc_id for info in store.documents()] == ["news@A", "news@B"]
        assert [r.analysis.segment.system for r in store.iter_segments("news@B")] == ["B", "B"]
    wide = wide_tsv(tmp_path / "wide.tsv")
    assert main(["score", str(wide), "--system", "C", "--no-models", "-o", "-"]) == 2
    assert main(["score", str(first), "--system", "a b", "--no-models", "-o", "-"]) == 2


def test_an_upload_with_several_systems_becomes_a_comparison(tmp_path: Path) -> None:
    """The app's upload of a file of two systems stores both documents, under a name no
    document of the store has, and the store sees a comparison; a second upload of the
    same file gets the next free name."""
    from mtreview.analysis import Models
    from mtreview.settings import Settings
    from mtreview.ui.loading import ModelState, import_upload

    data = wide_tsv(tmp_path / "news.tsv").read_bytes()
    state, settings = ModelState(Models(), "off"), Settings(use_models=False, grammar=False)
    with ReviewStore(tmp_path / "r.db") as store:
        first = import_upload(store, "news.tsv", data, settings, state)
        second = import_upload(store, "news.tsv", data, settings, state)
        assert (first, second) == ("news@A", "news-2@A")
        assert [(c.base, c.names) for c in store.comparisons()] == [
            ("news", ("A", "B")),
            ("news-2", ("A", "B")),
        ]
        assert [s.text for s in store.load_document("news-2@B").segments] == [r[2] for r in ROWS]
        several = tmp_path / "several.tsv"
        several.write_text("doc\ttranslation\na\tUn.\nb\tDeux.\n", encoding="utf-8")
        with pytest.raises(InputError, match="holds several documents"):
            import_upload(store, "several.tsv", several.read_bytes(), settings, state)
