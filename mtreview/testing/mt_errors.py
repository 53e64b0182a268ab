"""Machine-translation-like errors planted in parallel documentation (issue 22, point 8).

`mtreview.testing.injected` plants the errors the checks were written for in UI catalogues.
This module measures them the way the next user will: on running text of another domain,
with the errors machine translation makes. The corpus is human-translated English→French
documentation from Debian packages, aligned by file and block (`read_corpus`): GNOME's
desktop help (`gnome-user-docs`, Mallard pages, French generated from the English by
itstool, so the blocks match one for one) and the Debian installation guide
(`installation-guide-amd64`, DocBook HTML). Blocks are cut into sentences when both sides
hold as many; a block left in English in the French pages is dropped.

Eight kinds of errors (`KINDS`), each written for this set, none copied from a check's
table: English-shaped French (calques: "prendre place", "supporter", "vous serez
demandé"), English governance ("dépendre sur", "cliquez le bouton", "remplacer avec"),
an English word of the source left in the French, numbers (a kept English thousands
separator "3,000", a decimal point, "1st", a changed magnitude, a missing number),
inline code of the source lost or renamed, agreement (gender, number, participles), word
order (an adjective or a noun complement before its noun, an adverb before the verb) and
duplications. Each planted error records its span in the new translation; an error that
removes text spans the words on either side of the gap.

Two parts, drawn once by a fixed hash (`part_of`) and never re-drawn: "tune" and
"heldout", by document, and the rows of the tables (calques, prepositions, untranslated
words) by their key, so that a held-out error is in a document and, for those kinds, of a
phrase that nobody tuning on the "tune" part has seen. Same rows and seed, same errors.

The tables below are the benchmark's, not a check's: no check may take a phrase from them
(nor read which of them the hash puts in the held-out part), or the held-out recall says
nothing about the next text. Neither package may feed a model or table a check learns from.

LibreOffice's help (`read_help`), English and French, is a third corpus for the risk
weights' fit alone (`benchmarks/flag_quality.py --write-defaults`): running text nobody
read while the checks were tuned, with the "tune" part's kinds and phrases planted in it,
so that the weights see the checks' false alarms on text they were not tuned on. It is
never measured and feeds no check.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import itertools
import random
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Protocol

from mtreview.checks.french_words import CONTRACTED, CONTRACTIONS

PACKAGES = ("gnome-user-docs", "installation-guide-amd64")
# (name, English folder, French folder, pattern) under the unpacked packages' root
SOURCES = (
    ("gnome-help", "usr/share/help/C/gnome-help", "usr/share/help/fr/gnome-help", "*.page"),
    (
        "installation-guide",
        "usr/share/doc/installation-guide-amd64/en",
        "usr/share/doc/installation-guide-amd64/fr",
        "*.html",
    ),
)
PARTS = ("tune", "heldout")
KINDS = (
    "calque",
    "preposition",
    "untranslated_word",
    "number",
    "placeholder",
    "agreement",
    "word_order",
    "duplication",
)
SALT = "mtreview-mt-errors:"


@dataclasses.dataclass(frozen=True)
class Row:
    """One aligned sentence (or block) of a document; `code` holds the inline code of the
    markup (commands, file names, options, keys) that both sides write the same way."""

    source: str
    translation: str
    doc: str
    code: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Planted:
    """A row with one error planted: `[start, end)` is its span in `translation`;
    `variant` says which rewrite (a table row's key or a rule's name)."""

    row: Row
    translation: str
    kind: str
    variant: str
    start: int
    end: int
    source: str  # the row's source, but for a decimal made in both (see `number`)


def part_of(key: str) -> str:
    """ "tune" or "heldout", fixed by a hash of a document name or a table row's key."""
    return PARTS[hashlib.sha1((SALT + key).encode()).digest()[0] % 2]


# --- reading the documents ---------------------------------------------------------------
_BLOCKS = frozenset("p title h1 h2 h3 h4 td th dt".split())
_SKIP = frozenset("head info comment screen pre synopsis script style if:when".split())
_SKIP_CLASSES = frozenset(
    "navheader navfooter toc screen programlisting literallayout synopsis".split()
)
_CODE_TAGS = frozenset("cmd code file sys input output var tt key keyseq".split())
_CODE_CLASSES = frozenset(
    "command filename userinput literal classname replaceable computeroutput prompt envar "
    "option keycap keycombo".split()
)
_VOID = frozenset("br hr img col meta link area base wbr media".split())
_JOINERS = {"keyseq": "+", "guiseq": " ▸ "}  # how yelp writes a key sequence, a menu path
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"“(]?\s?[A-ZÀ-Ý])")
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"«»]*[^\s<>\"«».,;:!?)]")


