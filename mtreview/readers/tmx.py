"""TMX in: each `<tu>` with a variant in the review language is a segment to review.

The `<tuv>` in `--lang` (exact tag first, then same primary language without a private
`-x-` part, then any) is the translation; the source is the variant in `--source-lang`,
else the header's `srclang`, else the first other variant. Streamed with `iterparse`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mtreview.documents import Segment
from mtreview.errors import InputError
from mtreview.readers.base import ReadOptions
from mtreview.readers.rows import RowDocument
from mtreview.readers.xmlstream import XML_LANG, inline_text, iter_events, local

UNITS = frozenset({"tu"})


def _variants(tu: object) -> list[tuple[str, str]]:
    """(language tag, text) of each `<tuv>` in document order."""
    found = []
    for tuv in tu:  # type: ignore[attr-defined]
        if local(tuv.tag) != "tuv":
            continue
        lang = (tuv.get(XML_LANG) or tuv.get("lang") or "").strip()
        seg = next((c for c in tuv if local(c.tag) == "seg"), None)
        if seg is not None:
            found.append((lang, inline_text(seg)))
    return found


def pick(variants: list[tuple[str, str]], lang: str) -> int | None:
    """Index of the variant in `lang`: exact tag, then same primary language, then `-x-`."""
    lang = lang.lower()
    tags = [tag.lower() for tag, _ in variants]
    for accept in (
        lambda t: t == lang,
        lambda t: t.split("-")[0] == lang.split("-")[0] and "-x-" not in t,
        lambda t: t.split("-")[0] == lang.split("-")[0],
    ):
        for number, tag in enumerate(tags):
            if accept(tag):
                return number
    return None


class TmxReader:
    def iter_segments(self, path: Path, options: ReadOptions) -> Iterator[Segment]:
        builder = RowDocument(path, options)
        header_lang: str | None = None
        units = 0
        seen: set[str] = set()
        root_checked = False
        for event, element in iter_events(path, UNITS):
            if event == "start":
                name = local(element.tag)
                if not root_checked and name != "tmx":
                    raise InputError(path, f"root element is <{name}>, expected <tmx>", line=1)
                root_checked = True
                if name == "header":
                    header_lang = element.get("srclang")
                continue
            units += 1
            variants = _variants(element)
            seen.update(tag for tag, _ in variants)
            target = pick(variants, options.lang)
            if target is None:
                continue
            others = [v for n, v in enumerate(variants) if n != target]
            source = _source(others, options.source_lang or header_lang)
            yield builder.segment(element.sourceline or 0, variants[target][1], source, None)
        if units and builder.index == 0:
            raise InputError(
                path,
                f"no <tuv> in language {options.lang!r} (found: {', '.join(sorted(seen))}); "
                "give the review language with --lang",
            )


def _source(others: list[tuple[str, str]], lang: str | None) -> str | None:
    if not others:
        return None
    if lang:
        number = pick(others, lang)
        if number is not None:
            return others[number][1]
    return others[0][1]
