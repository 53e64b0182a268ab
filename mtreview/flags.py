"""Flags: spans worth a reviewer's look, pre-highlighted before review begins."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any


@dataclasses.dataclass(frozen=True)
class Flag:
    """A suspicious span `[start, end)` of a segment (code points), with a guessed MQM
    category and severity; `origins` lists what raised it (`rule:<name>`, `grammar`, `model`).
    `subsignals` (`rule:source_numbers/changed` …) say which of its ways a check saw the
    error, where their precision differs: the risk weighs each on its own, while users see
    the same flag types (`origins`); old flags have none."""

    start: int
    end: int
    category: str
    severity: str
    origins: tuple[str, ...]
    message: str
    suggestion: str | None = None
    subsignals: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "category": self.category,
            "severity": self.severity,
            "origin": self.origins[0] if len(self.origins) == 1 else list(self.origins),
            "origins": list(self.origins),
            "message": self.message,
            "suggestion": self.suggestion,
        }
        if self.subsignals:  # only then: records and stores of flags without stay the same
            data["subsignals"] = list(self.subsignals)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Flag:
        origins = data.get("origins") or data.get("origin") or ()
        if isinstance(origins, str):
            origins = (origins,)
        return cls(
            start=int(data["start"]),
            end=int(data["end"]),
            category=str(data["category"]),
            severity=str(data["severity"]),
            origins=tuple(origins),
            message=str(data.get("message", "")),
            suggestion=data.get("suggestion"),
            subsignals=tuple(str(s) for s in data.get("subsignals") or ()),
        )
