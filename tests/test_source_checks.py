"""Protected spans and source-aware QA on real French software strings; PO format flags;
TSV/CSV quoting; calibrate --fit; Grammalecte in parts, reproducibly."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from mtreview.analysis.highlight import Highlighter
from mtreview.analysis.record import SegmentAnalysis
from mtreview.analysis.weights import settings_weights
from mtreview.checks import CHECKS, DocumentContext
from mtreview.checks.protected import protected_spans
from mtreview.cli import main
from mtreview.documents import Segment
from mtreview.grammar import GrammarChecker
from mtreview.readers import read_document
from mtreview.settings import Settings, load_settings


def segment(text: str, source: str | None = None, **fields: object) -> Segment:
    return Segment("doc", 0, 0, 0, len(text), text, source=source, **fields)  # type: ignore[arg-type]


def flagged(check: str, text: str, source: str | None = None) -> list[str]:
    seg = segment(text, source, table_row=True)
    return [text[f.start : f.end] for f in CHECKS[check]().checked(seg, DocumentContext("doc"))]


def test_protected_spans_find_code_once() -> None:
    text = "Échec de gpg-agent : %s sur /usr/lib/x.so (voir https://gnu.org/ ou -mcpu=arm7)"
    kinds = {s.text: s.kind for s in protected_spans(text, "gpg-agent failed: %s")}
    assert kinds["%s"] == "placeholder"
    assert kinds["/usr/lib/x.so"] == "path"
    assert kinds["https://gnu.org/"] == "url"
    assert kinds["-mcpu=arm7"] == "option"
    assert kinds["gpg-agent"] == "copied"
    assert {s.text for s in protected_spans("Il a 100 % des voix, 5 % de plus.")} == set()
    assert [s.text for s in protected_spans("%(count)d fichiers, {name} et %1$s")] == [
        "%(count)d",
        "{name}",
        "%1$s",
    ]
    # gettext format flags decide which syntaxes are placeholders
    assert protected_spans("taux de 5 %d", None, ("no-c-format",)) == ()
    assert [s.text for s in protected_spans("{0} fichiers", None, ("c-format",))] == []


def test_no_check_flags_inside_protected_spans() -> None:
    settings = Settings(use_models=False)
    highlighter = Highlighter(settings)
    texts = [
        ("%pB : la valeur %lu est invalide pour %(name)s", "%pB: value %lu invalid for %(name)s"),
        ("Utilisez --output=FICHIER,ou -o", "Use --output=FILE,or -o"),
    ]
    analyses = [
        SegmentAnalysis(segment=Segment("d", i, i, 0, len(t), t, source=s, table_row=True))
        for i, (t, s) in enumerate(texts)
    ]
    for analysis in highlighter(analyses):
        spans = protected_spans(analysis.segment.text, analysis.segment.source)
        for flag in analysis.flags:
            inside = [
                s for s in spans if s.kind != "copied" and flag.start < s.end and s.start < flag.end
            ]
            assert not inside, (flag, inside)


CASES = [
    (
        "source_placeholders",
        "Impossible de copier des fichiers vers %s",
        "Cannot copy %d files to %s",
        ["Impossible de copier des fichiers vers %s"],
    ),
    ("source_placeholders", "Copie de %2$s vers %1$s", "Copying %1$s to %2$s", []),
    (
        "source_placeholders",
        "Fichier {nom} introuvable",
        "File {name} not found",
        ["{nom}", "Fichier {nom} introuvable"],
    ),
    (
        "source_numbers",
        "Il reste 1 500 octets sur 2 048",
        "There are 1,000 bytes left of 2,048",
        ["1 500", "Il reste 1 500 octets sur 2 048"],
    ),
    (
        "source_numbers",
        "Il reste 1 000 octets, soit 1,5 Ko",
        "1,000 bytes left, that is 1.5 KB",
        [],
    ),
    (
        "source_urls",
        "Voir https://exemple.org",
        "See https://example.org",
        ["https://exemple.org", "Voir https://exemple.org"],
    ),
    ("source_tags", "Cliquez <b>ici", "Click <b>here</b>", ["Cliquez <b>ici"]),
    ("source_tags", "<inconnu>", "<unknown>", []),
    ("end_punctuation", "Impossible d'ouvrir le fichier", "Cannot open the file.", ["r"]),
    ("end_punctuation", "Voulez-vous quitter\u00a0?", "Do you want to quit?", []),
    ("end_punctuation", "Ouvrir le fichier.", "Open the file", []),
    ("end_punctuation", "Supprimer le fichier", "Delete the file?", ["r"]),  # a verb: a question
    ("end_punctuation", "Définition d'un pilote", "What is a driver?", []),  # a help heading
    ("end_punctuation", "Informations manquantes pour la correction", "Missing information?", []),
    ("end_punctuation", "Nom du fichier", "File name?", ["r"]),  # a prompt, not a heading
    ("end_punctuation", "choisir une langue ;", "Select the language.", []),  # a list item
    ("end_punctuation", "Ne vous inquiétez pas !", "Don't worry.", []),
    ("end_punctuation", "Les systèmes suivants sont reconnus :", "These are supported.", []),
    ("end_punctuation", "Réessayer.", "Try again?", ["."]),
    ("end_punctuation", "Lancer à la place [o/N]", "Run it instead [y/N]?", ["N]"]),  # a prompt
    ("end_punctuation", "Choisissez Outils - Exécuter...", "Use Tools - Run... menu.", []),
    ("end_punctuation", "Patientez...", "Please wait.", ["..."]),  # no label's dots in the source
    (
        "untranslated",
        "Open the selected file",
        "Open the selected file",
        ["Open the selected file"],
    ),
    ("untranslated", "Rio de Janeiro", "Rio de Janeiro", []),
    # English labels in title case, told by the French model's lexicon (spaCy)
    ("untranslated", "Double Click Time", "Double Click Time", ["Double Click Time"]),
    ("untranslated", "Cannot lstat %s", "Cannot lstat %s", ["Cannot lstat %s"]),
    ("untranslated", "Brian Fox", "Brian Fox", []),  # a name
    ("untranslated", "Thừa Thiên-Huế", "Thừa Thiên-Huế", []),
    ("untranslated", "Zone Tampon Active", "Zone Tampon Active", []),  # French words
    ("source_order", "Écrit par Fox Brian", "Written by Brian Fox", ["Fox Brian"]),
    ("source_order", "Écrit par Brian Fox", "Written by Brian Fox", []),
    ("source_order", "Les ABI FP diffèrent", "The FP ABI differ", []),  # acronyms: French order
    ("source_order", "la version ABI", "the ABI version", []),
    ("length_ratio", "Ouvrir", "Open the file in a new window and print it twice", ["Ouvrir"]),
    (
        "length_ratio",
        "Ouvrir le fichier dans une nouvelle fenêtre",
        "Open the file in a new window",
        [],
    ),
]


@pytest.mark.parametrize(("check", "text", "source", "expected"), CASES)
def test_source_checks(check: str, text: str, source: str, expected: list[str]) -> None:
    assert flagged(check, text, source) == expected
    assert flagged(check, text, None) == []  # without a source they say nothing


def test_po_format_flags_reach_the_checks(tmp_path: Path) -> None:
    po = tmp_path / "fr.po"
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, c-format\nmsgid "%d files"\nmsgstr "%d fichiers"\n\n'
        '#, fuzzy, no-c-format\nmsgid "100% done"\nmsgstr "100 % fait"\n',
        encoding="utf-8",
    )
    document = read_document(po)
    assert [s.formats for s in document.segments] == [("c-format",), ("no-c-format",)]
    assert all(s.table_row for s in document.segments)


def test_duplicates_in_a_table_are_one_minor_flag(tmp_path: Path) -> None:
    table = tmp_path / "rows.tsv"
    # sentences, one a row: running text (a catalogue of UI strings gets no such flag,
    # tests/test_consistency_scope.py)
    rows = ["source\ttranslation", "The disk could not be read.\tLe disque n'a pas pu être lu.",
            "Nothing can be written on the disk.\tRien ne peut être écrit sur le disque.",
            "Reading the disk failed.\tLe disque n'a pas pu être lu."]  # fmt: skip
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    document = read_document(table)
    highlighter = Highlighter(Settings(use_models=False, grammar=False))
    highlighter.prime(document.segments)
    done = highlighter([SegmentAnalysis(segment=s) for s in document.segments])
    duplicates = [
        (a.segment.index, f.severity)
        for a in done
        for f in a.flags
        if "rule:duplicate_segments" in f.origins
    ]
    assert duplicates == [(2, "minor")]


def test_tsv_quoting_is_detected_and_offsets_stay_exact(tmp_path: Path) -> None:
    table = tmp_path / "quoted.tsv"
    table.write_text(
        'source\ttranslation\n"He said ""hi"""\t"Il a dit « salut »,\tpuis ""bye"""\n'
        'plain\tsimple "quote"\n',
        encoding="utf-8",
    )
    document = read_document(table)
    assert [s.text for s in document.segments] == [
        'Il a dit « salut »,\tpuis "bye"',
        'simple "quote"',
    ]
    assert document.segments[0].source == 'He said "hi"'
    assert all(document.original[s.start : s.end] == s.text for s in document.segments)
    unquoted = tmp_path / "plain.tsv"
    unquoted.write_text('source\ttranslation\nplain\tsimple "quote" ici\n', encoding="utf-8")
    assert read_document(unquoted, quoting="none").segments[0].text == 'simple "quote" ici'
    assert (
        main(["score", str(table), "--no-models", "--quoting", "none", "-o", str(tmp_path / "o")])
        == 2
    )


