"""A local HTTP or SOCKS5 proxy for the tests: pproxy, in a process of its own, on 127.0.0.1.

Only this proxy can reach the Bot API stand-in by the name :data:`HIDDEN_HOST` (its process
resolves that name to 127.0.0.1; nothing else on the machine does). A bot given
``TELEGRAM_API_BASE_URL=http://HIDDEN_HOST:<port>`` therefore reaches the stand-in through the
proxy or not at all, so every call the stand-in records is a call that went through the proxy.
The proxy asks for a user name and password, as a clinic's would.

Run it by hand: ``python -m tests.fakes.proxy http 18080``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HIDDEN_HOST = "telegram.behind-proxy.test"
USER = "clinic"
PASSWORD = "s3cret-pass"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LocalProxy:
    """`start` and `stop` it as often as a test likes; it keeps its port."""

    def __init__(self, scheme: str) -> None:
        self.scheme = scheme
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{self.scheme}://{USER}:{PASSWORD}@127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.proxy", self.scheme, str(self.port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not _listening(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the {self.scheme} proxy did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the proxy process this object started (by its PID)."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(10)
        self._process = None


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _serve(scheme: str, port: int) -> None:
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        return real("127.0.0.1" if host == HIDDEN_HOST else host, *args, **kwargs)

    socket.getaddrinfo = resolve
    from pproxy.server import main

    main(["-l", f"{scheme}://127.0.0.1:{port}#{USER}:{PASSWORD}"])


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]))
