"""Running widgets: on the primary database or on the mirror, chosen by the rule below or forced.

The rule (settings.mirror): `off` never uses the mirror, `always` always does; `auto` uses it when the
widget's form has at least `mirror_min_rows` records in the mirror (as of its last sync) and the
widget compiles for DuckDB — small forms are answered live from the primary database. Before a
read, the mirror is synced if its last sync is older than `mirror_max_lag` seconds (always, when
the mirror is forced with `?engine=mirror`), so a dashboard is never more than that behind. A form
with a record the sync had to leave out (GET /mirror's `skipped`) is answered from the primary
database in every mode, so the two engines never give different answers.

A server that does not own the mirror (runtime/analytics/owner.py) reads the owner's published copy
and cannot sync it: the copy answers as of its own moment, and when it is missing or older than
`mirror_snapshot_max_age` seconds the primary database answers instead (`engine: primary`); a forced
`?engine=mirror` reads the copy whatever its age (`as_of` says it) and is a 409 when there is none."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

import duckdb
from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError

from engine.app import AppDefinition
from engine.errors import BadQuery, MirrorUnavailable, UnsupportedQuery
from engine.expr.evaluate import EvalContext
from engine.reports.compile import RowScope, WidgetQuery, compile_widget, filter_clauses
from engine.reports.dimensions import DimensionPlan, related_field
from engine.reports.formats import with_formatted
from engine.reports.grain import sub_table_of
from engine.reports.model import Widget
from engine.reports.shape import Table
from engine.reports.widgets import widget_types
from runtime.analytics.columns import table_name
from runtime.analytics.mirror import Mirror, SyncState
from runtime.analytics.mirror_source import MirrorSource
from runtime.analytics.primary import PrimarySource
from runtime.analytics.published import PublishedMirror
from runtime.analytics.sync import sync
from runtime.db.db import Database
from runtime.db.tables import departments, users
from runtime.records.titles import titles
from runtime.settings import Settings

Engine = Literal["primary", "mirror"]
log = logging.getLogger("tangram.reports")


RelationTitles = Callable[[Connection, str, dict[int, str]], dict[int, str]]
"""(connection, related form, {id: title}) → the titles as the user may see them."""


@dataclass
class ReportContext:
    """Everything a widget run needs from the runtime: databases, settings, the moment and the user."""

    db: Database
    mirror: Mirror | PublishedMirror
    settings: Settings
    ctx: EvalContext
    scope: RowScope = None
    titles: RelationTitles | None = None
    """Relation labels as the user may see them (None: every title as it is): FormGate.titles_on."""
    mirror_as_of: datetime | None = None
    """Set once the mirror was checked for freshness in this request: one sync per dashboard, not per widget."""
    mirror_state: SyncState | None = None
    """The mirror's sync state as this request read it (mirror_state), again only after a sync."""


def _labels(conn: Connection, app: AppDefinition, form: str, shown: RelationTitles | None) -> Any:
    def labels(plan: DimensionPlan, values: set[Any]) -> dict[Any, str]:
        if plan.kind == "relation":
            names = titles(conn, app, {int(v) for v in values})
            through = related_field(app.form(form), app, plan.key) if "." in plan.key else None  # a row's column
            target = getattr(through[1] if through else app.form(form).by_key.get(plan.key), "target", None)
            if shown is None or target is None:
                return names
            # As in the user's lists: `#id` for a record they may not read, a masked title masked.
            return shown(conn, target, names)
        if plan.kind == "department":
            found = conn.execute(select(departments.c.key, departments.c.name).where(departments.c.key.in_(sorted(values))))
            return {r.key: r.name for r in found}
        rows = conn.execute(select(users.c.username, users.c.display_name).where(users.c.username.in_(sorted(values))))
        return {r.username: r.display_name for r in rows}

    return labels


def fresh_mirror(rc: ReportContext, max_lag: float) -> datetime:
    """Sync the mirror when its last sync is older than `max_lag` seconds; the time it is current as of."""
    if rc.mirror_as_of is None:
        rc.mirror_as_of = _fresh(rc, max_lag)
    return rc.mirror_as_of


def _fresh(rc: ReportContext, max_lag: float) -> datetime:
    if not rc.mirror.owned:  # another process's published copy: as old as it is, or too old to answer
        as_of = rc.mirror.as_of()
        if as_of is None or (max_lag > 0 and (rc.ctx.now - as_of).total_seconds() > rc.settings.mirror_snapshot_max_age):
            raise MirrorUnavailable("分析镜像的发布副本缺失或过旧", "the analytics mirror's published copy is missing or too old",
                                    as_of=as_of.isoformat() if as_of else None)
        return as_of
    state = mirror_state(rc)
    now = rc.ctx.now
    synced = state.synced_at.replace(tzinfo=UTC) if state.synced_at else None
    if synced is None or (now - synced).total_seconds() >= max_lag or max_lag <= 0:
        rc.mirror_state = None  # the sync changes it
        return sync(rc.db, rc.mirror, now).as_of or now
    return synced


def mirror_state(rc: ReportContext) -> SyncState:
    """The mirror's state, read once per request: a widget asked it three times (its rows, what the sync
    left out, before and after the freshness check), a third of the mirror path's fixed 10–19 ms."""
    if rc.mirror_state is None:
        with rc.mirror.read() as mconn:
            rc.mirror_state = rc.mirror.state(mconn)
    return rc.mirror_state


