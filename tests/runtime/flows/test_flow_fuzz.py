"""Random flow definitions and random task bodies never get a 500: a 201, or a 4xx that names the problem."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import Maker
from tests.flows import FlowWorld, approval, approval_flow, tickets
from tests.runtime.api.test_no_server_errors import JSON

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TEXT = st.sampled_from(["cost > 1", "summary", "", "cost >", "keeper", "ghost", '"已批准"', "P1D", "PT2H", "-P3D",
                        "0 9 * * *", "team_lead", "due_on", "http://127.0.0.1:9/x"])
VALUE = TEXT | JSON
STEP = st.fixed_dictionaries(
    {"type": st.sampled_from(["approval", "notify", "cc", "condition", "parallel", "action", "wait", "bogus"])},
    optional={"action": st.sampled_from(["update_record", "create_record", "webhook", "notify", "assign", "task",
                                         "delete_record", "x"]),
              "approvers": st.dictionaries(st.sampled_from(["users", "role", "department_head", "field"]), VALUE,
                                           max_size=2),
              "mode": st.sampled_from(["any", "all", "sequential", "n_of_m", "x"]), "required": VALUE,
              "due": VALUE, "duration": VALUE, "until": VALUE, "set": st.dictionaries(TEXT, TEXT, max_size=2),
              "branches": st.lists(st.dictionaries(st.sampled_from(["when", "default", "steps"]), VALUE, max_size=3),
                                   max_size=2),
              "channel": VALUE, "to": VALUE, "message": VALUE, "form": VALUE, "values": VALUE, "url": VALUE,
              "rules": VALUE, "field": VALUE,
              "related": VALUE | st.dictionaries(st.sampled_from(["form", "field", "when"]), VALUE, max_size=3)})
TRIGGER = st.fixed_dictionaries({"on": st.sampled_from(["submit", "create", "update", "schedule", "date", "webhook",
                                                         "x"])},
                                optional={"when": TEXT, "fields": VALUE, "cron": TEXT, "field": TEXT, "offset": TEXT,
                                          "token": VALUE, "repeat": VALUE})


@FUZZ
@given(trigger=TRIGGER, steps=st.lists(STEP, max_size=3), extra=st.dictionaries(
    st.sampled_from(["on_reject", "lock_record", "enabled", "form"]), VALUE, max_size=2))
def test_random_flow_definitions_get_201_or_422(make: Maker, trigger: dict[str, Any], steps: list[Any],
                                               extra: dict[str, Any]) -> None:
    flow = {"key": "f", "name": "流程", "form": "ticket", "trigger": trigger, "steps": steps, **extra}
    r = make.client.post("/api/v1/apps", json=tickets(flow, key=f"t{abs(hash(str(flow))) % 10**9}"), headers=make.admin)
    assert r.status_code in (201, 422), r.text
    if r.status_code == 422:
        assert r.json()["error"]["details"], r.text


@FUZZ
@given(action=st.sampled_from(["approve", "reject", "return", "transfer", "add-approvers", "complete"]),
       body=JSON | st.dictionaries(st.sampled_from(["comment", "to", "users"]), VALUE, max_size=3))
def test_random_task_decisions_get_a_2xx_or_a_named_4xx(make: Maker, action: str, body: Any) -> None:
    if not hasattr(make, "flow_world"):
        w = FlowWorld(make, tickets(approval_flow(approval({"users": ["li"]}))))
        w.users("li")
        w.submit(w.record({"summary": "x"})["id"])
        make.flow_world = w  # type: ignore[attr-defined]
    w = make.flow_world  # type: ignore[attr-defined]
    tasks = w.client.get("/api/v1/tasks?status=open", headers=w.h("li")).json()["items"]
    if not tasks:
        w.submit(w.record({"summary": "y"})["id"])
        tasks = w.client.get("/api/v1/tasks?status=open", headers=w.h("li")).json()["items"]
    r = w.client.post(f"/api/v1/tasks/{tasks[0]['id']}/{action}", json=body, headers=w.h("li"))
    assert r.status_code in (200, 400, 409, 422), r.text
