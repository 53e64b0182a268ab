"""Placeholders compared with the source: lost, added, renamed or put in an order the
program cannot follow.

The tokens of every syntax (`checks/syntaxes.py`) that survive as protected placeholder
spans are compared by key, each syntax by its policy:

- printf, Python `%(name)s`, `{name}`/`{0}`, Qt `%1`, shell `$HOME`: as a multiset, each
  occurrence of the source kept and none added. Order is free where the placeholder names
  its argument (`%(name)s`, `{0}`, `%1`, `%2$s`); plain printf placeholders take their
  arguments in order, so `%s … %d` translated as `%d … %s` is flagged (the fix is
  `%2$d … %1$s`);
- Fluent variables and ICU arguments: as sets (a plural's branches repeat them or use
  `#`); Fluent terms and message references of the source must be kept, the translation
  may add its own (a term's gender selector);
- ICU plural/select and Fluent selector keys: every key of the source kept (`=0`, `one`,
  `other`); a plural may add keys only of the plural categories (`many`) or `=N`.

Code of the source that must reach the translation unchanged is compared too (`code_flags`):
file paths, command-line options (by name: `--output=FICHIER` keeps `--output`),
identifiers and file names (`snake_case`, `camelCase`, `libfoo.so`, `.bashrc`), key
combinations and key names (`Ctrl+Alt+T`, `Super`; `Shift` may be `Maj`, `Delete`
`Suppr`) and program names (a lowercase word no English or French text writes: `tasksel`,
`lspci`). One written with another case or a space inside (`/etc/ fstab`) or close to one
the translation has instead (`--mach` for `--match`) is flagged where it stands (a
lowercase word capitalised mid-sentence, `le paquet Sudo`, also where it is not
`name_like` but rare in English and no French word: `_capitalised`); one lost,
on the whole segment (a program name only where the source calls it one: `run tasksel`,
or, in a sentence of running text, where the rest of its document keeps the word: a
lowercase word French does not write and English rarely does, kept in at least 2 other
rows and 80% of those with it, `chroot`, `partman`, in a row at least 95% as long as its
source: `_kept_names`).
A translated metavariable (`nom_serveur` for `server_name`) is the translator's choice
and passes. Tags and entities are compared by `source_tags`, URLs and
e-mail addresses by `source_urls` (checks/source.py). What the translation adds is flagged
where it stands; what it lost, on the whole segment.
"""

from __future__ import annotations

import collections
import dataclasses
import difflib
import functools
import re
from collections import Counter
from collections.abc import Iterable
from typing import ClassVar

from mtreview.checks.base import (
    SENTENCE_END,
    Check,
    DocumentContext,
    register_check,
    segment_spans,
)
from mtreview.checks.protected import (
    IDENTIFIER,
    OPTION,
    PATH,
    PLACEHOLDER,
    ProtectedSpan,
    protected_spans,
)
from mtreview.checks.syntaxes import (
    CATEGORY,
    COUNT,
    KEPT,
    PLURAL_CATEGORIES,
    PRINTF_POSITION,
    SET,
    Token,
    find_tokens,
    printf_spec,
)
from mtreview.documents import Segment
from mtreview.flags import Flag

POLICIES = (COUNT, SET, KEPT, CATEGORY)


def compared_tokens(
    text: str, spans: Iterable[ProtectedSpan], formats: tuple[str, ...]
) -> list[Token]:
    """The tokens of `text` that survive as placeholder spans (not a `%20` inside a URL)
    and have a key."""
    by_span = {(t.start, t.end): t for t in find_tokens(text, formats)}
    tokens = [
        by_span[s.start, s.end]
        for s in spans
        if s.kind == PLACEHOLDER and (s.start, s.end) in by_span
    ]
    return [t for t in tokens if t.key is not None]


def _policy(token: Token, icu: bool) -> str:
    """Inside an ICU message `{name}` is one of its arguments: a set (branches repeat it)."""
    return SET if icu and token.syntax == "brace" else token.policy


_SELECTOR_KEY = re.compile(r"\[([^\]]+)\] \}$|, ([^,]+) …\}$")


def _plural_key(key: str) -> bool:
    """`{count, plural, many …}`, `{ $n -> [many] }`, `=2` or `[2]`: French may add it."""
    found = _SELECTOR_KEY.search(key)
    name = next((group for group in found.groups() if group), "") if found else ""
    return name in PLURAL_CATEGORIES or name.lstrip("=").replace(".", "").isdigit()


