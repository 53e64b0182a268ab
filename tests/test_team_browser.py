"""The team flow in a real browser (Chromium, Playwright, `streamlit run`): two reviewers
sign in and review an overlapping assignment, a lead sees their agreement and adjudicates
the disagreement, and the export carries the adjudicated result. An anonymous visit and a
forged `?reviewer=` get the sign-in form and nothing else. The form posts to the sign-in
route, whose HttpOnly cookie keeps the session through a reload until "Sign out"."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit_server import CHROMIUM, streamlit_app

from mtreview.cli import main
from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.testing.team import team

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (scripts/setup.sh)"),
]

TEXT = "La pression sur les ONG est endommagée à l'image du pays.\n\nUne autre phrase ici.\n"
PASSWORDS = {
    "anne": "plum orchard lantern",
    "bob": "copper meadow tundra",
    "lena": "violet harbour sextant",
}
# what each reviewer marks in the first segment: the same words, different labels
MARKS = {
    "anne": ("est endommagée", "Fluency/Grammar", "minor"),
    "bob": ("est endommagée", "Accuracy/Mistranslation", "major"),
}
FIXES = {
    "anne": "La pression sur les ONG nuit à l'image du pays.",
    "bob": "La pression sur les ONG ternit l'image du pays.",
}
LOCATE = """(wanted) => {
  const root = document.querySelector('.mtr-segment');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = []; let all = '';
  while (walker.nextNode()) { nodes.push([walker.currentNode, all.length]);
                              all += walker.currentNode.textContent; }
  const at = all.indexOf(wanted);
  const rect = (pos) => {
    for (const [node, start] of nodes) if (pos < start + node.textContent.length) {
      const range = document.createRange();
      range.setStart(node, pos - start); range.setEnd(node, pos - start + 1);
      return range.getBoundingClientRect(); } };
  const first = rect(at), last = rect(at + wanted.length - 1);
  return {x1: first.left + 1, y1: first.top + first.height / 2,
          x2: last.right - 1, y2: last.top + last.height / 2};
}"""


@pytest.fixture(scope="module")
def team_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("team")
    db = folder / "team.db"
    with ReviewStore(db) as store:
        store.add_document(document_from_text(TEXT, doc_id="ngo", name="ngo.txt"))
        admin = team(store)["admin"]  # the first admin (OIDC only: never signs in here)
        store.add_user("anne", role="reviewer", password=PASSWORDS["anne"], by=admin)
        store.add_user("bob", role="reviewer", password=PASSWORDS["bob"], by=admin)
        store.add_user("lena", role="lead", password=PASSWORDS["lena"], by=admin)
        store.assign("ngo", ["anne", "bob"], by=admin, overlap=1.0)  # both get both segments
    with streamlit_app(db, folder / "streamlit.log") as url:
        yield url, db


def _page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def _sign_in(page: Any, url: str, name: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("textbox", name="Password").fill(PASSWORDS[name])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector(".mtr-segment")
    page.get_by_text(f"Reviewer: {name}").wait_for()
    [cookie] = [c for c in page.context.cookies() if c["name"] == "mtreview_session"]
    assert (cookie["name"], cookie["httpOnly"], cookie["sameSite"]) == (
        "mtreview_session",
        True,
        "Strict",
    )
    assert "mtreview_session" not in page.evaluate("document.cookie")


def _review(page: Any, name: str) -> None:
    # blind: nothing the other reviewer did on this shared segment shows (once the panel
    # is drawn: its correction box holds the machine translation, not the other's text)
    page.wait_for_function(
        """(mt) => { const box = document.querySelector("textarea[aria-label='Corrected segment']");
                     return box !== null && box.value === mt; }""",
        arg=TEXT.split("\n")[0],
    )
    assert page.locator(".mtr-segment .mtr-error").count() == 0
    words, category, severity = MARKS[name]
    box = page.evaluate(LOCATE, words)
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=12)
    page.mouse.up()
    picker = page.locator(".mtr-picker")  # the span read back at once, to confirm
    assert picker.locator(".mtr-quote").inner_text() == f"«{words}»"
    picker.locator(f'.mtr-cat[data-label="{category}"]').click()
    picker.locator(f'.mtr-sev[data-label="{severity}"]').click()
    picker.get_by_role("button", name="Add error").click()
    page.get_by_text(f"marked “{words}").wait_for()
    page.get_by_label("Corrected segment").fill(FIXES[name])
    page.get_by_role("button", name="Save correction").click()
    page.get_by_text("correction saved (version").wait_for()  # no conflict with the other


def test_anonymous_and_forged_visits_get_nowhere(team_app: tuple[str, Path], browser) -> None:
    url, _ = team_app
    page = _page(browser)
    for address in (url, f"{url}/?reviewer=lena"):
        page.goto(address)
        page.get_by_role("button", name="Sign in").wait_for()
        assert page.locator(".mtr-segment").count() == 0
        assert page.get_by_text("Reviewer: lena").count() == 0
    page.context.close()


def test_two_reviewers_a_lead_adjudicates_the_export_carries_it(
    team_app: tuple[str, Path], browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, db = team_app
    for name in ("anne", "bob"):
        page = _page(browser)
        _sign_in(page, f"{url}/?reviewer=lena", name)  # the URL cannot make anyone lena
        _review(page, name)
        if name == "anne":  # a reload stays signed in; "Sign out" ends it
            page.reload()
            page.get_by_text("Reviewer: anne").wait_for()
            page.get_by_role("button", name="Sign out", exact=True).click()
            page.get_by_role("button", name="Sign in").wait_for()
            assert page.get_by_text("Reviewer: anne").count() == 0
            assert "mtreview_session" not in {c["name"] for c in page.context.cookies()}
        page.context.close()
    with ReviewStore(db) as store:  # as the lead: a reviewer would see only her own work
        lena = store.sign_in("lena", PASSWORDS["lena"]).principal
        work = store.reviewer_work("ngo", 0, viewer=lena)
    assert {n: [s.category for s in w.spans] for n, w in work.items()} == {
        "anne": ["Fluency/Grammar"],
        "bob": ["Accuracy/Mistranslation"],
    }
    assert {n: w.correction for n, w in work.items()} == FIXES

    page = _page(browser)
    _sign_in(page, url, "lena")
    page.get_by_role("tab", name="Agreement").click()
    table = page.locator('[data-testid="stTable"]')
    table.wait_for()
    assert "anne" in table.inner_text() and "bob" in table.inner_text()
    page.get_by_role("tab", name="Adjudicate").click()
    page.get_by_text("Start from").wait_for()
    page.locator('[data-testid="stRadio"] label').filter(has_text="bob").click()
    page.wait_for_function(  # the form has been drawn again from bob's work
        """(fix) => { const box = document.querySelector("textarea[aria-label='Final text']");
                      return box !== null && box.value === fix; }""",
        arg=FIXES["bob"],
    )
    page.get_by_role("button", name="Save adjudication").click()
    page.get_by_text("Segment 1 adjudicated.").wait_for()
    page.context.close()

    out = tmp_path / "final.tsv"
    as_lena = ["--as", "lena", "--password-stdin"]  # a team store: the lead's export
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORDS['lena']}\n" * 2))
    assert main(["export", "--db", str(db), "--format", "mqm", "-o", str(out),
                 "--adjudicated-only", *as_lena]) == 0  # fmt: skip
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert [(r["rater"], r["category"], r["severity"]) for r in rows] == [
        ("bob", "Accuracy/Mistranslation", "Major")  # the WMT layout capitalises
    ]
    assert "<v>est endommagée</v>" in rows[0]["target"]
    corpus = tmp_path / "final.tmx.tsv"
    assert main(["export", "--db", str(db), "--format", "tsv", "-o", str(corpus), *as_lena]) == 0
    first = corpus.read_text(encoding="utf-8").splitlines()[1].split("\t")
    assert (first[3], first[5]) == (FIXES["bob"], "lena")  # bob's text, adjudicated by lena
    with ReviewStore(db) as store:
        actions = [(e.actor, e.action) for e in store.audit_log("ngo")]
    assert ("anne", "annotate") in actions and ("bob", "correct") in actions
    assert actions[-1] == ("lena", "adjudicate")
