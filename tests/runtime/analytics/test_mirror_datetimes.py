"""Date-times on the mirror are read as the typed UTC columns they are (no text formatted and parsed a row):
the local day of a moment just before and just after midnight in the app's zone, a day count between two
moments, and comparing two moments to the second give what the primary database gives, and what Python
computes."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Maker
from tests.runtime.analytics.test_mirror import _rows, _sync

APP = {
    "format": "tangram/app@1", "key": "clock", "name": "到访", "version": "1.0.0",
    "forms": [{"key": "visit", "name": "到访", "title_field": "name", "fields": [
        {"key": "name", "type": "text", "label": "名称", "required": True},
        {"key": "arrived", "type": "datetime", "label": "到达"},
        {"key": "left", "type": "datetime", "label": "离开"},
    ]}],
}
VISITS = [  # Asia/Shanghai is UTC+8: 15:59:59Z is 23:59:59 there, 16:00:01Z the next day
    ("跨午夜", "2026-11-01T15:59:59Z", "2026-11-01T16:00:01Z"),  # 2 s apart, 1 local day
    ("同一秒", "2026-11-03T10:00:00Z", "2026-11-03T10:00:00Z"),
    ("三天", "2026-11-04T16:30:00Z", "2026-11-07T15:59:00Z"),  # local 11-05 00:30 → 11-07 23:59: 2 days
    ("倒序", "2026-11-09T12:00:00Z", "2026-11-08T12:00:00Z"),
]


def _widget(**extra: Any) -> dict[str, Any]:
    return {"type": "table", "form": "visit", "dimensions": [{"field": "name"}], **extra}


def test_local_days_and_order_of_moments_agree_on_both_engines(client: TestClient, make: Maker) -> None:
    make.app_def(APP)
    for name, arrived, left in VISITS:
        make.record("visit", {"name": name, "arrived": arrived, "left": left}, app="clock")
    _sync(client, make)
    days = _widget(measures=[{"key": "days", "expr": 'SUM(DATEDIF(arrived, left, "D"))', "label": "天数"}],
                   filter="left >= arrived")
    local_day = _widget(measures=[{"key": "d", "expr": "SUM(DAY(arrived))", "label": "到达日"},
                                  {"key": "same", "expr": "SUM(IF(arrived = left, 1, 0))", "label": "同时"}])
    found = {engine: (sorted(map(tuple, _rows(client, make, engine, days, app="clock"))),
                      sorted(map(tuple, _rows(client, make, engine, local_day, app="clock"))))
             for engine in ("primary", "mirror")}
    assert found["mirror"] == found["primary"]
    by_name = {row[0]: row[1:] for row in found["mirror"][0]}
    assert {k: float(v[0]) for k, v in by_name.items()} == {"跨午夜": 1, "同一秒": 0, "三天": 2}  # 倒序 filtered out
    arrivals = {row[0]: (float(row[1]), float(row[2])) for row in found["mirror"][1]}
    assert arrivals == {"跨午夜": (1, 0), "同一秒": (3, 1), "三天": (5, 0), "倒序": (9, 0)}
