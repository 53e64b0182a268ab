"""The correction box and the segment editor under AppTest: AppTest runs no component
JavaScript, so these send the box's events (a draft, "Save correction", "Reviewed, no
change") and the editor's (an error added in the picker, the picker's draft, Ctrl+Z)
exactly as the browser sends them, a trigger of the component instance, and read what the
page hands the component."""

from __future__ import annotations

import itertools
import json
from typing import Any

from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from mtreview.ui.components import BOX_KEY, SEGMENT_KEY

_numbers = itertools.count(1_000)  # as the page's: every event a number of its own


def _element(at: AppTest, key: str) -> Any:
    found = [e for e in at.get("bidi_component") if e.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, f"{len(found)} components keyed {key!r}"
    return found[0]


def box(at: AppTest, key: str = BOX_KEY) -> dict[str, Any]:
    """What the page hands the correction box (the component's data)."""
    data: dict[str, Any] = json.loads(_element(at, key).proto.json)
    return data


def box_text(at: AppTest, key: str = BOX_KEY) -> str:
    """The text the box starts from: the reviewer's draft, or else the version it edits."""
    data = box(at, key)
    return str(data["draft"] if data["draft"] is not None else data["saved"])


def send(
    at: AppTest,
    name: str,
    text: str | None = None,
    key: str = BOX_KEY,
    *,
    base: int | None = None,
    number: int | None = None,
) -> AppTest:
    """The box sends event `name` with `text` (None: what it holds) for the segment and
    version it shows (`base`: another version, as a box drawn earlier; `number`: the
    number of an event sent before), then the page runs."""
    data = box(at, key)
    payload = {
        "doc": data["doc"],
        "segment": data["segment"],
        "base": data["base"] if base is None else base,
        "text": box_text(at, key) if text is None else text,
        "number": next(_numbers) if number is None else number,
    }
    return trigger(at, key, name, payload)


def editor(at: AppTest, key: str = SEGMENT_KEY) -> dict[str, Any]:
    """What the page hands the segment editor (the component's data)."""
    return box(at, key)


def next_number() -> int:
    """A number of the page's event counter (the box's and the picker's share it)."""
    return next(_numbers)


def trigger(at: AppTest, key: str, name: str, payload: dict[str, Any]) -> AppTest:
    """The component instance `key` sends event `name` with `payload`; the page runs."""
    states = at._tree.get_widget_states()
    sent = WidgetState(id=_make_trigger_id(_element(at, key).proto.id, "events"))
    sent.json_trigger_value = json.dumps([{"event": name, "value": payload}])
    states.widgets.append(sent)
    at._run(states)
    assert not at.exception, [e.message for e in at.exception]
    return at


def picker_event(at: AppTest, name: str, words: str, **fields: Any) -> AppTest:
    """The open segment's picker sends `name` ("add" or "mark", its draft) for the first
    occurrence of `words`, with `fields` (category, severity, comment, fix or correction,
    discard…), as review.js sends it."""
    data = editor(at)
    text = data["text"]
    start = text.index(words)
    payload: dict[str, Any] = {
        "id": f"test-{next(_numbers)}",
        "number": next(_numbers),
        "doc": data["doc"],
        "segment": data["segment"],
        "start": start,
        "end": start + len(words),
        "text": words,
        "utf16_start": len(text[:start].encode("utf-16-le")) // 2,
        "utf16_end": len(text[: start + len(words)].encode("utf-16-le")) // 2,
        "category": "Fluency/Grammar",
        "severity": "minor",
        "comment": "",
        **fields,
    }
    return trigger(at, SEGMENT_KEY, name, payload)
