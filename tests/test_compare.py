"""`mtreview compare` (issue 26): two systems' runs of the same source, scored against the
references and tested with sacreBLEU's own paired tests, the same numbers as its command
line; round-trip chrF tested alike; buckets, largest differences, HTML and errors."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sacrebleu

from mtreview.analysis import SegmentAnalysis
from mtreview.cli import main
from mtreview.documents import Segment, system_doc_id
from mtreview.flags import Flag
from mtreview.metrics import MetricScore

SUBJECTS = [
    "Le gouvernement", "La Commission européenne", "Le ministre de la santé",
    "Les organisations non gouvernementales", "Le tribunal de district", "La presse locale",
    "Le président du Kazakhstan", "Les habitants d'Almaty", "Un porte-parole de l'UE",
]  # fmt: skip
VERBS = ["a annoncé", "a critiqué", "a soutenu", "a publié", "a suspendu", "examine", "prépare"]
OBJECTS = [
    "un nouveau rapport", "les réformes économiques", "la décision du tribunal",
    "une amende importante", "le programme de coopération", "les droits de l'homme",
    "la liberté de la presse", "un accord avec ses voisins",
]  # fmt: skip
TAILS = [
    "hier soir", "pendant trois mois", "malgré les protestations", "dans un communiqué officiel",
    "à la demande de l'Union européenne", "selon plusieurs sources proches du dossier", "",
]  # fmt: skip
CATEGORIES = ["Accuracy/Omission", "Fluency/Grammar", "Style/Awkward"]
PLANTED = 17  # segment of `news` that system A gets all wrong and B right
GARBAGE = "Zorglub quantique ventile xylophones."
SIGNATURE = "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0"
QUICK = ["--paired-bs-n", "200", "--paired-ar-n", "500"]


@dataclass
class Row:
    doc: str
    index: int
    source: str
    reference: str
    texts: dict[str, str]
    round_trips: dict[str, str]
    flags: dict[str, list[str]]


def sentence(rng: random.Random) -> str:
    parts = [rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(TAILS)]
    for _ in range(rng.choice([0, 0, 1, 2])):
        parts += ["et", rng.choice(SUBJECTS).lower(), rng.choice(VERBS), rng.choice(OBJECTS)]
    return " ".join(p for p in parts if p) + "."


def perturb(text: str, rng: random.Random, rate: float) -> str:
    """Words dropped, replaced or swapped at `rate`: a worse translation the lower it is."""
    words = text.rstrip(".").split()
    vocabulary = " ".join(OBJECTS).split()
    out: list[str] = []
    for word in words:
        roll = rng.random()
        if roll < rate / 2:
            continue
        out.append(rng.choice(vocabulary) if roll < rate else word)
        if len(out) > 1 and rng.random() < rate / 3:
            out[-1], out[-2] = out[-2], out[-1]
    return " ".join(out or words[:1]) + "."


def corpus(seed: int = 26, size: int = 50, systems: dict[str, float] | None = None) -> list[Row]:
    """`size` rows of two documents; each system's translation the reference perturbed at
    its rate, its round trip the translation perturbed again, flags as often as the rate."""
    rates = systems or {"A": 0.3, "B": 0.08}
    rng = random.Random(seed)
    rows = []
    for i in range(size):
        doc, index = ("news", i) if i < 30 else ("blog", i - 30)
        reference = sentence(rng)
        source = " ".join(reversed(reference.rstrip(".").split()))
        texts = {name: perturb(reference, rng, rate) for name, rate in rates.items()}
        if doc == "news" and index == PLANTED:
            texts = {name: GARBAGE if name == "A" else reference for name in rates}
        trips = {name: perturb(texts[name], rng, rate) for name, rate in rates.items()}
        flags = {
            name: [rng.choice(CATEGORIES) for _ in range(rng.randint(0, 3)) if rng.random() < rate]
            for name, rate in rates.items()
        }
        rows.append(Row(doc, index, source, reference, texts, trips, flags))
    return rows


def record(row: Row, name: str, *, system: str | None, start: int) -> dict[str, Any]:
    text, trip = row.texts[name], row.round_trips[name]
    segment = Segment(
        doc=system_doc_id(row.doc, system), index=row.index, paragraph=row.index, start=start,
        end=start + len(text), text=text, source=row.source, reference=row.reference,
        system=system,
    )  # fmt: skip
    chrf = sacrebleu.sentence_chrf(trip, [text]).score
    flags = tuple(Flag(0, 1, c, "minor", ("rule:test",), "planted") for c in row.flags[name])
    analysis = SegmentAnalysis(
        segment, round_trip=trip, metrics={"chrf": MetricScore("chrf", chrf, SIGNATURE)},
        flags=flags, risk=round(1 - chrf / 100, 4),
    )  # fmt: skip
    return analysis.to_record()


def records(rows: list[Row], name: str, *, system: str | None = None) -> list[dict[str, Any]]:
    found, offsets = [], {}
    for row in rows:
        start = offsets.get(row.doc, 0)
        found.append(record(row, name, system=system, start=start))
        offsets[row.doc] = start + len(row.texts[name]) + 1
    return found


def write_jsonl(path: Path, found: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in found), "utf-8")
    return path


def write_runs(folder: Path, rows: list[Row], names: tuple[str, ...] = ("A", "B")) -> list[str]:
    return [str(write_jsonl(folder / f"{name}.jsonl", records(rows, name))) for name in names]


def compare_json(tmp_path: Path, *argv: str) -> dict[str, Any]:
    out = tmp_path / "out.json"
    assert main(["compare", *argv, "--json", str(out)]) == 0
    return json.loads(out.read_text("utf-8"))


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return corpus()


@pytest.fixture(scope="module")
def quick_report(rows: list[Row], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("quick")
    return compare_json(folder, *write_runs(folder, rows), *QUICK)


# --- parity with the sacreBLEU command line ---------------------------------------------------
def sacrebleu_cli(folder: Path, method: str) -> str:
    argv = [str(Path(sys.executable).with_name("sacrebleu")), str(folder / "ref.txt"), "-i"]
    argv += [str(folder / "A.txt"), str(folder / "B.txt"), "-m", "bleu", "chrf", "ter", method]
    # sacreBLEU 2.6.0 cannot write --paired-bs as JSON (its means are float32): read the table
    argv += ["-f", "json"] if method == "--paired-ar" else ["-f", "text", "-w", "4", "--no-color"]
    env = {**os.environ, "SACREBLEU_SEED": "12345"}
    return subprocess.run(argv, capture_output=True, text=True, check=True, env=env).stdout


@pytest.mark.processes
def test_scores_and_p_values_are_those_of_the_sacrebleu_command_line(tmp_path: Path) -> None:
    rows = corpus(systems={"A": 0.14, "B": 0.11})  # close: p-values between 0.03 and 0.12
    runs = write_runs(tmp_path, rows)
    (tmp_path / "ref.txt").write_text("".join(r.reference + "\n" for r in rows), "utf-8")
    for name in ("A", "B"):
        (tmp_path / f"{name}.txt").write_text("".join(r.texts[name] + "\n" for r in rows), "utf-8")
    report = compare_json(tmp_path, *runs)  # the defaults: 1000 resamples, 10000 trials
    metrics = report["metrics"]
    names = {"BLEU": "bleu", "chrF2": "chrf", "TER": "ter"}

    randomized = json.loads(sacrebleu_cli(tmp_path, "--paired-ar"))
    for position, system in enumerate(("A", "B")):
        for theirs, ours in names.items():
            assert metrics[ours]["scores"][system] == pytest.approx(
                randomized[position][theirs]["score"], abs=1e-6
            )
    for theirs, ours in names.items():
        [pair] = [p for p in metrics[ours]["pairs"] if p["method"] == "paired-ar"]
        assert pair["p_value"] == pytest.approx(randomized[1][theirs]["p_value"], abs=1e-9)
        assert 0.01 < pair["p_value"] < 0.5

    table = sacrebleu_cli(tmp_path, "--paired-bs")
    triples = re.findall(r"(\d+\.\d{4}) \((\d+\.\d{4}) ± (\d+\.\d{4})\)", table)
    p_values = [float(p) for p in re.findall(r"p = (\d\.\d{4})", table)]
    assert len(triples) == 6 and len(p_values) == 3
    for position, system in enumerate(("A", "B")):
        for column, ours in enumerate(names.values()):
            score, mean, ci = map(float, triples[3 * position + column])
            assert metrics[ours]["scores"][system] == pytest.approx(score, abs=5e-5)
            assert metrics[ours]["bootstrap"][system]["mean"] == pytest.approx(mean, abs=5e-5)
            assert metrics[ours]["bootstrap"][system]["ci"] == pytest.approx(ci, abs=5e-5)
    for column, (theirs, ours) in enumerate(names.items()):
        [pair] = [p for p in metrics[ours]["pairs"] if p["method"] == "paired-bs"]
        assert pair["p_value"] == pytest.approx(p_values[column], abs=5e-5)
        assert pair["delta"] == pytest.approx(
            metrics[ours]["scores"]["B"] - metrics[ours]["scores"]["A"], abs=1e-6
        )
        low, high = pair["ci"]
        assert low <= pair["delta"] <= high
        signature = re.search(rf"- {theirs}\s+(\S+)", table)
        assert signature and metrics[ours]["test_signatures"]["paired-bs"] == signature.group(1)
    assert metrics["chrf"]["scores"]["B"] > metrics["chrf"]["scores"]["A"]
    assert metrics["ter"]["higher_is_better"] is False


def test_batched_draws_are_sacrebleus_single_draw() -> None:
    import numpy as np

    from mtreview.compare.significance import Resampling, bootstrap_batches

    resampling = Resampling(paired_bs_n=150, seed=7)
    drawn = np.concatenate(list(bootstrap_batches(37, resampling)))
    assert (drawn == np.random.default_rng(7).choice(37, size=(150, 37), replace=True)).all()


# --- the report ----------------------------------------------------------------------------
def test_the_same_runs_give_the_same_bytes(rows: list[Row], tmp_path: Path) -> None:
    runs = write_runs(tmp_path, rows)
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    for out in (first, second):
        assert main(["compare", *runs, *QUICK, "--json", str(out)]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes().endswith(b"}\n")
    assert "Commission européenne" in first.read_text("utf-8")  # not \u00e9


def test_round_trip_chrf_is_tested_per_segment(rows: list[Row], tmp_path: Path) -> None:
    copy = corpus(systems={"A": 0.3, "A2": 0.3, "B": 0.08})
    for row in copy:  # A2 is A under another name
        row.texts["A2"], row.round_trips["A2"] = row.texts["A"], row.round_trips["A"]
        row.flags["A2"] = row.flags["A"]
    report = compare_json(tmp_path, *write_runs(tmp_path, copy, ("A", "A2", "B")), *QUICK)
    pairs = report["metrics"]["roundtrip_chrf"]["pairs"]
    same = [p for p in pairs if p["b"] == "A2"]
    better = [p for p in pairs if p["b"] == "B"]
    assert {p["method"] for p in same} == {"paired-bs", "paired-ar"}
    assert all(p["p_value"] == 1.0 and p["delta"] == 0.0 for p in same)
    assert all(p["p_value"] < 0.01 and p["delta"] > 5 for p in better)
    assert all(p["ci"][0] > 0 for p in better)
    scores = report["metrics"]["roundtrip_chrf"]["scores"]
    assert scores["A"] == scores["A2"] < scores["B"]


def test_buckets_and_differences(quick_report: dict[str, Any], rows: list[Row]) -> None:
    buckets = quick_report["buckets"]
    assert set(buckets) == {"length", "flag_category", "risk"}
    assert buckets["length"]["basis"] == "source words"
    for name in ("length", "risk"):
        for system in ("A", "B"):
            cells = [b["systems"][system] for b in buckets[name]["buckets"]]
            assert sum(cell["segments"] for cell in cells) == len(rows)
            means = {"segments", "chrf", "roundtrip_chrf", "risk"}
            assert all(set(cell) == means for cell in cells)
    labels = [b["bucket"] for b in buckets["length"]["buckets"]]
    assert labels == ["<10", "10-19", "20-29", "30+"]
    flagged = {b["bucket"]: b["systems"] for b in buckets["flag_category"]["buckets"]}
    for category in CATEGORIES:
        expected = sum(category in row.flags["A"] for row in rows)
        assert flagged[category]["A"]["segments"] == expected
    counts = {c: sum(row.flags["A"].count(c) for row in rows) for c in CATEGORIES}
    assert quick_report["flags"]["A"] == {c: n for c, n in counts.items() if n}
    assert all(counts.values())  # the corpus plants every category
    [first, *rest] = quick_report["differences"]
    assert len(rest) == 9  # --top 10 by default
    assert (first["doc"], first["segment_id"], first["score"]) == ("news", PLANTED, "chrf")
    assert first["a_text"] == GARBAGE and first["b_text"] == first["reference"]
    assert first["link"] == f"http://localhost:8501?doc=news&segment={PLANTED}"
    deltas = [abs(d["delta"]) for d in quick_report["differences"]]
    assert deltas == sorted(deltas, reverse=True)


def test_text_table_on_standard_output(
    rows: list[Row], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = write_runs(tmp_path, rows)
    assert main(["compare", *runs, *QUICK, "--top", "2", "--app-url", "http://r:1/x"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("systems   A (baseline), B\n")
    assert re.search(r"^chrf\s+\d+\.\d\d\s+\d+\.\d\d$", out, re.M)
    assert re.search(r"^B vs A\s+delta", out, re.M)
    assert re.search(r"^roundtrip_chrf\s+[+-]\d+\.\d\d\s+\[", out, re.M)


def test_one_run_with_two_systems(rows: list[Row], tmp_path: Path) -> None:
    both = records(rows, "A", system="A") + records(rows, "B", system="B")
    assert both[0]["doc"] == "news@A" and both[-1]["doc"] == "blog@B"
    report = compare_json(tmp_path, str(write_jsonl(tmp_path / "run.jsonl", both)), *QUICK)
    separate = compare_json(tmp_path, *write_runs(tmp_path, rows), *QUICK)
    assert report["systems"] == ["A", "B"]
    assert report == separate


def test_html_escapes_what_the_runs_hold(rows: list[Row], tmp_path: Path) -> None:
    hostile = corpus()
    hostile[PLANTED].texts["B"] += " <script>alert('B')</script> & co"  # still the largest
    hostile[0].flags["A"].append("<i>Fluency</i>")
    page = tmp_path / "report.html"
    runs = write_runs(tmp_path, hostile)
    assert main(["compare", *runs, *QUICK, "--html", str(page), "--app-url", "http://h/?a=1"]) == 0
    html = page.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    assert "&lt;script&gt;alert(&#x27;B&#x27;)&lt;/script&gt; &amp; co" in html
    assert "<i>" not in html and "&lt;i&gt;Fluency&lt;/i&gt;" in html
    assert f'href="http://h/?a=1&amp;doc=news&amp;segment={PLANTED}"' in html


# --- refused ------------------------------------------------------------------------------
def error_line(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["compare", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    return err.strip()


def test_a_missing_segment_is_named_with_its_file_and_line(
    rows: list[Row], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "A.jsonl", tmp_path / "B.jsonl"
    write_jsonl(a, records(rows, "A"))
    write_jsonl(b, [r for r in records(rows, "B") if (r["doc"], r["segment_id"]) != ("news", 4)])
    line = error_line(capsys, str(a), str(b))
    assert line.startswith(f"mtreview: error: {a}:5: segment 4 of document 'news' has no ")
    assert "system 'B'" in line and str(b) in line


def test_a_different_source_is_named_with_its_file_and_line(
    rows: list[Row], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "A.jsonl", tmp_path / "B.jsonl"
    write_jsonl(a, records(rows, "A"))
    changed = records(rows, "B")
    changed[32]["source"] = "autre chose"
    write_jsonl(b, changed)
    line = error_line(capsys, str(a), str(b))
    assert line.startswith(f"mtreview: error: {b}:33: segment 2 of document 'blog': the source ")
    assert f"{a}:33" in line


def test_one_system_is_not_a_comparison(
    rows: list[Row], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [a] = write_runs(tmp_path, rows, ("A",))
    assert "needs at least two systems" in error_line(capsys, a)
    assert "is given twice" in error_line(capsys, a, a)
    other = write_jsonl(tmp_path / "other.jsonl", records(rows, "B", system="A"))
    assert "system 'A' is also in" in error_line(capsys, a, str(other))
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"doc": "news", "segment_id": "1", "text": "x"}])
    assert error_line(capsys, a, str(bad)).startswith(f"mtreview: error: {bad}:1: 'segment_id'")


def test_json_on_standard_output_and_options_checked(
    rows: list[Row], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = write_runs(tmp_path, rows[:12])
    assert main(["compare", *runs, *QUICK, "--json", "-", "--top", "0"]) == 0
    report = json.loads(capsys.readouterr().out)  # the JSON alone, no table
    assert report["segments"] == 12 and report["differences"] == []
    assert "http(s) address" in error_line(capsys, *runs, "--app-url", "javascript:alert(1)")
    assert "standard output" in error_line(capsys, *runs, "--json", "-", "--html", "-")
    assert "the same file" in error_line(capsys, *runs, "--json", runs[0])
    with pytest.raises(SystemExit):
        main(["compare", *runs, "--paired-bs-n", "0"])


def test_the_seed_comes_from_sacrebleus_variable(
    rows: list[Row],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    runs = write_runs(tmp_path, rows)
    monkeypatch.setenv("SACREBLEU_SEED", "99")
    report = compare_json(tmp_path, *runs, *QUICK)
    assert report["resampling"]["seed"] == 99
    assert "bs:200|seed:99|" in report["metrics"]["bleu"]["test_signatures"]["paired-bs"]
    monkeypatch.setenv("SACREBLEU_SEED", "none")
    assert "SACREBLEU_SEED='none'" in error_line(capsys, *runs, *QUICK)
    assert compare_json(tmp_path, *runs, *QUICK, "--seed", "99") == report
