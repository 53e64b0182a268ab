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

Set 2 (`CALQUES_2`, `PREPOSITIONS_2`: `--set 2`, its own seed 2027, planted by the same
rules) was written on 2026-12-08, after set 1 had been measured and opened to tuning, by a
helper who had not read the checks, their tables or rules, the governance model, nor the
benchmark's phrase tables (only the planting helpers and set 1, none of whose phrases it
repeats): what English→French machine translation writes, from general knowledge, none of
it named in the brief. Phrases that fitted no row of the help were dropped or reworded
before its registration commit, which came before any measurement of mtreview on it.

    .venv/bin/python benchmarks/fresh_errors.py          # set 1, ~2 min on 2 cores
    .venv/bin/python benchmarks/fresh_errors.py --set 2 --plant-only   # counts, no scoring
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

SEED = 2026  # set 1's
SEED_2 = 2027
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


# --- set 2 (written 2026-12-08, see the module docstring) -------------------------------------
def _m(
    kind: str,
    key: str,
    mapping: dict[str, str],
    trigger: str,
    english: str,
    french: str,
    after: str = "",
) -> Fresh:
    """Fixed words as `_words` writes them, but never just after an apostrophe or a
    bracket ("l'affiche" stays whole: its elided form is a key of its own), and only where
    `after` follows."""
    rewrite = mt_errors._words(key, mapping, trigger, not_after=r"[\w'’()-]", followed_by=after)
    return Fresh(kind, rewrite, english, french)


def _c2(
    key: str, mapping: dict[str, str], trigger: str, english: str, french: str, after: str = ""
) -> Fresh:
    return _m("calque", key, mapping, trigger, english, french, after)


def _p2(
    key: str, mapping: dict[str, str], trigger: str, english: str, french: str, after: str = ""
) -> Fresh:
    return _m("preposition", key, mapping, trigger, english, french, after)


