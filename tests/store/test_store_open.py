"""open_store: every form of TWHOOKS_STORE, and the backends' own guarantees."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from conftest import POSTGRESQL_URL, REDIS_URL

from twhooks import ConfigurationError
from twhooks.replies import Reply
from twhooks.store import Deliveries, MemoryStore, Store, StoreUnavailable, open_store
from twhooks.store.base import blocks
from twhooks.store.redis import RedisStore
from twhooks.store.sql import SQLStore
from twhooks.store.sql_schema import SCHEMA_VERSION
from twhooks.store.sqlite import SQLiteStore
from twhooks.store.sqlite_connections import AUTOCHECKPOINT_BYTES, PAGE_SIZE


def test_unset_means_an_sqlite_file_in_the_instance_folder(tmp_path: Path) -> None:
    instance = tmp_path / "instance" / "nested"
    store = open_store(None, instance_path=instance)
    try:
        assert isinstance(store, SQLiteStore)  # the standard library's sqlite3
        assert store.claim("k", "a", 5) is True
        path = instance / "twhooks.sqlite3"
        assert path.is_file()
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            assert db.execute("SELECT version FROM twhooks_schema").fetchone() == (SCHEMA_VERSION,)
    finally:
        store.close()


def test_a_new_file_has_small_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    """New files get PAGE_SIZE pages (fewer WAL bytes a write); a file made with SQLite's
    4 KiB pages keeps them (WAL mode cannot change them) and works the same; the automatic
    checkpoint is set in bytes, whatever the pages."""
    new = SQLiteStore(tmp_path / "new.sqlite3")
    old_path = tmp_path / "old.sqlite3"
    with sqlite3.connect(old_path) as db:
        db.execute("PRAGMA page_size = 4096")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE app_table (a)")  # an app's file, made before twhooks'
    old = SQLiteStore(old_path)
    try:
        for store, page_size in ((new, PAGE_SIZE), (old, 4096)):
            conn = store.connection()
            assert conn.execute("PRAGMA page_size").fetchone() == (page_size,)
            assert conn.execute("PRAGMA wal_autocheckpoint").fetchone() == (
                AUTOCHECKPOINT_BYTES // page_size,
            )
            assert store.claim("k", "a", 5) is True
            store.finish("k", "a", Reply(200, [("Content-Type", "text/xml")], b"x" * 5000), 30)
            reply = store.claim("k", "b", 5)
            assert isinstance(reply, Reply) and reply.body == b"x" * 5000
        assert PAGE_SIZE < 4096
    finally:
        new.close()
        old.close()


def test_an_instance_folder_that_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigurationError, match="TWHOOKS_STORE"):
        open_store(None, instance_path=blocker / "instance")


def test_sqlite_connections_get_their_pragmas(tmp_path: Path) -> None:
    store = SQLStore(f"sqlite:///{tmp_path / 's.db'}")
    try:
        with store.engine().connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            # Checkpoints run in the background; a commit does one only past this bound.
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10000
        # A connection the store held for its hot writes, given back, is as the pool gave it.
        Deliveries(store).record("SM1", "sent")
        assert len(store._idle) == 1
        held = store._idle.pop()
        dbapi = held.dbapi_connection
        assert dbapi.execute("PRAGMA busy_timeout").fetchone() == (0,)  # its own wait loop
        store._give_back(held, broken=True)
        assert dbapi.execute("PRAGMA busy_timeout").fetchone() == (5000,)
        assert dbapi.isolation_level == ""  # the driver's default, as the pool had it
    finally:
        store.close()


@pytest.mark.parametrize("url", ["sqlite:///{tmp}/app.db", "sqlite://"])
def test_an_engine_of_the_apps_own_keeps_its_settings(tmp_path: Path, url: str) -> None:
    # In memory, SQLite's pool hands the app the very connection the store writes on.
    engine = sa.create_engine(url.format(tmp=tmp_path))
    store = SQLStore(engine)
    try:
        deliveries = Deliveries(store)
        for n in range(3):
            deliveries.record(f"SM{n}", "sent")
        assert store._idle == []  # nothing of the app's pool held between writes
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            assert conn.connection.dbapi_connection.isolation_level == ""  # type: ignore[union-attr]
            # The app's own transactions are still transactions.
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS app (n INTEGER)")
            conn.exec_driver_sql("INSERT INTO app VALUES (1)")
            conn.rollback()
            assert conn.exec_driver_sql("SELECT count(*) FROM app").scalar() == 0
    finally:
        store.close()
        engine.dispose()


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("memory://", MemoryStore),
        (POSTGRESQL_URL, SQLStore),
        ("postgresql://postgres@127.0.0.1:5432/test", SQLStore),
        (REDIS_URL, RedisStore),
    ],
)
def test_urls(value: str, kind: type, tmp_path: Path) -> None:
    store = open_store(value, instance_path=tmp_path)
    assert isinstance(store, kind)
    assert isinstance(store, Store)
    store.close()


@pytest.mark.parametrize(
    ("value", "blocking"),
    [("memory://", False), (POSTGRESQL_URL, True), (REDIS_URL, True)],
)
def test_each_store_says_whether_it_blocks(value: str, blocking: bool, tmp_path: Path) -> None:
    store = open_store(value, instance_path=tmp_path)
    assert store.blocking is blocking
    assert blocks(store) is blocking
    store.close()


class _OwnStore:
    """A store of the app's own, by delegation, that does not say whether it blocks."""

    def __init__(self) -> None:
        self._inner = MemoryStore()

    def __getattr__(self, name: str) -> Any:
        if name == "blocking":
            raise AttributeError(name)
        return getattr(self._inner, name)


