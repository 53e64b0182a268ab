"""The raw websocket client lives in `mtreview.ui.stream_client` (the team load benchmark
uses it too)."""

from mtreview.ui.stream_client import ScriptRun, WidgetState, open_stream, read_run, request_run

__all__ = ["ScriptRun", "WidgetState", "open_stream", "read_run", "request_run"]