CALQUES_2: tuple[Fresh, ...] = (
    _c2(
        "éditer (modifier)",
        {
            "modifier": "éditer",
            "modifiez": "éditez",
            "modifie": "édite",
            "modifient": "éditent",
            "modifié": "édité",
            "modifiée": "éditée",
            "modifiés": "édités",
            "modifiées": "éditées",
        },
        r"\bedit",
        "edit the text",
        "modifier le texte",
    ),
    _c2(
        "montrer (afficher)",
        {
            "affiche": "montre",
            "l'affiche": "le montre",
            "d'afficher": "de montrer",
            "afficher": "montrer",
            "affichez": "montrez",
            "affichent": "montrent",
            "affiché": "montré",
            "affichée": "montrée",
            "affichés": "montrés",
            "affichées": "montrées",
        },
        r"\bshow",
        "shows the value",
        "affiche la valeur",
    ),
    _c2(
        "pour faire ceci",
        {"pour ce faire": "pour faire ceci", "pour cela": "pour faire cela"},
        r"to do (?:this|that|so)",
        "to do this",
        "pour ce faire",
    ),
    _r(
        "calque",
        "est localisé",
        r"(?:(?<=fichier )|(?<=dossier )|(?<=répertoire )|(?<=conteneur )|(?<=bouton )|(?<=menu )|"
        r"(?<=champ )|(?<=module )|(?<=document )|(?<=script )|(?<=contrôle )|(?<=objet )|"
        r"(?<=modèle )|(?<=pilote )|(?<=programme )|(?<=composant )|(?<=paquet )|(?<=service )|"
        r"(?<=raccourci )|(?<=lien )|(?<=texte )|(?<=code ))se trouve(?![\w-])",
        "est localisé",
        r"\blocated\b",
        "the file is located in",
        "le fichier se trouve dans",
    ),
    _c2(
        "protégé de mot de passe",
        {
            "protégé par mot de passe": "mot de passe protégé",
            "protégé par un mot de passe": "mot de passe protégé",
            "protégée par un mot de passe": "mot de passe protégée",
            "protégés par un mot de passe": "mot de passe protégés",
            "protégées par un mot de passe": "mot de passe protégées",
            "protection par mot de passe": "protection de mot de passe",
        },
        r"password[- ]protect",
        "a password-protected file",
        "un fichier protégé par un mot de passe",
    ),
    _c2(
        "raccourci de clavier",
        {
            "raccourci clavier": "raccourci de clavier",
            "raccourcis clavier": "raccourcis de clavier",
            "touche de raccourci": "clé de raccourci",
            "touches de raccourci": "clés de raccourci",
        },
        r"shortcut",
        "keyboard shortcut",
        "raccourci clavier",
    ),
    _c2(
        "menu de contexte",
        {"menu contextuel": "menu de contexte", "menus contextuels": "menus de contexte"},
        r"context menu",
        "context menu",
        "menu contextuel",
    ),
    _c2(
        "boîte de texte",
        {
            "case à cocher": "boîte à cocher",
            "cases à cocher": "boîtes à cocher",
            "zone de texte": "boîte de texte",
            "zones de texte": "boîtes de texte",
            "zone de liste": "boîte de liste",
            "zones de liste": "boîtes de liste",
            "zone de nom": "boîte de nom",
        },
        r"\bbox",
        "check box, text box, list box",
        "case à cocher, zone de texte, zone de liste",
    ),
    _c2(
        "fonte (police)",
        {"police": "fonte", "polices": "fontes"},
        r"\bfont",
        "the font",
        "la police",
    ),
    _c2(
        "instance (occurrence)",
        {
            "occurrence": "instance",
            "occurrences": "instances",
            "l'occurrence": "l'instance",
            "d'occurrences": "d'instances",
        },
        r"\binstances?\b",
        "every instance of the word",
        "chaque occurrence du mot",
    ),
    _c2(
        "caractéristique (fonctionnalité)",
        {"fonctionnalité": "caractéristique", "fonctionnalités": "caractéristiques"},
        r"\bfeatures?\b",
        "this feature",
        "cette fonctionnalité",
    ),
    _c2(
        "référez-vous à",
        {
            "reportez-vous à": "référez-vous à",
            "reportez-vous au": "référez-vous au",
            "reportez-vous aux": "référez-vous aux",
            "se reporter à": "se référer à",
        },
        r"\brefer",
        "refer to the chapter",
        "reportez-vous au chapitre",
    ),
    _c2(
        "réfère à",
        {
            "fait référence à": "réfère à",
            "font référence à": "réfèrent à",
            "fait référence au": "réfère au",
            "fait référence aux": "réfère aux",
            "faisant référence à": "référant à",
        },
        r"\brefer",
        "refers to",
        "fait référence à",
    ),
    _c2(
        "traîner (faire glisser)",
        {
            "faites glisser": "traînez",
            "faire glisser": "traîner",
            "fait glisser": "traîne",
            "faisant glisser": "traînant",
            "glissez": "traînez",
        },
        r"\bdrag",
        "drag the object",
        "faites glisser l'objet",
    ),
    _c2(
        "permettre (activer)",
        {
            "activer": "permettre",
            "d'activer": "de permettre",
            "l'activer": "le permettre",
            "activez": "permettez",
            "activé": "permis",
            "activée": "permise",
            "activés": "permis",
            "activées": "permises",
        },
        r"\benabl",
        "enable the option",
        "activez l'option",
    ),
    _c2(
        "est utilisé pour",
        {
            "sert à": "est utilisé pour",
            "servent à": "sont utilisés pour",
            "servant à": "utilisé pour",
            "sert au": "est utilisé pour le",
            "sert aux": "est utilisé pour les",
        },
        r"\bused (?:to|for)\b",
        "is used to",
        "sert à",
    ),
    _c2(
        "faire sûr que",
        {
            "assurez-vous que": "faites sûr que",
            "assurez-vous qu'": "faites sûr qu'",
            "s'assurer que": "faire sûr que",
            "vous assurer que": "faire sûr que",
            "vérifiez que": "faites sûr que",
        },
        r"make sure|ensure",
        "make sure that",
        "assurez-vous que",
    ),
    _c2(
        "laisser tomber (déposer)",
        {
            "déposez": "laissez tomber",
            "déposer": "laisser tomber",
            "dépose": "laisse tomber",
            "déposé": "laissé tombé",
            "déposée": "laissée tombée",
        },
        r"\bdrop",
        "drop it on the page",
        "déposez-le sur la page",
    ),
    _c2(
        "défaire (annuler)",
        {
            "annuler": "défaire",
            "d'annuler": "de défaire",
            "annulez": "défaites",
            "annule": "défait",
            "rétablir": "refaire",
            "rétablit": "refait",
        },
        r"\bundo|\bredo",
        "undo the last change",
        "annuler la dernière modification",
    ),
    _c2(
        "sur le démarrage",
        {
            "au démarrage": "sur le démarrage",
            "à l'ouverture": "sur l'ouverture",
            "à la fermeture": "sur la fermeture",
            "au chargement": "sur le chargement",
        },
        r"start|open|clos|load",
        "on startup",
        "au démarrage",
    ),
    _c2(
        "colonne largeur",
        {
            "largeur de colonne": "colonne largeur",
            "largeur des colonnes": "colonne largeur",
            "hauteur de ligne": "ligne hauteur",
            "hauteur des lignes": "ligne hauteur",
        },
        r"column width|row height",
        "column width",
        "largeur de colonne",
    ),
    _c2(
        "vous êtes en train de",
        {
            "vous travaillez": "vous êtes en train de travailler",
            "vous modifiez": "vous êtes en train de modifier",
            "vous utilisez": "vous êtes en train d'utiliser",
            "vous tapez": "vous êtes en train de taper",
            "vous saisissez": "vous êtes en train de saisir",
            "vous créez": "vous êtes en train de créer",
            "vous éditez": "vous êtes en train d'éditer",
        },
        r"\b(?:are|'re) \w+ing\b",
        "if you are working on",
        "si vous travaillez sur",
    ),
    _c2(
        "pendant que vous tapez",
        {
            "pendant la saisie": "pendant que vous êtes en train de taper",
            "lors de la saisie": "quand vous êtes en train de taper",
            "au cours de la saisie": "pendant que vous êtes en train de taper",
            "au fur et à mesure de la saisie": "pendant que vous êtes en train de taper",
            "au fur et à mesure que vous tapez": "pendant que vous êtes en train de taper",
        },
        r"\btyp(?:e|ing)\b",
        "as you type",
        "au fur et à mesure de la saisie",
    ),
    _c2(
        "rupture de page",
        {
            "saut de page": "rupture de page",
            "sauts de page": "ruptures de page",
            "saut de ligne": "rupture de ligne",
            "sauts de ligne": "ruptures de ligne",
            "saut de colonne": "rupture de colonne",
        },
        r"\bbreak",
        "page break",
        "saut de page",
    ),
    _c2(
        "ordre ascendant",
        {
            "ordre croissant": "ordre ascendant",
            "ordre décroissant": "ordre descendant",
            "tri croissant": "tri ascendant",
            "tri décroissant": "tri descendant",
        },
        r"ascending|descending",
        "in ascending order",
        "par ordre croissant",
    ),
    _c2(
        "carte sauvage",
        {
            "caractère générique": "carte sauvage",
            "caractères génériques": "cartes sauvages",
        },
        r"wildcard",
        "wildcards",
        "caractères génériques",
    ),
    _c2(
        "clé (touche)",
        {"touche": "clé", "touches": "clés"},
        r"\bkeys?\b",
        "the Enter key",
        "la touche Entrée",
    ),
    _c2(
        "rangée (plage)",
        {"plage": "rangée", "plages": "rangées"},
        r"\branges?\b",
        "cell range",
        "plage de cellules",
    ),
    _c2(
        "déclaration (instruction)",
        {
            "instruction": "déclaration",
            "instructions": "déclarations",
            "l'instruction": "la déclaration",
            "d'instruction": "de déclaration",
            "d'instructions": "de déclarations",
        },
        r"\bstatements?\b",
        "the If statement",
        "l'instruction If",
    ),
    _c2(
        "forme (formulaire)",
        {
            "le formulaire": "la forme",
            "un formulaire": "une forme",
            "ce formulaire": "cette forme",
            "du formulaire": "de la forme",
            "au formulaire": "à la forme",
            "les formulaires": "les formes",
            "des formulaires": "des formes",
            "formulaire": "forme",
            "formulaires": "formes",
        },
        r"\bforms?\b",
        "the form",
        "le formulaire",
    ),
    _c2(
        "espacement de ligne",
        {
            "interligne": "espacement de ligne",
            "l'interligne": "l'espacement de ligne",
            "d'interligne": "d'espacement de ligne",
        },
        r"spacing",
        "line spacing",
        "interligne",
    ),
    _c2(
        "balles (puces)",
        {"puce": "balle", "puces": "balles"},
        r"\bbullet",
        "bullets",
        "puces",
    ),
    _c2(
        "table de contenus",
        {"table des matières": "table de contenus", "tables des matières": "tables de contenus"},
        r"contents",
        "table of contents",
        "table des matières",
    ),
    _c2(
        "référence croisée",
        {
            "un renvoi": "une référence croisée",
            "le renvoi": "la référence croisée",
            "les renvois": "les références croisées",
            "des renvois": "des références croisées",
            "renvoi": "référence croisée",
            "renvois": "références croisées",
        },
        r"cross[- ]?ref",
        "cross-reference",
        "renvoi",
    ),
    _c2(
        "fusion de courrier",
        {
            "un publipostage": "une fusion de courrier",
            "le publipostage": "la fusion de courrier",
            "du publipostage": "de la fusion de courrier",
            "au publipostage": "à la fusion de courrier",
            "publipostage": "fusion de courrier",
            "un mailing": "une fusion de courrier",
            "le mailing": "la fusion de courrier",
            "du mailing": "de la fusion de courrier",
            "mailing": "fusion de courrier",
        },
        r"mail merge|form letter",
        "mail merge",
        "publipostage",
    ),
    _c2(
        "hyphénation",
        {"coupure des mots": "hyphénation", "césure": "hyphénation"},
        r"hyphenat",
        "hyphenation",
        "coupure des mots, césure",
    ),
    _c2(
        "magicien (assistant)",
        {
            "assistant": "magicien",
            "assistants": "magiciens",
            "l'assistant": "le magicien",
            "d'assistant": "de magicien",
            "d'assistants": "de magiciens",
        },
        r"\bwizard",
        "the wizard",
        "l'assistant",
    ),
    _c2(
        "barre de statut",
        {"barre d'état": "barre de statut"},
        r"status ?bar",
        "status bar",
        "barre d'état",
    ),
    _c2(
        "barre de côté",
        {"barre latérale": "barre de côté", "volet latéral": "panneau de côté"},
        r"sidebar|side bar|side pane",
        "sidebar",
        "barre latérale",
    ),
    _c2(
        "dialogue (boîte de dialogue)",
        {
            "la boîte de dialogue": "le dialogue",
            "une boîte de dialogue": "un dialogue",
            "cette boîte de dialogue": "ce dialogue",
            "les boîtes de dialogue": "les dialogues",
            "des boîtes de dialogue": "des dialogues",
            "d'une boîte de dialogue": "d'un dialogue",
            "de la boîte de dialogue": "du dialogue",
            "à la boîte de dialogue": "au dialogue",
            "nouvelle boîte de dialogue": "nouveau dialogue",
            "boîte de dialogue": "dialogue",
        },
        r"\bdialog",
        "the dialog",
        "la boîte de dialogue",
    ),
    _c2(
        "tabulation (onglet)",
        {
            "l'onglet": "la tabulation",
            "cet onglet": "cette tabulation",
            "un onglet": "une tabulation",
            "nouvel onglet": "nouvelle tabulation",
            "d'onglet": "de tabulation",
            "d'onglets": "de tabulations",
            "onglet": "tabulation",
            "onglets": "tabulations",
        },
        r"\btabs?\b",
        "the Options tab",
        "l'onglet Options",
    ),
    _c2(
        "optionnel (facultatif)",
        {
            "facultatif": "optionnel",
            "facultative": "optionnelle",
            "facultatifs": "optionnels",
            "facultatives": "optionnelles",
        },
        r"\boptional",
        "optional",
        "facultatif",
    ),
    _c2(
        "typiquement",
        {
            "généralement": "typiquement",
            "en général": "typiquement",
            "habituellement": "typiquement",
        },
        r"\btypical",
        "typically",
        "généralement",
    ),
    _c2(
        "notablement (notamment)",
        {"notamment": "notablement"},
        r"notabl|in particular|especially|including",
        "notably",
        "notamment",
    ),
    _c2(
        "résumer (reprendre)",
        {"reprendre": "résumer", "reprend": "résume", "reprenez": "résumez", "repris": "résumé"},
        r"\bresum",
        "resume",
        "reprendre",
    ),
    _c2(
        "issue (problème)",
        {
            "ce problème": "cette issue",
            "le problème": "l'issue",
            "un problème": "une issue",
            "des problèmes": "des issues",
            "les problèmes": "les issues",
        },
        r"\bissues?\b",
        "this issue",
        "ce problème",
    ),
    _r(
        "calque",
        "basique (de base)",
        r"(?<![\w'’-])([^\W\d_]+?)(s?) de base(?![\w-]| de données)",
        r"\1\2 basique\2",
        r"(?-i:\bbasic\b)",
        "basic settings",
        "paramètres de base",
    ),
    _c2(
        "comme le suivant",
        {
            "procédez comme suit": "faites le suivant",
            "comme suit": "comme le suivant",
            "ce qui suit": "le suivant",
        },
        r"following|as follows",
        "do the following",
        "procédez comme suit",
    ),
    _r(
        "calque",
        "seulement disponible",
        r"(?<![\w-])n(?:e |['’])(est|sont|était|étaient|sera|seront) (disponibles?|visibles?"
        r"|possibles?|valides?|actifs?|actives?|applicables?|accessibles?|affichée?s?|utilisée?s?"
        r"|activée?s?) qu(?:e\s+|['’])",
        r"\1 seulement \2 ",
        r"\bonly\b",
        "is only available in",
        "n'est disponible qu'en",
    ),
    _c2(
        "prendre dans le compte",
        {
            "prend en compte": "prend dans le compte",
            "prendre en compte": "prendre dans le compte",
            "prennent en compte": "prennent dans le compte",
            "pris en compte": "pris dans le compte",
            "prise en compte": "prise dans le compte",
            "pris en considération": "pris dans la considération",
            "tient compte": "prend dans le compte",
            "tenir compte": "prendre dans le compte",
        },
        r"account",
        "takes into account",
        "prend en compte",
    ),
    _c2(
        "pour ce but",
        {
            "à cet effet": "pour ce but",
            "à cette fin": "pour cette fin",
            "dans ce but": "pour ce but",
        },
        r"purpose|for this|\bend\b",
        "for this purpose",
        "à cet effet",
    ),
    _c2(
        "est partie de",
        {
            "fait partie de": "est partie de",
            "font partie de": "sont partie de",
            "fait partie du": "est partie du",
            "fait partie des": "est partie des",
            "font partie du": "sont partie du",
            "font partie des": "sont partie des",
            "faire partie de": "être partie de",
        },
        r"part of",
        "is part of",
        "fait partie de",
    ),
    _c2(
        "dans la même place",
        {
            "au même endroit": "dans la même place",
            "à cet endroit": "dans cette place",
            "à la même position": "dans la même place",
            "à un autre endroit": "dans une autre place",
        },
        r"\bplace\b|position|location",
        "in the same place",
        "au même endroit",
    ),
    _c2(
        "à tout temps",
        {
            "à tout moment": "à tout temps",
            "à ce moment": "à ce temps",
            "à ce moment-là": "à ce temps-là",
            "au moment où": "au temps où",
            "à un moment donné": "à un temps donné",
            "à n'importe quel moment": "à n'importe quel temps",
        },
        r"\btime\b",
        "at any time",
        "à tout moment",
    ),
    _c2(
        "un nombre de",
        {"un certain nombre de": "un nombre de", "un certain nombre d'": "un nombre d'"},
        r"a number of",
        "a number of options",
        "un certain nombre d'options",
    ),
    _c2(
        "dû à",
        {
            "en raison de": "dû à",
            "en raison du": "dû au",
            "en raison des": "dû aux",
            "en raison d'": "dû à",
            "à cause de": "dû à",
            "à cause du": "dû au",
            "à cause des": "dû aux",
        },
        r"due to|because of|owing to",
        "due to",
        "en raison de",
    ),
    _c2(
        "gradient (dégradé)",
        {"dégradé": "gradient", "dégradés": "gradients"},
        r"gradient",
        "gradient",
        "dégradé",
    ),
    _c2(
        "votre souris",
        {
            "la souris": "votre souris",
            "le clavier": "votre clavier",
        },
        r"your (?:mouse|keyboard|screen)",
        "with your mouse",
        "avec la souris",
    ),
    _c2(
        "faire visible",
        {
            "rend": "fait",
            "rendre": "faire",
            "rendez": "faites",
            "rendent": "font",
            "rendant": "faisant",
        },
        r"\bmakes?\b|\bmaking\b",
        "makes it visible",
        "le rend visible",
        after=r"[^.,;:]{0,30}?\b(?:visibles?|invisibles?|accessibles?|disponibles?|lisibles?"
        r"|illisibles?|possibles?|impossibles?|actifs?|actives?|inactifs?|inactives?|modifiables?)\b",
    ),
    _c2(
        "sortir (quitter)",
        {"quitter": "sortir", "quittez": "sortez", "quitte": "sort"},
        r"\bexit|\bquit",
        "exit the program",
        "quittez le programme",
    ),
    _c2(
        "Aussi, (en outre)",
        {"par ailleurs,": "aussi,", "également,": "aussi,", "de même,": "aussi,"},
        r"^\s*also\b",
        "Also, ...",
        "Par ailleurs, ...",
    ),
    _c2(
        "entre autres",
        {"entre autres": "parmi d'autres"},
        r"among others|among other",
        "among others",
        "entre autres",
    ),
    _c2(
        "hautement recommandé",
        {
            "vivement recommandé": "hautement recommandé",
            "fortement recommandé": "hautement recommandé",
            "vivement conseillé": "hautement conseillé",
            "fortement conseillé": "hautement conseillé",
        },
        r"highly|strongly",
        "highly recommended",
        "vivement recommandé",
    ),
    _c2(
        "n'est pas plus longtemps",
        {
            "n'est plus": "n'est pas plus longtemps",
            "ne sont plus": "ne sont pas plus longtemps",
            "n'est plus disponible": "n'est pas plus longtemps disponible",
        },
        r"no longer",
        "is no longer available",
        "n'est plus disponible",
    ),
    _c2(
        "au pouvoir de",
        {"à la puissance": "au pouvoir", "à la puissance de": "au pouvoir de"},
        r"\bpower\b",
        "raised to the power of",
        "élevé à la puissance",
    ),
    _c2(
        "changements faits à",
        {
            "modifications apportées à": "changements faits à",
            "modifications apportées au": "changements faits au",
            "modifications apportées aux": "changements faits aux",
            "modifications apportées": "changements faits",
            "la modification apportée": "le changement fait",
        },
        r"chang",
        "changes made to the document",
        "les modifications apportées au document",
    ),
    _c2(
        "indenté (en retrait)",
        {
            "en retrait": "indenté",
            "mis en retrait": "indenté",
            "mise en retrait": "indentée",
            "mises en retrait": "indentées",
            "mettre en retrait": "indenter",
            "met en retrait": "indente",
        },
        r"indent",
        "indented",
        "en retrait",
    ),
    _c2(
        "au temps d'exécution",
        {
            "à l'exécution": "au temps d'exécution",
            "lors de l'exécution": "au temps d'exécution",
            "au moment de l'exécution": "au temps d'exécution",
            "pendant l'exécution": "pendant le temps de course",
        },
        r"run[- ]?time|execution time",
        "at run time",
        "à l'exécution",
    ),
)

