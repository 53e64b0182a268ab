"""Placeholder syntaxes, one registry entry a format: how each is found in a string, and
what of it a translation must keep.

A string's code (`%s`, `{ $name }`, `{count, plural, one {…} other {…}}`, `<b>`, `&amp;`,
`width: 20em`) is not prose: `checks.protected` turns these tokens into protected spans
that no spacing, punctuation or grammar check flags inside, and `checks.placeholders`
compares the source's tokens with the translation's. Each token carries a comparison key
(None: structure, such as an ICU message's braces, never compared) and a policy saying how
the keys are compared; see `checks.placeholders`.

Structural syntaxes (ICU plural/select, Fluent selectors) are found first: their inner
text is translated prose, so only their heads, keys and braces are tokens, and those are
hidden from the other syntaxes (`other {fichiers}` is a body, not a `{name}` placeholder).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Iterator

PLACEHOLDER = "placeholder"
TAG = "tag"
CSS = "css"

# how a syntax's keys are compared with the source's (checks.placeholders)
COUNT = "count"  # each occurrence of the source kept, none added: `%s`, `{0}`, `%(name)s`
SET = "set"  # each name of the source used at least once, no other: Fluent variables
KEPT = "kept"  # each of the source kept; the translation may add its own: Fluent terms
CATEGORY = "category"  # a plural selector's keys: kept; added ones must be plural categories
PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})


@dataclasses.dataclass(frozen=True)
class Token:
    """One piece of code in a string: `[start, end)` in code points."""

    start: int
    end: int
    text: str
    syntax: str
    key: str | None = None  # what must match the source's; None: not compared
    policy: str = COUNT


Finder = Callable[[str], Iterator[Token]]


@dataclasses.dataclass(frozen=True)
class Syntax:
    """A placeholder format: its protected-span kind, an example, how it is found."""

    name: str
    kind: str
    example: str
    find: Finder
    structural: bool = False  # found first; its tokens are hidden from the other syntaxes


def _regex(
    name: str,
    pattern: re.Pattern[str],
    key: Callable[[str], str | None] = lambda text: text,
    policy: str = COUNT,
) -> Finder:
    def find(text: str) -> Iterator[Token]:
        for m in pattern.finditer(text):
            yield Token(m.start(), m.end(), m.group(), name, key(m.group()), policy)

    return find


def _no_blanks(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- printf, Python, brace, Qt, shell ----------------------------------------------------
_PRINTF_BODY = r"(?:\d+\$)?[-+0#']*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|ll|[hlLqjzZt]|I64|I32)?"
PRINTF = re.compile(
    r"%%|%<PRI[a-zA-Z0-9]+>|%p[A-Za-z]{1,3}\b|%" + _PRINTF_BODY + r"[diouxXeEfFgGaAcsSpn@]"
)
PRINTF_SPACE = re.compile(r"% " + _PRINTF_BODY + r"[diouxXeEfFgGaAcsSp]")  # c-format only
PRINTF_POSITION = re.compile(r"^%(\d+)\$")


def printf_spec(text: str) -> str:
    """`%1$s` and `%s` are the same argument kind; which argument is the position's."""
    return PRINTF_POSITION.sub("%", text)


