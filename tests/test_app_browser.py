"""End to end in a real browser: Debian's Chromium driven by Playwright against
`streamlit run app.py` on a free loopback port, with a store of its own. A request the page
sent before it took in a document just imported (the server's answers held back) does not
open the document left."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from browser_fixtures import app, needs_chromium
from held_answers import HeldAnswers

from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.testing.browser import ROOT, streamlit_app
from mtreview.testing.reviewer import LOCATE, ScriptedReviewer
from mtreview.ui.components import script

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["app"]  # a fixture, used by name

SPAN = "est endommagée à l'image"
CORRECTION = "La pression sur les ONG nuit à l'image internationale du Kazakhstan, selon l'UE"
REVIEWER = "Ana Playwright"
SCREENSHOT = ROOT / "docs" / "review-screen.png"  # refreshed by tests/test_app_flow.py
# Nothing inside a button is wider than its box: no label cut to "Ac…".
FITS = "b => [b, ...b.querySelectorAll('*')].every(e => e.scrollWidth <= e.clientWidth + 1)"
NASTY = (
    "<script>window.__xss = 1</script> Un titre.\n\n"
    'Une image <img src=x onerror="window.__xss = 2"> ici 👍🏽 et e\u0301té.\n'
)


def _drag_select(page: Any, text: str) -> None:
    box = page.evaluate(LOCATE, text)
    assert box is not None, f"{text!r} is not in the open segment"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=12)
    page.mouse.up()


def _only(page: Any, selector: str) -> Any:
    """The element once the page has settled on one (Streamlit keeps the outgoing
    element for a moment while it draws the new one)."""
    page.wait_for_function("(s) => document.querySelectorAll(s).length === 1", arg=selector)
    return page.locator(selector)


def _idle(page: Any) -> None:
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.dataset.testScriptState === 'notRunning'"
    )


def test_mark_correct_reload_find_everything(app: tuple[str, Path], page: Any) -> None:
    url, db = app
    page.goto(url)
    page.get_by_label("Your name").fill(REVIEWER)
    page.get_by_role("button", name="Start reviewing").click()
    page.wait_for_selector(".mtr-segment")

    assert page.get_by_text("Deploy").count() == 0  # the toolbar holds what reviewers need

    _drag_select(page, SPAN)
    picker = page.locator(".mtr-picker")  # the span read back at once, to confirm
    assert picker.locator(".mtr-quote").inner_text() == f"«{SPAN}»"
    picker.locator('.mtr-cat[data-label="Accuracy/Mistranslation"]').click()
    picker.locator('.mtr-sev[data-label="major"]').click()
    picker.get_by_role("button", name="Add error").click()
    page.get_by_text("marked “est endommagée").wait_for()  # a toast

    area = _only(page, "textarea[aria-label='Corrected segment']")
    area.fill(CORRECTION)
    page.get_by_role("button", name="Save correction").click()
    page.get_by_text("correction saved (version 1)").wait_for()
    page.wait_for_selector(".mtr-segment .mtr-error")
    _idle(page)
    for name in ("Save correction", "Reviewed, no change", "Accept", "Reject"):
        button = page.get_by_role("button", name=name).first
        assert button.evaluate(FITS), f"“{name}” is cut off"

    page.reload()  # a new browser session: the local user's name and the rest are in the store
    page.wait_for_selector(".mtr-segment .mtr-error")
    # a pre-highlight inside the mark ("est endommagée à", a calque) cuts it into pieces
    assert "".join(page.locator(".mtr-segment .mtr-error").all_inner_texts()) == SPAN
    assert page.get_by_label("Corrected segment").input_value() == CORRECTION
    page.get_by_text("Accuracy/Mistranslation · major").wait_for()

    with ReviewStore(db) as store:
        [review] = [r for r in store.iter_segments() if r.index == 0]
    [mark] = review.annotations
    assert (mark.text, mark.category, mark.severity, mark.reviewer) == (
        SPAN,
        "Accuracy/Mistranslation",
        "major",
        REVIEWER,
    )
    assert (review.current_text, review.version, review.reviewed_by) == (CORRECTION, 1, REVIEWER)

    # keyboard: next segment, type and save with Ctrl+S, mark reviewed, back
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("j")
    page.get_by_text("Segment 2 of").wait_for()
    _idle(page)
    area = _only(page, "textarea[aria-label='Corrected segment']")
    area.click()
    area.press("End")
    area.type(" (supprimer)")
    page.keyboard.press("Control+s")
    page.get_by_text("Original → corrected").wait_for()  # segment 2's diff: saved
    _idle(page)
    page.keyboard.press("Control+Shift+Enter")
    page.get_by_text("segment 2 marked reviewed").wait_for()
    _idle(page)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("k")
    page.get_by_text("Segment 1 of").wait_for()
    with ReviewStore(db) as store:
        second = next(r for r in store.iter_segments() if r.index == 1)
    assert second.current_text == second.text + " (supprimer)"


def _module_url() -> str:
    return "data:text/javascript;base64," + base64.b64encode(script().encode()).decode()


def test_component_offsets_are_code_points(page: Any) -> None:
    """The component's own conversion, run in Chromium: emoji are one code point, a
    combining accent stays with its letter, spaces at the edges are dropped."""
    page.goto("about:blank")
    text = "Un 👍🏽 été e\u0301té 🇫🇷!"
    thumb, accent, flag = text.index("👍🏽"), text.index("e\u0301"), text.index("🇫🇷")
    result = page.evaluate(
        """async ([url, text, thumb, accent, flag]) => {
          const m = await import(url);
          const u = text.indexOf("été");  // a UTF-16 offset after a 4-unit emoji
          return {
            length: m.cpLength(text),
            cp: m.utf16ToCp(text, u),
            back: m.cpToUtf16(text, m.utf16ToCp(text, u)) === u,
            thumb: m.snapSpan(text, thumb, thumb + 1),
            accent: m.snapSpan(text, accent + 1, accent + 2),
            flag: m.snapSpan(text, flag + 1, flag + 2),
            spaces: m.snapSpan(text, thumb - 1, thumb + 4),
          };
        }""",
        [_module_url(), text, thumb, accent, flag],
    )
    assert result["length"] == len(text)
    assert result["cp"] == text.index("été") and result["back"]
    assert result["thumb"] == {"start": thumb, "end": thumb + 2, "text": "👍🏽"}
    assert result["accent"] == {"start": accent, "end": accent + 2, "text": "e\u0301"}
    assert result["flag"] == {"start": flag, "end": flag + 2, "text": "🇫🇷"}
    assert result["spaces"] == {"start": thumb, "end": thumb + 4, "text": "👍🏽 é"}


def test_import_shows_markup_as_text(app: tuple[str, Path], page: Any, tmp_path: Path) -> None:
    url, db = app
    upload = tmp_path / "nasty.txt"
    upload.write_text(NASTY, encoding="utf-8")
    with ReviewStore(db) as store:  # the module's app may be new (tests run in any order)
        if not store.local_user():
            store.set_local_user("Mallory")
    page.goto(url)
    page.wait_for_selector(".mtr-segment")
    page.get_by_text("Import a document").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    page.get_by_role("button", name="Import and score").click()
    page.wait_for_function(
        """() => {
          const articles = document.querySelectorAll('.mtr-article');
          return articles.length === 1 && articles[0].textContent.includes('<script>');
        }"""
    )
    article = page.locator(".mtr-article").inner_text()
    assert "<script>window.__xss = 1</script>" in article
    assert '<img src=x onerror="window.__xss = 2">' in article
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src=x]").count() == 0
    with ReviewStore(db) as store:
        assert any(d.name == "nasty.txt" for d in store.documents())


def test_a_request_sent_before_an_imported_document_is_drawn_does_not_undo_it(
    page: Any, tmp_path: Path
) -> None:
    """The server's answers to "Import and score" are held back until the page, still
    showing the first document, has sent another request ("Reviewed, no change" there) and
    the server has answered it: that request carries the document list as the page had it,
    at the first document, which Streamlit took for the reviewer picking it again."""
    db = tmp_path / "review.db"
    with ReviewStore(db) as store:
        store.add_document(document_from_text("Le premier texte.\n", doc_id="one", name="one.txt"))
        store.set_local_user("Ana")
    upload = tmp_path / "two.txt"
    upload.write_text("Le second texte, importé.\n", encoding="utf-8")
    with streamlit_app(db, tmp_path / "streamlit.log", MTREVIEW_USE_MODELS="false") as url:
        held = HeldAnswers(page)
        page.goto(url)
        page.wait_for_selector(".mtr-segment")
        page.get_by_text("Import a document").click()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
        page.wait_for_selector(".st-key-import_go button:not([disabled])")  # the file is in
        person = ScriptedReviewer(page)
        person.idle()
        held.holding = True
        page.get_by_role("button", name="Import and score").click()
        held.until_ended(2)  # the import's run, cut short by its rerun, and the rerun
        page.get_by_role("button", name="Reviewed, no change").click()  # the first document's
        held.until_ended(3)
        held.release()
        page.get_by_text("segment 1 marked reviewed").wait_for()  # the third run's answer
        person.idle()
        _only(page, ".mtr-article")
        assert "Le second texte" in page.locator(".mtr-article").inner_text()
        assert "doc=two&" in page.url, page.url
        assert person.page_errors == []
    with ReviewStore(db) as store:
        assert store.segment("one", 0).reviewed  # the click went where it was made


def test_readme_shows_the_screenshot() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/review-screen.png" in readme
    assert SCREENSHOT.is_file() and SCREENSHOT.stat().st_size > 10_000