def test_a_store_of_its_own_without_blocking_is_taken_to_block(tmp_path: Path) -> None:
    own = _OwnStore()
    assert open_store(own, instance_path=tmp_path) is own
    assert blocks(own) is True


def test_a_plain_postgresql_url_uses_psycopg_3(tmp_path: Path) -> None:
    store = open_store("postgres://postgres@127.0.0.1:5432/test", instance_path=tmp_path)
    assert isinstance(store, SQLStore)
    assert store.url.drivername == "postgresql+psycopg"


def test_an_sqlite_url(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'x.sqlite3'}", instance_path=tmp_path / "unused")
    assert isinstance(store, SQLiteStore)
    assert store.claim("k", "a", 1) is True
    assert (tmp_path / "x.sqlite3").is_file()
    assert not (tmp_path / "unused").exists()
    store.close()


def test_each_sql_store_knows_its_own_drivers_errors(tmp_path: Path) -> None:
    import psycopg

    lite = open_store(f"sqlite+pysqlite:///{tmp_path / 'x.sqlite3'}", instance_path=tmp_path)
    pg = open_store(POSTGRESQL_URL, instance_path=tmp_path)
    assert isinstance(lite, SQLStore) and isinstance(pg, SQLStore)
    key = f"errors-{uuid.uuid4()}"  # the PostgreSQL tables are shared with other tests
    assert pg.claim(key, "a", 1) is True and lite.claim(key, "a", 1) is True
    assert psycopg.Error in pg.dbapi_errors
    assert not any(issubclass(psycopg.Error, error) for error in lite.dbapi_errors)
    pg.close()
    lite.close()


