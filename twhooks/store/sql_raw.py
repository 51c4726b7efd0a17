"""The SQL store's hottest statements, compiled once per dialect and run on a DBAPI cursor.

A status callback writes one or two rows; on SQLite, SQLAlchemy's per-execution work (building
the parameters, the execution context, the result) costs several times what SQLite itself does.
These statements are built with SQLAlchemy Core like every other (so one definition serves
SQLite and PostgreSQL), compiled by the engine's dialect once, and then run with the driver's
own ``cursor.execute`` — the SQL string and parameters SQLAlchemy would have sent, without the
machinery around them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.compiler import SQLCompiler

__all__ = ["Compiled"]


class Compiled:
    """One statement compiled for one dialect.

    :param statement: a Core statement whose parameters are ``bindparam``\\ s.
    :param dialect: the engine's dialect (its parameter style, its casts).
    """

    def __init__(self, statement: sa.ClauseElement, dialect: sa.Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql: str = compiled.string
        binds = compiled.binds
        #: The values of the literals SQLAlchemy bound by itself (``-1``, ``'{}'`` …).
        self._fixed = {name: b.value for name, b in binds.items() if not b.required}
        self._convert: dict[str, Callable[[Any], Any]] = {}
        for name, b in binds.items():
            processor = b.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self._convert[name] = processor
        if self._convert:
            self._fixed = {
                k: self._convert[k](v) if k in self._convert else v for k, v in self._fixed.items()
            }
        positions = compiled.positiontup
        self._positions: tuple[str, ...] | None = None if positions is None else tuple(positions)

    def params(self, values: Mapping[str, Any]) -> Any:
        """The driver's parameters (a sequence or a mapping, by its style) for *values*."""
        if self._convert:
            values = {
                k: self._convert[k](v) if k in self._convert else v for k, v in values.items()
            }
        merged = {**self._fixed, **values}
        if self._positions is None:
            return merged
        return [merged[name] for name in self._positions]

    def run(self, cursor: Any, values: Mapping[str, Any]) -> Any:
        """Execute on a DBAPI *cursor*; returns the cursor."""
        cursor.execute(self.sql, self.params(values))
        return cursor
