"""The corpus, end to end: `mtreview score --db` with tiny real Marian models, then the app
in Debian's Chromium (Playwright) shows every document and the cross-corpus queue with the
run's model fields, computed once; the review is saved; `mtreview export` gives the
corrected corpus. And a bilingual TSV imported in the app exports with its source language.
A request the page sent before it took in the switch to the document view (the server's
answers held back) does not bring the corpus view back."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from held_answers import HeldAnswers
from lxml import etree
from streamlit_server import CHROMIUM, only, settle, streamlit_app
from test_score_store import ROWS, findings, write_corpus

from mtreview.cli import main
from mtreview.store import ReviewStore
from mtreview.testing.reviewer import PlannedError, ScriptedReviewer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (scripts/setup.sh)"),
]

CORRECTION = "Le café est chaud."


def _stamps(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT created_at FROM analyses ORDER BY 1")]


def _queue_labels(page: Any) -> list[str]:
    """The queue's lines once the page is drawn (the run may still be adding them)."""
    page.locator("[class*='st-key-queue_open_'] button").first.wait_for()
    page.wait_for_function(  # the run that draws them is over, not just under way
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.dataset.testScriptState === 'notRunning'"
    )
    settle(page)
    return page.locator("[class*='st-key-queue_open_'] button").all_inner_texts()


def test_scored_corpus_is_reviewed_in_the_app_and_exported(
    tmp_path: Path, page: Any, tiny_fr_en: Path, tiny_en_fr: Path
) -> None:
    corpus = write_corpus(tmp_path / "corpus.tsv")
    db = tmp_path / "corpus.db"
    models = ["--back-model", str(tiny_fr_en), "--return-model", str(tiny_en_fr)]
    assert main(["score", str(corpus), "--db", str(db), *models, "--no-grammar"]) == 0
    before, stamps = findings(db), _stamps(db)
    with ReviewStore(db) as store:
        store.set_local_user("Ana")  # a local store's one user

    # the app has no models (and may not load any): what it shows comes from the run
    with streamlit_app(db, tmp_path / "streamlit.log", MTREVIEW_USE_MODELS="false") as url:
        page.goto(url)
        page.locator("[class*='st-key-queue_open_'] button").first.wait_for()
        page.wait_for_function(  # the table's cells (drawn on a canvas, mirrored for a11y)
            "() => document.querySelectorAll('[data-testid=stDataFrame] td').length >= 27"
        )
        cells = page.locator("[data-testid='stDataFrame'] td").all_inner_texts()
        assert {"alpha", "beta", "gamma"} <= set(cells)
        labels = _queue_labels(page)
        assert len(labels) == sum(len(rows) for rows in ROWS.values())  # every segment
        assert {label.split(" · ")[1] for label in labels} == {"alpha", "beta", "gamma"}
        risks = [float(label.split(" · ")[0].removeprefix("risk ")) for label in labels]
        assert risks == sorted(risks, reverse=True)  # riskiest first, across documents

        first = labels[0].split(" · ")
        doc, index = first[1], int(first[2].removeprefix("segment ")) - 1
        record = before[(doc, index)]
        page.locator("[class*='st-key-queue_open_'] button").first.click()
        page.get_by_text(f"{doc} · segment {index + 1} of {len(ROWS[doc])}").wait_for()
        settle(page)
        page.get_by_text(record["back_translation"], exact=True).first.wait_for()
        page.get_by_text(record["round_trip"], exact=True).first.wait_for()
        shown = page.locator(".mtr-heat .mtr-token").evaluate_all("es => es.map(e => e.title)")
        spans = [t for t in record["tokens"] if t["end"] > t["start"]]
        assert shown == [f"{t['text']}: {t['logprob']:.2f}" for t in spans]  # log-probs
        logprob = page.locator("[data-testid='stMetric']").filter(has_text="log-prob")
        assert logprob.inner_text().split()[-1] == f"{record['logprob']:.2f}"
        # the paragraph before and after: in a table, the neighbouring rows
        context = page.locator(".mtr-article").inner_text()
        for neighbour in (index - 1, index + 1):
            if 0 <= neighbour < len(ROWS[doc]):
                assert ROWS[doc][neighbour][1] in context

        # the review flow's picker: drag the word, pick, type its fix, Enter
        word = ROWS[doc][index][1].split()[1]
        person = ScriptedReviewer(page)
        person.idle()
        person.mark(PlannedError(index + 1, word, "Fluency/Spelling", "minor", "X"))
        page.get_by_text("correction saved (version 1)").wait_for()
        settle(page)  # a box filled while the run redraws it would get its old text back
        only(page, "textarea[aria-label='Corrected segment']").fill(CORRECTION)
        only(page, ".mtr-box-save").click()
        page.get_by_text("correction saved (version 2)").wait_for()
        assert person.page_errors == []

        only(page, ".st-key-corpus_next button").click()
        second = labels[1].split(" · ")
        page.get_by_text(f"{second[1]} · {second[2]} of").wait_for()
        only(page, ".st-key-corpus_back button").click()
        page.get_by_text("riskiest first").wait_for()
        assert len(_queue_labels(page)) == len(labels) - 1  # the corrected one is reviewed

        # a segment in context opens its whole document in the review flow, at that segment
        third = labels[2].split(" · ")
        page.locator("[class*='st-key-queue_open_'] button").nth(1).click()
        page.get_by_text(f"{third[1]} · {third[2]} of").wait_for()
        only(page, ".st-key-corpus_document button").click()
        number = int(third[2].removeprefix("segment "))
        heading = f"Segment {number} of {len(ROWS[third[1]])}"
        page.get_by_role("heading", name=heading).wait_for()
        settle(page)
        # read in one step: a late redraw may show the outgoing copy beside the new one
        current = page.locator(".mtr-seg.mtr-current")
        current.first.wait_for()
        assert set(current.evaluate_all("els => els.map(e => e.dataset.index)")) == {
            str(number - 1)
        }
        # the picker's segment component, exactly one (a count taken later could fall
        # between a redraw's removal and its replacement)
        only(page, ".mtr-segment")  # waits until there is exactly one

    assert findings(db) == before and _stamps(db) == stamps  # computed once, by the run
    with ReviewStore(db) as store:
        review = store.segment(doc, index)
        assert review.current_text == CORRECTION and review.reviewed_by == "Ana"
        [mark] = review.annotations
        assert mark.text == word and mark.reviewer == "Ana"
        assert (mark.category, mark.severity) == ("Fluency/Spelling", "minor")
        start = ROWS[doc][index][1].index(word)
        assert (mark.start, mark.end) == (start, start + len(word))
        assert store.corrections(doc, index)[0].text == ROWS[doc][index][1].replace(word, "X", 1)
    out = tmp_path / "corrected.jsonl"
    assert main(["export", "--db", str(db), "--format", "jsonl", "-o", str(out)]) == 0
    pairs = [json.loads(line)["translation"] for line in out.read_text("utf-8").splitlines()]
    assert len(pairs) == 6 and {"ru": ROWS[doc][index][0], "fr": CORRECTION} in pairs
    assert {"ru": ROWS["gamma"][0][0], "fr": ROWS["gamma"][0][1]} in pairs


