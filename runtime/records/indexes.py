"""Per-form expression indexes: unique fields, indexed fields, single relations and declared composites.

Indexes are partial (one form's live records) and named `tg_<form hash>_<definition hash>`, so the
set a definition wants can be compared with the set that exists and brought in line on every
import and upgrade.

On SQLite each index leads with the `form` column (LEADING_COLUMN). Tangram keeps no planner
statistics there, and without them SQLite guesses rows from the equalities an index matches: the
generic `ix_records_form_id (app, form, id)` matches two (`app`, `form`), a partial index on a field
matched none, so for a list sorted by an indexed field with no filter the planner took the generic
index and sorted the whole form (0.1–0.4 s for the first page at 150,000 customers) instead of
walking the field's index (1–2 ms). Leading with `form` gives these indexes one equality: more
than none, so one that yields the order wins; fewer than the generic index's two, so a sort no index
serves still reads the form in id order, which is 2.5 times faster than in the order of some other
index. The same plans come out with statistics (`ANALYZE`). PostgreSQL keeps statistics of its own
and has the indexes without it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import Connection, text

from engine.forms.fields.base import FieldType
from engine.forms.model import FormDefinition
from runtime.records.columns import SqlColumn, column, field_column


def _hash(value: str, size: int) -> str:
    return hashlib.sha1(value.encode()).hexdigest()[:size]


def index_prefix(app: str, form: str) -> str:
    return f"tg_{_hash(f'{app}.{form}', 10)}_"


def _is_single_relation(field: FieldType) -> bool:
    return type(field).refers_to == "record" and field.storage_kind() == "integer"


LEADING_COLUMN = {"sqlite": "form, "}
"""What every form index starts with, by dialect (see above for why)."""


Order = tuple[tuple[str, bool], ...]
"""An index's columns as (field key, descending), `id` last: the order it yields its records in."""


def _declared(app: str, form: FormDefinition, dialect: str) -> dict[str, tuple[str, str | None, Order]]:
    """name -> (CREATE INDEX statement, the unique field key or None, the columns in order)."""
    where = f"app = '{app}' AND form = '{form.key}' AND deleted_at IS NULL"
    lead = LEADING_COLUMN.get(dialect, "")
    declared: dict[str, tuple[str, str | None, Order]] = {}

    def add(columns: str, order: Order, condition: str = where, unique_field: str | None = None) -> None:
        body = f"({lead}{columns}) WHERE {condition}"
        name = index_prefix(app, form.key) + _hash(body, 12)
        kind = "UNIQUE INDEX" if unique_field else "INDEX"
        declared[name] = (f"CREATE {kind} {name} ON records {body}", unique_field, order)

    for field in form.fields:
        if not field.is_sortable():
            continue
        col = field_column(field, dialect)
        if field.unique:
            add(f"({col.sort})", ((field.key, False),), f"{where} AND {col.raw} IS NOT NULL", field.key)
        if field.indexed or field.unique or _is_single_relation(field):
            add(f"({col.sort}), id", ((field.key, False), ("id", False)))
    for columns in form.indexes:
        add(", ".join(_index_parts(form, columns, dialect)), _order(columns))
    return declared


def wanted_indexes(app: str, form: FormDefinition, dialect: str) -> dict[str, tuple[str, str | None]]:
    """name -> (CREATE INDEX statement, the unique field key or None) for what `form` declares."""
    return {name: (ddl, unique) for name, (ddl, unique, _order) in _declared(app, form, dialect).items()}


def _order(columns: Iterable[str]) -> Order:
    order = tuple((name.removeprefix("-"), name.startswith("-")) for name in columns)
    return (*order, ("id", order[-1][1] if order else False))


