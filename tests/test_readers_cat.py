"""CAT-tool inputs: XLIFF 1.2, TMX and PO as (source, translation) pairs, streamed.

Checked against translate-toolkit where it reads the same file, round-tripped through our
own exports, and fed arbitrary bytes: a reader yields segments or raises `InputError`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from translate.storage import po as tt_po

from mtreview.cli import main
from mtreview.errors import InputError
from mtreview.export import ExportDocument, ExportOptions, ExportRow, export_to_path
from mtreview.export.memory import RowsSource
from mtreview.readers import iter_segments, read_document

XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
 <file original="a.txt" source-language="ru" target-language="fr" datatype="plaintext">
  <body>
   <trans-unit id="1">
    <source>Кофе <g id="1">горячий</g> &amp; <x id="2"/>вкусный.</source>
    <target>Le café <g id="1">chaud</g> &amp; <ph id="2">&lt;br/&gt;</ph>bon 😀.</target>
   </trans-unit>
   <trans-unit id="2"><source>Не переведено.</source></trans-unit>
   <trans-unit id="3"><source>Пусто.</source><target>  </target></trans-unit>
  </body>
 </file>
 <file original="b.txt" source-language="ru" target-language="fr" datatype="plaintext">
  <body><group id="g"><trans-unit id="1"><source>Два.</source>
   <target state="translated">Deux « <mrk mtype="term">termes</mrk> ».</target>
  </trans-unit></group></body>
 </file>
</xliff>
"""

TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="x" creationtoolversion="1" segtype="sentence"
 o-tmf="x" adminlang="en" srclang="ru" datatype="plaintext"/>
<body>
 <tu><tuv xml:lang="ru"><seg>Один <bpt i="1">&lt;b&gt;</bpt>жирный<ept i="1">&lt;/b&gt;</ept>.</seg>
     </tuv>
     <tuv xml:lang="en"><seg>One bold.</seg></tuv>
     <tuv xml:lang="fr-FR"><seg>Un <hi>gras</hi> &amp; «net».</seg></tuv></tu>
 <tu><tuv lang="RU"><seg>Два.</seg></tuv><tuv xml:lang="FR"><seg>Deux.</seg></tuv></tu>
 <tu><tuv xml:lang="ru"><seg>Без перевода.</seg></tuv></tu>
</body></tmx>
"""

PO = r"""# Translator comment
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"

#: src/a.c:10
#, fuzzy, c-format
msgid "Hello \"world\"\tand\\more"
msgstr "Bonjour « monde »\tet\\plus\n"
"sur deux lignes"

msgctxt "menu"
msgid "File"
msgstr "Fichier"

msgid "one file"
msgid_plural "%d files"
msgstr[0] "un fichier"
msgstr[1] "%d fichiers"

msgid "untranslated"
msgstr ""

#~ msgid "obsolete"
#~ msgstr "obsolète"
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def check_offsets(path: Path, **options: str) -> list:
    doc = read_document(path, **options)
    for seg in doc:
        assert doc.original[seg.start : seg.end] == seg.text
    return list(doc)


def test_xliff_pairs_inline_codes_and_untranslated(tmp_path: Path) -> None:
    segments = check_offsets(write(tmp_path, "a.xlf", XLIFF))
    assert [(s.source, s.text) for s in segments] == [
        ("Кофе горячий & вкусный.", "Le café chaud & bon 😀."),
        ("Два.", "Deux « termes »."),
    ]
    assert segments[0].doc == "a" and segments[0].line == 5
    assert [s.index for s in segments] == [0, 1]


def test_xliff_refusals(tmp_path: Path) -> None:
    v2 = '<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0"/>'
    with pytest.raises(InputError, match=r"XLIFF 2\.0 is not supported"):
        read_document(write(tmp_path, "v2.xlf", v2))
    with pytest.raises(InputError, match="expected <xliff>"):
        read_document(write(tmp_path, "html.xlf", "<html><body/></html>"))
    with pytest.raises(InputError, match=r"broken\.xlf:8: not well-formed XML"):
        read_document(write(tmp_path, "broken.xlf", XLIFF.replace("</trans-unit>", "</tu>", 1)))
    with pytest.raises(InputError, match=r"empty file|not well-formed"):
        read_document(write(tmp_path, "empty.xliff", ""))


def test_xml_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = write(tmp_path, "secret.txt", "TOP-SECRET")
    xxe = XLIFF.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0"?><!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file://{secret}">'
        '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    ).replace("bon 😀", "bon &xxe; &b;")
    segments = list(iter_segments(write(tmp_path, "xxe.xlf", xxe)))
    assert "TOP-SECRET" not in segments[0].text and "aaaa" not in segments[0].text


