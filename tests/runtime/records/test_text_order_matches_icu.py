"""The Chinese order Python and SQLite compare (engine/text_order.py) is PostgreSQL's ICU order,
accents, case and width included, checked on many texts."""

from __future__ import annotations

import random

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from engine.text_order import sort_key
from tests.backends import PG_URL, require_postgres


def _texts() -> list[str]:
    rng = random.Random(7)
    pool = [*"阿北重庆沈阳藏文张李王五琪鑫达华东南西北中有限公司科技吕绿", *(chr(c) for c in range(0x4E00, 0x9FA5, 37)),
            *"abcXYZ019 -_()（）·、，.&@#$％Ａｂ１①ÄéßŒ", *"aAａＡáàBｂ", "重庆", "沈阳", "藏文"]
    return sorted({"".join(rng.choice(pool) for _ in range(rng.randint(0, 8))) for _ in range(20_000)})


def test_sqlite_and_python_sort_text_as_postgresql_does() -> None:
    require_postgres()
    texts = _texts()
    engine = create_engine(PG_URL, poolclass=NullPool)
    with engine.connect() as conn:
        icu = conn.execute(text('SELECT t FROM unnest(CAST(:texts AS text[])) AS t ORDER BY t COLLATE "zh-x-icu"'),
                           {"texts": texts}).scalars().all()
    engine.dispose()
    keys = {t: sort_key(t) for t in texts}
    # Every pair in ICU's order is in the key's order, ties of case, width and accent included.
    assert [(a, b) for a, b in zip(icu, icu[1:], strict=False) if keys[a] > keys[b]] == []
    assert len(icu) == len(texts) > 15_000
