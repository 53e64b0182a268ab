"""A raw client of the app's Streamlit websocket, as an attacker (or a test) speaks it: no
browser, the protocol's own messages (`BackMsg` out, `ForwardMsg` in).

Security tests use it to present what a browser never would: another Host, a stolen
session id, no cookie, crafted widget states.
"""

from __future__ import annotations

import dataclasses
import socket
import ssl
import time
from collections.abc import Mapping, Sequence

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

# (widget id, the field of its state that holds the value, the value)
WidgetState = tuple[str, str, object]


@dataclasses.dataclass(frozen=True)
class ScriptRun:
    """What one script run sent: the session's id (when the run opened it) and the new
    elements, as (type, element) in order."""

    session_id: str
    elements: tuple[tuple[str, object], ...]


def open_stream(
    port: int,
    *,
    host: str = "127.0.0.1",
    headers: Mapping[str, str] | None = None,
    session_id: str = "",
    timeout: float = 30,
    tls: ssl.SSLContext | None = None,
) -> ClientConnection:
    """The websocket a page at http://HOST:PORT opens (Host and Origin name `host`; the
    TCP connection goes to 127.0.0.1); `session_id`: the Streamlit session it asks to
    resume (a reconnect, or someone who learnt the id); `tls`: a page at https://HOST:PORT
    (wss, the certificate checked for `host` with this context)."""
    protocols = [Subprotocol("streamlit"), Subprotocol("no-xsrf")]
    if session_id:
        protocols.append(Subprotocol(session_id))
    secure = "s" if tls is not None else ""
    return connect(
        f"ws{secure}://{host}:{port}/_stcore/stream",
        sock=socket.create_connection(("127.0.0.1", port), timeout=timeout),
        ssl=tls,
        origin=Origin(f"http{secure}://{host}:{port}"),
        additional_headers=dict(headers or {}),
        subprotocols=protocols,
        open_timeout=timeout,
    )


def request_run(
    ws: ClientConnection, *, query: str = "", widgets: Sequence[WidgetState] = ()
) -> None:
    """Ask for a script run, with the query string and widget states given."""
    message = BackMsg()
    message.rerun_script.query_string = query
    message.rerun_script.page_script_hash = ""
    for widget_id, field, value in widgets:
        state = message.rerun_script.widget_states.widgets.add()
        state.id = widget_id
        setattr(state, field, value)
    ws.send(message.SerializeToString())


def read_run(ws: ClientConnection, *, timeout: float = 90) -> ScriptRun:
    """Everything up to the end of the run under way; AssertionError if it never ends."""
    session_id, drawn = "", list[tuple[str, object]]()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = ForwardMsg()
        answer.ParseFromString(ws.recv(timeout=timeout))
        kind = answer.WhichOneof("type")
        if kind == "new_session":
            session_id = answer.new_session.initialize.session_id
        elif kind == "script_finished":
            return ScriptRun(session_id, tuple(drawn))
        elif kind == "delta" and answer.delta.WhichOneof("type") == "new_element":
            element = answer.delta.new_element
            name = element.WhichOneof("type")
            if name is not None:
                drawn.append((name, getattr(element, name)))
    raise AssertionError("the script run did not finish")
