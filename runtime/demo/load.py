"""Loading demo data into a database: users for owners, then each form's records in plan order,
in transactions of a few thousand, with a progress bar on stderr."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from sqlalchemy import select

from runtime.demo.generate import generate, plan
from runtime.storage import definitions, records
from runtime.storage.context import Actor, Change, FormRef
from runtime.storage.db import Database
from runtime.storage.tables import users
from runtime.storage.users import create_user

BATCH = 5000
DEMO_USERS = {"zhang.wei": "张伟", "wang.fang": "王芳", "li.na": "李娜", "liu.yang": "刘洋", "chen.jing": "陈静",
              "yang.lei": "杨磊", "zhao.min": "赵敏", "huang.qiang": "黄强", "zhou.jie": "周杰", "wu.xia": "吴霞"}
DEMO_PASSWORD = "demo-password"


def _owners(db: Database) -> list[str]:
    """The demo sales reps, created on first use (password `demo-password`)."""
    with db.write() as conn:
        existing = set(conn.scalars(select(users.c.username)))
        for username, name in DEMO_USERS.items():
            if username not in existing:
                create_user(conn, username, DEMO_PASSWORD, datetime.now(UTC), display_name=name)
    return list(DEMO_USERS)


def _bar(label: str, done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r{label:<14} [{'#' * filled}{'.' * (width - filled)}] {done:>9,}/{total:,}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def load_demo(db: Database, app_key: str, count: int, *, seed: int, progress: bool = True) -> dict[str, int]:
    """Create `count` customers and the related records `plan` asks for; returns counts per form."""
    owners = _owners(db)
    with db.read() as conn:
        app, _ = definitions.current(conn, app_key)
    change = Change(Actor("admin"))
    related: dict[str, list[int]] = {}
    created: dict[str, int] = {}
    for form_key, total in plan(count).items():
        with db.read() as conn:
            ref = definitions.form_ref(conn, app_key, form_key)
        ids: list[int] = []
        items = generate(app, form_key, total, seed=seed, owners=owners, related=related)
        batch: list[dict[str, object]] = []
        for item in items:
            batch.append(item)
            if len(batch) == BATCH:
                ids += _write(db, ref, batch, change)
                batch = []
                if progress:
                    _bar(ref.form.name, len(ids), total)
        if batch:
            ids += _write(db, ref, batch, change)
        if progress:
            _bar(ref.form.name, len(ids), total)
        related[form_key] = ids
        created[form_key] = len(ids)
    return created


def _write(db: Database, ref: FormRef, batch: list[dict[str, object]], change: Change) -> list[int]:
    with db.write() as conn:
        return [r.id for r in records.create_many(conn, ref, batch, change)]
