"""The hub's connections send small responses at once: Nagle's algorithm is off on them.

With it on, a response's body (a second write after the headers) waited for the client's
delayed ACK, about 40 ms a request on Linux loopback: 200 sequential imports took 9 s
more. What is checked is the socket option on the server's side of a real connection.
"""
from __future__ import annotations

import socket

from pipeline.hub import server
from tests.hub.conftest import client_for


def test_the_hub_turns_nagle_off_on_every_connection(hub, monkeypatch):
    seen: list[int] = []
    original_setup = server._Handler.setup

    def recording_setup(handler):
        original_setup(handler)
        seen.append(handler.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    monkeypatch.setattr(server._Handler, "setup", recording_setup)
    client = client_for(hub)
    client.get_findings(MaxResults=1)
    assert seen and all(value != 0 for value in seen)