def test_calibrate_fit_writes_weights_that_risk_uses(tmp_path: Path, article: Path) -> None:
    analysis = tmp_path / "analysis.jsonl"
    assert main(["score", str(article), "--no-models", "--no-grammar", "-o", str(analysis)]) == 0
    records = [json.loads(line) for line in analysis.read_text(encoding="utf-8").splitlines()]
    reviews = tmp_path / "reviews.jsonl"
    with reviews.open("w", encoding="utf-8") as out:
        for record in records:  # the reviewer agrees with repeated words, nothing else
            marks = [f for f in record["flags"] if "rule:repeated_words" in f["origins"]]
            for flag in marks or [{}]:
                span = {"start": flag["start"], "end": flag["end"]} if flag else {}
                out.write(
                    json.dumps({"doc": record["doc"], "segment_id": record["segment_id"], **span})
                    + "\n"
                )
    config = tmp_path / "mtreview.toml"
    config.write_text("[mtreview]\nbatch_size = 8\n", encoding="utf-8")
    argv = [
        "calibrate",
        str(reviews),
        "--analysis",
        str(analysis),
        "--fit",
        "--config",
        str(config),
    ]
    assert main(argv) == 0
    settings = load_settings(config, environ={})
    assert settings.batch_size == 8  # the rest of the file is kept
    weights = settings_weights(settings.flag_weights)
    assert weights["rule:repeated_words"] > 0.6 > weights["rule:name_variants"]
    assert main(argv) == 0  # fitting again replaces the table, no duplicate keys
    assert load_settings(config, environ={}).flag_weights == settings.flag_weights
    rescored = tmp_path / "rescored.jsonl"
    assert (
        main(
            [
                "score",
                str(article),
                "--no-models",
                "--no-grammar",
                "--config",
                str(config),
                "-o",
                str(rescored),
            ]
        )
        == 0
    )
    risks = [json.loads(line) for line in rescored.read_text(encoding="utf-8").splitlines()]
    worst = max(risks, key=lambda r: r["risk"])
    assert any("rule:repeated_words" in f["origins"] for f in worst["flags"])