def serving_index(app: str, form: FormDefinition, equal: Iterable[str], sort: Order, dialect: str) -> str | None:
    """The index that holds, after the fields the query compares for equality (`equal`, each once), its
    records in the order `sort` asks (or its reverse): the one a list so filtered and sorted should read,
    whatever the planner's statistics say. None when no declared index does."""
    asked = set(equal)
    reverse = tuple((key, not descending) for key, descending in sort)
    for name, (_ddl, unique, order) in _declared(app, form, dialect).items():
        if unique is None and {key for key, _ in order[:len(asked)]} == asked \
                and order[len(asked):] in (sort, reverse):
            return name
    return None


def counting_index(app: str, form: FormDefinition, equal: Iterable[str], dialect: str) -> tuple[str, bool] | None:
    """(name, in id order) of a declared index whose entries for given values of the fields `equal` (each
    once) lie in one range: the records a count filtered by equalities on them matches, which a count
    bounded by LIMIT reads from the start of that range and stops (runtime/records/totals.py). One that
    holds them in id order, when there is one, visits the records in the order they are stored. None
    when no declared index leads with those fields."""
    asked = set(equal)
    found: tuple[str, bool] | None = None
    for name, (_ddl, unique, order) in _declared(app, form, dialect).items():
        if unique is None and asked and {key for key, _ in order[:len(asked)]} == asked:
            if [key for key, _ in order[len(asked):]] == ["id"]:
                return name, True
            found = found or (name, False)
    return found


def _index_parts(form: FormDefinition, columns: Iterable[str], dialect: str) -> list[str]:
    parts: list[str] = []
    last_desc = False
    for name in columns:
        last_desc = name.startswith("-")
        col: SqlColumn = column(form, name.removeprefix("-"), dialect)
        parts.append(f"({col.sort}){' DESC' if last_desc else ''}")
    parts.append("id DESC" if last_desc else "id")
    return parts


def existing_indexes(conn: Connection, app: str, form: str) -> set[str]:
    prefix = index_prefix(app, form)
    if conn.dialect.name == "postgresql":
        sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE :p"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE :p"
    return {row[0] for row in conn.execute(text(sql), {"p": prefix + "%"})}


def sync_indexes(conn: Connection, app: str, form: FormDefinition) -> tuple[list[str], list[str]]:
    """Create the indexes the form wants and drop the ones it no longer wants; returns (created, dropped)."""
    wanted = wanted_indexes(app, form, conn.dialect.name)
    have = existing_indexes(conn, app, form.key)
    dropped = sorted(have - wanted.keys())
    for name in dropped:
        conn.execute(text(f"DROP INDEX {name}"))
    created = sorted(wanted.keys() - have)
    for name in created:
        conn.execute(text(wanted[name][0].replace(":", "\\:")))  # a colon in an option is no parameter
    if created:
        refresh_statistics(conn)
    return created, dropped


ANALYZE_AFTER_ROWS = 1_000
"""An import of at least this many rows refreshes the planner's statistics (refresh_statistics)."""


def refresh_statistics(conn: Connection) -> None:
    """PostgreSQL: ANALYZE the records, after an index build (an expression index has statistics only
    once analyzed; until then its expression's selectivity is a guess) and a large import, rather than
    wait for autovacuum (off on some servers, and behind a bulk load by a minute). It samples 30,000
    rows whatever the size and locks no reader or writer out. SQLite gets none: its list plans are made
    not to need statistics (above and runtime/records/listing.py), and statistics taken on an empty or
    small form would later describe it wrongly, which misleads its planner more than having none."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ANALYZE records"))


def drop_form_indexes(conn: Connection, app: str, form: str) -> None:
    for name in existing_indexes(conn, app, form):
        conn.execute(text(f"DROP INDEX {name}"))


def unique_field_of(app: str, form: FormDefinition, dialect: str, message: str) -> str | None:
    """The field whose unique index a database error message names, if any."""
    for name, (_ddl, unique_field) in wanted_indexes(app, form, dialect).items():
        if unique_field and name in message:
            return unique_field
    return None
