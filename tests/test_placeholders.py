"""Placeholders of every common format: protected from the typography checks, and compared
with the source (lost, added, renamed, reordered), each damage with its exact span."""

from __future__ import annotations

import pytest

from mtreview.checks import CHECKS, DocumentContext
from mtreview.checks.protected import protected_spans
from mtreview.checks.syntaxes import SYNTAXES, find_tokens
from mtreview.documents import Segment
from mtreview.flags import Flag


def segment(text: str, source: str | None = None, *, table_row: bool = True) -> Segment:
    return Segment("doc", 0, 0, 0, len(text), text, source=source, table_row=table_row)


def flags(check: str, text: str, source: str | None = None, **fields: bool) -> list[Flag]:
    return CHECKS[check]().checked(segment(text, source, **fields), DocumentContext("doc"))


def spans(check: str, text: str, source: str | None = None) -> list[str]:
    return [text[f.start : f.end] for f in flags(check, text, source)]


# (translation, the token, its syntax, a check whose raw rule fires on or beside the token;
# french_spacing reads a colon between letters or digits as code by itself: None there)
PROTECTED = [
    ("Impossible d'ouvrir %1$s; réessayez", "%1$s", "printf", "french_spacing"),
    ("Le fichier %(name)s! est ouvert", "%(name)s", "python", "french_spacing"),
    ("{0,number,integer} fichiers", "{0,number,integer}", "brace", "spacing"),
    ("Copie de %1! vers %2", "%1", "qt", "french_spacing"),
    ("{count,plural,one {# fichier} other {# fichiers}}", "{count,plural,", "icu", "spacing"),
    ('Fait : { NUMBER($n, style: "percent") }', '{ NUMBER($n, style: "percent") }', "fluent",
     "french_spacing"),
    ('Avec { -brand(case: "genitive") } ici', '{ -brand(case: "genitive") }', "fluent",
     "french_spacing"),
    ("Supprimer { $name } ?", "{ $name }", "fluent", None),
    ("Bienvenue dans { -brand-short-name }", "{ -brand-short-name }", "fluent", None),
    ("{ $n -> [one] un onglet *[other] { $n } onglets }", "*[other]", "fluent", None),
    ("Dossier $HOME introuvable", "$HOME", "shell", None),
    ('<span style="color:red">Attention</span> !', '<span style="color:red">', "tag", None),
    ("Tom&nbsp;et Jerry", "&nbsp;", "entity", "french_spacing"),
    ("&brandShortName; est à jour", "&brandShortName;", "entity", None),
    ("min-width: 20em; max-height:1.5rem", "min-width: 20em;", "css", "french_spacing"),
    ("min-width: 20em; max-height:1.5rem", "max-height:1.5rem", "css", None),
    ("Une marge de 12px autour", "12px", "css", None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "token", "syntax", "check"), PROTECTED)
def test_each_format_is_protected(text: str, token: str, syntax: str, check: str | None) -> None:
    found = {s.text: s for s in protected_spans(text)}
    assert token in found and found[token].syntax == syntax
    span = found[token]
    for name in ("spacing", "french_spacing", "quotes"):
        kept = flags(name, text)
        assert not [f for f in kept if f.start <= span.end and span.start <= f.end], name
    if check is not None:  # without the protection the rule would fire on or next to it
        raw = CHECKS[check]().check(segment(text), DocumentContext("doc"))
        assert [f for f in raw if f.start <= span.end and span.start <= f.end]


def test_every_registered_syntax_has_a_protected_case() -> None:
    covered = {syntax for _text, _token, syntax, _check in PROTECTED}
    assert covered >= set(SYNTAXES) - {"printf-space", "fluent-select"}
    # `% d` is printf only where the string says c-format ("100 % des voix" is prose)
    assert [t.text for t in find_tokens("taux de % d", ("c-format",))] == ["% d"]
    assert find_tokens("100 % des voix") == ()


