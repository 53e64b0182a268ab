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

Tags and entities are compared by `source_tags` (checks/source.py). What the translation
adds is flagged where it stands; what it lost, on the whole segment.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable
from typing import ClassVar

from mtreview.checks.base import Check, DocumentContext, register_check, segment_spans
from mtreview.checks.protected import PLACEHOLDER, ProtectedSpan, protected_spans
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
        "plain %s/%d put in another order [needs a source]"
    )

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        if not segment.source:
            return []
        formats = tuple(segment.formats)
        target = compared_tokens(segment.text, segment_spans(segment), formats)
        source_spans = protected_spans(segment.source, None, formats)
        source = compared_tokens(segment.source, source_spans, formats)
        if not source and not target:
            return []
        icu = any(t.syntax == "icu" for t in (*source, *target))
        flags: list[Flag] = []
        missing: list[str] = []
        for policy in POLICIES:
            ours = [t for t in target if _policy(t, icu) == policy]
            theirs = [t for t in source if _policy(t, icu) == policy]
            flags += self._extra(ours, theirs, policy)
            missing += self._missing(ours, theirs, policy)
        if _printf_specs(source) == _printf_specs(target):
            flags += self._order(source, target)
        flags.sort(key=lambda f: (f.start, f.end))
        if missing:
            stripped = segment.text.strip()
            start = segment.text.index(stripped) if stripped else 0
            shown = ", ".join(f"“{key}”" for key in missing[:5])
            message = f"placeholder {shown} of the source is missing"
            flags.append(self.flag(start, start + max(1, len(stripped)), message))
        return flags

    def _extra(self, ours: list[Token], theirs: list[Token], policy: str) -> list[Flag]:
        """Flags on the tokens the source does not have (the first of each for sets)."""
        wanted, have = _keys(theirs, policy), _keys(ours, policy)
        extra = have - wanted
        lost = sorted((wanted - have).elements())
        flags = []
        for token in ours:
            key = str(token.key)
            if not extra[key]:
                continue
            extra[key] -= 1
            if policy == KEPT or (policy == CATEGORY and _plural_key(key)):
                continue  # the translation's own term, or a plural category French needs
            if policy == CATEGORY:
                message = f"“{token.text}”: not a plural category (one, many, other, =N …)"
            else:
                message = f"placeholder “{key}” is not in the source"
                same = [other for other in lost if _same_syntax(other, token, theirs)]
                if same:
                    message += f" (it has “{same[0]}”)"
            flags.append(self.flag(token.start, token.end, message))
        return flags

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
            return [self.flag(token.start, token.end, message)]
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
