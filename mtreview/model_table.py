"""The model table: which back and return models (and target tokens) a language pair uses.

Data, not code (`mtreview/data/opus_mt.tsv`, or the `model_table` setting): a team adds a
language by adding a row. Pairs the table does not list fall back to the bilingual opus-mt
naming, `Helsinki-NLP/opus-mt-{lang}-{pivot}` and `Helsinki-NLP/opus-mt-{pivot}-{lang}`.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from mtreview.data_tables import read_table
from mtreview.errors import InputError

COLUMNS = ("lang", "pivot", "back_model", "back_token", "return_model", "return_token")
NONE = "-"
TOKEN = re.compile(r">>[^<>\s]+<<")


@dataclasses.dataclass(frozen=True)
class ModelChoice:
    """The models of one (lang, pivot) pair; a token is "" when the model needs none."""

    lang: str
    pivot: str
    back_model: str
    return_model: str
    back_token: str = ""
    return_token: str = ""

    def model(self, role: str) -> str:
        return self.back_model if role == "back" else self.return_model

    def token(self, role: str) -> str:
        return self.back_token if role == "back" else self.return_token


def bilingual(lang: str, pivot: str) -> ModelChoice:
    """The opus-mt naming for a pair the table does not list."""
    return ModelChoice(
        lang,
        pivot,
        back_model=f"Helsinki-NLP/opus-mt-{lang}-{pivot}",
        return_model=f"Helsinki-NLP/opus-mt-{pivot}-{lang}",
    )


def parse_table(text: str, origin: str) -> dict[tuple[str, str], ModelChoice]:
    """Rows by (lang, pivot); `#` lines are comments; errors name the line."""
    rows: dict[tuple[str, str], ModelChoice] = {}
    header_seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if not header_seen:
            if tuple(cells) != COLUMNS:
                raise InputError(origin, f"expected the columns {' '.join(COLUMNS)}", line=number)
            header_seen = True
            continue
        if len(cells) != len(COLUMNS) or not all(cells):
            raise InputError(origin, f"expected {len(COLUMNS)} tab-separated cells", line=number)
        values = dict(zip(COLUMNS, cells, strict=True))
        for key in ("back_token", "return_token"):
            if values[key] == NONE:
                values[key] = ""
            elif not TOKEN.fullmatch(values[key]):
                raise InputError(origin, f"{key} must look like >>fra<<, got {values[key]!r}",
                                 line=number)  # fmt: skip
        choice = ModelChoice(**values)
        rows[(choice.lang, choice.pivot)] = choice
    if not header_seen:
        raise InputError(origin, f"empty model table (expected the columns {' '.join(COLUMNS)})")
    return rows


@functools.lru_cache(maxsize=8)
def load_table(path: str = "") -> dict[tuple[str, str], ModelChoice]:
    """The table at `path`, or the shipped one when empty (cached per path)."""
    return parse_table(*read_table(path, "opus_mt.tsv", "model table"))


def model_choice(lang: str, pivot: str, table: str = "") -> ModelChoice:
    """The table's row for the pair, else the bilingual opus-mt names."""
    return load_table(table).get((lang, pivot)) or bilingual(lang, pivot)
