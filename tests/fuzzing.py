"""The fuzz suite's parts: seed files of every input format, hostile fragments, mutations,
and the invariant every run must keep (exit 0 with valid output, or exit 2 with one line;
no traceback; no leftover files; memory under a cap).

The budget is `MTREVIEW_FUZZ_EXAMPLES` generated inputs per test (default: a CI-sized
run of about a minute and a half in all); `MTREVIEW_FUZZ_EXAMPLES=1500` is the long run of
the README (over 10,000 inputs).
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import random
import resource
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from test_readers_cat import PO, TMX, XLIFF

from mtreview.cli import main

EXAMPLES = int(os.environ.get("MTREVIEW_FUZZ_EXAMPLES", "0") or 0)
MEMORY_CAP_MB = 400  # growth of this process's peak resident memory over a whole fuzz test


def fuzz_settings(ci_examples: int) -> settings:
    """`ci_examples` in CI, `MTREVIEW_FUZZ_EXAMPLES` when set; no deadline, no shrinking
    limits beyond hypothesis' own; the database stays in .hypothesis (git-ignored)."""
    return settings(
        max_examples=EXAMPLES or ci_examples,
        # CI draws the same examples every run (a red CI is then a change, not a draw); the
        # long runs (MTREVIEW_FUZZ_EXAMPLES, benchmarks/fuzz_faces.py's seeds) explore
        derandomize=bool(os.environ.get("CI")) and not EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- seeds: a small real file of each format (XLIFF, TMX, PO: test_readers_cat's) ---------
TEXT = (
    "Almaty. 2 février. KAZTAG - La pression des ONG est endommagée à l'image du "
    "Kazakhstan, a déclaré M. Dupont. « Nous partons », dit-il.\n\n"
    "Le Majilis a adopté la loi etc. sans débat ! Pourquoi ?\r\n"
)
TSV = "source\ttranslation\treference\nКофе.\tLe café.\tDu café.\nДа.\tOui.\tOui !\n"
CSV = 'source,translation\n"Кофе, да.","Le café, oui."\nНет.,"Non ""vraiment""."\n'
JSONL = (
    '{"source": "Кофе.", "translation": "Le café.", "id": "1"}\n'
    '{"translation": {"fr": "Oui.", "ru": "Да."}}\n'
)
MOSES = "Le café.\nOui.\n"
MOSES_SOURCE = "Кофе.\nДа.\n"
SEEDS: dict[str, tuple[str, bytes]] = {
    "txt": (".txt", TEXT.encode()),
    "tsv": (".tsv", TSV.encode()),
    "csv": (".csv", CSV.encode()),
    "jsonl": (".jsonl", JSONL.encode()),
    "moses": (".txt", MOSES.encode()),
    "xliff": (".xlf", XLIFF.encode()),
    "tmx": (".tmx", TMX.encode()),
    "po": (".po", PO.encode()),
}

# --- hostile fragments ------------------------------------------------------------------
FRAGMENTS: list[bytes] = [
    b"\x00",
    b"\\ud800",
    b"\\udfff",
    b'"\\ud83d"',
    b"\\ud83d\\ude00",
    "\u2028".encode(),
    "\u2029".encode(),
    "\x85".encode(),
    b"\r\n",
    b"\r",
    b"\n\n",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",  # an encoded surrogate: not UTF-8
    b"\t",
    b'"',
    b"\\",
    b"{",
    b"}",
    b"[" * 3000,
    b"]" * 3000,
    b'{"a":' * 200,
    b"1" * 4400,
    b"-1e999999",
    b"NaN",
    b"Infinity",
    b"9223372036854775808",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    b"&c;",
    b"&e;",
    b"&#xD800;",
    b"&#0;",
    b"&#x1F600;",
    b"<![CDATA[x]]>",
    b"<",
    b">",
    b"&",
    b"</target>",
    b"<target>",
    b"<tu>",
    b"<seg>",
    b"msgid ",
    b'msgstr[9999] "x"',
    b'msgstr ""',
    b'"\\x41\\101\\n"',
    b"#~ ",
    "😀".encode(),
    "e\u0301".encode(),
    b"M. " * 40,
    b" " * 5100,
    b"a" * 25000,
    b"\t\t\t",
    b"translation",
    b"source",
    b",",
]

# what a translator's file may well hold: these edits mostly keep an input readable
GENTLE: list[bytes] = [
    s.encode()
    for s in ["é", "😀", " ", ".", ". ", "M. ", "\n", "«", "»", " Le chat dort. ", "e\u0301",
              "\u00a0", "’", "!", "?", "etc. ", "Dr. ", "« Oui », dit-il.", "\u2028", "-"]
]  # fmt: skip


def _edits(fragments: st.SearchStrategy[bytes]) -> st.SearchStrategy[list]:
    return st.lists(
        st.tuples(
            st.floats(0, 1),  # where, as a share of the length
            st.integers(0, 12),  # bytes removed there
            fragments,
        ),
        min_size=1,
        max_size=5,
    )


edits = _edits(st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=6)))
gentle_edits = _edits(st.sampled_from(GENTLE))