def test_icu_and_fluent_messages_are_prose_inside() -> None:
    """Only the structure is code: the messages of a plural are translated text."""
    text = "{count, plural, one {un fichier} other {{count} fichiers}}"
    protected = [s.text for s in protected_spans(text)]
    assert protected == ["{count, plural, ", "one", "{", "}", "other", "{", "{count}", "}", "}"]
    text = "{ $n -> [one] un onglet *[other] { $n } onglets }"
    assert [s.text for s in protected_spans(text)] == [
        "{ $n ->",
        "[one]",
        "*[other]",
        "{ $n }",
        "}",
    ]
    # a CSS size is a code; the same number in prose with a space is not
    assert protected_spans("Il mesure 1.5rem") and not protected_spans("de 12 pt")


# (source, translation, check, flagged spans; "*" is the whole translation)
DAMAGE = [
    ("Copying %s to %s", "Copie de %s", "source_placeholders", ["*"]),
    ("Copying %s (%d bytes)", "Copie de %d octets (%s)", "source_placeholders", ["%d"]),
    ("Hello %(name)s", "Bonjour %(nom)s", "source_placeholders", ["%(nom)s", "*"]),
    ("File {0} of {1}", "Fichier {0} sur {2}", "source_placeholders", ["{2}", "*"]),
    ("Copy %1 to %2", "Copier %1 vers", "source_placeholders", ["*"]),
    ("Folder $HOME", "Dossier $MAISON", "source_placeholders", ["$MAISON", "*"]),
    ("{ $count } files", "{ $nombre } fichiers", "source_placeholders", ["{ $nombre }", "*"]),
    ("Welcome to { -brand-short-name }", "Bienvenue", "source_placeholders", ["*"]),
    ("{ $n -> [one] One tab *[other] { $n } tabs }",
     "{ $n -> [one] Un onglet *[autre] { $n } onglets }", "source_placeholders",
     ["*[autre]", "*"]),
    ("{count, plural, one {# file} other {# files}}",
     "{count, plural, one {# fichier} autre {# fichiers}}", "source_placeholders",
     ["autre", "*"]),
    ("{count, plural, =0 {No file} one {# file} other {# files}}",
     "{count, plural, one {# fichier} other {# fichiers}}", "source_placeholders", ["*"]),
    ("{count, plural, one {# file} other {# files}}",
     "{nombre, plural, one {# fichier} other {# fichiers}}", "source_placeholders",
     ["{nombre, plural, ", "*"]),
    ("{gender, select, female {She} other {They}} left",
     "{gender, select, féminin {Elle} other {Iel}} est partie", "source_placeholders",
     ["féminin", "*"]),
    ("Click <b>here</b>", "Cliquez ici", "source_tags", ["*"]),
    ("Tom &amp; Jerry", "Tom &lt; Jerry", "source_tags", ["&lt;", "*"]),
]  # fmt: skip


@pytest.mark.parametrize(("source", "text", "check", "expected"), DAMAGE)
def test_damage_is_caught_with_its_span(
    source: str, text: str, check: str, expected: list[str]
) -> None:
    assert spans(check, text, source) == [text if s == "*" else s for s in expected]
    assert spans(check, text, None) == []  # without a source, nothing to compare with


def test_messages_name_what_changed() -> None:
    renamed = flags("source_placeholders", "{ $nombre } fichiers", "{ $count } files")
    assert "“{ $nombre }” is not in the source (it has “{ $count }”)" in renamed[0].message
    assert "“{ $count }” of the source is missing" in renamed[1].message
    order = flags("source_placeholders", "Copie de %d octets (%s)", "Copying %s (%d bytes)")
    assert "another order" in order[0].message and "(%2$d … %1$s)" in order[0].message
    key = flags(
        "source_placeholders", "{c, plural, one {#} autre {#}}", "{c, plural, one {#} other {#}}"
    )
    assert "not a plural category" in key[0].message
    assert "“{c, plural, other …}” of the source is missing" in key[1].message