class _Blocks(HTMLParser):
    """The text blocks of a Mallard page or an HTML file, in order, each with the text of
    its inline code elements; an empty `<link xref>` reads as the page it names."""

    def __init__(self, titles: dict[str, str] | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.titles = titles or {}
        self.stack: list[tuple[str, bool, bool, int | None]] = []  # tag, skip, block, code
        self.open: list[tuple[list[str], list[str]]] = []  # the open blocks' text, code
        self.counts: list[int] = []  # children seen by each open keyseq/guiseq
        self.blocks: list[tuple[str, list[str]]] = []

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in _VOID and not (tag == "link" and "rel" not in found):  # Mallard's link
            return
        classes = set((found.get("class") or "").split())
        skip = (
            self._skipping()
            or tag in _SKIP
            or bool(classes & _SKIP_CLASSES)
            or found.get("its:translate") == "no"
        )
        if self.stack and self.stack[-1][0] in _JOINERS and self.open and not skip:
            if self.counts[-1]:
                self.open[-1][0].append(_JOINERS[self.stack[-1][0]])
            self.counts[-1] += 1
        block = tag in _BLOCKS and not skip
        if block:
            self.open.append(([], []))
        code = None
        if self.open and not skip and (tag in _CODE_TAGS or classes & _CODE_CLASSES):
            code = len("".join(self.open[-1][0]))
        if tag in _JOINERS:
            self.counts.append(0)
        self.stack.append((tag, skip, block, code))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        xref = found.get("xref")
        if tag == "link" and xref and self.open and not self._skipping():
            self.open[-1][0].append(self.titles.get(xref.partition("#")[0], ""))

    def handle_endtag(self, tag: str) -> None:
        if (tag in _VOID and tag != "link") or all(t != tag for t, *_ in self.stack):
            return
        while self.stack:
            name, _skip, block, code = self.stack.pop()
            if name in _JOINERS:
                self.counts.pop()
            if code is not None and self.open:
                text = "".join(self.open[-1][0])[code:]
                self.open[-1][1].append(" ".join(text.split()))
            if block:
                parts, codes = self.open.pop()
                self.blocks.append((" ".join("".join(parts).split()), codes))
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.open and not self._skipping():
            self.open[-1][0].append(data)


def read_blocks(path: Path, titles: dict[str, str] | None = None) -> list[tuple[str, list[str]]]:
    """(text, inline code texts) of each block of a Mallard page or an HTML file."""
    parser = _Blocks(titles)
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.blocks


def page_titles(folder: Path, pattern: str) -> dict[str, str]:
    """Page id -> its first title (what yelp writes for an empty `<link xref>`)."""
    titles = {}
    for path in sorted(folder.glob(pattern)):
        blocks = read_blocks(path)
        if blocks:
            titles[path.stem] = blocks[0][0]
    return titles


def align(
    doc: str,
    source: list[tuple[str, list[str]]],
    translation: list[tuple[str, list[str]]],
) -> list[Row] | None:
    """The rows of one document, or None when its two sides do not hold as many blocks."""
    if len(source) != len(translation):
        return None
    rows = []
    for (english, code_en), (french, code_fr) in zip(source, translation, strict=True):
        if english == french or not any(c.isalpha() for c in french):
            continue
        code = {c for c in (*code_en, *code_fr) if len(c) > 1}
        code.update(m.group() for m in _URL.finditer(english))
        sentences_en, sentences_fr = _sentences(english), _sentences(french)
        if len(sentences_en) != len(sentences_fr):
            sentences_en, sentences_fr = [english], [french]
        for en, fr in zip(sentences_en, sentences_fr, strict=True):
            if en == fr or not any(c.isalpha() for c in fr):
                continue
            shared = tuple(sorted(c for c in code if c in en and c in fr))
            rows.append(Row(en, fr, doc, shared))
    return rows


def _sentences(text: str) -> list[str]:
    """`text` cut after each sentence end; a piece without letters ("2.1.") joins the next."""
    pieces: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if pieces and not any(c.isalpha() for c in pieces[-1]):
            pieces[-1] += " " + piece
        else:
            pieces.append(piece)
    return pieces


def read_corpus(root: Path) -> tuple[list[Row], list[str]]:
    """Every row of `SOURCES` under `root` (the packages unpacked there), and the documents
    left out because their two sides do not align."""
    rows: list[Row] = []
    skipped = []
    for name, english, french, pattern in SOURCES:
        titles_en = page_titles(root / english, pattern)
        titles_fr = page_titles(root / french, pattern)
        for path in sorted((root / english).glob(pattern)):
            other = root / french / path.name
            if not other.is_file():
                continue
            doc = f"{name}/{path.stem}"
            found = align(doc, read_blocks(path, titles_en), read_blocks(other, titles_fr))
            if found is None:
                skipped.append(doc)
            else:
                rows.extend(found)
    return rows, skipped


# LibreOffice's help, English and French: running text nobody read while tuning, for the
# risk weights' fit only (`read_help`; never a check's model or table, never measured)
HELP_PACKAGES = ("libreoffice-help-en-us", "libreoffice-help-fr")
HELP_FOLDERS = ("usr/share/libreoffice/help/en-US", "usr/share/libreoffice/help/fr")
HELP_ROWS = 3400  # about the tune part's rows
HELP_SEED = 72


def read_help(root: Path, rows: int = HELP_ROWS, seed: int = HELP_SEED) -> list[Row]:
    """Whole pages of LibreOffice's help (`HELP_PACKAGES` unpacked under root), aligned as
    `read_corpus` aligns, drawn in a seeded order until `rows`, in path order. A page's
    text is what it shows (`_help_blocks`). A page goes only with five rows or more, each
    of them with the digits of its source and 97% of them no more than 2.2 times as long in
    French as in English nor shorter than 0.7 times: its blocks shift (a heading paired
    with a paragraph) where the two sides do not hold the same ones."""
    english, french = (root / folder for folder in HELP_FOLDERS)
    pages: dict[str, list[Row]] = {}
    for path in sorted(english.glob("text/**/*.html")):
        relative = path.relative_to(english)
        other = french / relative
        if not other.is_file():
            continue
        doc = "lo-help/" + str(relative.with_suffix("")).replace("/", "--")
        found = align(doc, _help_blocks(path), _help_blocks(other))
        if (
            found
            and len(found) >= 5
            and all(_digits(row.source) == _digits(row.translation) for row in found)
            and sum(map(_aligned, found)) >= 0.97 * len(found)
        ):
            pages[doc] = found
    order = sorted(pages)
    random.Random(seed).shuffle(order)
    chosen: set[str] = set()
    count = 0
    for doc in order:
        if count >= rows:
            break
        chosen.add(doc)
        count += len(pages[doc])
    return [row for doc in sorted(pages) if doc in chosen for row in pages[doc]]


def _help_blocks(path: Path) -> list[tuple[str, list[str]]]:
    """The blocks of a help page's own text: from its display area to its footer, without
    the viewer's header, index and search bar before it, nor the debug block after it
    ("Title is: …", left in English in every language)."""
    text = path.read_text(encoding="utf-8")
    start = text.find('<div id="DisplayArea"')
    end = text.find("<footer", max(start, 0))
    parser = _Blocks()
    parser.feed(text[max(start, 0) : end if end >= 0 else len(text)])
    parser.close()
    return parser.blocks


def _digits(text: str) -> list[str]:
    return sorted(re.findall(r"\d+", text))


def _aligned(row: Row) -> bool:
    return 0.7 <= len(row.translation) / max(1, len(row.source)) <= 2.2


# --- helpers of the planters -------------------------------------------------------------
class Planter(Protocol):
    """Plants one error of its kind in `row`, or None where it does not fit; a table's
    kind leaves out its rows named in `avoid`."""

    def __call__(
        self, row: Row, rng: random.Random, part: str, avoid: Collection[str] = ()
    ) -> Planted | None: ...


_LETTER = "a-zA-ZÀ-ÖØ-öø-ÿœŒæÆ"
_WORD = re.compile(rf"[{_LETTER}]+(?:[-'’][{_LETTER}]+)*")
_CODE_LIKE = re.compile(
    r"\b(?:https?|ftp)://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w/])[~.]?/[\w./~+-]+"
    r"|(?<![\w-])--?[A-Za-z][\w-]*|\b\w*_\w*\b|\b[a-z]+[A-Z]\w*"
)
_VOWEL = tuple("aeiouyhâàéèêëîïôöûüœAEIOUYHÂÀÉÈÊÎÔÛŒ")


def _blocked(row: Row) -> list[tuple[int, int]]:
    """Spans of the translation that are code: no error but a placeholder one is planted
    there."""
    text = row.translation
    spans = [(m.start(), m.end()) for m in _CODE_LIKE.finditer(text)]
    for code in row.code:
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(code), text)]
    return spans


def _free(start: int, end: int, blocked: Iterable[tuple[int, int]]) -> bool:
    return not any(start < b and a < end for a, b in blocked)


def _apostrophe(text: str) -> str:
    return "’" if "’" in text else "'"


def _case_like(model: str, text: str) -> str:
    if model[:1].isupper() and text[:1].islower():
        return text[:1].upper() + text[1:]
    return text


def _planted(
    row: Row, start: int, end: int, new: str, kind: str, variant: str, source: str = ""
) -> Planted | None:
    """`row` with `[start, end)` of its translation replaced by `new`; the span is `new`,
    or the words around the gap when `new` is empty (spaces are tidied)."""
    text = row.translation
    if not new:
        before, after = text[:start].rstrip(" "), text[end:].lstrip(" ")
        joiner = " " if before and after and after[0] not in ".,;:!?)…" else ""
        result = before + joiner + after
        words = list(_WORD.finditer(result))
        left = [m for m in words if m.end() <= len(before)]
        right = [m for m in words if m.start() >= len(before)]
        span_start = left[-1].start() if left else 0
        span_end = right[0].end() if right else len(result)
    else:
        result = text[:start] + new + text[end:]
        span_start, span_end = start, start + len(new)
    if result == text or not result.strip():
        return None
    return Planted(row, result, kind, variant, span_start, span_end, source or row.source)


@dataclasses.dataclass(frozen=True)
class Rewrite:
    """One table row: where `pattern` matches the translation (and `trigger`, when given,
    the English source), the match becomes `replace(match, apostrophe)`."""

    key: str
    pattern: re.Pattern[str]
    replace: Callable[[re.Match[str], str], str]
    trigger: re.Pattern[str] | None = None


def _forms(text: str) -> str:
    """A phrase as a pattern: either apostrophe, any run of blanks."""
    return r"\s+".join(re.escape(w).replace("'", "['’]") for w in text.split())


def _trigger(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern, re.IGNORECASE) if pattern else None