PREPOSITIONS_2: tuple[Fresh, ...] = (
    _p2(
        "pour exemple",
        {"par exemple": "pour exemple"},
        r"for example|for instance|\be\.g\.",
        "for example",
        "par exemple",
    ),
    _p2(
        "dans des guillemets",
        {
            "entre guillemets": "dans des guillemets",
            "entre parenthèses": "dans des parenthèses",
            "entre crochets": "dans des crochets",
            "entre accolades": "dans des accolades",
        },
        r"\bin (?:double |single |straight |curly |square |round )?"
        r"(?:quot|parenthes|bracket|brace)",
        "in quotation marks",
        "entre guillemets",
    ),
    _p2(
        "dans l'arrière-plan",
        {
            "en arrière-plan": "dans l'arrière-plan",
            "au premier plan": "dans le premier plan",
        },
        r"background|foreground",
        "in the background",
        "en arrière-plan",
    ),
    _p2(
        "avec un clic",
        {
            "d'un simple clic": "avec un simple clic",
            "d'un clic": "avec un clic",
            "d'un double-clic": "avec un double-clic",
            "par un clic": "avec un clic",
            "par un double-clic": "avec un double-clic",
        },
        r"click",
        "with a click",
        "d'un clic",
    ),
    _p2(
        "dans le mode",
        {"en mode": "dans le mode"},
        r"\bmode\b",
        "in edit mode",
        "en mode édition",
    ),
    _p2(
        "dans la forme de",
        {
            "sous forme de": "dans la forme de",
            "sous la forme de": "dans la forme de",
            "sous forme d'": "dans la forme d'",
            "sous la forme d'": "dans la forme d'",
        },
        r"\bas\b|form",
        "as a table",
        "sous forme de tableau",
    ),
    _p2(
        "excepté pour",
        {
            "à l'exception de": "excepté pour",
            "à l'exception du": "excepté pour le",
            "à l'exception des": "excepté pour les",
            "à l'exception d'": "excepté pour",
        },
        r"\bexcept",
        "except for",
        "à l'exception de",
    ),
    _g(
        "commencer avec",
        r"commenc\w*",
        "par",
        "avec",
        r"\b(?:start|begin)\w* with",
        "starts with",
        "commence par",
    ),
    _g(
        "se terminer avec",
        r"se termin\w+|termin(?:e|ent)|fini(?:t|ssent|r)",
        "par",
        "avec",
        r"\bend\w* with|finish\w* with",
        "ends with",
        "se termine par",
    ),
    _g(
        "suivi par",
        r"suivie?s?",
        "de",
        "par",
        r"followed by",
        "followed by a colon",
        "suivi de deux-points",
    ),
    _g(
        "associé avec",
        r"associ\w+",
        "à",
        "avec",
        r"associat",
        "associated with",
        "associé à",
    ),
    _g(
        "réservé pour",
        r"réservée?s?",
        "à",
        "pour",
        r"reserved for",
        "reserved for",
        "réservé à",
    ),
    _g(
        "destiné pour",
        r"destinée?s?",
        "à",
        "pour",
        r"intended|designed for|meant for",
        "intended for",
        "destiné à",
    ),
    _g(
        "facile de",
        r"faciles?|difficiles?",
        "à",
        "de",
        r"\b(?:easy|easier|difficult|hard) to\b",
        "easy to use",
        "facile à utiliser",
    ),
    _g(
        "diviser dans",
        r"divis\w+|scind\w+|fractionn\w+|découp\w+",
        "en",
        "dans",
        r"\b(?:split|divid|break)\w* (?:\w+ )?into",
        "split into columns",
        "diviser en colonnes",
        gap=30,
    ),
    _r(
        "preposition",
        "augmenter par",
        r"(?<![\w-])(augment\w*|diminu\w*|réduit|réduire|réduisez|décal\w*|incrément\w*) de(?= \d)",
        r"\1 par",
        r"\bby \d",
        "increase by 10",
        "augmenter de 10",
    ),
    _r(
        "preposition",
        "avant + infinitif",
        r"(?<![\w-])avant (?:de |d['’])(?=\w+(?:er|ir|re)\b)",
        "avant ",
        r"\bbefore \w+ing\b",
        "before printing",
        "avant d'imprimer",
    ),
    _r(
        "preposition",
        "aider + infinitif",
        r"(?<![\w-])(aide|aident|aider|aidera) à(?= \w+(?:er|ir|re)\b)",
        r"\1",
        r"\bhelps?\b",
        "helps you find",
        "vous aide à trouver",
    ),
    _r(
        "preposition",
        "que (dont)",
        r"(?<![\w-])dont(?= (?:vous|il|elle|on|ils|elles|nous) )",
        "que",
        r"\w",
        "the files you need",
        "les fichiers dont vous avez besoin",
    ),
    _p2(
        "veillez que",
        {
            "veillez à ce que": "veillez que",
            "veiller à ce que": "veiller que",
            "veillez à ce qu'": "veillez qu'",
            "veiller à ce qu'": "veiller qu'",
        },
        r"make sure|ensure",
        "ensure that",
        "veillez à ce que",
    ),
    _p2(
        "à le (au)",
        {"au": "à le", "aux": "à les"},
        r"\b(?:to|at|in) the\b",
        "to the document",
        "au document",
    ),
    _p2(
        "de le (du)",
        {"du": "de le"},
        r"\b(?:of|from) the\b",
        "the name of the file",
        "le nom du fichier",
    ),
    _p2(
        "à lequel (auquel)",
        {
            "auquel": "à lequel",
            "auxquels": "à lesquels",
            "auxquelles": "à lesquelles",
            "duquel": "de lequel",
            "desquels": "de lesquels",
            "desquelles": "de lesquelles",
        },
        r"\bwhich\b|\bwhom\b",
        "to which",
        "auquel",
    ),
    _g(
        "traiter avec",
        r"trait(?:er|ez|e|ent)",
        "",
        "avec",
        r"deal(?:s|ing)? with|handl",
        "deal with errors",
        "traiter les erreurs",
    ),
    _p2(
        "dans d'autres mots",
        {"en d'autres termes": "dans d'autres mots", "autrement dit": "dans d'autres mots"},
        r"in other words",
        "in other words",
        "en d'autres termes",
    ),
    _p2(
        "au sommet",
        {
            "en haut de": "au sommet de",
            "en haut du": "au sommet du",
            "en haut des": "au sommet des",
            "en haut de la": "au sommet de la",
        },
        r"\btop\b",
        "at the top of the window",
        "en haut de la fenêtre",
    ),
    _p2(
        "côté par côté",
        {"côte à côte": "côté par côté"},
        r"side by side|side-by-side",
        "side by side",
        "côte à côte",
    ),
    _g(
        "aligner avec",
        r"align\w+",
        "sur",
        "avec",
        r"\balign",
        "aligned with the grid",
        "aligné sur la grille",
    ),
    _r(
        "preposition",
        "empêcher à partir de",
        r"(?<![\w-])(empêch\w*)((?: [^.,;:]{1,40}?)?) de (?=\w+(?:er|ir|re)\b)",
        r"\1\2 à partir de ",
        r"\bprevent\w* .*\bfrom\b",
        "prevents users from changing",
        "empêche les utilisateurs de modifier",
    ),
    _g(
        "servir comme",
        r"s(?:ert|ervent|ervir|ervant)",
        "de",
        "comme",
        r"\b(?:serves?|serving|acts?|acting|used) as\b",
        "serves as a separator",
        "sert de séparateur",
    ),
    _g(
        "précédé par",
        r"précédée?s?",
        "de",
        "par",
        r"preceded by",
        "preceded by a space",
        "précédé d'une espace",
    ),
    _p2(
        "dans le centre",
        {
            "au centre": "dans le centre",
            "au milieu": "dans le milieu",
            "au centre de": "dans le centre de",
            "au milieu de": "dans le milieu de",
        },
        r"\bin the (?:centre|center|middle)\b",
        "in the middle of the page",
        "au milieu de la page",
    ),
    _p2(
        "dans le cours de",
        {
            "au cours de": "dans le cours de",
            "au cours du": "dans le cours du",
            "au cours des": "dans le cours des",
            "au cours d'": "dans le cours d'",
        },
        r"\bduring\b|\bcourse\b",
        "during the session",
        "au cours de la session",
    ),
    _p2(
        "comme exemple",
        {
            "à titre d'exemple": "comme exemple",
            "à titre indicatif": "comme indication",
            "à titre d'illustration": "comme illustration",
        },
        r"example|illustrat|guide|indicat",
        "as an example",
        "à titre d'exemple",
    ),
    _p2(
        "comme un pourcentage",
        {"en pourcentage": "comme un pourcentage", "en pourcentages": "comme des pourcentages"},
        r"percent",
        "as a percentage",
        "en pourcentage",
    ),
    _p2(
        "prochain à",
        {
            "à côté de": "prochain à",
            "à côté du": "prochain au",
            "à côté des": "prochain aux",
            "à côté d'": "prochain à",
        },
        r"next to|beside",
        "next to the field",
        "à côté du champ",
    ),
    _p2(
        "autour X",
        {
            "autour de": "autour",
            "autour du": "autour le",
            "autour des": "autour les",
            "autour de la": "autour la",
            "autour de l'": "autour l'",
            "autour d'": "autour",
        },
        r"\baround\b",
        "around the text",
        "autour du texte",
    ),
    _p2(
        "le long X",
        {
            "le long de": "le long",
            "le long du": "le long le",
            "le long des": "le long les",
            "le long de la": "le long la",
            "le long de l'": "le long l'",
        },
        r"\balong\b",
        "along the axis",
        "le long de l'axe",
    ),
    _p2(
        "en avant de",
        {
            "devant le": "en avant du",
            "devant la": "en avant de la",
            "devant les": "en avant des",
            "devant l'": "en avant de l'",
            "devant un": "en avant d'un",
            "devant une": "en avant d'une",
            "derrière le": "en arrière du",
            "derrière la": "en arrière de la",
            "derrière les": "en arrière des",
            "derrière l'": "en arrière de l'",
        },
        r"in front|behind",
        "in front of the text",
        "devant le texte",
    ),
    _g(
        "entrer X (mode)",
        r"entr(?:er|ez|e|ent|ant)",
        "dans",
        "",
        r"\benter",
        "enter edit mode",
        "entrer dans le mode édition",
    ),
    _g(
        "tenir compte X",
        r"(?:tien(?:t|nent|s)|tenir|tenez|tenant) compte",
        "de",
        "",
        r"account|consider",
        "takes the case into account",
        "tient compte de la casse",
    ),
    _p2(
        "par cliquer",
        {
            "en cliquant": "par cliquer",
            "en sélectionnant": "par sélectionner",
            "en appuyant": "par appuyer",
            "en choisissant": "par choisir",
            "en utilisant": "par utiliser",
            "en saisissant": "par saisir",
            "en tapant": "par taper",
            "en faisant glisser": "par faire glisser",
            "en ajoutant": "par ajouter",
            "en définissant": "par définir",
            "en insérant": "par insérer",
            "en modifiant": "par modifier",
        },
        r"\bby \w+ing\b",
        "by clicking",
        "en cliquant",
    ),
    _p2(
        "relatif à",
        {
            "par rapport à": "relatif à",
            "par rapport au": "relatif au",
            "par rapport aux": "relatif aux",
        },
        r"relative to",
        "relative to the cell",
        "par rapport à la cellule",
    ),
    _p2(
        "par moyen de",
        {
            "au moyen de": "par moyen de",
            "au moyen du": "par moyen du",
            "au moyen des": "par moyen des",
            "au moyen d'": "par moyen d'",
        },
        r"by means|\busing\b|\bwith\b|\bvia\b|\bthrough\b",
        "by means of a macro",
        "au moyen d'une macro",
    ),
    _r(
        "preposition",
        "après + infinitif",
        r"(?<![\w-])après avoir (\w+)é(?=[^\w-])",
        r"après \1er",
        r"\bafter \w+ing\b",
        "after clicking",
        "après avoir cliqué",
    ),
    _p2(
        "de les (des)",
        {
            "la plupart des": "la plupart de les",
            "l'un des": "l'un de les",
            "l'une des": "l'une de les",
            "chacun des": "chacun de les",
            "chacune des": "chacune de les",
            "certains des": "certains de les",
            "certaines des": "certaines de les",
            "aucun des": "aucun de les",
            "aucune des": "aucune de les",
            "plusieurs des": "plusieurs de les",
        },
        r"\bof the\b",
        "most of the cells",
        "la plupart des cellules",
    ),
    _g(
        "pointer à",
        r"point(?:e|ent|er|ez|ant)",
        "sur",
        "à",
        r"\bpoint",
        "points to the cell",
        "pointe sur la cellule",
    ),
    _p2(
        "demander qqn",
        {
            "demande à l'utilisateur": "demande l'utilisateur",
            "demander à l'utilisateur": "demander l'utilisateur",
            "demandent à l'utilisateur": "demandent l'utilisateur",
            "demande aux utilisateurs": "demande les utilisateurs",
            "demander aux utilisateurs": "demander les utilisateurs",
        },
        r"\bask|prompt",
        "asks the user to",
        "demande à l'utilisateur de",
    ),
    _g(
        "indiquer X (à qqn)",
        r"indiqu(?:e|ent|er|ez|ant)",
        "à",
        "",
        r"\btell",
        "tells the program that",
        "indique au programme que",
    ),
    _p2(
        "lien à",
        {
            "lien vers le": "lien au",
            "lien vers la": "lien à la",
            "lien vers l'": "lien à l'",
            "lien vers les": "lien aux",
            "lien vers un": "lien à un",
            "lien vers une": "lien à une",
            "liens vers le": "liens au",
            "liens vers la": "liens à la",
            "liens vers l'": "liens à l'",
            "liens vers les": "liens aux",
            "liens vers des": "liens à des",
            "hyperlien vers": "hyperlien à",
            "hyperliens vers": "hyperliens à",
        },
        r"link",
        "a link to the page",
        "un lien vers la page",
    ),
    _p2(
        "sur la mouche",
        {"à la volée": "sur la mouche"},
        r"on the fly",
        "on the fly",
        "à la volée",
    ),
    _p2(
        "à l'intérieur X",
        {
            "à l'intérieur de": "à l'intérieur",
            "à l'intérieur du": "à l'intérieur le",
            "à l'intérieur des": "à l'intérieur les",
            "à l'intérieur de la": "à l'intérieur la",
            "à l'intérieur de l'": "à l'intérieur l'",
            "à l'intérieur d'": "à l'intérieur",
        },
        r"\binside\b|\bwithin\b",
        "inside the frame",
        "à l'intérieur du cadre",
    ),
    _p2(
        "en dehors X",
        {
            "en dehors de": "en dehors",
            "en dehors du": "en dehors le",
            "en dehors des": "en dehors les",
            "en dehors de la": "en dehors la",
            "en dehors de l'": "en dehors l'",
            "en dehors d'": "en dehors",
        },
        r"\boutside\b",
        "outside the range",
        "en dehors de la plage",
    ),
    _g(
        "sortir X (de)",
        r"sor(?:t|tir|tez|tent|tant)",
        "de",
        "",
        r"\bexit|\bleav|\bquit",
        "exits the loop",
        "sort de la boucle",
    ),
    _p2(
        "puisque (depuis)",
        {
            "depuis LibreOffice": "puisque LibreOffice",
            "depuis la version": "puisque la version",
            "depuis les versions": "puisque les versions",
        },
        r"\bsince\b",
        "since LibreOffice 7.2",
        "depuis LibreOffice 7.2",
    ),
    _p2(
        "comme partie de",
        {
            "dans le cadre de": "comme partie de",
            "dans le cadre du": "comme partie du",
            "dans le cadre des": "comme partie des",
            "dans le cadre d'": "comme partie d'",
        },
        r"\bpart of\b",
        "as part of the installation",
        "dans le cadre de l'installation",
    ),
    _p2(
        "dans les majuscules",
        {
            "en majuscules": "dans les majuscules",
            "en minuscules": "dans les minuscules",
            "en majuscule": "dans la majuscule",
            "en minuscule": "dans la minuscule",
        },
        r"\bin (?:upper|lower)[- ]?case|\bin (?:capitals|capital letters|small letters)",
        "in uppercase",
        "en majuscules",
    ),
    _r(
        "preposition",
        "en le (dans le)",
        r"(?<![\w-])dans (le|la|les|un|une)(?= )",
        r"en \1",
        r"\bin (?:the|a|an)\b",
        "in the document",
        "dans le document",
    ),
    _r(
        "preposition",
        "N pour + infinitif",
        r"(?<![\w-])(textes?|valeurs?|nombres?|chaînes?|cellules?|plages?|fichiers?|noms?"
        r"|caractères?|éléments?|objets?|documents?|dates?|colonnes?|lignes?|feuilles?|macros?) à"
        r"(?= \w+(?:er|ir|re)\b)",
        r"\1 pour",
        r"\bto (?:search|find|use|replace|convert|insert|open|print|delete|format|round|test"
        r"|check|sort|display|evaluate|return|import|export|copy|look|be)\b",
        "the text to search for",
        "le texte à rechercher",
    ),
    _g(
        "commun pour",
        r"commune?s?",
        "à",
        "pour",
        r"common to",
        "common to all sheets",
        "commun à toutes les feuilles",
    ),
    _p2(
        "à date (à ce jour)",
        {"à ce jour": "à date", "jusqu'à présent": "à date", "jusqu'ici": "à date"},
        r"to date|so far|until now|up to now",
        "so far",
        "jusqu'à présent",
    ),
    _p2(
        "en ordre alphabétique",
        {
            "par ordre alphabétique": "en ordre alphabétique",
            "par ordre croissant": "en ordre croissant",
            "par ordre décroissant": "en ordre décroissant",
            "par ordre chronologique": "en ordre chronologique",
            "par ordre numérique": "en ordre numérique",
        },
        r"\bin (?:\w+ )?order\b",
        "in alphabetical order",
        "par ordre alphabétique",
    ),
)


