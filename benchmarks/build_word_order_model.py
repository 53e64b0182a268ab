"""Build the word-order model (`mtreview/data/word_order_lm.bin`) from French prose.

The text: Debian's French documentation packages, human translations of technical prose,
the register of software messages. None is a gettext catalogue, so neither half of
`benchmarks/flag_quality.py` is read:

- man pages (`manpages-fr`, `manpages-fr-dev`), rendered with groff;
- HTML manuals: GIMP's help (`gimp-help-fr`), the Debian reference, FAQ, developers'
  reference, new maintainers' guide, Debian Edu manual and administrator's handbook
  (its `fr-FR` part), aptitude's and KiCad's manuals, LilyPond's French pages.

Paragraphs are kept once each, when they look like French prose (four words or more, a
French function word, no English function word, little code). So that no benchmark string
is memorised, a paragraph that shares any five-word sequence with a translation of the
machine's gettext catalogues (`mtreview.testing.injected.CATALOGUE_GLOB`, both halves) is
left out. Words seen 50 times or more are the model's vocabulary, the others are read as
classes (`mtreview.checks.order_model.token_class`); trigrams and trigram contexts seen
fewer than 3 times are pruned.

    apt-get download manpages-fr manpages-fr-dev gimp-help-fr ...   # or let it fetch them
    .venv/bin/python benchmarks/build_word_order_model.py             # ~3 minutes here
    .venv/bin/python benchmarks/build_word_order_model.py --tsv model.tsv.gz  # and as text
    .venv/bin/python benchmarks/build_word_order_model.py --from-tsv model.tsv.gz

Needs `apt-get` (download only, no root), `dpkg-deb` and `groff`. The model is written in
the binary format the check reads fast (`order_model.write_model`); `--tsv` also writes the
same tables as gzipped TSV to read or diff, and `--from-tsv` turns such a TSV back into the
binary model (the same tables, its `#` lines as the header) without the packages.
"""

from __future__ import annotations

import argparse
import collections
import glob
import gzip
import html
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtreview.checks.order_model import (  # noqa: E402
    MODEL,
    OrderModel,
    count_model,
    read_table,
    token_class,
    units,
    write_model,
    write_table,
)
from mtreview.testing.injected import CATALOGUE_GLOB, read_catalogues  # noqa: E402

PACKAGES = (
    "manpages-fr manpages-fr-dev gimp-help-fr debian-reference-fr debian-faq-fr "
    "developers-reference-fr maint-guide-fr debian-edu-doc-fr debian-handbook "
    "aptitude-doc-fr kicad-doc-fr lilypond-doc-html-fr"
).split()
MIN_COUNT = 50  # a word seen this often is itself in the model, else its class
PRUNE = 3
WORDS = re.compile(r"\w+(?:['’]\w+)*")
FRENCH = re.compile(r"\b(?:le|la|les|de|des|du|un|une|est|et|pour|dans|sont|à)\b")
ENGLISH = re.compile(r"\b(?:the|and|of|is|are|to|with)\b")
BLOCK = re.compile(r"(?s)<(p|li|dt|td|h[1-4])\b[^>]*>(.*?)</\1>")


def fetch(folder: Path) -> Path:
    """The packages' files unpacked under folder/root (downloaded when not there)."""
    missing = [p for p in PACKAGES if not list(folder.glob(f"{p}_*.deb"))]
    if missing:
        subprocess.run(["apt-get", "download", *missing], cwd=folder, check=True)
    root = folder / "root"
    for deb in sorted(folder.glob("*.deb")):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root


def man_paragraphs(root: Path) -> Iterator[str]:
    for page in sorted(root.glob("usr/share/man/fr/man*/*.gz")):
        rendered = subprocess.run(
            ["groff", "-k", "-man", "-Tutf8", "-rLL=3000n", "-rHY=0", "-P-cbou"],
            input=gzip.decompress(page.read_bytes()),
            capture_output=True,
            check=False,
        ).stdout.decode("utf-8", "replace")
        yield from rendered.splitlines()


