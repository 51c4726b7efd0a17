"""A Redis server of the test's own, on a free port, that a handler may stop mid-request."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from urllib.parse import urlsplit

from _servers import free_port


class OwnRedis:
    """``redis-server`` on 127.0.0.1, nothing saved to disk; :attr:`url` for the store."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)

    def kill(self) -> None:
        """Kill the server now, as a crash would (what a handler of the test does)."""
        stop_redis(self.url, self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(10)


def stop_redis(url: str, pid: int) -> None:
    """Kill the Redis server at *url* (process *pid*), and wait until its port refuses
    connections. (``SHUTDOWN`` takes seconds: redis-py retries it as the server goes.)"""
    os.kill(pid, signal.SIGKILL)
    port = urlsplit(url).port or 6379
    deadline = time.monotonic() + 5
    while _answers(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"redis-server on port {port} is still up")
        time.sleep(0.005)


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True