def _words(
    key: str,
    mapping: dict[str, str],
    trigger: str | None = None,
    *,
    not_after: str = r"[\w-]",
    followed_by: str = "",
) -> Rewrite:
    """A rewrite of fixed phrases: each key of `mapping` (any case) becomes its value,
    where the character before is not `not_after` and, given, `followed_by` follows."""
    wanted = {k.lower().replace("’", "'"): v for k, v in mapping.items()}
    alternatives = "|".join(_forms(k) for k in sorted(mapping, key=len, reverse=True))
    ahead = f"(?={followed_by})" if followed_by else ""
    pattern = re.compile(rf"(?<!{not_after})(?:{alternatives})(?![\w-]){ahead}", re.IGNORECASE)

    def replace(match: re.Match[str], apostrophe: str) -> str:
        found = " ".join(match.group().lower().replace("’", "'").split())
        return _case_like(match.group(), wanted[found].replace("'", apostrophe))

    return Rewrite(key, pattern, replace, _trigger(trigger))


# prepositions with their article, as written: "du" is de + le
_PREPOSITIONS = {
    "de": r"de\s+la\b|de\s+l['’]|du\b|des\b|de\b|d['’]",
    "à": r"à\s+la\b|à\s+l['’]|au\b|aux\b|à\b",
    "sur": r"sur\s+la\b|sur\s+le\b|sur\s+les\b|sur\s+l['’]|sur\b",
    "dans": r"dans\s+la\b|dans\s+le\b|dans\s+les\b|dans\s+l['’]|dans\b",
    "par": r"par\b",
    "en": r"en\b",
    "": r"(?:le|la|les|un|une|des|du|ce|cet|cette|ces|votre|vos|son|sa|ses|leur|leurs)\b"
    r"|l['’]",
}


def _swap_preposition(old: str, kind: str, new: str, following: str, apostrophe: str) -> str:
    """`old` (a `kind` preposition with its article, or an article alone when `kind` is
    empty) governed by `new` instead: "du" → "sur le", "sur la" → "la", "de" → "qu'"."""
    words = old.replace("’", "'").split()
    if not kind:
        article = " ".join(words)  # the verb took no preposition
    elif len(words) == 1 and words[0] in CONTRACTED:
        article = CONTRACTED[words[0]][1]
    elif words[0] == kind:
        article = " ".join(words[1:])
    else:
        article = ""  # d'
    if (new, article) in CONTRACTIONS:
        joined = CONTRACTIONS[(new, article)]
    elif new in ("de", "que") and not article and following.startswith(_VOWEL):
        joined = new[:-1] + "'"
    else:
        joined = " ".join(w for w in (new, article) if w)
    joined = joined.replace("'", apostrophe)
    return joined if not joined or joined.endswith(apostrophe) else joined + " "


def _governs(
    key: str, head: str, old: str, new: str, trigger: str | None = None, gap: int = 0
) -> Rewrite:
    """`head` (a regex of the governing word's forms) followed by `old` (a key of
    `_PREPOSITIONS`), within `gap` characters of other words, takes `new` instead."""
    between = rf"(?P<gap>\s[^.,;:!?()«»]{{0,{gap}}}?)?" if gap else ""
    pattern = re.compile(
        rf"(?<![\w-])(?P<head>{head}){between}\s+(?P<old>{_PREPOSITIONS[old]})\s*",
        re.IGNORECASE,
    )

    def replace(match: re.Match[str], apostrophe: str) -> str:
        following = match.string[match.end() :]
        swapped = _swap_preposition(match["old"].lower(), old, new, following, apostrophe)
        if match["old"][:1].isupper():
            swapped = swapped[:1].upper() + swapped[1:]
        return match["head"] + (match["gap"] or "" if gap else "") + " " + swapped

    return Rewrite(key, pattern, replace, _trigger(trigger))


def _rewrites_found(
    row: Row, part: str, table: tuple[Rewrite, ...], kind: str
) -> list[tuple[Rewrite, re.Match[str]]]:
    """Where the table's rows of this part apply to `row`."""
    blocked = _blocked(row)
    return [
        (rewrite, match)
        for rewrite in table
        if part_of(f"{kind}:{rewrite.key}") == part
        for match in rewrite_places(row, rewrite, blocked)
    ]


def rewrite_places(
    row: Row, rewrite: Rewrite, blocked: Sequence[tuple[int, int]] | None = None
) -> list[re.Match[str]]:
    """Where `rewrite` applies to `row`: its French outside code (`blocked`, else the
    row's own), its trigger (the English it renders) in the source."""
    if rewrite.trigger is not None and not rewrite.trigger.search(row.source):
        return []
    blocked = _blocked(row) if blocked is None else blocked
    return [
        m for m in rewrite.pattern.finditer(row.translation) if _free(m.start(), m.end(), blocked)
    ]


def _plant_rewrite(
    row: Row,
    rng: random.Random,
    part: str,
    table: tuple[Rewrite, ...],
    kind: str,
    avoid: Collection[str],
) -> Planted | None:
    """One of the table's rows of this part (none of `avoid`) applied to `row`."""
    found = [(r, m) for r, m in _rewrites_found(row, part, table, kind) if r.key not in avoid]
    if not found:
        return None
    rewrite, match = rng.choice(found)
    return rewritten(row, rewrite, match, kind)


def rewritten(row: Row, rewrite: Rewrite, match: re.Match[str], kind: str) -> Planted | None:
    """`rewrite` applied at `match` of `row`'s translation: its blank after kept, "de" or
    "que" before a vowel elided."""
    new = rewrite.replace(match, _apostrophe(row.translation))
    end = match.end()
    trailing = len(match.group()) - len(match.group().rstrip())
    if trailing and new.endswith(" "):  # the match took the blank after it: give it back
        new, end = new.rstrip(" "), end - trailing
    blank = re.match(r"\s+(?=[^\W\d_])", row.translation[end:])
    if blank and re.search(r"\b(?:de|que)$", new) and row.translation[end + blank.end()] in _VOWEL:
        new, end = new[:-1] + _apostrophe(row.translation), end + blank.end()  # de + vowel: d'
    return _planted(row, match.start(), end, new, kind, rewrite.key)