@dataclasses.dataclass(frozen=True)
class FreshSet:
    """One registered set: its phrases and the seed that plants them (fixed, so a set's
    planting and digest rerun unchanged)."""

    calques: tuple[Fresh, ...]
    prepositions: tuple[Fresh, ...]
    seed: int

    @property
    def phrases(self) -> tuple[Fresh, ...]:
        return self.calques + self.prepositions


SETS: dict[int, FreshSet] = {
    1: FreshSet(CALQUES, PREPOSITIONS, SEED),
    2: FreshSet(CALQUES_2, PREPOSITIONS_2, SEED_2),
}


# --- planting ----------------------------------------------------------------------------------
def plant_one(fresh: Fresh, row: Row, rng: random.Random) -> Planted | None:
    """`fresh` planted at one of its places in `row` (as `mt_errors` plants its rows)."""
    found = mt_errors.rewrite_places(row, fresh.rewrite)
    if not found:
        return None
    return mt_errors.rewritten(row, fresh.rewrite, rng.choice(found), fresh.kind)


def plant(rows: list[Row], chosen: FreshSet = SETS[1]) -> dict[int, tuple[Fresh, Planted]]:
    """One error a row: the phrases in turn (calques and prepositions interleaved), each
    taking the next row of one seeded order it fits, `PER_PHRASE` rounds."""
    rng = random.Random(chosen.seed)
    order = list(range(len(rows)))
    rng.shuffle(order)
    calques, prepositions = chosen.calques, chosen.prepositions
    turn = [f for pair in zip(calques, prepositions, strict=False) for f in pair]
    turn += calques[len(prepositions) :] + prepositions[len(calques) :]
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


