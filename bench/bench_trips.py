"""Round trips to Redis per webhook on the request path: before the handler, and after it.

Goal (issue 24): on Redis, at most one round trip before the handler and one after; the
block-list check costs none while the list has not changed.

A Flask app on the Redis store answers signed SMS, each with a fresh
``I-Twilio-Idempotency-Token`` as Twilio sends, through ``app.test_client()``. The store's
client is the app's own, on a ``redis.Connection`` subclass that counts what it sends on the
request's thread (one send per round trip: a script or a pipeline is one; a new pooled
connection's handshake is not counted); the handler reads the count, so the trips before and
after it are told apart. The history's batches go from a thread of their own, counted apart.
``INFO commandstats`` gives the commands Redis ran per webhook (scripts count the commands
they run; other clients of the same server add theirs).
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from typing import Any

import redis
from flask import Flask

from twhooks import Blocklist, TwilioHooks, compute_signature
from twhooks.store.redis import RedisStore

REDIS_URL = "redis://127.0.0.1:6379/15"
TOKEN = "t" * 32
WEBHOOKS = 200


class CountingConnection(redis.Connection):
    """Counts its sends by thread name, not those of its handshake."""

    sends: dict[str, int] = {}
    lock = threading.Lock()
    connecting = False

    def on_connect(self) -> None:
        self.connecting = True
        try:
            super().on_connect()
        finally:
            self.connecting = False

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        if not self.connecting:
            name = threading.current_thread().name
            with CountingConnection.lock:
                CountingConnection.sends[name] = CountingConnection.sends.get(name, 0) + 1
        super().send_packed_command(command, check_health)


def _here() -> int:
    return CountingConnection.sends.get(threading.current_thread().name, 0)


def _commands(client: redis.Redis) -> dict[str, int]:
    stats = client.info("commandstats")
    return {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()}


def main() -> None:
    kwargs = redis.Redis.from_url(REDIS_URL).connection_pool.connection_kwargs
    pool = redis.ConnectionPool(connection_class=CountingConnection, **kwargs)
    client = redis.Redis(connection_pool=pool)
    store = RedisStore(client, prefix=f"bench-trips-{uuid.uuid4().hex[:8]}:")
    try:
        app = Flask(__name__)
        app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE=store)
        hooks = TwilioHooks(app)
        before: list[int] = []

        @hooks.message()
        def reply(msg: Any) -> str:
            before.append(_here())
            return "You said: " + msg.body

        with app.app_context():
            Blocklist(store).add("+15550009999")  # a block list that is not empty
        web = app.test_client()
        url = "http://localhost/twilio/messages"

        def send(sid: int) -> None:
            params = {
                "AccountSid": "AC" + "a" * 32,
                "MessageSid": f"SM{sid:032d}",
                "From": "+15550001111",
                "To": "+15550002222",
                "Body": "hi",
            }
            headers = {
                "X-Twilio-Signature": compute_signature(TOKEN, url, params),
                "I-Twilio-Idempotency-Token": uuid.uuid4().hex,
            }
            assert web.post("/twilio/messages", data=params, headers=headers).status_code == 200

        for sid in range(5):  # warm: the block list's copy loaded, scripts known
            send(sid)
        time.sleep(1.2)
        stats = redis.Redis.from_url(REDIS_URL)
        start_commands = _commands(stats)
        history_start = CountingConnection.sends.get("twhooks-history", 0)
        trips_before, trips_after = [], []
        for sid in range(100, 100 + WEBHOOKS):
            start = _here()
            send(sid)
            trips_before.append(before[-1] - start)
            trips_after.append(_here() - before[-1])
        store.flush_history()
        time.sleep(0.5)
        end_commands = _commands(stats)
        history = CountingConnection.sends.get("twhooks-history", 0) - history_start
        print(f"Redis store, {WEBHOOKS} signed SMS with fresh idempotency tokens (app.test_client)")
        print(f"{'round trips per webhook':<44}{'mean':>8}{'max':>6}")
        print(
            f"{'  before the handler (goal <= 1)':<44}"
            f"{statistics.mean(trips_before):>8.2f}{max(trips_before):>6}"
        )
        print(
            f"{'  after the handler (goal <= 1)':<44}"
            f"{statistics.mean(trips_after):>8.2f}{max(trips_after):>6}"
        )
        print(f"{'  history batches, off the request path':<44}{history / WEBHOOKS:>8.2f}")
        met = max(trips_before) <= 1 and max(trips_after) <= 1
        print(f"goal: at most 1 before and 1 after: {'met' if met else 'NOT met'}")
        ran = {
            name: (end_commands.get(name, 0) - start_commands.get(name, 0)) / WEBHOOKS
            for name in end_commands
            if name not in ("info",) and end_commands.get(name, 0) != start_commands.get(name, 0)
        }
        shown = ", ".join(f"{name} {count:.2f}" for name, count in sorted(ran.items()))
        print(f"commands Redis ran per webhook (INFO commandstats, all clients): {shown}")
        stats.close()
    finally:
        store.delete_all()
        store.close()
        pool.disconnect()


if __name__ == "__main__":
    main()
