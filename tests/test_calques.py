"""The calque table (issue 22, point 3): every row a general shape backed by sentences of
human translators found outside the shipped article, each still matched; the French twins
of those shapes left alone; a team's own table after it. No model, no process."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mtreview.checks import CHECKS, DocumentContext
from mtreview.checks.calques import (
    literal_gate,
    literal_target_gate,
    load_calques,
    load_literal,
    parse_table,
    shipped_gate,
)
from mtreview.documents import Segment
from mtreview.errors import InputError
from mtreview.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "mtreview" / "data" / "calques.tsv"
ARTICLE = ROOT / "data" / "kaztag-ngo-pressure.fr.txt"
EXAMPLE = re.compile(r"# e\.g\. «(?P<text>.+)» — (?P<where>\S.*)$")
HEADER = "pattern\tcategory\tseverity\tsuggestion\tnote\n"


def flagged(text: str, settings: Settings | None = None) -> list[str]:
    check = CHECKS["calques"](settings or Settings())
    segment = Segment("doc", 0, 0, 0, len(text), text)
    return [text[f.start : f.end] for f in check.checked(segment, DocumentContext("doc"))]


def attested_rows() -> list[tuple[str, list[tuple[str, str]]]]:
    """Each row's line of the shipped table with the "# e.g." examples written above it."""
    rows, examples = [], []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("# e.g."):
            found = EXAMPLE.match(line)
            assert found, f"an example line without «sentence» — source: {line!r}"
            examples.append((found["text"], found["where"]))
        elif line and not line.startswith(("#", "pattern\t")):
            rows.append((line, examples))
            examples = []
    return rows


def test_every_row_matches_two_attested_sentences_from_outside_the_article() -> None:
    rows = attested_rows()
    compiled = load_calques()
    assert len(rows) == len(compiled) >= 10
    article = " ".join(ARTICLE.read_text(encoding="utf-8").split())
    for (line, examples), calque in zip(rows, compiled, strict=True):
        assert len(examples) >= 2, f"fewer than two attested examples: {line[:60]}"
        assert len({where for _, where in examples}) >= 2 or len(examples) >= 3, line[:60]
        for text, where in examples:
            assert text not in article and where.strip(), (text, where)
            assert calque.pattern.search(text), f"{calque.note}: no match in «{text}»"


@pytest.mark.parametrize(
    ("text", "span", "suggestion"),
    [
        ("L'équipe en charge de la sécurité publie les annonces.", "équipe en charge de",
         "chargé de, responsable de"),
        ("Le ministre est en charge du dossier.", "est en charge du", "chargé de, responsable de"),
        ("Nous avons réalisé que le serveur était arrêté.", "avons réalisé que",
         "se rendre compte que, comprendre que"),
        ("On ne peut pas assumer que la clé existe.", "assumer que",
         "supposer que, partir du principe que"),
        ("La fonction est supposée renvoyer zéro.", "est supposée renvoyer", "est censé"),
        ("Les chiffres sont publiés sur une base mensuelle.", "sur une base mensuelle",
         "par fichier, chaque jour, individuellement…"),
        ("Le gouvernement a initié une réforme du code fiscal.", "a initié une réforme",
         "lancer, engager, déclencher"),
        ("Impossible de charger la librairie partagée.", "librairie partagée", "bibliothèque"),
        ("N'oubliez pas de sauver vos modifications.", "sauver vos modifications",
         "enregistrer, sauvegarder"),
        ("Si vous êtes familière avec Vim, ouvrez-le.", "familière avec",
         "connaître, avoir l'habitude de"),
        ("Cette décision a résulté en une hausse des prix.", "résulté en",
         "entraîner, aboutir à, donner"),
        ("Le code est distribué sous les termes de la GPL.", "sous les termes",
         "selon les conditions de, aux termes de"),
        ("Téléchargement complété", "Téléchargement complété", "terminé, achevé"),
        ("Vous pourriez vouloir redémarrer le service.", "pourriez vouloir redémarrer",
         "voudrez peut-être"),
    ],
)  # fmt: skip
def test_a_calque_is_flagged_with_its_suggestion(text: str, span: str, suggestion: str) -> None:
    check = CHECKS["calques"](Settings())
    segment = Segment("doc", 0, 0, 0, len(text), text)
    (flag,) = check.checked(segment, DocumentContext("doc"))
    assert (text[flag.start : flag.end], flag.suggestion) == (span, suggestion)
    assert flag.message.startswith(f"“{span}”: ")


