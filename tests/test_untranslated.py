"""The untranslated-word check: English content words in French flagged on the word,
names, brands, code, placeholders, loanwords, quoted terms and a document's own terms left
alone."""

from __future__ import annotations

from importlib import resources

import pytest

from mtreview.checks import CHECKS, DocumentContext, enabled_checks
from mtreview.checks.untranslated import LEXICON, french_analyses
from mtreview.documents import Segment
from mtreview.settings import Settings


def flagged(
    text: str,
    source: str | None = None,
    settings: Settings | None = None,
    document: tuple[tuple[str, str], ...] = (),
) -> list[str]:
    """The words the check flags in `text` (its protected spans respected), checking that
    each flag's span is exactly the word it names; `document` holds the other rows
    (source, translation) of its document, observed whole first as `score` does."""
    check = CHECKS["untranslated_word"](settings or Settings())
    context = DocumentContext("doc")
    rows = [*document, (source, text)]
    segments = [Segment("doc", i, 0, 0, len(t), t, source=s) for i, (s, t) in enumerate(rows)]
    for segment in segments:
        context.observe(segment)
    context.complete = True
    found = []
    for flag in check.checked(segments[-1], context):
        word = text[flag.start : flag.end]
        assert flag.message == f"“{word}” is English, not French"
        assert flag.category == "Accuracy/Untranslated"
        assert flag.origins == ("rule:untranslated_word",)
        found.append(word)
    return found


@pytest.mark.parametrize(
    ("text", "source", "words"),
    [
        ("La meeting de lundi est annulée.", "Monday's meeting is cancelled.", ["meeting"]),
        ("Cliquez sur le button pour continuer.", "Click the button to continue.", ["button"]),
        ("Ouvrez les settings de la fenêtre.", None, ["settings"]),
        ("Impossible d'ouvrir la window des téléchargements.", None, ["window"]),
        ("Le computer et le keyboard sont prêts.", None, ["computer", "keyboard"]),
        ("Le mot de passe de l'account est vide.", "The account password is empty.", ["account"]),
        ("Impossible de lire le file.", "Cannot read the file.", ["file"]),  # "file" is feminine
        # the apostrophe of "can't" opens no quote in the source
        ("Impossible d'ouvrir le file « %s ».", "Can't open file '%s'.", ["file"]),
        ("Le président a rencontré les ministres à Genève.", None, []),
        # the brand makes "windows" common in French; "window" is not
        ("Réglez le volume de leurs windows.", "Set the volume of their windows.", ["windows"]),
    ],
)
def test_english_content_words_are_flagged_on_the_word(
    text: str, source: str | None, words: list[str]
) -> None:
    assert flagged(text, source) == words


def test_the_span_leaves_out_a_french_elision() -> None:
    text = "Le nom de l'account est vide."
    check = CHECKS["untranslated_word"](Settings())
    flags = check.checked(Segment("doc", 0, 0, 0, len(text), text), DocumentContext("doc"))
    assert [(f.start, f.end) for f in flags] == [(12, 19)]
    assert text[12:19] == "account"


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Firefox a bloqué cette fenêtre surgissante.", "Firefox blocked this pop-up."),
        ("Ouvrez le navigateur Firefox pour continuer.", None),  # a brand
        ("Envoyez un e-mail à l'administrateur.", None),  # loanwords French uses
        ("Bon week-end à toute l'équipe !", None),
        ("Le parking est complet ce soir.", None),
        ("Le bug a été corrigé dans la dernière version.", None),
        ("Téléchargez Thunderbird depuis le site.", None),  # a proper noun mid-sentence
        ("Cliquez sur Save pour garder vos modifications.", "Click Save to keep your changes."),
        ("Lancez le programme avec --verbose pour voir le détail.", None),  # an option
        ("La valeur de max_buffer_size est trop grande.", None),  # an identifier
        ("Le fichier %(filename)s est introuvable.", None),  # a placeholder
        ("Le service { $service } ne répond pas.", None),  # Fluent
        ("Tapez « yes » pour confirmer la suppression.", 'Type "yes" to confirm the deletion.'),
        ("Tapez yes pour confirmer la suppression.", 'Type "yes" to confirm the deletion.'),
        ("Le dépôt distant (remote) est injoignable.", None),  # a gloss in brackets
        ("Le fichier debian/rules n'est pas exécutable.", None),  # a path
        ("Le président a rencontré les ministres à Genève.", None),  # plain French
        ("Les options de la table sont incorrectes.", "The table options are wrong."),
        ("Windows démarre plus lentement que Linux.", "Windows boots slower than Linux."),
    ],
)
def test_names_brands_code_loanwords_and_quoted_terms_are_not_flagged(
    text: str, source: str | None
) -> None:
    assert flagged(text, source) == []


def test_a_word_the_source_holds_as_a_name_is_not_flagged() -> None:
    source = "Open the Settings panel to change it."
    assert flagged("Ouvrez le panneau settings pour le modifier.", source) == []
    assert flagged("Ouvrez les settings pour les modifier.", "Open the settings.") == ["settings"]


