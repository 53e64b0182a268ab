"""Altair charts where a picture says more than a table: risk along the article, errors by
MQM category and severity, round-trip chrF against the model's log-probability."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt

from mtreview.mqm import Typology
from mtreview.store import SegmentReview


def risk_rows(reviews: Sequence[SegmentReview]) -> list[dict[str, Any]]:
    return [
        {
            "segment": r.index + 1,
            "risk": r.analysis.risk,
            "flags": len(r.analysis.flags),
            "errors": len(r.annotations),
            "status": "reviewed" if r.reviewed else "not reviewed",
            "text": r.text[:80],
        }
        for r in reviews
    ]


def risk_chart(reviews: Sequence[SegmentReview]) -> alt.Chart:
    """One bar a segment, in article order: where to look first."""
    data = alt.Data(values=risk_rows(reviews))
    return (
        alt.Chart(data, title="Risk along the article")
        .mark_bar()
        .encode(
            x=alt.X("segment:O", title="segment"),
            y=alt.Y("risk:Q", title="risk (0-1)"),
            color=alt.Color("status:N", title=None),
            tooltip=["segment:O", "risk:Q", "flags:Q", "errors:Q", "text:N"],
        )
    )


def error_rows(reviews: Sequence[SegmentReview], typology: Typology) -> list[dict[str, Any]]:
    return [
        {
            "category": typology.resolve(a.category).split("/", 1)[0],
            "label": typology.resolve(a.category),
            "severity": a.severity,
        }
        for r in reviews
        for a in r.annotations
    ]


def errors_chart(reviews: Sequence[SegmentReview], typology: Typology) -> alt.Chart | None:
    """Reviewer-marked errors by label, stacked by severity; None before any error."""
    rows = error_rows(reviews, typology)
    if not rows:
        return None
    return (
        alt.Chart(alt.Data(values=rows), title="Errors by MQM category and severity")
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort="-x"),
            x=alt.X("count():Q", title="errors"),
            color=alt.Color(
                "severity:N", scale=alt.Scale(domain=list(typology.severities)), title="severity"
            ),
            tooltip=["label:N", "severity:N", "count():Q"],
        )
    )


def roundtrip_rows(reviews: Sequence[SegmentReview]) -> list[dict[str, Any]]:
    return [
        {
            "segment": r.index + 1,
            "chrF": r.analysis.metrics["chrf"].score,
            "logprob": r.analysis.logprob,
            "risk": r.analysis.risk,
        }
        for r in reviews
        if "chrf" in r.analysis.metrics and r.analysis.logprob is not None
    ]


def roundtrip_chart(reviews: Sequence[SegmentReview]) -> alt.Chart | None:
    """Round-trip chrF against mean log-probability: bottom-left is suspicious twice over."""
    rows = roundtrip_rows(reviews)
    if not rows:
        return None
    return (
        alt.Chart(alt.Data(values=rows), title="Round-trip chrF against log-probability")
        .mark_circle(size=70)
        .encode(
            x=alt.X("logprob:Q", title="mean token log-probability"),
            y=alt.Y("chrF:Q", title="round-trip chrF"),
            color=alt.Color("risk:Q", scale=alt.Scale(scheme="orangered")),
            tooltip=["segment:O", "chrF:Q", "logprob:Q", "risk:Q"],
        )
    )


def system_errors_chart(rows: Sequence[dict[str, Any]]) -> alt.Chart | None:
    """The comparison's systems: their errors by MQM category; None before any error."""
    if not rows:
        return None
    return (
        alt.Chart(alt.Data(values=list(rows)), title="Errors by system and MQM category")
        .mark_bar()
        .encode(
            y=alt.Y("system:N", title=None),
            x=alt.X("sum(errors):Q", title="errors", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color("category:N", title="category"),
            tooltip=["system:N", "category:N", "sum(errors):Q"],
        )
    )


def pairs_chart(rows: Sequence[dict[str, Any]]) -> alt.Chart | None:
    """Each pair of systems: rows won, tied and lost (a lower segment MQM penalty wins)."""
    if not rows or not any(row["rows"] for row in rows):
        return None
    outcomes = ["win", "tie", "loss"]
    return (
        alt.Chart(alt.Data(values=list(rows)), title="Rows won, tied and lost, pair by pair")
        .mark_bar()
        .encode(
            y=alt.Y("pair:N", title=None),
            x=alt.X("rows:Q", title="rows", stack="zero", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color(
                "outcome:N",
                scale=alt.Scale(domain=outcomes, range=["#16a34a", "#a3a3a3", "#dc2626"]),
                title=None,
            ),
            order=alt.Order("rank:Q"),
            tooltip=["pair:N", "outcome:N", "rows:Q"],
        )
        .transform_calculate(
            pair="datum.system + ' vs ' + datum.against",
            rank="indexof(['win', 'tie', 'loss'], datum.outcome)",
        )
    )
