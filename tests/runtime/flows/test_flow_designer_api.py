"""The flow designer's API: flows saved whole into the draft (refused with JSON paths when broken), copied,
removed only when nothing runs, listed with their running instances per version, and a trial run that
shows the path a record would take and who would be asked, writing nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from runtime.accounts.org import set_role_members
from runtime.db.tables import flow_instances, flow_tasks
from tests.factories import Maker
from tests.flows import FlowWorld, approval, approval_flow, tickets

DRAFT = "/api/v1/apps/tickets/draft/flows"

BIG_SPEND = {"key": "big_spend", "name": "大额报修", "form": "ticket", "trigger": {"on": "submit"}, "steps": [
    approval({"role": "team_lead"}, name="班组长审批"),
    {"type": "condition", "branches": [
        {"name": "大额", "when": "cost > 5000", "steps": [approval({"role": "director"}, name="厂长审批")]},
        {"name": "其他", "default": True, "steps": []}]},
    {"type": "action", "action": "update_record", "set": {"status": '"已批准"'}}]}


def _world(make: Maker) -> FlowWorld:
    w = FlowWorld(make, tickets(approval_flow(approval({"role": "team_lead"}))))
    w.org([], {}, {"team_lead": ["li"], "director": ["zhao"]})
    return w


def _count(w: FlowWorld, table: Any) -> int:
    with w.app.state.db.read() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def test_a_flow_saved_whole_into_the_draft_is_listed_and_published(make: Maker) -> None:
    w = _world(make)
    r = w.client.put(f"{DRAFT}/big_spend", json=BIG_SPEND, headers=w.h("admin"))
    assert r.status_code == 200, r.text
    assert r.json()["steps"][1]["branches"][0]["when"] == "cost > 5000"
    listed = w.client.get(DRAFT, headers=w.h("admin")).json()
    assert [i["flow"]["key"] for i in listed["items"]] == ["approve", "big_spend"]
    assert all(i["running_total"] == 0 for i in listed["items"])
    assert w.client.post("/api/v1/apps/tickets/publish", headers=w.h("admin")).status_code == 200
    w.submit(w.record({"summary": "锅炉", "cost": "8000"})["id"], flow="big_spend")
    listed = w.client.get(DRAFT, headers=w.h("admin")).json()
    mine = next(i for i in listed["items"] if i["flow"]["key"] == "big_spend")
    assert mine["running"] == {str(listed["version"]): 1} and mine["running_total"] == 1


def test_a_broken_flow_is_refused_at_its_path_and_the_draft_is_unchanged(make: Maker) -> None:
    w = _world(make)
    broken = {**BIG_SPEND, "steps": [{"type": "condition", "branches": [
        {"when": "nosuch > 1", "steps": []}, {"default": True, "steps": []}]}]}
    r = w.client.put(f"{DRAFT}/big_spend", json=broken, headers=w.h("admin"))
    assert r.status_code == 422
    assert [d["path"] for d in r.json()["error"]["details"]] == ["flows[1].steps[0].branches[0].when"]
    assert [i["flow"]["key"] for i in w.client.get(DRAFT, headers=w.h("admin")).json()["items"]] == ["approve"]
    r = w.client.put(f"{DRAFT}/other_key", json=BIG_SPEND, headers=w.h("admin"))
    assert r.status_code == 400 and r.json()["error"]["field"] == "key"


def test_a_copy_is_switched_off_and_a_taken_key_is_refused(make: Maker) -> None:
    w = _world(make)
    r = w.client.post(f"{DRAFT}/approve/copy", json={"key": "approve_2"}, headers=w.h("admin"))
    assert r.status_code == 201 and r.json()["enabled"] is False and r.json()["name"] == "费用审批（副本）"
    assert w.client.post(f"{DRAFT}/approve/copy", json={"key": "approve_2"}, headers=w.h("admin")).status_code == 409


def test_a_flow_with_running_instances_cannot_be_removed(make: Maker) -> None:
    w = _world(make)
    instance = w.submit(w.record({"summary": "漏水"})["id"])
    r = w.client.delete(f"{DRAFT}/approve", headers=w.h("admin"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "flow_running"
    assert r.json()["error"]["running"] == 1
    assert w.client.post(f"/api/v1/flow-instances/{instance['id']}/cancel", json={},
                         headers=w.h("admin")).status_code == 200
    assert w.client.delete(f"{DRAFT}/approve", headers=w.h("admin")).status_code == 204
    assert w.client.get(DRAFT, headers=w.h("admin")).json()["items"] == []


def test_a_trial_shows_the_path_and_the_approvers_and_writes_nothing(make: Maker) -> None:
    w = _world(make)
    w.client.put(f"{DRAFT}/big_spend", json=BIG_SPEND, headers=w.h("admin"))
    big, small = w.record({"summary": "电机", "cost": "9000"}), w.record({"summary": "灯泡", "cost": "30"})
    before = (_count(w, flow_instances), _count(w, flow_tasks))
    r = w.client.post(f"{DRAFT}/big_spend/trial", json={"record_id": big["id"]}, headers=w.h("admin"))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"
    assert r.json()["asked"] == {"steps[0]": ["li"], "steps[1].branches[0].steps[0]": ["zhao"]}
    assert [e["effect"] for e in r.json()["effects"] if e["effect"] == "UpdateRecord"] == ["UpdateRecord"]
    r = w.client.post(f"{DRAFT}/big_spend/trial", json={"record_id": small["id"]}, headers=w.h("admin"))
    assert r.json()["asked"] == {"steps[0]": ["li"]}
    assert (_count(w, flow_instances), _count(w, flow_tasks)) == before
    assert w.get_record(big["id"])["data"]["status"] == "草稿" and w.get_record(big["id"])["version"] == 1


def test_a_trial_of_the_unsaved_flow_the_designer_holds(make: Maker) -> None:
    w = _world(make)
    record = w.record({"summary": "电机", "cost": "9000"})
    lower = {**BIG_SPEND, "steps": [BIG_SPEND["steps"][1] | {"branches": [
        {"name": "大额", "when": "cost > 50000", "steps": [approval({"role": "director"})]},
        {"name": "其他", "default": True, "steps": []}]}]}
    r = w.client.post(f"{DRAFT}/big_spend/trial", json={"record_id": record["id"], "definition": lower},
                      headers=w.h("admin"))
    assert r.status_code == 200 and r.json()["asked"] == {}
    assert r.json()["status"] == "approved"  # a flow with approval steps ends approved, even when none was on its path


def test_the_designer_is_for_those_who_manage_the_app(make: Maker) -> None:
    w = _world(make)
    record = w.record({"summary": "电机"})
    assert w.client.get(DRAFT, headers=w.h("li")).status_code == 403
    assert w.client.put(f"{DRAFT}/big_spend", json=BIG_SPEND, headers=w.h("li")).status_code == 403
    assert w.client.post(f"{DRAFT}/approve/trial", json={"record_id": record["id"]},
                         headers=w.h("li")).status_code == 403
    r = w.client.post(f"{DRAFT}/approve/trial", json={"record_id": 999999}, headers=w.h("admin"))
    assert r.status_code == 404


def test_the_canvas_edits_steps_and_branches_by_path(make: Maker) -> None:
    w = _world(make)
    h = w.h("admin")
    w.client.put(f"{DRAFT}/big_spend", json=BIG_SPEND, headers=h)
    r = w.client.post(f"{DRAFT}/big_spend/steps", json={"at": "steps[1].branches[0].steps[1]", "step": {
        "type": "cc", "to": {"role": "board"}, "message": "{summary} 大额报修"}}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["steps"][1]["branches"][0]["steps"][1]["type"] == "cc"
    r = w.client.post(f"{DRAFT}/big_spend/branches", json={"path": "steps[1]", "branch": {
        "name": "中额", "when": "cost > 1000"}}, headers=h)
    assert [b["name"] for b in r.json()["steps"][1]["branches"]] == ["大额", "中额", "其他"]
    r = w.client.patch(f"{DRAFT}/big_spend/steps", params={"path": "steps[0]"}, json={"mode": "all"}, headers=h)
    assert r.status_code == 200 and r.json()["steps"][0]["mode"] == "all"
    r = w.client.post(f"{DRAFT}/big_spend/steps/move", json={"path": "steps[2]", "to": "steps[0]"}, headers=h)
    assert [s["type"] for s in r.json()["steps"]] == ["action", "approval", "condition"]
    r = w.client.delete(f"{DRAFT}/big_spend/branches", params={"path": "steps[2]", "index": 1}, headers=h)
    assert [b["name"] for b in r.json()["steps"][2]["branches"]] == ["大额", "其他"]
    r = w.client.delete(f"{DRAFT}/big_spend/steps", params={"path": "steps[0]"}, headers=h)
    assert [s["type"] for s in r.json()["steps"]] == ["approval", "condition"]
    assert w.client.post("/api/v1/apps/tickets/publish", headers=h).status_code == 200


def test_a_canvas_edit_the_engine_refuses_changes_nothing(make: Maker) -> None:
    w = _world(make)
    h = w.h("admin")
    w.client.put(f"{DRAFT}/big_spend", json=BIG_SPEND, headers=h)
    r = w.client.patch(f"{DRAFT}/big_spend/steps", params={"path": "steps[0]"},
                       json={"approvers": {"role": "nosuch"}}, headers=h)
    assert r.status_code == 422
    assert [d["path"] for d in r.json()["error"]["details"]] == ["flows[1].steps[0].approvers.role"]
    r = w.client.delete(f"{DRAFT}/big_spend/branches", params={"path": "steps[1]", "index": 1}, headers=h)
    assert r.status_code == 422  # a condition without its default branch
    assert w.client.delete(f"{DRAFT}/big_spend/steps", params={"path": "steps[7]"}, headers=h).status_code == 404
    r = w.client.post(f"{DRAFT}/big_spend/steps/move", json={"path": "steps[1]", "to": "steps[1].branches[0].steps[0]"},
                      headers=h)
    assert r.status_code == 400 and r.json()["error"]["field"] == "to"
    r = w.client.patch(f"{DRAFT}/big_spend/steps", params={"path": "steps]["}, json={}, headers=h)
    assert r.status_code == 400 and r.json()["error"]["field"] == "path"
    saved = next(i["flow"] for i in w.client.get(DRAFT, headers=h).json()["items"] if i["flow"]["key"] == "big_spend")
    assert saved["steps"] == w.client.put(f"{DRAFT}/big_spend", json=BIG_SPEND, headers=h).json()["steps"]


def test_a_trial_shows_no_values_to_a_designer_who_does_not_see_every_field(make: Maker) -> None:
    designer = {"key": "designer", "name": "流程设计", "permissions": {
        "*": {"read": "all", "manage": True},
        "ticket": {"read": "all", "manage": True, "fields": {"cost": "hidden"}}}}
    copy_cost = {"type": "action", "action": "update_record", "set": {"note": 'CONCAT("预计 ", cost)'}}
    w = FlowWorld(make, tickets(approval_flow(copy_cost), roles=[*tickets()["roles"], designer]))
    w.org([], {}, {"designer": ["sun"]})
    with w.app.state.db.write() as conn:
        set_role_members(conn, "tickets", "member", [])  # sun holds only the designer role
    record = w.record({"summary": "锅炉", "cost": "8888"})
    seen = w.client.post(f"{DRAFT}/approve/trial", json={"record_id": record["id"]}, headers=w.h("sun"))
    assert seen.status_code == 200, seen.text
    assert "8888" not in seen.text and seen.json()["effects"][0] == {"effect": "UpdateRecord"}
    full = w.client.post(f"{DRAFT}/approve/trial", json={"record_id": record["id"]}, headers=w.h("admin"))
    assert "8888" in full.text  # an administrator sees what the actions would write


def test_a_branch_moves_with_its_steps_and_a_refused_move_changes_nothing(make: Maker) -> None:
    w = _world(make)
    h = w.h("admin")
    w.client.put(f"{DRAFT}/big_spend", json=BIG_SPEND, headers=h)
    w.client.post(f"{DRAFT}/big_spend/branches", json={"path": "steps[1]", "branch": {
        "name": "中额", "when": "cost > 1000"}}, headers=h)
    r = w.client.post(f"{DRAFT}/big_spend/branches/move", json={"path": "steps[1]", "branch": 0, "to": 2},
                      headers=h)
    assert r.status_code == 200, r.text
    branches = r.json()["steps"][1]["branches"]
    assert [b["name"] for b in branches] == ["中额", "大额", "其他"]
    assert branches[1]["steps"][0]["name"] == "厂长审批"  # the branch's steps came along
    # after the default branch a branch can never run: the engine refuses, the draft stays as it was
    r = w.client.post(f"{DRAFT}/big_spend/branches/move", json={"path": "steps[1]", "branch": 0, "to": 3},
                      headers=h)
    assert r.status_code == 422
    assert [d["path"] for d in r.json()["error"]["details"]] == ["flows[1].steps[1].branches[2]"]
    r = w.client.post(f"{DRAFT}/big_spend/branches/move", json={"path": "steps[1]", "branch": 0, "to": 9},
                      headers=h)
    assert r.status_code == 400 and r.json()["error"]["field"] == "to"
    r = w.client.post(f"{DRAFT}/big_spend/branches/move", json={"path": "steps[0]", "branch": 0, "to": 0},
                      headers=h)
    assert r.status_code == 404
    saved = next(i["flow"] for i in w.client.get(DRAFT, headers=h).json()["items"] if i["flow"]["key"] == "big_spend")
    assert [b["name"] for b in saved["steps"][1]["branches"]] == ["中额", "大额", "其他"]
    assert w.client.post(f"{DRAFT}/big_spend/branches/move", json={"path": "steps[1]", "branch": 0, "to": 1},
                         headers=w.h("li")).status_code == 403


def test_the_panels_choices_are_the_directory_the_roles_and_the_forms_fields(make: Maker) -> None:
    w = _world(make)
    w.org([("plant", None, "zhao")], {"li": ["plant"]}, {})
    r = w.client.get(f"{DRAFT}/approve/choices", headers=w.h("admin"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert {"admin", "li", "zhao"} <= {u["username"] for u in body["users"]}
    assert body["departments"] == [{"key": "plant", "name": "plant"}]
    assert [x["key"] for x in body["roles"]][:2] == ["team_lead", "director"]
    assert [f["key"] for f in body["forms"]] == ["ticket", "work_order"]  # the flow's own form first
    title = next(x for x in body["forms"][1]["fields"] if x["key"] == "title")
    assert title == {"key": "title", "label": "标题", "type": "text", "computed": False, "matchable": True}
    # 新建记录's panel: a relation says its target form (for `link`)
    ticket = next(x for x in body["forms"][1]["fields"] if x["key"] == "ticket")
    assert ticket == {"key": "ticket", "label": "报修单", "type": "relation", "computed": False, "matchable": True,
                      "target": "ticket"}
    assert w.client.get(f"{DRAFT}/approve/choices", headers=w.h("li")).status_code == 403
    assert w.client.get(f"{DRAFT}/nosuch/choices", headers=w.h("admin")).status_code == 404
def test_the_trigger_is_changed_after_creation_and_null_removes_an_option(make: Maker) -> None:
    w = _world(make)
    url = f"{DRAFT}/approve/trigger"
    r = w.client.patch(url, json={"on": "update", "fields": ["status"], "when": 'status = "已批准" AND cost > 10000'},
                       headers=w.h("admin"))
    assert r.status_code == 200, r.text
    assert r.json()["trigger"] == {"on": "update", "fields": ["status"], "when": 'status = "已批准" AND cost > 10000'}
    r = w.client.patch(url, json={"on": "schedule", "cron": "30 8 * * 1", "fields": None}, headers=w.h("admin"))
    assert r.json()["trigger"] == {"on": "schedule", "cron": "30 8 * * 1", "when": 'status = "已批准" AND cost > 10000'}
    stored = w.client.get(DRAFT, headers=w.h("admin")).json()["items"][0]["flow"]["trigger"]
    assert stored["cron"] == "30 8 * * 1"


def test_a_broken_trigger_is_refused_at_its_option_and_the_draft_keeps_the_old_one(make: Maker) -> None:
    w = _world(make)
    url = f"{DRAFT}/approve/trigger"
    r = w.client.patch(url, json={"on": "schedule", "cron": "61 8 * * *"}, headers=w.h("admin"))
    assert r.status_code == 422
    assert [d["path"] for d in r.json()["error"]["details"]] == ["flows[0].trigger.cron"]
    r = w.client.patch(url, json={"on": "date", "field": "summary", "offset": "-P3D"}, headers=w.h("admin"))
    assert [d["path"] for d in r.json()["error"]["details"]] == ["flows[0].trigger.field"]
    r = w.client.patch(url, json={"on": "update", "fields": ["nosuch"]}, headers=w.h("admin"))
    assert [d["path"] for d in r.json()["error"]["details"]] == ["flows[0].trigger.fields[0]"]
    assert w.client.get(DRAFT, headers=w.h("admin")).json()["items"][0]["flow"]["trigger"] == {"on": "submit"}


def test_next_runs_of_a_weekly_schedule_are_the_next_three_mondays_in_the_server_zone(make: Maker) -> None:
    w = _world(make)  # the clock stands on Monday 2026-11-23 10:00 in Shanghai
    r = w.client.get(f"{DRAFT}/approve/trigger/next-runs", params={"cron": "30 8 * * 1"}, headers=w.h("admin"))
    assert r.status_code == 200, r.text
    assert r.json()["runs"] == ["2026-11-30T08:30:00+08:00", "2026-12-07T08:30:00+08:00", "2026-12-14T08:30:00+08:00"]
    bad = w.client.get(f"{DRAFT}/approve/trigger/next-runs", params={"cron": "30 8 * *"}, headers=w.h("admin"))
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "cron"
    assert w.client.get(f"{DRAFT}/approve/trigger/next-runs", params={"cron": "0 9 * * *"},
                        headers=w.h("li")).status_code in (403, 404)


def test_an_expression_is_checked_against_the_draft_form_with_the_position_of_its_error(make: Maker) -> None:
    w = _world(make)
    url = "/api/v1/apps/tickets/draft/forms/ticket/check-expression"
    r = w.client.post(url, json={"expression": 'status = "已批准" AND cost > 10000'}, headers=w.h("admin"))
    assert r.status_code == 200, r.text
    assert r.json() == {"type": "bool", "fields": ["cost", "status"], "not_in_database": []}
    r = w.client.post(url, json={"expression": "cost > 1 AND nosuch = 2"}, headers=w.h("admin"))
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "invalid_expression" and (error["line"], error["column"]) == (1, 14)
    assert "nosuch" in error["message"]
    r = w.client.post(url, json={"expression": "cost + 1"}, headers=w.h("admin"))
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_expression"
    assert w.client.post(url, json={"expression": "cost + 1", "expect": None}, headers=w.h("admin")).json()["type"] == "number"
    r = w.client.post(url, json={"expression": 'status = ["已批准"]'}, headers=w.h("admin"))  # a list outside IN
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_expression"
    assert w.client.post("/api/v1/apps/tickets/draft/forms/nosuch/check-expression", json={"expression": "TRUE"},
                         headers=w.h("admin")).status_code == 404
    assert w.client.post(url, json={"expression": "TRUE"}, headers=w.h("li")).status_code in (403, 404)
