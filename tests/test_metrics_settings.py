"""sacrebleu parity, streamed corpus scores, and the layered settings."""

from __future__ import annotations

from pathlib import Path

import pytest
import sacrebleu
from hypothesis import given, settings
from hypothesis import strategies as st

from mtreview.errors import SettingsError
from mtreview.metrics import CorpusScorer, SentenceScorer
from mtreview.settings import load_settings

words = st.lists(
    st.sampled_from(["le", "chat", "noir", "dort", "ici", "très", "bien", "."]),
    min_size=1,
    max_size=12,
).map(" ".join)


@given(st.lists(st.tuples(words, words), min_size=1, max_size=8))
@settings(max_examples=40, deadline=None)
def test_sentence_and_corpus_scores_equal_sacrebleu(pairs: list[tuple[str, str]]) -> None:
    sentence = SentenceScorer()
    corpus = CorpusScorer()
    for hyp, ref in pairs:
        scores = sentence.score(hyp, [ref][0])
        assert scores["chrf"].score == pytest.approx(sacrebleu.sentence_chrf(hyp, [ref]).score)
        assert scores["ter"].score == pytest.approx(sacrebleu.sentence_ter(hyp, [ref]).score)
        bleu = sacrebleu.metrics.BLEU(effective_order=True).sentence_score(hyp, [ref]).score
        assert scores["bleu"].score == pytest.approx(bleu)
        corpus.add(hyp, ref)
    hyps = [h for h, _ in pairs]
    refs = [[r for _, r in pairs]]
    result = corpus.result()
    assert result["chrf"].score == pytest.approx(sacrebleu.corpus_chrf(hyps, refs).score)
    assert result["bleu"].score == pytest.approx(sacrebleu.corpus_bleu(hyps, refs).score)
    assert result["ter"].score == pytest.approx(sacrebleu.corpus_ter(hyps, refs).score)


def test_signatures_are_sacrebleus() -> None:
    scorer = SentenceScorer(["bleu"])
    bleu = sacrebleu.metrics.BLEU(effective_order=True)
    bleu.sentence_score("a b", ["a b"])
    assert scorer.score("x", "y")["bleu"].signature == bleu.get_signature().format()
    with pytest.raises(SettingsError, match="unknown metric 'meteor'"):
        SentenceScorer(["meteor"])


def test_settings_layers_in_order(tmp_path: Path) -> None:
    config = tmp_path / "mtreview.toml"
    config.write_text('[mtreview]\nbatch_size = 8\nnum_beams = 2\nlang = "de"\n')
    environ = {"MTREVIEW_NUM_BEAMS": "3", "MTREVIEW_GRAMMAR": "off", "OTHER": "x"}
    loaded = load_settings(config, environ=environ, overrides={"lang": "fr", "batch_size": None})
    assert loaded.batch_size == 8  # file
    assert loaded.num_beams == 3  # environment beats file
    assert loaded.grammar is False
    assert loaded.lang == "fr"  # flags beat everything
    assert loaded.model_name("back") == "Helsinki-NLP/opus-mt-fr-en"
    assert loaded.model_name("return") == "Helsinki-NLP/opus-mt-en-fr"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[mtreview]\nbatch = 3\n", "unknown setting 'batch'"),
        ("[mtreview]\nnum_beams = 'x'\n", "num_beams must be an integer"),
        ("not toml ===", "not valid TOML"),
    ],
)
def test_bad_settings_files(tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(content)
    with pytest.raises(SettingsError, match=message):
        load_settings(config, environ={})


def test_missing_settings_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="settings file not found"):
        load_settings(tmp_path / "nope.toml", environ={})
