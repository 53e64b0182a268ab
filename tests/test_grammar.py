"""Grammalecte through its command line (a separate process: it is GPL)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mtreview.analysis import Analyzer
from mtreview.analysis.highlight import Highlighter, _outside_protected
from mtreview.cli import main
from mtreview.documents import Segment
from mtreview.flags import Flag
from mtreview.grammar import GrammarChecker, plausible
from mtreview.settings import Settings
from tests.test_checks import CLEAN_FRENCH

# CI installs the Debian package (scripts/setup.sh); a missing tool must fail loudly here
# rather than let these tests pass on the "not installed" path.
GRAMMALECTE = shutil.which("grammalecte-cli")


@pytest.fixture(scope="module")
def checker() -> GrammarChecker:
    if GRAMMALECTE is None:
        pytest.fail("grammalecte-cli is not installed: run scripts/setup.sh")
    return GrammarChecker(Settings())


def test_errors_come_back_with_spans_in_their_own_segment(checker: GrammarChecker) -> None:
    texts = [
        "Les chat mange la souris.",
        "Tout va bien.",
        "😀 Ils est\ncontent\u2028d'être là.",  # emoji, line breaks inside the segment
        "",
        "Il ont fini le travail.",
    ]
    found = checker.check(texts)
    assert len(found) == len(texts)
    marked = [(row, texts[row][f.start : f.end]) for row, flags in enumerate(found) for f in flags]
    assert (0, "chat") in marked
    assert (2, "est") in marked
    assert any(row == 4 and word in {"Il", "ont"} for row, word in marked)
    assert found[1] == [] and found[3] == []
    chat = next(f for f in found[0] if texts[0][f.start : f.end] == "chat")
    assert chat.origins == ("grammar:gn",)
    assert chat.category == "Fluency/Grammar"
    assert chat.suggestion == "chats"


def test_spelling_errors_on_request_but_not_names(checker: GrammarChecker) -> None:
    texts = ["Le gouvernment a rencontré Yevgeny Zhovtis hier."]
    assert checker.check(texts) == [[]]  # spelling is off by default: MT writes real words
    speller = GrammarChecker(Settings(grammar_spelling=True))
    flags = speller.check(texts)[0]
    assert [texts[0][f.start : f.end] for f in flags] == ["gouvernment"]
    assert flags[0].origins == ("grammar:spelling",)


def test_typography_conventions_are_off_by_default(checker: GrammarChecker) -> None:
    texts = ['L\'Union européenne - dit-on - a parlé de "réformes".']
    assert checker.check(texts) == [[]]
    typographic = GrammarChecker(Settings(grammar_typography=True)).check(texts)[0]
    assert {texts[0][f.start : f.end] for f in typographic} >= {"L'", " - "}


def test_correct_french_raises_no_grammar_flag(checker: GrammarChecker) -> None:
    found = checker.check(CLEAN_FRENCH)
    # Grammalecte's dictionary lacks the (correct) demonym "kazakhstanaises": a team adds
    # such words to allowed_words.
    unknown = {CLEAN_FRENCH[row][f.start : f.end] for row, flags in enumerate(found) for f in flags}
    assert unknown <= {"kazakhstanaises"}
    allowed = GrammarChecker(Settings(allowed_words=("kazakhstanaises",)))
    assert allowed.check(CLEAN_FRENCH) == [[] for _ in CLEAN_FRENCH]


def test_noun_group_flags_on_words_outside_the_group_go(checker: GrammarChecker) -> None:
    """Names and labels inside a sentence and nouns in apposition: Grammalecte's noun-group
    rule reads them as adjectives. A word right after its determiner heads its group, and
    a real mismatch stays."""
    texts = [
        "Les privilèges administrateur sont requis.",
        "Le service Photos vous permet de les voir.",
        "Cette possibilité étonne souvent les utilisateur d'autres systèmes.",
        "Les fichiers temporaire sont supprimés.",
    ]
    found = checker.check(texts)
    words = [
        [text[f.start : f.end] for f in flags] for text, flags in zip(texts, found, strict=True)
    ]
    assert words == [["administrateur"], ["Photos"], ["utilisateur"], ["temporaire"]]
    kept = [
        [text[f.start : f.end] for f in plausible(text, flags)]
        for text, flags in zip(texts, found, strict=True)
    ]
    assert kept == [[], [], ["utilisateur"], ["temporaire"]]


def test_verb_readings_of_names_keys_and_labels_go(checker: GrammarChecker) -> None:
    """A key or command the source holds ("compose"), a label inside a sentence
    ("Musique") and agreement with a name ("Horloges") are not French grammar; a label
    after its determiner heads its group, and pleonasms are style (off)."""
    rows = [
        ("Appuyez sur compose, puis sur e.", "Press compose then e."),
        ("Par défaut, les dossiers Musique et Images sont partagés.", "Music is shared."),
        ("Les distributions sont livrées avec Horloges installé.", "They come with Clocks."),
        ("Ouvrez la vue d’ensemble des Activité.", "Open the Activities overview."),
        ("Les fichiers temporaire sont supprimés.", "Temporary files are deleted."),
        ("Un élément, comme par exemple un bouton.", "An item such as a button."),
        # the adjective goes with the head before the preposition, or with nothing
        ("Les réseaux sans fil masqués ne s’affichent pas.", "Hidden networks do not show."),
        ("Un périphérique sans fil connectés.", "A wireless device connected."),
    ]
    found = checker.check([text for text, _source in rows])
    assert [len(flags) for flags in found] == [1, 1, 2, 1, 1, 0, 2, 2]
    kept = [
        [text[f.start : f.end] for f in plausible(text, flags, source)]
        for (text, source), flags in zip(rows, found, strict=True)
    ]
    assert kept == [[], [], [], ["Activité"], ["temporaire"], [], [], ["fil", "connectés"]]


def test_readings_of_what_is_not_prose_go(checker: GrammarChecker) -> None:
    """A word inside a path, a verb after a one-letter name ("A" is no "a"), a lowercase
    start the source has too; a lowercase start the source lacks stays."""
    rows = [
        ("Correction : voir debian/patches/fix-gentoo-target.patch ;", "See the patch."),
        ("Le paquet A recommande le paquet B si le responsable le veut.", "A recommends B."),
        ("le répertoire racine comporte des choses. Il faut le savoir.", "the root has things."),
        ("le répertoire racine comporte des choses. Il faut le savoir.", "The root has things."),
    ]
    found = checker.check([text for text, _source in rows])
    assert [len(flags) for flags in found] == [1, 1, 1, 1]
    kept = [
        [text[f.start : f.end] for f in plausible(text, flags, source)]
        for (text, source), flags in zip(rows, found, strict=True)
    ]
    assert kept == [[], [], [], ["le"]]


def test_allowed_words_are_not_spelling_errors() -> None:
    texts = ["Le gouvernment a parlé."]
    assert GrammarChecker(Settings(allowed_words=("gouvernment",))).check(texts) == [[]]


def test_missing_tool_is_said_and_the_run_goes_on(tmp_path: Path) -> None:
    settings = Settings(use_models=False, grammar_command=str(tmp_path / "no-grammalecte"))
    analyzer = Analyzer(settings)
    assert isinstance(analyzer.highlighter, Highlighter)
    assert analyzer.highlighter.grammar is None
    assert "grammar check skipped" in analyzer.highlighter.notes[0]
    segment = Segment("d", 0, 0, 0, 26, "Il est parti hier , enfin.")
    [analysis] = analyzer.analyze([segment])
    assert [f.origins for f in analysis.flags] == [("rule:spacing",)]


def test_cli_says_grammar_was_skipped(
    tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "mtreview.toml"
    config.write_text(f'grammar_command = "{tmp_path / "missing"}"\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert (
        main(["score", str(article), "--no-models", "--config", str(config), "-o", str(out)]) == 0
    )
    err = capsys.readouterr().err
    assert "grammar check skipped" in err and "grammalecte-cli" in err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    origins = {o for r in records for f in r["flags"] for o in f["origins"]}
    assert "grammar" not in origins and "rule:repeated_words" in origins


def test_no_grammar_option_turns_it_off(
    tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["score", str(article), "--no-models", "--no-grammar", "-o", str(out)]) == 0
    assert "grammar check skipped" not in capsys.readouterr().err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all("grammar" not in f["origins"] for r in records for f in r["flags"])


def test_a_failing_tool_is_a_note_not_a_crash(tmp_path: Path) -> None:
    broken = tmp_path / "grammalecte-cli"
    broken.write_text("#!/bin/sh\necho 'boom' >&2\nexit 3\n", encoding="utf-8")
    broken.chmod(0o755)
    highlighter = Highlighter(Settings(use_models=False, grammar_command=str(broken)))
    analyzer = Analyzer(Settings(use_models=False), highlighter=highlighter)
    [analysis] = analyzer.analyze([Segment("d", 0, 0, 0, 13, "Tout va bien.")])
    assert analysis.flags == ()
    assert any("exit status 3: boom" in note for note in highlighter.notes)


def test_spelling_type_flags_are_read_for_misreadings_too() -> None:
    """Grammalecte's "maj" is a spelling-type flag: the lowercase start the source has too
    goes on the highlighter's path as well."""
    text = "monter le répertoire /dev du système hôte."
    flag = Flag(
        0,
        6,
        "Fluency/Spelling",
        "minor",
        ("grammar:maj",),
        "Majuscule [majuscule_début_paragraphe]",
    )
    lower = Segment("doc", 0, 0, 0, len(text), text, source="bind mount /dev from the host.")
    upper = Segment("doc", 0, 0, 0, len(text), text, source="Bind mount /dev from the host.")
    assert _outside_protected(lower, [flag]) == []
    assert _outside_protected(upper, [flag]) == [flag]


