"""A webhook step's timeline entry names where it calls without what may be a secret: everyone who
reads the record reads its timeline, while a robot's access token or a user:password sits in the URL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.app_check import parse_app
from engine.flows import effects as fx
from engine.flows.events import Start
from engine.flows.machine import advance
from engine.flows.run import FlowContext
from engine.flows.state import FlowInstanceState
from engine.org import Org

NOW = datetime(2026, 12, 6, 2, tzinfo=UTC)


def _run(url: str) -> tuple[str, str, list[fx.CallWebhook]]:
    app = parse_app({"format": "tangram/app@1", "key": "ops", "name": "运营", "version": "1.0.0",
                     "forms": [{"key": "order", "name": "订单", "title_field": "code",
                                "fields": [{"key": "code", "type": "text", "label": "编号"}]}],
                     "flows": [{"key": "sync", "name": "同步", "form": "order", "trigger": {"on": "create"},
                                "steps": [{"type": "action", "action": "webhook", "url": url,
                                           "body": {"code": "code"}}]}]})
    outcome = advance(app.flows[0], FlowInstanceState(), Start("admin"), NOW,
                      FlowContext({"code": "SO-9"}, Org(), app.form("order")))
    entry = next(e for e in outcome.state.timeline if e.kind == "webhook")
    return entry.message, entry.message_en, [e for e in outcome.effects if isinstance(e, fx.CallWebhook)]


@pytest.mark.parametrize(("url", "shown"), [
    ("https://oapi.example/robot/send?access_token=s3cr3t-tok", "https://oapi.example/robot/send?…"),
    ("https://erp:p4ss-w0rd@erp.example:8443/api/orders", "https://erp.example:8443/api/orders"),
    ("http://10.0.0.5/hook", "http://10.0.0.5/hook"),
])
def test_the_timeline_shows_host_and_path_while_the_call_keeps_the_whole_url(url: str, shown: str) -> None:
    zh, en, calls = _run(url)
    assert zh == f"调用 {shown}" and en == f"calling {shown}"
    assert "s3cr3t" not in zh + en and "p4ss" not in zh + en
    assert [c.url for c in calls] == [url]  # the delivery itself still goes to the full address