# --- 1. calques: English-shaped French -----------------------------------------------------
CALQUES: tuple[Rewrite, ...] = (
    _words(
        "prendre place",
        {
            "a lieu": "prend place",
            "ont lieu": "prennent place",
            "avoir lieu": "prendre place",
            "aura lieu": "prendra place",
            "auront lieu": "prendront place",
            "avait lieu": "prenait place",
            "ait lieu": "prenne place",
        },
        r"\btak(?:e|es|ing)\s+place|\btook\s+place",
    ),
    _words(
        "supporter",
        {
            "prend en charge": "supporte",
            "prennent en charge": "supportent",
            "prendre en charge": "supporter",
            "prendra en charge": "supportera",
            "pris en charge": "supporté",  # "la prise en charge" is also a noun: left out
        },
        r"\bsupport",
    ),
    _words(
        "faire sûr",
        {
            "assurez-vous que": "faites sûr que",
            "vérifiez que": "faites sûr que",
            "s'assurer que": "faire sûr que",
            "assurez-vous qu'": "faites sûr qu'",
        },
        r"\bmake\s+sure|\bensure",
    ),
    _words("être familier", {"si vous connaissez": "si vous êtes familier avec"}, r"familiar"),
    _words(
        "digital",
        {"numérique": "digital", "numériques": "digitaux"},
        r"\bdigital",
    ),
    _words("librairie", {"bibliothèque": "librairie", "bibliothèques": "librairies"}, "librar"),
    _words(
        "éventuellement",
        {"finalement": "éventuellement", "à terme": "éventuellement"},
        r"\beventual",
    ),
    _words(
        "actuellement", {"en fait": "actuellement", "en réalité": "actuellement"}, r"\bactually"
    ),
    _words(
        "alternativement",
        {"sinon": "alternativement", "autrement": "alternativement", "ou bien": "alternativement"},
        r"\balternatively",
    ),
    _words("aussi bien que", {"ainsi que": "aussi bien que"}, r"\bas\s+well\s+as"),
    _words(
        "vous serez demandé",
        {
            "on vous demandera": "vous serez demandé",
            "il vous sera demandé": "vous serez demandé",
            "on vous demande": "vous êtes demandé",
            "il vous est demandé": "vous êtes demandé",
        },
        r"\basked\b|\bprompted\b",
    ),
    _words(
        "comme montré",
        {
            "comme indiqué": "comme montré",
            "comme illustré": "comme montré",
            "comme le montre": "comme montré dans",
        },
        r"\bas\s+shown",
    ),
    _words(
        "payer attention",
        {
            "faites attention": "payez attention",
            "faire attention": "payer attention",
            "fait attention": "paye attention",
        },
    ),
    _words(
        "rapporter un bogue",
        {
            "signaler": "rapporter",
            "signalez": "rapportez",
            "signale": "rapporte",
            "signalé": "rapporté",
            "signalés": "rapportés",
            "signalée": "rapportée",
        },
        r"\breport",
    ),
    _words("dans le futur", {"à l'avenir": "dans le futur"}, r"\bfuture"),
    _words("sur une base régulière", {"régulièrement": "sur une base régulière"}, "regular"),
    _words(
        "introduire",
        {"présente": "introduit", "présentent": "introduisent", "présenter": "introduire"},
        r"\bintroduc",
    ),
    _words(
        "consistant",
        {
            "cohérent": "consistant",
            "cohérente": "consistante",
            "cohérents": "consistants",
            "cohérentes": "consistantes",
        },
        r"\bconsistent",
    ),
    _words(
        "un large nombre",
        {
            "un grand nombre": "un large nombre",
            "une grande quantité": "une large quantité",
            "un grand choix": "un large choix",
            "une grande variété": "une large variété",
        },
        r"\blarge\b|\bwide\b",
    ),
    _words(
        "supposé",
        {"censé": "supposé", "censée": "supposée", "censés": "supposés", "censées": "supposées"},
        r"\bsupposed",
    ),
    _words(
        "hors de la boîte",
        {
            "prêt à l'emploi": "hors de la boîte",
            "prêts à l'emploi": "hors de la boîte",
            "d'emblée": "hors de la boîte",
        },
        r"out\s+of\s+the\s+box",
    ),
    _words("faire une décision", {"prendre une décision": "faire une décision"}, "decision"),
    _words(
        "en charge de",
        {"responsable de": "en charge de", "responsables de": "en charge de"},
        r"\bin\s+charge",
    ),
    _words(
        "adresser un problème",
        {
            "résoudre ce problème": "adresser ce problème",
            "résoudre le problème": "adresser le problème",
            "résoudre les problèmes": "adresser les problèmes",
            "régler ce problème": "adresser ce problème",
        },
        r"\baddress",
    ),
    _words(
        "réaliser",
        {"vous vous rendez compte": "vous réalisez", "vous constatez": "vous réalisez"},
        r"\breali[sz]",
    ),
    _words(
        "opportunité",
        {"l'occasion de": "l'opportunité de", "la possibilité de": "l'opportunité de"},
        r"\bopportunit",
    ),
    _words("au temps de", {"au moment de": "au temps de"}, r"\bat\s+the\s+time\s+of"),
    _words("sévère", {"grave": "sévère", "graves": "sévères"}, r"\bsevere"),
    _words(
        "définitivement",
        {"certainement": "définitivement", "sans aucun doute": "définitivement"},
        r"\bdefinitely",
    ),
    _words(
        "faire du sens",
        {"a du sens": "fait du sens", "ont du sens": "font du sens", "est logique": "fait du sens"},
        r"makes?\s+sense",
    ),
    _words(
        "compléter",
        {
            "terminer": "compléter",
            "terminé": "complété",
            "terminée": "complétée",
            "terminés": "complétés",
            "terminées": "complétées",
            "achever": "compléter",
            "achevée": "complétée",
            "achevé": "complété",
        },
        r"\bcomplet",
    ),
    _words(
        "dans l'ordre de",
        {"afin de": "dans l'ordre de", "afin d'": "dans l'ordre d'"},
        r"\bin\s+order\s+to",
    ),
    _words(
        "assumer",
        {
            "supposons": "assumons",
            "supposez": "assumez",
            "suppose": "assume",
            "supposer": "assumer",
            "partons du principe": "assumons",
        },
        r"\bassum",
    ),
    _words(
        "attaché",
        {
            "joint": "attaché",
            "jointe": "attachée",
            "joints": "attachés",
            "jointes": "attachées",
            "en pièce jointe": "attaché",
        },
        r"\battach",
    ),
    _words(
        "sauver",
        {
            "enregistrer": "sauver",
            "enregistrez": "sauvez",
            "enregistre": "sauve",
            "enregistré": "sauvé",
            "enregistrée": "sauvée",
            "enregistrés": "sauvés",
            "enregistrées": "sauvées",
        },
        r"\bsav(?:e|ed|es|ing)\b",
    ),
    _words(
        "prendre un regard",
        {
            "jetez un coup d'œil": "prenez un regard",
            "jeter un coup d'œil": "prendre un regard",
            "jetez un œil": "prenez un regard",
        },
        r"\blook\b",
    ),
    _words(
        "dû à",
        {
            "en raison de": "dû à",
            "en raison du": "dû au",
            "en raison des": "dû aux",
            "à cause de": "dû à",
            "à cause du": "dû au",
            "à cause des": "dû aux",
        },
        r"\bdue\s+to",
    ),
    _words("sur le dessus de", {"en plus de": "sur le dessus de"}, r"\bon\s+top\s+of"),
    _words(
        "dans d'autres mots",
        {"autrement dit": "dans d'autres mots", "en d'autres termes": "dans d'autres mots"},
        r"\bin\s+other\s+words",
    ),
    _words(
        "vous pourriez vouloir",
        {
            "vous pouvez": "vous pourriez vouloir",
            "vous devriez": "vous pourriez vouloir",
            "vous voudrez peut-être": "vous pourriez vouloir",
            "vous souhaiterez peut-être": "vous pourriez vouloir",
        },
        r"\b(?:might|may)\s+want\s+to",
    ),
)


