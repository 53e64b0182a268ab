"""Turn evidence into flags and a risk: rule checks, Grammalecte, and the model flags
(surprisal, round trip) that `Analyzer.compute` found for each segment alone.

`Highlighter` is the `highlighter=` hook of `Analyzer`: it takes each batch of analyses in
document order and returns them with `flags` and `risk` filled. Document-level checks read a
`DocumentContext` per document that grows as segments stream past; call `prime` with a whole
document first (the review app) so that the first of two spellings is flagged too.

Risk (0 … 1, higher is worse; documented in docs/checks.md): the chance that something in the
segment is wrong, if each signal were an independent witness,
    risk = 1 - (1 - model_risk) * product over the segment's signals of (1 - p(signal))
where model_risk is `round_trip_risk` (round-trip chrF loss and mean surprisal, 0 without
models) and p(signal) is the learnt weight of a flag origin (its precision on reviewed
data, `mtreview.analysis.weights`), counted once however many flags it raised; a flag that
names the way its check saw the error (`Flag.subsignals`, `rule:source_numbers/changed`)
counts by that subsignal's weight where one was learnt; an origin without a learnt weight
counts by the MQM weight of its strongest flag's category and severity,
`1 - exp(-weight / Settings.risk_flag_scale)`.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from mtreview.analysis.record import SegmentAnalysis, round_trip_risk
from mtreview.analysis.weights import settings_weights, shipped_weights
from mtreview.analysis.workers import CheckWorkers, Spread
from mtreview.checks import CHECKS, Check, DocumentContext, enabled_checks
from mtreview.checks.base import outside_protected, segment_spans
from mtreview.checks.french_model import unavailable_reason
from mtreview.checks.protected import CODE_KINDS, KINDS, LAYOUT, mask
from mtreview.documents import Segment
from mtreview.flags import Flag
from mtreview.grammar import GrammarChecker, GrammarError, Pending, plausible
from mtreview.mqm import Typology, load_typology
from mtreview.settings import Settings

SEVERITY_ORDER = ("minor", "major", "critical")
KIND_PRIORITY = ("rule", "grammar", "model")  # whose category wins in a merged flag
MAX_CONTEXTS = 4  # finished documents whose context is kept while streaming
MAX_OPEN_CONTEXTS = 4096  # documents primed and not yet checked: beyond, the oldest go
MASKED_KINDS = CODE_KINDS - {LAYOUT}  # what Grammalecte does not see


def signal_kind(origin: str) -> str:
    """`rule:spacing` -> `rule`; `grammar`, `model` unchanged."""
    return origin.split(":", 1)[0]


def flag_witnesses(
    flag: Flag, weights: Mapping[str, float], scale: float, typology: Typology
) -> dict[str, float]:
    """origin -> how likely the flag is a real error on that origin's word: the learnt
    weight of its subsignal for the origin (`rule:source_numbers/changed`, the strongest
    if merging gave it several), else of the origin (its precision); origins without one
    count by the flag's MQM weight, `1 - exp(-weight / scale)`, once for each kind
    (`rule`, `grammar`, `model`)."""
    witnesses: dict[str, float] = {}
    unknown: set[str] = set()
    for sub in flag.subsignals:
        if sub in weights:
            origin = sub.split("/", 1)[0]
            witnesses[origin] = max(witnesses.get(origin, 0.0), weights[sub])
    for origin in flag.origins:
        if origin in witnesses:
            continue
        if origin in weights:
            witnesses[origin] = weights[origin]
        elif signal_kind(origin) not in unknown:
            unknown.add(signal_kind(origin))
            weight = typology.weight(flag.category, flag.severity)
            witnesses[origin] = 1.0 - math.exp(-weight / max(scale, 1e-9))
    return witnesses


def combined_risk(
    model_risk: float,
    flags: Iterable[Flag],
    scale: float,
    typology: Typology,
    weights: Mapping[str, float] | None = None,
) -> float:
    """1 - (1 - model risk) * the product over the segment's signals of (1 - the
    probability of the signal's strongest flag). One signal is one witness however often
    it fires in a segment: a check that misreads a sentence tends to misread it several
    times (four `grammar:gn` flags on one clean row), so counting each flag would rank
    noisy rows above a single precise flag."""
    strongest: dict[str, float] = {}
    for flag in flags:
        for origin, probability in flag_witnesses(flag, weights or {}, scale, typology).items():
            strongest[origin] = max(strongest.get(origin, 0.0), probability)
    clear = 1.0 - model_risk
    for probability in strongest.values():
        clear *= 1.0 - probability
    return round(1.0 - clear, 4)


def merge_flags(flags: Sequence[Flag], segment_level: frozenset[str] = frozenset()) -> list[Flag]:
    """Overlapping flags become one span listing every origin. Flags about the whole segment
    (origins in `segment_level`) join only flags of the same span, or each other, so that a
    duplicated sentence does not swallow the finer spans inside it."""
    if len(flags) < 2:
        return list(flags)
    partial = [f for f in flags if not set(f.origins) & segment_level]
    whole = [f for f in flags if set(f.origins) & segment_level]
    groups: list[list[Flag]] = []
    for flag in sorted(partial, key=lambda f: (f.start, f.end)):
        if groups and flag.start < max(f.end for f in groups[-1]):
            groups[-1].append(flag)
        else:
            groups.append([flag])
    merged = [_merge(group) for group in groups]
    for flag in sorted(whole, key=lambda f: (f.start, f.end)):
        for index, other in enumerate(merged):
            same = (other.start, other.end) == (flag.start, flag.end)
            if same or (set(other.origins) & segment_level and flag.start < other.end):
                merged[index] = _merge([other, flag])
                break
        else:
            merged.append(flag)
    return sorted(merged, key=lambda f: (f.start, f.end, f.origins))


def _merge(group: list[Flag]) -> Flag:
    if len(group) == 1:
        return group[0]
    group = sorted(group, key=lambda f: _kind_rank(f.origins))
    start, end = min(f.start for f in group), max(f.end for f in group)
    lead = min(group, key=lambda f: _kind_rank(f.origins))
    origins = tuple(
        sorted(dict.fromkeys(o for f in group for o in f.origins), key=lambda o: _kind_rank((o,)))
    )
    severity = max((f.severity for f in group), key=_severity_rank)
    messages = dict.fromkeys(f.message for f in group if f.message)
    suggestion = next(
        (
            f.suggestion
            for f in group
            if f.suggestion is not None and (f.start, f.end) == (start, end)
        ),
        None,
    )
    subsignals = tuple(sorted({s for f in group for s in f.subsignals}))
    return Flag(
        start, end, lead.category, severity, origins, "; ".join(messages), suggestion, subsignals
    )


@functools.lru_cache(maxsize=1024)  # a handful of distinct origin tuples
def _kind_rank(origins: tuple[str, ...]) -> int:
    ranks = [KIND_PRIORITY.index(k) for k in map(signal_kind, origins) if k in KIND_PRIORITY]
    return min(ranks, default=len(KIND_PRIORITY))


def _severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else 0


class Highlighter:
    """Fills `flags` and `risk` of analyses; one per run, fed batches in document order."""

    def __init__(
        self,
        settings: Settings,
        *,
        checks: Sequence[Check] | None = None,
        grammar: GrammarChecker | None = None,
    ) -> None:
        self.settings = settings
        self.checks = list(checks) if checks is not None else enabled_checks(settings)
        self.notes: list[str] = []
        missing = [check.name for check in self.checks if not check.available()]
        if missing:
            self.notes.append(f"{unavailable_reason()}: {', '.join(missing)}")
            self.checks = [check for check in self.checks if check.name not in missing]
        self.segment_level = frozenset(
            f"rule:{name}" for name, cls in CHECKS.items() if cls.segment_level
        )
        self.grammar = grammar if grammar is not None else self._grammar(settings)
        self.typology = load_typology(settings.mqm_typology)
        self.weights = {**shipped_weights(), **settings_weights(settings.flag_weights)}
        self.contexts: collections.OrderedDict[str, DocumentContext] = collections.OrderedDict()
        alone = [check for check in self.checks if not check.reads_document]
        self.workers = CheckWorkers(alone, settings.resolved_threads())
        self.inflight: set[Finishing] = set()  # windows started, not yet collected
        if settings.grammar and self.grammar is None:
            self.notes.append(GrammarChecker(settings).unavailable_reason())

    @staticmethod
    def _grammar(settings: Settings) -> GrammarChecker | None:
        checker = GrammarChecker(settings)
        return checker if settings.grammar and checker.available else None

    def close(self) -> None:
        """Give up the windows still on their way (their Grammalecte processes killed)
        and stop the check workers (forked for the first large batch, kept until here)."""
        for finishing in list(self.inflight):
            finishing.cancel()
        self.workers.close()

    def context(self, doc: str) -> DocumentContext:
        if doc not in self.contexts:
            self.contexts[doc] = DocumentContext(doc)
            self._forget_finished(doc)
        self.contexts.move_to_end(doc)
        return self.contexts[doc]

    def _forget_finished(self, new: str) -> None:
        """Drop the oldest contexts of documents with no segment left to check. A window of
        short documents primes many before checking the first: dropping those by age alone
        checked them against an empty context, so a document's flags hung on its
        neighbours in the run."""
        while len(self.contexts) > MAX_CONTEXTS:
            finished = next(
                (d for d, c in self.contexts.items() if d != new and not c.unchecked), None
            )
            if finished is None:
                if len(self.contexts) <= MAX_OPEN_CONTEXTS:
                    return
                finished = next(iter(self.contexts))  # never checked (filtered out): bounded
            del self.contexts[finished]

    def prime(self, segments: Iterable[Segment]) -> None:
        """Show whole documents before checking, so both of two spellings get flagged."""
        primed: list[DocumentContext] = []
        for segment in segments:
            context = self.context(segment.doc)
            if not primed or primed[-1] is not context:
                context.complete = False
                primed.append(context)
            context.observe(segment)
            context.unchecked += 1
        for context in primed:
            context.complete = True

    def __call__(self, analyses: list[SegmentAnalysis]) -> list[SegmentAnalysis]:
        return self.started(analyses).result()

    def started(self, analyses: list[SegmentAnalysis]) -> Finishing:
        """A window's flags on their way: Grammalecte started on its texts, the checks
        that read only their segment handed to the workers and the document checks done
        here, in document order. `Finishing.result` waits for the rest and merges; an
        engine starts the next window before it, so that Grammalecte and the workers run
        while this process reads the next documents and writes this window's records.
        The document checks' state moves only here, window after window, so the flags
        are those of a call per window whenever `result` comes."""
        segments = [a.segment for a in analyses]
        pending = self._start_grammar([_masked(s) for s in segments])
        spread: Spread | None = None
        try:
            spread = self.workers.start(segments)
            for check in self.checks:
                if check.reads_document:
                    check.prepare(segments)
            document = [self._document_flags(segment) for segment in segments]
        except BaseException:
            if spread is not None:
                spread.cancel()
            if pending is not None:
                pending.cancel()
            raise
        finishing = Finishing(self, analyses, pending, spread, document)
        self.inflight.add(finishing)
        return finishing

    def _finished(
        self,
        analyses: list[SegmentAnalysis],
        pending: Pending | None,
        spread: Spread,
        document: list[list[list[Flag]]],
    ) -> list[SegmentAnalysis]:
        """`Finishing.result`: the workers' flags, Grammalecte's, merged with the model
        flags, and the risk."""
        segments = [a.segment for a in analyses]
        rule = self._rule_flags(document, spread.result())
        grammar = [
            _outside_protected(segment, flags)
            for segment, flags in zip(
                segments, self._grammar_flags(pending, len(segments)), strict=True
            )
        ]
        result = []
        for row, analysis in enumerate(analyses):
            flags = rule[row] + grammar[row] + list(analysis.model_flags)
            merged = tuple(merge_flags(flags, self.segment_level))
            risk = combined_risk(
                round_trip_risk(analysis),
                merged,
                self.settings.risk_flag_scale,
                self.typology,
                self.weights,
            )
            result.append(dataclasses.replace(analysis, flags=merged, risk=risk))
        return result

    def replay(self, segment: Segment) -> None:
        """Walk the document checks over a segment whose record a resumed run already has,
        so their running state (open quotes, what single-pass has seen) is that of an
        uninterrupted run when checking goes on (the other checks keep no state)."""
        self._document_flags(segment)

    def _rule_flags(
        self, document: list[list[list[Flag]]], own: list[list[list[Flag]]]
    ) -> list[list[Flag]]:
        """Each segment's rule flags, in the order of `self.checks`, from the document
        checks' flags (this process) and the others' (`analysis.workers`)."""
        result = []
        for by_document, by_segment in zip(document, own, strict=True):
            documents, alones = iter(by_document), iter(by_segment)
            result.append(
                [
                    flag
                    for check in self.checks
                    for flag in next(documents if check.reads_document else alones)
                ]
            )
        return result

    def _document_flags(self, segment: Segment) -> list[list[Flag]]:
        """The segment observed, then the flags of the checks that read the document."""
        context = self.context(segment.doc)
        context.observe(segment)
        context.unchecked = max(0, context.unchecked - 1)
        return [check.checked(segment, context) for check in self.checks if check.reads_document]

    def _start_grammar(self, texts: list[str]) -> Pending | None:
        if self.grammar is None:
            return None
        try:
            return self.grammar.started(texts)
        except GrammarError as exc:
            self._grammar_failed(exc)
            return None

    def _grammar_flags(self, pending: Pending | None, count: int) -> list[list[Flag]]:
        if pending is None:
            return [[] for _ in range(count)]
        try:
            return pending.flags()
        except GrammarError as exc:
            self._grammar_failed(exc)
            return [[] for _ in range(count)]

    def _grammar_failed(self, exc: GrammarError) -> None:
        """From here on: the windows started after the failing one lose theirs too, as
        when each window was finished before the next began."""
        self.notes.append(f"grammar check skipped from here on: {exc}")
        self.grammar = None
        for finishing in self.inflight:
            finishing.drop_grammar()


class Finishing:
    """One window's flags on their way (`Highlighter.started`): `result` once, or
    `cancel` (the caller gave up: Grammalecte's processes killed, unbegun pieces
    dropped)."""

    def __init__(
        self,
        highlighter: Highlighter,
        analyses: list[SegmentAnalysis],
        pending: Pending | None,
        spread: Spread,
        document: list[list[list[Flag]]],
    ) -> None:
        self.highlighter = highlighter
        self.analyses = analyses
        self.pending = pending
        self.spread = spread
        self.document = document

    def result(self) -> list[SegmentAnalysis]:
        """The window's analyses with flags and risk (what `Highlighter.__call__` gives)."""
        try:
            return self.highlighter._finished(
                self.analyses, self.pending, self.spread, self.document
            )
        except BaseException:
            self.cancel()
            raise
        finally:
            self.highlighter.inflight.discard(self)

    def drop_grammar(self) -> None:
        if self.pending is not None:
            self.pending.cancel()
            self.pending = None

    def cancel(self) -> None:
        self.spread.cancel()
        self.drop_grammar()
        self.highlighter.inflight.discard(self)