@register_check
class SourcePlaceholders(Check):
    name = "source_placeholders"
    needs = "source"
    segment_level = True
    category = "Accuracy/Mistranslation"
    severity = "major"
    respects: ClassVar[frozenset[str]] = frozenset()  # the placeholders are what it reads
    description = (
        "placeholders (%s, {name}, { $var }, ICU plural keys …) lost, added or renamed, "
        "plain %s/%d put in another order; the source's paths, options, keys and program "
        "names lost or changed [needs a source]"
    )

    @classmethod
    def observe(cls, segment: Segment, context: DocumentContext) -> None:
        """Count, per name-like lowercase word of the source, the rows whose translation
        keeps it and those that do not (one lookup a word)."""
        if not segment.source:
            return
        found = _name_candidates(segment.source, tuple(segment.formats))
        if not found:
            return
        kept, dropped = context.state.setdefault(NAMES_STATE, (Counter(), Counter()))
        for word in found:
            (kept if _contains(segment.text, word) else dropped)[word] += 1

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        if not segment.source:
            return []
        formats = tuple(segment.formats)
        target = compared_tokens(segment.text, segment_spans(segment), formats)
        source_spans = protected_spans(segment.source, None, formats)
        source = compared_tokens(segment.source, source_spans, formats)
        icu = any(t.syntax == "icu" for t in (*source, *target))
        flags: list[Flag] = []
        missing: list[str] = []
        renamed = False
        if source or target:  # neither side holds a placeholder: nothing to compare
            for policy in POLICIES:
                ours = [t for t in target if _policy(t, icu) == policy]
                theirs = [t for t in source if _policy(t, icu) == policy]
                extra, renamed_here = self._extra(ours, theirs, policy)
                flags += extra
                renamed = renamed or renamed_here
                missing += self._missing(ours, theirs, policy)
            if _printf_specs(source) == _printf_specs(target):
                flags += self._order(source, target)
        names = _kept_names(segment, context)
        flags += self.code_flags(
            segment.text, segment.source, source_spans, segment_spans(segment), names
        )
        flags.sort(key=lambda f: (f.start, f.end))
        if missing:
            code = "renamed" if renamed else "lost"
            flags.append(self._missing_flag(segment.text, "placeholder ", missing, "", code))
        return flags

    def _missing_flag(self, text: str, what: str, items: list[str], why: str, code: str) -> Flag:
        """What of the source is missing: on the whole segment (there is no place to point)."""
        stripped = text.strip()
        start = text.index(stripped) if stripped else 0
        shown = ", ".join(f"“{item}”" for item in items[:5])
        message = f"{what}{shown} of the source is missing{why}"
        return self.flag(start, start + max(1, len(stripped)), message, code=code)

    def code_flags(
        self,
        text: str,
        source: str,
        source_spans: Iterable[ProtectedSpan],
        spans: Iterable[ProtectedSpan],
        names: frozenset[str] = frozenset(),
    ) -> list[Flag]:
        """Flags on the source's code (paths, options, identifiers, keys, program names)
        that the translation wrote otherwise (where it stands) or lost (on the whole
        segment); `names`: words of the source its document keeps as names."""
        spans = tuple(spans)
        folded = text.casefold()
        missing = [
            item
            for item in code_items(source, tuple(source_spans))
            if item.kind == KEY
            or not (_contains(text, item.key) or _may_go(source, folded, item, names))
        ]
        have = code_items(text, spans, target=True) if missing else []
        keys = {item.key for item in have}
        new = [item for item in have if item.text not in source]  # not the source's code
        flags: list[Flag] = []
        lost: list[str] = []
        for item in missing:
            if item.key in keys:
                continue
            near = _written_otherwise(text, item.text)
            if near == _OPENING or (
                item.kind == NAME
                and item.key not in names
                and _plain_word(text, source, item, near)
            ):
                continue  # `Debootstrap` opening a sentence; an English word; `mp3` as `MP3`
            if near is not None and _contains(source, text[near[0] : near[1]]):
                continue  # the source writes it so too (`NT_S390_TDB (s390 …)`)
            if near is None and item.kind in (PATH, OPTION, KEY):
                near = _closest(item, new)
            if near is not None:
                start, end = near
                written = text[start:end]
                message = f"“{written}” is written “{item.text}” in the source"
                flags.append(
                    self.flag(start, end, message, suggestion=item.text, code="code_rewritten")
                )
            elif _must_keep(item, text, new):
                lost.append(item.text)
        flags += self._broken(text, source, spans, {(f.start, f.end) for f in flags})
        if lost:
            why = " (code is written as in the source)"
            flags.append(self._missing_flag(text, "", lost, why, "code_lost"))
        return flags

    def _broken(
        self,
        text: str,
        source: str,
        spans: tuple[ProtectedSpan, ...],
        flagged: set[tuple[int, int]],
    ) -> list[Flag]:
        """Code-like words of the source (`hd-media/initrd.gz`, `interface=eth1`) written
        with a space after their punctuation, and the source's words copied with a case no
        one writes (`pDF` for `PDF`)."""
        found = []
        squashed = "".join(text.split())
        for m in _CHUNK.finditer(source):
            chunk = m.group().rstrip(_TRAILING).lstrip("(«“\"'[")
            if chunk not in squashed or _contains(text, chunk) or not _PUNCTUATED.search(chunk):
                continue
            near = _written_otherwise(text, chunk, ignore_case=False)
            if near not in (None, _OPENING) and near not in flagged:
                found.append((near, chunk))
        folded = source.casefold()
        for span in spans:
            if span.kind != IDENTIFIER or span.text in source or span.text.casefold() not in folded:
                continue
            copied = re.search(rf"(?<!\w){re.escape(span.text)}(?!\w)", source, re.IGNORECASE)
            if copied and (span.start, span.end) not in flagged:
                found.append(((span.start, span.end), copied.group()))
        flags = []
        for (start, end), code in found:
            message = f"“{text[start:end]}” is written “{code}” in the source"
            flags.append(self.flag(start, end, message, suggestion=code, code="code_rewritten"))
        return flags

    def _extra(
        self, ours: list[Token], theirs: list[Token], policy: str
    ) -> tuple[list[Flag], bool]:
        """Flags on the tokens the source does not have (the first of each for sets), and
        whether one of them stands for a placeholder of the source's (renamed): then the
        missing one is that placeholder renamed, not lost."""
        wanted, have = _keys(theirs, policy), _keys(ours, policy)
        extra = have - wanted
        lost = sorted((wanted - have).elements())
        flags = []
        renamed = False
        for token in ours:
            key = str(token.key)
            if not extra[key]:
                continue
            extra[key] -= 1
            if policy == KEPT or (policy == CATEGORY and _plural_key(key)):
                continue  # the translation's own term, or a plural category French needs
            code = "plural_key"
            if policy == CATEGORY:
                message = f"“{token.text}”: not a plural category (one, many, other, =N …)"
            else:
                message = f"placeholder “{key}” is not in the source"
                same = [other for other in lost if _same_syntax(other, token, theirs)]
                code = "renamed" if same else "extra"
                if same:
                    message += f" (it has “{same[0]}”)"
                    renamed = True
            flags.append(self.flag(token.start, token.end, message, code=code))
        return flags, renamed

    @staticmethod
    def _missing(ours: list[Token], theirs: list[Token], policy: str) -> list[str]:
        return sorted((_keys(theirs, policy) - _keys(ours, policy)).elements())

    def _order(self, source: list[Token], target: list[Token]) -> list[Flag]:
        """Plain printf placeholders take their arguments in order: the same placeholders
        in another order pass the program's values to the wrong ones."""
        wanted = _arguments(source)
        given = _arguments(target)
        expected = dict(wanted)
        for number, token in given:
            if number in expected and printf_spec(expected[number].text) == printf_spec(token.text):
                continue
            if number not in expected:
                return []  # a position the source lacks: counted as extra already
            fix = _positioned(wanted, given)
            message = (
                f"“{token.text}” takes the source's argument {number}, a "
                f"“{printf_spec(expected[number].text)}”: the placeholders are in another "
                f"order than the source's; give them positions ({fix})"
            )
            return [self.flag(token.start, token.end, message, code="order")]
        return []


