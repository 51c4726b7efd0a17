"""Recording a message status callback: each store backend, the memory store, and the
hand-written alternative a user would write, side by side in one run.

For each backend — SQLite (a file in a temporary folder), PostgreSQL
(``postgresql://postgres@127.0.0.1:5432/test``) and Redis (``127.0.0.1:6379/15``) — it times
one status callback (a signed form of 7 fields) handled by:

* ``twhooks``: :class:`twhooks.SignatureVerifier` checks the signature, then
  :meth:`twhooks.store.Deliveries.record` records it — the furthest status wins atomically,
  each status once in the message's history, the previous status returned;
* ``hand-written``: what issue 10 calls the alternative an app writes by hand: the official
  SDK's ``RequestValidator.validate`` on the form (a werkzeug ``MultiDict``, as Flask's
  ``request.form``), then a SQLAlchemy ``INSERT … ON CONFLICT (sid) DO UPDATE SET status = …`` in
  its own transaction (the last callback wins, no history), or redis-py ``HSET msg:<sid> …``;
* ``memory``: the twhooks side with :class:`~twhooks.store.MemoryStore` (nothing leaves the
  process).

The same durability on both sides: the hand-written SQLite engine gets the pragmas the SQL
store sets — WAL and ``synchronous=NORMAL`` (without them SQLite's default rollback journal
fsyncs every commit, a durability the store does not claim, and ten times the cost); PostgreSQL
and Redis are the same servers with their own settings for both.

``store only`` gives the same without the signature check on either side: the store's write
alone against the hand-written statement alone.

Every callback goes to a new (sid, status): three statuses per message (queued, delivered,
sent — the last one out of order). Figures are the best of several rounds in µs per callback,
the sides timed in alternation; ``vs hand`` is twhooks / hand-written and ``vs memory``
twhooks / memory (lower is better for twhooks). Needs both servers running.

``redis floor`` is what no Redis store can go below: twhooks' signature check plus one ``PING``
answered on a connection held between calls (one round trip, no work on the server), against
the hand-written callback; and Redis's own time per call (``INFO commandstats``) of the store's
script (the ordering, the history field, the index and the TTLs) and of the hand-written
``HSET``.
"""

from __future__ import annotations

import itertools
import tempfile
import time
import timeit
import uuid
from collections.abc import Callable
from pathlib import Path

import redis
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from twhooks import SignatureVerifier, compute_signature
from twhooks.store import Deliveries, MemoryStore, Store
from twhooks.store.redis import RedisStore
from twhooks.store.sql import SQLStore

POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/15"
STATUSES = ("queued", "delivered", "sent")
TOKEN = "0123456789abcdef0123456789abcdef"
URL = "https://example.com/twilio/messages/status"
FORM = [
    ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
    ("ApiVersion", "2010-04-01"),
    ("From", "+14155550199"),
    ("MessageSid", "SM0123456789abcdef0123456789abcdef"),
    ("MessageStatus", "delivered"),
    ("SmsSid", "SM0123456789abcdef0123456789abcdef"),
    ("To", "+14155550100"),
]
SIGNATURE = compute_signature(TOKEN, URL, FORM)


def twhooks_verify() -> Callable[[], object]:
    verifier = SignatureVerifier(TOKEN)
    return lambda: verifier.verify(URL, FORM, SIGNATURE)


def sdk_verify() -> Callable[[], object]:
    validator, form = RequestValidator(TOKEN), MultiDict(FORM)

    def verify() -> object:
        if not validator.validate(URL, form, SIGNATURE):
            raise AssertionError("the SDK refused the signature")
        return True

    return verify


def checked(verify: Callable[[], object], record: Callable[[], object]) -> Callable[[], object]:
    """A whole callback: the signature, then the record."""

    def callback() -> object:
        verify()
        return record()

    return callback


def callbacks() -> Callable[[], tuple[str, str]]:
    """A new (sid, status) at each call: three statuses per message."""
    run = uuid.uuid4().hex[:10]
    counter = itertools.count()

    def next_callback() -> tuple[str, str]:
        n = next(counter)
        return f"SM{run}{n // 3:022d}", STATUSES[n % 3]

    return next_callback


def twhooks_side(store: Store) -> Callable[[], object]:
    deliveries = Deliveries(store)
    next_callback = callbacks()

    def record() -> object:
        sid, status = next_callback()
        return deliveries.record(sid, status, to="+14155550100", from_="+14155550199")

    return record


def hand_sql(engine: sa.Engine) -> Callable[[], object]:
    metadata = sa.MetaData()
    table = sa.Table(
        f"bench_messages_{uuid.uuid4().hex[:8]}",
        metadata,
        sa.Column("sid", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("to", sa.String(64)),
        sa.Column("from_", sa.String(64)),
        sa.Column("updated_at", sa.Double, nullable=False),
    )
    if engine.dialect.name == "sqlite":
        # The same durability as the SQL store's (see the module's docstring).
        sa.event.listen(engine, "connect", _wal)
    metadata.create_all(engine)
    insert = sqlite.insert if engine.dialect.name == "sqlite" else postgresql.insert
    next_callback = callbacks()

    def record() -> object:
        sid, status = next_callback()
        stmt = insert(table).values(
            sid=sid, status=status, to="+14155550100", from_="+14155550199", updated_at=time.time()
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.sid],
            set_={"status": stmt.excluded.status, "updated_at": stmt.excluded.updated_at},
        )
        with engine.begin() as conn:
            return conn.execute(stmt)

    record.cleanup = lambda: metadata.drop_all(engine)  # type: ignore[attr-defined]
    return record


