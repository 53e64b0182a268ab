"""What the review page shows, computed without Streamlit (so it is tested directly).

Every string that came from a document or a reviewer and ends up in HTML goes through
`html.escape` here; the components put text in the page with `textContent` only.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from mtreview.mqm import MQMScore, Typology, document_score, segment_score
from mtreview.store import SegmentReview

ALL_CATEGORIES = "(any category)"
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def md_escape(text: str) -> str:
    """Text for Streamlit's markdown (labels, captions, messages) shown as typed: every
    ASCII punctuation mark backslash-escaped, so no link, image, colour or HTML can form."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def focused_flag(review: SegmentReview) -> int | None:
    """The pre-highlight the accept/reject shortcuts act on: the first undecided one."""
    for number, _flag in enumerate(review.analysis.flags):
        if review.decision(number) is None:
            return number
    return None


def categories_of(review: SegmentReview, typology: Typology) -> set[str]:
    found = {typology.resolve(a.category) for a in review.annotations}
    found |= {
        typology.resolve(f.category)
        for n, f in enumerate(review.analysis.flags)
        if review.decision(n) is None or review.decision(n).decision == "accepted"  # type: ignore[union-attr]
    }
    return found


def _in_document_order(reviews: Sequence[SegmentReview], _category: str) -> list[int]:
    return [r.index for r in reviews]


def _worst_first(reviews: Sequence[SegmentReview], _category: str) -> list[int]:
    ranked = sorted(reviews, key=lambda r: (-r.analysis.risk, -len(r.analysis.flags), r.index))
    return [r.index for r in ranked]


def _unreviewed(reviews: Sequence[SegmentReview], category: str) -> list[int]:
    by_index = _by_index(reviews)  # once: a long document has thousands of segments
    return [i for i in _worst_first(reviews, category) if not by_index[i].reviewed]


def _by_index(reviews: Sequence[SegmentReview]) -> dict[int, SegmentReview]:
    return {r.index: r for r in reviews}


# Views of the segment list: name -> (reviews, category) -> indices to show, in order.
ORDERS: dict[str, Callable[[Sequence[SegmentReview], str], list[int]]] = {
    "document order": _in_document_order,
    "worst first": _worst_first,
    "unreviewed (worst first)": _unreviewed,
}


def visible_segments(
    reviews: Sequence[SegmentReview], order: str, category: str, typology: Typology
) -> list[int]:
    """Indices to list for the chosen order and category filter."""
    indices = ORDERS[order](reviews, category)
    if category and category != ALL_CATEGORIES:
        by_index = _by_index(reviews)
        indices = [i for i in indices if category in categories_of(by_index[i], typology)]
    return indices


def segment_marks(
    review: SegmentReview,
    *,
    pending: tuple[int, int] | None = None,
    focus: int | None = None,
) -> list[dict[str, Any]]:
    """Spans for the components: pre-highlights (underlined), annotations, the selection."""
    marks: list[dict[str, Any]] = []
    for number, flag in enumerate(review.analysis.flags):
        decision = review.decision(number)
        if decision is not None and decision.decision == "rejected":
            continue
        if decision is None:
            label = f"{flag.category} ({flag.severity}): {flag.message}"
            marks.append(
                {
                    "start": flag.start,
                    "end": flag.end,
                    "kind": "flag",
                    "label": label,
                    "focus": number == focus,
                }
            )
    for mark in review.annotations:
        label = f"{mark.category} ({mark.severity}) by {mark.reviewer}"
        if mark.comment:
            label += f": {mark.comment}"
        marks.append({"start": mark.start, "end": mark.end, "kind": "error", "label": label})
    if pending is not None:
        marks.append({"start": pending[0], "end": pending[1], "kind": "pending", "label": ""})
    return marks