def _keys(tokens: list[Token], policy: str) -> collections.Counter[str]:
    """How many times each key stands; once for the policies that compare sets."""
    keys = [str(t.key) for t in tokens]
    return collections.Counter(keys if policy == COUNT else set(keys))


def _printf_specs(tokens: list[Token]) -> collections.Counter[str]:
    return collections.Counter(printf_spec(t.text) for t in tokens if t.syntax == "printf")


def _same_syntax(key: str, token: Token, theirs: list[Token]) -> bool:
    return any(t.key == key and t.syntax == token.syntax for t in theirs)


def _arguments(tokens: list[Token]) -> list[tuple[int, Token]]:
    """(argument number, token) of each printf placeholder: its `%N$` position, or the
    next argument in order. `%%` takes none."""
    numbered = []
    following = 0
    for token in tokens:
        if token.syntax != "printf" or token.text == "%%":
            continue
        position = PRINTF_POSITION.match(token.text)
        if position:
            numbered.append((int(position.group(1)), token))
        else:
            following += 1
            numbered.append((following, token))
    return numbered


def _positioned(wanted: list[tuple[int, Token]], given: list[tuple[int, Token]]) -> str:
    """The translation's placeholders with the source's positions: `%2$d … %1$s`."""
    free = [(number, printf_spec(token.text)) for number, token in wanted]
    written = []
    for _, token in given:
        spec = printf_spec(token.text)
        number = next((n for n, s in free if s == spec), 0)
        if (number, spec) in free:
            free.remove((number, spec))
        written.append(spec.replace("%", f"%{number}$", 1))
    return " … ".join(written)