@pytest.mark.parametrize(
    "text",
    [
        "Activer la prise en charge des ACL POSIX.",
        "Ce pilote prend en charge des extensions matérielles.",
        "LilyPond prend néanmoins en charge d’autres systèmes de notation.",
        "Elle a pris en charge de nombreux dossiers.",
        "La mise en charge de la batterie prend deux heures.",
        "Ces actions ne peuvent être réalisées qu'en tant que root.",
        "L’attente active ne sera réalisée que lorsque les données arrivent.",
        "Il assume la responsabilité de ses choix.",
        "Ces chaînes sont supposées être en ASCII.",
        "Le supposé coupable a été relâché.",
        "Impossible d'exécuter VACUUM sur une base spécifique.",
        "Les résultats sont stockés sur une base de données.",
        "Elle veut initier les élèves à la musique baroque.",
        "Il a ouvert une librairie indépendante au centre-ville.",
        "Les pompiers ont pu sauver les habitants.",
        "Le retard résulte en partie d'une erreur de calcul.",
        "Le problème résulte en effet d'une panne.",
        "Ce service est offert sous certaines conditions.",
        "La valeur est complétée à gauche par des zéros.",
        "Le manuel est complété par des exemples.",
        "Je suis d'accord avec vous.",
        "Si vous supprimez un élément, il sera définitivement perdu.",
        "Le fichier est éventuellement compressé.",
        "Ce module supporte le format PNG.",
        "Ce visage lui est familier.",
        "Que peut vouloir dire ce message ?",
    ],
)
def test_the_french_twins_are_left_alone(text: str) -> None:
    assert flagged(text) == []


def test_a_team_table_adds_rows_and_a_bad_row_names_its_line(tmp_path: Path) -> None:
    own = tmp_path / "ours.tsv"
    own.write_text(HEADER + "au jour d'aujourd'hui\tStyle/Awkward\tminor\taujourd'hui\tpléonasme\n"
                   "défenseurs de la ligne de première ligne\tTerminology/Inappropriate\tmajor\t"
                   "Front Line Defenders\torganisation name translated word for word\n",
                   encoding="utf-8")  # fmt: skip
    settings = Settings(calque_table=str(own))
    text = "Au jour d'aujourd'hui, les défenseurs de la ligne de première ligne protestent."
    assert flagged(text) == []  # the shipped table has no names
    assert flagged(text, settings) == [
        "Au jour d'aujourd'hui",
        "défenseurs de la ligne de première ligne",
    ]
    with pytest.raises(InputError, match=r"bad.tsv:2: severity"):
        parse_table(HEADER + "x\tOther\tbad\ty\tz\n", "bad.tsv")
    with pytest.raises(InputError, match=r"bad.tsv:2: bad pattern"):
        parse_table(HEADER + "x(\tOther\tminor\ty\tz\n", "bad.tsv")


def test_a_row_ending_on_an_apostrophe_or_a_space_matches(tmp_path: Path) -> None:
    """A row whose pattern ends in "l'" or "la " once could never match: the whole-word
    end it was given wanted no letter after the apostrophe."""
    own = tmp_path / "ours.tsv"
    row = "(?:a|ont) noué (?:l'|la )\tAccuracy/Mistranslation\tminor\tont lié\tx\n"
    own.write_text(HEADER + row, encoding="utf-8")
    settings = Settings(calque_table=str(own))
    assert flagged("Ils ont noué l'enquête à leur travail.", settings) == ["ont noué l'"]
    assert flagged("Elle a noué la question à la loi.", settings) == ["a noué la "]
    assert flagged("Il a dénoué la question.", settings) == []  # still whole words


