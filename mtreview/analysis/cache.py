"""Analysis cache: re-scoring a corrected document only computes the segments that changed.

Results of `Analyzer.compute` (models, metrics and model flags) are stored in a SQLite
file under the cache directory, keyed by everything that decides them: the models (name,
weights fingerprint, runtime, compute type), the settings that change results, and the
segment's text, source and reference. Grammalecte's flags are stored per text in the same
file. Rule flags, the merge of all flags, and risk are recomputed every run, because
document-level checks depend on the neighbours, which may have changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson

from mtreview import __version__
from mtreview.analysis.analyzer import Analyzer, FinishStep
from mtreview.analysis.highlight import Highlighter
from mtreview.analysis.models import Models
from mtreview.analysis.record import RECORD_VERSION, SegmentAnalysis
from mtreview.backends.fingerprint import model_fingerprint
from mtreview.documents import Segment
from mtreview.errors import StoreError
from mtreview.flags import Flag
from mtreview.grammar import GrammarChecker, Pending
from mtreview.settings import Settings

CACHE_FILE = "analysis.sqlite"
LOOKUP_CHUNK = 500  # SQLite host parameters per query


class AnalysisCache:
    """A key -> record JSON table; safe to share between processes (WAL, busy timeout).

    `AnalysisCache.temporary()` is one that no other run sees and that leaves nothing on
    disk, even when the process is killed (SQLite's temporary database): `--no-cache`
    runs use it, so they form the same batches as a first run with the cache and give
    the same bytes."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path is not None else Path("(private)")
        self.private = path is None
        self._db: sqlite3.Connection | None = None
        if self.private or self.path.exists():
            self._open()

    def _open(self) -> sqlite3.Connection:
        """The cache's database; a cache file (and its folder) that is not there yet is made
        at the first write, so a run refused before it analyses anything leaves none."""
        if self._db is not None:
            return self._db
        try:
            if self.private:
                db = sqlite3.connect("")  # deleted when closed, unlinked at once
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=30.0)
                db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS analyses "
                "(key TEXT PRIMARY KEY, record TEXT NOT NULL, stored REAL NOT NULL)"
            )
            db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{self.path}: cannot open the analysis cache ({exc})") from None
        self._db = db
        return db

    def _existing(self) -> sqlite3.Connection | None:
        """The database for reading: None while nothing was ever stored (another process
        sharing the cache may have made it since)."""
        if self._db is None and not self.path.exists():
            return None
        return self._open()

    @classmethod
    def for_settings(cls, settings: Settings) -> AnalysisCache:
        return cls(settings.resolved_cache_dir() / CACHE_FILE)

    @classmethod
    def temporary(cls) -> AnalysisCache:
        return cls(None)

    def get_many(self, keys: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, str] = {}
        db = self._existing()
        if db is None:
            return found
        try:
            for i in range(0, len(wanted), LOOKUP_CHUNK):
                part = wanted[i : i + LOOKUP_CHUNK]
                marks = ",".join("?" * len(part))
                rows = db.execute(f"SELECT key, record FROM analyses WHERE key IN ({marks})", part)
                found.update(rows.fetchall())
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot read the analysis cache ({exc})") from None
        return found

    def put_many(self, records: dict[str, str]) -> None:
        now = time.time()
        db = self._open()
        try:
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO analyses (key, record, stored) VALUES (?, ?, ?)",
                    [(key, record, now) for key, record in records.items()],
                )
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot write the analysis cache ({exc})") from None

    def __len__(self) -> int:
        db = self._existing()
        return 0 if db is None else int(db.execute("SELECT COUNT(*) FROM analyses").fetchone()[0])

    def prune(self, stored_before: float | None = None) -> int:
        """Delete what was stored before a time (everything when None) and give the space
        back to the file system; the number of entries deleted."""
        db = self._existing()
        if db is None:
            return 0
        try:
            with db:
                if stored_before is None:
                    deleted = db.execute("DELETE FROM analyses").rowcount
                else:
                    deleted = db.execute(
                        "DELETE FROM analyses WHERE stored < ?", (stored_before,)
                    ).rowcount
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot prune the analysis cache ({exc})") from None
        return int(deleted)

    def size_bytes(self) -> int:
        files = [self.path, self.path.with_name(self.path.name + "-wal")]
        return sum(path.stat().st_size for path in files if path.exists())

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


