"""Untranslated English words: recall on planted ones, false alarms on clean rows.

The French gettext catalogues of this machine are split into the same two halves as
`flag_quality.py` (by catalogue). In a share of each half's rows one French content word of
a hand-written bilingual list (`PAIRS`: "fichier" -> "file", "réunion" -> "meeting" …) is
replaced by its English equivalent, as a machine translation that left a word of the source
in place would. The `untranslated_word` check alone runs on every row, in process:

- recall: planted rows with a flag overlapping the English word,
- false alarms per 100 clean rows, and the words flagged most often there.

Each catalogue is one document, observed whole before it is checked (as `mtreview score`
reads one file a catalogue in `flag_quality.py`), so the check sees which source words the
catalogue keeps and which it translates.

The thresholds of `mtreview/checks/untranslated.py` were fit on the "fit" half only; the
"test" half is reported separately and was never tuned on.

    .venv/bin/python benchmarks/untranslated_words.py            # both halves, ~1 min
    .venv/bin/python benchmarks/untranslated_words.py --show 30  # print flagged clean rows
"""

from __future__ import annotations

import argparse
import collections
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import emit_report  # noqa: E402
from flag_quality import catalogue_halves  # noqa: E402

from mtreview.checks.base import DocumentContext  # noqa: E402
from mtreview.checks.untranslated import UntranslatedWord  # noqa: E402
from mtreview.documents import Segment  # noqa: E402
from mtreview.testing.injected import CATALOGUE_GLOB, Pair  # noqa: E402

# French word -> the English word a machine translation leaves in its place (same number).
_WORDS = """
    réunion meeting         réunions meetings       fichier file            fichiers files
    dossier folder          dossiers folders        paramètres settings     réglages settings
    bouton button           boutons buttons         fenêtre window
    fenêtres windows        ordinateur computer     logiciel software       serveur server
    serveurs servers        utilisateur user        utilisateurs users      lien link
    liens links             clavier keyboard        souris mouse            écran screen
    imprimante printer      téléchargement download enregistrer save
    annuler cancel          supprimer delete        ouvrir open             fermer close
    chercher search         recherche search        rechercher search       aide help
    outils tools            outil tool              erreur error            erreurs errors
    avertissement warning   disque disk             disques disks           mémoire memory
    réseau network          réseaux networks        courriel email          compte account
    comptes accounts        nom name                noms names              taille size
    couleur color           couleurs colors         police font             polices fonts
    image picture           images pictures         fond background         journal log
    sauvegarde backup       sauvegardes backups     tâche task              tâches tasks
    dépôt repository        dépôts repositories     paquet package          paquets packages
    droits rights           propriétaire owner      groupe group            groupes groups
    chemin path             périphérique device     périphériques devices   pilote driver
    pilotes drivers         clé key                 clés keys               valeur value
    valeurs values          nouveau new             nouvelle new            ancien old
    vide empty              lecture reading         écriture writing        sortie output
    entrée input            démarrage startup       arrêt shutdown          bureau desktop
    onglet tab              onglets tabs            barre bar               fenêtre window
    semaine week            jour day                jours days              heure hour
    heures hours            mois month              année year              années years
    """.split()
PAIRS = dict(zip(_WORDS[::2], _WORDS[1::2], strict=True))
PLANT_SHARE = 0.02  # of each half's rows
SEED = 22


def plantable(pair: Pair) -> list[re.Match[str]]:
    """The listed French words of a translation, lowercase and whole."""
    return [
        match
        for match in re.finditer(r"(?<![\w'’-])[^\W\d_]+(?![\w'’-])", pair.translation)
        if match.group() in PAIRS
    ]


def plant(rows: list[Pair], rng: random.Random) -> dict[int, tuple[str, int, int]]:
    """row -> (translation with an English word, its span), in a share of the rows."""
    candidates = [i for i, pair in enumerate(rows) if plantable(pair)]
    chosen = rng.sample(candidates, min(len(candidates), round(len(rows) * PLANT_SHARE)))
    planted = {}
    for index in sorted(chosen):
        text = rows[index].translation
        match = rng.choice(plantable(rows[index]))
        english = PAIRS[match.group()]
        new = text[: match.start()] + english + text[match.end() :]
        planted[index] = (new, match.start(), match.start() + len(english))
    return planted


def measure(rows: list[Pair], seed: int, show: int) -> dict[str, Any]:
    check = UntranslatedWord()
    planted = plant(rows, random.Random(seed))
    false_alarms, hits = 0, 0
    flagged_words: collections.Counter[str] = collections.Counter()
    missed: collections.Counter[str] = collections.Counter()
    shown = 0
    # One document a catalogue, observed whole before it is checked, as `mtreview score`
    # does with one file a catalogue (flag_quality.py's layout).
    segments = []
    contexts: dict[str, DocumentContext] = {}
    began = time.perf_counter()
    for index, pair in enumerate(rows):
        text = planted.get(index, (pair.translation, -1, -1))[0]
        segment = Segment(pair.catalogue, index, 0, 0, len(text), text, source=pair.source)
        contexts.setdefault(pair.catalogue, DocumentContext(pair.catalogue)).observe(segment)
        segments.append(segment)
    for context in contexts.values():
        context.complete = True
    seconds = time.perf_counter() - began
    for index, pair in enumerate(rows):
        text, start, end = planted.get(index, (pair.translation, -1, -1))
        segment = segments[index]
        began = time.perf_counter()
        flags = check.checked(segment, contexts[pair.catalogue])
        seconds += time.perf_counter() - began
        if index in planted:
            found = any(f.start < end and start < f.end for f in flags)
            hits += found
            if not found:
                missed[text[start:end]] += 1
            continue
        false_alarms += len(flags)
        for flag in flags:
            flagged_words[text[flag.start : flag.end].casefold()] += 1
            if shown < show:
                shown += 1
                print(f"{text[flag.start : flag.end]!r}: {text!r}  <- {pair.source!r}")
    clean = len(rows) - len(planted)
    return {
        "rows": len(rows),
        "planted": len(planted),
        "recall": round(hits / max(1, len(planted)), 4),
        "found": hits,
        "false_alarms_per_100_clean": round(100 * false_alarms / max(1, clean), 2),
        "segments_per_second": round(len(rows) / max(seconds, 1e-9)),  # observe + check
        "false_alarm_words": dict(flagged_words.most_common(15)),
        "missed_words": dict(missed.most_common(10)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--catalogues", default=CATALOGUE_GLOB, help="glob of .mo files")
    parser.add_argument("--half", choices=("fit", "test", "both"), default="both")
    parser.add_argument("--show", type=int, default=0, help="print this many false alarms")
    parser.add_argument("--json", help="write the figures here as JSON")
    args = parser.parse_args()
    halves = catalogue_halves(args.catalogues)
    report: dict[str, Any] = {"word_pairs": len(PAIRS)}
    for offset, (name, rows) in enumerate(halves.items()):
        if args.half in (name, "both"):
            report[name] = measure(rows, SEED + offset, args.show)
    return emit_report(report, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
