"""Agreement between reviewers, checked against values worked out by hand (in the comments),
and the statistics against their definitions."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mtreview.agreement import agreement
from mtreview.cli import main
from mtreview.mqm import load_typology
from mtreview.readers import document_from_text
from mtreview.stats import cohen_kappa, fleiss_kappa, kendall_tau_b, pearson
from mtreview.store import ReviewStore

# three segments of ten characters each
TEXT = "abcdefghij\n\nklmnopqrst\n\nuvwxyzABCD\n"
A_SPANS = [(0, 0, 4, "Fluency/Grammar", "minor"), (2, 0, 3, "Style/Awkward", "major")]
B_SPANS = [
    (0, 2, 6, "Fluency/Grammar", "major"),
    (1, 0, 2, "Accuracy/Mistranslation", "minor"),
    (2, 0, 3, "Style/Awkward", "major"),
]


@pytest.fixture
def store(store_db: str) -> Iterator[ReviewStore]:
    store = ReviewStore(store_db)
    store.add_document(document_from_text(TEXT, doc_id="d", name="d.txt"))
    for name, spans in (("anne", A_SPANS), ("bob", B_SPANS)):
        for segment, start, end, category, severity in spans:
            store.add_annotation("d", segment, start, end, category=category, severity=severity,
                                 reviewer=name)  # fmt: skip
        for segment in range(3):
            store.mark_reviewed("d", segment, reviewer=name)
    yield store
    store.close()


def test_pair_agreement_matches_the_hand_computed_values(store: ReviewStore) -> None:
    report = agreement(store.shared_segments(), load_typology())
    [pair] = report.pairs
    assert (pair.left, pair.right, pair.segments, pair.characters) == ("anne", "bob", 3, 30)
    # characters marked: anne 4 + 3 = 7, bob 4 + 2 + 3 = 9, both 2 + 3 = 5: F1 = 2·5 / 16
    assert pair.char_f1 == pytest.approx(10 / 16)
    # spans: anne 2, bob 3, one exact match (segment 2): F1 = 2·1 / 5
    assert pair.exact_f1 == pytest.approx(0.4)
    # overlapping: bob's spans touching anne's 2/3 (precision), anne's touching bob's 2/2
    assert pair.overlap_f1 == pytest.approx(2 * (2 / 3) * 1 / (2 / 3 + 1))
    # categories per character (30): agree on 24 -> p_o = 0.8; marginals anne G4 S3 n23,
    # bob G4 M2 S3 n21 -> p_e = (16 + 9 + 483) / 900; kappa = (720 - 508) / (900 - 508)
    assert pair.category_kappa == pytest.approx(212 / 392)
    # severities: agree on 22 (19 none + 3 major); anne minor4 major3 none23, bob major7
    # minor2 none21 -> p_e = (483 + 21 + 8) / 900; kappa = (660 - 512) / (900 - 512)
    assert pair.severity_kappa == pytest.approx(148 / 388)
    # segment MQM scores: anne (1, 0, 5), bob (5, 1, 5)
    assert pair.pearson == pytest.approx(8 / math.sqrt(14 * 32 / 3))
    # pairs: (0,1) concordant, (0,2) tied in bob, (1,2) concordant: 2 / sqrt(3 · 2)
    assert pair.kendall == pytest.approx(2 / math.sqrt(6))
    assert [(d.segment, d.start, d.end, d.left, d.right) for d in pair.disagreements] == [
        (0, 0, 2, "Fluency/Grammar minor", "none"),
        (0, 2, 4, "Fluency/Grammar minor", "Fluency/Grammar major"),
        (0, 4, 6, "none", "Fluency/Grammar major"),
        (1, 0, 2, "none", "Accuracy/Mistranslation minor"),
    ]
    assert pair.disagreements[1].text == "cd"
    assert report.fleiss_segments == 0 and report.fleiss_category is None


def test_three_reviewers_get_fleiss_kappa(tmp_path) -> None:
    store = ReviewStore(tmp_path / "f.db")
    store.add_document(document_from_text("abcd\n", doc_id="f", name="f.txt"))
    for name, (start, end) in {"a": (0, 2), "b": (0, 2), "c": (2, 4)}.items():
        store.add_annotation("f", 0, start, end, category="Other", severity="minor", reviewer=name)
        store.mark_reviewed("f", 0, reviewer=name)
    report = agreement(store.shared_segments("f"), load_typology())
    # every character is rated 2 against 1: P_i = (4 + 1 - 3) / 6 = 1/3; p = (1/2, 1/2),
    # P_e = 1/2; kappa = (1/3 - 1/2) / (1 - 1/2) = -1/3
    assert report.fleiss_segments == 1
    assert report.fleiss_category == pytest.approx(-1 / 3)
    assert report.fleiss_severity == pytest.approx(-1 / 3)
    assert len(report.pairs) == 3


def test_fleiss_on_the_classic_table() -> None:
    # Fleiss (1971) as worked in most textbooks: 10 items, 14 raters, 5 categories
    rows = [
        (0, 0, 0, 0, 14), (0, 2, 6, 4, 2), (0, 0, 3, 5, 6), (0, 3, 9, 2, 0), (2, 2, 8, 1, 1),
        (7, 7, 0, 0, 0), (3, 2, 6, 3, 0), (2, 5, 3, 2, 2), (6, 5, 2, 1, 0), (0, 2, 2, 3, 7),
    ]  # fmt: skip
    kappa = fleiss_kappa([dict(enumerate(row)) for row in rows])
    assert kappa == pytest.approx(0.20993, abs=1e-4)


def test_cohen_kappa_by_hand() -> None:
    # 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> p_o 0.7, p_e 0.5 · 0.6 + 0.5 · 0.4
    confusion = {("y", "y"): 20, ("y", "n"): 5, ("n", "y"): 10, ("n", "n"): 15}
    assert cohen_kappa(confusion) == pytest.approx((0.7 - 0.5) / 0.5)
    assert cohen_kappa({("n", "n"): 7}) is None  # one label only: chance agreement is 1


def _tau_by_definition(x: list[int], y: list[int]) -> float | None:
    pairs = [(i, j) for i in range(len(x)) for j in range(i + 1, len(x))]
    sign = [((x[i] > x[j]) - (x[i] < x[j])) * ((y[i] > y[j]) - (y[i] < y[j])) for i, j in pairs]
    tx = sum(x[i] == x[j] for i, j in pairs)
    ty = sum(y[i] == y[j] for i, j in pairs)
    denominator = math.sqrt((len(pairs) - tx) * (len(pairs) - ty))
    return sum(sign) / denominator if denominator else None


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=2, max_size=40))
def test_kendall_equals_its_definition(points: list[tuple[int, int]]) -> None:
    x, y = [p[0] for p in points], [p[1] for p in points]
    expected = _tau_by_definition(x, y)
    got = kendall_tau_b(x, y)
    assert (got is None) == (expected is None)
    if expected is not None:
        assert got == pytest.approx(expected)


def test_pearson_edge_cases() -> None:
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 1, 1], [1, 2, 3]) is None and pearson([1], [2]) is None


@pytest.mark.parametrize("fmt", ["table", "json", "tsv"])
def test_agreement_command(store: ReviewStore, fmt: str, capsys) -> None:
    assert main(["agreement", "--db", store.url, "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "anne" in out and "bob" in out
    if fmt == "json":
        import json

        data = json.loads(out)
        assert data["pairs"][0]["exact_f1"] == pytest.approx(0.4)
        assert len(data["pairs"][0]["disagreements"]) == 4
    elif fmt == "tsv":
        header, row, *_ = out.splitlines()
        assert header.split("\t")[:3] == ["left", "right", "segments"]
        assert row.split("\t")[:4] == ["anne", "bob", "3", "0.625"]
    else:
        assert "0.625" in out and "disagreements" in out.lower()