def test_bilingual_table_imported_in_the_app_keeps_its_source_language(
    tmp_path: Path, page: Any
) -> None:
    (tmp_path / "mtreview.toml").write_text('[mtreview]\nsource_lang = "ru"\n', encoding="utf-8")
    table = tmp_path / "pairs.tsv"
    table.write_text(
        "source\ttranslation\nКофе горячий.\tLe café est chaud.\nДа.\tOui.\n", encoding="utf-8"
    )
    db = tmp_path / "review.db"
    with ReviewStore(db) as store:
        store.set_local_user("Ana")
    with streamlit_app(db, tmp_path / "streamlit.log") as url:
        page.goto(url)
        page.wait_for_selector(".mtr-segment")
        page.get_by_text("Import a document").click()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(table))
        page.get_by_role("button", name="Import and score").click()
        page.wait_for_function(
            "() => document.querySelector('.mtr-article')?.textContent.includes('Oui.')"
        )
    out = tmp_path / "pairs.tmx"
    export = ["export", "--db", str(db), "--format", "tmx", "--doc", "pairs", "-o", str(out)]
    assert main(export) == 0
    tmx = etree.parse(str(out))
    assert tmx.find("header").get("srclang") == "ru"
    langs = {tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in tmx.iter("tuv")}
    assert langs == {"ru", "fr"}


def test_a_request_sent_before_the_document_view_is_drawn_does_not_undo_it(
    tmp_path: Path, page: Any
) -> None:
    """The server's answers to "Whole document" are held back until the page, still showing
    the segment in the corpus view, has sent another request ("Reviewed, no change" there)
    and the server has answered it: that request carries the view switch as the page had
    it, at "Corpus", which Streamlit took for the reviewer switching back."""
    db = tmp_path / "corpus.db"
    corpus = write_corpus(tmp_path / "corpus.tsv")
    assert main(["score", str(corpus), "--db", str(db), "--no-models", "--no-grammar"]) == 0
    with ReviewStore(db) as store:
        store.set_local_user("Ana")
    with streamlit_app(db, tmp_path / "streamlit.log", MTREVIEW_USE_MODELS="false") as url:
        held = HeldAnswers(page)
        page.goto(url)
        doc, segment = _queue_labels(page)[0].split(" · ")[1:3]
        number = int(segment.removeprefix("segment "))
        page.locator("[class*='st-key-queue_open_'] button").first.click()
        page.get_by_text(f"{doc} · {segment} of").wait_for()
        person = ScriptedReviewer(page)
        person.idle()
        settle(page)
        held.holding = True
        only(page, ".st-key-corpus_document button").click()
        held.until_ended(1)
        page.get_by_role("button", name="Reviewed, no change").click()  # the corpus view's
        held.until_ended(2)
        held.release()
        page.get_by_text(f"segment {number} marked reviewed").wait_for()  # the second answer
        person.idle()
        settle(page)
        assert page.get_by_role("heading", name="Corpus").count() == 0
        page.get_by_role("heading", name=f"Segment {number} of {len(ROWS[doc])}").wait_for()
        assert page.url.endswith(f"?doc={doc}&segment={number - 1}"), page.url
        assert person.page_errors == []