def test_french_words_are_flagged_only_where_french_grammar_rules_them_out() -> None:
    # French "file" (a queue) is feminine: "la file" is French, "le file" / "du file" not
    assert flagged("La file d'attente est pleine.", "The queue is full.") == []
    assert flagged("Le contenu du file est vide.", "The file content is empty.") == ["file"]
    assert flagged("Il le file à la main.", None) == []  # a pronoun, then the verb "filer"
    # "table", "message", "image" are French: left alone
    assert flagged("La table des matières est vide.", "The table of contents is empty.") == []


def test_a_copied_word_counts_by_what_the_document_does_with_it() -> None:
    """A word copied from the source, with no determiner before it: flagged where the
    document translates it in other rows, left alone where the document keeps it (a term
    of its domain) or says nothing about it."""
    text, source = "Password de l'utilisateur incorrect.", "Password of the user is wrong."
    assert flagged(text, source) == []  # no evidence either way
    translated = tuple(
        (f"Enter the password for account {n}.", f"Saisissez le mot de passe du compte {n}.")
        for n in range(12)
    )
    assert flagged(text, source, document=translated) == ["Password"]
    kept = tuple(
        (f"Cannot apply commit {n}.", f"Impossible d'appliquer le commit {n}.") for n in range(3)
    )
    assert flagged("Le commit a échoué.", "The commit failed.", document=kept) == []
    assert flagged("Le commit a échoué.", "The commit failed.") == []  # French has it
    validated = tuple((s, t.replace("le commit", "la validation")) for s, t in kept * 2)
    assert flagged("Le commit a échoué.", "The commit failed.", document=validated) == ["commit"]


def test_the_lexicon_is_the_french_dictionary_with_its_licence() -> None:
    analyses = french_analyses()
    assert analyses["file"] == {"nfs", "v"}  # a feminine noun, and a form of "filer"
    assert "button" not in analyses and "settings" not in analyses  # not French
    header = (resources.files("mtreview") / "data" / LEXICON).read_text("utf-8")[:400]
    assert "MPL-2.0" in header and "build_french_homographs.py" in header


def test_title_case_sources_are_not_taken_for_names() -> None:
    assert flagged("Ouvrir la window", "Open Window") == ["window"]


def test_allowed_words_are_never_flagged() -> None:
    text = "La meeting de lundi est annulée."
    assert flagged(text, settings=Settings(allowed_words=("Meeting",))) == []


def test_english_function_words_are_left_to_non_french() -> None:
    assert flagged("Le rapport of the commission est publié.") == []


def test_the_check_is_on_by_default_and_can_be_disabled() -> None:
    check = CHECKS["untranslated_word"](Settings())
    assert check.available()
    assert "untranslated_word" in {c.name for c in enabled_checks(Settings())}
    disabled = Settings(disabled_checks=("untranslated_word",))
    assert "untranslated_word" not in {c.name for c in enabled_checks(disabled)}


def test_a_french_word_the_source_does_not_hold_is_french_there() -> None:
    """The document translates "support" elsewhere; here French says "support" for the
    source's "medium": a machine translation leaves the source's words, not others."""
    others = tuple(
        (f"Support for {thing} is new.", f"La prise en charge de {chose} est nouvelle.")
        for thing, chose in [("RAID", "RAID"), ("LVM", "LVM"), ("USB", "USB")] * 2
    )
    text = "Chargez-le à partir d'un support amovible."
    assert flagged(text, "Load it from a removable medium.", document=others) == []
    assert flagged(text, "Load it from a removable support.", document=others) == ["support"]


def test_a_name_of_the_source_its_document_translates_elsewhere_is_a_label() -> None:
    """ "the main Button" is a name of the source; a document that says "bouton" for it
    in other rows has left this label in English. "Google Drive" stays a name."""
    others = (
        ("Press the button.", "Appuyez sur le bouton."),
        ("The button is grey.", "Le bouton est gris."),
    )
    text, source = "Cliquez sur le Button principal.", "Click the main Button."
    assert flagged(text, source) == []
    assert flagged(text, source, document=others) == ["Button"]
    drive = (
        ("Open the drive.", "Ouvrez le lecteur."),
        ("The drive is full.", "Le lecteur est plein."),
    )
    assert flagged("Ouvrez le Google Drive.", "Open the Google Drive.", document=drive) == []


def test_in_running_text_four_rows_translating_the_word_are_enough() -> None:
    """A source sentence: the document's four other rows that translate "window" are
    enough; a catalogue's usage line, or a name a French noun announces, are not."""
    others = (
        ("Close the window.", "Fermez la fenêtre."),
        ("The window is small.", "La fenêtre est petite."),
    ) * 2
    source = "You can open it in a new window."
    assert flagged("Vous pouvez l’ouvrir dans une nouvelle window.", source, document=others) == [
        "window"
    ]
    assert flagged("ouvrir dans une nouvelle window", "open in new window", document=others) == []
    assert flagged("Lancez la commande window.", "Run the window command.", document=others) == []