# --- code of the source: paths, options, identifiers, keys, program names -----------------
KEY = "key"
NAME = "name"
# key names as English and French write them -> one name; modifiers open a combination
_KEY_NAMES = {
    "Ctrl": "Ctrl", "Control": "Ctrl", "Ctrl.": "Ctrl", "Alt": "Alt", "AltGr": "AltGr",
    "Alt Gr": "AltGr", "Shift": "Shift", "Maj": "Shift", "Super": "Super", "Fn": "Fn",
    "Cmd": "Cmd", "Command": "Cmd", "Win": "Super", "Windows": "Super", "Tab": "Tab",
    "Tabulation": "Tab", "Esc": "Esc", "Escape": "Esc", "Échap": "Esc", "Echap": "Esc",
    "Enter": "Enter", "Return": "Enter", "Entrée": "Enter", "Space": "Space",
    "Espace": "Space", "Barre d’espace": "Space", "Barre d'espace": "Space",
    "Backspace": "Backspace", "Retour arrière": "Backspace", "Effacement": "Backspace",
    "Eff. arrière": "Backspace", "Eff. Arr.": "Backspace", "Maj.": "Shift",
    "Delete": "Delete", "Del": "Delete", "Suppr": "Delete", "Supprimer": "Delete",
    "Insert": "Insert", "Ins": "Insert", "Inser": "Insert", "Insérer": "Insert",
    "Home": "Home", "Début": "Home", "Origine": "Home", "End": "End", "Fin": "End",
    "Page Up": "PageUp", "PageUp": "PageUp", "PgUp": "PageUp", "Page préc.": "PageUp",
    "Pg. préc.": "PageUp", "Page Down": "PageDown", "PageDown": "PageDown",
    "PgDn": "PageDown", "Page suiv.": "PageDown", "Pg. suiv.": "PageDown",
    "Print Screen": "Print", "PrtSc": "Print", "PrtScn": "Print", "Print": "Print",
    "Page haut": "PageUp", "Page bas": "PageDown", "Pg. haut": "PageUp",
    "Pg. bas": "PageDown", "Impr. écran": "Print", "Impr écran": "Print", "Impr": "Print",
    "Up": "Up", "Haut": "Up",
    "Down": "Down", "Bas": "Down", "Left": "Left", "Gauche": "Left", "Right": "Right",
    "Droite": "Right", "Menu": "Menu",
}  # fmt: skip
_MODIFIERS = "Ctrl|Control|Alt|AltGr|Shift|Maj\\.?|Super|Fn|Cmd|Command|Windows|Win"
# standing alone, only the names prose never writes with a capital mid-sentence
_ALONE = r"Ctrl|Alt|AltGr|Shift|Super|Fn|Esc|Tab|Backspace|PrtSc|F\d{1,2}"
_KEY_NAME = "|".join(sorted(map(re.escape, _KEY_NAMES), key=len, reverse=True))
# A combination may follow a lowercase letter with no space: help pages that show a Mac's
# key and a PC's in turn lose the space between them when read as text ("CommandeCtrl+F3",
# "OptionAlt+Entrée"); the modifiers' capital marks the key's start.
_KEY_START = r"(?:(?<![\w+])|(?<=[a-zà-öø-ÿ]))"
_COMBINATION = re.compile(
    rf"{_KEY_START}(?:{_MODIFIERS})(?:\s?\+\s?(?:{_KEY_NAME}|F\d{{1,2}}|[^\s\w]|\w)(?!\w))+"
    rf"|{_KEY_START}(?:{_MODIFIERS})(?:-(?:{_KEY_NAME}|F\d{{1,2}}|\w)(?![\w-]))+"
)
_SINGLE_KEY = re.compile(rf"(?<![\w+-])(?:{_ALONE})(?![\w+-])")  # in a source
_ANY_KEY = re.compile(rf"(?<![\w+-])(?:{_KEY_NAME}|F\d{{1,2}})(?![\w+-])")  # in a translation
_AMBIGUOUS = frozenset({"Tab", "Shift", "Alt"})  # a window tab, a bit shift, alt text
_KEY_CUE = re.compile(r"\b(?:press|pressing|hold|holding|hit|keys?|then)\b", re.I)
_SIDE = re.compile(r"\b(?:Left|Right)\s$")
_SIDE_AFTER = re.compile(r" (?:Ctrl|Alt|Shift|Super|Win|Menu|Meta|Hyper)\b")
_KEY_HINT = re.compile(r"Ctrl|Control|Alt|Shift|Super|Fn|Cmd|Win|Tab|Esc|Backspace|PrtSc|F\d")
_SPLIT_KEYS = re.compile(r"\s?[+-]\s?(?=.)")
COMPARED_KINDS = frozenset({PATH, OPTION, IDENTIFIER})  # protected spans compared as code
_TRAILING = ".,;:!?'\")]}»”’"
_LOWER_WORD = re.compile(r"(?<![\w./~@$%{<-])[a-z][a-z0-9]{2,}(?:-[a-z0-9]+)*(?![\w/@-])")
NAME_MAX_ZIPF = 1.0  # a word written less often than this in English and French is a name