def _masked(segment: Segment) -> str:
    """The text Grammalecte reads: code spans turned to X of the same length, so that
    "'%s'" is not read as the elided "s'" and offsets stay those of the segment."""
    spans = [s for s in segment_spans(segment) if s.kind in MASKED_KINDS]
    return mask(segment.text, spans, "X") if spans else segment.text


def _outside_protected(segment: Segment, flags: list[Flag]) -> list[Flag]:
    """Grammalecte's flags less those in code (`%s`, `-mcpu=…`, URLs …); a spelling flag
    on a word copied from the source (a name, a command) goes too, and so do the flags
    `grammar.plausible` finds misread (a word outside its noun group, a label, a path)."""
    if not flags:
        return flags
    spelling = [f for f in flags if f.category == "Fluency/Spelling"]
    other = [f for f in flags if f.category != "Fluency/Spelling"]
    kept = plausible(
        segment.text, outside_protected(segment, other, CODE_KINDS, margin=1), segment.source or ""
    )
    kept += plausible(
        segment.text, outside_protected(segment, spelling, frozenset(KINDS)), segment.source or ""
    )
    return sorted(kept, key=lambda f: (f.start, f.end))


def primed_segments(
    sources: Iterable[Callable[[], Iterable[Segment]]], highlighter: Highlighter
) -> Iterator[Segment]:
    """Each source read twice: once to prime the document context, once to analyse. Memory
    stays that of the context (distinct segments and names), so scoring still streams."""
    for open_source in sources:
        highlighter.prime(open_source())
        yield from open_source()
