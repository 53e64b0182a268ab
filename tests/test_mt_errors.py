"""The machine-translation-like set of `benchmarks/flag_quality.py --mt`: parallel pages read
and aligned, each kind of error planted with a span over what it changed, the same errors
for the same seed (no network, no packages: inline pages and sentence pairs)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from mtreview.testing import mt_errors
from mtreview.testing.mt_errors import Planted, Row

PAGE_EN = """<page xmlns="http://projectmallard.org/1.0/" xmlns:if="http://projectmallard.org/if/1.0/">
<info><desc>Go online.</desc><credit><name>Someone</name></credit></info>
<title>Connect to a network</title>
<p>Press <keyseq><key>Ctrl</key><key>Alt</key><key>T</key></keyseq> and type <cmd>nmcli</cmd>.
See <link xref="other"/> for help.</p>
<comment><p>An editor's note the translation drops.</p></comment>
<if:choose><if:when test="platform:gnome-classic"><p>Classic.</p></if:when>
<p>Open the <gui>Settings</gui>.</p></if:choose>
<p>Left in English.</p>
</page>"""
PAGE_FR = """<page xmlns="http://projectmallard.org/1.0/" xmlns:if="http://projectmallard.org/if/1.0/">
<info><desc>Aller sur Internet.</desc></info>
<title>Connexion à un réseau</title>
<p>Appuyez sur <keyseq><key>Ctrl</key><key>Alt</key><key>T</key></keyseq> et saisissez
<cmd>nmcli</cmd>. Consultez <link xref="other"/> pour obtenir de l’aide.</p>
<if:choose><if:when test="platform:gnome-classic"><p>Classique.</p></if:when>
<p>Ouvrez les <gui>Paramètres</gui>.</p></if:choose>
<p>Left in English.</p>
</page>"""
HTML = """<html><head><title>{title}</title><link rel="stylesheet" href="x.css"></head><body>
<div class="navheader"><table><tr><td>{nav}</td></tr></table></div>
<div class="titlepage"><h2 class="title">{title}</h2></div>
<p>{text}</p><pre class="screen">$ gcc -o x x.c</pre></body></html>"""


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_read_corpus_aligns_pages_blocks_and_sentences(tmp_path: Path) -> None:
    (_, help_en, help_fr, _), (_, guide_en, guide_fr, _) = mt_errors.SOURCES
    write(tmp_path / help_en / "net.page", PAGE_EN)
    write(tmp_path / help_fr / "net.page", PAGE_FR)
    write(tmp_path / help_en / "other.page", "<page><title>Other page</title></page>")
    write(tmp_path / help_fr / "other.page", "<page><title>Autre page</title></page>")
    write(tmp_path / help_en / "extra.page", "<page><p>One.</p><p>Two.</p></page>")
    write(tmp_path / help_fr / "extra.page", "<page><p>Un.</p></page>")  # not aligned
    text_en = 'Port <span class="command"><strong>gcc</strong></span> first.'
    write(tmp_path / guide_en / "ch1.html", HTML.format(title="1. Start", nav="Prev", text=text_en))
    html_fr = HTML.format(title="1. Début", nav="Préc.", text="Portez gcc d'abord.")
    write(tmp_path / guide_fr / "ch1.html", html_fr)

    rows, skipped = mt_errors.read_corpus(tmp_path)

    assert skipped == ["gnome-help/extra"]
    assert [(r.doc, r.source, r.translation, r.code) for r in rows] == [
        ("gnome-help/net", "Connect to a network", "Connexion à un réseau", ()),
        (
            "gnome-help/net",
            "Press Ctrl+Alt+T and type nmcli.",
            "Appuyez sur Ctrl+Alt+T et saisissez nmcli.",
            ("Alt", "Ctrl", "Ctrl+Alt+T", "nmcli"),
        ),
        (
            "gnome-help/net",
            "See Other page for help.",
            "Consultez Autre page pour obtenir de l’aide.",
            (),
        ),
        ("gnome-help/net", "Open the Settings.", "Ouvrez les Paramètres.", ()),
        ("gnome-help/other", "Other page", "Autre page", ()),
        ("installation-guide/ch1", "1. Start", "1. Début", ()),
        ("installation-guide/ch1", "Port gcc first.", "Portez gcc d'abord.", ("gcc",)),
    ]


def help_page(paragraphs: list[str], title: str = "Page") -> str:
    """A page as LibreOffice's help viewer writes it: header, display area, debug footer."""
    shown = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<html><body><header><p>LibreOffice Help</p></header><div id="DisplayArea">'
        f"{shown}</div><footer><p>Title is: {title}</p></footer></body></html>"
    )