# --- 2. prepositions: English governance -------------------------------------------------
PREPOSITIONS: tuple[Rewrite, ...] = (
    _governs("dépendre sur", r"dépend\w*", "de", "sur", r"\bdepend"),
    _governs("participer dans", r"particip\w*", "à", "dans", r"\bparticipat"),
    _governs("remplacer avec", r"remplac\w*", "par", "avec", r"\breplac", gap=40),
    _governs("convertir à", r"convert\w*", "en", "à", r"\bconvert", gap=40),
    _governs("intéressé dans", r"intéress\w*", "par", "dans", r"\binterested\s+in"),
    _governs(
        "augmenter par",
        r"(?:augment|rédui|réduis|diminu|multipli)\w*",
        "de",
        "par",
        r"\bby\b",
        gap=30,
    ),
    _governs("consister de", r"consist\w*", "en", "de", r"\bconsist"),
    _governs("différent que", r"différent\w*", "de", "que", r"\bdifferent\s+(?:from|than)"),
    _governs(
        "chercher pour",
        r"(?:re)?cherch(?:er|ez|e|ent|ant)",
        "",
        "pour",
        r"\b(?:look|looking|search|searching)\s+for",
    ),
    _governs("attendre pour", r"attend(?:re|ez|s|ent|ant)?", "", "pour", r"\bwait\w*\s+for"),
    _governs("demander pour", r"demand(?:er|ez|e|ent)", "", "pour", r"\bask\w*\s+for"),
    _governs("écouter à", r"écout(?:er|ez|e|ent)", "", "à", r"\blisten\w*\s+to"),
    _governs("regarder à", r"regard(?:er|ez|e|ent)", "", "à", r"\blook\w*\s+at"),
    _governs("accéder (sans à)", r"accéd\w*|accès", "à", "", r"\baccess"),
    _governs("répondre (sans à)", r"répond\w*", "à", "", r"\banswer"),
    _governs(
        "cliquer (sans sur)",
        r"cliqu(?:er|ez|e|ant|ent)",
        "sur",
        "",
        r"\bclick(?:ing|s)?\s+(?!on\b)",
    ),
    _governs("appuyer (sans sur)", r"appuy\w*", "sur", "", r"\bpress"),
    _governs("s'inscrire pour", r"inscri\w*", "à", "pour", r"\b(?:sign\w*\s+up|register)"),
    _governs("responsable pour", r"responsables?", "de", "pour", r"\bresponsible\s+for"),
    _governs("copier à", r"copi\w*", "dans", "à", r"\bcop(?:y|ied|ies)\b", gap=40),
    _governs("associé avec", r"associ\w*", "à", "avec", r"\bassociated\s+with"),
    _governs("équipé avec", r"équipé\w*", "de", "avec", r"\bequipped\s+with"),
    _governs("rempli avec", r"rempli\w*", "de", "avec", r"\bfill\w*\s+with"),
    _governs("se connecter dans", r"connect\w*(?:-vous)?", "à", "dans", r"\blog\w*\s*in"),
    _governs("penser de", r"pens\w*", "à", "de", r"\bthink\w*\s+of"),
    _governs("inférieur que", r"inférieur\w*", "à", "que", r"\b(?:less|lower|smaller)\s+than"),
    _governs(
        "supérieur que",
        r"supérieur\w*",
        "à",
        "que",
        r"\b(?:more|greater|higher|larger|bigger)\s+than",
    ),
    _words(
        "dans la forme de",
        {"sous la forme de": "dans la forme de", "sous forme de": "dans la forme de"},
        r"\bin\s+the\s+form",
    ),
    _words("au même temps", {"en même temps": "au même temps"}, r"\bat\s+the\s+same\s+time"),
    _words(
        "dans cette manière",
        {"de cette manière": "dans cette manière", "de cette façon": "dans cette façon"},
        r"\bin\s+this\s+way",
    ),
    _words("sur le démarrage", {"au démarrage": "sur le démarrage"}, r"\bon\s+(?:start|boot)"),
    _words("dans le mode", {"en mode": "dans le mode"}, r"\bin\b[^.]*\bmode\b"),
    _words(
        "dans l'arrière-plan",
        {"en arrière-plan": "dans l'arrière-plan"},
        r"\bin\s+the\s+background",
    ),
    _words("sur le clavier", {"au clavier": "sur le clavier"}, r"\bon\s+the\s+keyboard"),
    _words("dans le futur proche", {"prochainement": "dans le futur proche"}, r"near\s+future"),
)


# --- 3. English words of the source left in the French -----------------------------------
# "French singular|French plural": "English singular|English plural" (one form: both)
_UNTRANSLATED = {
    "paramètre|paramètres": "setting|settings", "dossier|dossiers": "folder|folders",
    "clavier|claviers": "keyboard|keyboards", "souris": "mouse", "écran|écrans":
    "screen|screens", "bureau|bureaux": "desktop|desktops", "fenêtre|fenêtres":
    "window|windows", "mot de passe|mots de passe": "password|passwords",
    "réseau|réseaux": "network|networks", "imprimante|imprimantes": "printer|printers",
    "disque dur|disques durs": "hard drive|hard drives", "périphérique|périphériques":
    "device|devices", "touche|touches": "key|keys", "bouton|boutons": "button|buttons",
    "lien|liens": "link|links", "compte|comptes": "account|accounts",
    "utilisateur|utilisateurs": "user|users", "logiciel|logiciels": "software",
    "matériel": "hardware", "mise à jour|mises à jour": "update|updates",
    "sauvegarde|sauvegardes": "backup|backups", "pilote|pilotes": "driver|drivers",
    "dépôt|dépôts": "repository|repositories", "noyau|noyaux": "kernel|kernels",
    "paquet|paquets": "package|packages", "téléchargement|téléchargements":
    "download|downloads", "luminosité": "brightness", "batterie|batteries":
    "battery|batteries", "corbeille": "trash", "raccourci|raccourcis": "shortcut|shortcuts",
    "onglet|onglets": "tab|tabs", "fond d'écran|fonds d'écran": "wallpaper|wallpapers",
    "arrière-plan|arrière-plans": "background|backgrounds", "espace de travail|espaces de "
    "travail": "workspace|workspaces", "appareil photo|appareils photo": "camera|cameras",
    "haut-parleur|haut-parleurs": "speaker|speakers", "casque|casques": "headset|headsets",
    "écouteurs": "headphones", "pavé tactile|pavés tactiles": "touchpad|touchpads",
    "écran tactile|écrans tactiles": "touchscreen|touchscreens", "sans fil": "wireless",
    "langue|langues": "language|languages", "police|polices": "font|fonts",
    "taille|tailles": "size|sizes", "couleur|couleurs": "color|colors", "vitesse|vitesses":
    "speed|speeds", "emplacement|emplacements": "location|locations", "chemin|chemins":
    "path|paths", "serveur|serveurs": "server|servers", "navigateur|navigateurs":
    "browser|browsers", "démarrage": "startup", "amorçage": "boot", "miroir|miroirs":
    "mirror|mirrors", "installateur": "installer", "clé usb|clés usb": "usb stick|usb sticks",
    "carte réseau|cartes réseau": "network card|network cards", "carte graphique|cartes "
    "graphiques": "graphics card|graphics cards", "mémoire": "memory", "espace disque":
    "disk space", "ordinateur|ordinateurs": "computer|computers", "ordinateur portable|"
    "ordinateurs portables": "laptop|laptops", "tablette|tablettes": "tablet|tablets",
    "téléphone|téléphones": "phone|phones", "jeu|jeux": "game|games", "musique": "music",
    "dossier personnel": "home folder", "horloge|horloges": "clock|clocks",
    "calendrier|calendriers": "calendar|calendars", "fuseau horaire|fuseaux horaires":
    "time zone|time zones", "recherche|recherches": "search|searches",
    "résultat|résultats": "result|results", "aperçu|aperçus": "preview|previews",
    "vignette|vignettes": "thumbnail|thumbnails", "presse-papiers": "clipboard",
    "capture d'écran|captures d'écran": "screenshot|screenshots", "enregistrement|"
    "enregistrements": "recording|recordings", "pointeur|pointeurs": "pointer|pointers",
    "lecteur d'écran": "screen reader", "loupe": "magnifier", "sous-titres": "subtitles",
    "confidentialité": "privacy", "sécurité": "security", "chiffrement": "encryption",
    "empreinte|empreintes": "fingerprint|fingerprints", "écran de verrouillage": "lock screen",
    "compte en ligne|comptes en ligne": "online account|online accounts", "partage":
    "sharing", "pare-feu": "firewall", "routeur|routeurs": "router|routers",
    "point d'accès|points d'accès": "hotspot|hotspots", "nom d'utilisateur|noms "
    "d'utilisateur": "username|usernames", "autorisation|autorisations":
    "permission|permissions", "propriétaire|propriétaires": "owner|owners",
    "caractère|caractères": "character|characters", "défilement": "scrolling",
    "barre latérale": "sidebar", "barre supérieure": "top bar", "vue d'ensemble": "overview",
    "liste|listes": "list|lists", "caché|cachés": "hidden", "cachée|cachées": "hidden",
    "partagé|partagés": "shared", "partagée|partagées": "shared", "amovible|amovibles":
    "removable", "inconnu|inconnus": "unknown", "inconnue|inconnues": "unknown",
    "lent|lents": "slow", "lente|lentes": "slow", "rapide|rapides": "fast",
    "disponible|disponibles": "available", "par défaut": "default", "supprimé|supprimés":
    "deleted", "supprimée|supprimées": "deleted", "fichier|fichiers": "file|files",
    "micrologiciel|micrologiciels": "firmware", "carte mère": "motherboard",
    "démarrer": "boot", "chargeur d'amorçage|chargeurs d'amorçage": "boot loader|boot loaders",
    "invite|invites": "prompt|prompts", "gestionnaire de fichiers": "file manager",
    "courrier indésirable": "spam", "bibliothèque|bibliothèques": "library|libraries",
    "commande|commandes": "command|commands", "tâche|tâches": "task|tasks",
    "étape|étapes": "step|steps", "avertissement|avertissements": "warning|warnings",
    "astuce|astuces": "tip|tips", "aide": "help", "panneau|panneaux": "panel|panels",
}  # fmt: skip


