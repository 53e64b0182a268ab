"""Build the governance model (`mtreview/data/governance.tsv`): which preposition follows
each French verb, participle, adjective and noun, counted in French prose.

The text is the word-order model's (`benchmarks/build_word_order_model.py`, whose
fetching and cleaning this script imports): Debian's French documentation packages, man
pages and HTML manuals, paragraphs that look like French prose and share no five-word
sequence with a translation of the machine's gettext catalogues (the benchmark of
`benchmarks/flag_quality.py`). spaCy's `fr_core_news_sm` tags and lemmatises it, as the
check reads it (`french_model.parse_text`), and `governance.count_governance` counts.

The verbs of the model that never take a direct object ("accéder", "appartenir",
"cliquer": the parser's direct objects after them are its own mistakes) are read from
Grammalecte's French lexicon (Dicollecte's, MPL 2.0), the Debian package
`python3-grammalecte` that `scripts/setup.sh` installs for the grammar checks: a verb
tagged intransitive or indirect and never transitive direct. Grammalecte is GPL, so it runs
in its own process (`/usr/bin/python3`), as the grammar checks run `grammalecte-cli`.

    .venv/bin/python benchmarks/build_governance_model.py                  # ~4 minutes here
    .venv/bin/python benchmarks/build_governance_model.py --packages DIR   # .deb files kept
    .venv/bin/python benchmarks/build_governance_model.py --prose lines.txt  # text given

Needs `apt-get` (download only, no root), `dpkg-deb` and `groff`, as the word-order builder.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from build_word_order_model import PACKAGES, fetch, prose  # noqa: E402

from mtreview.checks.french_model import load, parse_text  # noqa: E402
from mtreview.checks.governance import (  # noqa: E402
    FREE_PHRASE_HEADS,
    MIN_EVIDENCE,
    MODEL,
    count_governance,
    write_model,
)

# Run by the system Python, where Debian installs python3-grammalecte: the verbs of stdin
# that its lexicon tags intransitive ("i") or indirect ("n") and never transitive ("t").
LEXICON_SCRIPT = r"""
import re, sys
sys.path.insert(0, "/usr/lib/python3/dist-packages")
from grammalecte.graphspell.ibdawg import IBDAWG
lexicon = IBDAWG("fr-allvars.json")
for verb in sys.stdin.read().split():
    tags = set()
    for morph in lexicon.getMorph(verb):
        found = re.match(r">" + re.escape(verb) + r"/:V[0-3]_([^:/]*).*:Y", morph)
        tags |= set(found.group(1)[:5]) if found else set()
    if tags & set("in") and "t" not in tags:
        print(verb)
"""
GRAMMALECTE_PYTHON = "/usr/bin/python3"


def intransitive(verbs: list[str]) -> frozenset[str]:
    """The verbs Grammalecte's lexicon says never take a direct object."""
    done = subprocess.run(
        [GRAMMALECTE_PYTHON, "-c", LEXICON_SCRIPT],
        input="\n".join(verbs),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"python3-grammalecte's lexicon could not be read: {done.stderr[-500:]}")
    return frozenset(done.stdout.split())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], allow_abbrev=False)
    parser.add_argument("--packages", help="folder with the .deb files (else a temporary one)")
    parser.add_argument("--prose", type=Path, help="read these paragraphs, one a line, instead")
    parser.add_argument("--out", default=str(ROOT / "mtreview" / "data" / MODEL))
    args = parser.parse_args()
    started = time.perf_counter()
    if args.prose:
        lines = args.prose.read_text("utf-8").splitlines()
        origin = f"the paragraphs of {args.prose.name}"
    else:
        folder = Path(args.packages or tempfile.mkdtemp(prefix="mtreview-governance-"))
        folder.mkdir(parents=True, exist_ok=True)
        lines, _why = prose(fetch(folder))
        origin = f"Debian's French documentation ({', '.join(PACKAGES)})"
    nlp = load()
    if nlp is None:
        raise SystemExit("spaCy's fr_core_news_sm is not installed")
    words = sum(len(line.split()) for line in lines)
    docs = nlp.pipe((parse_text(line) for line in lines), batch_size=256)
    model = count_governance(docs)
    model = dataclasses.replace(
        model, intransitive=intransitive(sorted(w for w, kind in model.heads if kind == "V"))
    )
    uses = {kind: sum(counts.values()) for kind, counts in sorted(model.classes.items())}
    header = (
        f"mtreview governance model: prepositions after French words, {len(lines)} paragraphs, "
        f"{words} words of {origin}, tagged and lemmatised by spaCy's fr_core_news_sm\n"
        "uses counted by class (V verb, P past participle, A adjective, N noun, O noun by the "
        f"preposition opening it; ∅ a direct object): {uses}\n"
        f"{len(model.heads)} words seen with a preposition {MIN_EVIDENCE}+ times; "
        f"{len(model.phrases)} adverbial phrases (after {FREE_PHRASE_HEADS}+ words) left out\n"
        f"{len(model.intransitive)} of its verbs never take a direct object, as Grammalecte's "
        "French lexicon (Dicollecte, MPL 2.0; Debian's python3-grammalecte) tags them\n"
        "built by benchmarks/build_governance_model.py"
    )
    model = dataclasses.replace(model, header=header)
    with open(args.out, "w", encoding="utf-8") as stream:
        write_model(stream, model)
    print(header)
    print(f"written to {args.out} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