def source_flags(text: str, source: str | None) -> list[str]:
    check = CHECKS["calques"](Settings())
    segment = Segment("doc", 0, 0, 0, len(text), text, source=source)
    return [text[f.start : f.end] for f in check.checked(segment, DocumentContext("doc"))]


@pytest.mark.parametrize(
    ("text", "source", "span"),
    [
        ("Ce pilote supporte les écrans 4K.", "This driver supports 4K screens.", "supporte les"),
        ("Il est actuellement un adaptateur 3G.", "It is actually a 3G adapter.", "actuellement"),
        ("Le nom actuel du fichier est long.", "The actual file name is long.", "actuel"),
        ("Le signal digital est converti.", "The digital signal is converted.", "digital"),
        ("Les données seront éventuellement perdues.", "The data will eventually be lost.",
         "éventuellement"),
        ("Choisissez la location du fichier.", "Choose the file location.", "location"),
        ("Le fichier a été sauvé.", "The file was saved.", "sauvé"),
        ("Ce correctif permet d'adresser le problème.", "This patch addresses the issue.",
         "adresser le problème"),
        ("Ce correctif, qui adresse enfin le problème, est publié.",
         "This patch, which finally addresses the issue, is out.", "qui adresse enfin le problème"),
    ],
)  # fmt: skip
def test_a_false_friend_is_flagged_where_the_source_says_the_english_word(
    text: str, source: str, span: str
) -> None:
    assert source_flags(text, source) == [span]
    assert source_flags(text, None) == []  # good French on its own: no source, no flag
    assert source_flags(text, "Something else entirely.") == []


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Adresse du point d'entrée : 0x400000", "Entry point address: 0x400000"),
        ("Le module ne supporte pas ce format.", "The module does not support this format."),
        ("Voici la liste complète.", "Here is the complete list."),
        ("Le futur système sera plus rapide.", "The future system will be faster."),
        ("Le nom actuel du fichier est long.", "The current file name is long."),
        ("L'empreinte digitale est lue.", "The digital print is read."),
    ],
)
def test_the_french_twins_are_left_alone_even_with_the_source(text: str, source: str) -> None:
    assert source_flags(text, source) == []


def test_a_team_row_may_name_its_source_and_five_columns_still_read(tmp_path: Path) -> None:
    own = tmp_path / "ours.tsv"
    own.write_text(HEADER.replace("note\n", "note\tsource\n")
                   + "conférence\tStyle/Awkward\tminor\texposé\tlecture\tlectures?\n"
                   + "au jour d'aujourd'hui\tStyle/Awkward\tminor\taujourd'hui\tpléonasme\n",
                   encoding="utf-8")  # fmt: skip
    settings = Settings(calque_table=str(own))
    check = CHECKS["calques"](settings)
    text = "Au jour d'aujourd'hui, la conférence commence."
    segment = Segment("doc", 0, 0, 0, len(text), text, source="Today, the lecture starts.")
    assert [text[f.start : f.end] for f in check.checked(segment, DocumentContext("doc"))] == [
        "conférence",
        "Au jour d'aujourd'hui",
    ]
    with pytest.raises(InputError, match=r"bad.tsv:2: expected 5 or 6"):
        parse_table(HEADER + "x\tOther\tminor\n", "bad.tsv")


def test_the_one_pass_gate_lets_every_attested_sentence_through() -> None:
    """The gate scans from word starts: a shipped row starting on punctuation or a digit
    would be skipped by it, and its examples would not get through."""
    gate = shipped_gate()
    for _, examples in attested_rows():
        for text, _ in examples:
            assert gate.search(text), text


LITERAL = ROOT / "mtreview" / "data" / "literal_calques.tsv"
LITERAL_EXAMPLE = re.compile(r"# ex\. «(?P<english>.+)» → «(?P<french>.+)»$")