# correct translations: no placeholder, tag, number or typography flag
CORRECT = [
    ("Copying %1$s to %2$s", "Copie de %2$s vers %1$s"),
    ("Copying %s (%d bytes)", "Copie de %2$d octets (%1$s)"),
    ("Copying %s to %s", "Copie de %s vers %s"),
    ("Hello %(name)s, %(count)d new", "%(count)d nouveaux, %(name)s"),
    ("File {0} of {1}", "{1} fichiers, dont {0}"),
    ("Copy %1 to %2", "Copier vers %2 depuis %1"),
    ("{ $count } files in { $folder }", "Dans { $folder } : { $count } fichiers"),
    ("Welcome to { -brand-short-name }",
     "Bienvenue dans { -brand-short-name } { -brand-name.gender }"),
    ("{ $n -> [one] One tab *[other] { $n } tabs }",
     "{ $n -> [one] Un onglet [many] { $n } d’onglets *[other] { $n } onglets }"),
    ("{count, plural, =0 {No file} one {# file} other {# files}}",
     "{count, plural, =0 {Aucun fichier} one {{count} fichier} other {# fichiers}}"),
    ("{gender, select, female {She} other {They}} left",
     "{gender, select, female {Elle est partie} other {Iel est parti·e}}"),
    ("Click <a href=\"https://x.org\" title=\"Help\">here</a>&nbsp;!",
     "Cliquez <a href=\"https://x.org\" title=\"Aide\">ici</a>&nbsp;!"),
    ("width: 20em; height: 1.5rem;", "width: 25em; height: 1.5rem;"),
    ("A 12px border", "Une bordure de 16px"),
]  # fmt: skip


@pytest.mark.parametrize(("source", "text"), CORRECT)
def test_correct_translations_raise_no_flag(source: str, text: str) -> None:
    for check in ("source_placeholders", "source_tags", "source_numbers", "spacing", "quotes"):
        assert flags(check, text, source) == [], check
    assert flags("french_spacing", text, source, table_row=False) == []


# code of the source (paths, options, identifiers, keys, program names): (source,
# translation, flagged spans; "*" is the whole translation)
CODE_DAMAGE = [
    ("Edit /etc/fstab as root.", "Modifiez /etc/ fstab en root.", ["/etc/ fstab"]),
    ("Edit /etc/fstab as root.", "Modifiez le fichier en root.", ["*"]),
    ("Edit /home/user/notes", "Modifiez /accueil/user/notes", ["/accueil/user/notes"]),
    ("Edit ~/.bashrc now.", "Modifiez ~/.Bashrc maintenant.", ["~/.Bashrc"]),
    ("Use --verbose for details.", "Utilisez --verbeux pour les détails.", ["--verbeux"]),
    ("Press Ctrl+Alt+T to open it.", "Appuyez sur Ctrl+Alt pour l’ouvrir.", ["*"]),
    ("Press Ctrl+P to print.", "Appuyez sur ctrl+P pour imprimer.", ["ctrl+P"]),
    ("Press the Super key.", "Appuyez sur la touche super.", ["super"]),
    ("Press the Super key.", "Appuyez sur la touche.", ["*"]),
    ("Set network_config first.", "Définissez network_ config d’abord.", ["network_ config"]),
    ("Get hd-media/initrd.gz first.", "Prenez hd- media/initrd.gz.", ["hd- media/initrd.gz"]),
    ("PDF is the default.", "pDF est le format par défaut.", ["pDF"]),
    ("Run tasksel to pick tasks.", "Lancez l’outil pour choisir les tâches.", ["*"]),
    ("Use the tasksel command.", "Utilisez la commande Tasksel.", ["Tasksel"]),
    ("Boot with modules=ppp-udeb set.", "Amorcez avec le paramètre.", ["*"]),  # code's value
    ("Use the text editor nano.", "Utilisez l’éditeur de texte.", ["*"]),  # a program's name
    ("Unless you used mount -a, mount it.", "Si vous n’avez pas utilisé, montez-le.", ["*"]),
    ("Format it as ext4 first.", "Formatez-la d’abord.", ["*"]),  # letters and digits
    ("The sudo package is installed.", "Le paquet Sudo est installé.", ["Sudo"]),  # a capital
    ("Command Ctrl+F3", "CommandeCtrl+F2", ["Ctrl+F2"]),  # glued to a word, another key
]  # fmt: skip