def _untranslated_table() -> tuple[tuple[str, re.Pattern[str], tuple[str, ...], list[str]], ...]:
    """(key, pattern, English forms, French forms: singular first) of `_UNTRANSLATED`."""
    table = []
    for french, english in _UNTRANSLATED.items():
        forms = french.split("|")
        pattern = re.compile(
            rf"(?<![\w-])(?:{'|'.join(_forms(f) for f in forms)})(?![\w-])", re.IGNORECASE
        )
        table.append((english.split("|")[0], pattern, tuple(english.split("|")), forms))
    return tuple(table)


UNTRANSLATED = _untranslated_table()


def _untranslated_found(row: Row, part: str) -> list[tuple[str, re.Match[str], str]]:
    """(key, French match, the English word as the source writes it) of this part."""
    blocked = _blocked(row)
    found = []
    for key, pattern, english, french in UNTRANSLATED:
        if part_of(f"untranslated_word:{key}") != part:
            continue
        written = [
            m.group()
            for form in english
            for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", row.source, re.I)
        ]
        if not written:
            continue
        for match in pattern.finditer(row.translation):
            if _free(match.start(), match.end(), blocked):
                said = " ".join(match.group().lower().replace("’", "'").split())
                wanted = english[-1] if said == french[-1] else english[0]
                same = [w for w in written if w.lower() == wanted] or written
                found.append((key, match, same[0]))
    return found


def untranslated_word(
    row: Row, rng: random.Random, part: str, avoid: Collection[str] = ()
) -> Planted | None:
    """A French word whose English equivalent is in the source becomes that English word,
    as the source writes it."""
    found = [f for f in _untranslated_found(row, part) if f[0] not in avoid]
    if not found:
        return None
    key, match, word = rng.choice(found)
    if match.group()[:1].islower() and not word.isupper():
        word = word[:1].lower() + word[1:]
    new = _case_like(match.group(), word)
    return _planted(row, match.start(), match.end(), new, "untranslated_word", key)


def calque(row: Row, rng: random.Random, part: str, avoid: Collection[str] = ()) -> Planted | None:
    return _plant_rewrite(row, rng, part, CALQUES, "calque", avoid)


def preposition(
    row: Row, rng: random.Random, part: str, avoid: Collection[str] = ()
) -> Planted | None:
    return _plant_rewrite(row, rng, part, PREPOSITIONS, "preposition", avoid)


def table_keys(kind: str, row: Row, part: str) -> set[str]:
    """The table rows of `kind` (calque, preposition, untranslated_word) that fit `row`."""
    if kind == "untranslated_word":
        return {key for key, _, _ in _untranslated_found(row, part)}
    table = CALQUES if kind == "calque" else PREPOSITIONS
    return {rewrite.key for rewrite, _ in _rewrites_found(row, part, table, kind)}


# --- 4. numbers ------------------------------------------------------------------------
_NUMBER = re.compile(r"(?<![\w.,/:\[-])\d+(?![\w/:\]-]|[.,]\d)")  # not a note mark "[2]"
_GROUPED = re.compile(  # a number of four digits or more, grouped the French way or not
    r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\w.,]|[.,]\d)|(?<![\w.,])\d{4,}(?![\w.,])"
)
_DECIMAL = re.compile(r"(?<![\w.,])\d+,\d+(?![\w.,]|[.,]\d)")
_ORDINAL = re.compile(r"(?<![\w.,])(\d+)(?:er|re|e|ème|ᵉ|ʳᵉ|ᵉʳ)(?![\w])")
_UNITS = {"Ko": "Mo", "Mo": "Go", "Go": "To", "Mo/s": "Go/s", "Mbit/s": "Gbit/s"}


def _english_ordinal(value: int) -> str:
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10)
    return f"{value}{suffix or 'th'}"


NUMBER_VARIANTS = ("thousands_separator", "decimal_point", "ordinal", "magnitude", "missing_number")
_UNIT_FR = (
    r"[ \u00a0\u202f]?(?:Ko|Mo|Go|To|[kMG]?Hz|%|px|pixels|secondes?|minutes?|heures?|jours?|V|W)\b"
)
_UNIT_EN = r" ?(?:KB|MB|GB|TB|[kMG]?Hz|%|px|pixels|seconds?|minutes?|hours?|days?|V|W)\b"


def number(
    row: Row, rng: random.Random, part: str, avoid: Collection[str] = (), want: str | None = None
) -> Planted | None:
    """A number written the English way (a thousands comma, a decimal point, "1st") where
    the French has one to write, else its magnitude changed or the number left out; `want`
    asks for one of `NUMBER_VARIANTS`. Decimals are rare in the corpus: for
    "decimal_point", a quantity both sides give ("780MB", "780 Mo") may become "780.5" in
    both, the English point kept."""
    text = row.translation
    blocked = _blocked(row)

    def free(found: Iterable[re.Match[str]]) -> list[re.Match[str]]:
        return [m for m in found if _free(m.start(), m.end(), blocked)]

    grouped = [
        m
        for m in free(_GROUPED.finditer(text))
        if not re.fullmatch(r"(?:19|20)\d\d", m.group())  # a year keeps its four digits
    ]
    if grouped and want in (None, "thousands_separator"):
        match = rng.choice(grouped)
        value = int(re.sub(r"\D", "", match.group()))
        return _planted(row, *match.span(), f"{value:,}", "number", "thousands_separator")
    decimals = [  # "1,2 or 3" in the source is a list, not a number to write "1.2"
        m for m in free(_DECIMAL.finditer(text)) if m.group().replace(",", ".") in row.source
    ]
    if decimals and want in (None, "decimal_point"):
        match = rng.choice(decimals)
        new = match.group().replace(",", ".")
        return _planted(row, *match.span(), new, "number", "decimal_point")
    ordinals = free(_ORDINAL.finditer(text))
    if ordinals and want in (None, "ordinal"):
        match = rng.choice(ordinals)
        new = _english_ordinal(int(match.group(1)))
        return _planted(row, *match.span(), new, "number", "ordinal")
    numbers = free(_NUMBER.finditer(text))
    if want == "decimal_point":
        quantities = [
            (m, s)
            for m in numbers
            if re.match(_UNIT_FR, text[m.end() :])
            for s in re.finditer(rf"(?<![\w.,]){m.group()}(?={_UNIT_EN})", row.source)
        ]
        if not quantities:
            return None
        match, in_source = rng.choice(quantities)
        new = match.group() + ".5"
        source = row.source[: in_source.start()] + new + row.source[in_source.end() :]
        return _planted(row, *match.span(), new, "number", "decimal_point", source=source)
    if not numbers or want not in (None, "magnitude", "missing_number"):
        return None
    match = rng.choice(numbers)
    variant = want or rng.choice(("magnitude", "missing_number"))
    if variant == "missing_number":
        return _planted(row, *match.span(), "", "number", variant)
    unit = re.match(r"[ \u00a0\u202f]?(Ko|Mo|Go|Mo/s|Mbit/s)\b", text[match.end() :])
    if unit and rng.random() < 0.5:
        start = match.end() + unit.start(1)
        new = _UNITS[unit.group(1)]
        return _planted(row, start, start + len(unit.group(1)), new, "number", "magnitude")
    digits = match.group()
    new = digits + "0" if len(digits) == 1 or rng.random() < 0.5 else digits[:-1]
    return _planted(row, *match.span(), new, "number", "magnitude")


