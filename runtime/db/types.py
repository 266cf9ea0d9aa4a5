"""Column types that differ by database: record JSON (JSONB or TEXT) and UTC timestamps."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from runtime.crypto.fields import unsealed


def dumps(value: Any) -> str:
    """JSON text with Chinese kept readable; Decimals never reach here (fields store strings)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in JSON")


class _JsonIn(FunctionElement[Any]):
    inherit_cache = True


class _JsonOut(FunctionElement[Any]):
    inherit_cache = True


def uses_sqlite_jsonb(dialect: Any) -> bool:
    """Set on the dialect of an engine by storage.db when SQLite stores records as JSONB."""
    return bool(getattr(dialect, "tangram_jsonb", False))


@compiles(_JsonIn)
def _json_in(element: Any, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(element.clauses, **kw)
    return f"jsonb({arg})" if uses_sqlite_jsonb(compiler.dialect) else arg


@compiles(_JsonOut)
def _json_out(element: Any, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(element.clauses, **kw)
    return f"json({arg})" if uses_sqlite_jsonb(compiler.dialect) else arg


class RecordJSON(TypeDecorator[Any]):
    """JSONB on PostgreSQL; on SQLite a BLOB made by jsonb() when the dialect says so, else TEXT JSON."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB(none_as_null=True))
        return dialect.type_descriptor(Text())

    def bind_expression(self, bindvalue: Any) -> Any:
        return _JsonIn(bindvalue)

    def column_expression(self, column: Any) -> Any:
        out = _JsonOut(column)
        out.type = self  # so the result still passes through process_result_value
        return out

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        return dumps(value)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return value
        # Record data with encrypted fields comes back decrypted (runtime/crypto/fields.py).
        return unsealed(value if dialect.name == "postgresql" else json.loads(value))


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are aware UTC datetimes in Python; SQLite keeps them as naive UTC text."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else _as_utc(value)

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        """On SQLite, the stored text straight to an aware datetime: a list page reads three
        timestamps a record, and SQLAlchemy's chain (its parser, then the decorator) took 1.43 µs a
        value against 1.00 µs, about 5 % of a 50-record page (bench/records.py, list alone). The text
        is read with "+00:00" appended, which gives the aware value at once: `replace(tzinfo=UTC)` on
        the parsed value cost 0.8 of the 0.9 µs a value then took (timeit)."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        parse = datetime.fromisoformat

        def process(value: Any) -> datetime | None:
            if value is None:
                return None
            if isinstance(value, str):
                try:
                    return parse(value + "+00:00")
                except ValueError:  # text with an offset of its own
                    return _as_utc(parse(value))
            return _as_utc(value)

        return process


def _as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken as UTC already (as stored)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
