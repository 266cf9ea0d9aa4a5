"""The import wizard's stored state: each import (its file, the user's choices, the last dry run's or the
run's result, its progress) and the column mapping saved per form. Functions over a Connection; the
wizard (runtime/io/import_wizard.py) decides when each is called."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from engine.errors import NotFound
from runtime.db.tables import files, import_mappings, import_runs
from runtime.records.context import Actor

RECENT = 20
_RUNS = select(import_runs, files.c.id.is_(None).label("expired")).outerjoin(files, files.c.id == import_runs.c.file_id)
"""Imports with `expired`: their upload was removed (runtime/io/retention.py deletes the file's row first)."""


def create(conn: Connection, app: str, form: str, actor: Actor, file_id: str, filename: str, spec: dict[str, Any],
           now: datetime) -> int:
    """A new import of an uploaded file; its id."""
    return int(conn.execute(insert(import_runs).values(
        app=app, form=form, created_by=actor.username or "", file_id=file_id, filename=filename[:255],
        status="uploaded", spec=spec, result={}, done=0, total=0, created_at=now, updated_at=now,
    ).returning(import_runs.c.id)).scalar_one())


def get(conn: Connection, app: str, form: str, run_id: int, actor: Actor) -> Row[Any]:
    """An import of this form, seen only by who started it (and administrators): 404 otherwise."""
    row = conn.execute(_RUNS.where(import_runs.c.id == run_id, import_runs.c.app == app,
                                   import_runs.c.form == form)).first()
    if row is None or not (actor.is_admin or row.created_by == actor.username):
        raise NotFound(f"导入 {run_id} 不存在", f"no import {run_id}")
    return row


def by_id(conn: Connection, run_id: int) -> Row[Any] | None:
    return conn.execute(_RUNS.where(import_runs.c.id == run_id)).first()


def recent(conn: Connection, app: str, form: str, actor: Actor) -> list[Row[Any]]:
    """The actor's latest imports of the form, newest first (to come back to one)."""
    query = _RUNS.where(import_runs.c.app == app, import_runs.c.form == form)
    if not actor.is_admin:
        query = query.where(import_runs.c.created_by == actor.username)
    return list(conn.execute(query.order_by(import_runs.c.id.desc()).limit(RECENT)))


def change(conn: Connection, run_id: int, now: datetime, **values: Any) -> None:
    """Set the status, spec, result or progress of an import."""
    conn.execute(update(import_runs).where(import_runs.c.id == run_id).values(updated_at=now, **values))


def claim(conn: Connection, run_id: int, now: datetime, status_from: str, status_to: str) -> bool:
    """Move an import from one status to another, once: False when it was not in `status_from`."""
    return conn.execute(update(import_runs).where(import_runs.c.id == run_id, import_runs.c.status == status_from)
                        .values(status=status_to, updated_at=now)).rowcount == 1


def as_json(row: Row[Any]) -> dict[str, Any]:
    return {"id": row.id, "app": row.app, "form": row.form, "filename": row.filename, "status": row.status,
            "spec": row.spec, "result": row.result, "done": row.done, "total": row.total,
            "created_by": row.created_by, "created_at": row.created_at.isoformat(),
            "updated_at": row.updated_at.isoformat(), "expired": bool(row.expired)}


def saved_mapping(conn: Connection, app: str, form: str) -> dict[str, Any]:
    """The mapping saved for the form by its last import ({} before the first)."""
    spec = conn.scalar(select(import_mappings.c.spec).where(import_mappings.c.app == app,
                                                            import_mappings.c.form == form))
    return dict(spec or {})


def save_mapping(conn: Connection, app: str, form: str, spec: dict[str, Any], actor: Actor, now: datetime) -> None:
    """Keep the mapping for the form's next import (one per form, the latest wins)."""
    values = {"spec": spec, "updated_by": actor.username, "updated_at": now}
    done = conn.execute(update(import_mappings).where(import_mappings.c.app == app, import_mappings.c.form == form)
                        .values(**values)).rowcount
    if not done:
        conn.execute(insert(import_mappings).values(app=app, form=form, **values))


__all__ = ["create", "get", "by_id", "recent", "change", "claim", "as_json", "saved_mapping", "save_mapping"]