# --- 5. placeholders: inline code of the source lost or renamed ----------------------------
_CODE_WORDS = {
    "network": "réseau", "home": "accueil", "config": "configuration", "file": "fichier",
    "files": "fichiers", "user": "utilisateur", "settings": "paramètres", "disk": "disque",
    "boot": "amorçage", "install": "installer", "mount": "monter", "list": "liste",
    "help": "aide", "root": "racine", "main": "principal", "default": "défaut",
    "name": "nom", "password": "motdepasse", "desktop": "bureau", "share": "partage",
}  # fmt: skip


def _renamed(code: str, rng: random.Random) -> str:
    """What a translation engine makes of code: an English word in it translated, a space
    after its punctuation, or its first letter's case changed."""
    words = [m for m in re.finditer(r"[A-Za-z]+", code) if m.group().lower() in _CODE_WORDS]
    if words:
        word = rng.choice(words)
        new = _case_like(word.group(), _CODE_WORDS[word.group().lower()])
        return code[: word.start()] + new + code[word.end() :]
    marks = [m.end() for m in re.finditer(r"[./=:_-](?=\w)", code) if m.start() > 0]
    if marks:
        at = rng.choice(marks)
        return code[:at] + " " + code[at:]
    first = code[:1]
    return (first.lower() if first.isupper() else first.upper()) + code[1:]


def placeholder(
    row: Row, rng: random.Random, part: str, avoid: Collection[str] = ()
) -> Planted | None:
    """A piece of inline code both sides share (a command, a file name, a key, a URL) is
    left out of the translation or renamed."""
    found = [m for code in row.code for m in re.finditer(re.escape(code), row.translation)]
    if not found:
        return None
    match = rng.choice(found)
    shape = _shape(match.group())
    if rng.random() < 0.5:
        return _planted(row, *match.span(), "", "placeholder", f"lost {shape}")
    new = _renamed(match.group(), rng)
    return _planted(row, *match.span(), new, "placeholder", f"renamed {shape}")


_KEYS = re.compile(
    r"(?:Ctrl|Alt|AltGr|Shift|Maj|Super|Fn|Tab|Esc|Échap|Enter|Entrée|Del|Suppr|F\d+|.)"
    r"(?:\+.+)*|.*\+.*"
)


def _shape(code: str) -> str:
    """What the code looks like: url, path, option, key, command (words) or name."""
    if _URL.fullmatch(code):
        return "url"
    if "/" in code:
        return "path"
    if code.startswith("-"):
        return "option"
    if _KEYS.fullmatch(code):
        return "key"
    return "command" if " " in code else "name"


# --- 6. agreement --------------------------------------------------------------------------
_PARTICIPLE = re.compile(r"(?<![\w-])([a-zà-öø-ÿœ]{3,}?)(ées|és|ée|é)(?![\w-])")
_PLURAL_DET = re.compile(
    r"(?<![\w-])(?:les|des|ces|mes|tes|ses|nos|vos|leurs|plusieurs|quelques|certains|"
    r"certaines|deux|trois|quatre|cinq|dix)\s+([a-zà-öø-ÿœ]{3,}?)(s|x)(?![\w-])",
    re.IGNORECASE,
)
_UN_UNE = re.compile(r"(?<![\w'’-])(un|une|Un|Une)\s+(?=[a-zà-öø-ÿœ])(?!peu\b|des\b|de\b)")
_GENDERED = {
    "tous": "toutes", "toutes": "tous", "tout": "toute", "toute": "tout",
    "nouveau": "nouvelle", "nouvelle": "nouveau", "nouveaux": "nouvelles",
    "nouvelles": "nouveaux", "premier": "première", "première": "premier",
    "premiers": "premières", "premières": "premiers", "dernier": "dernière",
    "dernière": "dernier", "derniers": "dernières", "dernières": "derniers",
    "certain": "certaine", "certaine": "certain", "aucun": "aucune", "aucune": "aucun",
}  # fmt: skip
_GENDERED_WORD = re.compile(
    r"(?<![\w'’-])(?:(?:tous|toutes|tout|toute)(?=\s+(?:les?|la|l['’]|une?|ces|cette|ce|vos|"
    r"votre|ses|son|sa|leurs?|mes|mon|ma)\b)|(?:nouveaux|nouvelles|nouvelle|nouveau|premières|"
    r"premiers|première|premier|dernières|derniers|dernière|dernier|certaine|certain|aucune|"
    r"aucun)(?=\s+[a-zà-öø-ÿœ]))",
    re.IGNORECASE,
)
_SAME_IN_PLURAL = frozenset(
    "deux trois six dix plus moins fois mois temps pays corps dos cas prix choix voix accès "
    "processus souris avis bras repas fils divers gens puis mais jamais alors".split()
)
_OTHER_ENDING = {"é": "ée", "ée": "é", "és": "ées", "ées": "és"}


def _french_word(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "fr") >= 2.0


def agreement(
    row: Row, rng: random.Random, part: str, avoid: Collection[str] = ()
) -> Planted | None:
    """A gender or number that no longer agrees: a participle's ending, a plural noun
    made singular after its determiner, "un"/"une", a gendered determiner or adjective."""
    text = row.translation
    blocked = _blocked(row)
    choices: list[tuple[str, int, int, str]] = []
    for m in _PARTICIPLE.finditer(text):
        feminine = m.group(1) + ("ées" if m.group(2).endswith("s") else "ée")
        if _free(m.start(), m.end(), blocked) and _french_word(feminine):
            new = m.group(1) + _OTHER_ENDING[m.group(2)]
            choices.append(("participle", m.start(), m.end(), new))
    for m in _PLURAL_DET.finditer(text):
        singular = m.group(1)
        plural = singular.lower() + m.group(2)
        if (
            plural not in _SAME_IN_PLURAL
            and _free(m.start(), m.end(), blocked)
            and _french_word(singular.lower())
        ):
            choices.append(("plural_noun", m.start(1), m.end(2), singular))
    for m in _UN_UNE.finditer(text):
        if _free(m.start(), m.end(), blocked):
            new = {"un": "une", "une": "un", "Un": "Une", "Une": "Un"}[m.group(1)]
            choices.append(("un_une", m.start(1), m.end(1), new))
    for m in _GENDERED_WORD.finditer(text):
        if _free(m.start(), m.end(), blocked):
            new = _case_like(m.group(), _GENDERED[m.group().lower()])
            choices.append(("gender", m.start(), m.end(), new))
    if not choices:
        return None
    variant, start, end, new = rng.choice(choices)
    return _planted(row, start, end, new, "agreement", variant)


