"""A filter on a related record's field (`deal.stage = "赢单"`) runs on the mirror as one pass over the
related table (a semi-join), and counts what the primary database counts: records without the relation,
related records with another value, and two records naming the same related one."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import Maker
from tests.runtime.analytics.test_mirror import _rows, _sync

APP = {
    "format": "tangram/app@1", "key": "sales", "name": "销售", "version": "1.0.0",
    "forms": [
        {"key": "deal", "name": "商机", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "名称", "required": True},
            {"key": "stage", "type": "select", "label": "阶段", "options": ["初步接洽", "赢单", "输单"]},
            {"key": "amount", "type": "money", "label": "金额"}]},
        {"key": "lead", "name": "线索", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "名称", "required": True},
            {"key": "source", "type": "select", "label": "来源", "options": ["官网", "展会"]},
            {"key": "deal", "type": "relation", "label": "商机", "target": "deal"}]},
    ],
}


def test_a_related_fields_value_filters_alike_on_both_engines(client: TestClient, make: Maker) -> None:
    make.app_def(APP)
    won = make.record("deal", {"name": "甲", "stage": "赢单", "amount": "100"}, app="sales")["id"]
    lost = make.record("deal", {"name": "乙", "stage": "输单", "amount": "200"}, app="sales")["id"]
    for name, source, deal in (("一", "官网", won), ("二", "官网", won), ("三", "展会", lost), ("四", "展会", None),
                               ("五", "展会", won)):
        make.record("lead", {"name": name, "source": source} | ({"deal": deal} if deal else {}), app="sales")
    _sync(client, make)
    widget = {"type": "bar", "form": "lead", "dimensions": [{"field": "source"}], "measures": [{"agg": "count"}],
              "filter": 'deal.stage = "赢单"'}
    rows = {engine: sorted(map(tuple, _rows(client, make, engine, widget, app="sales"))) for engine in ("primary", "mirror")}
    assert rows["mirror"] == rows["primary"]
    assert [(r[0], r[1]) for r in rows["mirror"]] == [("官网", 2), ("展会", 1)]