def fits(rows: list[Row], phrases: tuple[Fresh, ...]) -> collections.Counter[str]:
    """How many rows each phrase fits (its French form there, its English in the source)."""
    return collections.Counter(
        f.rewrite.key for row in rows for f in phrases if mt_errors.rewrite_places(row, f.rewrite)
    )


def _planted_help(
    root: Path, rows: int, chosen: FreshSet
) -> tuple[list[Row], dict[int, tuple[Fresh, Planted]]]:
    help_rows = mt_errors.read_help(root, rows=rows or 10**9)
    return help_rows, plant(help_rows, chosen)


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
    parser.add_argument("--set", type=int, choices=sorted(SETS), default=1, help="which set")
    parser.add_argument("--rows", type=int, default=0, help="pages up to this many rows (0: all)")
    parser.add_argument(
        "--plant-only", action="store_true", help="plant, print the counts, do not score"
    )
    parser.add_argument("--keep", help="leave the scored files in this folder")
    parser.add_argument("--json", help="also write the report to this file")
    args = parser.parse_args()
    chosen = SETS[args.set]
    root, versions = fq.mt_packages(mt_corpus_dir(), mt_errors.HELP_PACKAGES)
    help_rows, all_planted = _planted_help(root, args.rows, chosen)
    rows, planted = in_planted_pages(help_rows, all_planted)
    per_phrase = collections.Counter(fresh.rewrite.key for fresh, _ in planted.values())
    report: dict[str, Any] = {
        "set": args.set,
        "corpus": {
            "packages": versions,
            "pages": len({row.doc for row in rows}),
            "rows": len(rows),
            "seed": chosen.seed,
        },
        "phrases": {k: sum(1 for f in chosen.phrases if f.kind == k) for k in KINDS},
        "planted": {k: sum(1 for f, _ in planted.values() if f.kind == k) for k in KINDS},
        "phrases_planted": {
            k: sum(1 for f in chosen.phrases if f.kind == k and per_phrase[f.rewrite.key])
            for k in KINDS
        },
        "planted_digest": fq.planted_digest({i: p for i, (_, p) in planted.items()}),
    }
    if args.plant_only:
        fit = fits(help_rows, chosen.phrases)
        report["phrases_that_fit"] = {
            k: sum(1 for f in chosen.phrases if f.kind == k and fit[f.rewrite.key]) for k in KINDS
        }
        return emit_report(report, args.json)
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