def last_choice(
    reviews: Sequence[SegmentReview], reviewer: str, typology: Typology
) -> dict[str, str]:
    """The category and severity the picker starts with: those of the reviewer's latest
    error in the document (so they survive a reload), else the typology's first."""
    mine = [a for r in reviews for a in r.annotations if a.reviewer == reviewer]
    category, severity = typology.labels[0], typology.severities[0]
    if mine:
        latest = max(mine, key=lambda a: (a.updated_at or a.created_at, a.id))
        category = typology.resolve(latest.category)
        if latest.severity in typology.severities:
            severity = latest.severity
    return {"category": category, "severity": severity}


def article_paragraphs(
    reviews: Sequence[SegmentReview], shown: Iterable[int], waiting: Iterable[int] = ()
) -> list[list[dict[str, Any]]]:
    """Segments grouped by paragraph as the article reads, for the article component
    (`waiting`: segments the models have not analysed yet)."""
    visible = set(shown)
    pending = set(waiting)
    paragraphs: list[list[dict[str, Any]]] = []
    last: int | None = None
    for review in reviews:
        paragraph = review.analysis.segment.paragraph
        if paragraph != last:
            paragraphs.append([])
            last = paragraph
        status = "reviewed" if review.reviewed else "not reviewed"
        paragraphs[-1].append(
            {
                "index": review.index,
                "text": review.text,
                "risk": round(min(1.0, max(0.0, review.analysis.risk)), 3),
                "reviewed": review.reviewed,
                "corrected": review.corrected,
                "hidden": review.index not in visible,
                "ready": review.index not in pending,
                "title": f"segment {review.index + 1} · risk {review.analysis.risk:.2f} · "
                f"{status} · {len(review.analysis.flags)} flag(s)",
                "marks": segment_marks(review),
            }
        )
    return paragraphs


def mqm_of(
    reviews: Sequence[SegmentReview], words: int, typology: Typology
) -> tuple[MQMScore, dict[int, float]]:
    """The document's MQM score from reviewer annotations, and each segment's score."""
    per_segment = {r.index: segment_score(r.annotations, typology) for r in reviews}
    errors = [a for r in reviews for a in r.annotations]
    return document_score(errors, words, typology), per_segment


def _heat(logprob: float) -> str:
    """Colour for a token log-probability: 0 is clear, -8 and below full red."""
    alpha = min(1.0, max(0.0, -logprob / 8.0))
    return f"rgba(220, 38, 38, {alpha:.2f})"


def heatmap_html(review: SegmentReview) -> str:
    """The segment with each token coloured by its log-probability under the return model."""
    score = review.analysis.return_score
    text = review.text
    if score is None or not score.tokens:
        return ""
    parts: list[str] = []
    cursor = 0
    for token in score.tokens:
        start, end = max(token.start, cursor), min(token.end, len(text))
        if start >= end:
            continue
        parts.append(html.escape(text[cursor:start]))
        parts.append(
            f'<span class="mtr-token" style="background:{_heat(token.logprob)}" '
            f'title="{html.escape(token.text)}: {token.logprob:.2f}">'
            f"{html.escape(text[start:end])}</span>"
        )
        cursor = end
    parts.append(html.escape(text[cursor:]))
    return '<div class="mtr-heat" style="line-height:2">' + "".join(parts) + "</div>"


_WORDS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def diff_html(original: str, corrected: str) -> str:
    """Word-level diff, deletions struck in red and insertions in green, all escaped."""
    a, b = _WORDS.findall(original), _WORDS.findall(corrected)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = html.escape("".join(a[i1:i2])), html.escape("".join(b[j1:j2]))
        if op == "equal":
            out.append(old)
            continue
        if old:
            out.append(f'<del style="background:#fecaca;color:#7f1d1d">{old}</del>')
        if new:
            out.append(f'<ins style="background:#bbf7d0;color:#14532d">{new}</ins>')
    return '<div class="mtr-diff" style="line-height:1.8">' + "".join(out) + "</div>"