@dataclasses.dataclass(frozen=True, slots=True)
class CodeItem:
    """One piece of code of a string, `[start, end)`: `key` is what the other side must
    hold (an option's name, a key combination's names in one order)."""

    start: int
    end: int
    kind: str
    text: str
    key: str


def code_items(
    text: str, spans: tuple[ProtectedSpan, ...], *, target: bool = False
) -> list[CodeItem]:
    """The code of `text` (one item a key for the source; every one for the translation):
    paths, options (by name), identifiers, key combinations and names, and (source only)
    program names."""
    items: list[CodeItem] = []
    taken: list[tuple[int, int]] = []
    for span in spans:
        if span.kind not in COMPARED_KINDS and span.kind != PLACEHOLDER:
            continue
        taken.append((span.start, span.end))
        if span.kind == PLACEHOLDER:
            continue
        shown = span.text.rstrip(_TRAILING)
        if span.kind == OPTION:
            shown = re.split(r"[=\[<]", shown, maxsplit=1)[0].rstrip(_TRAILING)
        elif span.kind == PATH:
            shown = shown.rstrip("/")  # `/usr/share/metainfo/` is `/usr/share/metainfo`
        if len(shown) < (2 if span.kind == OPTION else 3) or _mnemonic(shown):
            continue
        items.append(CodeItem(span.start, span.start + len(shown), span.kind, shown, shown))
    if target or _KEY_HINT.search(text):
        items += _key_items(text, target)
    if target:
        return items
    items += _names(text, taken)
    unique: dict[str, CodeItem] = {}
    for item in items:
        unique.setdefault(item.key, item)
    return list(unique.values())


def _key_items(text: str, target: bool) -> list[CodeItem]:
    """Key combinations (`Ctrl+Alt+T`, `Maj+Tab`), keyed by their names in one order,
    and the keys named alone (`Super`); in a translation, any key name, and the keys of a
    combination count as named too."""
    items = []
    for m in _COMBINATION.finditer(text):
        if not target and (_SIDE.search(text, 0, m.start()) or _SIDE_AFTER.match(text, m.end())):
            continue  # `Left Ctrl+Left Win`: French writes the side after the key
        names = sorted(
            _KEY_NAMES.get(k, k.upper() if len(k) == 1 else k) for k in _SPLIT_KEYS.split(m.group())
        )
        items.append(CodeItem(m.start(), m.end(), KEY, m.group(), "+".join(names)))
        if target:
            items += [CodeItem(m.start(), m.end(), KEY, m.group(), name) for name in names]
    inside = [(i.start, i.end) for i in items]
    for m in (_ANY_KEY if target else _SINGLE_KEY).finditer(text):
        if any(a <= m.start() < b for a, b in inside):
            continue
        if (
            not target
            and m.group() in _AMBIGUOUS
            and not _KEY_CUE.search(text[max(0, m.start() - 25) : m.end() + 6])
        ):
            continue  # not said to be a key
        items.append(
            CodeItem(m.start(), m.end(), KEY, m.group(), _KEY_NAMES.get(m.group(), m.group()))
        )
    return items