def _wal(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def hand_redis(client: redis.Redis) -> Callable[[], object]:
    next_callback = callbacks()
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"

    def record() -> object:
        sid, status = next_callback()
        return client.hset(
            prefix + sid,
            mapping={
                "status": status,
                "to": "+14155550100",
                "from": "+14155550199",
                "updated_at": time.time(),
            },
        )

    def cleanup() -> None:
        for key in client.scan_iter(match=prefix + "*", count=1000):
            client.delete(key)

    record.cleanup = cleanup  # type: ignore[attr-defined]
    return record


def round_trip(client: redis.Redis) -> Callable[[], object]:
    """One ``PING`` on a connection held between calls: the least that any write waiting for
    Redis's answer pays (the store's scripts run on such connections)."""
    conn = client.connection_pool.get_connection()

    def ping() -> object:
        conn.send_command("PING")
        return conn.read_response()

    ping.cleanup = lambda: client.connection_pool.release(conn)  # type: ignore[attr-defined]
    return ping


Stats = dict[str, tuple[int, int]]


def server_usec(client: redis.Redis) -> Stats:
    """``(calls, µs)`` of each command in Redis's own statistics (``INFO commandstats``)."""
    stats = client.info("commandstats")
    return {name[8:]: (int(v["calls"]), int(v["usec"])) for name, v in stats.items()}


def per_call(before: Stats, after: Stats, name: str) -> float:
    """µs per call of the command *name* between two readings of :func:`server_usec`."""
    calls = after.get(name, (0, 0))[0] - before.get(name, (0, 0))[0]
    usec = after.get(name, (0, 0))[1] - before.get(name, (0, 0))[1]
    return usec / calls if calls else float("nan")


def best(fn: Callable[[], object], number: int) -> float:
    return timeit.timeit(fn, number=number) / number * 1e6


def main(rounds: int = 5, number: int = 200) -> None:
    folder = Path(tempfile.mkdtemp(prefix="twhooks-bench-"))
    memory = twhooks_side(MemoryStore(claims=10))
    sqlite_store = SQLStore(f"sqlite:///{folder / 'store.sqlite3'}", prefix="bench_")
    pg_store = SQLStore(POSTGRESQL_URL, prefix=f"bench{uuid.uuid4().hex[:6]}_")
    redis_store = RedisStore(REDIS_URL, prefix=f"twhooks-bench:{uuid.uuid4().hex[:8]}:")
    sqlite_engine = sa.create_engine(f"sqlite:///{folder / 'hand.sqlite3'}")
    pg_engine = sa.create_engine(POSTGRESQL_URL)
    client = redis.Redis.from_url(REDIS_URL)
    backends = [
        ("sqlite", twhooks_side(sqlite_store), hand_sql(sqlite_engine)),
        ("postgresql", twhooks_side(pg_store), hand_sql(pg_engine)),
        ("redis", twhooks_side(redis_store), hand_redis(client)),
    ]
    ours_verify, hand_verify = twhooks_verify(), sdk_verify()
    memory_callback = checked(ours_verify, memory)
    ping = round_trip(client)
    try:
        print(
            f"{'':12}{'── a signed status callback ──':^53}{'── store only ──':^30}\n"
            f"{'backend':<12}{'twhooks µs':>11}{'hand µs':>9}{'memory µs':>11}"
            f"{'vs hand':>9}{'vs memory':>11}  {'twhooks µs':>11}{'hand µs':>9}{'vs hand':>9}"
        )
        floor = ""
        for name, ours, hand in backends:
            ours(), hand(), memory()  # connect, create tables
            contenders = {
                "ours": checked(ours_verify, ours),
                "hand": checked(hand_verify, hand),
                "memory": memory_callback,
                "ours alone": ours,
                "hand alone": hand,
            }
            if name == "redis":
                contenders["floor"] = checked(ours_verify, ping)
                before = server_usec(client)
            t = dict.fromkeys(contenders, float("inf"))
            for _ in range(rounds):
                for key, fn in contenders.items():
                    t[key] = min(t[key], best(fn, number))
            if name == "redis":
                after = server_usec(client)
                floor = (
                    f"redis floor: twhooks' check + one PING on a held connection = "
                    f"{t['floor']:.1f} µs, {t['floor'] / t['hand']:.2f}x the hand-written "
                    f"callback; Redis's own time per call: the store's script "
                    f"{per_call(before, after, 'evalsha'):.1f} µs, the hand-written HSET "
                    f"{per_call(before, after, 'hset'):.1f} µs"
                )
            print(
                f"{name:<12}{t['ours']:>11.1f}{t['hand']:>9.1f}{t['memory']:>11.1f}"
                f"{t['ours'] / t['hand']:>8.2f}x{t['ours'] / t['memory']:>10.0f}x"
                f"  {t['ours alone']:>11.1f}{t['hand alone']:>9.1f}"
                f"{t['ours alone'] / t['hand alone']:>8.2f}x"
            )
        print(floor)
    finally:
        ping.cleanup()  # type: ignore[attr-defined]
        for _, _, hand in backends:
            hand.cleanup()  # type: ignore[attr-defined]
        sqlite_store.drop_tables()
        pg_store.drop_tables()
        redis_store.delete_all()
        redis_store.close()
        sqlite_engine.dispose()
        pg_engine.dispose()
        client.close()


if __name__ == "__main__":
    main()