def test_grammalecte_in_parts_gives_the_answer_of_one_process() -> None:
    if shutil.which("grammalecte-cli") is None:
        pytest.fail("grammalecte-cli is not installed: run scripts/setup.sh")
    texts = ["Les chat mange la souris.", "Tout va bien.", "Il ont fini le travail."] * 120
    one = GrammarChecker(Settings(grammar_processes=1)).check(texts)
    parts = GrammarChecker(Settings(grammar_processes=2))
    assert parts.processes(len(texts)) == 2
    # by default a part per two cores: the rule checks keep every core busy meanwhile
    default = [GrammarChecker(Settings(threads=n)).processes(1000) for n in (1, 2, 3, 4)]
    assert default == [1, 1, 1, 2]
    assert parts.check(texts) == one
    assert "-wss" not in parts.command_line(Path("x"))
    assert "-wss" in GrammarChecker(Settings(grammar_suggestions=True)).command_line(Path("x"))


SUBSIGNALS = [  # (check, translation, source, the subsignal of each flag)
    ("source_numbers", "Il reste 4 fichiers.", "There are 3 files left.", {"changed"}),
    ("source_numbers", "Il reste des fichiers.", "There are 3 files left.", {"missing"}),
    ("source_numbers", "Il reste 3 fichiers sur 5.", "There are 3 files left.", {"extra"}),
    ("source_numbers", "Il reste 3,000 fichiers.", "There are 3,000 files.", {"english_way"}),
    ("source_placeholders", "Impossible d'ouvrir %d", "Cannot open %s", {"renamed"}),
    ("source_placeholders", "Impossible d'ouvrir", "Cannot open %s", {"lost"}),
    ("source_placeholders", "Ouvrir %s %d", "Open %s", {"extra"}),
    ("source_placeholders", "Modifiez le fichier.", "Edit the file /etc/hosts.", {"code_lost"}),
    ("swapped_words", "Le mot passe de est incorrect.", None, {"strong"}),
]


@pytest.mark.parametrize(("check", "text", "source", "codes"), SUBSIGNALS)
def test_flags_name_the_way_their_check_saw_the_error(
    check: str, text: str, source: str | None, codes: set[str]
) -> None:
    """Where a check's ways differ in precision (a number changed or only left out), its
    flags carry a subsignal the risk weighs apart; the flag type users see stays the same."""
    seg = segment(text, source, table_row=True)
    found = CHECKS[check]().checked(seg, DocumentContext("doc"))
    assert found and {f.origins for f in found} == {(f"rule:{check}",)}
    assert {s for f in found for s in f.subsignals} == {f"rule:{check}/{c}" for c in codes}


def test_a_list_written_without_stops_is_not_flagged_item_by_item() -> None:
    """Items of a list the translator writes without a stop (a run of them), unlike one
    sentence that lost its stop among sentences that keep theirs."""
    rows = [
        ("Leur nombre", "How many you have."),
        ("Les partitions", "Partitions."),
        ("Le modèle et la marque", "Model and manufacturer."),
        ("Il est prêt.", "It is ready."),
        ("Il est à jour.", "It is up to date."),
        ("Ouvrez le fichier", "Open the file."),
    ]
    check, context = CHECKS["end_punctuation"](Settings()), DocumentContext("doc")
    items = [
        dataclasses.replace(segment(text, source), index=i) for i, (text, source) in enumerate(rows)
    ]
    for item in items:
        context.observe(item)
    context.complete = True
    assert [len(check.check(item, context)) for item in items] == [0, 0, 0, 0, 0, 1]
