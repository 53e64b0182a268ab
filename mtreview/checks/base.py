"""What every rule check is: a named, registered class that turns one segment into flags.

Document-level checks (duplicates, spelling variants) read a `DocumentContext` that the
caller feeds segment by segment, so scoring still streams: in a stream a segment is compared
with what came before it; with the whole document observed first (the review app), with all
of it. Checks never see a `Settings` object beyond what `configure` picks out.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import re
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from mtreview.checks.protected import CODE_KINDS, ProtectedSpan, overlaps_any, protected_spans
from mtreview.documents import Segment
from mtreview.flags import Flag
from mtreview.settings import Settings


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The garbage collector off while a model's tables pile up objects that all stay
    (spaCy's pipeline, the word-order model): its sweeps over them cost a tenth of a load."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# A word: letters and digits, with inner apostrophes or hyphens ("aujourd'hui", "non-lieu").
WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*")
# A sentence's end: a full stop, question or exclamation mark or ellipsis, then closing
# quotes or brackets: running text, not a catalogue's label or usage line.
SENTENCE_END = re.compile(r"[.!?…][\"'»”’)\]]*\s*$")


def words(text: str) -> Iterator[re.Match[str]]:
    """Word matches of `text`, with their code-point spans."""
    return WORD_RE.finditer(text)


@dataclasses.dataclass
class DocumentContext:
    """What a document has shown so far: fed with `observe`, read by document-level checks.

    It keeps one short key per distinct segment and one entry per distinct spelling of a
    name, so memory grows with the vocabulary of the document, not its length.
    """

    doc: str
    segments: dict[str, list[int]] = dataclasses.field(default_factory=dict)
    spellings: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    names: set[str] = dataclasses.field(default_factory=set)  # casefolded capitalised words
    quote_styles: set[str] = dataclasses.field(default_factory=set)
    state: dict[str, Any] = dataclasses.field(default_factory=dict)  # a check's running state
    complete: bool = False  # the whole document was observed before checking began
    unchecked: int = 0  # segments primed and not yet checked: the context must stay

    def observe(self, segment: Segment) -> None:
        """Record a segment before it is checked; once complete, nothing more is recorded."""
        if self.complete:
            return
        for check_cls in CHECKS.values():
            check_cls.observe(segment, self)


class Check:
    """A rule check; subclasses set the class attributes and implement `check`."""

    name: ClassVar[str]
    default_on: ClassVar[bool] = True
    category: ClassVar[str] = "Other"
    severity: ClassVar[str] = "minor"
    description: ClassVar[str] = ""
    segment_level: ClassVar[bool] = False  # its flags are about the whole segment
    # its flags depend on the DocumentContext (what the document showed so far): checked in
    # document order in the run's process; every other check reads only its segment, so a
    # batch of them may be spread over worker processes (analysis.workers). Derived: a
    # check reads the document exactly when it observes it
    reads_document: ClassVar[bool] = False
    # protected spans (placeholders, tags, URLs …; see checks.protected) whose insides this
    # check never flags; checks about placeholders themselves respect none
    respects: ClassVar[frozenset[str]] = CODE_KINDS
    needs: ClassVar[str] = ""  # what it needs besides the text: "source", "french model"
    margin: ClassVar[int] = 0  # its flags must not even stand this close to a protected span

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.reads_document = cls.observe.__func__ is not Check.observe.__func__  # type: ignore[attr-defined]

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings if settings is not None else Settings()

    @property
    def origin(self) -> str:
        return f"rule:{self.name}"

    @classmethod
    def observe(cls, segment: Segment, context: DocumentContext) -> None:
        """Feed the document context; only document-level checks need to."""

    def available(self) -> bool:
        """Whether what the check needs (a model) is installed; checked once a run."""
        return True

    def prepare(self, segments: Sequence[Segment]) -> None:
        """Called with each batch before its segments are checked one by one (a check with
        a model parses the batch at once here)."""

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        raise NotImplementedError

    def checked(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        """`check`, less the flags inside the protected spans this check respects."""
        flags = self.check(segment, context)
        if not flags or not self.respects or self.segment_level:
            return flags
        return outside_protected(segment, flags, self.respects, self.margin)

    def flag(
        self,
        start: int,
        end: int,
        message: str,
        *,
        suggestion: str | None = None,
        category: str | None = None,
        severity: str | None = None,
        code: str | None = None,
    ) -> Flag:
        """A flag of this check; `code` names the way it saw the error where ways differ in
        precision (a number changed or only left out): the subsignal `rule:<name>/<code>`,
        which the risk weighs on its own (`Flag.subsignals`)."""
        return Flag(
            start=start,
            end=end,
            category=category or self.category,
            severity=severity or self.severity,
            origins=(self.origin,),
            message=message,
            suggestion=suggestion,
            subsignals=(f"{self.origin}/{code}",) if code else (),
        )


def segment_spans(segment: Segment) -> tuple[ProtectedSpan, ...]:
    """The protected spans of a segment (cached per text, source and format flags)."""
    return protected_spans(segment.text, segment.source, tuple(segment.formats))


def outside_protected(
    segment: Segment, flags: list[Flag], kinds: frozenset[str], margin: int = 0
) -> list[Flag]:
    """The flags that touch no protected span of these kinds, nor come within `margin`
    code points of one ("%s:" is a program's prefix, not French typography)."""
    spans = [s for s in segment_spans(segment) if s.kind in kinds]
    if not spans:
        return flags
    return [f for f in flags if not overlaps_any(f.start - margin, f.end + margin, spans)]


CHECKS: dict[str, type[Check]] = {}


def register_check(cls: type[Check]) -> type[Check]:
    """Class decorator: make a check known to the CLI, the settings and the UI."""
    CHECKS[cls.name] = cls
    return cls
