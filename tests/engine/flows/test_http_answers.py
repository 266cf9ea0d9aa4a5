"""The HTTP 请求 step waits for its answer, and the steps after it read it as `http.<step key>…`, without a
database: the machine alone, answer in, effects out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from engine.app_check import parse_app
from engine.flows import effects as fx
from engine.flows.answers import KEPT_BODY
from engine.flows.events import Answered, Start
from engine.flows.machine import advance
from engine.flows.run import FlowContext
from engine.flows.state import FlowInstanceState
from tests.flows import tickets

NOW = datetime(2026, 11, 23, 2, tzinfo=UTC)
CALL = {"type": "action", "action": "http_request", "key": "push", "url": "https://erp.example/orders",
        "body": {"summary": "{{summary}}"}}


def run(*after: dict[str, Any]) -> tuple[Any, FlowContext]:
    app = parse_app(tickets({"key": "out", "name": "推送", "form": "ticket", "trigger": {"on": "submit"},
                             "steps": [CALL, *after]}))
    return app.flows[0], FlowContext({"summary": "泵坏了"}, form=app.form("ticket"))


def answer(body: Any, status: int = 200) -> dict[str, Any]:
    return {"response": {"status": status, "headers": {"set-cookie": "sid=s3cr3t"}, "cookies": {"sid": "s3cr3t"},
                         "body": body}}


def test_the_run_waits_at_the_call_and_the_next_step_reads_the_answer() -> None:
    flow, ctx = run({"type": "action", "action": "update_record", "set": {"note": "http.push.body.Result.Number"}},
                    {"type": "cc", "to": {"users": ["admin"]}, "message": "ERP {http.push.body.Result.Number}"})
    started = advance(flow, FlowInstanceState(), Start("wang"), NOW, ctx)
    assert started.state.status == "running" and started.state.waiting == ["steps[0]"]
    assert [type(e) for e in started.effects] == [fx.CallHttp]  # nothing after the call yet
    done = advance(flow, started.state, Answered("steps[0]", answer({"Result": {"Number": "XSDD01"}})), NOW, ctx)
    assert done.state.status == "completed"
    assert fx.UpdateRecord({"note": "XSDD01"}, "steps[1]") in done.effects
    assert next(e for e in done.effects if isinstance(e, fx.Notify)).message == "ERP XSDD01"
    assert done.state.answers == {"push": {"status": 200, "body": {"Result": {"Number": "XSDD01"}}}}  # no cookie


def test_an_answer_comes_once_and_only_for_a_waiting_call() -> None:
    flow, ctx = run()
    started = advance(flow, FlowInstanceState(), Start("wang"), NOW, ctx)
    done = advance(flow, started.state, Answered("steps[0]", answer({})), NOW, ctx)
    again = advance(flow, done.state, Answered("steps[0]", answer({})), NOW, ctx)
    assert done.state.status == "completed" and not again.changed


def test_a_huge_body_is_not_kept_in_the_run() -> None:
    flow, ctx = run()
    started = advance(flow, FlowInstanceState(), Start("wang"), NOW, ctx)
    done = advance(flow, started.state, Answered("steps[0]", answer("x" * (KEPT_BODY + 1))), NOW, ctx)
    assert done.state.answers["push"] == {"status": 200, "body": None}


def test_a_later_http_step_sends_an_earlier_answer() -> None:
    flow, ctx = run({**CALL, "key": "confirm", "body": {"no": "{{http.push.body.data.billNo}}"}})
    state = advance(flow, FlowInstanceState(), Start("wang"), NOW, ctx).state
    outcome = advance(flow, state, Answered("steps[0]", answer({"data": {"billNo": "SO-9"}})), NOW, ctx)
    [call] = [e for e in outcome.effects if isinstance(e, fx.CallHttp)]
    assert call.values == {"http.push.body.data.billNo": "SO-9"}
