"""A pre-registered fresh set of calques and prepositions, planted in LibreOffice's help.

Why: rows of `mtreview/data/calques.tsv` and `literal_calques.tsv` match phrases that the
machine-translation-like set (`mtreview.testing.mt_errors`) plants, and were written after
it, so that set's calque and preposition recall cannot say whether the tables and the
governance model generalise. This set was written before any measurement, by someone who
had not read the tables, the governance model, nor the benchmark's phrase tables (only its
planting code, reused here): English-shaped French and wrong or missing prepositions as
English→French machine translation writes them, each with the English it renders and the
idiomatic French it replaces. `named` marks the few that were named in the task's brief or
in docstrings read before writing (the usual textbook examples), so the figures can be
given without them. The phrases were committed before the first measurement and are not
edited after it (the commit is the registration).

Planted (`plant`) into LibreOffice's help as `flag_quality.help_part` reads it
(`mt_errors.read_help`: whole aligned pages, here all of them, 45,000 rows, running text
no check was tuned on), where the row's French holds the idiomatic form and its English
source the words the calque renders (`trigger`): one error per row, each phrase at most
`PER_PHRASE` times, the two kinds in turn, seeded. The pages that got an error are kept
whole, their other rows clean for the false alarms (about 8,700 rows in 170 pages). Scored
as a user would (`mtreview score --no-models`: every default check, Grammalecte on), then
again with `--disable-check calques`. Reported: recall per kind (a flag overlapping the
planted span), which flags caught them (origin and subsignal: `rule:calques/literal` is a
row of `literal_calques.tsv`, `/source` and `/shape` rows of `calques.tsv`,
`rule:governance/...` the model learnt from prose), how many planted errors a table row
alone caught, and false alarms per 100 clean rows of the same text. `literal_calques.tsv`
has no switch: "no_literal_rows" drops the flags its rows alone raised (a lower bound: a
`calques.tsv` row on the very span of a literal row's flag is not run).

    .venv/bin/python benchmarks/fresh_errors.py          # ~2 min on 2 cores
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import random
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


import flag_quality as fq  # noqa: E402
from common import emit_report, mt_corpus_dir  # noqa: E402

from mtreview import calibration  # noqa: E402
from mtreview.flags import Flag  # noqa: E402
from mtreview.testing import mt_errors  # noqa: E402
from mtreview.testing.mt_errors import Planted, Rewrite, Row  # noqa: E402

SEED = 2026
PER_PHRASE = 3
KINDS = ("calque", "preposition")


@dataclasses.dataclass(frozen=True)
class Fresh:
    """One planted phrase: what English says, the idiomatic French, and the rewrite."""

    kind: str
    rewrite: Rewrite
    english: str
    french: str
    named: bool = False  # named in the brief or a docstring read before writing


def _c(
    key: str, mapping: dict[str, str], trigger: str, english: str, french: str, named: bool = False
) -> Fresh:
    return Fresh("calque", mt_errors._words(key, mapping, trigger), english, french, named)


def _p(
    key: str, mapping: dict[str, str], trigger: str, english: str, french: str, named: bool = False
) -> Fresh:
    return Fresh("preposition", mt_errors._words(key, mapping, trigger), english, french, named)


def _g(
    key: str,
    head: str,
    old: str,
    new: str,
    trigger: str,
    english: str,
    french: str,
    gap: int = 0,
    named: bool = False,
) -> Fresh:
    """A governed preposition swapped (`old` → `new`; "" for none), as mt_errors plants."""
    rewrite = mt_errors._governs(key, head, old, new, trigger, gap)
    return Fresh("preposition", rewrite, english, french, named)


def _r(
    kind: str, key: str, pattern: str, new: str, trigger: str, english: str, french: str
) -> Fresh:
    """A regex whose match becomes `new` (for a form a fixed phrase cannot hold)."""

    def replace(match: re.Match[str], apostrophe: str) -> str:
        return mt_errors._case_like(match.group(), match.expand(new).replace("'", apostrophe))

    compiled = re.compile(pattern, re.IGNORECASE)
    return Fresh(
        kind, Rewrite(key, compiled, replace, re.compile(trigger, re.IGNORECASE)), english, french
    )


# --- calques: English-shaped French ---------------------------------------------------------
CALQUES: tuple[Fresh, ...] = (
    _c(
        "supporter",
        {
            "prend en charge": "supporte",
            "prennent en charge": "supportent",
            "prendre en charge": "supporter",
            "pris en charge": "supporté",
        },
        r"\bsupport",
        "supports X",
        "prend en charge X",
        named=True,
    ),
    _c(
        "en charge de",
        {
            "responsable de": "en charge de",
            "responsable du": "en charge du",
            "responsable des": "en charge des",
            "responsables de": "en charge de",
        },
        r"in charge|responsible",
        "in charge of",
        "responsable de",
        named=True,
    ),
    _c(
        "au final",
        {"finalement": "au final", "en fin de compte": "au final"},
        r"\b(?:finally|in the end|ultimately)\b",
        "in the end",
        "finalement",
        named=True,
    ),
    _c(
        "éventuellement",
        {"finalement": "éventuellement", "à terme": "éventuellement"},
        r"\beventually\b",
        "eventually",
        "finalement, à terme",
    ),
    _c(
        "actuellement",
        {"en fait": "actuellement", "en réalité": "actuellement", "réellement": "actuellement"},
        r"\bactually\b",
        "actually",
        "en fait",
    ),
    _c(
        "actuel",
        {
            "réel": "actuel",
            "réelle": "actuelle",
            "réels": "actuels",
            "réelles": "actuelles",
            "effectif": "actuel",
            "effective": "actuelle",
        },
        r"\bactual\b",
        "the actual size",
        "la taille réelle",
    ),
    _c(
        "prendre avantage de",
        {
            "tirer parti de": "prendre avantage de",
            "tirer parti des": "prendre avantage des",
            "profiter de": "prendre avantage de",
            "profiter des": "prendre avantage des",
            "profitez de": "prenez avantage de",
            "tirez parti de": "prenez avantage de",
        },
        r"advantage|leverag",
        "take advantage of",
        "tirer parti de, profiter de",
        named=True,
    ),
    _c(
        "prendre place",
        {
            "a lieu": "prend place",
            "ont lieu": "prennent place",
            "avoir lieu": "prendre place",
            "aura lieu": "prendra place",
        },
        r"tak(?:e|es|ing) place|took place",
        "takes place",
        "a lieu",
        named=True,
    ),
    _c(
        "adresser un problème",
        {
            "résoudre ce problème": "adresser ce problème",
            "résoudre le problème": "adresser le problème",
            "résoudre les problèmes": "adresser les problèmes",
            "traiter ce problème": "adresser ce problème",
        },
        r"\baddress",
        "address the problem",
        "résoudre le problème",
    ),
    _c(
        "faire du sens",
        {
            "a du sens": "fait du sens",
            "avoir du sens": "faire du sens",
            "n'a pas de sens": "ne fait pas de sens",
            "est logique": "fait du sens",
        },
        r"makes? sense",
        "makes sense",
        "a du sens, est logique",
    ),
    _c(
        "réaliser que",
        {
            "se rendre compte que": "réaliser que",
            "vous rendez compte que": "réalisez que",
            "s'apercevoir que": "réaliser que",
        },
        r"reali[sz]",
        "realize that",
        "se rendre compte que",
    ),
    _c(
        "assumer que",
        {
            "supposer que": "assumer que",
            "suppose que": "assume que",
            "supposons que": "assumons que",
            "part du principe que": "assume que",
        },
        r"\bassum",
        "assume that",
        "supposer que",
    ),
    _c(
        "définitivement",
        {"certainement": "définitivement", "sans aucun doute": "définitivement"},
        r"\bdefinitely\b",
        "definitely",
        "certainement",
    ),
    _c(
        "opportunité",
        {"occasion": "opportunité", "possibilité": "opportunité"},
        r"opportunit",
        "opportunity",
        "occasion",
    ),
    _c(
        "digital",
        {
            "signature numérique": "signature digitale",
            "signatures numériques": "signatures digitales",
            "certificat numérique": "certificat digital",
            "certificats numériques": "certificats digitaux",
            "appareil photo numérique": "appareil photo digital",
            "appareils photo numériques": "appareils photo digitaux",
        },
        r"\bdigital",
        "digital signature",
        "signature numérique",
    ),
    _c(
        "librairie",
        {"bibliothèque": "librairie", "bibliothèques": "librairies"},
        r"librar",
        "library",
        "bibliothèque",
        named=True,
    ),
    _c(
        "compléter",
        {
            "terminer": "compléter",
            "terminé": "complété",
            "terminée": "complétée",
            "terminés": "complétés",
            "terminées": "complétées",
            "achevé": "complété",
            "achevée": "complétée",
        },
        r"\bcomplet",
        "completed",
        "terminé",
    ),
    _c(
        "initier",
        {
            "lancer": "initier",
            "lance": "initie",
            "lancez": "initiez",
            "démarrer": "initier",
            "démarre": "initie",
            "démarrez": "initiez",
        },
        r"\binitiat",
        "initiate",
        "lancer, démarrer",
    ),
    _c(
        "en ligne avec",
        {
            "conformément à": "en ligne avec",
            "conformément au": "en ligne avec le",
            "conformément aux": "en ligne avec les",
            "conforme à": "en ligne avec",
            "conformes à": "en ligne avec",
        },
        r"in line with|consistent with",
        "in line with",
        "conformément à",
    ),
    _c(
        "être supposé",
        {
            "est censé": "est supposé",
            "est censée": "est supposée",
            "sont censés": "sont supposés",
            "sont censées": "sont supposées",
            "êtes censé": "êtes supposé",
        },
        r"suppose",
        "is supposed to",
        "est censé",
        named=True,
    ),
    _c(
        "résulter en",
        {
            "entraîne": "résulte en",
            "entraîner": "résulter en",
            "entraînent": "résultent en",
            "aboutit à": "résulte en",
            "donne lieu à": "résulte en",
        },
        r"result(?:s|ed|ing)? in",
        "results in",
        "entraîne, aboutit à",
        named=True,
    ),
    _c(
        "vous serez demandé",
        {
            "on vous demande de": "vous êtes demandé de",
            "on vous demandera de": "vous serez demandé de",
            "vous êtes invité à": "vous êtes demandé de",
            "vous serez invité à": "vous serez demandé de",
        },
        r"you (?:are|will be) (?:asked|prompted)",
        "you will be asked to",
        "on vous demandera de",
        named=True,
    ),
    _c(
        "autoriser à",
        {
            "vous permet de": "vous autorise à",
            "permet de": "autorise à",
            "permettent de": "autorisent à",
        },
        r"\ballow",
        "allows you to",
        "vous permet de",
    ),
    _c(
        "presser",
        {
            "appuyez sur": "pressez",
            "appuyer sur": "presser",
            "appuie sur": "presse",
            "appuyant sur": "pressant",
        },
        r"\bpress",
        "press the key",
        "appuyez sur la touche",
    ),
    _c(
        "en addition",
        {"de plus": "en addition", "en outre": "en addition", "en plus": "en addition"},
        r"in addition|additionally",
        "in addition",
        "de plus, en outre",
    ),
    _c("en ordre de", {"afin de": "en ordre de"}, r"in order to", "in order to", "afin de"),
    _c(
        "dans le futur",
        {"à l'avenir": "dans le futur", "ultérieurement": "dans le futur"},
        r"\bfuture\b",
        "in the future",
        "à l'avenir",
    ),
    _c(
        "versatile",
        {
            "polyvalent": "versatile",
            "polyvalente": "versatile",
            "polyvalents": "versatiles",
            "polyvalentes": "versatiles",
        },
        r"versatil",
        "versatile",
        "polyvalent",
    ),
    _c(
        "consistant",
        {
            "cohérent": "consistant",
            "cohérente": "consistante",
            "cohérents": "consistants",
            "cohérentes": "consistantes",
        },
        r"consisten",
        "consistent",
        "cohérent",
    ),
    _c(
        "consistance",
        {"cohérence": "consistance", "uniformité": "consistance"},
        r"consistenc",
        "consistency",
        "cohérence",
    ),
    _c(
        "délivrer",
        {
            "fournit": "délivre",
            "fournir": "délivrer",
            "fournissent": "délivrent",
            "fourni": "délivré",
            "fournie": "délivrée",
        },
        r"\bdeliver",
        "delivers",
        "fournit, livre",
    ),
    _c(
        "performer",
        {
            "effectuer": "performer",
            "effectue": "performe",
            "effectuez": "performez",
            "effectué": "performé",
            "effectuée": "performée",
            "effectués": "performés",
            "effectuées": "performées",
            "effectuent": "performent",
        },
        r"\bperform",
        "perform",
        "effectuer",
    ),
    _c(
        "compréhensif",
        {
            "complet": "compréhensif",
            "complète": "compréhensive",
            "complets": "compréhensifs",
            "complètes": "compréhensives",
            "exhaustif": "compréhensif",
            "exhaustive": "compréhensive",
        },
        r"comprehensive",
        "comprehensive",
        "complet, exhaustif",
    ),
    _c(
        "régulier",
        {
            "normal": "régulier",
            "normale": "régulière",
            "normaux": "réguliers",
            "normales": "régulières",
        },
        r"\bregular\b",
        "regular (not bold)",
        "normal",
    ),
    _c(
        "location",
        {
            "l'emplacement": "la location",
            "un emplacement": "une location",
            "cet emplacement": "cette location",
            "les emplacements": "les locations",
            "son emplacement": "sa location",
            "votre emplacement": "votre location",
            "d'emplacement": "de location",
            "des emplacements": "des locations",
            "nouvel emplacement": "nouvelle location",
        },
        r"locat",
        "location",
        "emplacement",
    ),
    _c(
        "rapporter",
        {
            "signaler": "rapporter",
            "signalez": "rapportez",
            "signale": "rapporte",
            "signalé": "rapporté",
            "signalée": "rapportée",
        },
        r"\breport",
        "report a bug",
        "signaler un bogue",
    ),
    _c(
        "attacher",
        {
            "joindre": "attacher",
            "joint": "attaché",
            "jointe": "attachée",
            "jointes": "attachées",
            "joints": "attachés",
            "joignez": "attachez",
        },
        r"\battach",
        "attach, attachment",
        "joindre, pièce jointe",
    ),
    _c(
        "tel que montré",
        {
            "comme illustré": "tel que montré",
            "comme indiqué": "tel que montré",
            "comme le montre": "tel que montré par",
        },
        r"as shown",
        "as shown",
        "comme illustré",
    ),
    _c("au-dessus", {"ci-dessus": "au-dessus"}, r"\babove\b", "described above", "ci-dessus"),
    _c("en dessous", {"ci-dessous": "en dessous"}, r"\bbelow\b", "the list below", "ci-dessous"),
    _c(
        "être capable de",
        {
            "vous pouvez": "vous êtes capable de",
            "pouvez": "êtes capable de",
            "peut": "est capable de",
            "peuvent": "sont capables de",
        },
        r"\bable to\b",
        "be able to",
        "pouvoir",
    ),
    _c(
        "sauver",
        {
            "enregistrer": "sauver",
            "enregistrez": "sauvez",
            "enregistre": "sauve",
            "enregistré": "sauvé",
            "enregistrée": "sauvée",
            "enregistrés": "sauvés",
            "enregistrées": "sauvées",
            "enregistrent": "sauvent",
        },
        r"\bsav(?:e|es|ed|ing)\b",
        "save the document",
        "enregistrer le document",
    ),
    _c(
        "à travers",
        {
            "dans tout le": "à travers le",
            "dans toute la": "à travers la",
            "tout au long du": "à travers le",
            "tout au long de la": "à travers la",
        },
        r"\bthroughout\b",
        "throughout the document",
        "dans tout le document",
    ),
    _c(
        "large",
        {
            "fichiers volumineux": "fichiers larges",
            "fichier volumineux": "fichier large",
            "documents volumineux": "documents larges",
            "document volumineux": "document large",
            "un grand nombre de": "un large nombre de",
        },
        r"\blarge\b",
        "large files, a large number of",
        "fichiers volumineux, un grand nombre de",
    ),
    _c(
        "cliquer droit",
        {
            "cliquez avec le bouton droit de la souris": "cliquez droit",
            "cliquez avec le bouton droit": "cliquez droit",
            "cliquer avec le bouton droit": "cliquer droit",
            "cliquant avec le bouton droit": "cliquant droit",
        },
        r"right[- ]click",
        "right-click",
        "cliquez avec le bouton droit",
    ),
    _c(
        "si requis",
        {"si nécessaire": "si requis", "au besoin": "si requis", "le cas échéant": "si requis"},
        r"if (?:required|needed|necessary)|as needed",
        "if required",
        "si nécessaire",
    ),
    _c(
        "en accord avec",
        {"selon": "en accord avec", "conformément à": "en accord avec"},
        r"according to|in accordance",
        "according to",
        "selon, conformément à",
    ),
    _c("aussi bien que", {"ainsi que": "aussi bien que"}, r"as well as", "as well as", "ainsi que"),
    _c(
        "alternativement",
        {"sinon": "alternativement"},
        r"\balternatively\b",
        "alternatively",
        "sinon, vous pouvez aussi",
    ),
    _c(
        "sur une base régulière",
        {"régulièrement": "sur une base régulière"},
        r"regularly|regular basis",
        "on a regular basis",
        "régulièrement",
    ),
    _c(
        "vérifier la case",
        {
            "cochez": "vérifiez",
            "cocher": "vérifier",
            "cochée": "vérifiée",
            "coché": "vérifié",
            "cochées": "vérifiées",
            "cochés": "vérifiés",
        },
        r"\bcheck",
        "check the box",
        "cochez la case",
    ),
    _c(
        "customiser",
        {
            "personnaliser": "customiser",
            "personnalisez": "customisez",
            "personnalisé": "customisé",
            "personnalisée": "customisée",
            "personnalisés": "customisés",
            "personnalisées": "customisées",
        },
        r"\bcustom",
        "customize",
        "personnaliser",
    ),
    _c(
        "mettre l'emphase sur",
        {
            "mettre l'accent sur": "mettre l'emphase sur",
            "met l'accent sur": "met l'emphase sur",
            "mettre en évidence": "mettre l'emphase sur",
        },
        r"emphasi",
        "emphasize",
        "mettre l'accent sur",
    ),
    _c(
        "au fond de la page",
        {
            "au bas de la page": "au fond de la page",
            "en bas de la page": "au fond de la page",
            "en bas de l'écran": "au fond de l'écran",
            "au bas de l'écran": "au fond de l'écran",
        },
        r"\bbottom\b",
        "at the bottom of the page",
        "en bas de la page",
    ),
)

# --- prepositions: wrong or missing governance -------------------------------------------------
PREPOSITIONS: tuple[Fresh, ...] = (
    _g(
        "dépendre sur",
        r"dépend|dépendent|dépendre|dépendra|dépendant",
        "de",
        "sur",
        r"\bdepend",
        "depends on",
        "dépend de",
        named=True,
    ),
    _g(
        "différent que",
        r"différente?s?",
        "de",
        "que",
        r"different",
        "different than",
        "différent de",
        named=True,
    ),
    _g(
        "se rappeler de",
        r"rappelez-vous|se rappeler|vous rappeler",
        "",
        "de",
        r"rememb|recall",
        "remember the name",
        "se rappeler le nom",
        named=True,
    ),
    _g(
        "pallier à",
        r"pallier|pallie|pallient|palliez",
        "",
        "à",
        r"\w",
        "make up for",
        "pallier un manque",
        named=True,
    ),
    _g(
        "cliquer X",
        r"cliquez|cliquer|cliquant|double-cliquez|double-cliquer",
        "sur",
        "",
        r"click",
        "click the button",
        "cliquez sur le bouton",
        named=True,
    ),
    _g(
        "remplacer avec",
        r"remplac\w+",
        "par",
        "avec",
        r"replac",
        "replace X with Y",
        "remplacer X par Y",
        gap=40,
        named=True,
    ),
    _g("consister de", r"consist\w+", "en", "de", r"consist", "consists of", "consiste en"),
    _g(
        "correspondre avec",
        r"correspond\w*",
        "à",
        "avec",
        r"match|correspond",
        "corresponds with",
        "correspond à",
        named=True,
    ),
    _g(
        "accéder X",
        r"accéd\w+|accéder",
        "à",
        "",
        r"access",
        "access the files",
        "accéder aux fichiers",
        named=True,
    ),
    _g(
        "intéressé dans",
        r"intéressée?s?",
        "par",
        "dans",
        r"interest",
        "interested in",
        "intéressé par",
    ),
    _g(
        "participer dans",
        r"particip\w+",
        "à",
        "dans",
        r"participat|take part",
        "participate in",
        "participer à",
    ),
    _g(
        "répondre X",
        r"répond\w*",
        "à",
        "",
        r"answer|respond|reply",
        "answer the question",
        "répondre à la question",
    ),
    _g(
        "rechercher pour",
        r"recherch(?:er|ez|ent)|cherch(?:er|ez|ent)",
        "",
        "pour",
        r"(?:search|look)(?:ing|s)? for",
        "search for the text",
        "rechercher le texte",
    ),
    _g(
        "attendre pour",
        r"attend(?:re|ez|ent)",
        "",
        "pour",
        r"wait(?:s|ing)? for",
        "wait for the end",
        "attendre la fin",
    ),
    _g(
        "demander pour",
        r"demand(?:er|ez|ent)",
        "",
        "pour",
        r"ask(?:s|ing)? for",
        "ask for the password",
        "demander le mot de passe",
    ),
    _p(
        "sur l'écran",
        {"à l'écran": "sur l'écran"},
        r"on(?: the)? screen|on-screen|onscreen",
        "on the screen",
        "à l'écran",
    ),
    _p(
        "sur le menu",
        {"dans le menu": "sur le menu", "dans les menus": "sur les menus"},
        r"\bon the\b.*\bmenus?\b",
        "on the Tools menu",
        "dans le menu Outils",
    ),
    _p(
        "dans cette façon",
        {
            "de cette façon": "dans cette façon",
            "de cette manière": "dans cette manière",
            "de la même façon": "dans la même façon",
            "de la même manière": "dans la même manière",
        },
        r"in (?:this|the same|that) way|similarly|likewise",
        "in this way",
        "de cette façon",
        named=True,
    ),
    _p(
        "au même temps",
        {"en même temps": "au même temps"},
        r"same time|simultaneous",
        "at the same time",
        "en même temps",
    ),
    _p(
        "en avance",
        {"à l'avance": "en avance"},
        r"in advance|beforehand",
        "in advance",
        "à l'avance",
    ),
    _p(
        "dépendant sur",
        {
            "en fonction de": "dépendant sur",
            "en fonction du": "dépendant sur le",
            "en fonction des": "dépendant sur les",
            "selon": "dépendant sur",
        },
        r"depending on",
        "depending on",
        "en fonction de, selon",
    ),
    _g(
        "responsable pour",
        r"responsables?",
        "de",
        "pour",
        r"responsible for",
        "responsible for",
        "responsable de",
    ),
    _g(
        "identique avec", r"identiques?", "à", "avec", r"identical", "identical with", "identique à"
    ),
    _g(
        "supérieur que",
        r"supérieure?s?",
        "à",
        "que",
        r"(?:greater|higher|larger|more) than",
        "greater than",
        "supérieur à",
        named=True,
    ),
    _g(
        "inférieur que",
        r"inférieure?s?",
        "à",
        "que",
        r"(?:less|lower|smaller|fewer) than",
        "less than",
        "inférieur à",
    ),
    _g(
        "appuyer X",
        r"appuyez|appuyer|appuie|appuyant",
        "sur",
        "",
        r"\bpress",
        "press the key",
        "appuyez sur la touche",
    ),
    _g(
        "convertir à",
        r"conver(?:tir|tit|tissez|ti|tie|tis|ties|tissent)",
        "en",
        "à",
        r"convert",
        "convert to PDF",
        "convertir en PDF",
    ),
    _r(
        "preposition",
        "pour N secondes",
        r"(?<![\w-])pendant(?= (?:\d|quelques|plusieurs|environ))",
        "pour",
        r"\bfor (?:\d|a few|several|about|up to)",
        "for 5 seconds",
        "pendant 5 secondes",
    ),
    _r(
        "preposition",
        "permettre qqn de",
        r"(?<![\w-])(permet(?:tent|tre)?) (?:à l['’]utilisateur|aux utilisateurs)",
        r"\1 les utilisateurs",
        r"\b(?:allow|let|enable)",
        "allows users to",
        "permet aux utilisateurs de",
    ),
    _g(
        "ressembler X",
        r"ressembl\w+",
        "à",
        "",
        r"look(?:s)? like|resembl",
        "looks like",
        "ressemble à",
    ),
    _p(
        "sur Windows",
        {
            "sous Windows": "sur Windows",
            "sous Linux": "sur Linux",
            "sous macOS": "sur macOS",
            "sous Mac OS X": "sur Mac OS X",
            "sous UNIX": "sur UNIX",
        },
        r"\b(?:on|under) (?:Windows|Linux|mac|Mac|UNIX|Unix)",
        "on Windows",
        "sous Windows",
    ),
    _p(
        "vérifier pour",
        {
            "rechercher les": "vérifier pour les",
            "recherche les": "vérifie pour les",
            "rechercher des": "vérifier pour des",
        },
        r"check(?:s|ing)? for",
        "check for updates",
        "rechercher les mises à jour",
    ),
    _g(
        "équipé avec",
        r"équipée?s?|dotée?s?",
        "de",
        "avec",
        r"equipped|\bwith\b",
        "equipped with",
        "doté de",
    ),
    _r(
        "preposition",
        "plus que N",
        r"(?<![\w-])plus de(?= \d)",
        "plus que",
        r"more than|over \d",
        "more than 10",
        "plus de 10",
    ),
    _r(
        "preposition",
        "moins que N",
        r"(?<![\w-])moins de(?= \d)",
        "moins que",
        r"(?:less|fewer) than|under \d",
        "less than 10",
        "moins de 10",
    ),
    _g("proche à", r"proches?", "de", "à", r"close to|near", "close to", "proche de"),
    _p(
        "enregistrer comme",
        {
            "enregistrer sous": "enregistrer comme",
            "enregistrez sous": "enregistrez comme",
            "enregistré sous": "enregistré comme",
            "enregistrée sous": "enregistrée comme",
        },
        r"sav(?:e|ed) as",
        "save as",
        "enregistrer sous",
    ),
    _p(
        "sur le presse-papiers",
        {"dans le presse-papiers": "sur le presse-papiers"},
        r"clipboard",
        "to the clipboard",
        "dans le presse-papiers",
    ),
    _g(
        "satisfait avec",
        r"satisfaite?s?",
        "de",
        "avec",
        r"satisfied|happy with",
        "satisfied with",
        "satisfait de",
    ),
    _p(
        "avec l'aide de",
        {
            "à l'aide de": "avec l'aide de",
            "à l'aide du": "avec l'aide du",
            "à l'aide des": "avec l'aide des",
        },
        r"\bwith\b|\busing\b|by means",
        "with the help of the mouse",
        "à l'aide de la souris",
    ),
    _p(
        "dans le format",
        {"au format": "dans le format"},
        r"in \w+ format|\bformat\b",
        "in PDF format",
        "au format PDF",
    ),
    _g(
        "disponible dans",
        r"disponibles?",
        "en",
        "dans",
        r"available in",
        "available in several languages",
        "disponible en plusieurs langues",
    ),
    _g(
        "traduit dans",
        r"tradui(?:t|te|ts|tes|re|sez)",
        "en",
        "dans",
        r"translat",
        "translated into French",
        "traduit en français",
    ),
    _g(
        "écrit dans",
        r"écrite?s?",
        "en",
        "dans",
        r"written in",
        "written in Basic",
        "écrit en Basic",
    ),
    _g(
        "exprimé dans",
        r"exprimée?s?|mesurée?s?",
        "en",
        "dans",
        r"\bin\b",
        "expressed in centimetres",
        "exprimé en centimètres",
    ),
    _p(
        "de la liste",
        {"dans la liste": "de la liste", "dans la zone de liste": "de la zone de liste"},
        r"from the\b.*\blist",
        "select it from the list",
        "sélectionnez-le dans la liste",
    ),
    _p(
        "du menu",
        {"dans le menu": "du menu"},
        r"from the\b.*\bmenu",
        "choose from the menu",
        "choisissez dans le menu",
    ),
)

FRESH: tuple[Fresh, ...] = CALQUES + PREPOSITIONS


# --- planting ----------------------------------------------------------------------------------
def plant_one(fresh: Fresh, row: Row, rng: random.Random) -> Planted | None:
    """`fresh` planted at one of its places in `row` (as `mt_errors` plants its rows)."""
    found = mt_errors.rewrite_places(row, fresh.rewrite)
    if not found:
        return None
    return mt_errors.rewritten(row, fresh.rewrite, rng.choice(found), fresh.kind)


def plant(rows: list[Row], seed: int = SEED) -> dict[int, tuple[Fresh, Planted]]:
    """One error a row: the phrases in turn (calques and prepositions interleaved), each
    taking the next row of one seeded order it fits, `PER_PHRASE` rounds."""
    rng = random.Random(seed)
    order = list(range(len(rows)))
    rng.shuffle(order)
    turn = [f for pair in zip(CALQUES, PREPOSITIONS, strict=False) for f in pair]
    turn += CALQUES[len(PREPOSITIONS) :] + PREPOSITIONS[len(CALQUES) :]
    planted: dict[int, tuple[Fresh, Planted]] = {}
    for _round in range(PER_PHRASE):
        for fresh in turn:
            for index in order:
                if index in planted:
                    continue
                error = plant_one(fresh, rows[index], rng)
                if error is not None:
                    planted[index] = (fresh, error)
                    break
    return planted


def _planted_help(root: Path, rows: int) -> tuple[list[Row], dict[int, tuple[Fresh, Planted]]]:
    help_rows = mt_errors.read_help(root, rows=rows or 10**9)
    return help_rows, plant(help_rows)


def in_planted_pages(
    rows: list[Row], planted: dict[int, tuple[Fresh, Planted]]
) -> tuple[list[Row], dict[int, tuple[Fresh, Planted]]]:
    """Only the pages that hold a planted error, whole: the clean rows of the same text,
    and a fifth of the help's 45,000 rows to score."""
    docs = {rows[i].doc for i in planted}
    kept = [i for i, row in enumerate(rows) if row.doc in docs]
    return [rows[i] for i in kept], {n: planted[i] for n, i in enumerate(kept) if i in planted}


