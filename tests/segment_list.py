"""The sidebar's segment list and "Go to segment" under AppTest: widgets of their own for
each open segment (`mtreview.ui.navigation.key_at`), found by the stem of their key."""

from __future__ import annotations

from typing import Any

from mtreview.ui.navigation import GOTO, PICK


def segment_list(block: Any) -> Any:
    """The one segment list in `block` (an AppTest, or its sidebar)."""
    found = [s for s in block.selectbox if (s.key or "").startswith(f"{PICK}_")]
    assert len(found) == 1, f"{len(found)} segment lists"
    return found[0]


def goto_box(block: Any) -> Any:
    """The one "Go to segment" box in `block`."""
    found = [n for n in block.number_input if (n.key or "").startswith(f"{GOTO}_")]
    assert len(found) == 1, f"{len(found)} boxes"
    return found[0]
