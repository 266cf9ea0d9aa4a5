"""Dashboard subscriptions (订阅) end to end with local fakes: a role's members get a weekly e-mail each with
the figures they may see, a user's DingTalk robot gets the snapshot as markdown with a link back, a user
subscribes themself in-app; the job worker sends them at their time and queues the next; bad requests
are 4xx naming what is wrong."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from runtime.jobs.worker import run_due
from tests.factories import Maker, shop
from tests.fakes import http_fake, smtp_fake
from tests.flows import Clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/apps/shop/reports/board/subscriptions"
BOARD = {
    "key": "board",
    "name": "销售看板",
    "filters": [{"field": "level"}],
    "widgets": [
        {
            "key": "by_region",
            "type": "bar",
            "form": "customer",
            "name": "各地区成交额",
            "dimensions": [{"field": "region"}],
            "measures": [
                {"agg": "sum", "field": "amount", "label": "成交额", "format": "money"},
                {"agg": "count", "label": "客户数"},
            ],
        }
    ],
}
ROLES = [
    {
        "key": "east",
        "name": "华东销售",
        "permissions": {"customer": {"read": {"scope": "all", "when": 'region = "华东"'}}},
    },
    {"key": "boss", "name": "经理", "permissions": {"*": {"read": "all"}}},
]


class World:
    def __init__(self, make: Maker, app: Any) -> None:
        self.make, self.app, self.client = make, app, make.client
        self.clock = Clock(app)  # Monday 2026-11-23 10:00 in Shanghai
        make.app_def(shop(reports=[BOARD], roles=ROLES))
        for name, region, amount in [
            ("甲公司", "华东", "1234567.5"),
            ("乙公司", "华东", "100"),
            ("丙公司", "华南", "300.3"),
        ]:
            make.record("customer", {"name": name, "region": region, "level": "A", "amount": amount})
        for role, users in [("east", ["li", "zhang"]), ("boss", ["wang"])]:
            for u in users:
                make.user(u, admin=False)
            r = self.client.put(f"/api/v1/apps/shop/roles/{role}/members", json={"users": users}, headers=make.admin)
            assert r.status_code == 200, r.text

    def settings(self, **changes: Any) -> None:
        self.app.state.settings = self.app.state.settings.model_copy(update=changes)

    def run_at(self, moment: datetime) -> int:
        self.clock.now = moment
        return run_due(self.app.state.db, self.app.state.settings, moment, worker="test")

    def jobs(self, *status: str, kind: str = "dashboard_subscription") -> list[dict[str, Any]]:
        query = "&".join(f"status={s}" for s in status)
        r = self.client.get(f"/api/v1/jobs?{query}&kind={kind}", headers=self.make.admin)
        return r.json()["items"]  # type: ignore[no-any-return]


@pytest.fixture
def world(make: Maker, app: Any) -> World:
    return World(make, app)


def test_a_roles_members_each_get_a_weekly_email_with_only_their_rows(world: World, tmp_path: Path) -> None:
    r = world.client.post(
        URL,
        json={"subscriber": "role", "name": "east", "every": "weekly", "weekday": 1, "at": "08:30", "channel": "email"},
        headers=world.make.admin,
    )
    assert r.status_code == 201, r.text
    assert r.json()["next_at"] == "2026-11-30T00:30:00+00:00"  # next Monday 08:30 in Shanghai
    world.settings(email_domain="example.cn", public_url="https://crm.example.cn")
    with smtp_fake() as smtp:
        world.settings(smtp_host=smtp.host, smtp_port=smtp.port)
        assert world.run_at(datetime(2026, 11, 30, 0, 29, tzinfo=UTC)) == 0  # not yet
        world.run_at(datetime(2026, 11, 30, 0, 30, tzinfo=UTC))
        assert sorted(m["rcpt"][0] for m in smtp.messages) == ["li@example.cn", "zhang@example.cn"]
        body = smtp.messages[0]["data"]
    text = _decoded(body)
    assert "各地区成交额" in text and "华东：成交额 ¥1,234,667.50，客户数 2" in text
    pdf = _attached_pdf(body, tmp_path)  # the dashboard with its charts, drawn by the server
    assert "¥123.5万" in pdf and "¥150万" in pdf  # the bar's label and its money axis: a chart, not a table
    assert "¥1,234,667.50" in pdf and "华南" not in pdf  # the member's rows only, there too
    assert "华南" not in text  # the members' rows only
    assert "【各地区成交额】" in text and "**" not in text  # plain text in an e-mail
    assert "查看仪表盘：https://crm.example.cn/apps/shop/dashboards/board" in text
    [queued] = world.jobs("pending")
    assert queued["run_at"].startswith("2026-12-07T00:30")  # the Monday after


def _decoded(message: str) -> str:
    """The text of a message as the fake received it (UTF-8, 8bit)."""
    parsed = message_from_bytes(message.encode(), policy=policy.default)
    return parsed.get_body(preferencelist=("plain",)).get_content()  # type: ignore[no-any-return, union-attr]


def _attached_pdf(message: str, tmp_path: Path) -> str:
    """The text of the message's one attachment, which must be a PDF (pdftotext)."""
    parsed = message_from_bytes(message.encode(), policy=policy.default)
    [part] = list(parsed.iter_attachments())  # type: ignore[attr-defined]
    assert part.get_content_type() == "application/pdf" and part.get_filename() == "销售看板 2026-11-30.pdf"
    path = tmp_path / "snapshot.pdf"
    path.write_bytes(part.get_content())
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_users_dingtalk_robot_gets_their_view_as_markdown(world: World) -> None:
    with http_fake() as robot:
        r = world.client.post(
            URL,
            json={
                "subscriber": "user",
                "name": "wang",
                "every": "daily",
                "at": "09:00",
                "channel": "dingtalk",
                "webhook": f"{robot.url}/robot/send?access_token=t",
                "secret": "SEC1",
                "filters": {"level": "A"},
            },
            headers=world.make.admin,
        )
        assert r.status_code == 201, r.text
        assert "secret" not in r.json()
        assert r.json()["next_at"] == "2026-11-24T01:00:00+00:00"  # tomorrow: today's 09:00 has passed
        world.run_at(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
        [sent] = robot.received
    assert "sign=" in sent.path and "access_token=t" in sent.path  # 加签, as for flows' robots
    message = sent.json["markdown"]
    assert message["title"] == "【订阅】销售看板 · 2026-11-24"
    assert "筛选：等级 = A" in message["text"]
    assert (
        "华东：成交额 ¥1,234,667.50，客户数 2" in message["text"]
        and "华南：成交额 ¥300.30，客户数 1" in message["text"]
    )
    assert "**各地区成交额**" in message["text"]
    assert "[查看仪表盘](/apps/shop/dashboards/board)" in message["text"]  # markdown for the robot


def test_a_reader_subscribes_themself_in_app_and_no_one_else(world: World) -> None:
    li = world.make.user("li", admin=False)
    mine = {"subscriber": "user", "name": "li", "every": "daily", "at": "18:00", "channel": "in_app"}
    r = world.client.post(URL, json=mine, headers=li)
    assert r.status_code == 201, r.text
    for other in (
        {**mine, "name": "zhang"},
        {**mine, "subscriber": "role", "name": "east"},
        {**mine, "channel": "wecom", "webhook": "https://qyapi.weixin.qq.com/x"},
    ):
        assert world.client.post(URL, json=other, headers=li).status_code == 403
    world.client.post(URL, json={**mine, "name": "wang"}, headers=world.make.admin)
    assert [s["name"] for s in world.client.get(URL, headers=li).json()["items"]] == ["li"]
    assert [s["name"] for s in world.client.get(URL, headers=world.make.admin).json()["items"]] == ["li", "wang"]
    world.run_at(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))  # 18:00 in Shanghai
    [message] = world.client.get("/api/v1/messages", headers=li).json()["items"]
    assert message["title"] == "【订阅】销售看板 · 2026-11-23"
    assert "华东：成交额 ¥1,234,667.50，客户数 2" in message["body"] and "华南" not in message["body"]


