"""The comparison view in Debian's Chromium (Playwright): two systems' translations of a
source scored into a store with `mtreview score --db`, one error marked in each with the
mouse (the same picker as the document view, two editors on one page), a correction sent
with Ctrl+S from one of the two boxes; no system name anywhere in the page; each error on
its own system's document, and `mtreview export --format mqm` names the system."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from held_answers import HeldAnswers
from streamlit_server import CHROMIUM, settle, streamlit_app

from mtreview.cli import main
from mtreview.store import ReviewStore
from mtreview.testing.reviewer import PlannedError, ScriptedReviewer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (scripts/setup.sh)"),
]

NAMES = ("sysalpha", "sysbeta")
ROWS = [  # source, sysalpha, sysbeta
    ("The NGO is under pressure.", "L'ONG est sous une forte pression.", "L'ONG subit la presse."),
    ("The court fined it.", "Le tribunal l'a condamnée.", "La cour l'a amendée."),
]
ERRORS = {  # the words each system's error is marked on, and their fix
    "sysalpha": PlannedError(1, "une forte", "Fluency/Grammar", "minor", "de la"),
    "sysbeta": PlannedError(1, "subit", "Accuracy/Mistranslation", "major", "est sous"),
}
SAVED_WITH_KEYS = "L'ONG est sous la pression, dit-on."


def _slot(number: int) -> str:
    return f".st-key-c0t{number}_translation"


def _scored_store(tmp_path: Path, rows: Sequence[tuple[str, ...]]) -> Path:
    """The rows scored into a store of Ana's: one system a translation column."""
    table = tmp_path / "news.tsv"
    lines = ["source\t" + "\t".join(f"translation:{name}" for name in NAMES)]
    table.write_text("\n".join(lines + ["\t".join(row) for row in rows]) + "\n", "utf-8")
    db = tmp_path / "r.db"
    assert main(["score", str(table), "--no-models", "--db", str(db)]) == 0
    with ReviewStore(db) as store:
        store.set_local_user("Ana")
    return db


def test_each_translation_is_marked_blind_and_lands_on_its_system(
    tmp_path: Path, page: Any
) -> None:
    db = _scored_store(tmp_path, ROWS)

    with streamlit_app(db, tmp_path / "streamlit.log", MTREVIEW_USE_MODELS="false") as url:
        page.goto(url)
        page.locator("[data-testid='stSidebar'] label").filter(has_text="Comparison").click()
        for number in (1, 2):
            page.locator(f"{_slot(number)} .mtr-segment").wait_for()
        person = ScriptedReviewer(page)
        person.idle()
        settle(page)
        shown = {}  # slot -> the system whose translation it holds, read from the page
        for number in (1, 2):
            text = page.locator(f"{_slot(number)} .mtr-segment").inner_text()
            [shown[number]] = [
                n for n, column in zip(NAMES, (1, 2), strict=True) if text == ROWS[0][column]
            ]
        assert sorted(shown.values()) == list(NAMES)
        assert ROWS[0][0] in page.locator("[data-testid='stMain']").inner_text()  # the source

        for number in (1, 2):  # the mouse flow, in each editor
            person.within = _slot(number)
            person.mark(ERRORS[shown[number]])
            settle(page)
        assert page.locator(".mtr-segment .mtr-error").count() == 2
        beta = next(number for number, name in shown.items() if name == "sysbeta")
        box = page.locator(f"{_slot(beta)} textarea[aria-label='Corrected segment']")
        box.fill(SAVED_WITH_KEYS)
        box.press("Control+s")  # that box's own form, not the other one's
        page.get_by_text("correction saved (version 2)").wait_for()
        settle(page)
        person.idle()
        html, text = page.content(), page.locator("body").inner_text()
        assert not [name for name in NAMES if name in html or name in text]
        assert person.page_errors == []

    with ReviewStore(db) as store:
        for name, error in ERRORS.items():
            review = store.segment(f"news@{name}", 0)
            [mark] = review.annotations
            start = review.text.index(error.words)
            assert (mark.start, mark.end) == (start, start + len(error.words))
            assert mark.text == error.words
            assert (mark.category, mark.severity, mark.reviewer) == (
                error.category,
                error.severity,
                "Ana",
            )
            fixed = review.text.replace(error.words, error.fix, 1)
            assert store.corrections(f"news@{name}", 0)[0].text == fixed
        assert store.segment("news@sysbeta", 0).current_text == SAVED_WITH_KEYS
        assert store.segment("news@sysalpha", 0).version == 1  # Ctrl+S sent one form only
    out = tmp_path / "errors.tsv"
    assert main(["export", "--db", str(db), "--format", "mqm", "-o", str(out)]) == 0
    rows = [line.split("\t") for line in out.read_text("utf-8").splitlines()]
    errors = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert sorted((e["system"], e["doc"], e["seg_id"], e["category"]) for e in errors) == [
        ("sysalpha", "news", "1", "Fluency/Grammar"),
        ("sysbeta", "news", "1", "Accuracy/Mistranslation"),
    ]
    targets = {e["system"]: e["target"] for e in errors}
    assert targets["sysbeta"] == "L'ONG <v>subit</v> la presse."
    assert targets["sysalpha"] == "L'ONG est sous <v>une forte</v> pression."


def test_a_request_sent_before_the_next_row_is_drawn_does_not_undo_it(
    tmp_path: Path, page: Any
) -> None:
    """The server's answers to "Next row" are held back until the page, still on row 1, has
    sent another request ("Reviewed, no change" in a translation's box) and the server has
    answered it: that request carries the row box as the page had it, row 1."""
    rows = [*ROWS, ("The case goes on.", "L'affaire continue.", "Le cas va sur.")]
    db = _scored_store(tmp_path, rows)

    with streamlit_app(db, tmp_path / "streamlit.log", MTREVIEW_USE_MODELS="false") as url:
        held = HeldAnswers(page)
        page.goto(url)
        page.locator("[data-testid='stSidebar'] label").filter(has_text="Comparison").click()
        page.get_by_text("Row 1 of 3").wait_for()
        person = ScriptedReviewer(page)
        person.idle()
        held.holding = True
        page.get_by_role("button", name="Next row ▶").click()
        held.until_ended(1)
        page.locator(f"{_slot(1)}").get_by_role("button", name="Reviewed, no change").click()
        held.until_ended(2)
        held.release()
        page.get_by_text("segment 1 marked reviewed").wait_for()  # the second run's answer
        person.idle()
        captions = page.locator("[data-testid='stCaptionContainer']").all_inner_texts()
        assert "Row 2 of 3" in captions, captions
        assert page.url.endswith("segment=1")
        assert person.page_errors == []
