"""CTranslate2 backend against the transformers backend on the same tiny models."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtreview.backends.ct2 import CT2MarianBackend, converted_dir, resolve_compute_type
from mtreview.backends.fingerprint import model_fingerprint
from mtreview.backends.hf import HFMarianBackend
from mtreview.errors import ModelError, SettingsError

FRENCH = [
    "Le chat dort sur la table.",
    "L'ONG a reçu une lettre du ministère.",
    "Bonjour !",
    "Les autorités n'ont pas répondu à nos questions, a-t-il ajouté.",
    "Le chat dort sur la table.",  # a repeat: computed once, returned twice
    "Ça coûte 20 € — « vraiment » ?",
]
ENGLISH = [
    "The cat sleeps on the table.",
    "The NGO received a letter from the ministry.",
    "Hello!",
    "The authorities did not answer our questions, he added.",
    "The cat sleeps on the table.",
    "It costs 20 € — “really”?",
]
MAX_LENGTH = 48  # tiny models rarely stop early: keep generation short


@pytest.fixture(scope="module")
def hf(tiny_fr_en: Path) -> HFMarianBackend:
    return HFMarianBackend(str(tiny_fr_en), threads=1, max_length=MAX_LENGTH)


@pytest.fixture(scope="module")
def ct2_float32(tiny_fr_en: Path, session_cache: Path) -> CT2MarianBackend:
    """On the session's conversion (converting at once: the race test at the end)."""
    return CT2MarianBackend(
        str(tiny_fr_en),
        threads=1,
        max_length=MAX_LENGTH,
        compute_type="float32",
        cache_dir=session_cache,
    )


@pytest.mark.parametrize("beams", [1, 4])
def test_float32_translations_equal_transformers(
    hf: HFMarianBackend, ct2_float32: CT2MarianBackend, beams: int
) -> None:
    expected = hf.translate(FRENCH, num_beams=beams, batch_size=4)
    assert ct2_float32.translate(FRENCH, num_beams=beams, batch_size=4) == expected
    assert expected[0] == expected[4]


def test_float32_nbest_equals_transformers(
    hf: HFMarianBackend, ct2_float32: CT2MarianBackend
) -> None:
    expected = hf.translate_nbest(FRENCH[:3], 3, num_beams=4, batch_size=2)
    got = ct2_float32.translate_nbest(FRENCH[:3], 3, num_beams=4, batch_size=2)
    assert got == expected
    assert all(len(candidates) == 3 for candidates in got)


def test_float32_scores_equal_transformers(
    hf: HFMarianBackend, ct2_float32: CT2MarianBackend
) -> None:
    expected = hf.score(ENGLISH, FRENCH, batch_size=4)
    got = ct2_float32.score(ENGLISH, FRENCH, batch_size=4)
    assert len(got) == len(FRENCH)
    for target, mine, theirs in zip(FRENCH, got, expected, strict=True):
        assert [(t.text, t.start, t.end) for t in mine.tokens] == [
            (t.text, t.start, t.end) for t in theirs.tokens
        ]
        assert [t.logprob for t in mine.tokens] == pytest.approx(
            [t.logprob for t in theirs.tokens], abs=1e-4
        )
        assert mine.logprob == pytest.approx(theirs.logprob, abs=1e-4)
        assert mine.tokens[-1].text == "</s>"
        assert mine.tokens[-1].start == mine.tokens[-1].end == len(target)
        for token in mine.tokens[:-1]:
            assert target[token.start : token.end] == token.text


def test_workers_share_a_batch_and_change_nothing(
    hf: HFMarianBackend, tiny_fr_en: Path, session_cache: Path
) -> None:
    """Two threads become two single-threaded workers, each taking half of a batch."""
    two = CT2MarianBackend(
        str(tiny_fr_en),
        threads=2,
        max_length=MAX_LENGTH,
        compute_type="float32",
        cache_dir=session_cache,
    )
    assert (two.workers, two.translator.num_translators) == (2, 2)
    assert [two.share(rows, 16) for rows in (3, 8, 10, 40)] == [3, 4, 5, 16]
    more = ["Il a dit non.", "Le rapport sort demain.", "Nous partirons.", "Tout va bien."]
    texts = [*FRENCH, *more]  # 9 distinct: sub-batches of 5 and 4
    assert two.translate(texts, num_beams=2, batch_size=8) == hf.translate(
        texts, num_beams=2, batch_size=8
    )
    sources = [*ENGLISH, "He said no.", "The report is out tomorrow.", "We leave.", "All good."]
    mine, theirs = two.score(sources, texts, batch_size=8), hf.score(sources, texts, batch_size=8)
    assert [s.logprob for s in mine] == pytest.approx([s.logprob for s in theirs], abs=1e-4)