def test_a_removed_subscription_sends_nothing(world: World) -> None:
    li = world.make.user("li", admin=False)
    r = world.client.post(
        URL, json={"subscriber": "user", "name": "li", "every": "daily", "at": "18:00", "channel": "in_app"}, headers=li
    )
    sid = r.json()["id"]
    assert world.client.delete(f"{URL}/{sid}", headers=world.make.user("zhang", admin=False)).status_code == 403
    assert world.client.delete(f"{URL}/{sid}", headers=li).status_code == 204
    assert world.client.delete(f"{URL}/{sid}", headers=li).status_code == 404
    world.run_at(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    assert world.client.get("/api/v1/messages", headers=li).json()["items"] == []
    assert world.jobs("pending") == []


def test_a_member_who_may_not_see_the_dashboard_gets_nothing(world: World) -> None:
    draft = world.client.get("/api/v1/apps/shop/draft/reports/board", headers=world.make.admin).json()
    world.client.put(
        "/api/v1/apps/shop/draft/reports/board", json=draft | {"roles": ["boss"]}, headers=world.make.admin
    )
    world.client.post("/api/v1/apps/shop/publish", json={}, headers=world.make.admin)
    r = world.client.post(
        URL,
        json={"subscriber": "role", "name": "east", "every": "daily", "at": "18:00", "channel": "in_app"},
        headers=world.make.admin,
    )
    assert r.status_code == 201, r.text
    world.run_at(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    assert world.client.get("/api/v1/messages", headers=world.make.user("li", admin=False)).json()["items"] == []
    assert world.jobs("done")  # the run itself went fine, and the next one is queued
    assert len(world.jobs("pending")) == 1


@pytest.mark.parametrize(
    ("body", "status", "where"),
    [
        ({"every": "weekly"}, 422, "weekday"),  # weekly needs its day
        ({"weekday": 3}, 422, "weekday"),  # a daily one has none
        ({"at": "25:00"}, 422, "at"),
        (
            {"subscriber": "role", "name": "east", "channel": "dingtalk", "webhook": "https://oapi.dingtalk.com/x"},
            422,
            "robot",
        ),
        ({"channel": "wecom"}, 422, "webhook"),
        ({"subscriber": "role", "name": "nobody"}, 400, "name"),
        ({"name": "ghost"}, 400, "name"),
        ({"filters": {"region": "华东"}}, 400, "filters.region"),  # not a filter of the dashboard
    ],
    ids=[
        "weekly_no_day",
        "daily_with_day",
        "bad_time",
        "role_to_robot",
        "robot_no_webhook",
        "unknown_role",
        "unknown_user",
        "unknown_filter",
    ],
)
def test_a_bad_subscription_is_4xx_naming_it_and_stores_nothing(
    client: TestClient, world: World, body: dict[str, Any], status: int, where: str
) -> None:
    base = {"subscriber": "user", "name": "wang", "every": "daily", "at": "08:00", "channel": "email"}
    r = client.post(URL, json=base | body, headers=world.make.admin)
    assert r.status_code == status, r.text
    assert where in r.text
    assert client.get(URL, headers=world.make.admin).json()["items"] == []
    assert world.jobs("pending") == []


def test_the_next_run_skips_to_the_weekday_and_time_in_the_apps_zone() -> None:
    from engine.reports.subscription import SubscriptionSpec, next_run

    weekly = SubscriptionSpec(subscriber="user", name="a", every="weekly", weekday=7, at="23:30")
    after = datetime(2026, 11, 29, 15, 30, tzinfo=UTC)  # Sunday 23:30 in Shanghai, exactly
    assert next_run(weekly, after, SHANGHAI) == datetime(2026, 12, 6, 23, 30, tzinfo=SHANGHAI)
    assert next_run(weekly, after - timedelta(seconds=1), SHANGHAI) == datetime(2026, 11, 29, 23, 30, tzinfo=SHANGHAI)


# Editing a subscription (PATCH): the fields given, checked as a whole, the next snapshot moved, audited.

WEEKLY = {"subscriber": "role", "name": "east", "every": "weekly", "weekday": 1, "at": "08:30", "channel": "email"}


def _add(world: World, body: dict[str, Any], headers: dict[str, str] | None = None) -> int:
    r = world.client.post(URL, json=body, headers=headers or world.make.admin)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_patch_changes_schedule_and_channel_and_moves_the_next_snapshot(world: World) -> None:
    sid = _add(world, WEEKLY)
    r = world.client.patch(
        f"{URL}/{sid}", json={"every": "daily", "at": "18:00", "channel": "in_app"}, headers=world.make.admin
    )
    assert r.status_code == 200, r.text
    assert r.json()["every"] == "daily" and "weekday" not in r.json()  # a daily one has no weekday left
    assert r.json()["next_at"] == "2026-11-23T10:00:00+00:00"  # today 18:00 in Shanghai
    [queued] = world.jobs("pending")  # the Monday 08:30 snapshot is gone, one at the new time instead
    assert queued["run_at"].startswith("2026-11-23T10:00")
    [listed] = world.client.get(URL, headers=world.make.admin).json()["items"]
    assert (listed["every"], listed["at"], listed["channel"]) == ("daily", "18:00", "in_app")
    world.run_at(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    [message] = world.client.get("/api/v1/messages", headers=world.make.user("li", admin=False)).json()["items"]
    assert "华东：成交额 ¥1,234,667.50，客户数 2" in message["body"]  # sent in-app to each member, at the new time
    entries = world.client.get(
        "/api/v1/audit", params={"action": "report.subscription.update"}, headers=world.make.admin
    ).json()["items"]
    [entry] = entries
    assert entry["user"] and entry["detail"]["subscription"] == sid
    assert entry["detail"]["changed"]["every"] == {"from": "weekly", "to": "daily"}
    assert entry["detail"]["changed"]["at"] == {"from": "08:30", "to": "18:00"} and "name" not in entry["detail"]["changed"]


def test_patch_changes_the_recipient_and_leaving_a_robot_drops_its_address(world: World) -> None:
    sid = _add(world, {"subscriber": "user", "name": "wang", "every": "daily", "at": "09:00", "channel": "wecom",
                       "webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"})
    r = world.client.patch(f"{URL}/{sid}", json={"name": "li", "channel": "email"}, headers=world.make.admin)
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "li" and r.json()["channel"] == "email" and "webhook" not in r.json()


@pytest.mark.parametrize(
    ("body", "status", "where"),
    [
        ({"every": "weekly", "weekday": None}, 422, "weekday"),  # weekly needs its day
        ({"every": "daily", "weekday": 3}, 422, "weekday"),  # a daily one has none
        ({"at": "25:00"}, 422, "body.at"),
        ({"channel": "dingtalk", "webhook": "https://oapi.dingtalk.com/x"}, 422, "robot"),  # a role's robot
        ({"channel": "carrier pigeon"}, 422, "body.channel"),
        ({"colour": "red"}, 422, "body.colour"),
        ({"name": "nobody"}, 400, "name"),
        ({"subscriber": "user", "name": "ghost"}, 400, "name"),
        ({"filters": {"region": "华东"}}, 400, "filters.region"),  # not a filter of the dashboard
    ],
    ids=["weekly_no_day", "daily_with_day", "bad_time", "role_to_robot", "bad_channel", "unknown_field",
         "unknown_role", "unknown_user", "unknown_filter"],
)
def test_a_bad_patch_is_4xx_naming_it_and_changes_nothing(
    world: World, body: dict[str, Any], status: int, where: str
) -> None:
    sid = _add(world, WEEKLY)
    before = world.client.get(URL, headers=world.make.admin).json()["items"]
    r = world.client.patch(f"{URL}/{sid}", json=body, headers=world.make.admin)
    assert r.status_code == status, r.text
    assert where in r.text
    assert world.client.get(URL, headers=world.make.admin).json()["items"] == before
    [queued] = world.jobs("pending")
    assert queued["run_at"].startswith("2026-11-30T00:30")  # still next Monday 08:30


def test_a_reader_edits_their_own_subscription_only_and_keeps_it_their_own(world: World) -> None:
    li = world.make.user("li", admin=False)
    mine = _add(world, {"subscriber": "user", "name": "li", "every": "daily", "at": "18:00", "channel": "in_app"}, li)
    wangs = _add(world, {"subscriber": "user", "name": "wang", "every": "daily", "at": "18:00", "channel": "email"})
    r = world.client.patch(f"{URL}/{mine}", json={"at": "07:45", "channel": "email"}, headers=li)
    assert r.status_code == 200, r.text
    assert (r.json()["at"], r.json()["channel"]) == ("07:45", "email")
    for body in ({"name": "zhang"}, {"channel": "wecom", "webhook": "https://qyapi.weixin.qq.com/x"}):
        assert world.client.patch(f"{URL}/{mine}", json=body, headers=li).status_code == 403
    assert world.client.patch(f"{URL}/{wangs}", json={"at": "07:00"}, headers=li).status_code == 403
    assert world.client.patch(f"{URL}/99999", json={"at": "07:00"}, headers=li).status_code == 404
    names = {s["name"]: s["at"] for s in world.client.get(URL, headers=world.make.admin).json()["items"]}
    assert names == {"li": "07:45", "wang": "18:00"}
