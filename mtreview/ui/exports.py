"""The sidebar's "Export" section: the open document in any `mtreview export` format.

The export is written only when the reviewer asks for it ("Prepare export"), not on every
rerun; the prepared file is kept for this browser session until the format, the options
or the document's reviews change, then the button asks to prepare it again.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import streamlit as st

from mtreview.errors import MTReviewError
from mtreview.export import DEFAULT_FORMAT, EXPORTERS, ExportOptions, export_file
from mtreview.export.model import ONLY, PAIRS
from mtreview.store import ReviewStore, SegmentReview
from mtreview.ui.view_model import md_escape

PREPARED = "export_prepared"  # session key: (request, revision, Download)
_OPENED = "export_doc"  # the document the pair choice was made for
_UNSAFE = re.compile(r"[^\w.-]+")  # no separators: names stay in the export folder


@dataclasses.dataclass(frozen=True)
class Download:
    """What a download button serves: file name, content, media type; and how many
    segments corrected to empty were left out (or kept, marked)."""

    file_name: str
    data: bytes
    mime: str
    deleted: int = 0
    kept_deleted: bool = False

    def note(self) -> str:
        if not self.deleted:
            return ""
        plural = "s" if self.deleted > 1 else ""
        what = "kept, marked deleted" if self.kept_deleted else "left out"
        return f"{self.deleted} segment{plural} corrected to empty {what}."


def default_pair(reviews: Sequence[SegmentReview]) -> str:
    """As the CLI: `source` when the document has its source text, else `mt`."""
    has_source = bool(reviews) and reviews[0].analysis.segment.source is not None
    return "source" if has_source else "mt"


def file_stem(doc_id: str) -> str:
    """A file name stem from a document id: nothing that could leave the export folder."""
    return _UNSAFE.sub("_", doc_id).strip("._") or "export"


def export_for_download(
    store: ReviewStore,
    doc_id: str,
    fmt: str,
    pair: str | None = None,
    only: str = "all",
    *,
    title: str = "mtreview report",
    typology: str = "",
    keep_deleted: bool = False,
    by: str | None = None,
) -> Download:
    """One document exported as a file to download (Moses: a zip of both sides).
    Raises ExportError (a one-line message) for what the format cannot carry."""
    options = ExportOptions(
        pair=pair,
        only=only,
        docs=(doc_id,),
        title=title,
        typology=typology,
        keep_deleted=keep_deleted,
    )
    done = export_file(store, fmt, options, stem=file_stem(doc_id), by=by)
    summary = done.summary
    return Download(
        done.file_name, done.data, done.media_type, summary.deleted, summary.kept_deleted
    )


def revision(reviews: Sequence[SegmentReview]) -> int:
    """Changes whenever a review action changes what an export of the document contains."""
    return hash(
        tuple(
            (r.reviewed_at, r.reviewed_by, r.correction, r.annotations, r.decisions)
            for r in reviews
        )
    )


def export_section(
    store: ReviewStore,
    doc_id: str,
    name: str,
    reviews: Sequence[SegmentReview],
    typology: str = "",
    *,
    by: str | None = None,
) -> None:
    """Format, pair and segments to export, then "Prepare export" and the download button."""
    if st.session_state.get(_OPENED) != doc_id:  # a new document: its own default pair
        st.session_state[_OPENED] = doc_id
        st.session_state.pop("export_pair", None)
    with st.sidebar.expander("Export"):
        fmt = st.selectbox(
            "Format",
            list(EXPORTERS),
            index=list(EXPORTERS).index(DEFAULT_FORMAT),
            key="export_format",
            format_func=lambda f: f"{f}: {EXPORTERS[f].description}",
        )
        pair = st.selectbox(
            "Pair",
            list(PAIRS),
            key="export_pair",
            index=PAIRS.index(default_pair(reviews)),
            help="left side of each pair: the source text, or the original machine translation",
        )
        only = st.selectbox("Segments", list(ONLY), key="export_only")
        keep = st.checkbox(
            "Keep segments corrected to empty",
            key="export_keep_deleted",
            help="a corpus leaves them out by default; kept, they are marked deleted",
        )
        request = (doc_id, fmt, pair, only, keep)
        current = revision(reviews)
        if st.button("Prepare export", key="export_prepare"):
            st.session_state.pop(PREPARED, None)
            try:
                with st.spinner("Exporting…"):
                    download = export_for_download(
                        store,
                        doc_id,
                        fmt,
                        pair,
                        only,
                        title=name,
                        typology=typology,
                        keep_deleted=keep,
                        by=by,
                    )
            except MTReviewError as exc:
                st.error(md_escape(str(exc)))
            else:
                st.session_state[PREPARED] = (request, current, download)
        prepared = st.session_state.get(PREPARED)
        if prepared is not None and prepared[:2] == (request, current):
            download = prepared[2]
            st.download_button(
                md_escape(f"Download {download.file_name}"),
                download.data,
                file_name=download.file_name,
                mime=download.mime,
                key="export_download",
                on_click="ignore",
            )
            if download.note():
                st.caption(download.note())
        elif prepared is not None and prepared[0] == request:
            st.caption("The reviews changed since: prepare the export again.")
