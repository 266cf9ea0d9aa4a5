"""Loading demo data into a database: users for owners, then each form's records in plan order, each
created at its own moment and changed later at theirs (so created_at, auto numbers, history and the
flows a change triggers are dated as in a CRM that has been used for two years), in transactions of a
few thousand, with a progress bar on stderr."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import groupby, islice
from zoneinfo import ZoneInfo

from sqlalchemy import select

from runtime.accounts.users import create_user
from runtime.apps import definitions
from runtime.db.db import Database
from runtime.db.tables import users
from runtime.demo.generate import ZONE, Planned, plan, planned
from runtime.records import records
from runtime.records.context import Actor, Change, FormRef

BATCH = 5000
DEMO_USERS = {"zhang.wei": "张伟", "wang.fang": "王芳", "li.na": "李娜", "liu.yang": "刘洋", "chen.jing": "陈静",
              "yang.lei": "杨磊", "zhao.min": "赵敏", "huang.qiang": "黄强", "zhou.jie": "周杰", "wu.xia": "吴霞"}
DEMO_PASSWORD = "demo-password"
ACTOR = Actor("admin")


def demo_owners(db: Database, now: datetime) -> list[str]:
    """The demo sales reps, created on first use (password `demo-password`)."""
    with db.write() as conn:
        existing = set(conn.scalars(select(users.c.username)))
        for username, name in DEMO_USERS.items():
            if username not in existing:
                create_user(conn, username, DEMO_PASSWORD, now, display_name=name)
    return list(DEMO_USERS)


def _bar(label: str, done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r{label:<14} [{'#' * filled}{'.' * (width - filled)}] {done:>9,}/{total:,}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def load_demo(db: Database, app_key: str, count: int, *, seed: int, progress: bool = True,
              now: datetime | None = None, zone: ZoneInfo = ZONE) -> dict[str, int]:
    """Create `count` customers and the related records `plan` asks for, dated over the two years up to
    `now` (default: the current time); returns the records created per form (not those flows made)."""
    now = now or datetime.now(UTC)
    owners = demo_owners(db, now)
    with db.read() as conn:
        app, _ = definitions.current(conn, app_key)
    related: dict[str, list[int]] = {}
    for form_key, total in plan(count).items():
        with db.read() as conn:
            ref = definitions.form_ref(conn, app_key, form_key)
        ids: list[int] = []
        items = planned(app, form_key, total, seed=seed, owners=owners, related=related, now=now, zone=zone)
        for chunk in _chunks(items):
            ids += _write(db, ref, chunk, zone)
            if progress:
                _bar(ref.form.name, len(ids), total)
        if progress and not total:
            _bar(ref.form.name, 0, 0)
        related[form_key] = ids
    return {k: len(v) for k, v in related.items()}


def _chunks(items: Iterator[Planned]) -> Iterator[list[Planned]]:
    while chunk := list(islice(items, BATCH)):
        yield chunk


def _write(db: Database, ref: FormRef, chunk: list[Planned], zone: ZoneInfo) -> list[int]:
    """One transaction: the chunk's records created in time order, then their later changes in time
    order. Ids in chunk order. Records without later changes are written together per local day, at
    the first one's moment (one write per day keeps large loads fast, and no record moves to another
    day or month); one that changes later is written at its own moment, as the flows its creation
    starts measure from it (a ticket's SLA deadline)."""
    ids: list[int] = [0] * len(chunk)
    order = sorted(range(len(chunk)), key=lambda i: chunk[i].at)
    with db.write() as conn:
        for _, group in groupby(order, key=lambda i: (chunk[i].at.astimezone(zone).date(), i if chunk[i].later else -1)):
            members = list(group)
            change = Change(ACTOR, chunk[members[0]].at, zone)
            made = records.create_many(conn, ref, [chunk[i].values for i in members], change)
            for i, record in zip(members, made, strict=True):
                ids[i] = record.id
        later = sorted(((at, i, values) for i, item in enumerate(chunk) for at, values in item.later),
                       key=lambda change: change[:2])
        for at, i, values in later:
            records.update_record(conn, ref, ids[i], values, Change(ACTOR, at, zone))
    return ids
