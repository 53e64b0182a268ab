"""The raw websocket client lives in `mtreview.testing.stream` (the team load benchmark
uses it too)."""

from mtreview.testing.stream import ScriptRun, WidgetState, open_stream, read_run, request_run

__all__ = ["ScriptRun", "WidgetState", "open_stream", "read_run", "request_run"]
