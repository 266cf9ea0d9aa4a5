"""A 定时 (schedule) trigger's condition runs in the database on SQLite and PostgreSQL alike, with the date
functions the condition picker writes: a fixed day `DATE(y, m, d)`, `TODAY()` and `DATEDIF(…, "D")`."""

from __future__ import annotations

import pytest

from tests.factories import Maker
from tests.flows import FlowWorld, tickets
from tests.runtime.flows.test_automations import flow, set_note


@pytest.mark.parametrize(
    "when",
    [
        "due_on < DATE(2026, 3, 1)",
        'DATEDIF(due_on, DATE(2026, 3, 1), "D") > 0',
        'DATEDIF(due_on, TODAY(), "D") > 268',  # the run is on 24 November 2026: 268 days after 1 March
        "(YEAR(due_on) = YEAR(DATE(2026, 2, 28)) AND MONTH(due_on) < MONTH(DATE(2026, 3, 31)))",
    ],
    ids=["date-before-fixed-day", "datedif-to-fixed-day", "datedif-to-today", "year-month-of-fixed-days"],
)
def test_a_schedule_condition_with_a_fixed_day_is_saved_and_picks_the_records_before_it(make: Maker, when: str) -> None:
    w = FlowWorld(make, tickets(flow({"on": "schedule", "cron": "0 9 * * *", "when": when}, set_note('"逾期"'))))
    early = w.record({"summary": "早", "due_on": "2026-02-28"})["id"]
    on_day = w.record({"summary": "当天", "due_on": "2026-03-01"})["id"]
    blank = w.record({"summary": "无日期"})["id"]
    w.run_jobs()
    w.run_jobs(hours=23)  # 09:00 on the 24th
    notes = [w.get_record(i)["data"].get("note") for i in (early, on_day, blank)]
    assert notes == ["逾期", None, None]


def test_a_schedule_condition_the_database_cannot_run_is_still_refused_by_name(make: Maker) -> None:
    definition = tickets(flow({"on": "schedule", "cron": "0 9 * * *", "when": 'DATEDIF(due_on, TODAY(), "M") > 1'}))
    r = make.client.post("/api/v1/apps", json=definition, headers=make.admin)
    assert r.status_code == 422, r.text
    [issue] = [d for d in r.json()["error"]["details"] if d["code"] == "not_in_database"]
    assert issue["path"] == "flows[0].trigger.when" and "DATEDIF()" in issue["message"]
