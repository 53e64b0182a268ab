"""Build `mtreview/data/french_homographs.tsv`: French words that English writes too.

`untranslated_word` must know whether a word common in English ("file", "commit", "table",
"value") is also a French word, and which French word: a feminine noun such as "file"
cannot follow "le", so "le file" is the English word. The French spelling dictionary of
Dicollecte (Debian's `hunspell-fr-classical`, MPL-2.0) holds that: each entry has its part
of speech and gender, each suffix rule the number (or the verb form) it makes. This script
expands the suffix rules, keeps the forms that are plain lowercase ASCII words of 3 letters
or more with an English `wordfreq` Zipf frequency of 3 or more (about 6,000 of the
dictionary's 450,000 forms: the only ones the check ever asks about), and writes one line
per form with its analyses:

    n f s   noun, feminine, singular        (gender m/f/e = either; number s/p/i = either)
    a m p   adjective, masculine, plural
    i       verb, infinitive
    v       verb, another form ("file": je file)
    o       another part of speech (adverb, preposition …)

    apt-get download hunspell-fr-classical              # or let the script fetch it
    .venv/bin/python benchmarks/build_french_homographs.py [--packages FOLDER]

Needs `apt-get` (download only, no root) and `dpkg-deb`. The output is derived from the
dictionary and stays under its licence (MPL-2.0, said in the file's header).
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtreview.checks.untranslated import LEXICON, MIN_ENGLISH_ZIPF  # noqa: E402

PACKAGE = "hunspell-fr-classical"
ASCII_WORD = re.compile(r"[a-z]{3,}(?:-[a-z]+)*")
GENDERS = {"is:mas": "m", "is:fem": "f", "is:epi": "e"}
NUMBERS = {"is:sg": "s", "is:pl": "p", "is:inv": "i"}


def fetch(folder: Path) -> tuple[Path, Path]:
    """The dictionary's .aff and .dic (the package downloaded when not in `folder`)."""
    if not list(folder.glob(f"{PACKAGE}_*.deb")):
        subprocess.run(["apt-get", "download", PACKAGE], cwd=folder, check=True)
    deb = sorted(folder.glob(f"{PACKAGE}_*.deb"))[-1]
    root = folder / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    base = root / "usr" / "share" / "hunspell" / "fr"
    return base.with_suffix(".aff"), base.with_suffix(".dic")


def suffix_rules(aff: Path) -> dict[str, list[tuple[str, str, re.Pattern[str], list[str]]]]:
    """flag -> (strip, add, condition, tags) for each SFX line (flags are two characters)."""
    rules = collections.defaultdict(list)
    for line in aff.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) < 5 or fields[0] != "SFX":
            continue
        flag, strip, add, condition = fields[1:5]
        strip = "" if strip == "0" else strip
        add = add.split("/")[0]
        add = "" if add == "0" else add
        tags = [tag for tag in fields[5:] if ":" in tag]
        rules[flag].append((strip, add, re.compile(f"(?:{condition})$"), tags))
    return rules


def code(tags: list[str]) -> set[str]:
    """The analyses of one form: "nfs", "amp", "i", "v", "o"."""
    parts = {tag[3:] for tag in tags if tag.startswith("po:")}
    if "infi" in parts:
        return {"i"}
    if any(p.startswith("v") or p in ("ppre", "ppas") for p in parts) or any(
        tag.startswith(":") for tag in tags
    ):
        return {"v"}
    gender = next((GENDERS[t] for t in reversed(tags) if t in GENDERS), "e")
    number = next((NUMBERS[t] for t in reversed(tags) if t in NUMBERS), "i")
    found = {f"{pos[0]}{gender}{number}" for pos in parts & {"nom", "adj"}}
    return found or {"o"}


def expand(aff: Path, dic: Path) -> dict[str, set[str]]:
    rules = suffix_rules(aff)
    forms: dict[str, set[str]] = collections.defaultdict(set)
    for line in dic.read_text(encoding="utf-8").splitlines()[1:]:
        fields = line.split()
        if not fields:
            continue
        word, _, flags = fields[0].partition("/")
        tags = [tag for tag in fields[1:] if tag.startswith(("po:", "is:"))]
        expanded = False
        for flag in (flags[i : i + 2] for i in range(0, len(flags), 2)):
            for strip, add, condition, rule_tags in rules.get(flag, ()):
                if not word.endswith(strip) or not condition.search(word):
                    continue
                expanded = True
                # the rule's gender and number replace the entry's (tags read last win)
                forms[word[: len(word) - len(strip)] + add] |= code(tags + rule_tags)
        if not expanded:
            forms[word] |= code(tags)
    return forms


def main() -> int:
    from wordfreq import zipf_frequency

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--packages", help="folder with the .deb (else a temporary one)")
    parser.add_argument("--out", default=str(ROOT / "mtreview" / "data" / LEXICON))
    args = parser.parse_args()
    folder = Path(args.packages or tempfile.mkdtemp(prefix="mtreview-hunspell-"))
    folder.mkdir(parents=True, exist_ok=True)
    forms = expand(*fetch(folder))
    kept = {
        word: analyses
        for word, analyses in forms.items()
        if ASCII_WORD.fullmatch(word) and zipf_frequency(word, "en") >= MIN_ENGLISH_ZIPF
    }
    deb = urllib.parse.unquote(sorted(folder.glob(f"{PACKAGE}_*.deb"))[-1].name)
    lines = [
        "# French words that English writes too, with their analyses (part of speech,",
        "# gender, number): forms of the Dicollecte French dictionary (Debian package",
        f"# {deb}; MPL-2.0, https://mozilla.org/MPL/2.0/, and so is this file)",
        f"# with an English wordfreq Zipf frequency >= {MIN_ENGLISH_ZIPF}.",
        "# Built by benchmarks/build_french_homographs.py; codes: see that script.",
    ]
    lines += [f"{word}\t{' '.join(sorted(kept[word]))}" for word in sorted(kept)]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(forms)} forms in the dictionary, {len(kept)} written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
