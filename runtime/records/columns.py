"""The SQL of one field or system column, shared by filters, sorts and index DDL.

An expression index is only used when the query spells the very same expression, cast included,
so every query and every CREATE INDEX gets its SQL text from here. Field keys are validated
snake_case, safe to inline; values are always bound parameters.

Each column has a `raw` expression (the stored value, NULL when blank) and a `key` expression that
is never NULL: COALESCE(raw, blank), with a `blank` that sorts below every real value. Sorting and
keyset pagination use `key`, so blanks sort first ascending and last descending on both databases,
and a cursor condition stays one index range even across blanks.

Text fields (and formulas and lookups giving text) sort in Chinese order, Han by pinyin
(engine/text_order.py): PostgreSQL through ICU's collation `zh-x-icu`, SQLite by the SQL function
`tg_text_key` (registered on every connection) over the value, and over each value compared with
it. Other text (phones, e-mails, numbers) sorts by code point on both.

Selects sort in option order (the definition's list, not the values' text): `sort` is the option's
position, `CASE value WHEN '' THEN 0 WHEN 'opt1' THEN 1 … ELSE n + 1 END` (a value no longer among
the options after them), and a value compared with it is bound as its position. The expression
spells the options, so an index over it is named after them (runtime/records/indexes.py) and is
rebuilt when the options are added to or reordered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Integer, Numeric, String, bindparam, func, literal_column
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from engine.errors import BadQuery, EncryptedField, FieldValueError
from engine.forms.fields.base import LITERAL_MOMENT, FieldType, ValueContext
from engine.forms.fields.relation import MAX_ID
from engine.forms.model import FormDefinition
from engine.forms.system_fields import SYSTEM_FIELDS
from engine.text_order import SQL_FUNCTION
from runtime.crypto.fields import blind_scope
from runtime.crypto.keyring import current
from runtime.db.types import UTCDateTime

_RAW = {
    "postgresql": {
        "text": "(data ->> '{k}')",
        "number": "CAST(data ->> '{k}' AS NUMERIC)",
        "integer": "CAST(data ->> '{k}' AS BIGINT)",
        "bool": "CAST(CAST(data ->> '{k}' AS BOOLEAN) AS INTEGER)",
    },
    "sqlite": {
        "text": "json_extract(data, '$.{k}')",
        "number": "CAST(json_extract(data, '$.{k}') AS REAL)",
        "integer": "json_extract(data, '$.{k}')",
        "bool": "json_extract(data, '$.{k}')",
    },
}
_BLANK = {
    "postgresql": {"text": "''", "number": "CAST('-Infinity' AS NUMERIC)", "integer": "0", "bool": "-1"},
    "sqlite": {"text": "''", "number": "-1e999", "integer": "0", "bool": "-1"},
}
CHINESE_ORDER = 'COLLATE "zh-x-icu"'
"""PostgreSQL's ICU collation for Chinese (pinyin) order. A PostgreSQL built without ICU lacks it:
migration 0009 then stops with a message naming it."""
TEXT_KEY = SQL_FUNCTION
"""SQLite's function for the same order: engine/text_order.sort_key."""


@dataclass(frozen=True)
class SqlColumn:
    """The SQL spelling of one sortable column of a form's records."""

    key: str
    storage: str
    raw: str
    value: str
    """COALESCE(raw, blank): what a page carries for its cursor and what `contains` searches."""
    sort: str
    """What sorts, indexes and comparisons use: `value`, or its Chinese order (see the module)."""
    field: FieldType | None = None
    keyed: bool = False
    """`sort` is TEXT_KEY(value): a value compared with it goes through TEXT_KEY too (SQLite)."""
    blind: str | None = None
    """An encrypted field's blind-index scope: the column holds keyed hashes, and a value compared
    with it is hashed the same way (equality only: the hashes have no order)."""
    order: tuple[str, ...] = ()
    """A select's option values: `sort` is a value's position among them, and so is a bound value."""

    def raw_expr(self) -> ColumnElement[Any]:
        return literal_column(self.raw)

    def value_expr(self) -> ColumnElement[Any]:
        return literal_column(self.value)

    def sort_expr(self) -> ColumnElement[Any]:
        return literal_column(self.sort)

    def stands_in_for_blank(self, value: Any) -> bool:
        """Whether `value` (a stored value) equals what `sort` puts in place of a blank, so that a
        comparison of `sort` with it would also match the blanks."""
        if self.value == self.raw:
            return False
        if self.storage == "text":
            return str(value) == ""
        if self.storage == "integer":
            return int(value) == 0
        if self.storage == "number":
            return not Decimal(str(value)).is_finite()
        return False  # bool: the blank is -1, never a value

    def position(self, value: Any) -> int:
        """Where `value` sorts in a select's option order: 0 blank, 1… the options, then any other."""
        text = str(value)
        if text == "":
            return 0
        return self.order.index(text) + 1 if text in self.order else len(self.order) + 1

    def parameter(self, value: Any, dialect: str, key: str | None = None) -> BindParameter[Any]:
        """A parameter holding `value` (a stored value), typed like the column's values; `key` names
        it in SQL text (`:key`), and it stays unique when one statement holds it more than once."""
        if self.order:
            return bindparam(key, self.position(value), type_=Integer(), unique=True)
        if self.storage == "number":
            number = Decimal(str(value))
            return bindparam(key, float(number) if dialect == "sqlite" else number, type_=Numeric(), unique=True)
        if self.storage == "integer":
            if not -MAX_ID <= int(value) <= MAX_ID:  # the driver would overflow: no stored value is this large
                raise BadQuery(f"{self.key} 超出范围", f"{self.key} is out of range", field=self.key)
            return bindparam(key, int(value), type_=BigInteger(), unique=True)
        if self.storage == "bool":
            return bindparam(key, int(bool(value)), type_=Integer(), unique=True)
        if self.storage == "timestamp":
            return bindparam(key, value if isinstance(value, datetime) else datetime.fromisoformat(value),
                             type_=UTCDateTime(), unique=True)
        return bindparam(key, self.stored(value), type_=String(), unique=True)

    def stored(self, value: Any) -> str:
        """A value as this column holds it, as text: for an encrypted field the blind index of the
        value normalised as on input (`"139 2468 1357"` finds 13924681357 from any filter)."""
        if self.blind is None:
            return str(value)
        if self.field is not None:
            try:
                value = self.field.normalize(value, ValueContext(LITERAL_MOMENT))
            except FieldValueError:
                pass  # a value the field would refuse: its hash matches nothing stored
        return current().blind(str(value), self.blind)

    def bind(self, value: Any, dialect: str) -> Any:
        """A parameter holding `value` (a stored value) typed so it compares like `sort`."""
        return self.compared(self.parameter(value, dialect))

    def compared(self, param: BindParameter[Any]) -> Any:
        """`param` as `sort` is compared with it."""
        return getattr(func, TEXT_KEY)(param, type_=String()) if self.keyed else param

    def bind_sql(self, key: str) -> str:
        """The SQL text of `bind` for the parameter `:key`."""
        return f"{TEXT_KEY}(:{key})" if self.keyed else f":{key}"


