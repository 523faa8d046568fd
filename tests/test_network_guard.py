"""The suite reaches nothing beyond 127.0.0.1: pytest-socket refuses any other address in
the test process, and `make test` runs the suite in a network namespace with only
loopback (scripts/loopback-only.sh), which holds the servers and browsers it starts too."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from pytest_socket import SocketConnectBlockedError


def test_a_connection_beyond_loopback_is_refused_before_anything_is_sent():
    # 192.0.2.1 is TEST-NET-1: documentation only; the guard refuses before connecting.
    with (
        pytest.warns(UserWarning, match='host "192.0.2.1"'),
        pytest.raises(SocketConnectBlockedError),
        socket.socket() as sock,
    ):
        sock.connect(("192.0.2.1", 443))


def test_loopback_connections_work():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=5):
            pass


def test_ci_runs_the_suite_with_no_network_interface_but_loopback():
    # /proc/self/net/dev lists this process's namespace (/sys/class/net shows the mounter's)
    lines = Path("/proc/self/net/dev").read_text().splitlines()[2:]
    interfaces = sorted(line.split(":", 1)[0].strip() for line in lines)
    if os.environ.get("CI") != "true" and interfaces != ["lo"]:
        pytest.skip("outside scripts/loopback-only.sh (make test runs the suite inside it)")
    assert interfaces == ["lo"], f"the suite can reach the network through {interfaces}"
