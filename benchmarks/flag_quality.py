"""Flags on human translations: false alarms, recall on injected errors, risk ranking, speed.

The French gettext catalogues of this machine (human en→fr translations) are split by
catalogue into two halves. Each half gets known errors planted in about 1.4% of its rows
(`mtreview.testing.injected`: doubled and swapped words, a space before a comma, a broken
participle agreement, a dropped placeholder, a changed number, an untranslated row, lost
end punctuation). Both halves are scored with `mtreview score --no-models` (rules, the
French model's checks, Grammalecte) as a user would; the "fit" half's planted spans are the
reviews `mtreview calibrate --fit` learns the risk weights from, and the "test" half is
measured with those weights:

- false alarms per 100 clean rows (every flag on a row with nothing planted),
- recall on the planted errors, by kind (a flag overlapping the planted span),
- precision of the flags (flags overlapping a planted span / all flags),
- precision of the top 1% of rows by risk (planted rows among them),
- segments per second of the scoring run (rules and grammar; spaCy separately).

    .venv/bin/python benchmarks/flag_quality.py                      # both halves, ~5 min
    .venv/bin/python benchmarks/flag_quality.py --write-defaults     # refit the shipped
        weights (mtreview/data/flag_weights.tsv) on the mix below, ~13 min
    .venv/bin/python benchmarks/flag_quality.py --limit 4000 --no-grammar   # quick look

`--write-defaults` fits the shipped weights on a mix of three reviewed corpora
(`calibration.mixed_weights`): the catalogues' fit half with its planted errors, the
"tune" part of the machine-translation-like set below with its own (never the "heldout"
part), and LibreOffice's help (`libreoffice-help-en-us` and `-fr`, downloaded alike; about
3,400 rows of whole pages, `mt_errors.read_help`) with the tune part's kinds planted in it:
running text nobody read while the checks were tuned, whose clean rows show their false
alarms as the next text will. Each counts as much as the others, at the catalogues' 1 wrong
row in 72, so a flag gets a high weight only where it is precise on the kinds of errors
and quiet on every kind of clean rows. The test half is then ranked with the mixed
weights, and the "heldout" part is scored with them and measured (figures only, as with
`--mt`); the table's header names the packages, versions, seeds, kinds and row counts it
was fit on. Same machine, same inputs: the same bytes.

`--mt` measures instead on machine-translation-like errors in running text of another
domain (issue 22, point 8; `mtreview.testing.mt_errors` says how they are made): GNOME's
desktop help and the Debian installation guide, English and French, from the Debian 12
packages `gnome-user-docs` 43.0-2 and `installation-guide-amd64` 20230508+deb12u1
(downloaded once with `apt-get download`, no root, into
~/.cache/mtreview/benchmarks/mt-corpus, and unpacked there; `--mt-packages` names another
folder). Its documents fall in two fixed parts, "tune" and "heldout"; errors are planted in
1 row in 24 of each (the eight kinds in turn), and each part is scored as a user would,
one JSONL file a document, with the shipped weights (no fit). Reported per part: recall by
kind and by variant (in the heldout part, not by the tables' phrases: a figure for each
would tell its rows), which flags caught each kind, false alarms per 100 clean rows by flag
type, the planted share of the riskiest 1% of rows (as planted, and with the planted rows
thinned to the catalogues' 1 in 72), and a digest of the planted set (same packages and
seed, same digest). Read the tune part's rows to tune (`--show-missed`); the heldout part
is reported in figures only, never row by row. Neither package may feed a model or table
that a check learns from.

    .venv/bin/python benchmarks/flag_quality.py --mt                  # ~3 min, default checks
    .venv/bin/python benchmarks/flag_quality.py --mt --checks all     # untranslated_word too
    .venv/bin/python benchmarks/flag_quality.py --mt --no-grammar --show-missed 30
    .venv/bin/python benchmarks/flag_quality.py --mt --parts tune --show-missed 400 \
        --show-flags grammar:gn,rule:word_order     # the tune part's clean rows they flag
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import glob
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import emit_report, mt_corpus_dir  # noqa: E402

from mtreview import calibration  # noqa: E402
from mtreview.analysis.weights import TABLE, write_table  # noqa: E402
from mtreview.checks import CHECKS  # noqa: E402
from mtreview.cli import main as mtreview_main  # noqa: E402
from mtreview.testing import mt_errors  # noqa: E402
from mtreview.testing.injected import (  # noqa: E402
    CATALOGUE_GLOB,
    INJECTORS,
    Injected,
    Pair,
    inject,
    read_catalogues,
)

ERROR_SHARE = 1 / 72  # ~500 planted errors in the ~36k strings, as in issue 14
MT_SHARE = 1 / 24  # ~270 errors in the ~6,500 rows of the machine-translation-like set
MT_SEED = 22


def catalogue_halves(pattern: str) -> dict[str, list[Pair]]:
    """The catalogues' pairs, each in its half (`half_of`): "fit" and "test"."""
    pairs = read_catalogues(Path(p) for p in glob.glob(pattern))
    if not pairs:
        raise SystemExit(f"no catalogues match {pattern}")
    halves: dict[str, list[Pair]] = {"fit": [], "test": []}
    for pair in pairs:
        halves[half_of(pair)].append(pair)
    return halves