def literal_rows() -> list[tuple[str, str, tuple[str, str]]]:
    """Each literal row's line with the "# ref." and "# ex." lines written above it."""
    rows, ref, example = [], "", ("", "")
    for line in LITERAL.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ref. "):
            ref = line[len("# ref. ") :].strip()
        elif line.startswith("# ex. "):
            found = LITERAL_EXAMPLE.match(line)
            assert found, f"an example line without «English» → «French»: {line!r}"
            example = (found["english"], found["french"])
        elif line and not line.startswith(("#", "pattern\t")):
            rows.append((line, ref, example))
            ref, example = "", ("", "")
    return rows


def test_every_literal_row_cites_its_source_and_matches_its_example() -> None:
    """A literal rendering is flagged only beside its English: each row names the English
    (sixth column), where the French usage is documented, and an example pair it matches."""
    rows = literal_rows()
    compiled = load_literal()
    assert len(rows) == len(compiled) >= 50
    article = " ".join(ARTICLE.read_text(encoding="utf-8").split())
    for (line, ref, (english, french)), calque in zip(rows, compiled, strict=True):
        assert ref and english and french, f"no reference or example: {line[:60]}"
        assert calque.source is not None and calque.source.search(english), line[:60]
        assert calque.pattern.search(french) and french not in article, line[:60]
        assert literal_gate().search(english), english
        assert literal_target_gate().search(french), french  # the gates let it through


@pytest.mark.parametrize(
    ("text", "source", "span"),
    [
        ("La réunion prendra place lundi.", "The meeting will take place on Monday.",
         "prendra place"),
        ("Vous serez demandé de choisir une langue.", "You will be asked to choose a language.",
         "Vous serez demandé de"),
        ("Choisissez votre zone de temps.", "Choose your time zone.", "zone de temps"),
        ("Ce réglage vous aide à achever une meilleure autonomie.",
         "This setting helps you achieve better battery life.", "achever"),
        ("Appuyez sur la clé Entrée.", "Press the Enter key.", "Appuyez sur la clé"),
    ],
)  # fmt: skip
def test_a_literal_rendering_is_flagged_beside_its_english(
    text: str, source: str, span: str
) -> None:
    assert source_flags(text, source) == [span]
    assert source_flags(text, None) == []  # no source: nothing to say it renders English


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Il vous sera demandé de choisir une langue.", "You will be asked to choose a language."),
        ("La durée de vie de la batterie est longue.", "Battery life is long."),
        ("Générez une clé SSH.", "Generate an SSH key."),
        ("Vous courez un risque.", "You run a risk."),
        ("Ce paquet est issu de Debian, à l'issue du vote.", "This issue comes from Debian."),
        ("Mettez en évidence le texte.", "Highlight the evidence."),
        ("Le système est à jour.", "The system is up to date."),
        ("Linux est plus différent que vous ne pensez.", "Linux is more different than you think."),
        (
            "Les fichiers sont triés d'une manière différente.",
            "Files are sorted in a different way.",
        ),
    ],
)
def test_the_french_twins_of_literal_renderings_are_left_alone(text: str, source: str) -> None:
    assert source_flags(text, source) == []


def test_a_literal_rendering_a_false_friend_and_a_shape_are_three_subsignals() -> None:
    check = CHECKS["calques"](Settings())

    def ways(text: str, source: str | None) -> list[tuple[str, ...]]:
        segment = Segment("doc", 0, 0, 0, len(text), text, source=source)
        return [f.subsignals for f in check.checked(segment, DocumentContext("doc"))]

    literal = ways("La réunion prendra place lundi.", "The meeting will take place on Monday.")
    assert literal == [("rule:calques/literal",)]
    false_friend = ways("Ce pilote supporte les écrans 4K.", "This driver supports 4K screens.")
    assert false_friend == [("rule:calques/source",)]
    assert ways("Vous pourriez vouloir utiliser cette option.", None) == [("rule:calques/shape",)]
