"""Streaming XML for the CAT readers: one unit at a time, cleared after use, no entities.

External entities, DTDs and the network are off (no XXE, no billion laughs); every parse
error becomes an `InputError` naming the file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from mtreview.errors import InputError
from mtreview.readers.base import check_readable

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Inline codes whose content is native markup, not text (XLIFF 1.2 and TMX alike).
CODE_TAGS = frozenset({"bpt", "ept", "ph", "it", "ut", "x", "bx", "ex"})


def local(tag: object) -> str:
    """`{namespace}name` -> `name`; comments and processing instructions -> ''."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def inline_text(element: etree._Element) -> str:
    """The text of a segment element, inline codes left out, their tails kept."""
    parts = [element.text or ""]
    for child in element:
        if local(child.tag) not in CODE_TAGS and local(child.tag):
            parts.append(inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def iter_events(path: Path, units: frozenset[str]) -> Iterator[tuple[str, etree._Element]]:
    """("start", element) for every element, ("end", unit) for each completed unit.

    A unit is cleared (and its finished siblings dropped) once the caller moves on, so
    memory holds one unit, whatever the file's size.
    """
    check_readable(path)
    parser = etree.iterparse(
        str(path),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    seen_root = False
    try:
        for event, element in parser:
            seen_root = True
            if event == "start":
                yield event, element
            elif local(element.tag) in units:
                yield event, element
                element.clear(keep_tail=False)
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position and exc.position[0] > 0 else None
        message = exc.msg or "not well-formed XML"
        raise InputError(path, f"not well-formed XML ({message})", line=line) from None
    except (etree.LxmlError, UnicodeError, ValueError) as exc:
        raise InputError(path, f"cannot read as XML ({exc})") from None
    if not seen_root:
        raise InputError(path, "empty file, expected XML")
