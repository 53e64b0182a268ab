"""Build a tiny but real MarianMT model (SentencePiece + vocab.json + random weights).

Its output is gibberish, but tokenising, generating, forced decoding, offset mapping and
conversion to CTranslate2 all run the real code paths. Deterministic for given arguments.

    python -m mtreview.testing.tiny_marian OUT_DIR --src fr --tgt en
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

SPECIAL = ("</s>", "<unk>")
PAD = "<pad>"
PAD_LOGIT_BIAS = -100.0  # never predicted, so the model's loss equals mtreview's scores


def corpus_text(lang: str) -> str:
    """Shipped text for a language (fr, en); other languages fall back to English text."""
    folder = resources.files("mtreview.testing") / "corpus"
    name = f"{lang}.txt" if (folder / f"{lang}.txt").is_file() else "en.txt"
    return (folder / name).read_text(encoding="utf-8")


def train_spm(text: str, path: Path, vocab_size: int, symbols: Sequence[str] = ()) -> list[str]:
    """`symbols` become single pieces (benchmarks fill a full-size vocabulary with them, so
    that generated text tokenises back to as many tokens as it was generated with)."""
    import sentencepiece as spm

    model = io.BytesIO()
    sentences = [line.strip() for line in text.splitlines() if line.strip()]
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=model,
        vocab_size=vocab_size + len(symbols),
        user_defined_symbols=list(symbols),
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        num_threads=1,
        shuffle_input_sentence=False,
        unk_id=1,
        bos_id=-1,
        eos_id=0,
        pad_id=-1,
        minloglevel=2,
    )
    path.write_bytes(model.getvalue())
    processor = spm.SentencePieceProcessor(model_file=str(path))
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def build_tiny_marian(
    out_dir: str | Path,
    *,
    src: str = "fr",
    tgt: str = "en",
    vocab_size: int = 400,
    d_model: int = 32,
    layers: int = 2,
    heads: int = 2,
    ffn: int = 64,
    seed: int = 0,
    pad_vocab_to: int = 0,
    init_std: float = 0.02,
    target_tokens: Sequence[str] = (),
    max_length: int = 512,
) -> Path:
    """Write a Marian model directory loadable by `MarianMTModel.from_pretrained`.

    `pad_vocab_to` fills the vocabulary with filler pieces up to that size (benchmarks: the
    opus-mt output layer, 59,514 entries, is much of the work). A larger `init_std` makes
    random outputs depend on the input (at 0.02 the positions drown the tokens).
    `target_tokens` (e.g. `>>fra<<`, `>>spa<<`) make it a multilingual model, as
    opus-mt-en-ROMANCE: each input must start with one of them. `max_length` is the
    generation limit the model ships with (opus-mt: 512): random weights rarely stop early,
    so a test suite caps it to keep beam search short."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    source_pieces = train_spm(corpus_text(src), out / "source.spm", vocab_size)
    target_pieces = train_spm(corpus_text(tgt), out / "target.spm", vocab_size)
    fillers = pad_vocab_to - len({*source_pieces, *target_pieces, *SPECIAL, PAD}) - 16
    if fillers > 0:  # real pieces in both tokenizers, so outputs tokenise back alike
        symbols = [f"▁ʘ{index:x}" for index in range(fillers)]
        source_pieces = train_spm(corpus_text(src), out / "source.spm", vocab_size, symbols)
        target_pieces = train_spm(corpus_text(tgt), out / "target.spm", vocab_size, symbols)
    vocab: dict[str, int] = {token: index for index, token in enumerate(SPECIAL)}
    for piece in [*target_tokens, *source_pieces, *target_pieces]:
        if piece not in vocab and piece not in (*SPECIAL, "<s>", PAD):
            vocab[piece] = len(vocab)
    while len(vocab) < pad_vocab_to - 1:
        vocab[f"<unused{len(vocab)}>"] = len(vocab)
    vocab[PAD] = len(vocab)
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=1), "utf-8")

    config = MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=512,
        pad_token_id=vocab[PAD],
        eos_token_id=vocab["</s>"],
        decoder_start_token_id=vocab[PAD],
        forced_eos_token_id=vocab["</s>"],
        share_encoder_decoder_embeddings=True,
        scale_embedding=True,
        activation_function="swish",
        init_std=init_std,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    with torch.no_grad():  # like a trained opus-mt model: <pad> only starts the decoder
        model.final_logits_bias[0, vocab[PAD]] = PAD_LOGIT_BIAS
    model.generation_config.num_beams = 4
    model.generation_config.max_length = max_length
    model.generation_config.bad_words_ids = [[vocab[PAD]]]
    model.save_pretrained(out, safe_serialization=True)
    tokenizer = MarianTokenizer(
        source_spm=str(out / "source.spm"),
        target_spm=str(out / "target.spm"),
        vocab=str(out / "vocab.json"),
        source_lang=src,
        target_lang=tgt,
    )
    tokenizer.save_pretrained(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out_dir")
    parser.add_argument("--src", default="fr")
    parser.add_argument("--tgt", default="en")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--d-model", type=int, default=32)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--max-length", type=int, default=512)
    args = parser.parse_args(argv)
    path = build_tiny_marian(
        args.out_dir,
        src=args.src,
        tgt=args.tgt,
        seed=args.seed,
        d_model=args.d_model,
        layers=args.layers,
        max_length=args.max_length,
    )
    sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
