"""The governance check on human translations: false alarms on clean rows, recall on
planted preposition errors, each half of the Debian catalogues on its own.

The rows are `benchmarks/flag_quality.py`'s: the machine's French gettext catalogues, split
by catalogue into a "fit" half (read while the thresholds were chosen) and a "test" half
(only measured). The planted errors copy machine translation: in a row where a word of the
model is followed by its dominant preposition ("dépend de") and the English source holds a
preposition whose literal French is another one ("depends on"), that preposition is put
in ("dépend sur"; "du" and "d'" are undone and redone as French writes them). One error a
row, chosen with a fixed seed. Some are French all the same ("impossible à lancer" for
"impossible de lancer"): the figures also count those the model finds rare after their
word (at most `MAX_SHARE` of its uses). A planted error is caught when a flag overlaps
the preposition. Both are measured with the source (as a bilingual file is scored) and
without it (as an article is).

    .venv/bin/python benchmarks/governance_quality.py             # both halves, ~3 minutes
    .venv/bin/python benchmarks/governance_quality.py --show 20   # print flags to read
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from flag_quality import half_of  # noqa: E402

from mtreview.checks import CHECKS, DocumentContext  # noqa: E402
from mtreview.checks.french_model import load, parse_text  # noqa: E402
from mtreview.checks.french_words import CONTRACTED, CONTRACTIONS  # noqa: E402
from mtreview.checks.governance import (  # noqa: E402
    DIRECT,
    MAX_SHARE,
    MIN_DOMINANT,
    VOWEL_START,
    english_words,
    governed,
    shipped_model,
)
from mtreview.documents import Segment  # noqa: E402
from mtreview.testing.injected import CATALOGUE_GLOB, Pair, read_catalogues  # noqa: E402

# The French a word-for-word translation writes for an English preposition.
LITERAL = {
    "on": "sur", "onto": "sur", "upon": "sur", "over": "sur", "about": "sur",
    "in": "dans", "into": "dans", "inside": "dans", "within": "dans",
    "for": "pour", "by": "par", "through": "par", "via": "par", "with": "avec",
    "against": "contre", "to": "à", "at": "à", "of": "de", "from": "de",
    "towards": "vers", "toward": "vers", "under": "sous", "between": "entre",
    "among": "entre", "as": "comme", "like": "comme",
}  # fmt: skip
SEED = 22


class GivenParses:
    """The check's parse store, answered from parses made here in one go."""

    def __init__(self, docs: dict[str, Any]) -> None:
        self.docs = docs
        self.available = True

    def prepare(self, texts: Any) -> None:
        """Nothing to prepare: every text is parsed already."""

    def get(self, text: str) -> Any:
        return self.docs.get(text)


def with_preposition(text: str, doc: Any, at: int, new: str) -> tuple[str, int, int] | None:
    """`text` with the preposition at token `at` replaced by `new`, as French writes it;
    the new text and the span of the preposition written."""
    token = doc[at]
    following = doc[at + 1] if at + 1 < len(doc) else None
    start, end = token.idx, token.idx + len(token.text)
    form = token.lower_
    article = CONTRACTED[form][1] if form in CONTRACTED else None
    if form in ("d'", "d’"):
        if following is None:
            return None
        written, end = new + " ", following.idx  # "d'une" -> "sur une"
    elif article is not None:
        written = f"{new} {article}"  # "du" -> "sur le"
    else:
        written = new
    if new in ("de", "à") and following is not None:
        article = following.lower_
        if article in ("des", "du"):
            return None  # "de des", "de du": French writes another phrase
        if article in ("le", "les") and form not in CONTRACTED:
            written, end = CONTRACTIONS[(new, article)], following.idx + len(following.text)
        elif new == "de" and VOWEL_START.match(following.text):
            written, end = "d'", following.idx
    if token.text[:1].isupper():
        written = written[:1].upper() + written[1:]
    new_text = text[:start] + written + text[end:]
    span_end = start + len(written.rstrip())
    return new_text, start, span_end


def prepositions(counts: dict[str, int]) -> dict[str, int]:
    """A word's counts without its direct objects (`DIRECT`): the prepositions it takes."""
    return {p: n for p, n in counts.items() if p != DIRECT}


Planted = tuple[str, int, int, str, bool]  # text, span, what, rare in the model


