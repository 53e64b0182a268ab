"""The page's websocket watched in a browser test: the script runs the server starts, and
proof that the server has taken in every request the page sent so far (an app heartbeat
sent after them: the server answers it at once, in order, even while a script run waits)."""

from __future__ import annotations

import time
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


class ServerAck:
    """A Playwright route of Streamlit's websocket (set up before the page loads) that
    passes every message on and counts what it needs."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.started = 0  # script runs the server said it started
        self.requests = 0  # rerun requests the page sent
        self.beats = 0  # heartbeats sent (the page's own too)
        self.acks = 0  # heartbeats the server answered (in the order sent)
        self.servers: list[Any] = []
        page.route_web_socket("**/_stcore/stream", self._route)

    def _route(self, socket: Any) -> None:
        server = socket.connect_to_server()
        socket.on_message(lambda m: self._up(server, m))
        server.on_message(lambda m: self._down(socket, m))
        self.servers.append(server)

    def _up(self, server: Any, message: str | bytes) -> None:
        if isinstance(message, bytes):
            kind = BackMsg.FromString(message).WhichOneof("type")
            self.requests += kind == "rerun_script"
            self.beats += kind == "app_heartbeat"
        server.send(message)

    def _down(self, socket: Any, message: str | bytes) -> None:
        if isinstance(message, bytes):
            kind = ForwardMsg.FromString(message).WhichOneof("type")
            self.started += kind == "new_session"  # (sent at the start of every run)
            self.acks += kind == "heartbeat_ack"
        socket.send(message)

    def until(self, what: str, count: int) -> None:
        deadline = time.monotonic() + 30
        while getattr(self, what) < count:  # (Playwright hands messages over while it waits)
            assert time.monotonic() < deadline, f"{what}: {getattr(self, what)} of {count}"
            self.page.wait_for_timeout(20)

    def taken_in(self) -> None:
        """Until the server has handled every request the page sent before this call."""
        message = BackMsg()
        message.app_heartbeat = True
        self.beats += 1
        mine = self.beats
        self.servers[-1].send(message.SerializeToString())
        self.until("acks", mine)
