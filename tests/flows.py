"""Flow test helpers: an app with flows, an organisation set up through storage, a movable clock, and the
job worker driven by that clock (never by sleeping)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from runtime.accounts import user_search
from runtime.accounts.org import create_department, set_role_members, set_user_departments
from runtime.accounts.users import issue_token
from runtime.db.tables import role_members
from runtime.db.tables import users as users_table
from runtime.jobs.worker import run_due
from tests.factories import Maker

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai

TICKETS = {
    "format": "tangram/app@1", "key": "tickets", "name": "报修", "version": "1.0.0",
    "forms": [
        {"key": "ticket", "name": "报修单", "title_field": "summary", "fields": [
            {"key": "summary", "type": "text", "label": "故障概述", "required": True},
            {"key": "cost", "type": "money", "label": "预计费用"},
            {"key": "urgency", "type": "select", "label": "紧急程度", "options": ["一般", "紧急", "特急"]},
            {"key": "status", "type": "select", "label": "状态", "options": ["草稿", "审批中", "已批准", "已驳回"],
             "default": "草稿"},
            {"key": "keeper", "type": "user", "label": "负责人"},
            {"key": "due_on", "type": "date", "label": "期望完成"},
            {"key": "note", "type": "text", "label": "备注"},
        ]},
        {"key": "work_order", "name": "工单", "title_field": "title", "fields": [
            {"key": "title", "type": "text", "label": "标题", "required": True},
            {"key": "ticket", "type": "relation", "label": "报修单", "target": "ticket"},
            {"key": "budget", "type": "money", "label": "预算"},
        ]},
    ],
    "roles": [{"key": "team_lead", "name": "班组长"}, {"key": "director", "name": "厂长"},
              {"key": "board", "name": "董事会"}, {"key": "tech", "name": "技术"}, {"key": "buyer", "name": "采购"}],
}


def tickets(*flows: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The TICKETS app with these flows."""
    definition = copy.deepcopy(TICKETS)
    definition["flows"] = list(flows)
    definition.update(changes)
    return definition


def approval_flow(*steps: dict[str, Any], **changes: Any) -> dict[str, Any]:
    flow = {"key": "approve", "name": "费用审批", "form": "ticket", "trigger": {"on": "submit"},
            "steps": list(steps) + [{"type": "action", "action": "update_record", "set": {"status": '"已批准"'}}],
            "on_reject": {"set": {"status": '"已驳回"'}}}
    flow.update(changes)
    return flow


def approval(approvers: dict[str, Any], mode: str = "any", **more: Any) -> dict[str, Any]:
    return {"type": "approval", "name": more.pop("name", "审批"), "approvers": approvers, "mode": mode, **more}


MEMBER = {"key": "member", "name": "成员", "permissions": {"*": {"create": True, "read": "all", "update": "all"}}}


def with_member_role(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition plus a role every test user holds: create, read and update everything."""
    definition = copy.deepcopy(definition)
    definition["roles"] = [*definition.get("roles", []), MEMBER]
    return definition


class Clock:
    """The app's injected clock; `advance` moves it."""

    def __init__(self, app: Any, start: datetime = T0) -> None:
        self.now, self.app = start, app
        app.state.clock = lambda: self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class FlowWorld:
    """Users (org + roles), the app, the clock; helpers over the HTTP API."""

    def __init__(self, make: Maker, definition: dict[str, Any]) -> None:
        self.make, self.client, self.app = make, make.client, make.app
        self.clock = Clock(self.app)
        self.key = definition["key"]
        self.users("admin")
        make.app_def(with_member_role(definition))

    def users(self, *names: str) -> None:
        """Users with a token each, made in storage: no password hashing, so many users stay cheap."""
        with self.app.state.db.write() as conn:
            for name in names:
                if name in self.make._headers:
                    continue
                user_id = conn.scalar(insert(users_table).values(
                    username=name, display_name=name, password_hash="!", is_admin=name == "admin", active=True,
                    created_at=self.clock.now).returning(users_table.c.id))
                user_search.refresh(conn, [user_id])  # found by the people picker, as create_user makes them
                token = issue_token(conn, user_id, datetime.now(UTC), days=3650)
                self.make._headers[name] = {"Authorization": f"Bearer {token}"}
                if name != "admin":  # everyone works in the app; what a flow does is what these tests look at
                    conn.execute(insert(role_members).values(app=self.key, role=MEMBER["key"], user_id=user_id))

    def org(self, departments: list[tuple[str, str | None, str | None]], members: dict[str, list[str]],
            roles: dict[str, list[str]]) -> None:
        """departments: (key, parent, head); members: username -> departments; roles: role -> usernames."""
        self.users(*{u for us in roles.values() for u in us}, *members,
                     *{h for _, _, h in departments if h})
        with self.app.state.db.write() as conn:
            for key, parent, head in departments:
                create_department(conn, key, key, self.clock.now, parent=parent, head=head)
            for user, keys in members.items():
                set_user_departments(conn, user, keys)
            for role, names in roles.items():
                set_role_members(conn, self.key, role, names)

    def h(self, user: str) -> dict[str, str]:
        self.users(user)
        return self.make._headers[user]

    def record(self, data: dict[str, Any], form: str = "ticket", user: str = "admin") -> dict[str, Any]:
        r = self.client.post(f"/api/v1/apps/{self.key}/forms/{form}/records", json={"data": data}, headers=self.h(user))
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def get_record(self, record_id: int, form: str = "ticket") -> dict[str, Any]:
        r = self.client.get(f"/api/v1/apps/{self.key}/forms/{form}/records/{record_id}", headers=self.h("admin"))
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def submit(self, record_id: int, flow: str = "approve", user: str = "admin") -> dict[str, Any]:
        r = self.client.post(f"/api/v1/apps/{self.key}/flows/{flow}/instances", json={"record_id": record_id},
                             headers=self.h(user))
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def inbox(self, user: str) -> list[dict[str, Any]]:
        r = self.client.get("/api/v1/tasks?assignee=me&status=open", headers=self.h(user))
        assert r.status_code == 200, r.text
        return r.json()["items"]  # type: ignore[no-any-return]

    def decide(self, user: str, action: str = "approve", body: dict[str, Any] | None = None,
               status: int = 200) -> dict[str, Any]:
        tasks = self.inbox(user)
        assert tasks, f"{user} has no open task"
        r = self.client.post(f"/api/v1/tasks/{tasks[0]['id']}/{action}", json=body or {"comment": f"{user} {action}"},
                             headers=self.h(user))
        assert r.status_code == status, r.text
        return r.json()  # type: ignore[no-any-return]

    def instance(self, instance_id: int) -> dict[str, Any]:
        r = self.client.get(f"/api/v1/flow-instances/{instance_id}", headers=self.h("admin"))
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def messages(self, user: str) -> list[dict[str, Any]]:
        r = self.client.get("/api/v1/messages", headers=self.h(user))
        assert r.status_code == 200, r.text
        return r.json()["items"]  # type: ignore[no-any-return]

    def run_jobs(self, **delta: float) -> int:
        if delta:
            self.clock.advance(**delta)
        return run_due(self.app.state.db, self.app.state.settings, self.clock.now, worker="test")
