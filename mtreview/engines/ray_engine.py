"""Ray engine: the per-segment computation runs as Ray Data `map_batches` actors.

Each actor loads the models once and runs `Analyzer.compute` on its batches; the driver keeps
what needs document order (cache, flags, risk, output), so the records are the same, in the
same order, as with the local engine. The input streams through in windows, so a million
segments never sit in memory at once. `import ray` happens only here, only when used.

    mtreview score big.txt --engine ray                      # a local Ray on this machine
    mtreview score big.txt --engine ray --ray-address auto   # join a running cluster
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from typing import Any

from mtreview.analysis import Analyzer, SegmentAnalysis
from mtreview.documents import Segment, segment_from_mapping
from mtreview.engines.planning import CHUNK_SIZE, WINDOW_CHUNKS, chunked, plan_windows
from mtreview.errors import MTReviewError, SettingsError
from mtreview.settings import Settings

WINDOWS = 4  # engine windows per Ray dataset: bounds driver memory, amortises actor start-up


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise SettingsError(
            "the ray engine needs the ray extra: pip install 'mtreview[ray]'"
        ) from None
    return ray


def _no_flags(analyses: list[SegmentAnalysis]) -> list[SegmentAnalysis]:
    return analyses


class SegmentComputer:
    """A Ray Data actor: holds the models, turns a batch of segments into records."""

    def __init__(self, settings: Settings) -> None:
        self.analyzer = Analyzer(settings, highlighter=_no_flags)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Each row is one batch of segments (a chunk), computed in one call."""
        import numpy as np

        records = []
        for text in batch["segments"]:
            segments = [segment_from_mapping(fields, {}) for fields in json.loads(text)]
            results = self.analyzer.compute(segments)
            records.append(json.dumps([result.findings_record() for result in results]))
        return {"seq": np.asarray(batch["seq"]), "records": np.array(records, dtype=object)}


class RayEngine:
    """Runs `compute` on Ray, `finish` here, window by window in input order."""

    def __init__(
        self,
        *,
        address: str | None = None,
        actors: int | None = None,
        cpus_per_actor: int | None = None,
        num_cpus: int | None = None,
        windows: int = WINDOWS,
        window_chunks: int = WINDOW_CHUNKS,  # as the local engine's, for the same batches
    ) -> None:
        if (cpus_per_actor is not None and cpus_per_actor < 1) or (
            actors is not None and actors < 1
        ):
            raise SettingsError("the ray engine needs at least one actor with one CPU")
        self.address = address or None  # None: ray.init reads Ray's own RAY_ADDRESS
        self.actors = actors
        self.cpus_per_actor = cpus_per_actor
        self.num_cpus = num_cpus  # a local Ray only; a cluster has its own
        self.windows = max(1, windows)
        self.window_chunks = max(1, window_chunks)

    def run(
        self,
        segments: Iterable[Segment],
        analyzer: Analyzer,
        *,
        chunk_size: int = CHUNK_SIZE,
        start: int = 0,
    ) -> Iterator[SegmentAnalysis]:
        ray = import_ray()
        started = self._connect(ray)
        try:
            cpus = self.cpus_per_actor or max(1, analyzer.settings.threads)
            settings = dataclasses.replace(analyzer.settings, threads=cpus)
            span = self.windows * self.window_chunks * chunk_size
            for stretch in chunked(segments, span, start=start):
                yield from self._stretch(ray, stretch, analyzer, settings, chunk_size, start)
                start += len(stretch)
        finally:
            if started:
                ray.shutdown()

    def _stretch(
        self,
        ray: Any,
        segments: list[Segment],
        analyzer: Analyzer,
        settings: Settings,
        chunk_size: int,
        start: int,
    ) -> Iterator[SegmentAnalysis]:
        """Several windows in one Ray dataset; each group of work (a chunk, or a chunk's
        worth of cache misses) is one actor call, planned exactly as the local engine plans
        it, so batches, and therefore results, are the local engine's."""
        plans = list(
            plan_windows(
                segments,
                analyzer,
                chunk_size=chunk_size,
                window_chunks=self.window_chunks,
                start=start,
                pending=set(),
            )
        )
        computed = self._compute(ray, [group for plan in plans for group in plan.groups], settings)
        position = 0
        for plan in plans:
            groups = computed[position : position + len(plan.groups)]
            position += len(plan.groups)
            yield from plan.finished(groups)

    def _connect(self, ray: Any) -> bool:
        """Join the cluster at `address` (or at Ray's own `RAY_ADDRESS`, which `ray.init`
        reads), else start a local Ray; True if we started it."""
        if ray.is_initialized():
            return False
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        if self.address:
            options["address"] = self.address
        elif self.num_cpus:
            options["num_cpus"] = self.num_cpus
        try:
            ray.init(**options)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = self.address or "RAY_ADDRESS, else a local Ray"
            raise SettingsError(f"cannot start or join Ray ({where}): {exc}") from None
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.execution_options.preserve_order = True
        return True

    def _pool_size(self, ray: Any, cpus: int, work: int) -> int:
        if self.actors:
            return self.actors
        available = int(ray.cluster_resources().get("CPU", 1))
        return max(1, min(work, available // cpus))

    def _compute(
        self, ray: Any, work: list[list[Segment]], settings: Settings
    ) -> list[list[SegmentAnalysis]]:
        """`Analyzer.compute` of each list of segments, on the actors; in order."""
        rows = [
            {"seq": seq, "segments": json.dumps([dataclasses.asdict(s) for s in segments])}
            for seq, segments in enumerate(work)
            if segments
        ]
        results: list[list[SegmentAnalysis]] = [[] for _ in work]
        if not rows:
            return results
        dataset = ray.data.from_items(rows, override_num_blocks=len(rows))
        dataset = dataset.map_batches(
            SegmentComputer,
            fn_constructor_kwargs={"settings": settings},
            batch_size=1,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(
                size=self._pool_size(ray, settings.threads, len(rows))
            ),
            num_cpus=settings.threads,
        )
        done = 0
        for row in dataset.iter_rows():
            seq = int(row["seq"])
            records = json.loads(str(row["records"]))
            results[seq] = [
                SegmentAnalysis.from_record(record, segment=segment)
                for record, segment in zip(records, work[seq], strict=True)
            ]
            done += 1
        if done != len(rows):
            raise MTReviewError(f"the ray engine returned {done} of {len(rows)} batches")
        return results