def _names(text: str, taken: list[tuple[int, int]]) -> list[CodeItem]:
    """Lowercase words outside code: program names where neither English nor French
    writes them (`name_like`, asked only of the few a translation lost or changed)."""
    return [
        CodeItem(m.start(), m.end(), NAME, m.group(), m.group())
        for m in _LOWER_WORD.finditer(text)
        if not any(a < m.end() and m.start() < b for a, b in taken)
    ]


def name_like(word: str) -> bool:
    """`tasksel`, `lspci`, `tftpd-hpa`: a part of the word is no English or French word."""
    return any(_unknown_word(part) for part in word.split("-"))


@functools.lru_cache(maxsize=65536)
def _unknown_word(word: str) -> bool:
    """A word no English or French text writes, nor made of English words by English word
    formation (`preseeding`, `titlebar`, `unconfigured` are English jargon: translated)."""
    if len(word) < 3 or not word.isalpha():
        return False
    if _known(word):
        return False
    stem = _SUFFIX.sub("", word)
    if stem != word and (_known(stem) or _known(stem + "e") or _compound(stem)):
        return False
    return not _compound(word)


_SUFFIX = re.compile(r"(?:ing|ed|ers?|able|s|ation|ment|ness)$")
_PREFIXES = ("pre", "re", "un", "non", "sub", "auto", "multi", "inter", "over", "under")
COMMON_ZIPF = 3.5  # each part of an English compound is a common word (`title` + `bar`)


def _compound(word: str) -> bool:
    """An English prefix or two common English words glued (`preseed`, `mountpoint`)."""
    if any(word.startswith(p) and _known(word[len(p) :]) for p in _PREFIXES):
        return True
    return any(
        _zipf(word[:i], "en") >= COMMON_ZIPF and _zipf(word[i:], "en") >= COMMON_ZIPF
        for i in range(3, len(word) - 2)
    )


def _known(word: str) -> bool:
    return max(_zipf(word, "en"), _zipf(word, "fr")) >= NAME_MAX_ZIPF


@functools.lru_cache(maxsize=65536)
def _zipf(word: str, language: str) -> float:
    try:
        from wordfreq import zipf_frequency  # loaded on a source's first lowercase word
    except ImportError:
        return 10.0  # no word list: every word is known, none is a name
    return float(zipf_frequency(word, language))


def _mnemonic(word: str) -> bool:
    """`Pre_view`, `_Open`: a menu label with its access key, not an identifier."""
    return word.count("_") == 1 and word.replace("_", "").isalpha() and not word.endswith("_")


def _contains(text: str, key: str) -> bool:
    """`key` in `text`, not inside a longer word (`apt` is not in `adapté`)."""
    start = text.find(key)
    while start >= 0:
        end = start + len(key)
        before = not key[0].isalnum() or start == 0 or not text[start - 1].isalnum()
        after = not key[-1].isalnum() or end == len(text) or not text[end].isalnum()
        if before and after:
            return True
        start = text.find(key, start + 1)
    return False


def _written_otherwise(text: str, code: str, *, ignore_case: bool = True) -> tuple[int, int] | None:
    """Where `text` writes `code` with another case or a space after its punctuation
    (`/etc/ fstab`, `ctrl+Alt+T`); `_OPENING` where only its first letter is capitalised
    at the start of a sentence."""
    pattern = "".join(
        re.escape(c) + (r"\s?" if not c.isalnum() and i < len(code) - 1 else "")
        for i, c in enumerate(code)
    )
    flags = re.IGNORECASE if ignore_case else 0
    for m in re.finditer(rf"(?<![\w]){pattern}(?![\w])", text, flags):
        if m.group() == code:
            continue
        capitalised = m.group()[1:] == code[1:] and m.group()[:1].isupper()
        if capitalised and _SENTENCE_START.search(text, 0, m.start() + 1):
            return _OPENING
        return m.start(), m.end()
    return None


# a word of the source with punctuation between letters or digits, not a plain number
_CHUNK = re.compile(r"(?<!\S)\S*[^\W\d_][./=:_+-]\w\S*|(?<!\S)\S*\w[./=:_+-][^\W\d_]\S*")
_PUNCTUATED = re.compile(r"\w[./=:_+-]\w")
_OPENING = (-1, -1)  # the code capitalised as a sentence's first word: no change
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|^[«“\"(]\s?)\S$")


