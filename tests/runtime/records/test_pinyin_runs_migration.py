"""Migration 0031 writes the pinyin words of the search index anew (runs of five letters, where they were
runs of three in hex) for the records stored before it, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, text

from runtime.apps import definitions
from runtime.db import schema
from runtime.db.tables import records
from runtime.records import search
from runtime.records.context import SYSTEM, Change
from tests.backends import fresh_database
from tests.factories import shop

MEANT, OTHER = "丰正鑫科技有限公司", "星鑫丰正科技有限公司"
SPELLED = {MEANT: "fengzhengxinkejiyouxiangongsi|fzxkjyxgs", OTHER: "xingxinfengzhengkejiyouxiangongsi|xxfzkjyxgs"}


def _runs_of_three(spellings: str) -> str:
    """The document's pinyin words as written before 0031: each run of three letters, four hex digits a letter."""
    hexed = [s.encode("utf-16-be").hex() for s in spellings.split("|")]
    return " ".join({h[i : i + 12] for h in hexed for i in range(0, len(h) - 8, 4)})


def test_the_migration_writes_the_pinyin_words_anew(backend: str, tmp_path: Any) -> None:
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db, "0030")
        with db.write() as conn:
            definitions.import_app(conn, shop(), Change(SYSTEM))
            now = datetime.now(UTC)
            ids = {}
            for name in (MEANT, OTHER):
                ids[name] = conn.execute(
                    insert(records)
                    .values(
                        app="shop",
                        form="customer",
                        data={"name": name},
                        version=1,
                        def_version=1,
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(records.c.id)
                ).scalar_one()
                key = "id" if backend == "postgresql" else "rowid"
                conn.execute(
                    text(f"INSERT INTO record_search ({key}, words) VALUES (:id, :words)"),
                    {"id": ids[name], "words": _runs_of_three(SPELLED[name])},
                )
        schema.upgrade(db)
        with db.read() as conn:
            assert search.candidates(conn, "fengzhengxin", spelled=True) == [ids[MEANT]]
            assert search.candidates(conn, "xxfz", spelled=True) == [ids[OTHER]]
