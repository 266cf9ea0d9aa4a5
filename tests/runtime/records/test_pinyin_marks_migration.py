"""Migration 0032 spells anew the records whose stored spellings hold brackets or other marks (as the code
before it wrote them), so a pinyin search typed across the brackets finds them; on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select

from engine.pinyin import spelled
from runtime.apps import definitions
from runtime.db import schema
from runtime.db.tables import record_pinyin, records
from runtime.records import pinyin, search
from runtime.records.context import SYSTEM, Change
from tests.backends import fresh_database
from tests.factories import shop

MARKED = "恒瑞精密机械（苏州）有限公司"
PLAIN = "无锡新华机床有限公司"
OLD = {MARKED: "hengruijingmijixie(suzhou)youxiangongsi|hrjmjx(sz)yxgs"}  # as the code before 0032 spelled it


def test_the_migration_spells_marked_names_anew(backend: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db, "0031")
        with db.write() as conn:
            definitions.import_app(conn, shop(), Change(SYSTEM))
            app, _ = definitions.current(conn, "shop")
            now = datetime.now(UTC)
            ids = [conn.execute(insert(records).values(app="shop", form="customer", data={"name": name}, version=1,
                                                       def_version=1, created_at=now, updated_at=now)
                                .returning(records.c.id)).scalar_one() for name in (MARKED, PLAIN)]
            with monkeypatch.context() as old:
                old.setattr(pinyin, "spelled_values", lambda _form, data, _keys=None: {
                    "name": OLD.get(data["name"]) or spelled(data["name"])})
                search.index_records(conn, app.form("customer"), ids, [{"name": MARKED}, {"name": PLAIN}])
        with db.read() as conn:
            assert search.candidates(conn, "hrjmjxsz", spelled=True) == []  # not found before it
        schema.upgrade(db)
        with db.read() as conn:
            stored = dict(conn.execute(select(record_pinyin.c.record_id, record_pinyin.c.spelled)).all())
            assert stored == {ids[0]: spelled(MARKED), ids[1]: spelled(PLAIN)}
            assert search.candidates(conn, "hrjmjxsz", spelled=True) == [ids[0]]
            assert search.candidates(conn, "wxxhjc", spelled=True) == [ids[1]]
            assert search.candidates(conn, "恒瑞精密") == [ids[0]]  # the text's own words kept
