"""Expression filters on records: the ColumnSource that spells a form's fields in SQL for
engine.expr.to_sql, and the clause a `filter=` parameter becomes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import String, and_, bindparam, exists, func, literal_column, or_, select
from sqlalchemy.sql.elements import ColumnElement

from engine.app import AppDefinition
from engine.errors import BadQuery
from engine.expr.errors import ExpressionError
from engine.expr.evaluate import EvalContext
from engine.expr.nodes import BOOL, TEXT, Node, list_of
from engine.expr.scope import Scope, form_scope
from engine.expr.to_sql import ORDERINGS, in_text_order, to_sql
from engine.expr.typecheck import check, check_node
from engine.forms.fields.base import FieldType
from engine.forms.model import FormDefinition
from engine.limits import DEFAULT
from runtime.records.columns import column, field_column, is_system, refuse_encrypted
from runtime.records.context import FormRef

_OPS = {"=": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}


class RecordColumns:
    """Fields of one form's records as SQL, for engine.expr.to_sql."""

    def __init__(self, form: FormDefinition, dialect: str, app: AppDefinition) -> None:
        self.form, self.dialect, self.app = form, dialect, app

    def value(self, key: str, exact: bool = False) -> ColumnElement[Any]:
        refuse_encrypted(self.form.by_key.get(key), "计算或函数 / expressions")
        if "." in key:
            return self._through(*key.split(".", 1), exact=exact)
        field = self.form.by_key.get(key)
        if field is not None and field.storage_kind() == "json":
            return self._json(field, exact)
        if exact and key in self.form.by_key and self.dialect == "sqlite":
            field = self.form.by_key[key]
            return literal_column(f"json_extract(data, '$.{key}')") if field.storage_kind() != "json" else \
                literal_column(f"json(json_extract(data, '$.{key}'))")
        col = column(self.form, key, self.dialect)
        if col.storage != "timestamp":
            return col.raw_expr()
        # System timestamps read like datetime fields: UTC text with a Z, so the two compare alike.
        if self.dialect == "postgresql":
            return func.to_char(literal_column(f"{key} AT TIME ZONE 'UTC'"), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        return func.strftime("%Y-%m-%dT%H:%M:%SZ", literal_column(key))

    def _json(self, field: FieldType, exact: bool) -> ColumnElement[Any]:
        """A list's JSON (NULL when blank); an object's (an address's) values as a list, so that
        COUNTIF finds a province as it finds a tag."""
        key, postgresql = field.key, self.dialect == "postgresql"
        if field.json_schema().get("type") == "object":
            if postgresql:
                return literal_column(f"(SELECT jsonb_agg(value) FROM jsonb_each(records.data -> '{key}'))")
            return literal_column(f"(CASE WHEN json_type(records.data, '$.{key}') IS NULL THEN NULL ELSE "
                                  f"(SELECT json_group_array(value) FROM json_each(records.data, '$.{key}')) END)")
        if postgresql:
            return literal_column(f"(records.data -> '{key}')")
        return literal_column(f"json(json_extract(records.data, '$.{key}'))" if exact
                              else f"json_extract(records.data, '$.{key}')")

    def _through(self, first: str, second: str, exact: bool) -> ColumnElement[Any]:
        """`customer.level` as a subquery on the related record; `lines.qty` (SQLite) as a JSON array."""
        holder = self.form.field(first)
        if holder.type == "sub_table":  # only Tangram's SQLite functions read these (the checker knows)
            return literal_column(f"(SELECT json_group_array(json_extract(value, '$.{second}')) "
                                  f"FROM json_each(records.data, '$.{first}'))")
        target = self.app.form(getattr(holder, "target"))  # noqa: B009 — a relation: the checker saw to it
        refuse_encrypted(target.by_key.get(second), "关联筛选 / filters through a relation")
        link = field_column(holder, self.dialect, "records").raw
        if exact and self.dialect == "sqlite":
            inner = f"json_extract(t.data, '$.{second}')"
        else:
            inner = field_column(target.field(second), self.dialect, "t").raw
        return literal_column(f"(SELECT {inner} FROM records AS t WHERE t.id = {link} AND t.deleted_at IS NULL AND t.version > 0)")

    def compare(self, key: str, op: str, value: Any) -> ColumnElement[bool] | None:
        if op == "ISBLANK":
            return self._blank(key)
        if op in ("COUNTIF", "HAS"):
            return self._count(key, value, op == "HAS")
        if op not in ("=", "!=", "IN"):
            refuse_encrypted(self.form.by_key.get(key), op)
        field = self.form.by_key.get(key)
        if field is not None and field.storage_kind() == "json":
            return None  # a list: compared through value()
        col = column(self.form, key, self.dialect)
        if op == "IN":
            if col.order and any(str(v) not in col.order for v in value):
                return None  # an index of option positions answers options only
            among = col.sort_expr().in_([col.bind(v, self.dialect) for v in value])
            return among if is_system(key) else and_(among, col.raw_expr().is_not(None))
        if op in ORDERINGS and self._text_out_of_order(key, col.storage):
            # Text its index keeps in code-point order (options, numbers like QT-0001, usernames) is
            # compared in Chinese order like all text, without the index.
            text = bindparam(None, str(value), type_=String())
            ordered = getattr(in_text_order(col.value_expr(), self.dialect), _OPS[op])(in_text_order(text, self.dialect))
            return and_(ordered, col.raw_expr().is_not(None))
        if col.order and (op not in ("=", "!=") or str(value) not in col.order):
            # A select's index holds option positions: it answers equality with an option. Order
            # and other values compare the text, as Python does (`region < "华南"`).
            indexed = getattr(col.value_expr(), _OPS[op])(bindparam(None, str(value), type_=String()))
        else:
            indexed = getattr(col.sort_expr(), _OPS[op])(col.bind(value, self.dialect))
        if is_system(key):
            return indexed
        if op == "!=":  # a blank is not equal to the value: kept, whatever stands in for it in `sort`
            return or_(indexed, col.raw_expr().is_(None))
        if op == "=" and not col.stands_in_for_blank(value):
            return indexed  # equal to a value the blanks' stand-in is not: no blank matches, no second test
        return and_(indexed, col.raw_expr().is_not(None))

    def _count(self, key: str, value: Any, held: bool) -> Any:
        """How many of a list field's items (an address's parts) equal `value`, in the database's own
        JSON functions (the Python COUNTIF would read every record's list); `held`: whether any does
        (PostgreSQL's containment `@>` for a list)."""
        field = self.form.by_key.get(key)
        if field is None or field.storage_kind() != "json":
            return None
        if isinstance(value, Decimal):  # record ids
            value = int(value) if value == value.to_integral_value() else float(value)
        param = bindparam(None, value, type_=String() if isinstance(value, str) else None)
        if self.dialect == "postgresql":
            member = literal_column(f"(records.data -> '{key}')")
            if field.json_schema().get("type") == "object":
                item = func.jsonb_each(member).table_valued("key", "value")
            elif held:
                return member.op("@>")(func.jsonb_build_array(param))  # type: ignore[no-any-return]
            else:
                item = func.jsonb_array_elements(member).table_valued("value")
            found = select(func.count()).select_from(item).where(item.c.value == func.to_jsonb(param))
        else:
            item = func.json_each(literal_column("records.data"), literal_column(f"'$.{key}'")).table_valued("value")
            found = select(func.count()).select_from(item).where(item.c.value == param)
        return exists(found.with_only_columns(literal_column("1"))) if held else found.scalar_subquery()

    def _blank(self, key: str) -> ColumnElement[bool]:
        """ISBLANK on the stored value (an encrypted field's too: blank is the one thing its column
        tells without the key); blank text is NULL or "" alike, as in Python."""
        field = self.form.by_key.get(key)
        if field is not None and field.storage_kind() == "json":
            raw = self._json(field, exact=False)
            return raw.is_(None)
        col = column(self.form, key, self.dialect)
        raw = col.raw_expr()
        if col.storage == "text" and (field is None or field.expression_type() == "text"):
            return or_(raw.is_(None), raw == bindparam(None, "", type_=String()))
        return raw.is_(None)

    def _text_out_of_order(self, key: str, storage: str) -> bool:
        """Whether `key` holds text its index keeps in code-point order (options, phones, users):
        `<` on it must not use the index, since text compares in Chinese order everywhere."""
        field = self.form.by_key.get(key)
        if field is None:
            return storage == "text"  # owner, department, created_by, updated_by
        return field.expression_type() == "text" and not field.sorts_as_words()


def filter_clause(ref: FormRef, text: str, dialect: str, ctx: EvalContext, *,
                  scope: Scope | None = None, max_length: int = DEFAULT.expression_chars) -> ColumnElement[bool]:
    """The SQL of a `filter=` expression; BadQuery (400) with the position when it is wrong, or when
    it uses something that cannot run in this database yet. `scope` narrows the names it may use
    (permissions leave hidden fields out); `max_length` is a request's limit (settings.max_expression_chars)."""
    try:
        checked = check(text, scope or form_scope(ref.form, ref.app), expect=BOOL, max_length=max_length)
    except ExpressionError as e:
        e.extra["field"] = "filter"
        raise
    if not checked.compiles_to(dialect):
        what = "、".join(checked.not_in_sql[dialect])
        raise BadQuery(f"这个筛选条件暂不能在数据库中执行：{what}", f"this filter cannot run in the database yet: {what}",
                       field="filter")
    return to_sql(checked, dialect, RecordColumns(ref.form, dialect, ref.app), ctx)


_SCOPES: dict[int, tuple[FormDefinition, Scope]] = {}
"""Condition scopes by form (definitions are immutable and cached): a list request checks its
conditions against the scope without building it again."""


def _condition_scope(form: FormDefinition) -> Scope:
    """The names a list filter's condition may use: the form's, and the fields expressions cannot
    read (addresses, attachments, sub_tables) as lists, for ISBLANK and an address's COUNTIF."""
    known = _SCOPES.get(id(form))
    if known is not None and known[0] is form:
        return known[1]
    scope = form_scope(form)
    for field in form.fields:
        scope.names.setdefault(field.key, list_of(TEXT))
    if len(_SCOPES) > 256:
        _SCOPES.clear()
    _SCOPES[id(form)] = (form, scope)
    return scope


def node_clause(ref: FormRef, node: Node, dialect: str, key: str, ctx: EvalContext) -> ColumnElement[bool]:
    """The SQL of a list filter's condition written as an expression (runtime/records/listing.py,
    condition_node), compiled as a `filter=` expression is; an error names the field `key`."""
    try:
        checked = check_node(node, _condition_scope(ref.form))
    except ExpressionError as e:
        e.extra["field"] = key
        raise
    if not checked.compiles_to(dialect):
        what = "、".join(checked.not_in_sql[dialect])
        raise BadQuery(f"这个筛选条件暂不能在数据库中执行：{what}", f"this filter cannot run in the database yet: {what}",
                       field=key)
    return to_sql(checked, dialect, RecordColumns(ref.form, dialect, ref.app), ctx)
