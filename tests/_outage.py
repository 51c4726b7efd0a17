"""A Redis or PostgreSQL server of the test's own, on a free port, that a handler may stop
mid-request."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
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


class OwnPostgres:
    """A PostgreSQL cluster of the test's own (``initdb`` in a temporary folder, run as the
    ``postgres`` user, trust auth, no fsync) on 127.0.0.1; :attr:`url` for the store."""

    def __init__(self) -> None:
        bin_dir = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        self.folder = tempfile.mkdtemp(prefix="twhooks-pg-")
        shutil.chown(self.folder, "postgres", "postgres")
        self.data = os.path.join(self.folder, "data")
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        as_postgres = ["runuser", "-u", "postgres", "--"]
        subprocess.run(
            [*as_postgres, f"{bin_dir}/initdb", "-D", self.data, "-A", "trust", "-U", "postgres"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.process = subprocess.Popen(
            [
                *as_postgres,
                f"{bin_dir}/postgres",
                "-D",
                self.data,
                "-p",
                str(self.port),
                "-k",
                self.folder,
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not _ready(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"postgres did not start on port {self.port}")
            time.sleep(0.05)

    def kill(self) -> None:
        """Stop the server at once (an immediate shutdown: every backend goes, as in a
        crash), and wait until its port refuses connections."""
        postmaster = _postmaster_pid(self.data)
        os.kill(postmaster, signal.SIGQUIT)
        deadline = time.monotonic() + 10
        while _answers(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"postgres on port {self.port} is still up")
            time.sleep(0.005)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.kill(_postmaster_pid(self.data), signal.SIGQUIT)
            except (OSError, ValueError):
                self.process.terminate()
        self.process.wait(20)
        shutil.rmtree(self.folder, ignore_errors=True)


def _postmaster_pid(data: str) -> int:
    with open(os.path.join(data, "postmaster.pid")) as file:
        return int(file.readline())


def _ready(port: int) -> bool:
    done = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)], check=False)
    return done.returncode == 0


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