_PYTHON = re.compile(r"%\(\w+\)[-+ 0#]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
_BRACE = re.compile(
    r"\{\{|\}\}|\{[\w.\[\]]*(?:![rsa])?(?::[^{}]*)?\}|\{\d+\s*,[^{}]*\}"
    r"|\{\w+\s*,\s*(?:number|date|time|spellout|ordinal|duration|choice)\b[^{}]*\}"
)
_QT = re.compile(r"%L?\d+")
_SHELL = re.compile(r"\$\{\w+\}|\$[A-Z_][A-Z0-9_]*\b|\$\d\b")

# --- ICU MessageFormat: {count, plural, offset:1 =0 {…} one {# fichier} other {…}} -------
_ICU_HEAD = re.compile(
    r"\{\s*(\w+)\s*,\s*(plural|selectordinal|select)\s*,\s*(?:offset\s*:\s*\d+\s*)?"
)
_ICU_KEY = re.compile(r"=\s*\d+(?:\.\d+)?|[^\s{}]+")


def _closing(text: str, opening: int) -> int | None:
    """The index of the brace that closes the one at `opening`, or None."""
    depth = 0
    for index in range(opening, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return None


def _find_icu(text: str) -> Iterator[Token]:
    """Head (argument and type), selector keys, the braces around each message and `#`
    inside a plural's messages; the messages themselves are prose."""
    for head in _ICU_HEAD.finditer(text):
        argument, kind = head.group(1), head.group(2)
        plural = kind != "select"
        # the argument, one name with the `{count}` of its messages: a set
        yield Token(head.start(), head.end(), head.group(), "icu", f"{{{argument}}}", SET)
        pos = head.end()
        while True:
            pos = _skip_blanks(text, pos)
            if pos >= len(text):
                break
            if text[pos] == "}":
                yield Token(pos, pos + 1, "}", "icu")
                break
            key = _ICU_KEY.match(text, pos)
            if key is None:
                break
            name = _no_blanks(key.group())
            policy = CATEGORY if plural else SET
            label = f"{{{argument}, {kind}, {name} …}}"
            yield Token(key.start(), key.end(), key.group(), "icu", label, policy)
            opening = _skip_blanks(text, key.end())
            end = _closing(text, opening) if text[opening : opening + 1] == "{" else None
            if end is None:
                break
            yield Token(opening, opening + 1, "{", "icu")
            if plural:
                for sharp in re.finditer("#", text[opening:end]):
                    yield Token(opening + sharp.start(), opening + sharp.end(), "#", "icu")
            yield Token(end, end + 1, "}", "icu")
            pos = end + 1


def _skip_blanks(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


# --- Fluent: { $var }, { -term }, { NUMBER($n) }, { $n -> [one] … *[other] … } -----------
_FLUENT = re.compile(
    r"\{\s*(?:"
    r"(?P<var>\$[A-Za-z][\w-]*)"
    r"|(?P<term>-[A-Za-z][\w-]*)(?:\.[A-Za-z][\w-]*)?(?:\([^{}()]*\))?"
    r"|(?P<call>[A-Z][A-Z0-9_-]*\([^{}()]*\))"
    r"|\"(?:[^\"\\]|\\.)*\""
    r")\s*\}"
    r"|\{\s+(?P<message>[a-z][\w-]*)(?:\.[a-z][\w-]*)?\s+\}"
)
_FLUENT_SELECT = re.compile(
    r"\{\s*(?:(?P<var>\$[A-Za-z][\w-]*)|-[A-Za-z][\w-]*\.[A-Za-z][\w-]*"
    r"|[A-Z][A-Z0-9_-]*\(\s*(?P<arg>\$[A-Za-z][\w-]*)[^{}()]*\))\s*->"
)
_FLUENT_VARIANT = re.compile(r"\*?\[\s*([\w.-]+)\s*\]")
_VARIABLE = re.compile(r"\$[A-Za-z][\w-]*")


def _fluent_variable(name: str) -> str:
    return f"{{ {name} }}"


def _find_fluent(text: str) -> Iterator[Token]:
    for m in _FLUENT.finditer(text):
        key: str | None
        if m.group("var"):
            key, policy = _fluent_variable(m.group("var")), SET
        elif m.group("term"):
            key, policy = f"{{ {m.group('term')} }}", KEPT
        elif m.group("message"):
            key, policy = f"{{ {m.group('message')} }}", KEPT
        else:  # a function's variable, or a string literal (no key)
            variable = _VARIABLE.search(m.group("call") or "")
            key, policy = (_fluent_variable(variable.group()), SET) if variable else (None, SET)
        yield Token(m.start(), m.end(), m.group(), "fluent", key, policy)


def _find_fluent_select(text: str) -> Iterator[Token]:
    """A selector's head and closing brace, and its variant keys (`[one]`, `*[other]`);
    the variants' text is prose. On a term's attribute (`{ -brand.gender -> …}`) the keys
    are the translation's own business."""
    for head in _FLUENT_SELECT.finditer(text):
        variable = head.group("var") or head.group("arg")
        key = _fluent_variable(variable) if variable else None
        yield Token(head.start(), head.end(), head.group(), "fluent", key, SET)
        depth, pos = 0, head.end()
        while pos < len(text):
            char = text[pos]
            variant = _FLUENT_VARIANT.match(text, pos) if depth == 0 and char in "*[" else None
            if variant is not None:
                name = f"{{ {variable} -> [{variant.group(1)}] }}" if variable else None
                yield Token(pos, variant.end(), variant.group(), "fluent", name, CATEGORY)
                pos = variant.end()
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                if depth == 0:
                    yield Token(pos, pos + 1, "}", "fluent")
                    break
                depth -= 1
            pos += 1


# --- markup and CSS ----------------------------------------------------------------------
# Markup: closing and empty tags, tags with attributes, and known element names alone
# (`<unknown>` in a message is a word in angle brackets, not a tag).
_ELEMENTS = (
    r"a|b|i|u|s|p|br|hr|em|strong|big|small|span|tt|sub|sup|code|pre|div|li|ul|ol|img|font"
    r"|kbd|var|cite|q|h[1-6]|table|tr|td|th|link|title|g|x|bx|ex|ph|bpt|ept|it|mrk|emphasis"
    r"|literal|filename|command|option|replaceable|application|guilabel|guimenu|keycap"
)
_TAG = re.compile(
    r"</[A-Za-z][\w:.-]*\s*>"
    r"|<[A-Za-z][\w:.-]*(?:\s+[\w:.-]+\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s<>]+))+\s*/?>"
    r"|<[A-Za-z][\w:.-]*\s*/>"
    rf"|<(?:{_ELEMENTS})>"
)
_ENTITY = re.compile(r"&(?:[A-Za-z][\w.-]*|#\d+|#x[0-9a-fA-F]+);")
# CSS: a declaration of a known property (`min-width: 20em;`) and sizes in units prose
# never writes glued to a number (`20em`, `1.5rem`, `12px`); `12 pt` or `5 %` are prose.
_CSS_UNIT = r"px|r?em|ex|ch|vw|vh|vmin|vmax|pt|pc|cm|mm|in|Q|%|deg|rad|turn|m?s|dpi|dppx|fr"
_CSS_VALUE = (
    rf"(?:-?(?:\d+(?:\.\d+)?|\.\d+)(?:{_CSS_UNIT})?(?![\w%])|#[0-9A-Fa-f]{{3,8}}\b"
    r"|(?:auto|none|inherit|initial|unset|normal|bold|bolder|lighter|italic|block|inline"
    r"|inline-block|flex|grid|hidden|visible|scroll|center|left|right|top|bottom|middle"
    r"|transparent|solid|dashed|dotted|absolute|relative|fixed|sticky|pointer|default"
    r"|nowrap|pre|wrap|ellipsis|uppercase|lowercase|capitalize|(?:min|max|fit)-content)"
    r"(?![\w-]))"
)
_CSS_PROPERTY = (
    r"(?:min-|max-)?(?:width|height|inline-size|block-size)|margin(?:-[a-z]+)?"
    r"|padding(?:-[a-z]+)?|border(?:-[a-z]+)*|font(?:-[a-z]+)?|text-[a-z]+|line-height"
    r"|letter-spacing|word-spacing|white-space|flex(?:-[a-z]+)?|gap|top|left|right|bottom"
    r"|display|color|background(?:-[a-z]+)?|opacity|visibility|overflow(?:-[xy])?|z-index"
    r"|position|float|cursor|vertical-align|-(?:moz|webkit)-[a-z-]+"
)
_CSS = re.compile(
    rf"(?<![\w-])(?:{_CSS_PROPERTY})\s*:\s*{_CSS_VALUE}(?:\s+{_CSS_VALUE})*\s*;?"
    r"|(?<![\w.,])\d+(?:\.\d+)?(?:px|r?em|ex|ch|vw|vh|vmin|vmax|dppx)(?![\w%])"
)

SYNTAXES: dict[str, Syntax] = {
    syntax.name: syntax
    for syntax in (
        Syntax("icu", PLACEHOLDER, "{count, plural, one {# fichier} other {# fichiers}}",
               _find_icu, structural=True),
        Syntax("fluent-select", PLACEHOLDER, "{ $n -> [one] un *[other] { $n } }",
               _find_fluent_select, structural=True),
        Syntax("printf", PLACEHOLDER, "%s %1$d %5.2f %pB %<PRIu64> %%",
               _regex("printf", PRINTF, printf_spec)),
        Syntax("printf-space", PLACEHOLDER, "% d (c-format only)",
               _regex("printf", PRINTF_SPACE, printf_spec)),
        Syntax("python", PLACEHOLDER, "%(name)s", _regex("python", _PYTHON)),
        Syntax("brace", PLACEHOLDER, "{name} {0} {0:.2f} {{ {0, number}",
               _regex("brace", _BRACE, _no_blanks)),
        Syntax("fluent", PLACEHOLDER, "{ $name } { -brand-name } { NUMBER($n) }", _find_fluent),
        Syntax("qt", PLACEHOLDER, "%1 %L2", _regex("qt", _QT)),
        Syntax("shell", PLACEHOLDER, "$HOME ${name} $1", _regex("shell", _SHELL)),
        Syntax("tag", TAG, "<b> </b> <a href=\"…\"> <br/>", _regex("tag", _TAG)),
        Syntax("entity", TAG, "&amp; &#160; &#xA0; &brandShortName;", _regex("entity", _ENTITY)),
        Syntax("css", CSS, "width: 20em; 1.5rem 12px", _regex("css", _CSS, lambda _: None)),
    )
}  # fmt: skip

# gettext format flags -> the syntaxes they name; without one, AUTO (printf's space flag
# is left out: French prose writes "100 % des voix")
FORMAT_SYNTAXES: dict[str, tuple[str, ...]] = {
    "c-format": ("printf", "printf-space"),
    "objc-format": ("printf", "printf-space"),
    "sh-format": ("shell",),
    "python-format": ("python", "printf"),
    "python-brace-format": ("brace",),
    "qt-format": ("qt",),
    "kde-format": ("qt",),
    "csharp-format": ("brace",),
    "java-format": ("brace", "icu"),
    "perl-brace-format": ("brace",),
    "php-format": ("printf",),
    "boost-format": ("printf", "qt"),
}
AUTO = ("icu", "fluent-select", "python", "printf", "brace", "fluent", "qt", "shell")
ALWAYS = ("tag", "entity", "css")  # not placeholders: no format flag turns them off


def syntax_names(formats: Iterable[str] = ()) -> tuple[str, ...]:
    """The syntaxes a string with these gettext format flags uses, structural first."""
    named = [flag for flag in formats if flag in FORMAT_SYNTAXES]
    negated = {flag.removeprefix("no-") for flag in formats if flag.startswith("no-")}
    if named:
        chosen = {name for flag in named for name in FORMAT_SYNTAXES[flag]}
    else:
        excluded = {name for flag in negated for name in FORMAT_SYNTAXES.get(flag, ())}
        chosen = set(AUTO) - excluded
    return tuple(name for name in SYNTAXES if name in chosen or name in ALWAYS)


@functools.lru_cache(maxsize=1 << 14)  # protected spans and the placeholder check both ask
def find_tokens(text: str, formats: tuple[str, ...] = ()) -> tuple[Token, ...]:
    """Every token of the syntaxes `formats` names, earliest (then longest) first; they may
    overlap (`%1$s` is Qt's `%1` too): `checks.protected` keeps one of each overlap."""
    found: list[Token] = []
    hidden = text
    for syntax in (SYNTAXES[name] for name in syntax_names(formats)):
        tokens = [t for t in syntax.find(hidden) if "\0" not in hidden[t.start : t.end]]
        found += tokens
        if syntax.structural and tokens:
            hidden = _hide(hidden, tokens)
    return tuple(sorted(found, key=lambda t: (t.start, -t.end)))


def _hide(text: str, tokens: Iterable[Token]) -> str:
    chars = list(text)
    for token in tokens:
        chars[token.start : token.end] = "\0" * (token.end - token.start)
    return "".join(chars)