# --- 7. word order -------------------------------------------------------------------------
_DET = (  # a determiner and the blank after it
    r"(?:(?:le|la|les|un|une|des|du|ce|cet|cette|ces|votre|vos|son|sa|ses|leur|leurs"
    r"|mon|ma|mes)\s+|l['’])"
)
_ADJECTIVE = re.compile(  # the endings of adjectives that follow their noun
    r"[a-zà-öø-ÿœ]{2,}(?:ique|iques|able|ables|ible|ibles|el|elle|els|elles|if|ive|ifs|ives"
    r"|aire|aires|al|ale|ales|é|ée|és|ées|ant|ante|ants|antes)"
    r"|(?:supéri|inféri|extéri|intéri|antéri|postéri)eure?s?"
)
_NOUN_ADJ = re.compile(
    rf"(?<![\w-]){_DET}(?P<noun>[a-zà-öø-ÿœ]{{3,}})\s+(?P<adj>[a-zà-öø-ÿœ]{{4,}})(?![\w'’-])",
    re.IGNORECASE,
)
_NOUN_DE_NOUN = re.compile(
    rf"(?<![\w-]){_DET}(?P<noun>[a-zà-öø-ÿœ]{{3,}})\s+de\s+(?P<other>[a-zà-öø-ÿœ]{{3,}})"
    r"(?![\w'’-])",
    re.IGNORECASE,
)
_VERB_ADVERB = re.compile(
    r"(?<![\w-])(?P<subject>vous|il|elle|on|ils|elles|nous|cela|ceci)\s+"
    r"(?P<verb>[a-zà-öø-ÿœ]{3,})\s+(?P<adverb>aussi|également|toujours|souvent|déjà|"
    r"automatiquement|simplement|généralement|facilement|rapidement|seulement|uniquement|"
    r"habituellement|normalement|immédiatement|encore)(?![\w-])",
    re.IGNORECASE,
)
_FUNCTION_WORDS = frozenset(
    "le la les un une des du de ce cette ces cet qui que dont où pas plus ne se sur dans par "
    "pour avec sans sous vers chez entre est sont être avoir peut peuvent doit doivent mot "
    "passe et ou mais donc car peu plupart moins beaucoup trop assez fois cas lors autre "
    "autres même mêmes tout tous toute toutes seul seule seuls seules nouveau nouvelle "
    "nouveaux nouvelles premier première premiers premières dernier dernière derniers "
    "dernières quelques plusieurs chaque certains certaines différents différentes divers "
    "diverses grand grande grands grandes petit petite petits petites bon bonne meilleur "
    "meilleure".split()
)


def word_order(
    row: Row, rng: random.Random, part: str, avoid: Collection[str] = ()
) -> Planted | None:
    """English order in French: an adjective before its noun ("le externe disque"), a
    noun complement before its noun ("le fichiers gestionnaire"), an adverb before the
    verb ("vous également pouvez")."""
    text = row.translation
    blocked = _blocked(row)
    choices: list[tuple[str, int, int, str]] = []
    for m in _NOUN_ADJ.finditer(text):
        noun, adj = m.group("noun"), m.group("adj")
        if (
            _ADJECTIVE.fullmatch(adj.lower())
            and noun.lower() not in _FUNCTION_WORDS
            and not _ADJECTIVE.fullmatch(noun.lower())
            and _free(m.start(), m.end(), blocked)
        ):
            choices.append(("adjective_first", m.start("noun"), m.end("adj"), f"{adj} {noun}"))
    for m in _NOUN_DE_NOUN.finditer(text):
        noun, other = m.group("noun"), m.group("other")
        if (
            {noun.lower(), other.lower()}.isdisjoint(_FUNCTION_WORDS)
            and _free(m.start(), m.end(), blocked)
        ):  # fmt: skip
            choices.append(("noun_stack", m.start("noun"), m.end("other"), f"{other} {noun}"))
    for m in _VERB_ADVERB.finditer(text):
        if m.group("verb") not in _FUNCTION_WORDS - {"peut", "peuvent", "doit", "doivent"}:
            new = f"{m.group('adverb')} {m.group('verb')}"
            choices.append(("adverb_first", m.start("verb"), m.end("adverb"), new))
    if not choices:
        return None
    variant, start, end, new = rng.choice(choices)
    return _planted(row, start, end, new, "word_order", variant)


# --- 8. duplications ---------------------------------------------------------------------
def duplication(
    row: Row, rng: random.Random, part: str, avoid: Collection[str] = ()
) -> Planted | None:
    """A word or a run of two to four words written twice in a row."""
    text = row.translation
    blocked = _blocked(row)
    words = [m for m in _WORD.finditer(text) if _free(m.start(), m.end(), blocked)]
    runs = []
    for size in (1, 2, 3, 4):
        for group in (words[i : i + size] for i in range(len(words) - size + 1)):
            gaps = [text[a.end() : b.start()] for a, b in itertools.pairwise(group)]
            if all(g == " " for g in gaps) and (size > 1 or len(group[0].group()) >= 3):
                runs.append((group[0].start(), group[-1].end()))
    if not runs:
        return None
    start, end = rng.choice(runs)
    copy = text[start:end]
    new = text[:end] + " " + copy + text[end:]
    variant = "word" if " " not in copy else "phrase"
    return Planted(row, new, "duplication", variant, end + 1, end + 1 + len(copy), row.source)


PLANTERS: dict[str, Planter] = {
    "calque": calque,
    "preposition": preposition,
    "untranslated_word": untranslated_word,
    "number": number,
    "placeholder": placeholder,
    "agreement": agreement,
    "word_order": word_order,
    "duplication": duplication,
}


TABLE_KINDS = ("calque", "preposition", "untranslated_word")
PER_PHRASE = 3  # errors of one table row in a part before the others' turn


def plant(rows: list[Row], count: int, *, seed: int, part: str) -> dict[int, Planted]:
    """`count` errors in `rows` (one part): row index -> the error. The kinds come in
    turn (and the number variants in turn within "number"); each takes the next row of its
    own shuffled order that it fits and that holds no error yet, so a kind that fits few
    rows still gets its share; a variant with no row left falls back to any number. A
    table's row is planted `PER_PHRASE` times at most while others still fit a row, so
    that one frequent phrase does not make a kind."""
    rng = random.Random(seed)
    orders: dict[str, list[int]] = {}
    for pool in (*KINDS, *(f"number:{v}" for v in NUMBER_VARIANTS)):
        orders[pool] = list(range(len(rows)))
        rng.shuffle(orders[pool])
    planted: dict[int, Planted] = {}
    tried: dict[str, int] = dict.fromkeys(orders, 0)  # where each order's scan is
    used: dict[str, collections.Counter[str]] = {k: collections.Counter() for k in TABLE_KINDS}
    keys: dict[str, dict[int, set[str]]] = {k: {} for k in TABLE_KINDS}
    for slot in range(count):
        kind = KINDS[slot % len(KINDS)]
        if kind in TABLE_KINDS:
            _take_phrase(rows, orders[kind], planted, kind, used[kind], keys[kind], rng, part)
            continue
        pools: list[tuple[str, str | None]] = [(kind, None)]
        if kind == "number":
            variant = NUMBER_VARIANTS[(slot // len(KINDS)) % len(NUMBER_VARIANTS)]
            pools.insert(0, (f"number:{variant}", variant))
        for pool, want in pools:
            if _take(rows, orders[pool], tried, pool, planted, kind, want, rng, part):
                break
    return planted


def _take(
    rows: list[Row],
    order: list[int],
    tried: dict[str, int],
    pool: str,
    planted: dict[int, Planted],
    kind: str,
    want: str | None,
    rng: random.Random,
    part: str,
) -> bool:
    """Plant `kind` (the `want` number variant) in the next row of `order` it fits."""
    while tried[pool] < len(order):
        index = order[tried[pool]]
        tried[pool] += 1
        if index in planted:
            continue
        if want is None:
            found = PLANTERS[kind](rows[index], rng, part)
        else:
            found = number(rows[index], rng, part, want=want)
        if found is not None:
            planted[index] = found
            return True
    return False


def _take_phrase(
    rows: list[Row],
    order: list[int],
    planted: dict[int, Planted],
    kind: str,
    used: collections.Counter[str],
    keys: dict[int, set[str]],
    rng: random.Random,
    part: str,
) -> bool:
    """Plant a table's `kind` in the first row of `order` that a row of the table used
    fewer than `PER_PHRASE` times fits (more times when none is left)."""
    cap = PER_PHRASE
    while True:
        avoid = {key for key, times in used.items() if times >= cap}
        for index in order:
            if index in planted:
                continue
            if index not in keys:
                keys[index] = table_keys(kind, rows[index], part)
            if keys[index] - avoid:
                found = PLANTERS[kind](rows[index], rng, part, avoid)
                if found is not None:
                    planted[index] = found
                    used[found.variant] += 1
                    return True
        if not avoid:
            return False
        cap += 1


def rows_of(rows: Iterable[Row], part: str) -> Iterator[Row]:
    """The rows of the documents of one part."""
    return (row for row in rows if part_of(row.doc) == part)
