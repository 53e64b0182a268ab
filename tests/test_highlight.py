"""From evidence to flags: merging, risk, model surprisal, round trip, n-best, the CLI."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest

from mtreview.analysis import Analyzer, SegmentAnalysis
from mtreview.analysis.highlight import combined_risk, merge_flags
from mtreview.analysis.model_flags import (
    ModelEvidence,
    agreed,
    changed_words,
    model_flags,
    word_spans,
)
from mtreview.backends import ScoredText, TokenScore
from mtreview.cli import main
from mtreview.flags import Flag
from mtreview.mqm import load_typology
from mtreview.pipeline import analyze_document
from mtreview.readers import read_document
from mtreview.settings import Settings

SEGMENT_LEVEL = frozenset({"rule:duplicate_segments", "rule:scraping_leftovers"})


def flag(start: int, end: int, origin: str, **extra: object) -> Flag:
    values: dict = {"category": "Fluency/Grammar", "severity": "minor", "message": origin}
    values.update(extra)
    return Flag(start=start, end=end, origins=(origin,), **values)


# --- merging and risk ---------------------------------------------------------------------
def test_overlapping_flags_from_different_signals_merge_into_one_span() -> None:
    merged = merge_flags(
        [
            flag(10, 20, "model", category="Accuracy/Mistranslation"),
            flag(15, 18, "rule:spacing", category="Fluency/Punctuation", suggestion=","),
            flag(17, 25, "grammar", severity="major"),
            flag(30, 35, "grammar"),
        ]
    )
    assert [(f.start, f.end) for f in merged] == [(10, 25), (30, 35)]
    first = merged[0]
    assert first.origins == ("rule:spacing", "grammar", "model")
    assert first.category == "Fluency/Punctuation"  # the rule's guess leads
    assert first.severity == "major"
    assert first.suggestion is None  # it was for a narrower span
    assert "rule:spacing" in first.message and "model" in first.message


def test_whole_segment_flags_do_not_swallow_finer_ones() -> None:
    merged = merge_flags(
        [
            flag(0, 40, "rule:duplicate_segments"),
            flag(5, 9, "grammar"),
            flag(20, 30, "model"),
            flag(0, 40, "rule:scraping_leftovers"),
        ],
        SEGMENT_LEVEL,
    )
    assert [(f.start, f.end, f.origins) for f in merged] == [
        (0, 40, ("rule:duplicate_segments", "rule:scraping_leftovers")),
        (5, 9, ("grammar",)),
        (20, 30, ("model",)),
    ]
    same_span = merge_flags([flag(0, 6, "rule:duplicate_segments"), flag(0, 6, "grammar")])
    assert [f.origins for f in same_span] == [("rule:duplicate_segments", "grammar")]


def test_risk_combines_model_risk_and_flag_weights() -> None:
    typology = load_typology()
    assert combined_risk(0.0, [], 5.0, typology) == 0.0
    assert combined_risk(0.3, [], 5.0, typology) == pytest.approx(0.3)
    major = flag(0, 4, "rule:x", severity="major", category="Accuracy/Addition")
    assert combined_risk(0.0, [major], 5.0, typology) == pytest.approx(1 - math.exp(-1), abs=1e-4)
    agreeing = dataclasses.replace(major, origins=("rule:x", "model"))
    assert combined_risk(0.0, [agreeing], 5.0, typology) > combined_risk(
        0.0, [major], 5.0, typology
    )
    punctuation = flag(0, 1, "rule:spacing", category="Fluency/Punctuation")
    assert combined_risk(0.0, [punctuation], 5.0, typology) < combined_risk(
        0.0, [flag(0, 1, "grammar")], 5.0, typology
    )


def test_a_signal_is_one_witness_however_often_it_fires() -> None:
    typology = load_typology()
    weights = {"grammar:gn": 0.1, "rule:source_numbers": 0.5}
    noisy = [flag(i, i + 2, "grammar:gn") for i in range(0, 40, 10)]  # four on one row
    assert combined_risk(0.0, noisy, 5.0, typology, weights) == 0.1
    precise = [flag(0, 2, "rule:source_numbers")]
    assert combined_risk(0.0, precise, 5.0, typology, weights) > combined_risk(
        0.0, noisy, 5.0, typology, weights
    )
    both = combined_risk(0.0, [*precise, *noisy], 5.0, typology, weights)
    assert both == pytest.approx(1 - 0.5 * 0.9)  # two signals: two witnesses
    major = flag(0, 4, "rule:x", severity="major", category="Accuracy/Addition")
    unknown = [flag(0, 4, "rule:x"), major]  # no weight: its strongest flag's MQM weight
    assert combined_risk(0.0, unknown, 5.0, typology) == combined_risk(0.0, [major], 5.0, typology)


def test_a_subsignal_weighs_its_flag_apart_and_old_flags_read_as_before() -> None:
    typology = load_typology()
    weights = {"rule:source_numbers": 0.5, "rule:source_numbers/changed": 0.8}
    changed = flag(0, 2, "rule:source_numbers", subsignals=("rule:source_numbers/changed",))
    left_out = flag(0, 2, "rule:source_numbers", subsignals=("rule:source_numbers/missing",))
    assert combined_risk(0.0, [changed], 5.0, typology, weights) == 0.8
    assert combined_risk(0.0, [left_out], 5.0, typology, weights) == 0.5  # no weight: the check's
    assert combined_risk(0.0, [changed, left_out], 5.0, typology, weights) == 0.8  # one witness
    # merged flags keep every subsignal; the users' flag types (origins) stay the same
    merged = merge_flags([changed, flag(1, 3, "grammar:gn", subsignals=())])
    assert merged[0].origins == ("rule:source_numbers", "grammar:gn")
    assert merged[0].subsignals == ("rule:source_numbers/changed",)
    # records: the key only where there are subsignals, and old records read without them
    assert "subsignals" not in flag(0, 2, "grammar").to_dict()
    assert Flag.from_dict(changed.to_dict()) == changed
    old = {k: v for k, v in changed.to_dict().items() if k != "subsignals"}
    assert Flag.from_dict(old).subsignals == ()


# --- model evidence -----------------------------------------------------------------------
TEXT = "Le gouvernement a pris des mesures fermes."


def scored(low: dict[str, float]) -> ScoredText:
    """Tokens split inside words (as SentencePiece does), log-prob -1 unless given."""
    tokens, position = [], 0
    for piece in ["Le", "gouvern", "ement", "a", "pris", "des", "mes", "ures", "fermes", "."]:
        start = TEXT.index(piece, position)
        position = start + len(piece)
        tokens.append(TokenScore(piece, start, position, low.get(piece, -1.0)))
    tokens.append(TokenScore("</s>", len(TEXT), len(TEXT), -0.5))
    return ScoredText(tuple(tokens), -1.0)


def spans_of(flags: list[Flag]) -> list[str]:
    return [TEXT[f.start : f.end] for f in flags]


def test_surprising_tokens_become_word_aligned_spans() -> None:
    settings = Settings(roundtrip_flags=False)
    evidence = ModelEvidence(return_scores=(scored({"ement": -6.0, "mes": -9.0, "ures": -5}),))
    flags = model_flags(TEXT, evidence, settings)
    assert spans_of(flags) == ["gouvernement", "mesures"]
    assert [f.severity for f in flags] == ["minor", "major"]  # -9 < surprisal_major_threshold
    assert all(f.origins == ("model",) for f in flags)
    assert "back-translation" in flags[0].message
    stricter = Settings(roundtrip_flags=False, surprisal_threshold=-7.0)
    assert spans_of(model_flags(TEXT, evidence, stricter)) == ["mesures"]


def test_adjacent_surprising_words_join_and_source_scores_count() -> None:
    settings = Settings(roundtrip_flags=False)
    evidence = ModelEvidence(source_score=scored({"pris": -5.0, "des": -5.0}))
    flags = model_flags(TEXT, evidence, settings)
    assert spans_of(flags) == ["pris des"]
    assert "the source" in flags[0].message


def test_round_trip_changes_are_aligned_on_words() -> None:
    spans = word_spans(TEXT)
    changed = changed_words(TEXT, "Le gouvernement a adopté des mesures strictes.", spans)
    assert [TEXT[spans[i][0] : spans[i][1]] for i in sorted(changed)] == ["pris", "fermes"]
    evidence = ModelEvidence(round_trips=("Le gouvernement a pris des décisions fermes.",))
    assert spans_of(model_flags(TEXT, evidence, Settings())) == ["mesures"]
    unchanged = ModelEvidence(round_trips=(TEXT,))
    assert model_flags(TEXT, unchanged, Settings()) == []


def test_n_best_evidence_must_hold_across_alternatives() -> None:
    trips = (
        "Le gouvernement a adopté des mesures fermes.",
        "Le gouvernement a adopté des mesures strictes.",
    )
    evidence = ModelEvidence(
        return_scores=(scored({"mes": -6.0, "fermes": -6.0}), scored({"mes": -6.0})),
        round_trips=trips,
    )
    every = spans_of(model_flags(TEXT, evidence, Settings()))
    assert every == ["pris", "mesures"]  # "fermes" is kept by one round trip, liked by one model
    half = spans_of(model_flags(TEXT, evidence, Settings(nbest_agreement=0.5)))
    assert half == ["pris", "mesures fermes", "fermes"]
    assert agreed([{1, 2}, {2, 3}, {2}], 1.0) == {2}
    assert agreed([{1, 2}, {2, 3}, {1}], 0.5) == {1, 2}


# --- with tiny real models ----------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_settings(tiny_fr_en: Path, tiny_en_fr: Path) -> Settings:
    return Settings(
        back_model=str(tiny_fr_en),
        return_model=str(tiny_en_fr),
        num_beams=2,
        batch_size=8,
        threads=1,
        max_length=64,
        grammar=False,
    )


@pytest.fixture(scope="module")
def article_segments(article: Path) -> list:
    document = read_document(article)
    return [s for s in document.segments if s.index in {0, 2, 5, 8, 9, 14}]


def test_model_flags_lie_inside_their_segment_and_merge_with_rules(
    tiny_settings: Settings, article_segments: list
) -> None:
    analyses = Analyzer(tiny_settings).analyze(article_segments)
    origins = [set(f.origins) for a in analyses for f in a.flags]
    assert any("model" in o for o in origins)
    assert any("model" in o and any(x.startswith("rule:") for x in o) for o in origins)
    for analysis in analyses:
        text = analysis.segment.text
        for f in analysis.flags:
            assert 0 <= f.start < f.end <= len(text)
            if f.origins == ("model",):  # word-aligned: never cuts a word
                assert text[f.start].isalnum() and text[f.end - 1].isalnum()
                assert f.start == 0 or not text[f.start - 1].isalnum()
                assert f.end == len(text) or not text[f.end].isalnum()
        assert 0.0 <= analysis.risk <= 1.0
        assert analysis.risk >= (1.0 - analysis.metrics["chrf"].score / 100.0) / 2 - 1e-9


def test_n_best_agreement_only_narrows_model_flags(
    tiny_settings: Settings, article_segments: list
) -> None:
    """The n-best evidence is part of `compute` (cached, spread by engines): with every
    alternative having to agree, model flags cover no more than with the first alone."""
    settings = dataclasses.replace(tiny_settings, num_return=3, num_beams=3)
    everyone = Analyzer(settings).compute(article_segments)
    first_only = Analyzer(dataclasses.replace(settings, num_return=1)).compute(article_segments)
    assert any(a.back_alternatives for a in everyone)
    assert [a.back_translation for a in everyone] == [a.back_translation for a in first_only]

    def covered(analyses: list[SegmentAnalysis]) -> set[tuple[int, int]]:
        return {
            (a.segment.index, i)
            for a in analyses
            for f in a.model_flags
            for i in range(f.start, f.end)
        }

    narrow, wide = covered(everyone), covered(first_only)
    assert wide and narrow <= wide


# --- the CLI on the shipped article --------------------------------------------------------
def score(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    assert main(["score", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def flagged(records: list[dict], origin: str) -> list[tuple[int, str]]:
    return [
        (r["segment_id"], r["text"][f["start"] : f["end"]])
        for r in records
        for f in r["flags"]
        if origin in f["origins"]
    ]


def test_score_no_models_flags_the_article_errors(
    article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = score(capsys, str(article), "--no-models")
    texts = {r["segment_id"]: r["text"] for r in records}
    assert ("non gouvernementales") in [w for _s, w in flagged(records, "rule:repeated_words")]
    title = texts[0]
    duplicates = flagged(records, "rule:duplicate_segments")
    assert len([s for s, w in duplicates if w == title]) >= 2
    assert {w for _s, w in flagged(records, "rule:scraping_leftovers")} == {
        "Anonim",
        "Lire la suite",
    }
    assert {w for _s, w in flagged(records, "rule:name_variants")} >= {
        "KMBC",
        "CMBCP",
        "Majilis",
        "Mazhilis",
    }
    assert [w for _s, w in flagged(records, "rule:non_french")] == ["kazakhstani"]
    sans_delai = next(i for i, text in texts.items() if "sans délai ," in text)
    rappel = next(i for i, text in texts.items() if text.startswith("Rappel du 30"))
    assert (sans_delai, " ,") in flagged(records, "rule:spacing")
    assert {s for s, w in flagged(records, "rule:quotes")} >= {sans_delai, rappel}
    assert "assure" in [w for _s, w in flagged(records, "grammar:conj")]
    for record in records:
        for f in record["flags"]:
            assert 0 <= f["start"] < f["end"] <= len(record["text"])
    worst = max(records, key=lambda r: r["risk"])
    assert worst["flags"] and worst["risk"] > 0.5


def test_checks_switch_on_and_off_from_the_cli(
    article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    only = score(capsys, str(article), "--no-models", "--no-grammar", "--checks", "spacing")
    assert {o for r in only for f in r["flags"] for o in f["origins"]} == {"rule:spacing"}
    less = score(capsys, str(article), "--no-models", "--disable-check", "quotes")
    assert not flagged(less, "rule:quotes") and flagged(less, "rule:spacing")


def test_single_pass_flags_only_later_spellings(
    article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = score(capsys, str(article), "--no-models", "--no-grammar", "--single-pass")
    words = {w for _s, w in flagged(records, "rule:name_variants")}
    assert "CMBCP" in words and "KMBC" not in words


def test_unknown_check_is_one_line_and_exit_2(
    article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", str(article), "--no-models", "--checks", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mtreview: error: unknown check nope") and err.count("\n") == 1


def test_whole_documents_flag_the_first_copy_too(article: Path) -> None:
    from mtreview.analysis import Analyzer
    from mtreview.readers import read_document
    from mtreview.settings import Settings

    document = read_document(article)
    settings = Settings(use_models=False, grammar=False)
    whole = analyze_document(document, Analyzer(settings))
    streamed = Analyzer(settings).analyze(document.segments)
    title = [a for a in whole if a.segment.text == document.segments[0].text]
    assert len(title) == 3
    assert all(any("rule:duplicate_segments" in f.origins for f in a.flags) for a in title)
    first = streamed[0].flags  # streamed without a document pass: the first copy looks clean
    assert not any("rule:duplicate_segments" in f.origins for f in first)
    assert len(whole) == len(document)


def test_a_document_scored_with_many_others_is_flagged_as_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """More short documents than contexts kept, primed in one window before any is checked:
    each is still checked against its whole self, as when scored alone."""
    paths = []
    for number in range(9):
        path = tmp_path / f"page{number}.txt"
        path.write_text(
            f"Réglages du poste {number}.\nUne phrase de plus ici.\nRéglages du poste {number}.\n",
            encoding="utf-8",
        )
        paths.append(str(path))
    options = ("--no-models", "--no-grammar", "--checks", "duplicate_segments")
    together = score(capsys, *paths, *options)
    alone = [record for path in paths for record in score(capsys, path, *options)]
    assert together == alone
    firsts = [r for r in together if r["segment_id"] == 0]
    assert len(firsts) == 9 and all(flagged([r], "rule:duplicate_segments") for r in firsts)
