"""Quotation marks: unbalanced « », straight quotes on the wrong side of a word, and a
document that mixes quote styles (French expects « », not "…"). A straight quote left
unpaired as in the source (the key `"` named in a sentence) is not unbalanced."""

from __future__ import annotations

import re

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.documents import Segment
from mtreview.flags import Flag

STYLES = {"«": "guillemets", "»": "guillemets", '"': "straight", "“": "curly", "”": "curly"}
QUOTE_RE = re.compile(r"[«»\"“”]")


@register_check
class Quotes(Check):
    name = "quotes"
    category = "Fluency/Punctuation"
    description = "unbalanced or misplaced quotation marks, quote styles mixed in a document"

    @classmethod
    def observe(cls, segment: Segment, context: DocumentContext) -> None:
        for match in QUOTE_RE.finditer(segment.text):
            context.quote_styles.add(STYLES[match.group()])

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        text = segment.text
        flags = self._guillemets(segment, context)
        straight = [m.start() for m in re.finditer('"', text)]
        for position, is_opening in zip(straight, _alternate(len(straight)), strict=True):
            before = text[position - 1] if position else " "
            after = text[position + 1] if position + 1 < len(text) else " "
            if is_opening and after.isspace() and not before.isspace():
                flags.append(self.flag(position, position + 1, "closing quote where one opens"))
            elif not is_opening and before.isspace() and not after.isspace():
                flags.append(self.flag(position, position + 1, "opening quote where one closes"))
            elif (
                "guillemets" in context.quote_styles
                and '"' not in (segment.source or "")
                and not (segment.table_row and _quotes_a_token(text, straight, position))
            ):
                flags.append(
                    self.flag(
                        position,
                        position + 1,
                        "straight quotes mixed with « » in this document",
                        suggestion="« " if is_opening else " »",
                    )
                )
        if len(straight) % 2 and not (segment.source or "").count('"') % 2:
            # a source with an odd count names the character itself ("press compose then
            # \" then a letter") or is a fragment: the translation keeps it as it is
            flags.append(self.flag(straight[-1], straight[-1] + 1, 'unbalanced "'))
        return sorted(dict.fromkeys(flags), key=lambda f: (f.start, f.end))  # not set(): hash order

    def _guillemets(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        """« » may span segments of one paragraph: carry the open count along it. A source
        whose own quotes do not pair (a fragment, GNU's `quoting') excuses the translation."""
        source = segment.source or ""
        if "`" in source or source.count('"') % 2:
            return []
        carried = context.state.get("quotes")
        depth = carried[1] if carried and carried[0] == segment.paragraph else 0
        flags = []
        for match in re.finditer("[«»]", segment.text):
            if match.group() == "«":
                if depth:
                    flags.append(self.flag(match.start(), match.end(), "« opens inside an open «"))
                depth += 1
            elif depth:
                depth -= 1
            else:
                flags.append(self.flag(match.start(), match.end(), "» closes no open «"))
        context.state["quotes"] = (segment.paragraph, depth)
        return flags


def _quotes_a_token(text: str, straight: list[int], position: int) -> bool:
    """Straight quotes around one token ("movprfx", "%d") in a software message quote
    code, not speech."""
    index = straight.index(position)
    pair = straight[index : index + 2] if index % 2 == 0 else straight[index - 1 : index + 1]
    if len(pair) != 2:
        return False
    inside = text[pair[0] + 1 : pair[1]]
    return bool(inside) and not any(c.isspace() for c in inside)


def _alternate(count: int) -> list[bool]:
    return [index % 2 == 0 for index in range(count)]