def _must_keep(item: CodeItem, text: str, new: list[CodeItem]) -> bool:
    """Whether losing `item` is an error. Pass: a translated identifier (`nom_serveur`),
    a bare extension (`a .desktop file` is `un fichier bureau`, `a .mp3` `un fichier
    MP3`), an English word after a dash (`added -edited to the name`)."""
    if item.kind == OPTION:
        word = item.text[1:]  # `-a` is an option whatever `a` means; `-edited` a word
        return len(word) == 1 or not (word.isalpha() and word.islower() and _known(word))
    if item.kind != IDENTIFIER:
        return True
    return not (_EXTENSION.fullmatch(item.text) or _translated(item.text, text, new))


_EXTENSION = re.compile(r"\.[A-Za-z0-9]+")


def _name_cue(source: str, item: CodeItem) -> bool:
    """The source says the word is a program (`the tasksel command`, `run debootstrap`,
    `the text editor nano`), or writes it as a piece of code (`modules=ppp-udeb`,
    `ppp-udeb[23]`, `ext4`): losing it is an error; jargon such as `conffile` may be
    translated, and a common English word after a noun is not a name (`package manager`)."""
    before = _CUE_BEFORE.search(source, max(0, item.start - 12), item.start)
    if before or _CUE_AFTER.match(source, item.end):
        return True
    if _named_by_noun(source, item) or _DIGITS_IN_WORD.fullmatch(item.text):
        return True  # `ext4`, `eth0`, `amd64`: no word of prose
    return bool(
        (_CODE_BEFORE.search(source, 0, item.start) or _CODE_AFTER.match(source, item.end))
        and name_like(item.text)
    )


def _may_go(source: str, folded: str, item: CodeItem, names: frozenset[str]) -> bool:
    """Most words of the source are translated: a lowercase word the translation lacks
    is missing only where the source calls it a program (`_name_cue`) or its document
    keeps it as a name (`names`)."""
    if item.kind != NAME or item.key in folded:
        return False
    return item.key not in names and not _name_cue(source, item)


def _kept_names(segment: Segment, context: DocumentContext) -> frozenset[str]:
    """The name-like words of a source sentence that the rest of its document keeps: in
    at least `MIN_KEPT_ROWS` other rows' translations, and in `MIN_KEPT_SHARE` of them.
    Only in running text (a source that ends a sentence): a catalogue's short strings keep
    their jargon in usage lines (`[-d delim]`, `unset [-f]`) and translate it in prose; and
    only in a row at least `MIN_LENGTH_RATIO` as long as its source."""
    state = context.state.get(NAMES_STATE)
    if state is None or segment.source is None or not SENTENCE_END.search(segment.source):
        return frozenset()
    if len(segment.text) < MIN_LENGTH_RATIO * len(segment.source):
        return frozenset()  # shorter than its source: it lost a clause, not only a name
    kept, dropped = state
    names = set()
    for word in _name_candidates(segment.source, tuple(segment.formats)):
        here = _contains(segment.text, word)  # this row counted itself
        others_kept = kept[word] - here
        others = others_kept + dropped[word] - (not here)
        if others_kept >= MIN_KEPT_ROWS and others_kept >= MIN_KEPT_SHARE * others:
            names.add(word)
    return frozenset(names)


@functools.lru_cache(maxsize=4096)
def _name_candidates(source: str, formats: tuple[str, ...] = ()) -> frozenset[str]:
    """Lowercase words of the source, outside its code, that French does not write and
    English rarely does (Zipf under `FRENCH_ZIPF` and `RARE_ZIPF`): `partman`, `chroot`,
    not `installation`, `compose` (`opcode`, `upstream`: jargon a catalogue keeps in its
    usage lines and translates in prose)."""
    taken = [
        (s.start, s.end)
        for s in protected_spans(source, None, formats)  # as `check` asks: computed once
        if s.kind in COMPARED_KINDS or s.kind == PLACEHOLDER
    ]
    return frozenset(
        item.key
        for item in _names(source, taken)
        if _zipf(item.key, "fr") < FRENCH_ZIPF and _zipf(item.key, "en") < RARE_ZIPF
    )


def _plain_word(text: str, source: str, item: CodeItem, near: tuple[int, int] | None) -> bool:
    """A lowercase word of the source that the translation may write otherwise: a word of
    English or French, not a program's name. A name: no English or French word
    (`name_like`), or named so by the source (`the text editor nano`); a word with digits
    lost (`ext4`); a word the translation capitalises mid-sentence (`_capitalised`)."""
    if name_like(item.text) or _named_by_noun(source, item):
        return False
    if near is None:
        return not _DIGITS_IN_WORD.fullmatch(item.text)  # `mp3` written `MP3` passes
    return not _capitalised(text, near, item)


