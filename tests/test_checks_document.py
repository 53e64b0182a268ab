"""Document-level checks (duplicates, spelling variants, quotes) streamed and primed."""

from __future__ import annotations

import dataclasses

from mtreview.checks import CHECKS, DocumentContext
from mtreview.checks.variants import related, skeleton
from mtreview.settings import Settings
from tests.test_checks import CLEAN_FRENCH, marked, run, segments


def run_primed(name: str, texts: list[str]) -> list[list]:
    check = CHECKS[name](Settings())
    context = DocumentContext("doc")
    for segment in segments(texts):
        context.observe(segment)
    context.complete = True
    return [check.check(segment, context) for segment in segments(texts)]


def test_duplicated_title_and_sentence() -> None:
    texts = [
        "Les élections législatives auront lieu en mars",
        "Le scrutin est attendu.",
        "Les élections  législatives auront lieu en mars",  # spacing differs, same text
        "Le scrutin est attendu.",
        "Oui.",
        "Oui.",  # too short to call a duplicate
    ]
    found = run("duplicate_segments", texts)
    assert [row for row, _text in marked(texts, found)] == [2, 3]
    assert "also segment 1 of" in found[2][0].message  # 1-based, as everywhere for people
    assert found[2][0].severity == "major"
    primed = run_primed("duplicate_segments", texts)
    assert [row for row, _text in marked(texts, primed)] == [0, 1, 2, 3]


def test_context_memory_is_bounded_by_distinct_text() -> None:
    context = DocumentContext("doc")
    for segment in segments(["Une phrase qui revient sans cesse."] * 200):
        context.observe(segment)
    assert len(context.segments) == 1
    assert len(next(iter(context.segments.values()))) <= 6


def test_transliteration_and_acronym_variants() -> None:
    texts = [
        "Le Parlement de Moscou, la Douma, et le chef du FSB ont parlé.",
        "La Duma a voté la loi présentée par Dmitri Peskov.",
        "Dmitry Peskov a ensuite parlé au nom du Kremlin.",
        "Le rapport du KMBC contredit celui du CMBCP, pas celui du PID, ni du PPID.",
        "Le site passe de HTTP à HTTPS.",
    ]
    found = run("name_variants", texts)
    assert marked(texts, found) == [(1, "Duma"), (2, "Dmitry"), (3, "KMBC"), (3, "CMBCP")]
    assert "“Douma” (segment 1)" in found[1][0].message
    assert found[3][0].category == "Terminology/Inconsistent"
    primed = run_primed("name_variants", texts)
    assert (0, "Douma") in marked(texts, primed) and (1, "Dmitri") in marked(texts, primed)


def test_variant_folding() -> None:
    assert skeleton("Mazhilis") == skeleton("Majilis")
    assert skeleton("Yevgeny") == skeleton("Ievgueni".replace("gu", "g"))
    assert related("KMBC", "CMBCP")
    assert not related("ONU", "ONG")  # two organisations
    assert not related("CNRA", "CNRB")
    assert not related("France", "Francis")


def test_quotes_unbalanced_misplaced_and_mixed() -> None:
    texts = [
        "Il a dit « non » hier.",
        'Elle a répondu "peut-être plus tard ".',
        "Le texte » ne se ferme pas.",
        "« Une citation « dans une autre » reste.",
        'Un seul " guillemet.',
    ]
    found = run("quotes", texts)
    messages = [(row, f.message) for row, flags in enumerate(found) for f in flags]
    assert (1, "straight quotes mixed with « » in this document") in messages
    assert (1, "closing quote where one opens") not in messages
    assert (2, "» closes no open «") in messages
    assert (3, "« opens inside an open «") in messages
    assert (4, 'unbalanced "') in messages


def test_guillemets_may_span_segments_of_a_paragraph() -> None:
    texts = ["« Nous partirons demain.", "Personne ne nous retiendra », a-t-il dit."]
    check, context = CHECKS["quotes"](Settings()), DocumentContext("doc")
    one_paragraph = [dataclasses.replace(s, paragraph=0) for s in segments(texts)]
    assert [check.check(segment, context) for segment in one_paragraph] == [[], []]
    assert run("quotes", texts)[1] != []  # separate paragraphs: » closes nothing


def test_straight_quotes_alone_are_fine_and_misplaced_ones_are_not() -> None:
    texts = ['Il a parlé de "réformes" et de "dialogue".', 'Il a dit "oui , "puis non.']
    found = run("quotes", texts)
    assert found[0] == []
    assert [f.message for f in found[1]] == ["opening quote where one closes"]


def test_a_straight_quote_named_as_in_the_source_is_not_unbalanced() -> None:
    texts = ['Appuyez sur compose, puis sur " et enfin sur une lettre.']
    check, context = CHECKS["quotes"](Settings()), DocumentContext("doc")
    (segment,) = segments(texts)
    named = dataclasses.replace(segment, source='Press compose then " then a letter.')
    assert check.check(named, context) == []
    assert [f.message for f in run("quotes", texts)[0]] == ['unbalanced "']


def test_clean_document_has_no_document_level_flags() -> None:
    for name in ("duplicate_segments", "name_variants", "quotes"):
        assert run_primed(name, CLEAN_FRENCH) == [[] for _ in CLEAN_FRENCH]
