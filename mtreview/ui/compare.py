"""The comparison view: one source row at a time, every MT system's translation of it to
mark and correct side by side, and a ranking of the systems.

The translations come in an order shuffled for each row and reviewer (`compare_model`)
under "Translation 1", "Translation 2"…; no system name reaches the page unless the
`show_system_names` setting says so: widget keys (classes in the page) and what the
browser is told a document is are slot numbers. Each translation is marked with the same
segment component as the document view (`marking`), one editor a slot (`Slot`). A
reviewer with assignments sees the systems whose segment of the row is theirs, blind to
other reviewers' work as in the document view. Each run reads one segment a system; the
ranking tab, drawn only while open, reads the base document's segments.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from mtreview.mqm import Typology
from mtreview.settings import Settings
from mtreview.store import Comparison, ReviewStore, SegmentReview
from mtreview.ui import actions, charts, session_cache, team
from mtreview.ui.compare_model import (
    category_rows,
    pair_results,
    pair_rows,
    ranking_names,
    resolve_slot,
    slot_label,
    slot_name,
    slot_order,
    slot_prefix,
    system_scores,
)
from mtreview.ui.components import Slot
from mtreview.ui.corpus import COMPARISON
from mtreview.ui.correction import correction_box
from mtreview.ui.detail import error_list
from mtreview.ui.drafts import box_start
from mtreview.ui.marking import marking
from mtreview.ui.shortcuts import SHORTCUTS
from mtreview.ui.signin import Identity
from mtreview.ui.view_model import last_choice, md_escape
from mtreview.ui.widget_at import key_at, still_open

__all__ = ["COMPARISON", "compare_page", "visible_comparisons"]

BASE = "cmp_base"  # the base document compared
ROW = "cmp_row"  # the source row shown, 1-based
ROW_BOX = "cmp_row_box"  # the number box's key stem: a box of its own for each row shown
TAB = "cmp_tab"


def visible_comparisons(store: ReviewStore, scope: team.Scope | None) -> list[Comparison]:
    """The comparisons this user may open: all, or those with a segment assigned to them."""
    found = session_cache.cached(store, "comparisons", store.comparisons)
    if scope is None:
        return found
    return [c for c in found if any(scope.get(doc_id) for doc_id in c.doc_ids)]


def _rows(comparison: Comparison, scope: team.Scope | None) -> list[int]:
    if scope is None:
        return list(range(comparison.rows))
    mine = {i for doc_id in comparison.doc_ids for i in scope.get(doc_id, ())}
    return sorted(i for i in mine if i < comparison.rows)


def _first_row() -> None:
    st.session_state.pop(ROW, None)


def _pick(comparisons: list[Comparison]) -> int:
    """The number of the comparison shown (a choice in the sidebar when there are several)."""
    bases = [c.base for c in comparisons]
    if st.session_state.get(BASE) not in bases:
        st.session_state[BASE] = bases[0]
    if len(bases) > 1:
        st.sidebar.selectbox("Compared document", bases, key=BASE, on_change=_first_row)
    return bases.index(st.session_state[BASE])


def _go(row: int) -> None:
    st.session_state[ROW] = row + 1


def _typed(shown: int) -> None:
    """The number box of row `shown` (0-based), acted on only while that row is still shown:
    else its value is one the browser had before the page moved on (`mtreview.ui.widget_at`)."""
    typed = st.session_state.get(key_at(ROW_BOX, shown))
    if still_open(ROW, shown + 1) and isinstance(typed, int):
        st.session_state[ROW] = typed


def _row(rows: list[int], total: int) -> int:
    """The source row shown (0-based): previous and next (J, K) and a number box."""
    state = st.session_state
    wanted = state.get(ROW)
    if not isinstance(wanted, int):
        state[ROW] = rows[0] + 1
    elif wanted - 1 not in rows:  # a row typed that is not theirs: the next that is
        state[ROW] = next((i for i in rows if i >= wanted - 1), rows[-1]) + 1
    row = int(state[ROW]) - 1
    at = rows.index(row)
    cols = st.columns([1, 1, 1, 3], vertical_alignment="bottom")
    cols[0].button(
        "◀ Previous row",
        key="cmp_prev",
        shortcut=SHORTCUTS["previous"],
        disabled=at == 0,
        on_click=_go,
        args=(rows[max(at - 1, 0)],),
    )
    cols[1].number_input(
        "Source row",
        min_value=1,
        max_value=total,
        value=row + 1,
        step=1,
        key=key_at(ROW_BOX, row),
        on_change=_typed,
        args=(row,),
    )
    cols[2].button(
        "Next row ▶",
        key="cmp_next",
        shortcut=SHORTCUTS["next"],
        disabled=at + 1 >= len(rows),
        on_click=_go,
        args=(rows[min(at + 1, len(rows) - 1)],),
    )
    cols[3].caption(f"Row {row + 1} of {total}")
    return row


def _source(shown: list[tuple[int, SegmentReview]]) -> None:
    """The row's source; without one, the first translation's round trip, said so."""
    source = next((r.analysis.segment.source for _, r in shown if r.analysis.segment.source), None)
    if source is not None:
        st.caption("Source")
        st.text(source)
        return
    first = shown[0][1].analysis.round_trip
    if first:
        st.caption("No source: the round trip of Translation 1 (translated there and back)")
        st.text(first)
    else:
        st.caption("No source for this row.")


def _translation(
    store: ReviewStore,
    review: SegmentReview,
    label: str,
    slot: Slot,
    typology: Typology,
    reviewer: str,
    choice: dict[str, str],
) -> None:
    start = box_start(store, review, reviewer, slot)
    with st.container(border=True, key=slot.key("translation")):
        st.markdown(f"**{md_escape(label)}**")
        status = f"reviewed by {review.reviewed_by}" if review.reviewed else "not reviewed yet"
        st.caption(md_escape(f"{status} · version {review.version}"))
        marking(
            store,
            review,
            typology,
            reviewer,
            choice=choice,
            focus=None,
            current_text=start.text,
            slot=slot,
            box_key=start.key,
        )
        error_list(store, review, typology, reviewer)
        correction_box(store, review, start, reviewer, slot)


def _compare_tab(
    store: ReviewStore,
    comparison: Comparison,
    number: int,
    typology: Typology,
    identity: Identity,
    settings: Settings,
    scope: team.Scope | None,
) -> None:
    rows = _rows(comparison, scope)
    if not rows:
        st.info("Nothing of this comparison is assigned to you.")
        return
    row = _row(rows, comparison.rows)
    reviewer = identity.name
    order = slot_order(comparison, row, reviewer)
    slots = [
        (place, system, doc_id)
        for place, (system, doc_id) in enumerate(order, start=1)
        if scope is None or row in scope.get(doc_id, ())
    ]
    if not slots:
        st.info("No translation of this row is assigned to you.")
        return
    reviews = {doc_id: store.segment(doc_id, row, viewer=reviewer) for _, _, doc_id in slots}
    if scope is not None:
        team.mark_independent(store, identity, reviews)
    shown = [(place, reviews[doc_id]) for place, _, doc_id in slots]
    _source(shown)
    choice = st.session_state.get(actions.CHOICE) or last_choice(
        [r for _, r in shown], reviewer, typology
    )

    def resolve(name: str, index: int) -> str | None:
        """A slot name the browser sent (a draft), as a document this reviewer may write."""
        doc_id = resolve_slot(comparison, number, name, index, reviewer)
        if doc_id is None or (scope is not None and index not in scope.get(doc_id, ())):
            return None
        return doc_id

    for position, (place, system, doc_id) in enumerate(slots, start=1):
        label = slot_label(position)
        if settings.show_system_names:
            label += f" · {system}"
        slot = Slot(slot_prefix(number, place), slot_name(number, place), resolve)
        _translation(store, reviews[doc_id], label, slot, typology, reviewer, choice)


def _ranking(
    store: ReviewStore,
    comparison: Comparison,
    typology: Typology,
    identity: Identity,
    settings: Settings,
) -> None:
    named = settings.show_system_names or identity.can("adjudicate")
    names = ranking_names(comparison, named)
    reviews = {
        system: list(store.iter_segments(doc_id, viewer=identity.name))
        for system, doc_id in comparison.systems
    }
    words = {system: store.document(doc_id).words for system, doc_id in comparison.systems}
    if named and not settings.show_system_names:
        st.caption(
            "System names are shown here to those who adjudicate; the Compare tab keeps "
            "them hidden (setting `show_system_names`)."
        )
    scores = system_scores(reviews, words, typology, names)
    st.dataframe(
        [dataclasses.asdict(score) for score in scores],
        hide_index=True,
        key="cmp_scores",
        column_config={
            "system": st.column_config.TextColumn("System"),
            "penalty": st.column_config.NumberColumn("MQM penalty", format="%.1f"),
            "per_100_words": st.column_config.NumberColumn("per 100 words"),
            "errors": st.column_config.NumberColumn("Errors"),
            "reviewed": st.column_config.NumberColumn("Reviewed"),
            "segments": st.column_config.NumberColumn("Segments"),
            "segment_mean": st.column_config.NumberColumn("Mean a judged segment"),
            "ci_low": st.column_config.NumberColumn("95% CI low"),
            "ci_high": st.column_config.NumberColumn("95% CI high"),
        },
    )
    errors = charts.system_errors_chart(category_rows(reviews, typology, names))
    if errors is None:
        st.caption("No errors marked yet: the chart of errors by category appears with the first.")
    else:
        st.altair_chart(errors, width="stretch")
    pairs = pair_results(reviews, typology, names)
    st.caption(
        "Row by row, the translation with the lower MQM penalty wins; only rows where both "
        "translations were reviewed or had an error marked count."
    )
    st.dataframe(
        [{**dataclasses.asdict(p), "rows": p.rows} for p in pairs],
        hide_index=True,
        key="cmp_pairs",
        column_config={
            "left": st.column_config.TextColumn("System"),
            "right": st.column_config.TextColumn("Against"),
            "wins": st.column_config.NumberColumn("Wins"),
            "ties": st.column_config.NumberColumn("Ties"),
            "losses": st.column_config.NumberColumn("Losses"),
            "rows": st.column_config.NumberColumn("Rows judged"),
        },
    )
    chart = charts.pairs_chart(pair_rows(pairs))
    if chart is not None:
        st.altair_chart(chart, width="stretch")


def compare_page(
    store: ReviewStore,
    typology: Typology,
    identity: Identity,
    settings: Settings,
    comparisons: list[Comparison],
    scope: team.Scope | None,
) -> None:
    """The whole comparison view for one run of the script."""
    number = _pick(comparisons)
    comparison = comparisons[number]
    actions.toasts()
    count = len(comparison.systems)
    st.subheader(md_escape(f"Comparing {count} translations of {comparison.base}"))
    names = ["Compare", "Ranking"] if scope is None else ["Compare"]
    compare_tab, *ranking_tab = st.tabs(names, key=TAB, on_change="rerun")
    if compare_tab.open:
        with compare_tab:
            _compare_tab(store, comparison, number, typology, identity, settings, scope)
    if ranking_tab and ranking_tab[0].open:
        with ranking_tab[0]:
            _ranking(store, comparison, typology, identity, settings)