def _capitalised(text: str, near: tuple[int, int], item: CodeItem) -> bool:
    """The translation writes a lowercase word of the source with a capital inside its
    sentence (`le paquet Sudo`, `dans Partman`): read as a name, so the source's own
    spelling is the name's; not a word French writes (`Standard`, `Expert`: a label) nor
    one English text writes often (`Internet`, `Web`, `Linux`: a translator's capital)."""
    written = text[near[0] : near[1]]
    return (
        written == item.text.capitalize()
        and item.text.isalpha()
        and _zipf(item.text, "fr") < FRENCH_ZIPF
        and _zipf(item.text, "en") < RARE_ZIPF
    )


RARE_ZIPF = 3.0  # `sudo`, `partman`; not `internet`, `web`, `linux`, `large`
FRENCH_ZIPF = 3.0  # a word French writes (`standard`, `expert`, `aide`): a label, no name
NAMES_STATE = "source_names"  # DocumentContext.state key: (kept, dropped) counters
# A name its document keeps: kept in this many other rows, and in this share of the other
# rows whose source has it (fit on names lost or renamed in every row of the MT set's tune
# part, and the catalogues' quick run: lower bounds cost false alarms on their jargon)
MIN_KEPT_ROWS = 2
MIN_KEPT_SHARE = 0.8
MIN_LENGTH_RATIO = 0.95  # French runs longer than English: a shorter row dropped more


def _named_by_noun(source: str, item: CodeItem) -> bool:
    """`the text editor nano.`: a word no more common than `COMMON_ZIPF` that ends its
    phrase after the noun that says it is a program is its name, even a word of English."""
    return bool(
        _CUE_NOUN_BEFORE.search(source, max(0, item.start - 12), item.start)
        and _CLAUSE_END.match(source, item.end)
        and _zipf(item.text, "en") < COMMON_ZIPF
        and not _ENGLISH_DERIVED.search(item.text)  # `the tool chaining`: English
    )


_CUE_BEFORE = re.compile(
    r"\b(?:run|running|type|typing|install|installing|execute|launch|invoke)\s+$", re.I
)
_CUE_AFTER = re.compile(
    r"\s+(?:commands?|packages?|programs?|utility|utilities|tools?|daemon|binary|scripts?)\b"
)
# the name of a program after the noun that says what it is: `the text editor nano.`
_CUE_NOUN_BEFORE = re.compile(
    r"\b(?:editor|command|program|utility|tool|daemon)\s+$", re.I
)  # not `package`, `shell`: they qualify the next noun (`package maintainers`, `shell builtin`)
_ENGLISH_DERIVED = re.compile(r"(?:ing|ed|ers|ation|ment|ness|able|ible|es)$")
_CLAUSE_END = re.compile(r"\s*(?:[.,;:!?)]|$|\s(?:to|and|or|for|is|with|in|on|from|which|that)\b)")
# a lowercase word with digits after its letters: a device, file system or architecture
_DIGITS_IN_WORD = re.compile(r"[a-z]{2,}\d+[a-z\d]*")
# code punctuation against the word: an option's value, an index, a package's qualifier
_CODE_BEFORE = re.compile(r"=$")
_CODE_AFTER = re.compile(r"[=\[][^\s]")  # not `:`, which ends a label (`txqueuelen:%d`)


def _translated(code: str, text: str, new: list[CodeItem]) -> bool:
    """An identifier or file name the translator wrote otherwise on purpose: a
    metavariable or an example translated (`nom_serveur`, `exemple.txt`: the translation
    has code of its own; `chaîne2` for `string2`), or spaced (`RAID 10` for `RAID10`)."""
    if any(i.kind == IDENTIFIER for i in new):
        return True
    if re.sub(r"[\s-]", "", code) in re.sub(r"[\s-]", "", text):
        return True
    number = re.search(r"[^\W\d_]{2,}(\d+)$", code)
    return bool(number and re.search(rf"[^\W\d_]{{2,}}{number.group(1)}\b", text))


def _closest(item: CodeItem, candidates: list[CodeItem]) -> tuple[int, int] | None:
    """The translation's code of the same kind most like `item` (a word of it translated,
    a letter changed), where one is close enough."""
    best, score = None, 0.7
    for other in candidates:
        if other.kind != item.kind:
            continue
        ratio = difflib.SequenceMatcher(None, item.text, other.text).ratio()
        if ratio >= score:
            best, score = other, ratio
    return (best.start, best.end) if best else None
