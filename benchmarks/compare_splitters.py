"""Compare sentence splitters on French news cases (why mtreview uses pysbd + repairs).

.venv/bin/pip install sentencex syntok   # only for this comparison
.venv/bin/python benchmarks/compare_splitters.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from mtreview.readers.text import paragraphs
from mtreview.segmentation import make_splitter, split_sentences

CASES: list[tuple[str, list[str]]] = [
    (
        "Almaty. 2 février. KAZTAG - La pression monte. Une autre phrase.",
        ["Almaty. 2 février. KAZTAG - La pression monte.", "Une autre phrase."],
    ),
    (
        "M. Dupont et le Dr. Martin sont venus le 3 fév. 2021. Fin.",
        ["M. Dupont et le Dr. Martin sont venus le 3 fév. 2021.", "Fin."],
    ),
    (
        "« Nous partons. Tout de suite », a-t-il dit. Ensuite rien.",
        ["« Nous partons. Tout de suite », a-t-il dit.", "Ensuite rien."],
    ),
    ('Il a dit "Non." Puis il est parti.', ['Il a dit "Non."', "Puis il est parti."]),
    (
        "Le texte cite l'art. 5 du code, etc. La suite vient après.",
        ["Le texte cite l'art. 5 du code, etc.", "La suite vient après."],
    ),
]


def pysbd_raw(text: str) -> list[str]:
    import pysbd

    return [s.strip() for s in pysbd.Segmenter(language="fr", clean=False).segment(text)]


def sentencex_raw(text: str) -> list[str]:
    import sentencex

    return [s.strip() for s in sentencex.segment("fr", text) if s.strip()]


def syntok_raw(text: str) -> list[str]:
    from syntok import segmenter

    out = []
    for paragraph in segmenter.process(text):
        for sentence in paragraph:
            out.append("".join(t.spacing + t.value for t in sentence).strip())
    return out


def mtreview_split(text: str) -> list[str]:
    splitter = make_splitter("pysbd", "fr")
    return [text[s:e] for s, e in split_sentences(text, splitter)]


SPLITTERS: dict[str, Callable[[str], list[str]]] = {
    "pysbd": pysbd_raw,
    "sentencex": sentencex_raw,
    "syntok": syntok_raw,
    "mtreview (pysbd + repairs)": mtreview_split,
}


def main() -> None:
    article = Path(__file__).resolve().parent.parent / "data" / "kaztag-ngo-pressure.fr.txt"
    text = article.read_text(encoding="utf-8")
    blocks = [text[s:e] for s, e in paragraphs(text)]
    print(f"{'splitter':<28} {'cases passed':>12} {'article segments':>17} {'ms':>8}")
    for name, split in SPLITTERS.items():
        try:
            passed = sum(split(case) == expected for case, expected in CASES)
            started = time.perf_counter()
            count = sum(len(split(block)) for block in blocks)
            elapsed = (time.perf_counter() - started) * 1000
        except ImportError:
            print(f"{name:<28} (not installed)")
            continue
        print(f"{name:<28} {passed:>7}/{len(CASES):<4} {count:>17} {elapsed:>8.1f}")


if __name__ == "__main__":
    main()
