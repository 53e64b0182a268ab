"""Tables shipped as data (`mtreview/data/*.tsv`) that a team may swap for its own file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from mtreview.errors import InputError


def read_table(path: str, shipped: str, what: str) -> tuple[str, str]:
    """(text, origin for messages): the file at `path`, else `mtreview/data/<shipped>`."""
    if not path:
        return resources.files("mtreview").joinpath(f"data/{shipped}").read_text("utf-8"), shipped
    file = Path(path).expanduser()
    if not file.is_file():
        raise InputError(file, f"{what} not found")
    try:
        return file.read_text(encoding="utf-8"), str(file)
    except UnicodeDecodeError:
        raise InputError(file, "not UTF-8 text") from None
