"""Turn the ``TWHOOKS_STORE`` setting into a store."""

from __future__ import annotations

import os
from typing import Any, cast

from ..exceptions import ConfigurationError
from ..extras import require
from .base import Store, has_store_methods
from .memory import MemoryStore

__all__ = ["DEFAULT_SQLITE_FILE", "open_store"]

#: The SQLite file in the instance folder when ``TWHOOKS_STORE`` is not set.
DEFAULT_SQLITE_FILE = "twhooks.sqlite3"

_SETTING = "TWHOOKS_STORE"


def open_store(value: Any, *, instance_path: str | os.PathLike[str]) -> Store:
    """The store ``TWHOOKS_STORE`` names.

    :param value: ``None`` — an SQLite file ``twhooks.sqlite3`` in *instance_path* (created if
        missing), on the standard library's :mod:`sqlite3`
        (:class:`~twhooks.store.sqlite.SQLiteStore`, as ``sqlite:///path`` is); a URL —
        ``memory://``, ``sqlite:///path``, ``postgresql://…``, ``redis://host:port/db``
        (also ``rediss://``, ``unix://``); an object — a SQLAlchemy
        :class:`~sqlalchemy.engine.Engine`, a :class:`redis.Redis` client, or anything with
        the methods of :class:`~twhooks.store.Store`.
    :param instance_path: the app's instance folder (``app.instance_path``).
    :raises ~twhooks.ConfigurationError: for anything else, naming the setting.
    """
    if value is None:
        try:
            os.makedirs(instance_path, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(
                f"{_SETTING} is not set and the instance folder {os.fspath(instance_path)!r} "
                f"cannot be created for its SQLite file: {exc.strerror}"
            ) from exc
        return _sqlite(os.path.join(os.fspath(instance_path), DEFAULT_SQLITE_FILE))
    if isinstance(value, str):
        return _from_url(value)
    if has_store_methods(value):  # a store of its own may leave out ``blocking``
        return cast(Store, value)
    kind = type(value)
    if kind.__module__.startswith("sqlalchemy") and hasattr(value, "dialect"):
        return _sql(value, f"{_SETTING} (a SQLAlchemy Engine)")
    if kind.__module__.startswith("redis") and (
        hasattr(value, "connection_pool") or hasattr(value, "nodes_manager")
    ):
        return _redis(value)
    raise ConfigurationError(
        f"{_SETTING} must be None, a URL, a SQLAlchemy Engine, a redis.Redis client or a "
        f"twhooks Store, not a {kind.__name__}"
    )


def _from_url(url: str) -> Store:
    scheme = url.partition(":")[0].lower()
    if url == "memory://":
        return MemoryStore()
    if scheme in ("sqlite", "postgresql", "postgres") or scheme.startswith(
        ("sqlite+", "postgresql+")
    ):
        what = f"{_SETTING}={scheme}://…"
        if scheme in ("postgresql", "postgres"):
            # psycopg 3, the driver of the twhooks[postgres] extra.
            url = "postgresql+psycopg:" + url.partition(":")[2]
            require("postgres", what, "sqlalchemy", "psycopg")
        if scheme.startswith("sqlite") and (
            url.rstrip("/").endswith(":") or url.endswith(":memory:")
        ):
            raise ConfigurationError(
                f"{_SETTING}: an in-memory SQLite database is not shared by workers; "
                f"use 'memory://' or a file, 'sqlite:////absolute/path.sqlite3'"
            )
        if scheme == "sqlite" and url.startswith("sqlite:///") and "?" not in url:
            return _sqlite(url.removeprefix("sqlite:///"))
        return _sql(url, what)
    if scheme in ("redis", "rediss", "unix") or scheme.startswith(("redis+", "rediss+")):
        return _redis(url)
    shown = url.split("@")[-1] if "@" in url else url
    raise ConfigurationError(
        f"{_SETTING}: unknown URL {shown!r}; use memory://, sqlite:///path, postgresql://… "
        f"redis://host:port/db, redis+sentinel://host:port,…/service or "
        f"redis+cluster://host:port,…"
    )


def _sqlite(path: str) -> Store:
    """The SQLite store on the standard library (no SQLAlchemy): the default, and
    ``sqlite:///path`` (a URL with a driver, ``sqlite+pysqlite://``, or a query string goes
    to the SQLAlchemy store)."""
    from .sqlite import SQLiteStore

    return SQLiteStore(path)


def _sql(bind: Any, what: str) -> Store:
    """The SQLAlchemy store on *bind* (a URL or an Engine), which *what* names."""
    require("sql", what, "sqlalchemy")
    from sqlalchemy.exc import ArgumentError

    from .sql import SQLStore

    try:
        return SQLStore(bind)
    except (ArgumentError, ValueError) as exc:  # not shown: the URL may hold a password
        raise ConfigurationError(f"{_SETTING} is not a valid database URL") from exc


def _redis(client: Any) -> Store:
    require("redis", f"{_SETTING} (Redis)", "redis")
    from .redis import RedisStore

    try:
        return RedisStore(client)
    except ValueError as exc:  # a malformed URL
        raise ConfigurationError(f"{_SETTING}: {exc}") from exc