CODE_KEPT = [
    ("Press Ctrl+Alt+Del to restart.", "Appuyez sur Ctrl+Alt+Suppr pour redémarrer."),
    ("Press Shift+Tab, then Esc.", "Appuyez sur Maj+Tab, puis sur Échap."),
    ("Press the Super key.", "Appuyez sur la touche Windows."),
    ("Left Ctrl+Left Win", "Ctrl gauche + Windows gauche"),
    ("Tab Border", "Bordure des onglets"),  # a tab of a window, not the key
    ("Use --output=FILE here.", "Utilisez --output=FICHIER ici."),  # metavariables
    ("where server_name is", "où nom_serveur est"),
    ("RAID10 has layouts.", "Le RAID 10 a plusieurs dispositions."),
    ("debootstrap can fetch them.", "Debootstrap peut les récupérer."),  # a sentence's start
    ("Use the preseeding method.", "Utilisez la méthode de préconfiguration."),  # jargon
    ("Copy %s to /etc/fstab", "Copie de %s vers /etc/fstab"),
    ("Use the text editor nano.", "Utilisez l’éditeur de texte nano."),
    ("Ask the package maintainers, then wait.", "Demandez aux responsables, puis attendez."),
    ("Package unpacking and setup messages", "Messages de décompression et de configuration"),
    ("Type in your password.", "Saisissez votre mot de passe."),
    ("Format it as ext4 first.", "Formatez-la d’abord en ext4."),
    ("Run unattended.", "Lancez sans surveillance."),
    ("Connect to the internet.", "Connectez-vous à Internet."),  # a translator's capital
    ("Select the expert mode.", "Choisissez le mode Expert."),  # a French word, a label
    ("Command Ctrl+F3", "CommandeCtrl+F3"),  # a Mac's key and a PC's, the space lost
    ("Option Alt+Enter", "OptionAlt+Entrée"),
]  # fmt: skip


def test_code_of_the_source_lost_or_changed_is_flagged_where_it_stands() -> None:
    for source, text, expected in CODE_DAMAGE:
        found = spans("source_placeholders", text, source)
        assert found == [text if s == "*" else s for s in expected], source
    for source, text in CODE_KEPT:
        assert flags("source_placeholders", text, source) == [], source
    (flag,) = flags("source_placeholders", "Modifiez /etc/ fstab.", "Edit /etc/fstab.")
    assert flag.message == "“/etc/ fstab” is written “/etc/fstab” in the source"
    assert flag.suggestion == "/etc/fstab"
    (flag,) = flags("source_placeholders", "Modifiez le fichier.", "Edit /etc/fstab.")
    assert "“/etc/fstab” of the source is missing" in flag.message


def document_flags(rows: list[tuple[str, str]]) -> list[list[str]]:
    """Each row's source_placeholders flags in a document observed whole first."""
    check, context = CHECKS["source_placeholders"](), DocumentContext("doc")
    segments = [
        Segment("doc", i, 0, 0, len(text), text, source=source)
        for i, (source, text) in enumerate(rows)
    ]
    for one in segments:
        context.observe(one)
    return [[f.message for f in check.checked(one, context)] for one in segments]


def test_a_name_the_document_keeps_is_flagged_where_it_is_lost() -> None:
    kept = [
        ("Then chroot into the new system.", "Puis faites un chroot dans le nouveau système."),
        ("The chroot needs /proc mounted.", "Le chroot a besoin de /proc monté."),
    ]
    lost = ("Install a boot loader in your chroot.", "Installez un programme d’amorçage ici.")
    found = document_flags([*kept, lost])
    assert found[:2] == [[], []]
    assert found[2] == ["“chroot” of the source is missing (code is written as in the source)"]
    # a catalogue's string, not a sentence: its jargon is kept in usage lines
    assert document_flags([*kept, ("Boot loader in chroot", "Programme d’amorçage")])[2] == []
    # a row much shorter than its source lost a clause, not only a name
    assert (
        document_flags([*kept, ("Install a boot loader in your chroot.", "Installez-le.")])[2] == []
    )
    # a word the document translates elsewhere is jargon, not a name: free to go
    translated = [(source, text.replace("chroot", "environnement isolé")) for source, text in kept]
    assert document_flags([*translated, lost])[2] == []
    # written with a capital mid-sentence where the document keeps it lowercase
    renamed = ("Install a boot loader in your chroot.", "Installez un programme dans le Chroot.")
    assert document_flags([*kept, renamed])[2] == ["“Chroot” is written “chroot” in the source"]
