"""Requests a page sends before it has taken in the server's last answers, sent on purpose
in the browser tests: the server's messages to the page are held back while the page acts
on what it still shows, then let through in order."""

from __future__ import annotations

import time
from typing import Any

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


class HeldAnswers:
    """The server's messages to the page, held back while `holding` (a Playwright route of
    Streamlit's websocket); the page's requests still go at once. Set up before the page
    loads."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.holding = False
        self.messages: list[str | bytes] = []
        self.sockets: list[Any] = []
        page.route_web_socket("**/_stcore/stream", self._route)

    def _route(self, socket: Any) -> None:
        server = socket.connect_to_server()
        socket.on_message(server.send)
        server.on_message(lambda m: self.messages.append(m) if self.holding else socket.send(m))
        self.sockets.append(socket)

    def runs_ended(self) -> int:
        """How many script runs the server said it ended in the messages held."""
        parsed = [ForwardMsg.FromString(m) for m in self.messages if isinstance(m, bytes)]
        return sum(m.WhichOneof("type") == "script_finished" for m in parsed)

    def until_ended(self, runs: int) -> None:
        deadline = time.monotonic() + 30
        while self.runs_ended() < runs:  # (Playwright hands messages over while it waits)
            assert time.monotonic() < deadline, f"{self.runs_ended()} of {runs} runs ended"
            self.page.wait_for_timeout(50)

    def release(self) -> None:
        while self.messages:  # (a send lets Playwright take in more: they queue behind)
            self.sockets[-1].send(self.messages.pop(0))
        self.holding = False