def mutate(data: bytes, changes: list[tuple[float, int, bytes]], *, gentle: bool = False) -> bytes:
    """Each change removes `cut` bytes at a place and puts a fragment there; gentle
    changes go after a space (inside text, mostly) and remove nothing."""
    for where, cut, fragment in changes:
        position = int(where * len(data))
        if gentle:
            position = data.find(b" ", position) + 1 or len(data)
            cut = 0
        data = data[:position] + fragment + data[position + cut :]
    return data


def seeds_and_mutations(seed: bytes) -> st.SearchStrategy[bytes]:
    """The seed itself (1 in 10), gently mutated (4), badly mutated (3), or arbitrary
    bytes (2)."""
    kinds = [
        st.just(seed),
        gentle_edits.map(lambda changes: mutate(seed, changes, gentle=True)),
        edits.map(lambda changes: mutate(seed, changes)),
        st.binary(max_size=300),
    ]
    return st.sampled_from([0, 1, 1, 1, 1, 2, 2, 2, 3, 3]).flatmap(lambda kind: kinds[kind])


# JSON values at the extremes, for structured JSONL inputs and reviews records
json_atoms = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**31, 2**63, 2**64, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            "not a date",
            "2026-13-45T99:00:00",
            "0001-01-01T00:00:00+00:00",
            "9999-12-31T23:59:59-14:00",
            "2026-11-30T09:45:21.123456",
            "2026-11-30T09:45:21.123456+00:00",
            "\ud800",
            "a\x00b",
            "\u2028",
            "Accuracy/Mistranslation",
            "minor",
            "accepted",
        ]
    ),
)
# plausible values: a damaged record that may still be valid
plausible = st.sampled_from(
    ["zoé", "2027-01-01T00:00:00+00:00", "2026-11-30T09:45:21Z", 0, 1, 2, 3, None, "x",
     "Fluency/Grammar", "major", "rejected", "fr", True, 0.25, [], {}]
)  # fmt: skip
json_values = st.recursive(
    json_atoms,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def dumps(value: object) -> str:
    """JSON as any tool might write it: NaN allowed, lone surrogates as `\\ud800` escapes."""
    return json.dumps(value, ensure_ascii=True)


# --- damaged records (reviews backups, analysis runs) ------------------------------------
def mutate_records(lines: list[str], seed: int, values: list[object]) -> list[str]:
    """Record-level damage: a field set to an extreme value or removed, a line dropped,
    repeated or moved."""
    rng = random.Random(seed)
    records = [json.loads(line) for line in lines]
    for value in values:
        record = rng.choice(records)
        action = rng.randrange(6)
        if action <= 2 and record:
            record[rng.choice(sorted(record))] = value
        elif action == 3 and record:
            record.pop(rng.choice(sorted(record)))
        elif action == 4:
            records.insert(rng.randrange(len(records) + 1), rng.choice(records))
        elif len(records) > 1:
            records.remove(record)
        inner = _nested_object(record, rng)
        if inner is not None and rng.random() < 0.3:
            inner[rng.choice(sorted(inner) or ["x"])] = copy.deepcopy(value)
    return [dumps(record) for record in records]


def _nested_object(value: object, rng: random.Random) -> dict | None:
    """An object somewhere inside `value` (an analysis, a flag, a token), or None."""
    found: list[dict] = []
    stack = [value] if isinstance(value, dict | list) else []
    while stack:
        item = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        for child in children:
            if isinstance(child, dict):
                found.append(child)
            if isinstance(child, dict | list):
                stack.append(child)
    return rng.choice(found) if found else None


def damaged(
    lines: list[str], seed: int, values: list[object], raw: list[tuple[float, int, bytes]] | None
) -> bytes:
    """JSON lines with record-level damage, then, when `raw` is given, byte-level damage."""
    content = ("\n".join(mutate_records(lines, seed, values)) + "\n").encode()
    return mutate(content, raw) if raw is not None else content


# --- the invariant --------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    code: int
    err: str


def run_cli(*argv: str) -> Outcome:
    """`mtreview ARGV` in this process; anything but exit 0 or a one-line exit 2 (an
    exception escaping `main`, a traceback, a second line) fails the example."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(argv))
    text = err.getvalue()
    assert "Traceback" not in text, text
    assert code in (0, 2), (code, text)
    if code == 2:
        lines = [line for line in text.splitlines() if not line.startswith("note ")]
        assert len(lines) == 1 and lines[0].startswith("mtreview: error: "), text
    return Outcome(code, text)


def report_counts(request: pytest.FixtureRequest, counts: dict[str, int], line: str) -> None:
    """Prints `line` with the total and the counts at the end of a module's run, past
    pytest's capture (the long runs read it)."""
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None and counts:
        total = sum(counts.values())
        parts = ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
        with capture.global_and_fixture_disabled():
            reporter.write_line("\n" + line.format(total=total, parts=parts))


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def leftovers(folder: Path, expected: set[str]) -> list[str]:
    """Files in `folder` besides the inputs and the outputs a run may leave."""
    return sorted(p.name for p in folder.iterdir() if p.name not in expected)


def check_jsonl_output(path: Path) -> int:
    """Every line an analysis record, valid UTF-8 and JSON, its offsets those of its text
    (rows may be empty: a Moses or table row keeps its place); the number of records."""
    count = 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            assert isinstance(record["text"], str)
            assert record["end"] - record["start"] == len(record["text"])
            assert record["segment_id"] == count
            count += 1
    return count