def test_int8_greedy_agrees_on_most_tokens(
    hf: HFMarianBackend, tiny_fr_en: Path, session_cache: Path
) -> None:
    int8 = CT2MarianBackend(
        str(tiny_fr_en),
        threads=1,
        max_length=MAX_LENGTH,
        compute_type="int8",
        cache_dir=session_cache,
    )
    texts = [*FRENCH, "Il a dit non.", "Le rapport sera publié demain matin à Almaty."]
    reference = hf.translate(texts, num_beams=1, batch_size=4)
    quantised = int8.translate(texts, num_beams=1, batch_size=4)
    same = total = 0
    for ours, theirs in zip(quantised, reference, strict=True):
        mine = int8.tokenizer.tokenize(ours)
        want = hf.tokenizer.tokenize(theirs)
        total += max(len(mine), len(want))
        same += sum(a == b for a, b in zip(mine, want, strict=False))
    assert total > 0
    assert same / total >= 0.95
    scored = int8.score(ENGLISH[:2], FRENCH[:2])
    assert all(s.tokens[-1].text == "</s>" for s in scored)


def test_conversion_is_cached_by_model_and_compute_type(
    ct2_float32: CT2MarianBackend, tiny_fr_en: Path, session_cache: Path
) -> None:
    folder = converted_dir(str(tiny_fr_en), "float32", session_cache)
    assert model_fingerprint(str(tiny_fr_en)).split(":")[1][:16] in folder.name
    assert folder != converted_dir(str(tiny_fr_en), "int8", session_cache)
    first = CT2MarianBackend(str(tiny_fr_en), compute_type="float32", cache_dir=session_cache)
    stamp = (folder / "model.bin").stat().st_mtime_ns
    second = CT2MarianBackend(str(tiny_fr_en), compute_type="float32", cache_dir=session_cache)
    assert (folder / "model.bin").stat().st_mtime_ns == stamp  # not converted again
    assert first.translate(["Bonjour"], num_beams=1) == second.translate(["Bonjour"], num_beams=1)


def test_changed_weights_get_a_new_conversion(tiny_fr_en: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "model"
    shutil.copytree(tiny_fr_en, copy)
    before = converted_dir(str(copy), "int8", tmp_path)
    with open(copy / "config.json", "a", encoding="utf-8") as handle:
        handle.write("\n")
    assert converted_dir(str(copy), "int8", tmp_path) != before


def test_bad_inputs_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="compute type"):
        resolve_compute_type("int4")
    assert resolve_compute_type("auto") in {"int8", "float32"}
    with pytest.raises(ModelError, match="not a Marian model directory"):
        CT2MarianBackend(str(tmp_path), cache_dir=tmp_path)
    with pytest.raises(ModelError, match="not found"):
        CT2MarianBackend(str(tmp_path / "missing"), cache_dir=tmp_path)


# Each process converts as `convert_once` does; its converter, once done, waits until the
# other has begun converting too, before either renames its folder into place: both found
# no conversion and both converted, whatever the machine's load (a race every time).
RACE = """
import sys, time
from pathlib import Path
from ctranslate2.converters import TransformersConverter
from mtreview.backends.ct2 import convert_once

model, cache, me, other = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
convert = TransformersConverter.convert

def convert_beside_the_other(self, *args, **kwargs):
    me.touch()
    done = convert(self, *args, **kwargs)
    deadline = time.monotonic() + 240
    while not other.exists():
        if time.monotonic() > deadline:
            sys.exit("the other process never began converting")
        time.sleep(0.01)
    return done

TransformersConverter.convert = convert_beside_the_other
print(convert_once(model, "float32", cache))
"""


@pytest.mark.processes
def test_two_processes_converting_at_once_leave_one_sound_conversion(
    ct2_float32: CT2MarianBackend, tiny_fr_en: Path, tmp_path: Path
) -> None:
    """The one test that converts a tiny model in processes at once (the others use the
    session's conversion): two processes convert into one cache together; one folder,
    no temporary one left, and it translates as the session's conversion does."""
    import subprocess
    import sys

    cache = tmp_path / "cache"
    began = [tmp_path / "first.began", tmp_path / "second.began"]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RACE, str(tiny_fr_en), str(cache), str(me), str(other)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for me, other in (began, began[::-1])
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    assert all(path.exists() for path in began)  # both converted, each while the other did
    target = converted_dir(str(tiny_fr_en), "float32", cache)
    assert {out.strip() for out, _err in outputs} == {str(target)}
    assert [p.name for p in (cache / "ct2").iterdir()] == [target.name]
    raced = CT2MarianBackend(
        str(tiny_fr_en), max_length=MAX_LENGTH, compute_type="float32", cache_dir=cache
    )
    assert raced.translate(FRENCH, num_beams=2) == ct2_float32.translate(FRENCH, num_beams=2)