def test_an_app_engine_is_shared(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    store = open_store(engine, instance_path=tmp_path)
    assert isinstance(store, SQLStore)
    assert store.claim("k", "a", 5) is True
    assert sa.inspect(engine).has_table("twhooks_claims")
    store.close()
    engine.dispose()


def test_a_redis_client(tmp_path: Path) -> None:
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    store = open_store(client, instance_path=tmp_path)
    assert isinstance(store, RedisStore)
    assert isinstance(store, RedisStore) and store.client is client
    store = RedisStore(client, prefix="twhooks-test:decoded:")
    try:
        from twhooks.replies import Reply

        reply = Reply(200, [("Set-Cookie", "a=1")], b"\xff\x00binary")
        assert store.claim("k", "a", 5) is True
        store.finish("k", "a", reply, 5)
        assert store.wait("k", 1) == reply
    finally:
        store.delete_all()
        client.close()


def test_a_store_of_your_own(tmp_path: Path) -> None:
    mine = MemoryStore()
    assert open_store(mine, instance_path=tmp_path) is mine


@pytest.mark.parametrize(
    "value",
    [
        "mysql://localhost/db",
        "nonsense",
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql+nodriver://x/y",
        "redis://:pw@host:notaport/0",
        42,
        object(),
        {"url": "memory://"},
    ],
    ids=repr,
)
def test_bad_values_name_the_setting(value: Any, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="TWHOOKS_STORE") as caught:
        open_store(value, instance_path=tmp_path)
    assert "pw" not in str(caught.value)


def test_a_password_never_shows(tmp_path: Path) -> None:
    store = open_store("postgresql://user:s3cret@127.0.0.1:1/test", instance_path=tmp_path)
    assert "s3cret" not in repr(store)
    with pytest.raises(ConfigurationError) as caught:
        open_store("postgresql://user:s3cret@[::1/x", instance_path=tmp_path)
    assert "s3cret" not in str(caught.value)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_postgresql_server_that_is_down_is_a_store_error(tmp_path: Path) -> None:
    store = open_store(
        f"postgresql://postgres@127.0.0.1:{closed_port()}/test", instance_path=tmp_path
    )
    with pytest.raises(StoreUnavailable, match="the SQL store failed"):
        store.claim("k", "a", 5)


def test_a_redis_server_that_is_down_is_a_store_error(tmp_path: Path) -> None:
    store = open_store(f"redis://127.0.0.1:{closed_port()}/0", instance_path=tmp_path)
    with pytest.raises(StoreUnavailable, match="the Redis store failed"):
        store.claim("k", "a", 5)
    with pytest.raises(StoreUnavailable):
        store.load_conversation("k")


def test_tables_of_a_newer_twhooks_are_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    SQLStore(url).engine()
    with sqlite3.connect(tmp_path / "n.db") as db:
        db.execute("UPDATE twhooks_schema SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(ConfigurationError, match="newer twhooks"):
        SQLStore(url).claim("k", "a", 1)


def test_expired_rows_are_swept(tmp_path: Path) -> None:
    store = SQLStore(f"sqlite:///{tmp_path / 's.db'}")
    store.save_conversation("old", "s", {}, 0, -1)
    store.save_conversation("new", "s", {}, 0, 60)
    store.record_message_status(
        "SMold", "sent", error_code=None, to=None, from_=None, at=time.time(), ttl=-1
    )
    store.record_message_status(
        "SMnew", "sent", error_code=None, to=None, from_=None, at=time.time(), ttl=60
    )
    store.sweep()
    t = store.tables
    with store.engine().connect() as conn:
        keys = conn.execute(sa.select(t.conversations.c.key)).scalars().all()
        messages = conn.execute(sa.select(t.messages.c.sid)).scalars().all()
        statuses = conn.execute(sa.select(t.message_statuses.c.sid)).scalars().all()
    assert (keys, messages, statuses) == (["new"], ["SMnew"], ["SMnew"])
    store.close()


def test_a_message_that_came_back_after_it_expired_is_swept_whole(tmp_path: Path) -> None:
    store = SQLStore(f"sqlite:///{tmp_path / 's.db'}")
    t, now = store.tables, time.time()

    def record(status: str, ttl: float) -> None:
        store.record_message_status(
            "SM1", status, error_code=None, to=None, from_=None, at=time.time(), ttl=ttl
        )

    def statuses() -> list[tuple[str, int]]:
        with store.engine().connect() as conn:
            rows = conn.execute(
                sa.select(t.message_statuses.c.status, t.message_statuses.c.generation)
            )
            return sorted((r.status, r.generation) for r in rows)

    record("sent", -1)  # expired at once
    record("queued", 60)  # the SID comes back: a new generation
    found = store.get_message("SM1")
    assert found is not None and [c.status for c in found.history] == ["queued"]
    store.sweep()  # it lives: the earlier generation's status is kept, never read
    assert statuses() == [("queued", 1), ("sent", 0)]
    with store.engine().begin() as conn:
        conn.execute(t.messages.update().values(expires_at=now - 1))
    store.sweep()  # expired: every status of every generation goes with it
    assert statuses() == []
    store.close()


def test_every_redis_key_expires_but_opt_outs_blocks_and_the_capped_history(
    tmp_path: Path,
) -> None:
    from twhooks.store import Blocklist, Calls, Conversations, Deliveries, History, OptOuts
    from twhooks.store.records import HistoryRecord

    store = RedisStore(REDIS_URL, prefix="twhooks-test:ttl:")
    try:
        store.delete_all()
        store.claim("k1", "a", 5)
        store.claim("k2", "a", 5)
        store.finish("k2", "a", None, 5)
        store.claim("k3", "a", 5)
        from twhooks.replies import Reply

        store.finish("k3", "a", Reply(200, [], b""), 60)
        Conversations(store).save("c", "s", {}, 0)
        Deliveries(store).record("SM1", "sent", to="+1")
        Deliveries(store).track("SM2", to="+1")
        Calls(store).record("call_status", {"CallSid": "CA1", "CallStatus": "ringing"})
        OptOuts(store).opt_out("+1")
        Blocklist(store).add("+2")
        History(store).record(HistoryRecord("message", "POST", "/", {}, True, "valid", 200))
        store.add_to_counter("inspector-login:10.0.0.1", 1, 60)
        without_ttl = {
            key.decode()
            for key in store.client.scan_iter(match="twhooks-test:ttl:*")
            if store.client.pttl(key) < 0
        }
        assert without_ttl == {
            "twhooks-test:ttl:optout:+1",
            "twhooks-test:ttl:optouts",
            "twhooks-test:ttl:blocks",
            "twhooks-test:ttl:block-version",
            "twhooks-test:ttl:history",
            "twhooks-test:ttl:history-id",
            "twhooks-test:ttl:history-kind:message",  # capped with the history
        }
    finally:
        store.delete_all()
        store.close()


@pytest.mark.parametrize("opener", ["sql", "sqlite"])
def test_a_store_opens_a_new_file_while_another_worker_writes_to_it(
    tmp_path: Path, opener: str
) -> None:
    """Two workers starting on a new file: one writes (creating its tables) while the other
    switches the file to WAL, which SQLite refuses at once with "database is locked", without
    its busy handler; the second waits for the first instead of failing its first webhook."""
    path = tmp_path / "new.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE someone_elses (x)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO someone_elses VALUES (1)")
    timer = threading.Timer(0.2, lambda: other.execute("COMMIT"))
    timer.start()
    try:
        store: Store = (
            SQLStore(f"sqlite+pysqlite:///{path}") if opener == "sql" else SQLiteStore(path)
        )
        try:
            assert store.claim("K", "owner", 30) is True
        finally:
            store.close()
    finally:
        timer.join()
        other.close()