def mirror_rows(rc: ReportContext, app: str, form: str) -> int:
    return mirror_state(rc).tables.get(table_name(app, form), ("", 0))[1]


def mirror_skipped(rc: ReportContext, app: str, form: str) -> bool:
    """Whether the last sync left out a record of the form (see Mirror.load_csv): the mirror would answer
    without it, so the primary database answers instead, whatever the mode."""
    skipped = mirror_state(rc).skipped
    # a sub_table row left out leaves a sum over its rows short: the record's row tables count too
    return any(skipped.get(name) for name in skipped if name == table_name(app, form)
               or name.startswith(table_name(app, form) + "__"))


def choose(rc: ReportContext, widget: Widget, app: AppDefinition, forced: str | None) -> Engine:
    if forced is not None:
        if forced not in ("primary", "mirror"):
            raise BadQuery("engine 应为 primary 或 mirror", "engine must be primary or mirror", field="engine")
        return forced  # type: ignore[return-value]
    mode = rc.settings.mirror
    if mode == "off" or mirror_skipped(rc, app.key, widget.form):
        return "primary"
    if mode == "always" or mirror_rows(rc, app.key, widget.form) >= rc.settings.mirror_min_rows:
        return "mirror"
    return "primary"


def compile_for(widget: Widget, app: AppDefinition, engine: Engine, dialect: str, rc: ReportContext,
                filters: dict[str, str]) -> WidgetQuery:
    form = app.form(widget.form)
    sub = sub_table_of(widget, form)  # a widget over a sub_table's rows (engine/reports/grain.py)
    source: Any = MirrorSource(form, app, sub) if engine == "mirror" else PrimarySource(form, dialect, app, sub)
    clauses = filter_clauses(source, app, widget.form, filters, rc.ctx)
    return compile_widget(widget, app, source, rc.ctx, filters=clauses, scope=rc.scope)


def run_widget(rc: ReportContext, app: AppDefinition, widget: Widget, filters: dict[str, str],
               forced: str | None = None) -> dict[str, Any]:
    """One widget's result, with the engine that answered and the moment its data is current as of."""
    try:
        engine = choose(rc, widget, app, forced)
        if engine == "mirror" and not forced:
            fresh_mirror(rc, rc.settings.mirror_max_lag)
            if mirror_skipped(rc, app.key, widget.form):  # this request's sync left one out
                engine = "primary"
    except MirrorUnavailable:  # a server without a current copy of the owner's mirror (the owner stopped)
        if forced:
            raise
        engine = "primary"
    except (OSError, DBAPIError, duckdb.Error):  # a locked or broken mirror file: degrade, do not fail
        if forced:
            raise
        log.exception("the analytics mirror cannot be used; answering from the primary database")
        engine = "primary"
    if engine == "mirror":
        try:
            query = compile_for(widget, app, "mirror", "duckdb", rc, filters)
        except UnsupportedQuery:
            if forced:
                raise
            engine = "primary"
    with rc.db.read() as conn:
        labels = _labels(conn, app, widget.form, rc.titles)
        kind = widget_types.get(widget.type)
        if engine == "mirror":
            as_of = fresh_mirror(rc, 0 if forced else rc.settings.mirror_max_lag)
            mirrored = _run_on_mirror(rc, kind, query, labels, forced is not None)
            if mirrored is None:
                engine = "primary"
            else:
                result = mirrored
        if engine == "primary":
            query = compile_for(widget, app, "primary", conn.dialect.name, rc, filters)
            result = kind.run(Table(query, lambda s: conn.execute(s).all()), labels)
            as_of = rc.ctx.now
    result["engine"], result["as_of"] = engine, as_of.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return with_formatted(result)


def _duckdb_error(e: BaseException) -> duckdb.Error | None:
    """The DuckDB error behind `e` (SQLAlchemy wraps the driver's), or None for any other failure."""
    orig = getattr(e, "orig", e)
    return orig if isinstance(orig, duckdb.Error) else None


def _run_on_mirror(rc: ReportContext, kind: Any, query: WidgetQuery, labels: Any, forced: bool) -> dict[str, Any] | None:
    """The widget's result from the mirror, or None when DuckDB could not compute it: a value beyond its
    widest decimal (a product of more than 38 digits, a sum past DECIMAL(38)) where Python's and the
    databases' numbers go on. The statement is rolled back, so the pooled connection is not left in an
    aborted transaction, and the primary database answers; a forced `?engine=mirror` is a 400 instead."""
    with rc.mirror.read() as mconn:
        try:
            return kind.run(Table(query, lambda s: mconn.execute(s).all()), labels)  # type: ignore[no-any-return]
        except (DBAPIError, duckdb.Error) as e:
            failure = _duckdb_error(e)
            if failure is None:  # the primary database's label look-up: not the mirror's to excuse
                raise
            mconn.rollback()
    if forced:
        raise UnsupportedQuery(f"DuckDB 无法精确计算此组件：{failure}", f"DuckDB cannot compute this widget exactly: {failure}",
                               field="engine")
    log.warning("the analytics mirror could not compute a widget (%s); answering from the primary database", failure)
    return None


def jsonable(value: Any) -> Any:
    """Decimals as JSON numbers (integers when whole), recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


__all__ = ["ReportContext", "run_widget", "choose", "fresh_mirror", "jsonable", "compile_for"]