def cache_namespace(settings: Settings, models: Models) -> str:
    """Everything besides the segment that decides what `Analyzer.compute` returns."""
    described = {
        role: [
            backend.name,
            backend.model_id,
            model_fingerprint(backend.model_id),
            str(getattr(backend, "compute_type", "")),
            *filter(None, [str(getattr(backend, "target_token", ""))]),
        ]
        for role, backend in (
            ("back", models.back),
            ("return", models.ret),
            ("source", models.source),
        )
        if backend is not None
    }
    decisive = {
        "mtreview": __version__,
        "record": RECORD_VERSION,
        "models": described,
        "num_beams": settings.num_beams,
        "num_return": settings.num_return,
        "max_length": settings.max_length,
        "metrics": list(settings.metrics),
        "model_flags": [  # compute also decides the model flags
            settings.surprisal_threshold,
            settings.surprisal_major_threshold,
            settings.roundtrip_flags,
            settings.nbest_agreement,
        ],
    }
    return hashlib.sha256(json.dumps(decisive, sort_keys=True).encode()).hexdigest()


def segment_key(namespace: str, segment: Segment) -> str:
    return _key(namespace, segment.text, segment.source, segment.reference)


def _key(namespace: str, *parts: str | None) -> str:
    return hashlib.sha256(json.dumps([namespace, *parts]).encode()).hexdigest()


def _encode(analysis: SegmentAnalysis) -> str:
    """Compact UTF-8 JSON: a quarter smaller than the default and faster to read back."""
    return json.dumps(analysis.findings_record(), ensure_ascii=False, separators=(",", ":"))


def _decode(record: str) -> dict[str, Any]:
    """orjson reads a cached record ~3x faster; it refuses NaN, which json writes."""
    try:
        return orjson.loads(record)
    except orjson.JSONDecodeError:
        return json.loads(record)


@dataclasses.dataclass
class CacheStats:
    hits: int = 0  # segments whose results came from the cache
    computed: int = 0  # distinct segments computed by the models
    repeats: int = 0  # segments identical to one computed in the same batch


@dataclasses.dataclass(frozen=True)
class Lookup:
    """One batch as the cache sees it: keys, what is stored, what must be computed."""

    segments: tuple[Segment, ...]
    keys: list[str]
    stored: dict[str, str]
    missing: dict[str, Segment]


class CachedAnalyzer(Analyzer):
    """An `Analyzer` whose `compute` looks in the cache first and computes each distinct
    missing segment once; `analyze` (compute, then flags) works unchanged."""

    def __init__(
        self,
        settings: Settings,
        *,
        cache: AnalysisCache,
        models: Models | None = None,
        highlighter: FinishStep | None = None,
    ) -> None:
        self.cache = cache  # before the highlighter is made: its grammar uses the cache
        super().__init__(settings, models=models, highlighter=highlighter)
        self.namespace = cache_namespace(settings, self.models)
        self.stats = CacheStats()

    def default_highlighter(self) -> FinishStep:
        return cached_highlighter(self.settings, self.cache)

    def compute(self, segments: Sequence[Segment]) -> list[SegmentAnalysis]:
        lookup = self.lookup(segments)
        missing = list(lookup.missing.values())
        return self.fill(lookup, self.compute_fresh(missing) if missing else [])

    def compute_fresh(self, segments: Sequence[Segment]) -> list[SegmentAnalysis]:
        """The models' work, cache aside (engines call it for the misses they gathered)."""
        return super().compute(segments)

    def lookup(self, segments: Sequence[Segment], *, pending: set[str] | None = None) -> Lookup:
        """What is stored, and the distinct segments still to compute. Keys in `pending`
        (being computed for an earlier batch) are not computed again: `fill` finds them."""
        keys = [segment_key(self.namespace, segment) for segment in segments]
        stored = self.cache.get_many(keys)
        missing: dict[str, Segment] = {}
        for key, segment in zip(keys, segments, strict=True):
            if key not in stored and key not in missing and key not in (pending or ()):
                missing[key] = segment
        if pending is not None:
            pending.update(missing)
        return Lookup(tuple(segments), keys, stored, missing)

    def fill(
        self,
        lookup: Lookup,
        results: Sequence[SegmentAnalysis],
        *,
        window: dict[str, str] | None = None,
    ) -> list[SegmentAnalysis]:
        """All results of `lookup` in segment order, given those computed for its missing
        segments. Fresh results take the cache's way too (encoded, decoded), so a result
        reads the same whether it was just computed or stored long ago. They are stored at
        once, or, with `window`, gathered there for `store` (one transaction a window, so
        a killed run never leaves half a window's batches in the cache)."""
        fresh = {key: _encode(a) for key, a in zip(lookup.missing, results, strict=True)}
        if window is None:
            if fresh:
                self.cache.put_many(fresh)
        else:
            window.update(fresh)
        known = {**(window or {}), **fresh}
        late = [key for key in lookup.keys if key not in lookup.stored and key not in known]
        stored = {**lookup.stored, **known, **(self.cache.get_many(late) if late else {})}
        missing = [key for key in late if key not in stored]
        if missing:
            raise StoreError(f"{self.cache.path}: {len(missing)} result(s) missing from the cache")
        hits = sum(1 for key in lookup.keys if key in lookup.stored)
        self.stats.hits += hits
        self.stats.computed += len(fresh)
        self.stats.repeats += len(lookup.keys) - hits - len(fresh)
        return [
            SegmentAnalysis.from_record(_decode(stored[key]), segment=segment)
            for key, segment in zip(lookup.keys, lookup.segments, strict=True)
        ]

    def store(self, records: dict[str, str]) -> None:
        """Results gathered by `fill(..., window=...)`, in one transaction."""
        if records:
            self.cache.put_many(records)

    def remember(self, analyses: Sequence[SegmentAnalysis]) -> None:
        """Put results read back from elsewhere (a partial output being resumed) into the
        cache where it lacks them, so later copies of those segments get the same values."""
        keys = {segment_key(self.namespace, a.segment): a for a in analyses}
        stored = self.cache.get_many(keys)
        self.store(
            {
                key: _encode(dataclasses.replace(a, flags=(), risk=0.0))  # as compute leaves it
                for key, a in keys.items()
                if key not in stored
            }
        )


