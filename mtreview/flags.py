"""Flags: spans worth a reviewer's look, pre-highlighted before review begins."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any


@dataclasses.dataclass(frozen=True)
class Flag:
    """A suspicious span `[start, end)` of a segment (code points), with a guessed MQM
    category and severity; `origins` lists what raised it (`rule:<name>`, `grammar`, `model`)."""

    start: int
    end: int
    category: str
    severity: str
    origins: tuple[str, ...]
    message: str
    suggestion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "category": self.category,
            "severity": self.severity,
            "origin": self.origins[0] if len(self.origins) == 1 else list(self.origins),
            "origins": list(self.origins),
            "message": self.message,
            "suggestion": self.suggestion,
        }

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
        )
