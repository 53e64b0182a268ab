"""The review app's Python flow with streamlit.testing.v1.AppTest, on real SQLite stores."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from box_events import box, box_text, send
from lxml import etree
from open_widgets import document_list, segment_list
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import DownloadButton

from mtreview.analysis import SegmentAnalysis
from mtreview.export import EXPORTERS
from mtreview.flags import Flag
from mtreview.readers import read_document
from mtreview.store import ReviewStore
from mtreview.ui.exports import PREPARED, Download, export_for_download, file_stem

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = Path(__file__).resolve().parent / "schemas"
SPAN = "est endommagée à l'image"
NASTY = (
    "<script>alert('doc')</script> Titre.\n\n"
    "Une image <img src=x onerror=alert(1)> ici [lien](javascript:alert(2)) et **gras**.\n"
)


@pytest.fixture
def env(app_env: Path) -> Path:
    return app_env


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _shown(elements: object) -> list[str]:
    """Markdown bodies (messages, captions) as the reader sees them: escapes removed."""
    return [e.value.replace("\\", "") for e in elements]  # type: ignore[attr-defined]


def _texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def _toasts(at: AppTest) -> list[str]:
    """The last action's messages: toasts, which float over the page and never move it."""
    return _shown(at.toast)


def test_reviewer_is_asked_once_and_kept(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MTREVIEW_REVIEWER")
    at = _app()
    assert not at.selectbox  # nothing to review before a name is given
    at.text_input(key="reviewer_input").input("Zoé Martin")
    at.button(key="reviewer_start").click()
    at.run()
    assert "Reviewer: Zoé Martin" in _texts(at)
    assert "reviewer" not in at.query_params  # the URL never says who you are


def test_the_url_cannot_name_the_reviewer(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MTREVIEW_REVIEWER")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["reviewer"] = "Mallory"
    at.run()
    assert not at.selectbox and "Reviewer: Mallory" not in _texts(at)
    assert at.text_input(key="reviewer_input").value == ""


def test_opens_shipped_article_without_models(env: Path) -> None:
    at = _app()
    assert any("without translation models" in w for w in _shown(at.warning))
    assert segment_list(at.sidebar).value == 0
    with ReviewStore(env) as store:
        [info] = store.documents()
    assert info.name == "kaztag-ngo-pressure.fr.txt" and info.analysis_info["model_free"]
    assert at.progress[0].value == 0


def test_mark_a_span_and_edit_and_delete_it(env: Path) -> None:
    at = _app()
    at.text_input(key="mark_find").input(SPAN)
    _click(at, "mark_find_btn")
    assert any(t.endswith(f"): {SPAN}") for t in _texts(at))
    at.selectbox(key="new_category").set_value("Accuracy/Mistranslation")
    at.selectbox(key="new_severity").set_value("major")
    at.text_input(key="new_comment").input("<script>alert('comment')</script>")
    _click(at, "add_error")
    with ReviewStore(env) as store:
        doc_id = store.documents()[0].doc_id
        [mark] = store.segment(doc_id, 0).annotations
    assert (mark.text, mark.category, mark.severity, mark.reviewer) == (
        SPAN,
        "Accuracy/Mistranslation",
        "major",
        "Anne",
    )
    assert "<script>alert('comment')</script>" in _texts(at)  # shown as plain text
    assert at.metric[0].value == "5"  # document MQM penalty: one major error

    at.selectbox(key=f"ann_sev_{mark.id}").set_value("minor")
    _click(at, f"ann_save_{mark.id}")
    with ReviewStore(env) as store:
        assert store.segment(doc_id, 0).annotations[0].severity == "minor"
    _click(at, f"ann_del_{mark.id}")
    with ReviewStore(env) as store:
        assert store.segment(doc_id, 0).annotations == ()


def _flagged_article(tmp_path: Path, db: Path) -> Path:
    """The article stored beforehand with pre-highlights of our own on segment 0."""
    path = tmp_path / "flagged.txt"
    path.write_text("Le chat chat dort. Il pleut.\n\nDeux.\n", encoding="utf-8")
    doc = read_document(path)
    flags = (
        Flag(3, 12, "Accuracy/Addition", "minor", ("rule:repeated_words",), "mot répété"),
        Flag(0, 2, "Fluency/Grammar", "minor", ("grammar",), "test"),
    )
    analyses = [SegmentAnalysis(segment=s, flags=flags if s.index == 0 else ()) for s in doc]
    with ReviewStore(db) as store:
        store.add_document(doc, analyses)
    return path


def test_accept_and_reject_pre_highlights(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MTREVIEW_DOCUMENT", str(_flagged_article(tmp_path, env)))
    at = _app()
    _click(at, "accept_focused")  # the first undecided pre-highlight
    _click(at, "reject_focused")  # then the next one
    with ReviewStore(env) as store:
        review = store.segment("flagged", 0)
    assert [a.text for a in review.annotations] == ["chat chat"]
    assert review.annotations[0].origin == "pre-highlight:rule:repeated_words"
    assert [(d.flag_index, d.decision, d.reviewer) for d in review.decisions] == [
        (0, "accepted", "Anne"),
        (1, "rejected", "Anne"),
    ]
    _click(at, "flag_reject_0")  # change of mind: the error goes away
    with ReviewStore(env) as store:
        assert store.segment("flagged", 0).annotations == ()


def test_corrections_history_and_conflict(env: Path) -> None:
    at = _app()
    with ReviewStore(env) as store:
        doc_id = store.documents()[0].doc_id
    send(at, "save", "Première version")  # the box's "Save correction", with its text
    assert any("correction saved (version 1)" in s for s in _toasts(at))
    assert not at.success  # no message box pushes the page down
    assert (box(at)["base"], box_text(at)) == (1, "Première version")
    # another reviewer saves on top of version 1 while we keep editing
    with ReviewStore(env) as store:
        store.save_correction(doc_id, 0, "Texte de Bob", expected_version=1, reviewer="Bob")
    send(at, "save", "Ma deuxième version")
    assert any("segment 1 was saved by someone else" in e for e in _toasts(at))
    assert "Texte de Bob" in _texts(at) and "Ma deuxième version" in _texts(at)
    with ReviewStore(env) as store:
        assert store.segment(doc_id, 0).current_text == "Texte de Bob"  # not overwritten
    _click(at, "take_theirs")
    assert (box(at)["base"], box_text(at)) == (2, "Texte de Bob")
    send(at, "save", "Texte de Bob, corrigé")
    with ReviewStore(env) as store:
        history = store.corrections(doc_id, 0)
    assert [(c.version, c.reviewer) for c in history] == [(1, "Anne"), (2, "Bob"), (3, "Anne")]
    html = "".join(h.proto.body for h in at.html)
    assert "<ins" in html  # the original -> corrected diff


def test_reviewed_without_change_and_navigation(env: Path) -> None:
    at = _app()
    send(at, "reviewed")  # the box's "Reviewed, no change", nothing typed
    assert at.progress[0].value == 100 // 17  # percent
    _click(at, "next_btn")
    assert segment_list(at.sidebar).value == 1
    _click(at, "prev_btn")
    assert segment_list(at.sidebar).value == 0
    at.sidebar.selectbox(key="order").set_value("unreviewed (worst first)")
    at.run()
    options = segment_list(at.sidebar).options
    assert not any(option.startswith("1 ·") for option in options[1:])  # segment 1 is done


def test_order_and_category_filter(env: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MTREVIEW_DOCUMENT", str(_flagged_article(tmp_path, env)))
    at = _app()
    at.sidebar.selectbox(key="category_filter").set_value("Fluency/Grammar")
    at.run()
    assert [o.split(" ·")[0] for o in segment_list(at.sidebar).options] == ["1"]


def test_document_text_is_escaped(env: Path, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "nasty.txt"
    path.write_text(NASTY, encoding="utf-8")
    monkeypatch.setenv("MTREVIEW_DOCUMENT", str(path))
    at = _app()
    _click(at, "next_btn")  # segment 2: the previous segment (a <script>) is shown as context
    bodies = [h.proto.body for h in at.html]
    assert any("&lt;script&gt;alert(&#x27;doc&#x27;)&lt;/script&gt;" in b for b in bodies)
    shown = bodies + [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any("<script" in s or "<img" in s for s in shown)
    at.text_input(key="mark_find").input("[lien](javascript:alert(2))")
    _click(at, "mark_find_btn")
    at.text_input(key="new_comment").input('<img src=x onerror="alert(3)">')
    _click(at, "add_error")
    labels = [e.label for e in at.expander]
    assert any(r"\[lien\]\(javascript\:alert\(2\)\)" in label for label in labels)
    assert '<img src=x onerror="alert(3)">' in _texts(at)


def test_import_from_the_browser(env: Path) -> None:
    at = _app()
    at.sidebar.file_uploader(key="import_file").upload(
        "second.tsv", b"translation\nBonjour le monde.\nAu revoir.\n", "text/plain"
    )
    at.run()
    _click(at, "import_go")
    with ReviewStore(env) as store:
        names = [d.name for d in store.documents()]
    assert names[-1] == "second.tsv"
    assert document_list(at.sidebar).value == "second"
    assert at.subheader[0].value == "Segment 1 of 2"


def test_bad_upload_is_one_clear_error(env: Path) -> None:
    at = _app()
    at.sidebar.file_uploader(key="import_file").upload("bad.txt", b"\xff\xfe broken", "text/plain")
    at.run()
    _click(at, "import_go")
    assert any("bad.txt" in e and "UTF-8" in e for e in _shown(at.error))


def test_models_score_the_article_when_available(
    env: Path, tiny_fr_en: Path, tiny_en_fr: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MTREVIEW_BACK_MODEL", str(tiny_fr_en))
    monkeypatch.setenv("MTREVIEW_RETURN_MODEL", str(tiny_en_fr))
    monkeypatch.setenv("MTREVIEW_GRAMMAR", "false")
    monkeypatch.setenv("MTREVIEW_NUM_BEAMS", "1")  # random tiny models: keep generation short
    monkeypatch.setenv("MTREVIEW_MAX_LENGTH", "48")
    at = _app()
    assert not any("without translation models" in w for w in _shown(at.warning))
    with ReviewStore(env) as store:  # reviewable at once, the models' part on its way
        [info] = store.documents()
        assert len(list(store.iter_segments())) == info.segments
        deadline = time.monotonic() + 300
        while store.document(info.doc_id).analysis_info.get("analysing"):
            assert time.monotonic() < deadline, "the background analysis did not finish"
            time.sleep(0.2)
        assert store.document(info.doc_id).analysis_info["model_free"] is False
        review = next(store.iter_segments())
    at.run()
    assert review.analysis.back_translation and review.analysis.round_trip
    assert review.analysis.return_score is not None
    bodies = [h.proto.body for h in at.html]
    assert any("mtr-heat" in b for b in bodies)  # the per-token log-prob heat map
    assert {m.label for m in at.metric} >= {"chrf", "log-prob", "risk"}


FIX = "Corrigé : « l'image » <b> & 🙂"


def _review_through_store(db: Path) -> str:
    """One annotation and one correction on segment 0 of the shipped article."""
    with ReviewStore(db) as store:
        doc_id = store.documents()[0].doc_id
        text = store.segment(doc_id, 0).text
        start = text.index(SPAN)
        store.add_annotation(
            doc_id,
            0,
            start,
            start + len(SPAN),
            category="Accuracy/Mistranslation",
            severity="major",
            reviewer="Anne",
            comment="<b>&</b> « à revoir »",
        )
        store.save_correction(doc_id, 0, FIX, expected_version=0, reviewer="Anne")
    return doc_id


def _prepare(at: AppTest, fmt: str, pair: str = "mt", only: str = "all") -> AppTest:
    at.sidebar.selectbox(key="export_format").set_value(fmt)
    at.sidebar.selectbox(key="export_pair").set_value(pair)
    at.sidebar.selectbox(key="export_only").set_value(only)
    return _click(at, "export_prepare")


def _prepared(at: AppTest) -> Download:
    """What the download button serves (AppTest keeps no media files after a run)."""
    download = at.session_state[PREPARED][2]
    assert isinstance(download, Download)
    [button] = at.sidebar.get("download_button")
    assert (
        isinstance(button, DownloadButton)
        and button.key == "export_download"
        and download.file_name in button.label.replace("\\", "")
    )
    return download


def _tmx_pairs(data: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "download.tmx"
    path.write_bytes(data)
    checked = subprocess.run(
        ["xmllint", "--noout", "--dtdvalid", str(SCHEMAS / "tmx14.dtd"), str(path)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    tree = etree.parse(str(path))
    return [["".join(seg.itertext()) for seg in tu.iter("seg")] for tu in tree.iter("tu")]


def test_export_section_downloads_every_format(env: Path, tmp_path: Path) -> None:
    at = _app()
    doc_id = _review_through_store(env)
    at.run()
    assert at.sidebar.selectbox(key="export_pair").value == "mt"  # the article has no source
    assert at.sidebar.selectbox(key="export_format").value == "tmx"  # the first choice
    assert not at.sidebar.get("download_button")  # nothing exported before it is asked for
    with ReviewStore(env) as store:
        original = store.segment(doc_id, 0).text
        segments = store.document(doc_id).segments
    for fmt in EXPORTERS:
        download = _prepared(_prepare(at, fmt))
        assert not at.error, [e.value for e in at.error]
        assert download.data and download.file_name.startswith(file_stem(doc_id))
        if fmt == "moses":
            with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
                assert len(archive.namelist()) == 2
        if fmt in ("jsonl", "reviews"):
            assert FIX in download.data.decode("utf-8")  # JSON keeps the text as is
    units = _tmx_pairs(_prepared(_prepare(at, "tmx")).data, tmp_path)
    assert len(units) == segments and units[0] == [original, FIX]
    assert _tmx_pairs(_prepared(_prepare(at, "tmx", only="corrected")).data, tmp_path) == [
        [original, FIX]
    ]
    # a later review action makes the prepared file stale: no download of old data
    with ReviewStore(env) as store:
        store.save_correction(doc_id, 0, FIX + " bis", expected_version=1, reviewer="Bob")
    at.run()
    assert not at.sidebar.get("download_button")
    assert any("prepare the export again" in c for c in _shown(at.sidebar.caption))


def test_export_errors_are_one_line(env: Path) -> None:
    at = _app()
    _prepare(at, "tmx", pair="source")  # the shipped article has no source text
    [error] = _shown(at.error)
    assert "no source text" in error and "\n" not in error
    assert not at.sidebar.get("download_button")
    with ReviewStore(env) as store:
        doc_id = store.documents()[0].doc_id
        store.save_correction(doc_id, 1, "bell \x07 char", expected_version=0, reviewer="Anne")
    _prepare(at, "xliff")
    [error] = _shown(at.error)
    assert "U+0007" in error and "XML" in error
    _prepare(at, "jsonl")  # JSON lines carry it
    assert not at.error and _prepared(at).data


def test_export_for_download_keeps_names_inside(tmp_path: Path) -> None:
    """The download's file name comes from the document id: no path can leave the folder."""
    path = tmp_path / "x.txt"
    path.write_text("Un chat. Deux chats.\n", encoding="utf-8")
    doc = read_document(path)
    doc_id = "../../évasion"
    segments = tuple(dataclasses.replace(s, doc=doc_id) for s in doc.segments)
    doc = dataclasses.replace(doc, doc_id=doc_id, segments=segments)
    with ReviewStore(tmp_path / "review.db") as store:
        store.add_document(doc)
        download = export_for_download(store, doc.doc_id, "tsv")
    assert file_stem(doc.doc_id) == "évasion" and download.file_name == "évasion.tsv"
    assert download.mime == EXPORTERS["tsv"].media_type
    assert "Un chat." in download.data.decode("utf-8")


def test_export_section_leaves_deleted_segments_out(env: Path) -> None:
    at = _app()
    with ReviewStore(env) as store:
        doc_id = store.documents()[0].doc_id
        store.save_correction(doc_id, 1, "", expected_version=0, reviewer="Anne")  # "Anonim"
    at.run()
    download = _prepared(_prepare(at, "tsv"))
    assert "Anonim" not in download.data.decode("utf-8")
    assert "1 segment corrected to empty left out." in _shown(at.sidebar.caption)
    at.sidebar.checkbox(key="export_keep_deleted").check()
    at.run()
    download = _prepared(_prepare(at, "tsv"))
    assert "\tdeleted\t" in download.data.decode("utf-8")
    assert "1 segment corrected to empty kept, marked deleted." in _shown(at.sidebar.caption)


def test_progress_while_the_models_analyse(env: Path) -> None:
    """A document being analysed: the sidebar says how far the models got, segments they
    have not reached say so, and everything is reviewable meanwhile."""
    from mtreview.ui.jobs import AnalysisJob
    from mtreview.ui.page import _jobs

    at = _app()
    with ReviewStore(env) as store:
        [info] = store.documents()
    job = AnalysisJob(info.doc_id, total=info.segments, done=8)  # running: not ended
    _jobs(str(env))._jobs[info.doc_id] = job
    at.run()
    [bar] = at.sidebar.get("progress")
    assert f"8 of {info.segments} segments analysed" in bar.proto.text
    bodies = "".join(h.proto.body for h in at.html)
    assert "on their way" not in bodies  # segment 1 is ready
    segment_list(at.sidebar).set_value(9)
    at.run()
    assert "on their way" in "".join(h.proto.body for h in at.html)
    send(at, "reviewed")  # reviewable while it waits
    job.done = 12  # the models got past it: the next run draws its analysis
    at.run()
    assert "on their way" not in "".join(h.proto.body for h in at.html)
    assert at.session_state["drawn_waiting"] is False
    job.done = job.total
    job.ended.set()
    at.run()
    assert not at.sidebar.get("progress")
