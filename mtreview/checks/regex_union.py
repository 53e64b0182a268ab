"""A long union of regular expressions rewritten so that `re` compiles it in a fraction of the
time, matching the same strings.

spaCy's French tokenizer joins 266 anchored expressions into one 1.45-million-character
pattern (`(?iu)(?:^anti[-–]…[a-zà-ÿ…]…$)|(?:^archi[-–]…$)|…`) in which the same huge
character classes come back hundreds of times; `re` parses and optimises every copy, about
2 CPU seconds. `factor_union` shares the branches' common leading and trailing pieces, so
each class is written (and compiled) a handful of times: `(?:^anti|^archi|…)[-–]…$`.

Why the language is unchanged: as a relation between start and end positions, a
concatenation is the composition of its pieces' relations and an alternation their union,
and composition distributes over union, so `AB|AC` and `A(?:B|C)` match the same (start,
end) pairs. That holds for characters, classes, anchors, lookarounds and non-capturing
groups with greedy or lazy quantifiers, which is all this module accepts; capturing groups,
back references, atomic groups, possessive quantifiers and escapes it does not know make it
return None (compile the pattern as it is). Which end a backtracking search reaches first
may differ; spaCy only asks whether a token matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")
# the pieces of a pattern, one a match: a class, an escape, a group's start or end, "|", a
# repeat, or any other character
_PIECE = re.compile(
    r"(?P<cls>\[\^?\]?(?:[^\\\]]+|\\.)*\])"
    r"|(?P<esc>\\.)"
    r"|(?P<open>\((?:\?(?::|=|!|<=|<!))?)"
    r"|(?P<close>\))"
    r"|(?P<bar>\|)"
    r"|(?P<rep>(?:[*+?]|\{\d+(?:,\d*)?\}|\{,\d+\})\??)"
    r"|(?P<char>.)",
    re.DOTALL,
)
_PLAIN_ESCAPES = frozenset("dDsSwWbBAZ")


class _Refused(Exception):
    """The pattern holds something this module does not rewrite."""


def factor_union(pattern: str) -> str | None:
    """`pattern` (global flags, then branches joined by "|") with the branches' shared
    pieces written once; None when it holds something this module does not accept."""
    flags = _FLAGS.match(pattern)
    if flags and "x" in flags.group():
        return None  # verbose: blanks and "#" would mean something else
    start = flags.end() if flags else 0
    try:
        branches = _branches(pattern, start)
        if len(branches) < 2:
            return None
        return pattern[:start] + _factor(branches)
    except (_Refused, RecursionError):  # RecursionError: thousands of nested shared pieces
        return None


def _branches(pattern: str, start: int) -> list[tuple[str, ...]]:
    """The top-level branches of `pattern[start:]`, each as its atoms (a character, an
    escape, a class or a group, with its repeat); a branch that is one "(?:…)" group
    without "|" at its top is its content's atoms."""
    branches: list[list[str]] = [[]]
    depth = 0
    atom_start = start
    repeatable = False
    for piece in _PIECE.finditer(pattern, start):
        kind, text = piece.lastgroup, piece.group()
        if kind == "rep":
            if not repeatable:
                raise _Refused  # a repeat of nothing or of a repeat (possessive)
            repeatable = False
        else:
            repeatable = kind != "bar"
        if kind == "esc" and text[1].isalnum() and text[1] not in _PLAIN_ESCAPES:
            raise _Refused  # \u00e9, \1, \N{…}: not cut here
        if kind == "open":
            if text == "(":
                raise _Refused  # capturing, named, atomic or a flag group
            depth += 1
            repeatable = False
            if depth == 1:
                atom_start = piece.start()
            continue
        if kind == "close":
            depth -= 1
            if depth < 0:
                raise _Refused
            if depth == 0:
                branches[-1].append(pattern[atom_start : piece.end()])
            continue
        if kind == "char" and text == "{":
            raise _Refused  # a literal "{" or a malformed repeat
        if depth:
            continue
        if kind == "bar":
            branches.append([])
        elif kind == "rep":
            branches[-1][-1] += text
        else:
            branches[-1].append(text)
    if depth:
        raise _Refused
    return [_unwrapped(tuple(branch)) for branch in branches]


def _unwrapped(atoms: tuple[str, ...]) -> tuple[str, ...]:
    """The atoms of a branch that is one "(?:…)" group whose content has no top-level "|"."""
    if len(atoms) == 1 and atoms[0].startswith("(?:") and atoms[0].endswith(")"):
        content = _branches(atoms[0][3:-1], 0)
        if len(content) == 1:
            return content[0]
    return atoms


def _factor(sequences: Sequence[tuple[str, ...]]) -> str:
    """One expression matching what any of `sequences` (each a run of atoms) matches."""
    unique = list(dict.fromkeys(sequences))
    if len(unique) == 1:
        return "".join(unique[0])
    shortest = min(len(s) for s in unique)
    head = 0
    while head < shortest and all(s[head] == unique[0][head] for s in unique):
        head += 1
    tail = 0
    while tail < shortest - head and all(s[-1 - tail] == unique[0][-1 - tail] for s in unique):
        tail += 1
    if head or tail:
        middle = [s[head : len(s) - tail] for s in unique]
        first = unique[0]
        return "".join(first[:head]) + _factor(middle) + "".join(first[len(first) - tail :])
    by_last: dict[str | None, list[tuple[str, ...]]] = {}
    for sequence in unique:
        by_last.setdefault(sequence[-1] if sequence else None, []).append(sequence)
    return "(?:" + "|".join(_factor(group) for group in by_last.values()) + ")"
