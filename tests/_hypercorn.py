"""A real Hypercorn server on 127.0.0.1 running an ASGI app in a background thread."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from hypercorn.asyncio import serve
from hypercorn.config import Config

T = TypeVar("T")


class HypercornServer:
    """Serves *app* on a free port of 127.0.0.1 until :meth:`stop`; ``url`` is its base URL."""

    def __init__(self, app: Any, graceful_timeout: float = 1.0) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = Config()
        config.bind = [f"127.0.0.1:{self.port}"]
        config.graceful_timeout = graceful_timeout
        config.accesslog = None
        config.errorlog = None
        self.loop = asyncio.new_event_loop()
        self._stopping = asyncio.Event()
        self._started = threading.Event()
        self._failure: BaseException | None = None

        async def main() -> None:
            self._started.set()
            await serve(app, config, shutdown_trigger=self._stopping.wait)  # type: ignore[arg-type]

        def run() -> None:
            try:
                self.loop.run_until_complete(main())
            except BaseException as error:  # reported by stop()
                self._failure = error
            finally:
                self._started.set()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        self._started.wait(10)
        self._wait_listening()

    def _wait_listening(self) -> None:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                threading.Event().wait(0.02)
        raise RuntimeError(f"hypercorn did not start: {self._failure!r}")

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run *coroutine* on the server's loop; its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join(15)
        if not self._thread.is_alive():
            self.loop.close()
        assert not self._thread.is_alive(), "hypercorn did not stop"
        if self._failure is not None:
            raise self._failure
