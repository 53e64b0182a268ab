"""MQM typology table and scores: the weights of DESIGN.md, read from data."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mtreview.errors import InputError
from mtreview.mqm import document_score, load_typology, parse_typology, segment_score
from mtreview.settings import load_settings


@dataclasses.dataclass(frozen=True)
class Err:
    category: str
    severity: str


def test_shipped_typology_has_the_design_categories() -> None:
    typology = load_typology()
    assert typology.severities == ("minor", "major", "critical")
    assert typology.categories == (
        "Accuracy",
        "Fluency",
        "Terminology",
        "Style",
        "Locale convention",
        "Non-translation",
        "Other",
    )
    for label in (
        "Accuracy/Mistranslation",
        "Accuracy/Addition",
        "Accuracy/Omission",
        "Accuracy/Untranslated",
        "Fluency/Grammar",
        "Fluency/Spelling",
        "Fluency/Punctuation",
        "Fluency/Register",
        "Fluency/Inconsistency",
        "Fluency/Character encoding",
        "Terminology/Inappropriate",
        "Terminology/Inconsistent",
        "Style/Awkward",
    ):
        assert label in typology.labels


@pytest.mark.parametrize(
    ("category", "severity", "weight"),
    [
        ("Accuracy/Mistranslation", "minor", 1.0),
        ("Accuracy/Mistranslation", "major", 5.0),
        ("Accuracy/Mistranslation", "critical", 25.0),
        ("Fluency/Punctuation", "minor", 0.1),
        ("Fluency/Punctuation", "major", 5.0),
        ("Non-translation", "minor", 25.0),
        ("Non-translation", "major", 25.0),
        ("fluency/punctuation", "Minor", 0.1),  # case and spacing do not matter
        ("Accuracy/Something new", "major", 5.0),  # unknown subcategory: its category
        ("Made up", "minor", 1.0),  # unknown label: Other
        ("No-error", "no-error", 0.0),
    ],
)
def test_weights(category: str, severity: str, weight: float) -> None:
    assert load_typology().weight(category, severity) == weight


def test_segment_and_document_scores() -> None:
    typology = load_typology()
    errors = [
        Err("Accuracy/Mistranslation", "major"),
        Err("Fluency/Punctuation", "minor"),
        Err("Fluency/Punctuation", "minor"),
        Err("Non-translation", "minor"),
    ]
    assert segment_score(errors, typology) == 30.2
    score = document_score(errors, 200, typology)
    assert (score.penalty, score.per_100_words, score.errors) == (30.2, 15.1, 4)
    assert score.by_label["Fluency/Punctuation"] == 2
    assert score.by_severity == {"major": 1, "minor": 3}
    assert document_score([], 0, typology).per_100_words == 0.0


def test_a_team_swaps_its_own_table(tmp_path: Path) -> None:
    table = tmp_path / "team.tsv"
    table.write_text(
        "category\tsubcategory\tneutral\tminor\tmajor\nAccuracy\t\t0\t2\t10\nOther\t\t0\t1\t3\n",
        encoding="utf-8",
    )
    settings = load_settings(environ={"MTREVIEW_MQM_TYPOLOGY": str(table)})
    typology = load_typology(settings.mqm_typology)
    assert typology.severities == ("neutral", "minor", "major")
    assert typology.weight("Accuracy/Mistranslation", "major") == 10.0
    assert typology.weight("Style/Awkward", "minor") == 1.0


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("", "empty MQM typology", None),
        ("cat\tsub\tminor\nA\t\t1\n", "header must be", 1),
        ("category\tsubcategory\tminor\nA\t\tone\n", "weights must be numbers", 2),
        ("category\tsubcategory\tminor\nA\t\n", "tab-separated cells", 2),
        ("category\tsubcategory\tminor\nA\t\t1\nA\t\t2\n", "appears twice", 3),
    ],
)
def test_bad_tables_name_file_and_line(text: str, message: str, line: int | None) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parse_typology(text, "team.tsv")
    assert caught.value.path == "team.tsv" and caught.value.line == line


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_typology(str(tmp_path / "nope.tsv"))