# --- measuring ---------------------------------------------------------------------------------
def signals(flag: Flag) -> set[str]:
    """A flag's origins and subsignals ("rule:calques/literal")."""
    return {*flag.origins, *flag.subsignals}


def table_signal(signal: str) -> bool:
    """A row of a hand-written table (`calques.tsv`, `literal_calques.tsv`)."""
    return signal.startswith("rule:calques")


def measure(
    rows: list[Row],
    planted: dict[int, tuple[Fresh, Planted]],
    flags: dict[int, tuple[Flag, ...]],
) -> dict[str, Any]:
    """Recall per kind (and without the `named` phrases), what caught the errors, false
    alarms per 100 clean rows."""
    recall: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    caught_by: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    ways: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    phrases: dict[str, set[str]] = collections.defaultdict(set)
    for index, (fresh, error) in planted.items():
        hits = [f for f in flags[index] if f.start < error.end and error.start < f.end]
        found = {s for f in hits for s in signals(f)}
        for name in (fresh.kind, f"{fresh.kind} (not named)" if not fresh.named else ""):
            if name:
                recall[name][0] += bool(hits)
                recall[name][1] += 1
        caught_by[fresh.kind].update(found)
        if not hits:
            way = "missed"
        elif all(table_signal(s) for f in hits for s in f.origins):
            way = "table only"
        elif any(table_signal(s) for s in found):
            way = "table and rule"
        else:
            way = "rule only"
        ways[fresh.kind][way] += 1
        if hits:
            phrases[fresh.kind].add(fresh.rewrite.key)
    clean = [i for i in range(len(rows)) if i not in planted]
    by_origin = collections.Counter(o for i in clean for f in flags[i] for o in f.origins)
    false_alarms = sum(len(flags[i]) for i in clean)
    return {
        "recall": {
            k: f"{v[0]}/{v[1]} ({100 * v[0] / max(1, v[1]):.1f}%)"
            for k, v in sorted(recall.items())
        },
        "phrases_caught_at_least_once": {k: len(v) for k, v in sorted(phrases.items())},
        "caught_by_table_or_rule": {k: dict(v) for k, v in sorted(ways.items())},
        "caught_by": {k: dict(v.most_common()) for k, v in sorted(caught_by.items())},
        "clean_rows": len(clean),
        "false_alarms_per_100_clean": round(100 * false_alarms / max(1, len(clean)), 2),
        "false_alarms_per_100_clean_by_flag": {
            o: round(100 * n / max(1, len(clean)), 2) for o, n in by_origin.most_common(10)
        },
    }