def plant(pair: Pair, doc: Any, rng: random.Random) -> Planted | None:
    """One literal preposition put after a word of the model that takes another; whether
    the model counts it rare after that word (at most `MAX_SHARE` of its uses)."""
    model = shipped_model()
    english = sorted(w for w in english_words(pair.source) if w in LITERAL)
    chances = []
    for found in governed(doc):
        counts = prepositions(model.heads.get(found.key, {}))
        if not counts:
            continue
        dominant, top = max(counts.items(), key=lambda item: (item[1], item[0]))
        if found.preposition != dominant or top < MIN_DOMINANT * sum(counts.values()):
            continue
        literals = sorted({LITERAL[w] for w in english} - {dominant})
        chances += [(found, literal) for literal in literals]
    if not chances:
        return None
    found, literal = rng.choice(chances)
    written = with_preposition(pair.translation, doc, found.preposition_at, literal)
    if written is None:
        return None
    counts = prepositions(model.heads[found.key])
    rare = counts.get(literal, 0) <= MAX_SHARE * sum(counts.values())
    return (*written, f"{found.key[0]} {found.preposition} -> {literal}", rare)


def flags_of(check: Any, text: str, source: str | None) -> list[Any]:
    segment = Segment("doc", 0, 0, 0, len(text), text, source=source)
    return list(check.checked(segment, DocumentContext("doc")))


def parsed(pairs: list[Pair]) -> tuple[dict[str, Any], dict[int, Planted]]:
    """Every translation parsed, and the planted errors (row -> text, span, what), parsed."""
    nlp = load()
    texts = list(dict.fromkeys(p.translation for p in pairs))
    docs = dict(zip(texts, nlp.pipe((parse_text(t) for t in texts), batch_size=256), strict=True))
    rng = random.Random(SEED)
    planted = {}
    for index, pair in enumerate(pairs):
        chance = plant(pair, docs[pair.translation], rng)
        if chance is not None:
            planted[index] = chance
    new_texts = [p[0] for p in planted.values() if p[0] not in docs]
    parses = nlp.pipe((parse_text(t) for t in new_texts), batch_size=256)
    docs.update(zip(new_texts, parses, strict=True))
    return docs, planted


def measure(
    check: Any, pairs: list[Pair], planted: dict[int, Planted], show: int = 0
) -> dict[str, Any]:
    """False alarms per 100 clean rows and recall, by half, with and without the source."""
    figures: dict[str, Any] = {}
    for half in ("fit", "test"):
        rows = [(i, p) for i, p in enumerate(pairs) if half_of(p) == half]
        for with_source in (True, False):
            alarms, caught, caught_rare, shown = 0, 0, 0, collections.Counter[str]()
            for index, pair in rows:
                source = pair.source if with_source else None
                for flag in flags_of(check, pair.translation, source):
                    alarms += 1
                    if shown["alarm"] < show and with_source:
                        shown["alarm"] += 1
                        span = pair.translation[flag.start : flag.end]
                        print(f"ALARM {half} {span!r} -> {flag.suggestion!r} | {pair.translation}")
                if index in planted:
                    text, start, end, what, rare = planted[index]
                    found = flags_of(check, text, source)
                    hit = any(f.start < end and start < f.end for f in found)
                    caught += hit
                    caught_rare += hit and rare
                    if not hit and shown["miss"] < show and with_source:
                        shown["miss"] += 1
                        print(f"MISS {half} {what} | {text}")
            total = sum(1 for i, _ in rows if i in planted)
            rare_total = sum(1 for i, _ in rows if i in planted and planted[i][4])
            name = f"{half}, {'with' if with_source else 'without'} source"
            figures[name] = {
                "rows": len(rows),
                "false alarms per 100 rows": round(100 * alarms / len(rows), 3),
                "planted": total,
                "caught": caught,
                "recall": round(caught / total, 3) if total else None,
                "planted rare in the model": rare_total,
                "recall on those": round(caught_rare / rare_total, 3) if rare_total else None,
            }
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], allow_abbrev=False)
    parser.add_argument("--catalogues", default=CATALOGUE_GLOB)
    parser.add_argument("--show", type=int, default=0, help="print this many flags of each")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    started = time.perf_counter()
    pairs = read_catalogues(Path(p) for p in glob.glob(args.catalogues))
    docs, planted = parsed(pairs)
    check = CHECKS["governance"]()
    check.parses = GivenParses(docs)  # type: ignore[assignment]
    figures = measure(check, pairs, planted, args.show)
    for name, values in figures.items():
        print(name, values)
    print(f"{time.perf_counter() - started:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
