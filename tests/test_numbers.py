"""`source_numbers` reads the source the English way and the translation the French way:
`3,000` = `3 000`, `3.5` = `3,5`, `21st` = `21e`; a kept English separator is flagged."""

from __future__ import annotations

import pytest

from mtreview.checks import CHECKS, DocumentContext
from mtreview.documents import Segment


def flags(text: str, source: str, *, table_row: bool = False) -> list[tuple[str, str | None]]:
    seg = Segment("doc", 0, 0, 0, len(text), text, source=source, table_row=table_row)
    found = CHECKS["source_numbers"]().checked(seg, DocumentContext("doc"))
    return [(text[f.start : f.end], f.suggestion) for f in found]


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Il a payé 3 000 euros.", "He paid 3,000 euros."),
        ("Il a payé 3\u00a0000 euros.", "He paid 3,000 euros."),
        ("Il a payé 3\u202f000\u202f000 euros.", "He paid 3,000,000 euros."),
        ("Il pèse 3,5 kg.", "It weighs 3.5 kg."),
        (
            "Le 1er janvier, au 21e siècle, au 2ème étage.",
            "On January 1, in the 21st century, on the 2nd floor.",
        ),
        ("La 1re place.", "The 1st place."),
        ("Au niveau 3.", "At the 3rd level."),
        ("Au troisième niveau.", "At the 3rd level."),  # an ordinal written out
        ("50 % des voix, 5\u202f% de plus.", "50% of the votes, 5% more."),
        ("En 2020, à 14 h 30.", "In 2020, at 14:30."),
        ("Appelez le 01 23 45 67 89.", "Call 01 23 45 67 89."),
        ("Installez Python 3.5 ou la version 2.0.", "Install Python 3.5 or version 2.0."),
        ("Serveur 192.168.0.1, version 1.2.3.", "Server 192.168.0.1, version 1.2.3."),
        ("Prise en charge de HTTP/1.1.", "HTTP/1.1 support."),
        ("Valeur dans [0,127].", "Value in [0,127]."),  # a range, not thousands
        ("Le type vaut 0, 1 ou 2.", "Type may be 0,1,2."),  # a list
        ("MB 1.000.000, M 1.048.576", "MB 1,000,000, M 1,048,576"),  # old French grouping
        ("Fichier %d sur 3 000", "File %d of 3,000"),  # placeholders left out
        ("Plus de huit caractères.", "Longer than 8 characters."),  # written out
        ("Les trois premiers CD (ou les huit premiers).", "The first 3 to 8 CDs."),
        ("Placez-le entre 5 et 10 mètres.", "Place it within 5-10 meters (about 16-33 feet)."),
    ],
)
def test_french_numbers_equal_to_the_source(text: str, source: str) -> None:
    assert flags(text, source) == []


def test_thousands_comma_kept_reads_as_three() -> None:
    assert flags("Il a payé 3,000 euros.", "He paid 3,000 euros.") == [("3,000", "3\u202f000")]
    seg = Segment("doc", 0, 0, 0, 5, "3,000", source="3,000")
    (flag,) = CHECKS["source_numbers"]().checked(seg, DocumentContext("doc"))
    assert flag.message == "thousands separator kept from the source (reads as 3 in French)"
    assert flag.category == "Locale convention"
    assert flags("3,000,000 octets", "3,000,000 bytes") == [("3,000,000", "3\u202f000\u202f000")]
    assert flags("Payé 3,000.50 USD", "Paid 3,000.50 USD") == [("3,000.50", "3\u202f000,50")]


def test_decimal_point_kept_only_in_quantities() -> None:
    assert flags("Il pèse 3.5 kg.", "It weighs 3.5 kg.") == [("3.5", "3,5")]
    assert flags("Le taux est de 3.5 %.", "The rate is 3.5%.") == [("3.5", "3,5")]
    assert flags("Il pèse 3.5 kg.", "It weighs 3.5 kg.", table_row=True) == [("3.5", "3,5")]
    needs = ("Il faut au moins 780.5 Mo.", "You need at least 780.5MB.")
    assert flags(*needs, table_row=True) == [("780.5", "780,5")]
    # versions keep their point: after a name, an article, an operator or a word copied
    # from the source, or where the source writes a name before the number
    for text, source in [
        ("Avec GTK 2.0 seulement.", "With GTK 2.0 only."),
        ("pour les versions antérieures à la 7.4", "for versions older than 7.4"),
        ("Format GNU de tar <= 1.12", "GNU format as per tar <= 1.12"),
        ("doit utiliser adminpack 1.0", "must use adminpack 1.0"),
        ("Licence artistique 2.0", "Artistic License 2.0"),
        ("Le noyau 2.6.32 ou 3.0.x", "Kernel 2.6.32 or 3.0.x"),
    ]:
        assert flags(text, source, table_row=True) == [], text


def test_english_ordinal_suffix_kept() -> None:
    assert flags("Au 3rd niveau.", "At the 3rd level.") == [("3rd", "3e")]
    assert flags("Le 1st jour.", "The 1st day.") == [("1st", "1er")]


def test_changed_missing_and_extra_numbers_flagged_as_before() -> None:
    whole = "Il a payé 300 euros."
    assert flags(whole, "He paid 3,000 euros.") == [("300", None), (whole, None)]
    assert flags("Il pèse 35 kg.", "It weighs 3.5 kg.") == [("35", None), ("Il pèse 35 kg.", None)]
    assert flags("Ouvrir", "Open 5 files") == [("Ouvrir", None)]
    assert flags("Ouvrir 5 fichiers", "Open files") == [("5", None)]
    assert flags("Au 4e niveau.", "At the 3rd level.") == [("4e", None)]  # another ordinal
    seg = Segment("doc", 0, 0, 0, 6, "Ouvrir", source="Open 5 files")
    (flag,) = CHECKS["source_numbers"]().checked(seg, DocumentContext("doc"))
    assert flag.message == "number “5” of the source is missing"
    # a number written out must be the source's; a metric measure is not a conversion
    assert flags("Ouvrir six fichiers", "Open 5 files") == [("Ouvrir six fichiers", None)]
    assert flags("Placez-le à 16 pieds.", "Place it within 5 meters (16 feet).") == [
        ("Placez-le à 16 pieds.", None)
    ]
