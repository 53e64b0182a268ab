"""The model table (language -> back model, return model, target token) and multilingual
models: the target token goes before every input and never into offsets or log-probs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mtreview.analysis import Analyzer
from mtreview.backends.ct2 import CT2MarianBackend
from mtreview.backends.hf import HFMarianBackend, target_pieces
from mtreview.documents import Segment
from mtreview.errors import InputError, ModelError
from mtreview.model_table import load_table, model_choice
from mtreview.settings import Settings, load_settings

ENGLISH = ["The cat sleeps on the table.", "The NGO received a letter from the ministry."]
FRENCH = ["Le chat dort sur la table.", "L'ONG a reçu une lettre du ministère « vraiment » ?"]


def test_shipped_table_chooses_bilingual_or_multilingual_models() -> None:
    table = load_table()
    assert all(choice.back_model and choice.return_model for choice in table.values())
    french = Settings()
    assert french.model_name("back") == "Helsinki-NLP/opus-mt-fr-en"
    assert french.model_name("return") == "Helsinki-NLP/opus-mt-en-fr"
    assert french.target_token("back") == french.target_token("return") == ""
    portuguese = Settings(lang="pt")
    assert portuguese.model_name("back") == "Helsinki-NLP/opus-mt-ROMANCE-en"
    assert portuguese.model_name("return") == "Helsinki-NLP/opus-mt-en-ROMANCE"
    assert (portuguese.target_token("back"), portuguese.target_token("return")) == ("", ">>pt<<")
    assert Settings(lang="zh").target_token("return") == ">>cmn_Hans<<"


def test_unlisted_pairs_and_given_models() -> None:
    basque = Settings(lang="eu")
    assert model_choice("eu", "en").back_model == "Helsinki-NLP/opus-mt-eu-en"
    assert basque.model_name("return") == "Helsinki-NLP/opus-mt-en-eu"
    # a model given by hand gets no token from the table, only the one given with it
    given = Settings(lang="pt", return_model="my/model")
    assert given.target_token("return") == ""
    assert (
        Settings(lang="pt", return_model="my/model", return_token=">>por<<").target_token("return")
        == ">>por<<"
    )


def test_team_table_from_the_settings(tmp_path: Path) -> None:
    table = tmp_path / "models.tsv"
    table.write_text(
        "lang\tpivot\tback_model\tback_token\treturn_model\treturn_token\n"
        "fr\ten\tteam/fr-en\t-\tteam/en-mul\t>>fra<<\n"
    )
    config = tmp_path / "mtreview.toml"
    config.write_text(f'[mtreview]\nmodel_table = "{table}"\n')
    settings = load_settings(config, environ={})
    assert settings.model_name("back") == "team/fr-en"
    assert (settings.model_name("return"), settings.target_token("return")) == (
        "team/en-mul",
        ">>fra<<",
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("lang\tpivot\n", "expected the columns"),
        ("lang\tpivot\tback_model\tback_token\treturn_model\treturn_token\nfr\ten\tx\n", ":2"),
        (
            "lang\tpivot\tback_model\tback_token\treturn_model\treturn_token\n"
            "fr\ten\ta\t-\tb\tfra\n",
            "must look like >>fra<<",
        ),
    ],
)
def test_bad_tables_name_the_line(tmp_path: Path, content: str, message: str) -> None:
    table = tmp_path / "bad.tsv"
    table.write_text(content)
    with pytest.raises(InputError, match=message):
        load_table(str(table))


@pytest.fixture(scope="module")
def fra(tiny_en_mul: Path) -> HFMarianBackend:
    return HFMarianBackend(str(tiny_en_mul), threads=1, max_length=48, target_token=">>fra<<")


def test_target_token_is_read_but_never_scored(
    fra: HFMarianBackend, tiny_en_mul: Path, tiny_en_fr: Path
) -> None:
    spa = HFMarianBackend(str(tiny_en_mul), threads=1, max_length=48, target_token=">>spa<<")
    bilingual = HFMarianBackend(str(tiny_en_fr), threads=1, max_length=48)
    with_fra, with_spa = fra.score(ENGLISH, FRENCH), spa.score(ENGLISH, FRENCH)
    plain = bilingual.score(ENGLISH, FRENCH)
    for target, a, b, c in zip(FRENCH, with_fra, with_spa, plain, strict=True):
        spans = [(t.text, t.start, t.end) for t in a.tokens]
        # the same target tokens and offsets as a model that needs no token
        assert spans == [(t.text, t.start, t.end) for t in b.tokens]
        assert spans == [(t.text, t.start, t.end) for t in c.tokens]
        assert all(target[s:e] == text for text, s, e in spans[:-1])
        ids, _pieces, _ = target_pieces(fra.tokenizer, target, 48)
        assert len(a.tokens) == len(ids)  # the token is not among the scored ones
        assert a.logprob == pytest.approx(sum(t.logprob for t in a.tokens) / len(a.tokens))
        # ... but the encoder read it: another target language, other log-probabilities
        assert [t.logprob for t in a.tokens] != pytest.approx([t.logprob for t in b.tokens])
    encoded = fra.tokenizer([f">>fra<< {ENGLISH[0]}"])["input_ids"][0]
    vocab = json.loads((tiny_en_mul / "vocab.json").read_text())
    assert encoded[0] == vocab[">>fra<<"]
    assert not any(">>" in text for text in fra.translate(ENGLISH, num_beams=2))


def test_multilingual_model_needs_a_known_token(tiny_en_mul: Path) -> None:
    with pytest.raises(ModelError, match=r"needs a target token \(one of >>fra<<, >>spa<<\)"):
        HFMarianBackend(str(tiny_en_mul), threads=1)
    with pytest.raises(ModelError, match=r"has no target token >>deu<< .*>>fra<<"):
        HFMarianBackend(str(tiny_en_mul), threads=1, target_token=">>deu<<")


def test_ct2_adds_the_same_token(fra: HFMarianBackend, tiny_en_mul: Path, tmp_path: Path) -> None:
    ct2 = CT2MarianBackend(
        str(tiny_en_mul),
        threads=1,
        max_length=48,
        compute_type="float32",
        cache_dir=tmp_path,
        target_token=">>fra<<",
    )
    for got, expected in zip(ct2.score(ENGLISH, FRENCH), fra.score(ENGLISH, FRENCH), strict=True):
        assert [(t.text, t.start, t.end) for t in got.tokens] == [
            (t.text, t.start, t.end) for t in expected.tokens
        ]
        assert [t.logprob for t in got.tokens] == pytest.approx(
            [t.logprob for t in expected.tokens], abs=1e-4
        )
    assert ct2.translate(ENGLISH, num_beams=2) == fra.translate(ENGLISH, num_beams=2)


def test_analysis_takes_models_and_token_from_the_table(
    tiny_fr_en: Path, tiny_en_mul: Path, tmp_path: Path
) -> None:
    table = tmp_path / "models.tsv"
    table.write_text(
        "lang\tpivot\tback_model\tback_token\treturn_model\treturn_token\n"
        f"fr\ten\t{tiny_fr_en}\t-\t{tiny_en_mul}\t>>fra<<\n"
    )
    settings = Settings(model_table=str(table), grammar=False, max_length=48, num_beams=2)
    analyzer = Analyzer(settings)
    assert analyzer.models.ret is not None and analyzer.models.ret.target_token == ">>fra<<"
    text = FRENCH[1]
    [analysis] = analyzer.analyze([Segment("d", 0, 0, 0, len(text), text)])
    record = analysis.to_record()
    assert record["back_translation"] and record["round_trip"]
    assert all(text[t["start"] : t["end"]] == t["text"] for t in record["tokens"][:-1])
    assert record["tokens"][-1]["start"] == len(text)


def test_docs_document_the_shipped_table() -> None:
    page = Path(__file__).resolve().parent.parent / "docs" / "models.md"
    lines = set(page.read_text(encoding="utf-8").splitlines())

    def cell(model: str, token: str) -> str:
        return f"`{model}`" + (f" `{token}`" if token else "")

    for (lang, pivot), choice in load_table().items():
        row = (
            f"| `{lang}` | `{pivot}` | {cell(choice.back_model, choice.back_token)} | "
            f"{cell(choice.return_model, choice.return_token)} |"
        )
        assert row in lines, f"docs/models.md lacks the model table row {row}"
