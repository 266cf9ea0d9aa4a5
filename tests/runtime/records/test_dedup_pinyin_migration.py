"""Migration 0018 fills the duplicate keys, the pinyin spellings and the pinyin words of the search index
for the records stored before it, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert

from runtime.apps import definitions
from runtime.db import schema
from runtime.db.tables import records
from runtime.records import duplicates, search
from runtime.records.context import SYSTEM, Change, FormRef
from tests.backends import fresh_database
from tests.factories import shop

HENGRUI = "苏州恒瑞精密机械有限公司"


def test_the_migration_files_and_spells_records_stored_before_it(backend: str, tmp_path: Any) -> None:
    definition = shop()
    definition["forms"][0]["duplicate_rules"] = [
        {"key": "similar_name", "name": "客户名称相近", "fields": [{"field": "name", "match": "company"}]}
    ]
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db, "0017")
        with db.write() as conn:
            definitions.import_app(conn, definition, Change(SYSTEM))
            now = datetime.now(UTC)
            conn.execute(
                insert(records),
                [
                    {
                        "app": "shop",
                        "form": "customer",
                        "data": {"name": name},
                        "version": 1,
                        "def_version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for name in (HENGRUI, "无锡新华机床有限公司")
                ],
            )
        schema.upgrade(db)
        with db.read() as conn:
            app, version = definitions.current(conn, "shop")
            ref = FormRef(app, version, app.form("customer"))
            [found] = duplicates.find(conn, ref, {"name": "恒瑞精密机械（苏州）有限公司"})
            assert search.candidates(conn, "szhr", spelled=True) == [found.record_id]