class CachedGrammarChecker(GrammarChecker):
    """Grammalecte's flags per text, kept in the analysis cache: Grammalecte reads each
    line as its own paragraph, so a text's flags do not depend on its neighbours, and a
    re-score only sends it the texts it has not seen (a thousand segments cost it ~4 s)."""

    def __init__(self, settings: Settings, cache: AnalysisCache) -> None:
        super().__init__(settings)
        self.cache = cache
        decisive = f"grammar {__version__} {self.fingerprint()}"  # ours reads its answer
        self.namespace = hashlib.sha256(decisive.encode()).hexdigest()

    def started(self, texts: Sequence[str]) -> Pending:
        """Grammalecte started on the texts the cache lacks; the others are read back."""
        keys = [_key(self.namespace, text) for text in texts]
        stored = self.cache.get_many(keys)
        missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in stored}
        return _CachedPending(self, texts, keys, stored, missing)


class _CachedPending(Pending):
    """The cache's answers, with Grammalecte's for the texts it lacked once they come."""

    def __init__(
        self,
        checker: CachedGrammarChecker,
        texts: Sequence[str],
        keys: list[str],
        stored: dict[str, str],
        missing: dict[str, str],
    ) -> None:
        fresh = GrammarChecker.started(checker, list(missing.values())) if missing else None
        super().__init__(checker, texts, None)
        self.cache, self.keys, self.stored, self.missing = checker.cache, keys, stored, missing
        self.fresh = fresh

    def flags(self) -> list[list[Flag]]:
        if self.fresh is not None:
            fresh, self.fresh = self.fresh, None
            found = {
                key: json.dumps([flag.to_dict() for flag in flags], ensure_ascii=False)
                for key, flags in zip(self.missing, fresh.flags(), strict=True)
            }
            self.cache.put_many(found)
            self.stored.update(found)
        stored = self.stored
        return [[Flag.from_dict(item) for item in json.loads(stored[key])] for key in self.keys]

    def cancel(self) -> None:
        if self.fresh is not None:
            self.fresh.cancel()
            self.fresh = None


def cached_highlighter(settings: Settings, cache: AnalysisCache) -> Highlighter:
    """The default highlighter, with Grammalecte's flags kept in the cache."""
    grammar = CachedGrammarChecker(settings, cache)
    usable = settings.grammar and grammar.available
    return Highlighter(settings, grammar=grammar if usable else None)


def cache_stats(analyzer: Analyzer) -> dict[str, int] | None:
    """What the cache did in this run (None without a cache), for the run summary."""
    if not isinstance(analyzer, CachedAnalyzer) or analyzer.cache.private:
        return None
    return dataclasses.asdict(analyzer.stats)


def cache_line(stats: dict[str, int] | None) -> str:
    if not stats:
        return ""
    return f"cache: {stats['hits']} from the cache, {stats['computed']} computed"