def test_a_name_in_second_place_is_a_moved_opener(checker: GrammarChecker) -> None:
    """Swapped words leave a sentence's capitalised opener second ("des Options avancé"):
    agreement with it stays, unlike agreement with a name further in."""
    rows = ["des Options avancé", "Les distributions sont livrées avec Horloges installé."]
    found = checker.check(rows)
    kept = [
        [t[f.start : f.end] for f in plausible(t, fl, "")]
        for t, fl in zip(rows, found, strict=True)
    ]
    assert kept == [["avancé"], []]


def test_a_number_the_source_follows_with_singular_words_names_the_thing(
    checker: GrammarChecker,
) -> None:
    """An error code or a step's number is no count ("2 erreur de syntaxe" for "2 Syntax
    error"); a count the source writes plural ("3 files") keeps its flag, and so does a
    number the source lacks."""
    rows = [
        ("2 erreur de syntaxe", "2 Syntax error"),
        ("2 erreur de syntaxe", "2 Syntax errors"),
        ("Supprime 3 fichier.", "Deletes 3 new files."),
        ("Supprime 3 fichier.", "Deletes the file."),
    ]
    found = checker.check([text for text, _ in rows])
    kept = [
        [t[f.start : f.end] for f in plausible(t, fl, source) if "gn" in f.origins[0]]
        for (t, source), fl in zip(rows, found, strict=True)
    ]
    assert kept == [[], ["erreur"], ["fichier"], ["fichier"]]
