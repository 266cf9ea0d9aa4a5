"""Due times, waits and working days, driven by the injected clock and run_due(now) — never by sleeping."""

from __future__ import annotations

from tests.factories import Maker
from tests.flows import FlowWorld, approval, approval_flow, tickets
from tests.runtime.flows.test_approval_api import ORG


def world(make: Maker, *steps: dict, **app: object) -> FlowWorld:
    w = FlowWorld(make, tickets(approval_flow(*steps), **app))
    w.org(*ORG)
    return w


def test_an_overdue_task_reminds_its_approver_once_the_clock_passes_the_due_time(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}, due="PT4H"))
    w.submit(w.record({"summary": "x"})["id"])
    w.run_jobs(hours=3)
    assert [m["title"] for m in w.messages("li")] == ["待审批"]
    w.run_jobs(hours=1, minutes=1)
    assert "审批超时提醒" in [m["title"] for m in w.messages("li")]
    assert len(w.inbox("li")) == 1  # a reminder decides nothing


def test_escalate_moves_the_task_to_the_next_level_up(make: Maker) -> None:
    w = world(make, approval({"users": ["wang"]}, due={"after": "P1D", "action": "escalate"}))
    inst = w.submit(w.record({"summary": "x"})["id"])
    w.run_jobs(days=1, minutes=1)
    assert w.inbox("wang") == []
    assert len(w.inbox("lead")) == 1  # wang's department head
    assert any(e["kind"] == "escalated" for e in w.instance(inst["id"])["timeline"])
    w.decide("lead")
    assert w.instance(inst["id"])["status"] == "approved"


def test_auto_approve_decides_when_the_due_time_passes(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}, due={"after": "PT2H", "action": "approve"}))
    inst = w.submit(w.record({"summary": "x"})["id"])
    w.run_jobs(hours=2)
    body = w.instance(inst["id"])
    assert body["status"] == "approved"
    assert any(e["comment"] == "超时自动通过" for e in body["timeline"])


def test_auto_reject_decides_when_the_due_time_passes(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}, due={"after": "PT2H", "action": "reject"}))
    inst = w.submit(w.record({"summary": "x"})["id"])
    w.run_jobs(hours=2)
    assert w.instance(inst["id"])["status"] == "rejected"


def test_a_timer_of_a_decided_task_does_nothing(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}, due={"after": "PT2H", "action": "reject"}))
    inst = w.submit(w.record({"summary": "x"})["id"])
    w.decide("li")
    w.run_jobs(hours=3)
    assert w.instance(inst["id"])["status"] == "approved"


def test_business_days_skip_the_weekend_and_the_calendars_holidays(make: Maker) -> None:
    # Submitted Monday 10:00; 4 working days, Thursday a holiday -> due the next Monday 10:00.
    w = world(make, approval({"role": "team_lead"}, due={"after": "P4D", "business": True, "action": "approve"}),
              calendar={"holidays": ["2026-11-26"]})
    inst = w.submit(w.record({"summary": "x"})["id"])
    [task] = w.inbox("li")
    assert task["due_at"].startswith("2026-11-30T02:00")
    w.run_jobs(days=6, hours=23)
    assert w.instance(inst["id"])["status"] == "running"
    w.run_jobs(hours=1)
    assert w.instance(inst["id"])["status"] == "approved"


def test_wait_for_a_duration_then_go_on(make: Maker) -> None:
    w = world(make, {"type": "wait", "duration": "P3D"})
    rec = w.record({"summary": "x"})
    inst = w.submit(rec["id"])
    assert inst["status"] == "running" and inst["waiting"] == ["steps[0]"]
    w.run_jobs(days=2)
    assert w.instance(inst["id"])["status"] == "running"
    w.run_jobs(days=1)
    assert w.instance(inst["id"])["status"] == "completed"
    assert w.get_record(rec["id"])["data"]["status"] == "已批准"


def test_wait_until_a_date_field_plus_an_offset(make: Maker) -> None:
    w = world(make, {"type": "wait", "until": "due_on", "offset": "P1D"})
    rec = w.record({"summary": "x", "due_on": "2026-11-25"})
    inst = w.submit(rec["id"])
    w.run_jobs(days=2)  # Wednesday 10:00 local: the 25th has begun, but not the 26th
    assert w.instance(inst["id"])["status"] == "running"
    w.run_jobs(days=1)
    assert w.instance(inst["id"])["status"] == "completed"


def test_wait_until_a_blank_or_past_date_does_not_wait(make: Maker) -> None:
    w = world(make, {"type": "wait", "until": "due_on"})
    assert w.submit(w.record({"summary": "x"})["id"])["status"] == "completed"
    assert w.submit(w.record({"summary": "y", "due_on": "2020-01-01"})["id"])["status"] == "completed"


def test_deleting_a_waiting_record_withdraws_its_flow_and_the_timer_then_does_nothing(make: Maker) -> None:
    w = world(make, {"type": "wait", "duration": "P1D"})
    rec = w.record({"summary": "x"})
    inst = w.submit(rec["id"])
    r = w.client.delete(f"/api/v1/apps/tickets/forms/ticket/records/{rec['id']}", headers=w.h("admin"))
    assert r.status_code == 200
    assert w.instance(inst["id"])["status"] == "cancelled"
    w.run_jobs(days=2)
    assert w.client.get("/api/v1/jobs?status=failed&status=dead", headers=w.h("admin")).json()["items"] == []


def test_sla_stages_remind_escalate_to_named_users_and_approve_by_themselves(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}, sla=[
        {"after": "PT1H", "do": "remind"}, {"after": "PT2H", "do": "escalate", "to": ["zhang"]},
        {"after": "PT3H", "do": "auto_approve"}]))
    inst = w.submit(w.record({"summary": "x"})["id"])
    w.run_jobs(hours=1, minutes=1)
    assert "审批超时提醒" in [m["title"] for m in w.messages("li")] and len(w.inbox("li")) == 1
    w.run_jobs(hours=1)
    assert w.inbox("li") == [] and len(w.inbox("zhang")) == 1
    w.run_jobs(hours=1)
    body = w.instance(inst["id"])
    assert body["status"] == "approved"
    assert [e["kind"] for e in body["timeline"] if e["kind"] in ("reminded", "escalated", "approved")] == [
        "reminded", "escalated", "approved", "approved"]


def test_a_decided_task_runs_none_of_its_later_sla_stages(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}, sla=[{"after": "PT1H", "do": "remind"},
                                                         {"after": "PT2H", "do": "auto_reject"}]))
    inst = w.submit(w.record({"summary": "x"})["id"])
    w.run_jobs(hours=1, minutes=1)
    w.decide("li")
    w.run_jobs(hours=3)
    assert w.instance(inst["id"])["status"] == "approved"


def test_a_one_stage_due_escalates_to_the_users_it_names(make: Maker) -> None:
    w = world(make, approval({"users": ["wang"]}, due={"after": "P1D", "action": "escalate", "escalate_to": ["tian"]}))
    w.submit(w.record({"summary": "x"})["id"])
    w.run_jobs(days=1, minutes=1)
    assert w.inbox("wang") == [] and w.inbox("lead") == [] and len(w.inbox("tian")) == 1