def without(flags: dict[int, tuple[Flag, ...]], drop: str) -> dict[int, tuple[Flag, ...]]:
    """The flags as if the `drop` subsignal's rows were gone (a flag raised by it alone)."""
    return {
        i: tuple(f for f in fs if not (f.origins == ("rule:calques",) and drop in f.subsignals))
        for i, fs in flags.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=0, help="pages up to this many rows (0: all)")
    parser.add_argument("--keep", help="leave the scored files in this folder")
    parser.add_argument("--json", help="also write the report to this file")
    args = parser.parse_args()
    root, versions = fq.mt_packages(mt_corpus_dir(), mt_errors.HELP_PACKAGES)
    rows, planted = in_planted_pages(*_planted_help(root, args.rows))
    per_phrase = collections.Counter(fresh.rewrite.key for fresh, _ in planted.values())
    report: dict[str, Any] = {
        "corpus": {
            "packages": versions,
            "pages": len({row.doc for row in rows}),
            "rows": len(rows),
            "seed": SEED,
        },
        "phrases": {k: sum(1 for f in FRESH if f.kind == k) for k in KINDS},
        "planted": {k: sum(1 for f, _ in planted.values() if f.kind == k) for k in KINDS},
        "phrases_planted": {
            k: sum(1 for f in FRESH if f.kind == k and per_phrase[f.rewrite.key]) for k in KINDS
        },
        "planted_digest": fq.planted_digest({i: p for i, (_, p) in planted.items()}),
    }
    errors = {i: p for i, (_, p) in planted.items()}
    with tempfile.TemporaryDirectory(prefix="mtreview-fresh-") as scratch:
        work = Path(args.keep or scratch)
        work.mkdir(parents=True, exist_ok=True)
        config = fq.shipped_config(work)
        for name, extra in (("default", []), ("no_calques", ["--disable-check", "calques"])):
            keys = fq.write_mt_corpus(work, name, rows, errors)
            run = fq.score(work, name, config, extra)
            by_key = calibration.read_flags(work / f"{name}.out.jsonl")
            flags = {row: by_key[key] for row, key in keys.items()}
            report[name] = {"seconds": round(run["seconds"], 1), **measure(rows, planted, flags)}
            if name == "default":
                no_literal = measure(rows, planted, without(flags, "rule:calques/literal"))
                report["no_literal_rows"] = {
                    k: no_literal[k] for k in ("recall", "false_alarms_per_100_clean")
                }
    return emit_report(report, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
