"""Exports from a real review store: every format, validated and read back independently.

The store holds the shipped article (no source: `--pair mt`) and a Russian→French table
(with source), annotations and corrections full of accents, quotes, `<`, `&` and emoji.
TMX and XLIFF are checked with xmllint against the schemas and read back with
translate-toolkit; the reviews file must survive export → import → export byte for byte.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from translate.storage import tmx as tt_tmx
from translate.storage import xliff as tt_xliff

from mtreview.analysis import SegmentAnalysis
from mtreview.cli import main
from mtreview.flags import Flag
from mtreview.readers import read_document
from mtreview.store import ReviewStore

SCHEMAS = Path(__file__).resolve().parent / "schemas"
XLIFF_NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
COMMENT = 'Zoé dit « non » <b>&amp;</b> "vraiment" 😀'
PAIRS = [
    ("Кофе <горячий> & вкусный.", "Le café <chaud> & bon 😀 est là."),
    ("Он сказал «да».", 'Il a dit "oui" à l\'ONG.'),
    ("Третья фраза.", "Troisième phrase sans faute."),
    ("Четвёртая.", "Quatrième phrase, jamais vue."),
]


def build_store(db: Path, article: Path, tmp: Path) -> ReviewStore:
    store = ReviewStore(db)
    doc = read_document(article, doc_id="kaztag")
    flag = Flag(0, 11, "Accuracy/Mistranslation", "minor", ("rule:test",), "pression?")
    other = Flag(12, 15, "Fluency/Grammar", "minor", ("rule:test",), "des?")
    first = SegmentAnalysis(segment=doc.segments[0], flags=(flag, other), risk=0.5)
    store.add_document(doc, [first], info={"models": "none"})
    table = tmp / "pairs.tsv"
    table.write_text(
        "source\ttranslation\n" + "".join(f"{s}\t{t}\n" for s, t in PAIRS), encoding="utf-8"
    )
    store.add_document(read_document(table, doc_id="pairs", source_lang="ru"))

    title = doc.segments[0].text
    start = title.index("est endommagée à l'image")
    store.add_annotation(
        "kaztag",
        0,
        start,
        start + len("est endommagée à l'image"),
        category="Accuracy/Mistranslation",
        severity="major",
        reviewer="zoé",
        comment=COMMENT,
    )
    store.decide_flag("kaztag", 0, 0, accept=True, reviewer="bob")
    store.decide_flag("kaztag", 0, 1, accept=False, reviewer="bob")
    store.save_correction(
        "kaztag", 0, title.replace("est endommagée à", "nuit à"), expected_version=0, reviewer="zoé"
    )
    store.save_correction(
        "kaztag",
        0,
        "La pression sur les ONG nuit à l'image du Kazakhstan",
        expected_version=1,
        reviewer="bob",
    )
    store.mark_reviewed("kaztag", 4, reviewer="zoé")

    mt = PAIRS[0][1]
    emoji = mt.index("😀")
    store.add_annotation(
        "pairs",
        0,
        emoji,
        emoji + 1,
        category="Style/Awkward",
        severity="minor",
        reviewer="bob",
        comment='emoji <inutile> & "x"',
    )
    store.add_annotation(
        "pairs",
        0,
        mt.index("<chaud>"),
        mt.index("<chaud>") + 7,
        category="Fluency/Punctuation",
        severity="minor",
        reviewer="zoé",
    )
    store.save_correction(
        "pairs", 0, "Le café chaud & bon 😀 « est » là.", expected_version=0, reviewer="zoé"
    )
    store.save_correction(
        "pairs",
        1,
        'Il a dit « oui » à l\'ONG <vraiment> & "là".',
        expected_version=0,
        reviewer="bob",
    )
    store.mark_reviewed("pairs", 2, reviewer="bob")
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, article: Path) -> ReviewStore:
    folder = tmp_path_factory.mktemp("store")
    return build_store(folder / "review.db", article, folder)


def export(store: ReviewStore, fmt: str, out: Path, *extra: str) -> None:
    assert (
        main(
            [
                "export",
                "--db",
                str(store.engine.url.database),
                "--format",
                fmt,
                "-o",
                str(out),
                *extra,
            ]
        )
        == 0
    )


def corrections(store: ReviewStore, doc: str) -> dict[int, str]:
    return {r.index: r.correction.text for r in store.iter_segments(doc) if r.corrected}


def annotations(store: ReviewStore, doc: str) -> dict[int, list[tuple[int, int, str, str]]]:
    found: dict[int, list[tuple[int, int, str, str]]] = {}
    for review in store.iter_segments(doc):
        for a in review.annotations:
            found.setdefault(review.index, []).append((a.start, a.end, a.text, a.comment))
    return found


def xmllint(*args: str) -> None:
    result = subprocess.run(["xmllint", "--noout", *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("doc", "pair"), [("pairs", "source"), ("kaztag", "mt")])
def test_tmx_valid_and_read_back_by_translate_toolkit(
    store: ReviewStore, tmp_path: Path, doc: str, pair: str
) -> None:
    out = tmp_path / "out.tmx"
    export(store, "tmx", out, "--doc", doc, "--pair", pair)
    xmllint("--dtdvalid", str(SCHEMAS / "tmx14.dtd"), str(out))
    units = tt_tmx.tmxfile.parsefile(str(out)).units
    reviews = list(store.iter_segments(doc))
    assert len(units) == len(reviews)
    for unit, review in zip(units, reviews, strict=True):
        assert unit.target == review.current_text
        left = review.analysis.segment.source if pair == "source" else review.text
        assert unit.source == left
        for a in review.annotations:
            assert f"[{a.start}:{a.end}]" in unit.getnotes() and a.comment in unit.getnotes()
    # exact spans from the machine-readable props
    spans: dict[int, list[tuple[int, int, str, str]]] = {}
    for number, tu in enumerate(etree.parse(str(out)).getroot().iter("tu")):
        for prop in tu.findall("prop[@type='x-mqm']"):
            mark = json.loads(prop.text)
            spans.setdefault(number, []).append(
                (mark["start"], mark["end"], mark["text"], mark["comment"])
            )
    assert spans == annotations(store, doc)


@pytest.mark.parametrize(("doc", "pair"), [("pairs", "source"), ("kaztag", "mt")])
def test_xliff_valid_and_read_back_by_translate_toolkit(
    store: ReviewStore, tmp_path: Path, doc: str, pair: str
) -> None:
    out = tmp_path / "out.xlf"
    export(store, "xliff", out, "--doc", doc, "--pair", pair)
    xmllint("--schema", str(SCHEMAS / "xliff-core-1.2-strict.xsd"), str(out))
    parsed = tt_xliff.xlifffile.parsefile(str(out))
    assert parsed.gettargetlanguage() == "fr"
    assert parsed.getsourcelanguage() == ("ru" if pair == "source" else "fr-x-mt")
    reviews = list(store.iter_segments(doc))
    assert len(parsed.units) == len(reviews)
    for unit, review in zip(parsed.units, reviews, strict=True):
        assert unit.target == review.current_text
        assert unit.isapproved() == review.reviewed
        state = unit.xmlelement.find("x:target", XLIFF_NS).get("state")
        expected = "final" if review.corrected else "signed-off" if review.reviewed else None
        assert state == (expected or "needs-review-translation")
        for a in review.annotations:
            assert f"[{a.start}:{a.end}] {a.category} ({a.severity}) «{a.text}»" in unit.getnotes()
            assert a.comment in unit.getnotes()
        if pair == "source":
            assert [alt.target for alt in unit.getalttrans()] == [review.text]


def test_corpus_formats_carry_every_correction(store: ReviewStore, tmp_path: Path) -> None:
    fixed = corrections(store, "pairs")
    export(store, "jsonl", tmp_path / "p.jsonl", "--doc", "pairs", "--only", "corrected")
    records = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text("utf-8").splitlines()]
    assert {int(r["id"].split(":")[1]) - 1: r["translation"]["fr"] for r in records} == fixed
    assert all(set(r["translation"]) == {"ru", "fr"} for r in records)

    export(store, "moses", tmp_path / "corpus", "--doc", "pairs")
    ru = (tmp_path / "corpus.ru").read_text("utf-8").splitlines()
    fr = (tmp_path / "corpus.fr").read_text("utf-8").splitlines()
    assert ru == [s for s, _ in PAIRS]
    assert [fr[i] for i in fixed] == list(fixed.values())

    export(store, "tsv", tmp_path / "k.tsv", "--doc", "kaztag", "--only", "reviewed")
    rows = [line.split("\t") for line in (tmp_path / "k.tsv").read_text("utf-8").splitlines()]
    assert rows[0][:4] == ["doc", "segment", "mt", "translation"]  # no source: --pair mt
    assert {int(r[1]) - 1: r[3] for r in rows[1:] if r[4] == "corrected"} == corrections(
        store, "kaztag"
    )


def test_mqm_rows_mark_every_span(store: ReviewStore, tmp_path: Path) -> None:
    out = tmp_path / "mqm.tsv"
    export(store, "mqm", out)
    rows = [line.split("\t") for line in out.read_text("utf-8").splitlines()]
    assert rows[0] == "system doc doc_id seg_id rater source target category severity".split()
    body = rows[1:]
    expected = []
    for doc in ("kaztag", "pairs"):
        for review in store.iter_segments(doc):
            for a in review.annotations:
                text = review.text
                expected.append(
                    (
                        doc,
                        str(review.index + 1),
                        f"{text[: a.start]}<v>{text[a.start : a.end]}</v>{text[a.end :]}",
                        a.category,
                    )
                )
            if review.reviewed and not review.annotations:
                expected.append((doc, str(review.index + 1), review.text, "No-error"))
    assert sorted((r[1], r[2], r[6], r[7]) for r in body) == sorted(expected)
    assert {r[4] for r in body} == {"zoé", "bob"}


def test_reviews_round_trip_is_byte_identical(store: ReviewStore, tmp_path: Path) -> None:
    first = tmp_path / "reviews.jsonl"
    export(store, "reviews", first)
    fresh = tmp_path / "fresh.db"
    assert main(["import-reviews", str(first), "--db", str(fresh)]) == 0
    second = tmp_path / "again.jsonl"
    assert main(["export", "--db", str(fresh), "--format", "reviews", "-o", str(second)]) == 0
    # the same bytes, then the one audit line the fresh store wrote itself: its import
    # (the lines that came in are imported history, never live rows, and not repeated)
    assert second.read_bytes().startswith(first.read_bytes())
    [own] = second.read_bytes()[len(first.read_bytes()) :].splitlines()
    assert json.loads(own)["type"] == "audit" and json.loads(own)["action"] == "import-reviews"
    kinds = [json.loads(line)["type"] for line in first.read_text("utf-8").splitlines()]
    assert kinds.count("correction") == 4 and kinds.count("decision") == 2
    assert kinds.count("annotation") == 4 and kinds.count("document") == 2
    # and the other formats agree too, e.g. the corpus and the report
    for fmt in ("tmx", "html"):
        export(store, fmt, tmp_path / f"a.{fmt}")
        assert (
            main(["export", "--db", str(fresh), "--format", fmt, "-o", str(tmp_path / f"b.{fmt}")])
            == 0
        )
        assert (tmp_path / f"a.{fmt}").read_bytes() == (tmp_path / f"b.{fmt}").read_bytes()
    # importing the same file again adds nothing
    with ReviewStore(fresh) as again:
        from mtreview.store.backup import import_reviews

        summary = import_reviews(again, first)
    assert summary.documents == summary.annotations == summary.corrections == 0
    actions = ("annotation", "correction", "decision", "done", "adjudication", "audit")
    assert kinds.count("audit") > 0 and kinds.count("done") > 0  # the audit log goes along
    assert summary.skipped == sum(kinds.count(kind) for kind in actions)
    with ReviewStore(fresh) as again:
        log = again.audit_log()
        assert again.verify_audit().ok
    assert sum(entry.imported for entry in log) == kinds.count("audit")
    live = [(e.action, e.detail.get("format")) for e in log if not e.imported]
    assert live == [
        ("import-reviews", None), ("export", "reviews"), ("export", "tmx"), ("export", "html"),
        ("import-reviews", None),
    ]  # fmt: skip


def test_merging_two_reviewers_work(tmp_path: Path, article: Path) -> None:
    from mtreview.store.backup import import_reviews

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    ours = build_store(tmp_path / "a" / "ours.db", article, tmp_path / "a")
    theirs = build_store(tmp_path / "b" / "theirs.db", article, tmp_path / "b")
    theirs.add_annotation(
        "pairs",
        3,
        0,
        9,
        category="Fluency/Spelling",
        severity="minor",
        reviewer="chloé",
        comment="leur ajout",
    )
    theirs.save_correction(
        "pairs", 0, "Leur version « finale » 😀", expected_version=1, reviewer="chloé"
    )
    backup = tmp_path / "theirs.jsonl"
    export(theirs, "reviews", backup)
    summary = import_reviews(ours, backup)
    assert summary.annotations >= 1 and summary.corrections >= 1 and summary.documents == 0
    history = ours.corrections("pairs", 0)
    assert history[-1].text == "Leur version « finale » 😀" and history[-1].reviewer == "chloé"
    assert len(history) >= 2 and [c.version for c in history] == list(range(1, len(history) + 1))
    assert any(a.comment == "leur ajout" for a in ours.segment("pairs", 3).annotations)


def test_import_reviews_errors_name_the_line_and_change_nothing(
    store: ReviewStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "reviews.jsonl"
    export(store, "reviews", good)
    lines = good.read_text("utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if '"type": "annotation"' in line)
    broken = json.loads(lines[number])
    broken["end"] = 10_000
    lines[number] = json.dumps(broken, ensure_ascii=False)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "target.db"
    capsys.readouterr()
    assert main(["import-reviews", str(bad), "--db", str(target)]) == 2  # not an exception
    assert capsys.readouterr().err.startswith(f"mtreview: error: {bad}:{number + 1}: span [")
    with ReviewStore(target) as empty:
        assert empty.documents() == []  # one transaction: nothing half-imported

    # an analysis the app could not read back is refused too
    number = next(i for i, line in enumerate(lines) if '"analysis": {' in line)
    broken = json.loads(lines[number])
    broken["analysis"]["record"]["flags"] = [{"start": 0}]
    lines = good.read_text("utf-8").splitlines()
    lines[number] = json.dumps(broken, ensure_ascii=False)
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["import-reviews", str(bad), "--db", str(target)]) == 2
    assert f"{bad}:{number + 1}: analysis of 'kaztag' segment 0 is not an mtreview analysis" in (
        capsys.readouterr().err
    )

    for text, message in (
        ("not json\n", "not valid JSON"),
        ('{"type": "header", "format": "other", "version": 1}\n', "not a mtreview-reviews"),
        ('{"type": "segment"}\n', "'doc' must be str"),
        ('{"type": "weird"}\n', "unknown record type 'weird'"),
    ):
        bad.write_text(text, encoding="utf-8")
        assert main(["import-reviews", str(bad), "--db", str(target)]) == 2
        assert f"{bad}:1: {message}" in capsys.readouterr().err


def test_cli_export_errors(
    store: ReviewStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(store.engine.url.database)
    tmx = str(tmp_path / "x.tmx")

    def fails(*argv: str) -> str:
        assert main(["export", *argv]) == 2
        return capsys.readouterr().err

    missing = str(tmp_path / "none.db")
    assert "no such review store" in fails("--db", missing, "--format", "tmx", "-o", tmx)
    assert not (tmp_path / "none.db").exists()
    err = fails("--db", db, "--format", "tmx", "-o", tmx, "--pair", "source")
    assert "has no source text; export it with --pair mt" in err
    assert "no document 'nope'" in fails("--db", db, "--format", "tmx", "-o", tmx, "--doc", "nope")
    err = fails("--db", db, "--format", "reviews", "-o", str(tmp_path / "r.jsonl"), "--only",
                "reviewed")  # fmt: skip
    assert "always holds every segment" in err
    assert not (tmp_path / "x.tmx").exists()