def html_paragraphs(root: Path) -> Iterator[str]:
    pages = sorted(glob.glob(str(root / "**" / "*.html"), recursive=True))
    for page in pages:
        if "/debian-handbook/" in page and "/fr-FR/" not in page:
            continue
        text = re.sub(r"(?s)<(script|style|pre)\b.*?</\1>", " ", Path(page).read_text("utf-8"))
        for match in BLOCK.finditer(text):
            yield html.unescape(re.sub(r"<[^>]+>", "", match.group(2)))


def five_grams(text: str) -> set[tuple[str, ...]]:
    words = [w.lower().replace("’", "'") for w in WORDS.findall(text)]
    return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}


def prose(root: Path) -> tuple[list[str], collections.Counter[str]]:
    catalogue = set()
    for pair in read_catalogues(Path(p) for p in glob.glob(CATALOGUE_GLOB)):
        catalogue |= five_grams(pair.translation)
    kept, seen, why = [], set(), collections.Counter[str]()
    for raw in [*man_paragraphs(root), *html_paragraphs(root)]:
        line = " ".join(raw.split()).lstrip("•·-– ")
        if len(line) < 20 or line in seen:
            continue
        seen.add(line)
        if len(line.split()) < 4 or not FRENCH.search(line) or ENGLISH.search(line):
            why["not French prose"] += 1
        elif sum(c in "{};=*<>|" for c in line) > 2:
            why["code"] += 1
        elif five_grams(line) & catalogue:
            why["shares five words with a catalogue"] += 1
        else:
            kept.append(line)
    return kept, why


def from_tsv(source: Path, out: str) -> int:
    """The binary model of a `write_table` TSV: the same tables, its `#` lines the header."""
    with gzip.open(source, "rt", encoding="utf-8") as text:
        header = "\n".join(line[2:].rstrip("\n") for line in text if line.startswith("# "))
    with source.open("rb") as stream:
        model = read_table(stream)
    write_model(out, model, header)
    print(f"{source} -> {out}: {len(model.ids)} tokens, trigrams {len(model.trigrams)}, "
          f"contexts {len(model.contexts)}, bigrams {len(model.bigrams)}")  # fmt: skip
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], allow_abbrev=False)
    parser.add_argument("--packages", help="folder with the .deb files (else a temporary one)")
    parser.add_argument("--out", default=str(ROOT / "mtreview" / "data" / MODEL))
    parser.add_argument("--tsv", help="also write the tables as gzipped TSV here")
    parser.add_argument("--from-tsv", type=Path, help="convert this TSV instead of building")
    args = parser.parse_args()
    if args.from_tsv:
        return from_tsv(args.from_tsv, args.out)
    folder = Path(args.packages or tempfile.mkdtemp(prefix="mtreview-order-"))
    folder.mkdir(parents=True, exist_ok=True)
    lines, why = prose(fetch(folder))
    tokenised = [[t for unit in units(line) for t in unit.tokens] for line in lines]
    frequency = collections.Counter(t.lower().replace("’", "'") for s in tokenised for t in s)
    vocabulary = {word for word, count in frequency.items() if count >= MIN_COUNT}
    sentences = [[token_class(t, vocabulary) for t in s] for s in tokenised]
    tables = count_model(sentences, prune=PRUNE)
    words = sum(len(s) for s in tokenised)
    header = (
        f"mtreview word-order model: {len(lines)} paragraphs, {words} tokens of Debian's "
        f"French documentation ({', '.join(PACKAGES)})\n"
        f"left out: {dict(sorted(why.items()))}\n"
        f"vocabulary: {len(vocabulary)} words seen {MIN_COUNT}+ times; pruned below {PRUNE}\n"
        "built by benchmarks/build_word_order_model.py"
    )
    write_model(args.out, OrderModel.from_counts(*tables), header)
    if args.tsv:
        write_table(args.tsv, tables, header)
    print(header)
    print(f"trigrams {len(tables[0])}, contexts {len(tables[1])}, bigrams {len(tables[2])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