def half_of(pair: Pair) -> str:
    digest = hashlib.sha1(pair.catalogue.encode()).digest()
    return "fit" if digest[0] % 2 == 0 else "test"


def write_corpus(
    folder: Path, name: str, pairs: list[Pair], planted: dict[int, Injected]
) -> dict[int, tuple[str, int]]:
    """One JSONL file a catalogue (a user scores a batch of files; each keeps its own
    conventions) under folder/name/, and the reviews file: every row reviewed, the planted
    span its error. Returns row -> (doc, segment id)."""
    (folder / name).mkdir(parents=True, exist_ok=True)
    keys: dict[int, tuple[str, int]] = {}
    files: dict[str, Any] = {}
    try:
        for index, pair in enumerate(pairs):
            doc = f"{name}-{pair.catalogue}"
            if doc not in files:
                files[doc] = [(folder / name / f"{doc}.jsonl").open("w", encoding="utf-8"), 0]
            handle = files[doc]
            text = planted[index].translation if index in planted else pair.translation
            handle[0].write(json.dumps({"source": pair.source, "translation": text}) + "\n")
            keys[index] = (doc, handle[1])
            handle[1] += 1
    finally:
        for handle, _count in files.values():
            handle.close()
    with (folder / f"{name}.reviews.jsonl").open("w", encoding="utf-8") as reviews:
        for index in range(len(pairs)):
            doc, segment = keys[index]
            record: dict[str, Any] = {"doc": doc, "segment_id": segment}
            if index in planted:
                error = planted[index]
                record.update(start=error.start, end=error.end, category=error.kind)
            reviews.write(json.dumps(record) + "\n")
    return keys


def shipped_config(folder: Path) -> Path:
    """A config file with nothing set: the shipped weights and defaults."""
    config = folder / "shipped.toml"
    config.write_text("[mtreview]\n", encoding="utf-8")
    return config


def score(folder: Path, name: str, config: Path, extra: list[str]) -> dict[str, Any]:
    out, summary = folder / f"{name}.out.jsonl", folder / f"{name}.summary.json"
    inputs = sorted(str(path) for path in (folder / name).glob("*.jsonl"))
    argv = ["score", *inputs, "--no-models", "--no-cache"]
    argv += ["-o", str(out), "--summary", str(summary), "--config", str(config), *extra]
    started = time.perf_counter()
    if mtreview_main(argv) != 0:
        raise SystemExit(f"mtreview score failed on {name}")
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "out": out, **json.loads(summary.read_text())}


