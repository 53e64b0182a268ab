"""`mtreview score` end to end with tiny real Marian models (the issue's done-when)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sacrebleu
import torch

from mtreview.backends import load_backend
from mtreview.cli import main


def run_score(tmp_path: Path, *args: str) -> list[dict]:
    out = tmp_path / "out.jsonl"
    assert main(["score", *args, "-o", str(out)]) == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def scored(
    tmp_path_factory: pytest.TempPathFactory, article: Path, tiny_fr_en: Path, tiny_en_fr: Path
) -> list[dict]:
    return run_score(
        tmp_path_factory.mktemp("score"),
        str(article),
        "--back-model",
        str(tiny_fr_en),
        "--return-model",
        str(tiny_en_fr),
        "--num-beams",
        "2",
    )


def test_one_record_per_segment_sliced_from_the_article(scored: list[dict], article: Path) -> None:
    original = article.read_text(encoding="utf-8")
    assert len(scored) >= 15
    assert [r["segment_id"] for r in scored] == list(range(len(scored)))
    for record in scored:
        assert original[record["start"] : record["end"]] == record["text"]
        assert record["back_translation"] and record["round_trip"]
        assert isinstance(record["flags"], list)
        assert 0.0 <= record["risk"] <= 1.0


def test_token_spans_lie_inside_their_segment(scored: list[dict]) -> None:
    for record in scored:
        tokens = record["tokens"]
        assert tokens[-1]["text"] == "</s>"
        for token in tokens:
            assert 0 <= token["start"] <= token["end"] <= len(record["text"])
            assert record["text"][token["start"] : token["end"]] == token["text"] or (
                token is tokens[-1]
            )
            assert token["logprob"] <= 0.0
        mean = sum(t["logprob"] for t in tokens) / len(tokens)
        assert mean == pytest.approx(record["logprob"], abs=1e-6)


def test_mean_logprob_is_minus_the_model_loss(scored: list[dict], tiny_en_fr: Path) -> None:
    backend = load_backend("hf", str(tiny_en_fr))
    tokenizer, model = backend.tokenizer, backend.model  # type: ignore[attr-defined]
    for record in scored[:4]:
        batch = tokenizer(  # the model reads at most max_length (256) source tokens
            [record["back_translation"]],
            text_target=[record["text"]],
            return_tensors="pt",
            truncation=True,
            max_length=256,
        )
        with torch.no_grad():
            loss = model(**batch).loss.item()
        assert record["logprob"] == pytest.approx(-loss, abs=1e-4)


def test_metrics_equal_sacrebleu_on_the_same_strings(scored: list[dict]) -> None:
    for record in scored:
        hyp, ref = record["round_trip"], record["text"]
        metrics = record["metrics"]
        assert metrics["chrf"] == pytest.approx(sacrebleu.sentence_chrf(hyp, [ref]).score)
        bleu = sacrebleu.metrics.BLEU(effective_order=True).sentence_score(hyp, [ref]).score
        assert metrics["bleu"] == pytest.approx(bleu)
        assert metrics["ter"] == pytest.approx(sacrebleu.sentence_ter(hyp, [ref]).score)
        assert metrics["signatures"]["bleu"].startswith("nrefs:1|case:mixed|eff:yes")


def test_no_models_gives_model_free_fields_only(tmp_path: Path, article: Path) -> None:
    records = run_score(tmp_path, str(article), "--no-models", "--back-model", "/nonexistent")
    assert records
    for record in records:
        assert record["back_translation"] is None
        assert record["round_trip"] is None
        assert record["metrics"] == {}
        assert record["tokens"] == []


def test_source_and_reference_scoring(
    tmp_path: Path, tiny_fr_en: Path, tiny_en_fr: Path, tiny_ru_fr: Path
) -> None:
    table = tmp_path / "pairs.tsv"
    table.write_text(
        "source\ttranslation\treference\n"
        "Давление на НКО\tLa pression sur les ONG\tLa pression exercée sur les ONG\n"
        "Привет\tBonjour\tBonjour\n",
        encoding="utf-8",
    )
    records = run_score(
        tmp_path,
        str(table),
        "--back-model",
        str(tiny_fr_en),
        "--return-model",
        str(tiny_en_fr),
        "--source-model",
        str(tiny_ru_fr),
        "--num-beams",
        "1",
    )
    assert len(records) == 2
    for record in records:
        assert record["source_logprob"] is not None
        assert record["source_tokens"][-1]["text"] == "</s>"
        chrf = sacrebleu.sentence_chrf(record["text"], [record["reference"]]).score
        assert record["reference_metrics"]["chrf"] == pytest.approx(chrf)
    assert records[1]["reference_metrics"]["chrf"] == pytest.approx(100.0)


def test_tsv_output_and_summary(
    tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.tsv"
    summary = tmp_path / "summary.json"
    code = main(
        [
            "score",
            str(article),
            "--no-models",
            "--format",
            "tsv",
            "-o",
            str(out),
            "--summary",
            str(summary),
        ]
    )
    assert code == 0
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0].split("\t")[:3] == ["doc", "segment_id", "paragraph"]
    data = json.loads(summary.read_text())
    assert data["segments"] == len(rows) - 1
    assert "segments" in capsys.readouterr().err


def test_corpus_scores_equal_sacrebleu_corpus_scores(
    tmp_path: Path, article: Path, tiny_fr_en: Path, tiny_en_fr: Path, scored: list[dict]
) -> None:
    summary = tmp_path / "summary.json"
    run_score(
        tmp_path,
        str(article),
        "--back-model",
        str(tiny_fr_en),
        "--return-model",
        str(tiny_en_fr),
        "--num-beams",
        "2",
        "--summary",
        str(summary),
    )
    data = json.loads(summary.read_text())
    hyps = [r["round_trip"] for r in scored]
    refs = [r["text"] for r in scored]
    assert data["round_trip"]["chrf"]["score"] == pytest.approx(
        sacrebleu.corpus_chrf(hyps, [refs]).score
    )
    assert data["round_trip"]["bleu"]["score"] == pytest.approx(
        sacrebleu.corpus_bleu(hyps, [refs]).score
    )
    assert data["round_trip"]["ter"]["score"] == pytest.approx(
        sacrebleu.corpus_ter(hyps, [refs]).score
    )