def test_read_help_keeps_whole_aligned_pages_up_to_the_rows_asked(tmp_path: Path) -> None:
    english, french = (tmp_path / folder / "text" for folder in mt_errors.HELP_FOLDERS)
    en = [f"Click the button number {n} to open the window." for n in range(6)]
    fr = [f"Cliquez sur le bouton numéro {n} pour ouvrir la fenêtre." for n in range(6)]
    for name in ("calc/a.html", "calc/b.html", "draw/c.html"):
        write(english / name, help_page(en, "Buttons"))
        write(french / name, help_page(fr, "Boutons"))
    write(english / "draw/shifted.html", help_page(["Title", *en[:5]]))  # blocks shifted
    write(french / "draw/shifted.html", help_page([*fr[:5], "Titre"]))
    write(english / "draw/lengths.html", help_page([*en[:5], "Click on the button number 9."]))
    write(french / "draw/lengths.html", help_page(fr))  # one row of its own digits: out
    write(english / "draw/short.html", help_page(en[:4]))  # under five rows
    write(french / "draw/short.html", help_page(fr[:4]))

    every = mt_errors.read_help(tmp_path, rows=100)
    assert sorted({r.doc for r in every}) == [
        "lo-help/text--calc--a",
        "lo-help/text--calc--b",
        "lo-help/text--draw--c",
    ]
    assert all(len(every) == 18 and r.translation.startswith("Cliquez") for r in every)
    some = mt_errors.read_help(tmp_path, rows=7)  # whole pages, drawn until 7 rows or more
    assert len(some) == 12 and some == mt_errors.read_help(tmp_path, rows=7)


def changed(old: str, new: str) -> tuple[int, int]:
    """The part of `new` that differs from `old` (common ends taken off, blanks trimmed)."""
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    start, end = prefix, len(new) - suffix
    while start < end and new[start].isspace():
        start += 1
    while end > start and new[end - 1].isspace():
        end -= 1
    return start, end


def assert_spans_change(error: Planted) -> None:
    old, new = error.row.translation, error.translation
    assert new != old and 0 <= error.start < error.end <= len(new)
    start, end = changed(old, new)
    assert error.start <= start and end <= error.end, (error, new[start:end])
    assert re.match(r"\w", new[error.start], re.UNICODE) or new[error.start] in "+~/-"


CASES = [
    ("calque", Row("It supports most formats.", "Il prend en charge la plupart des formats.", "d")),
    ("calque", Row("You might want to sort.", "Vous pouvez trier ensuite.", "d")),
    ("preposition", Row("Click the Add button.", "Cliquez sur le bouton Ajouter.", "d")),
    ("preposition", Row("It depends on the service.", "Cela dépend du service.", "d")),
    ("untranslated_word", Row("Move the window left.", "Déplacez la fenêtre à gauche.", "d")),
    ("number", Row("It needs 3,000 MB.", "Il faut 3 000 Mo.", "d")),
    ("number", Row("Version 3.5 is out.", "La version 3,5 est sortie.", "d")),
    ("number", Row("In the 21st century.", "Au 21e siècle.", "d")),
    ("number", Row("Press the 5 key twice.", "Appuyez deux fois sur la touche 5 du pavé.", "d")),
    (
        "placeholder",
        Row("Run apt update now.", "Lancez apt update maintenant.", "d", ("apt update",)),
    ),
    (
        "placeholder",
        Row(
            "Edit /etc/network/interfaces.",
            "Modifiez /etc/network/interfaces.",
            "d",
            ("/etc/network/interfaces",),
        ),
    ),
    ("agreement", Row("The files are deleted.", "Les fichiers sont supprimés.", "d")),
    ("agreement", Row("Add a key.", "Ajoutez une clé ssh.", "d")),
    ("word_order", Row("Run the next command.", "Lancez la commande suivante.", "d")),
    ("word_order", Row("You can also group them.", "Vous pouvez aussi les regrouper.", "d")),
    ("duplication", Row("Unlink contacts.", "Délier des contacts.", "d")),
]