def measure(
    folder: Path, name: str, planted: dict[int, Any], keys: dict[int, tuple[str, int]]
) -> dict[str, Any]:
    """The figures of one scored half (see the module docstring)."""
    by_key = calibration.read_flags(folder / f"{name}.out.jsonl")
    flags = {(name, row): by_key[key] for row, key in keys.items()}
    risk_by_key = {}
    for line in (folder / f"{name}.out.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        risk_by_key[record["doc"], record["segment_id"]] = record["risk"]
    risks = {row: risk_by_key[key] for row, key in keys.items()}
    rows = len(risks)
    clean = [i for i in range(rows) if i not in planted]
    false_alarms = sum(len(flags[(name, i)]) for i in clean)
    by_kind: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    hits = 0
    for index, error in planted.items():
        found = any(
            flag.start < error.end and error.start < flag.end for flag in flags[(name, index)]
        )
        by_kind[error.kind][0] += found
        by_kind[error.kind][1] += 1
        hits += found
    good_flags = sum(
        1
        for index, error in planted.items()
        for flag in flags[(name, index)]
        if flag.start < error.end and error.start < flag.end
    )
    all_flags = sum(len(f) for f in flags.values())
    top = sorted(range(rows), key=lambda i: (-risks[i], i))[: max(1, rows // 100)]
    by_origin = collections.Counter(
        origin for i in clean for flag in flags[(name, i)] for origin in flag.origins
    )
    return {
        "rows": rows,
        "planted": len(planted),
        "false_alarms_per_100_clean": round(100 * false_alarms / max(1, len(clean)), 2),
        "flagged_clean_rows_percent": round(
            100 * sum(1 for i in clean if flags[(name, i)]) / max(1, len(clean)), 2
        ),
        "recall": round(hits / max(1, len(planted)), 4),
        "recall_by_kind": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_kind.items())},
        "flag_precision": round(good_flags / max(1, all_flags), 4),
        "top_1_percent": len(top),
        "top_1_percent_precision": round(sum(1 for i in top if i in planted) / len(top), 4),
        "false_alarms_by_origin": dict(by_origin.most_common(12)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--catalogues", default=CATALOGUE_GLOB, help="glob of .mo files")
    parser.add_argument("--limit", type=int, default=0, help="at most this many rows a half")
    parser.add_argument("--no-grammar", action="store_true", help="rules and spaCy only")
    parser.add_argument(
        "--write-defaults", action="store_true", help="refit the shipped weights on the mix"
    )
    parser.add_argument("--keep", help="keep the corpora and outputs in this folder")
    parser.add_argument("--json", help="write the figures here as JSON")
    parser.add_argument("--checks", help="the checks mtreview score runs (e.g. all)")
    parser.add_argument("--mt", action="store_true", help="the machine-translation-like set")
    parser.add_argument("--mt-packages", type=Path, help="folder of its .deb files")
    parser.add_argument(
        "--show-missed", type=int, default=0, metavar="N",
        help="--mt: print N missed errors and N flagged clean rows of the tune part",
    )  # fmt: skip
    parser.add_argument(
        "--show-flags", metavar="ORIGINS",
        help="--mt with --show-missed: the flagged clean tune rows shown are those flagged "
        "by these origins (comma-separated prefixes, e.g. grammar:gn,rule:word_order), "
        "each flag with its text and message",
    )  # fmt: skip
    parser.add_argument(
        "--parts", default=",".join(mt_errors.PARTS),
        help="--mt: the parts to score (tune,heldout; tune alone while tuning)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.mt and args.write_defaults:
        parser.error("--write-defaults scores the --mt set's parts itself: not with --mt")
    if args.mt:
        return main_mt(args)

    halves = catalogue_halves(args.catalogues)
    catalogue_rows = sum(len(rows) for rows in halves.values())
    if args.limit:
        halves = {name: rows[: args.limit] for name, rows in halves.items()}
    with tempfile.TemporaryDirectory(prefix="mtreview-flags-") as scratch:
        folder = Path(args.keep or scratch)  # the corpora and outputs go with it unless kept
        folder.mkdir(parents=True, exist_ok=True)
        report = run(args, halves, folder)
    report = {"catalogue_rows": catalogue_rows, **report}
    return emit_report(report, args.json)


def run(args: argparse.Namespace, halves: dict[str, list[Pair]], folder: Path) -> dict[str, Any]:
    """Score both halves under folder, fit the weights on one, measure both."""
    extra = score_options(args)
    report: dict[str, Any] = {"kinds": list(INJECTORS)}
    planted = {
        name: inject(rows, round(len(rows) * ERROR_SHARE), seed=14 + i)
        for i, (name, rows) in enumerate(halves.items())
    }
    keys = {name: write_corpus(folder, name, rows, planted[name]) for name, rows in halves.items()}

    # 1. the fit half with the shipped weights; learn weights from its planted spans
    config = folder / "fit.toml"
    config.write_text("[mtreview]\n", encoding="utf-8")
    fit_run = score(folder, "fit", config, extra)
    fitted = folder / "fitted.toml"
    fitted.write_text("[mtreview]\n", encoding="utf-8")
    fit_args = ["calibrate", str(folder / "fit.reviews.jsonl"), "--analysis"]
    fit_args += [str(fit_run["out"]), "--fit", "--config", str(fitted)]
    if mtreview_main(fit_args) != 0:
        raise SystemExit("mtreview calibrate --fit failed")
    report["fit"] = {
        "seconds": round(fit_run["seconds"], 1),
        **measure(folder, "fit", planted["fit"], keys["fit"]),
    }
    mix: MixedFit | None = None
    if args.write_defaults:  # the fit half and the --mt tune part together
        mix = mixed_fit(args, folder, extra, halves["fit"], planted["fit"])
        calibration.write_weights(fitted, mix.weights)
    # 2. the test half, ranked with the weights learnt on the fit half (or the mix)
    test_run = score(folder, "test", fitted, extra)
    report["test"] = {
        "seconds": round(test_run["seconds"], 1),
        "segments_per_second": round(test_run["segments"] / test_run["seconds"], 1),
        **measure(folder, "test", planted["test"], keys["test"]),
    }
    if mix is not None:
        report["mix"] = mix.header
        report["mt_heldout"] = mt_heldout(args, folder, extra, mix.rows, fitted)
        table = ROOT / "mtreview" / "data" / TABLE
        write_table(mix.weights, table, mix.header, mix.by_source)
        report["defaults_written"] = str(table.relative_to(ROOT))
    return report


@dataclasses.dataclass(frozen=True)
class MixedFit:
    """The shipped weights' fit: the weights, each source's counts, the table's header
    (what it was fit on) and the --mt set's rows (to measure its heldout part)."""

    weights: dict[str, tuple[float, int, int]]
    by_source: dict[str, dict[str, tuple[int, int]]]
    header: list[str]
    rows: list[mt_errors.Row]


def mixed_fit(
    args: argparse.Namespace,
    folder: Path,
    extra: list[str],
    fit_rows: list[Pair],
    fit_planted: dict[int, Injected],
) -> MixedFit:
    """Score the --mt set's tune part and LibreOffice's help with errors planted alike,
    and fit the weights on them and the catalogues' fit half (already scored under folder)
    together: `calibration.mixed_weights`."""
    catalogue = calibration.FitSource.of(
        "catalogues-fit",
        calibration.read_flags(folder / "fit.out.jsonl"),
        calibration.read_reviews(folder / "fit.reviews.jsonl"),
    )
    packages = args.mt_packages or mt_corpus_dir()
    root, versions = mt_packages(packages)
    rows, _skipped = mt_errors.read_corpus(root)
    part_rows, planted, digest = mt_part(rows, "tune", args.limit)
    tune = planted_source(folder, extra, "mt-tune", "tune", part_rows, planted)
    _root, help_versions = mt_packages(packages, mt_errors.HELP_PACKAGES)
    help_rows, help_planted = help_part(root, args.limit)
    lo_help = planted_source(folder, extra, "lo-help", "help", help_rows, help_planted)
    sources = (catalogue, tune, lo_help)
    weights = calibration.mixed_weights(sources, signals=fit_signals())
    by_source = {
        source.name: {s.signal: (s.flags, s.matched_flags) for s in source.report.signals}
        for source in sources
    }
    fit_digest = planted_digest(fit_planted)
    catalogues = sorted({pair.catalogue for pair in fit_rows})
    header = [
        "Risk weights of the flag signals, fit by `benchmarks/flag_quality.py --write-defaults`",
        "(docs/checks.md, Risk): each signal's precision on a mix of three reviewed corpora,",
        f"counted alike at 1 wrong row in {round(1 / calibration.MIX_SHARE)}, smoothed towards "
        f"the mix's average flag ({calibration.MIX_PRIOR:g} flags' worth).",
        f"catalogues-fit: the fit half of {args.catalogues}: {len(catalogues)} catalogues,",
        f"  {len(fit_rows)} rows, {len(fit_planted)} planted (seed 14, digest {fit_digest}),",
        "  kinds:",
        *wrapped(list(INJECTORS), "  "),
        "  from the packages:",
        *wrapped(catalogue_packages(args.catalogues, catalogues), "  "),
        f"mt-tune: the tune part of the --mt set: {len(part_rows)} rows, {len(planted)} planted",
        f"  (seed {MT_SEED}, digest {digest}), kinds:",
        *wrapped(list(mt_errors.KINDS), "  "),
        "  from the packages:",
        *wrapped([f"{name} {version}" for name, version in sorted(versions.items())], "  "),
        f"lo-help: LibreOffice's help, never read while tuning: {len(help_rows)} rows of "
        f"{len({row.doc for row in help_rows})} pages,",
        f"  {len(help_planted)} planted as in the tune part (its kinds and phrases, seed "
        f"{MT_SEED}, digest {planted_digest(help_planted)}),",
        f"  pages drawn with seed {mt_errors.HELP_SEED} (`mt_errors.read_help`), "
        "from the packages:",
        *wrapped([f"{name} {version}" for name, version in sorted(help_versions.items())], "  "),
        "Scored by `mtreview score --no-models --no-cache`"
        + (f" {' '.join(extra)}." if extra else " (default checks, Grammalecte on)."),
        "The last columns: hits/flags in each corpus.",
    ]
    return MixedFit(weights, by_source, header, rows)


def help_part(
    root: Path, limit: int = 0
) -> tuple[list[mt_errors.Row], dict[int, mt_errors.Planted]]:
    """LibreOffice's help with the tune part's kinds planted alike: the mix's third corpus."""
    rows = mt_errors.read_help(root)[: limit or None]
    return rows, mt_errors.plant(rows, round(len(rows) * MT_SHARE), seed=MT_SEED, part="tune")


def fit_signals() -> list[str]:
    """Every check's signal: one that never fired in the mix gets the mix's average."""
    return [f"rule:{name}" for name in CHECKS]


def planted_source(
    folder: Path,
    extra: list[str],
    name: str,
    part: str,
    rows: list[mt_errors.Row],
    planted: dict[int, mt_errors.Planted],
) -> calibration.FitSource:
    """Rows with errors planted, scored under folder/part as a user would (shipped
    weights), as a source of the mixed fit: every row reviewed, the planted span its error."""
    keys = write_mt_corpus(folder, part, rows, planted)
    score(folder, part, folder / "fit.toml", extra)
    by_key = calibration.read_flags(folder / f"{part}.out.jsonl")
    reviews = {
        key: (
            (calibration.ReviewSpan(*key, planted[row].start, planted[row].end),)
            if row in planted
            else ()
        )
        for row, key in keys.items()
    }
    return calibration.FitSource.of(name, by_key, calibration.Reviews(reviews))


def catalogue_packages(pattern: str, catalogues: list[str]) -> list[str]:
    """The Debian packages holding these catalogues, "name version" each (dpkg), sorted."""
    wanted = set(catalogues)
    paths = sorted(p for p in glob.glob(pattern) if Path(p).stem in wanted)
    try:
        owners = subprocess.run(
            ["dpkg", "-S", *paths], capture_output=True, text=True, check=True
        ).stdout
        names = sorted(
            {n.strip() for line in owners.splitlines() for n in line.split(":")[0].split(",")}
        )
        listed = subprocess.run(
            ["dpkg-query", "-W", "-f=${Package} ${Version}\n", *names],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return ["(not known to dpkg)"]
    return sorted(set(listed.splitlines()))


def wrapped(items: list[str], indent: str, width: int = 88) -> list[str]:
    """Comma-separated items in lines of at most `width` characters."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + len(item) + 3 <= width:
            lines[-1] += f", {item}"
        elif lines:
            lines[-1] += ","
            lines.append(indent + item)
        else:
            lines.append(indent + item)
    return lines


def mt_heldout(
    args: argparse.Namespace,
    folder: Path,
    extra: list[str],
    rows: list[mt_errors.Row],
    config: Path,
) -> dict[str, Any]:
    """The --mt set's heldout part scored with `config`'s weights: its figures only."""
    part_rows, planted, digest = mt_part(rows, "heldout", args.limit)
    keys = write_mt_corpus(folder, "heldout", part_rows, planted)
    run_ = score(folder, "heldout", config, extra)
    return {
        "planted_digest": digest,
        "segments_per_second": round(run_["segments"] / run_["seconds"], 1),
        **measure_mt(folder, "heldout", part_rows, planted, keys),
    }


def score_options(args: argparse.Namespace) -> list[str]:
    return (["--no-grammar"] if args.no_grammar else []) + (
        ["--checks", args.checks] if args.checks else []
    )


# --- the machine-translation-like set ------------------------------------------------------
def mt_packages(
    folder: Path, packages: tuple[str, ...] = mt_errors.PACKAGES
) -> tuple[Path, dict[str, str]]:
    """The packages (the --mt set's by default) unpacked under folder/root (downloaded into
    folder when missing), and their versions."""
    folder.mkdir(parents=True, exist_ok=True)
    missing = [p for p in packages if not list(folder.glob(f"{p}_*.deb"))]
    try:
        if missing:
            subprocess.run(["apt-get", "download", *missing], cwd=folder, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SystemExit(f"cannot download {' '.join(missing)} into {folder}: {exc}") from None
    root, versions = folder / "root", {}
    for package in packages:
        deb = sorted(folder.glob(f"{package}_*.deb"))[-1]
        versions[package] = subprocess.run(
            ["dpkg-deb", "-f", str(deb), "Version"], capture_output=True, text=True, check=True
        ).stdout.strip()
        marker = root / f".{deb.name}"
        if not marker.is_file():
            subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
            marker.touch()
    return root, versions


def write_mt_corpus(
    folder: Path, name: str, rows: list[mt_errors.Row], planted: dict[int, mt_errors.Planted]
) -> dict[int, tuple[str, int]]:
    """One JSONL file a document under folder/name/, rows in document order: row -> key."""
    (folder / name).mkdir(parents=True, exist_ok=True)
    keys = mt_keys(name, rows)
    by_doc: dict[str, list[int]] = collections.defaultdict(list)
    for index, (doc, _segment) in keys.items():
        by_doc[doc].append(index)
    for doc, indexes in by_doc.items():
        with (folder / name / f"{doc}.jsonl").open("w", encoding="utf-8") as out:
            for index in indexes:
                error = planted.get(index)
                source = error.source if error else rows[index].source
                text = error.translation if error else rows[index].translation
                out.write(json.dumps({"source": source, "translation": text}) + "\n")
    return keys


def mt_keys(name: str, rows: list[mt_errors.Row]) -> dict[int, tuple[str, int]]:
    """row -> (doc, segment id) of the part's files (`write_mt_corpus`), without writing:
    one file a document, its rows in document order."""
    keys: dict[int, tuple[str, int]] = {}
    counts: collections.Counter[str] = collections.Counter()
    for index, row in enumerate(rows):
        doc = f"{name}-{row.doc.replace('/', '--')}"
        keys[index] = (doc, counts[doc])
        counts[doc] += 1
    return keys


def top_share(risks: dict[int, float], clean: list[int], planted: list[int], share: float) -> float:
    """Planted rows among the riskiest 1% when planted rows are `share` of the rows: the
    planted rows are dealt into groups of that size, each ranked with every clean row."""
    size = max(1, round(len(clean) * share / (1 - share)))
    hits = tops = 0
    for start in range(0, len(planted), size):
        group = planted[start : start + size]
        ranked = sorted([*clean, *group], key=lambda i: (-risks[i], i))
        top = ranked[: max(1, len(ranked) // 100)]
        hits += sum(1 for i in top if i in set(group))
        tops += len(top)
    return round(hits / max(1, tops), 4)


def top_at_error_share(risks: dict[int, float], clean: list[int], planted: list[int]) -> float:
    """`top_share` at the catalogues' 1 wrong row in 72, the planted rows dealt in the
    benchmark's fixed order (shuffled with `MT_SEED`)."""
    order = sorted(planted)
    random.Random(MT_SEED).shuffle(order)
    return top_share(risks, clean, order, ERROR_SHARE)


def measure_mt(
    folder: Path,
    name: str,
    rows: list[mt_errors.Row],
    planted: dict[int, mt_errors.Planted],
    keys: dict[int, tuple[str, int]],
) -> dict[str, Any]:
    """`measure`'s figures and those of the set's own (see the module docstring)."""
    figures = measure(folder, name, planted, keys)
    by_key = calibration.read_flags(folder / f"{name}.out.jsonl")
    flags = {row: by_key[key] for row, key in keys.items()}
    risks = {}
    for line in (folder / f"{name}.out.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        risks[record["doc"], record["segment_id"]] = record["risk"]
    risk = {row: risks[key] for row, key in keys.items()}
    variants: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    caught_by: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for index, error in planted.items():
        hits = [f for f in flags[index] if f.start < error.end and error.start < f.end]
        variants[f"{error.kind}:{error.variant}"][0] += bool(hits)
        variants[f"{error.kind}:{error.variant}"][1] += 1
        caught_by[error.kind].update({o for f in hits for o in f.origins})
    clean = [i for i in range(len(rows)) if i not in planted]
    by_origin = collections.Counter(o for i in clean for f in flags[i] for o in f.origins)
    figures.pop("false_alarms_by_origin")
    return {
        **figures,
        "recall_by_kind_percent": {
            kind: round(100 * int(v.split("/")[0]) / int(v.split("/")[1]))
            for kind, v in figures["recall_by_kind"].items()
        },
        "top_1_percent_precision_at_1_in_72": top_at_error_share(risk, clean, list(planted)),
        "false_alarms_per_100_clean_by_flag": {
            origin: round(100 * count / max(1, len(clean)), 2)
            for origin, count in by_origin.most_common()
        },
        "recall_by_variant": {
            k: f"{v[0]}/{v[1]}"
            for k, v in sorted(variants.items())
            if name == "tune" or k.split(":")[0] not in mt_errors.TABLE_KINDS
        },  # the held-out part's phrases stay unnamed: a figure on each would be a row
        "caught_by": {k: dict(v.most_common(6)) for k, v in sorted(caught_by.items())},
    }


def show_tune(
    rows: list[mt_errors.Row],
    planted: dict[int, mt_errors.Planted],
    flags: dict[int, Any],
    count: int,
    origins: tuple[str, ...] = (),
) -> None:
    """Missed errors and flagged clean rows of the tune part, to read (stderr); with
    `origins`, only the clean rows flagged by one of them (origin prefixes), each flag with
    its text and message."""
    missed = [
        error
        for index, error in sorted(planted.items())
        if not any(f.start < error.end and error.start < f.end for f in flags[index])
    ]
    print(f"--- tune part: {len(missed)} missed errors, the first {count}", file=sys.stderr)
    for error in missed[:count]:
        text = error.translation
        marked = f"{text[: error.start]}⟦{text[error.start : error.end]}⟧{text[error.end :]}"
        print(f"[{error.kind}:{error.variant}] {marked}\n    {error.source}", file=sys.stderr)

    def chosen(flag: Any) -> bool:
        return not origins or any(o.startswith(origins) for o in flag.origins)

    noisy = [i for i in range(len(rows)) if i not in planted and any(map(chosen, flags[i]))]
    print(f"--- tune part: {len(noisy)} flagged clean rows, the first {count}", file=sys.stderr)
    for index in noisy[:count]:
        text = rows[index].translation
        if not origins:
            shown = "; ".join(f"{'/'.join(f.origins)} {f.start}-{f.end}" for f in flags[index])
            print(f"{text}\n    {shown}", file=sys.stderr)
            continue
        print(f"{text}\n  < {rows[index].source}", file=sys.stderr)
        for f in filter(chosen, flags[index]):
            what = f"{'/'.join(f.origins)} ⟦{text[f.start : f.end]}⟧ {f.message}"
            print(f"    {what}" + (f" → {f.suggestion}" if f.suggestion else ""), file=sys.stderr)


def mt_part(
    rows: list[mt_errors.Row], part: str, limit: int = 0
) -> tuple[list[mt_errors.Row], dict[int, mt_errors.Planted], str]:
    """One part's rows (the first `limit`), its planted errors and their digest."""
    part_rows = list(mt_errors.rows_of(rows, part))
    if limit:
        part_rows = part_rows[:limit]
    count = round(len(part_rows) * MT_SHARE)
    seed = MT_SEED + mt_errors.PARTS.index(part)
    planted = mt_errors.plant(part_rows, count, seed=seed, part=part)
    return part_rows, planted, planted_digest(planted)


def planted_digest(planted: Mapping[int, Any]) -> str:
    """Which errors were planted where: the same digest, the same planted set."""
    spans = [[i, p.translation, p.kind, p.start, p.end] for i, p in sorted(planted.items())]
    return hashlib.sha1(json.dumps(spans).encode()).hexdigest()[:12]


def main_mt(args: argparse.Namespace) -> int:
    folder = args.mt_packages or mt_corpus_dir()
    root, versions = mt_packages(folder)
    rows, skipped = mt_errors.read_corpus(root)
    report: dict[str, Any] = {
        "corpus": {
            "packages": versions,
            "rows": len(rows),
            "documents": len({row.doc for row in rows}),
            "documents_not_aligned": skipped,
        },
        "kinds": list(mt_errors.KINDS),
        "share": "1/24",
        "checks": args.checks or "default",
        "grammar": not args.no_grammar,
    }
    extra = score_options(args)
    with tempfile.TemporaryDirectory(prefix="mtreview-mt-") as scratch:
        work = Path(args.keep or scratch)
        work.mkdir(parents=True, exist_ok=True)
        config = shipped_config(work)
        for part in mt_errors.PARTS:
            if part not in args.parts.split(","):
                continue
            part_rows, planted, digest = mt_part(rows, part, args.limit)
            keys = write_mt_corpus(work, part, part_rows, planted)
            run_ = score(work, part, config, extra)
            report[part] = {
                "documents": len({row.doc for row in part_rows}),
                "planted_digest": digest,
                "seconds": round(run_["seconds"], 1),
                "segments_per_second": round(run_["segments"] / run_["seconds"], 1),
                **measure_mt(work, part, part_rows, planted, keys),
            }
            if part == "tune" and args.show_missed:
                by_key = calibration.read_flags(work / f"{part}.out.jsonl")
                flags = {row: by_key[key] for row, key in keys.items()}
                chosen = tuple(args.show_flags.split(",")) if args.show_flags else ()
                show_tune(part_rows, planted, flags, args.show_missed, chosen)
    return emit_report(report, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
