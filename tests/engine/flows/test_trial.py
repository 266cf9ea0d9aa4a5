"""The trial run: the path a flow takes on a record's values and who would be asked, without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from engine.app_check import parse_app
from engine.flows import effects as fx
from engine.flows.run import FlowContext
from engine.flows.trial import trial
from engine.org import Org

NOW = datetime(2026, 12, 5, 2, tzinfo=UTC)
ORG = Org(roles={"finance": frozenset({"cw"}), "gm": frozenset({"zong"}), "tech": frozenset({"js1", "js2"}),
                 "buyer": frozenset({"cg"})})
PURCHASE = {"format": "tangram/app@1", "key": "buy", "name": "采购", "version": "1",
            "forms": [{"key": "po", "name": "采购单", "title_field": "item", "fields": [
                {"key": "item", "type": "text", "label": "物品"},
                {"key": "amount", "type": "money", "label": "金额"},
                {"key": "state", "type": "text", "label": "状态"}]}],
            "roles": [{"key": k, "name": k, "permissions": {}} for k in ("finance", "gm", "tech", "buyer")],
            "flows": [{"key": "approve", "name": "采购审批", "form": "po", "trigger": {"on": "submit"}, "steps": [
                {"type": "approval", "name": "财务审批", "approvers": {"role": "finance"}},
                {"type": "condition", "branches": [
                    {"name": "大额", "when": "amount > 500000", "steps": [
                        {"type": "approval", "name": "总经理审批", "approvers": {"role": "gm"}}]},
                    {"name": "其他", "default": True, "steps": []}]},
                {"type": "parallel", "branches": [
                    {"name": "技术", "steps": [{"type": "approval", "name": "技术会签", "mode": "all",
                                              "approvers": {"role": "tech"}}]},
                    {"name": "采购", "steps": [{"type": "approval", "name": "采购确认", "approvers": {"role": "buyer"}}]}]},
                {"type": "wait", "duration": "P1D"},
                {"type": "action", "action": "update_record", "set": {"state": "\"已批准\""}}]}]}


def _trial(values: dict[str, Any]) -> Any:
    app = parse_app(PURCHASE)
    return trial(app.flows[0], FlowContext(values, ORG, app.form("po")), "rep", NOW)


@pytest.mark.parametrize(("amount", "general_manager"), [(600000, True), (500000, False), (None, False)],
                         ids=["over-the-threshold", "at-the-threshold", "blank"])
def test_the_trial_takes_the_branch_the_record_chooses_and_names_everyone_asked(amount: Any,
                                                                                general_manager: bool) -> None:
    result = _trial({"item": "服务器", "amount": amount})
    assert result.status == "approved"
    asked = {user for users in result.asked.values() for user in users}
    assert asked == {"cw", "js1", "js2", "cg"} | ({"zong"} if general_manager else set())
    assert [e for e in result.effects if isinstance(e, fx.UpdateRecord)][0].values == {"state": "已批准"}
    assert any(e.kind == "waited" for e in result.timeline)  # the wait was passed, not stopped at


def test_the_trial_stops_where_no_approver_can_be_found() -> None:
    app = parse_app(PURCHASE)
    result = trial(app.flows[0], FlowContext({"amount": 1}, Org(), app.form("po")), "rep", NOW)
    assert result.status == "failed" and result.asked == {}


def test_the_trial_walks_past_an_http_step_as_if_it_were_answered_without_calling() -> None:
    definition = {**PURCHASE, "flows": [{"key": "push", "name": "推送", "form": "po", "trigger": {"on": "submit"}, "steps": [
        {"type": "action", "action": "http_request", "key": "erp", "url": "https://erp.example/po"},
        {"type": "action", "action": "update_record", "set": {"state": '"已推送 " & http.erp.status'}}]}]}
    app = parse_app(definition)
    seen = trial(app.flows[0], FlowContext({"item": "轴承"}, ORG, app.form("po")), "rep", NOW)
    assert seen.status == "completed"
    assert [type(e) for e in seen.effects] == [fx.CallHttp, fx.UpdateRecord]  # shown, not sent
    assert seen.effects[1].values == {"state": "已推送 200"}
