"""Fixtures of the store tests: every backend against a real server.

PostgreSQL (``postgresql://postgres@127.0.0.1:5432/test``) and Redis (``127.0.0.1:6379``) must
be running: a missing server fails these tests, it never skips them. Each test gets its own
table prefix or key prefix, removed at its end, so runs never collide.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# The suite's shared settings (tests/_stores.py), also for the worker processes that import
# this module by path (store_worker.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _stores import POSTGRESQL_URL, REDIS_URL

from twhooks.store import MemoryStore, Store
from twhooks.store.redis import RedisStore
from twhooks.store.sql import SQLStore

BACKENDS = ["memory", "sqlite", "postgresql", "redis"]
SHARED_BACKENDS = ["sqlite", "postgresql", "redis"]


def store_spec(backend: str, tmp_path: Path) -> dict[str, str]:
    """What a child process needs to open the same store: see ``store_worker.py``."""
    run = uuid.uuid4().hex[:8]
    if backend == "sqlite":
        return {
            "backend": "sqlite",
            "url": f"sqlite:///{tmp_path / 'store.sqlite3'}",
            "prefix": "twhooks_",
        }
    if backend == "postgresql":
        return {"backend": "postgresql", "url": POSTGRESQL_URL, "prefix": f"t{run}_"}
    if backend == "redis":
        return {"backend": "redis", "url": REDIS_URL, "prefix": f"twhooks-test:{run}:"}
    return {"backend": "memory", "url": "memory://", "prefix": ""}


def open_spec(spec: dict[str, str]) -> Store:
    if spec["backend"] in ("sqlite", "postgresql"):
        return SQLStore(spec["url"], prefix=spec["prefix"])
    if spec["backend"] == "redis":
        return RedisStore(spec["url"], prefix=spec["prefix"])
    return MemoryStore()


def remove(store: Store) -> None:
    if isinstance(store, SQLStore):
        store.drop_tables()
    elif isinstance(store, RedisStore):
        store.delete_all()
        store.close()


@pytest.fixture
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A store spec for the backend the test is parametrized with (``backend``)."""
    spec = store_spec(request.param, tmp_path)
    yield spec
    remove(open_spec(spec))


@pytest.fixture(scope="session")
def postgresql_store() -> Iterator[SQLStore]:
    """One set of PostgreSQL tables for the session (creating them per test is slow)."""
    opened = SQLStore(POSTGRESQL_URL, prefix=f"t{uuid.uuid4().hex[:8]}_")
    opened.engine()
    yield opened
    opened.drop_tables()


def empty(store: SQLStore) -> None:
    with store.engine().begin() as conn:
        for table in store.tables.metadata.sorted_tables:
            if table is not store.tables.schema:
                conn.execute(table.delete())


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The same behavioural tests on every backend, each over a real connection."""
    if request.param == "postgresql":
        shared: SQLStore = request.getfixturevalue("postgresql_store")
        empty(shared)
        yield shared
        return
    opened = open_spec(store_spec(request.param, tmp_path))
    try:
        yield opened
    finally:
        remove(opened)