@pytest.mark.parametrize(("kind", "row"), CASES)
def test_each_kind_changes_the_row_within_its_span(kind: str, row: Row) -> None:
    planter = mt_errors.PLANTERS[kind]
    found = [planter(row, random.Random(seed), "tune") for seed in range(6)]
    errors = [error for error in found if error is not None]
    assert errors, f"{kind} planted nothing in {row.translation!r}"
    for error in errors:
        assert error.kind == kind
        assert_spans_change(error)


def test_the_examples_read_as_machine_translation_errors() -> None:
    def one(kind: str, row: Row, **options: str) -> str:
        if options:
            error = mt_errors.number(row, random.Random(1), "tune", want=options["want"])
        else:
            error = mt_errors.PLANTERS[kind](row, random.Random(1), "tune")
        assert error is not None
        return error.translation

    assert one("calque", CASES[0][1]) == "Il supporte la plupart des formats."
    assert one("calque", CASES[1][1]) == "Vous pourriez vouloir trier ensuite."
    assert one("preposition", CASES[2][1]) == "Cliquez le bouton Ajouter."
    assert one("preposition", CASES[3][1]) == "Cela dépend sur le service."
    assert one("untranslated_word", CASES[4][1]) == "Déplacez la window à gauche."
    assert one("number", CASES[5][1]) == "Il faut 3,000 Mo."
    assert one("number", CASES[6][1]) == "La version 3.5 est sortie."
    assert one("number", CASES[7][1]) == "Au 21st siècle."
    row = Row("Use 512 MB of memory.", "Utilisez 512 Mo de mémoire.", "d")
    error = mt_errors.number(row, random.Random(1), "tune", want="decimal_point")
    assert error is not None and error.translation == "Utilisez 512.5 Mo de mémoire."
    assert error.source == "Use 512.5 MB of memory."  # the English point kept from it
    gone = mt_errors.number(CASES[8][1], random.Random(1), "tune", want="missing_number")
    assert gone is not None and gone.translation == "Appuyez deux fois sur la touche du pavé."
    assert gone.translation[gone.start : gone.end] == "touche du"  # the gap's two sides
    # a list in the source is not a decimal number to write the English way
    listed = Row("Add blank pages (1,2 or 3).", "Ajoutez des pages (1,2 ou 3).", "d")
    assert mt_errors.number(listed, random.Random(1), "tune", want="decimal_point") is None


def test_table_rows_belong_to_one_part_only() -> None:
    row = CASES[0][1]  # "prend en charge": a row of the tune part's calques
    assert mt_errors.part_of("calque:supporter") == "tune"
    assert mt_errors.calque(row, random.Random(0), "heldout") is None
    for kind, table in (("calque", mt_errors.CALQUES), ("preposition", mt_errors.PREPOSITIONS)):
        parts = {mt_errors.part_of(f"{kind}:{rewrite.key}") for rewrite in table}
        assert parts == set(mt_errors.PARTS)
    keys = [key for key, *_ in mt_errors.UNTRANSLATED]
    assert {mt_errors.part_of(f"untranslated_word:{k}") for k in keys} == set(mt_errors.PARTS)


def test_planting_is_deterministic_and_spreads_the_kinds() -> None:
    rows = [row for _, row in CASES] * 3
    first = mt_errors.plant(rows, 16, seed=7, part="tune")
    again = mt_errors.plant(rows, 16, seed=7, part="tune")
    other = mt_errors.plant(rows, 16, seed=8, part="tune")
    assert first == again
    assert first != other
    assert len(first) == 16
    assert {error.kind for error in first.values()} == set(mt_errors.KINDS)
    for index, error in first.items():
        assert error.row is rows[index]
        assert_spans_change(error)


def test_one_frequent_phrase_does_not_make_a_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mt_errors, "PER_PHRASE", 1)
    click = Row("Click the Add button.", "Cliquez sur le bouton Ajouter.", "d")
    depend = Row("It depends on the service.", "Cela dépend du service.", "d")
    filler = Row("Unlink contacts.", "Délier des contacts.", "d")
    rows = [*[click] * 8, depend, *[filler] * 20]
    planted = mt_errors.plant(rows, 16, seed=3, part="tune")
    found = [error.variant for error in planted.values() if error.kind == "preposition"]
    assert sorted(found) == ["cliquer (sans sur)", "dépendre sur"]