def field_column(field: FieldType, dialect: str, table: str = "") -> SqlColumn:
    """The SQL of a sortable field; raises BadQuery for JSON-valued types (lists, objects).
    `table` qualifies the data column (`records`, or an alias in a subquery)."""
    storage = field.storage_kind()
    if storage == "json":
        raise BadQuery(f"“{field.label}”不能排序或建索引", f"field {field.key!r} cannot be sorted or indexed",
                       field=field.key)
    raw = _RAW[dialect][storage].format(k=field.key).replace("data", f"{table}.data" if table else "data", 1)
    value = f"COALESCE({raw}, {_BLANK[dialect][storage]})"
    if field.encrypted:  # keyed hashes: compared by code point, never in Chinese order (see runtime/crypto)
        exact = f'{value} COLLATE "C"' if dialect == "postgresql" else value
        return SqlColumn(field.key, storage, raw, exact, exact, field, blind=blind_scope(field.key))
    if field.sort_order():
        return _ordered_column(field, storage, raw, value, dialect)
    if field.sorts_as_words():
        if dialect == "postgresql":
            return SqlColumn(field.key, storage, raw, f'{value} COLLATE "C"', f"{value} {CHINESE_ORDER}", field)
        return SqlColumn(field.key, storage, raw, value, f"{TEXT_KEY}({value})", field, keyed=True)
    if dialect == "postgresql" and storage == "text":
        value += ' COLLATE "C"'  # code-point order, as SQLite's BINARY: both databases sort alike
    return SqlColumn(field.key, storage, raw, value, value, field)


def _sql_text(value: str) -> str:
    """A string literal, quotes doubled (statements that go through text() escape its colons)."""
    return "'" + value.replace("'", "''") + "'"


def _ordered_column(field: FieldType, storage: str, raw: str, value: str, dialect: str) -> SqlColumn:
    order = field.sort_order()
    shown = f'{value} COLLATE "C"' if dialect == "postgresql" else value
    cases = " ".join(f"WHEN {_sql_text(v)} THEN {i}" for i, v in enumerate(order, start=1))
    sort = f"(CASE {shown} WHEN '' THEN 0 {cases} ELSE {len(order) + 1} END)"
    return SqlColumn(field.key, storage, raw, shown, sort, field, order=order)


def refuse_encrypted(field: FieldType | None, use: str) -> None:
    """EncryptedField when `field` is encrypted: the database holds its ciphertext and blind index,
    which answer equality and nothing else (`use` names what was asked: sort, lt, contains …)."""
    if field is not None and field.encrypted:
        raise EncryptedField(
            f"“{field.label}”已加密，只能按是否相等筛选（=、!=、in、为空），不能用于 {use}",
            f"{field.key!r} is encrypted: it can only be compared for equality (=, !=, in, blank), not used for {use}",
            field=field.key)


def system_column(key: str, dialect: str) -> SqlColumn:
    system = SYSTEM_FIELDS[key]
    value = f"COALESCE({key}, '')" if system.nullable else key
    return SqlColumn(key, system.storage, key, value, value)


def column(form: FormDefinition, key: str, dialect: str) -> SqlColumn:
    """The column a filter or sort names: a field of the form or a system column; else BadQuery."""
    if key in SYSTEM_FIELDS:
        return system_column(key, dialect)
    field = form.by_key.get(key)
    if field is None:
        raise BadQuery(f"表单“{form.name}”没有字段 {key}", f"form {form.key!r} has no field {key!r}", field=key)
    return field_column(field, dialect)


def is_system(key: str) -> bool:
    return key in SYSTEM_FIELDS


__all__ = ["CHINESE_ORDER", "TEXT_KEY", "SqlColumn", "column", "field_column", "system_column", "is_system",
           "refuse_encrypted"]
