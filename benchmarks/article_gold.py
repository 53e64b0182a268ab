"""The shipped article's errors as a reviewer marks them (the gold), and how many of them
the flags catch, with and without the calque table (issue 22, point 3).

The gold is 47 spans of `data/kaztag-ngo-pressure.fr.txt`, read and marked by hand: every
error a reviewer would correct, one span each (a name spelt two ways is two spans, a
duplicated title one span a copy); word choices that are only clumsy ("l'appui direct
décisif") are not in it. A gold error is caught when a flag overlaps its span; a flag is
right when it overlaps a gold span (precision = right flags / flags). A flag on the whole
segment (a duplicate) only matches a whole-segment gold span: it does not catch the words
inside.

    .venv/bin/python benchmarks/article_gold.py               # rules, spaCy, Grammalecte
    .venv/bin/python benchmarks/article_gold.py --no-grammar  # without Grammalecte
    .venv/bin/python benchmarks/article_gold.py --disable governance --list

Each run prints two lines: every default check, then with `calques` disabled.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtreview.analysis import Analyzer  # noqa: E402
from mtreview.pipeline import analyze_document, read_input  # noqa: E402
from mtreview.settings import Settings  # noqa: E402

ARTICLE = ROOT / "data" / "kaztag-ngo-pressure.fr.txt"
WHOLE = ""  # the whole segment (a duplicated title)
# (segment, the span's words in it, kind)
GOLD: tuple[tuple[int, str, str], ...] = (
    (0, "est endommagée à", "calque"),
    (0, "des ONG", "preposition"),  # pressure *on* NGOs
    (1, "Anonim", "scraping"),
    (2, WHOLE, "duplicate"),
    (3, WHOLE, "duplicate"),
    (5, "«", "punctuation"),
    (5, "non gouvernementales non gouvernementales", "repetition"),
    (5, "exposées de plus en plus de la pression", "calque"),
    (5, "condamnés", "agreement"),
    (6, "condamnées à de grandes quantités", "mistranslation"),
    (7, "aux droits de l'homme", "preposition"),  # the Bureau *for* human rights
    (7, "au respect du tribunal de district", "mistranslation"),  # rule of law; by the court
    (7, "a déclaré la déclaration", "calque"),
    (8, "sont endommagées à", "calque"),
    (9, "«", "punctuation"),
    (9, "assure", "agreement"),
    (10, "mais également des dommages", "omission"),  # the verb is lost
    (10, "la déclaration est notée", "calque"),
    (11, "kazakhstani", "untranslated"),
    (12, '"', "punctuation"),
    (12, "Être un partisan ferme", "grammar"),  # a dangling infinitive: "En fervent partisan"
    (12, "faire ce problème", "mistranslation"),
    (12, " ,", "punctuation"),
    (12, '"la', "punctuation"),
    (12, "la déclaration est soulignée", "calque"),
    (13, "Rappel du 30", "calque"),
    (13, '"attaque"', "punctuation"),
    (13, "ponctuelle", "mistranslation"),  # targeted
    (14, "ont noué l'attaque avec", "mistranslation"),
    (14, "ceux qui étaient ensuite préparés pour les élections", "mistranslation"),
    (14, "Majilis", "name"),
    (15, "défenseurs de la ligne de première ligne", "name"),
    (15, "la surveillance des droits de l'homme", "name"),
    (15, "le partenariat international des droits de l'homme", "name"),
    (15, "de Kazakhstan", "grammar"),
    (15, "devraient faire pression", "mistranslation"),  # should stop pressing
    (15, "droits de l'homme défenseurs", "word order"),
    (16, "il est devenu connu que", "calque"),
    (16, "KMBC", "name"),
    (17, "Directeur du Bureau", "grammar"),  # no article
    (17, "CMBCP", "name"),
    (17, "Mazhilis", "name"),
    (17, "avec une évaluation", "preposition"),  # lier à
    (18, "centre de journalisme international", "name"),
    (18, "le prix Nobel désigné pour le prix Nobel", "mistranslation"),  # the nominee
    (18, "se fermer", "mistranslation"),
    (19, "Lire la suite", "scraping"),
)


def gold_spans(texts: list[str]) -> list[tuple[int, int, int, str]]:
    """(segment, start, end, kind) of each gold error; a span not found is an error here."""
    spans = []
    for index, words, kind in GOLD:
        text = texts[index]
        start = 0 if words == WHOLE else text.find(words)
        if start < 0:
            raise SystemExit(f"gold span {words!r} is not in segment {index}: {text!r}")
        spans.append((index, start, start + len(words or text), kind))
    return spans


def measure(settings: Settings, show: bool) -> str:
    document = read_input(ARTICLE, settings)
    records = list(analyze_document(document, Analyzer(settings)))
    texts = [r.segment.text for r in records]
    spans = gold_spans(texts)
    flags = [(r.segment.index, f.start, f.end, f.origins) for r in records for f in r.flags]

    def matches(
        flag: tuple[int, int, int, tuple[str, ...]], gold: tuple[int, int, int, str]
    ) -> bool:
        index, start, end, _ = flag
        whole = (start, end) == (0, len(texts[index]))
        return (
            index == gold[0]
            and start < gold[2]
            and gold[1] < end
            and (whole == ((gold[1], gold[2]) == (0, len(texts[index]))))
        )

    caught = [g for g in spans if any(matches(f, g) for f in flags)]
    right = [f for f in flags if any(matches(f, g) for g in spans)]
    if show:
        for f in flags:
            mark = "gold " if f in right else "FALSE"
            print(f"  {mark} {f[0]:2} {texts[f[0]][f[1] : f[2]][:50]!r} {','.join(f[3])}")
        for g in spans:
            if g not in caught:
                print(f"  missed {g[0]:2} {texts[g[0]][g[1] : g[2]][:50]!r} ({g[3]})")
    kinds = collections.Counter(g[3] for g in caught)
    return (
        f"{len(caught)} of {len(spans)} gold errors caught, {len(flags)} flags, precision "
        f"{len(right) / max(1, len(flags)):.2f} "
        f"({', '.join(f'{kind} {n}' for kind, n in sorted(kinds.items()))})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], allow_abbrev=False)
    parser.add_argument("--no-grammar", action="store_true", help="without Grammalecte")
    parser.add_argument("--disable", action="append", default=[], help="a check left out")
    parser.add_argument("--list", action="store_true", help="list flags and missed errors")
    args = parser.parse_args()
    for label, off in (("every default check", ()), ("calques disabled", ("calques",))):
        disabled = (*args.disable, *off)
        settings = Settings(use_models=False, grammar=not args.no_grammar, disabled_checks=disabled)
        print(f"{label}: {measure(settings, args.list)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
