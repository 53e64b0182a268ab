"""The correction box under AppTest: AppTest runs no component JavaScript, so these send
the box's events (a draft, "Save correction", "Reviewed, no change") exactly as the
browser's box sends them, a trigger of the component instance with the box's text, and
read what the page hands the box."""

from __future__ import annotations

import itertools
import json
from typing import Any

from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from mtreview.ui.components import BOX_KEY

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
    states = at._tree.get_widget_states()
    trigger = WidgetState(id=_make_trigger_id(_element(at, key).proto.id, "events"))
    trigger.json_trigger_value = json.dumps([{"event": name, "value": payload}])
    states.widgets.append(trigger)
    at._run(states)
    assert not at.exception, [e.message for e in at.exception]
    return at