def test_tmx_language_choice_and_inline_codes(tmp_path: Path) -> None:
    path = write(tmp_path, "mem.tmx", TMX)
    segments = check_offsets(path)
    assert [(s.source, s.text) for s in segments] == [
        ("Один жирный.", "Un gras & «net»."),  # source from the header's srclang
        ("Два.", "Deux."),
    ]
    english = list(iter_segments(path, lang="en", source_lang="fr"))
    assert [(s.source, s.text) for s in english] == [("Un gras & «net».", "One bold.")]
    with pytest.raises(InputError, match=r"no <tuv> in language 'de' \(found: .*fr-FR"):
        list(iter_segments(path, lang="de"))
    with pytest.raises(InputError, match="expected <tmx>"):
        read_document(write(tmp_path, "x.tmx", "<xliff/>"))


def test_po_matches_translate_toolkit(tmp_path: Path) -> None:
    path = write(tmp_path, "app.po", PO)
    segments = check_offsets(path)
    expected = []
    for unit in tt_po.pofile.parsefile(str(path)).units:
        if unit.isheader() or unit.isobsolete() or (not unit.istranslated() and not unit.isfuzzy()):
            continue
        sources = unit.source.strings if unit.hasplural() else [unit.source]
        targets = unit.target.strings if unit.hasplural() else [unit.target]
        for number, target in enumerate(targets):
            expected.append((sources[min(number, len(sources) - 1)], target))
    assert [(s.source, s.text) for s in segments] == expected
    assert segments[0].text == "Bonjour « monde »\tet\\plus\nsur deux lignes"
    assert [s.line for s in segments] == [9, 13, 17, 17]  # where each entry begins


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('msgid "a"\nmsgstr "b\n', r":2: expected a quoted string"),
        ('msgid "a"\nmsgstr "b" "c"\n', r':2: unescaped \'"\' inside a string'),
        ('msgid "a"\nmsgstr "b"\nnonsense\n', ":3: expected msgid, msgstr"),
        ('msgid "a"\nmsgid "b"\nmsgstr "c"\n', ":1: entry has no msgstr"),
        ('msgid "a"\nmsgstr "b"\nmsgstr "c"\n', ":3: msgstr given twice"),
        ('msgid "a"\n', ":1: entry has no msgstr"),
    ],
)
def test_po_errors_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        list(iter_segments(write(tmp_path, "bad.po", text)))


def test_exports_read_back_as_inputs(tmp_path: Path) -> None:
    rows = [
        ExportRow("d", 0, "Le café <est> & bon 😀.", source="Кофе & <тег>.",
                  corrected="Corrigé « 😀 » & <x>", status="corrected", source_lang="ru"),
        ExportRow("d", 1, "Deux\r\nlignes\tici.", source="Две\nстроки.", source_lang="ru"),
    ]  # fmt: skip
    source = RowsSource([ExportDocument("d", "d", "fr", "ru", True, 2)], rows)
    for fmt, suffix in (("tmx", ".tmx"), ("xliff", ".xlf")):
        for pair in ("source", "mt"):
            out = tmp_path / f"d{suffix}"
            export_to_path(source, fmt, out, ExportOptions(pair=pair))
            back = list(iter_segments(out, lang="fr"))
            assert [s.text for s in back] == [r.target for r in rows]
            lefts = [r.source if pair == "source" else r.mt for r in rows]
            assert [s.source for s in back] == lefts


def test_score_reads_cat_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    path = write(tmp_path, "a.xlf", XLIFF)
    assert main(["score", str(path), "--no-models", "-o", str(out)]) == 0
    capsys.readouterr()
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


XML_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff"),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip() and all(c in "\t\n\r" or ord(c) >= 0x20 for c in t))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pairs=st.lists(st.tuples(XML_TEXT, XML_TEXT), min_size=1, max_size=5))
def test_any_text_survives_export_and_read(tmp_path: Path, pairs: list[tuple[str, str]]) -> None:
    rows = [ExportRow("d", i, t, source=s, source_lang="ru") for i, (s, t) in enumerate(pairs)]
    source = RowsSource([ExportDocument("d", "d", "fr", "ru", True, len(rows))], rows)
    for fmt, suffix in (("tmx", ".tmx"), ("xliff", ".xlf")):
        out = tmp_path / f"p{suffix}"
        export_to_path(source, fmt, out)
        back = list(iter_segments(out))
        assert [(s.source, s.text) for s in back] == pairs


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.sampled_from([XLIFF, TMX, PO]).flatmap(
            lambda doc: st.tuples(st.integers(0, len(doc)), st.binary(max_size=20)).map(
                lambda cut: doc.encode()[: cut[0]] + cut[1]
            )
        ),
    ),
    suffix=st.sampled_from([".xlf", ".tmx", ".po"]),
)
def test_readers_never_crash_on_arbitrary_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"any{suffix}"
    path.write_bytes(data)
    try:
        segments = list(iter_segments(path))
    except InputError as exc:
        assert str(exc).startswith(str(path))
        assert "\n" not in str(exc)
    else:
        assert all(isinstance(s.text, str) for s in segments)
