"""How long `mtreview compare` takes, and where: systems x segments with references.

Builds runs of `--systems` systems over `--segments` synthetic French sentences (each
system a seeded perturbation of the reference), then times the whole comparison (both
paired tests on chrF, BLEU and TER through sacreBLEU, the per-segment tests, buckets) and
the same without references (per-segment tests only), in this process.

    .venv/bin/python benchmarks/compare_speed.py [--segments 2000] [--systems 3]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from mtreview.compare import CompareOptions, compare, load_runs

WORDS = (
    "le gouvernement a annoncé un nouveau rapport sur les réformes économiques et la liberté "
    "de la presse pendant trois mois malgré les protestations du tribunal de district"
).split()


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30))) + "."


def perturbed(text: str, rng: random.Random, rate: float) -> str:
    words = [rng.choice(WORDS) if rng.random() < rate else w for w in text.rstrip(".").split()]
    return " ".join(words) + "."


def write_runs(folder: Path, segments: int, systems: int, *, references: bool) -> list[Path]:
    rng = random.Random(26)
    refs = [sentence(rng) for _ in range(segments)]
    paths = []
    for number in range(systems):
        path = folder / f"S{number}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for index, ref in enumerate(refs):
                text = perturbed(ref, rng, 0.1 + 0.1 * number)
                record = {
                    "version": 3, "doc": "news", "segment_id": index, "text": text,
                    "source": None, "reference": ref if references else None,
                    "metrics": {"chrf": 100.0 * (1 - 0.1 * number) - rng.random()},
                    "flags": [], "risk": rng.random(),
                }  # fmt: skip
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def timed(paths: list[Path]) -> float:
    start = time.perf_counter()
    compare(load_runs(paths), CompareOptions())
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=2000)
    parser.add_argument("--systems", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = []
        for references in (True, False):
            where = Path(folder) / ("refs" if references else "norefs")
            where.mkdir()
            seconds = timed(write_runs(where, args.segments, args.systems, references=references))
            rows.append((references, seconds))
    pairs = args.segments * args.systems
    print(f"{args.systems} systems x {args.segments} segments ({pairs} translations)")
    for references, seconds in rows:
        what = "with references (sacreBLEU tests)" if references else "without references"
        print(f"  {what:<36} {seconds:7.2f} s  {pairs / seconds:9.0f} translations/s")
    print(f"  references cost x{rows[0][1] / rows[1][1]:.1f} the per-segment tests alone")


if __name__ == "__main__":
    main()
