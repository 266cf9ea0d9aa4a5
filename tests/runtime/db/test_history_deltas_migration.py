"""Migration 0024: history rows stored whole become deltas, and the downgrade writes them whole again;
every version reads the same through it all."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from runtime.apps import definitions
from runtime.db import schema
from runtime.db.tables import record_history
from runtime.records import records
from runtime.records.context import Actor, Change
from runtime.records.history import DELTA
from tests.backends import fresh_database
from tests.factories import shop


def _stored(db: Any) -> dict[tuple[int, int], dict[str, Any]]:
    with db.read() as conn:
        h = record_history.c
        return {(r.record_id, r.version): r.data for r in conn.execute(select(h.record_id, h.version, h.data))}


def test_0024_round_trip_keeps_every_version(backend: str, tmp_path: Any) -> None:
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db)
        change = Change(Actor("admin"))
        with db.write() as conn:
            definitions.import_app(conn, shop(), Change(Actor(None)))
            ref = definitions.form_ref(conn, "shop", "customer")
            made = [records.create(conn, ref, {"name": f"客户{i}", "note": "初次"}, change) for i in range(3)]
            for step in range(20):  # record 0: 21 versions (a snapshot at 17); record 1: 11; record 2: 1
                for rec in made[:1] if step >= 10 else made[:2]:
                    records.update_record(conn, ref, rec.id, {"amount": step, "note": None if step % 4 else "有"},
                                          change)
            records.delete(conn, ref, made[1].id, change)
            versions = {rec.id: [(v.version, v.data) for v in records.history(conn, ref, rec.id)] for rec in made}
        deltas = _stored(db)
        assert any(DELTA in d for d in deltas.values())

        schema.downgrade(db, "0023")
        whole = _stored(db)
        assert not any(DELTA in d for d in whole.values())
        assert {k: d for rid, rows in versions.items() for v, d in rows for k in [(rid, v)]} == whole

        schema.upgrade(db)
        assert _stored(db) == deltas
        with db.read() as conn:
            assert {rec.id: [(v.version, v.data) for v in records.history(conn, ref, rec.id)] for rec in made} == versions
