"""The shared stores of the tests' server apps: each test names its own (a key prefix in
Redis, a table prefix in SQL) and removes only what it created — never a whole database,
which other work on the machine shares. URLs come from the environment, today's servers by
default."""

from __future__ import annotations

import os
import uuid
from typing import Any

from twhooks.store import Store

REDIS_URL = os.environ.get("TWHOOKS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
POSTGRESQL_URL = os.environ.get(
    "TWHOOKS_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def new_prefix(name: str = "t") -> str:
    """A prefix for one test's store."""
    return f"{name}{uuid.uuid4().hex[:8]}_"


def named_store(url: str, prefix: str) -> Store:
    """The store at *url*, its keys or tables under *prefix* (``sqlite:///path``: the default
    SQLite store, on the standard library, as ``TWHOOKS_STORE`` opens it)."""
    if url.startswith("sqlite:///"):
        from twhooks.store.sqlite import SQLiteStore

        return SQLiteStore(url.removeprefix("sqlite:///"), prefix=prefix)
    if url.startswith("redis"):
        from twhooks.store.redis import RedisStore

        return RedisStore(url, prefix=prefix)
    from twhooks.store.sql import SQLStore

    return SQLStore(url, prefix=prefix)


def remove(url: str, prefix: str) -> None:
    """Delete what the store at *url* under *prefix* holds (and nothing else)."""
    store: Any = named_store(url, prefix)
    if url.startswith("redis"):
        store.delete_all()
        store.close()
    else:
        store.drop_tables()


def store_from_env() -> Any:
    """``TWHOOKS_STORE`` for a server app: ``TEST_STORE``, under ``TEST_PREFIX`` if given."""
    url, prefix = os.environ["TEST_STORE"], os.environ.get("TEST_PREFIX")
    return named_store(url, prefix) if prefix else url
