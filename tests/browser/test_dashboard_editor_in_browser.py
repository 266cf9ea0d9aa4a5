"""The dashboard editor in a real browser, in Chinese: a dashboard opened in the editor, a widget moved and
another resized by dragging, a filter added that applies to two of the three widgets, saved and published;
the dashboard then sits on its grid, and exports as a real PNG and a PDF with its Chinese text."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Site
from tests.browser.signed_in import signed_in_page
from tests.browser.wait import wait_until

BOARD_APP = {
    "format": "tangram/app@1",
    "key": "deals",
    "name": "订单分析",
    "version": "1.0.0",
    "forms": [
        {
            "key": "deal",
            "name": "订单",
            "title_field": "name",
            "fields": [
                {"key": "name", "type": "text", "label": "订单名称", "required": True},
                {"key": "region", "type": "select", "label": "地区", "options": ["华东", "华南", "华北"]},
                {"key": "level", "type": "select", "label": "等级", "options": ["A", "B"]},
                {"key": "amount", "type": "money", "label": "金额"},
            ],
        }
    ],
    "reports": [
        {
            "key": "board",
            "name": "订单看板",
            "widgets": [
                {
                    "key": "by_region",
                    "type": "bar",
                    "form": "deal",
                    "name": "各地区成交额",
                    "dimensions": [{"field": "region"}],
                    "measures": [{"agg": "sum", "field": "amount", "label": "成交额", "format": "money"}],
                },
                {
                    "key": "by_level",
                    "type": "bar",
                    "form": "deal",
                    "name": "各等级订单数",
                    "dimensions": [{"field": "level"}],
                    "measures": [{"agg": "count", "label": "订单数"}],
                },
                {
                    "key": "total",
                    "type": "kpi",
                    "form": "deal",
                    "name": "成交总额",
                    "measures": [{"agg": "sum", "field": "amount", "label": "成交额", "format": "money"}],
                },
            ],
        }
    ],
}
EDITOR = "/apps/deals/builder/dashboards/board"


@pytest.fixture(scope="module")
def deals(site: Site) -> None:
    r = site.api.post("/apps", json=BOARD_APP)
    assert r.status_code == 201, r.text
    for name, region, level, amount in [
        ("甲单", "华东", "A", "1200.5"),
        ("乙单", "华东", "B", "300"),
        ("丙单", "华南", "A", "99"),
    ]:
        site.record("deals", "deal", {"name": name, "region": region, "level": level, "amount": amount})


def _place(page: Any, key: str) -> tuple[int, int, int, int]:
    d = page.locator(f"#grid .widget[data-key='{key}']").evaluate(
        "b => [b.dataset.x, b.dataset.y, b.dataset.w, b.dataset.h]"
    )
    return tuple(int(v) for v in d)  # type: ignore[return-value]


def _drag(page: Any, handle: Any, columns: int, rows: int) -> None:
    """Drag `handle` by whole grid cells, in small steps as a hand does."""
    grid = page.locator("#grid").bounding_box()
    cell_w, cell_h = (grid["width"] + 12) / 12, 60 + 12
    box = handle.bounding_box()
    x0, y0 = box["x"] + min(box["width"] / 2, 20), box["y"] + box["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + columns * cell_w, y0 + rows * cell_h, steps=12)
    page.mouse.up()


def _download(page: Any, button: str, tmp_path: Path) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path.read_bytes()


def test_move_resize_filter_publish_then_export_png_and_pdf(page: Any, site: Site, deals: None, tmp_path: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site.url + EDITOR)
    wait_until(page, "() => document.querySelectorAll('#grid .body[data-drawn]').length === 3")
    assert page.locator("#grid .widget[data-key='by_region'] .chart canvas").count() == 1  # the preview is drawn
    assert _place(page, "total") == (0, 5, 3, 3)  # no layout yet: it follows the two charts

    _drag(page, page.get_by_role("button", name="拖动移动：成交总额"), columns=6, rows=0)
    assert _place(page, "total") == (6, 5, 3, 3)
    _drag(page, page.get_by_role("button", name="拖动调整大小：各地区成交额"), columns=0, rows=2)
    assert _place(page, "by_region") == (0, 0, 6, 7)
    assert _place(page, "total") == (6, 5, 3, 3)  # beside it: nothing to push down
    assert page.locator("#editor-state").inner_text() == "有未保存的修改"

    page.get_by_label("添加筛选字段").select_option(label="地区")
    page.get_by_role("button", name="添加", exact=True).click()
    item = page.locator("#editor-filters li[data-field='region']")
    assert item.locator("input[data-widget]").count() == 3
    item.get_by_label("成交总额").uncheck()

    page.get_by_role("button", name="保存", exact=True).click()
    wait_until(page, "() => document.getElementById('editor-state').textContent === '已保存到草稿'")
    draft = site.api.get("/apps/deals/draft/reports/board").json()
    assert {w["key"]: w["layout"] for w in draft["widgets"]} == {
        "by_region": {"x": 0, "y": 0, "w": 6, "h": 7},
        "by_level": {"x": 6, "y": 0, "w": 6, "h": 5},
        "total": {"x": 6, "y": 5, "w": 3, "h": 3},
    }
    assert draft["filters"] == [{"field": "region", "widgets": ["by_region", "by_level"]}]
    page.get_by_role("button", name="发布", exact=True).click()
    wait_until(page, "() => document.getElementById('editor-state').textContent === '已发布'")
    assert site.api.get("/apps/deals").json()["definition"]["reports"][0]["filters"] == draft["filters"]

    page.get_by_role("link", name="查看").click()
    page.wait_for_url(f"{site.url}/apps/deals/dashboards/board")
    wait_until(page, "() => document.getElementById('widgets').getAttribute('aria-busy') === 'false'")
    assert page.locator("#widgets.dashboard-grid .widget[data-key='total']").evaluate(
        "b => [b.style.gridColumn, b.style.gridRow]"
    ) == ["7 / span 3", "6 / span 3"]
    page.get_by_label("地区", exact=True).select_option("华东")
    wait_until(
        page,
        "() => (document.getElementById('widgets').dataset.query || '').includes('region')"
        " && document.getElementById('widgets').getAttribute('aria-busy') === 'false'",
    )
    wait_until(page, "() => [...document.querySelectorAll('.widget .chart')].every(c => c.dataset.drawn)")

    png = _download(page, "导出 PNG", tmp_path)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert width > 1000 and height > 500  # the whole grid, at twice the page's pixels

    pdf = _download(page, "导出 PDF", tmp_path)
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "board.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "订单看板" in text and "筛选：地区 = 华东" in text
        assert "各地区成交额" in text and "¥1,500.50" in text and "¥1,599.50" in text  # the KPI is not filtered
        images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
        kinds = [line.split()[2] for line in images.strip().splitlines()[2:]]
        assert kinds.count("image") == 2  # both bar charts, as the page drew them (each may carry its alpha mask)
    assert errors == []


def test_subscribe_weekly_from_the_dashboard_and_unsubscribe(page: Any, site: Site, deals: None) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site.url + "/apps/deals/dashboards/board")
    page.get_by_role("button", name="订阅").click()
    dialog = page.get_by_role("dialog")
    wait_until(page, "() => document.querySelector('#subscription-list li') !== null")
    assert dialog.locator("#subscription-list").inner_text() == "还没有订阅"
    dialog.get_by_label("订阅人").select_option("user:zhang.wei")
    dialog.get_by_label("频率").select_option(label="每周")
    dialog.get_by_label("星期").select_option(label="周三")
    dialog.get_by_label("时间").fill("09:15")
    dialog.get_by_label("发送方式").select_option(label="站内消息")
    dialog.get_by_role("button", name="添加订阅").click()
    wait_until(page, "() => document.querySelector('#subscription-list li[data-id]') !== null")
    assert "张伟 · 每周 周三 09:15 · 站内消息" in dialog.locator("#subscription-list").inner_text()
    [stored] = site.api.get("/apps/deals/reports/board/subscriptions").json()["items"]
    assert {k: stored[k] for k in ("subscriber", "name", "every", "weekday", "at", "channel")} == {
        "subscriber": "user",
        "name": "zhang.wei",
        "every": "weekly",
        "weekday": 3,
        "at": "09:15",
        "channel": "in_app",
    }
    dialog.get_by_role("button", name="取消订阅").click()
    wait_until(page, "() => document.querySelector('#subscription-list li[data-id]') === null")
    assert site.api.get("/apps/deals/reports/board/subscriptions").json()["items"] == []
    assert errors == []


def test_edit_a_subscription_from_the_dashboard_in_chinese(page: Any, site: Site, deals: None) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    url = "/apps/deals/reports/board/subscriptions"
    weekly = {"subscriber": "user", "name": "zhang.wei", "every": "weekly", "weekday": 3, "at": "09:15",
              "channel": "in_app"}
    r = site.api.post(url, json=weekly)
    assert r.status_code == 201, r.text
    page.goto(site.url + "/apps/deals/dashboards/board")
    page.get_by_role("button", name="订阅").click()
    dialog = page.get_by_role("dialog")
    wait_until(page, "() => document.querySelector('#subscription-list li[data-id]') !== null")
    dialog.get_by_role("button", name="编辑").click()
    assert dialog.locator("#sub-form-title").inner_text() == "编辑订阅"
    assert dialog.get_by_label("时间").input_value() == "09:15"  # the form holds the subscription's values
    assert dialog.get_by_label("星期").input_value() == "3"
    dialog.get_by_label("发送方式").select_option(label="钉钉群机器人")  # a robot without its address: refused
    dialog.get_by_role("button", name="保存修改").click()
    wait_until(page, "() => document.querySelector('#new-subscription .error').textContent.trim() !== ''")
    assert site.api.get(url).json()["items"][0]["channel"] == "in_app"  # nothing changed
    dialog.get_by_label("订阅人").select_option("user:admin")
    dialog.get_by_label("频率").select_option(label="每天")
    dialog.get_by_label("时间").fill("18:00")
    dialog.get_by_label("发送方式").select_option(label="邮件")
    dialog.get_by_role("button", name="保存修改").click()
    wait_until(page, "() => document.querySelector('#subscription-list').textContent.includes('每天 18:00')")
    assert "管理员 · 每天 18:00 · 邮件" in dialog.locator("#subscription-list").inner_text()
    assert dialog.locator("#sub-form-title").inner_text() == "新增订阅"  # back to adding
    [stored] = site.api.get(url).json()["items"]
    assert {k: stored.get(k) for k in ("subscriber", "name", "every", "weekday", "at", "channel")} == {
        "subscriber": "user",
        "name": "admin",
        "every": "daily",
        "weekday": None,
        "at": "18:00",
        "channel": "email",
    }
    assert stored["id"] == r.json()["id"]  # the same subscription, changed in place
    site.api.delete(f"{url}/{stored['id']}")
    assert errors == []


def test_a_crm_dashboard_opens_in_the_editor_and_saves_back_unchanged(page: Any, site: Site) -> None:
    published = site.api.get("/apps/crm").json()["definition"]["reports"]
    for report in published[:2]:
        page.goto(f"{site.url}/apps/crm/builder/dashboards/{report['key']}")
        wait_until(
            page, "n => document.querySelectorAll('#grid .body[data-drawn]').length === n", len(report["widgets"])
        )
        assert page.locator("#grid .widget").count() == len(report["widgets"])
        assert page.locator("#editor-filters li[data-field]").count() == len(report.get("filters", []))
        page.get_by_role("button", name="保存", exact=True).click()
        wait_until(page, "() => document.getElementById('editor-state').textContent === '已保存到草稿'")
        assert site.api.get(f"/apps/crm/draft/reports/{report['key']}").json() == report


def test_create_a_dashboard_and_copy_and_delete_a_widget(page: Any, site: Site, deals: None) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site.url + "/apps/deals/builder/dashboards")
    page.get_by_label("仪表盘名称").fill("区域周报")
    page.get_by_label("仪表盘标识（英文）").fill("weekly")
    page.get_by_role("button", name="创建").click()
    page.wait_for_url(f"{site.url}/apps/deals/builder/dashboards/weekly")
    assert page.locator("#report-name").input_value() == "区域周报"
    assert site.api.get("/apps/deals/draft/reports/weekly").json() == {"key": "weekly", "name": "区域周报"}

    page.goto(site.url + EDITOR)
    wait_until(page, "() => document.querySelectorAll('#grid .body[data-drawn]').length === 3")
    page.locator("#grid .widget[data-key='by_level']").get_by_role("button", name="复制").click()
    wait_until(page, "() => document.querySelectorAll('#grid .body[data-drawn]').length === 4")
    copy = page.locator("#grid .widget[data-key='by_level_copy']")
    assert copy.get_by_role("button", name="拖动移动：各等级订单数（副本）").count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    copy.get_by_role("button", name="删除").click()
    wait_until(page, "() => document.querySelectorAll('#grid .body[data-drawn]').length === 3")
    keys = [w["key"] for w in site.api.get("/apps/deals/draft/reports/board").json()["widgets"]]
    assert keys == ["by_region", "by_level", "total"]
    assert errors == []


def test_copy_a_dashboard_and_let_only_a_role_see_the_copy(page: Any, site: Site, browser: Any) -> None:
    """复制 on the list of dashboards, then 可见角色 in the editor: the copy keeps the widgets, and once published
    only the ticked role's members see it (the original stays open to all)."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    roles = [{"key": "rep", "name": "销售", "permissions": {"*": {"read": "all"}}},
             {"key": "boss", "name": "经理", "permissions": {"*": {"read": "all"}}}]
    r = site.api.post("/apps", json=BOARD_APP | {"key": "team", "roles": roles})
    assert r.status_code == 201, r.text
    assert site.api.put("/apps/team/roles/rep/members", json={"users": ["zhang.wei"]}).status_code == 200
    page.goto(site.url + "/apps/team/builder/dashboards")
    page.once("dialog", lambda dialog: dialog.accept("board_boss"))
    page.locator("tr[data-report='board']").get_by_role("button", name="复制").click()
    page.locator("tr[data-report='board_boss']").wait_for()
    assert page.locator("tr[data-report='board_boss'] a").first.inner_text() == "订单看板（副本）"

    page.locator("tr[data-report='board_boss']").get_by_role("link", name="设计").click()
    page.wait_for_url(site.url + "/apps/team/builder/dashboards/board_boss")
    wait_until(page, "() => document.querySelectorAll('#grid .body[data-drawn]').length === 3")
    page.locator("#editor-roles").get_by_label("经理").check()
    page.get_by_role("button", name="发布", exact=True).click()
    wait_until(page, "() => document.getElementById('editor-state').textContent === '已发布'")
    published = {r["key"]: r for r in site.api.get("/apps/team").json()["definition"]["reports"]}
    assert published["board_boss"]["roles"] == ["boss"] and "roles" not in published["board"]
    assert published["board_boss"]["widgets"] == published["board"]["widgets"]

    faults: list[str] = []
    rep = signed_in_page(browser, site.url, "zhang.wei", faults)
    try:
        rep.goto(site.url + "/dashboards")
        assert rep.get_by_role("link", name="订单看板", exact=True).count() == 1
        assert rep.get_by_role("link", name="订单看板（副本）").count() == 0
        assert rep.goto(site.url + "/apps/team/dashboards/board_boss").status == 404
        assert site.api.put("/apps/team/roles/boss/members", json={"users": ["zhang.wei"]}).status_code == 200
        rep.goto(site.url + "/dashboards")
        assert rep.get_by_role("link", name="订单看板（副本）").count() == 1
    finally:
        rep.context.close()
    assert errors == [] and faults == []


def test_subscribe_a_role_and_a_dingtalk_robot_and_see_who_each_goes_to(page: Any, site: Site) -> None:
    """订阅 for a role by e-mail and for a user's DingTalk group robot: the list names the role as a role and the
    user by name (a role keyed like a user, 管理员, must not read as that user)."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    roles = [{"key": "admin", "name": "经理", "permissions": {"*": {"read": "all"}}}]
    r = site.api.post("/apps", json=BOARD_APP | {"key": "crew", "roles": roles})
    assert r.status_code == 201, r.text
    page.goto(site.url + "/apps/crew/dashboards/board")
    page.get_by_role("button", name="订阅").click()
    dialog = page.get_by_role("dialog")
    wait_until(page, "() => document.querySelector('#subscription-list li') !== null")
    dialog.get_by_label("订阅人").select_option("role:admin")
    dialog.get_by_label("发送方式").select_option(label="邮件")
    dialog.get_by_role("button", name="添加订阅").click()
    wait_until(page, "() => document.querySelectorAll('#subscription-list li[data-id]').length === 1")
    dialog.get_by_label("订阅人").select_option("user:zhang.wei")
    dialog.get_by_label("发送方式").select_option(label="钉钉群机器人")
    dialog.get_by_label("机器人 Webhook 地址").fill("https://oapi.dingtalk.com/robot/send?access_token=t25")
    dialog.get_by_role("button", name="添加订阅").click()
    wait_until(page, "() => document.querySelectorAll('#subscription-list li[data-id]').length === 2")
    shown = dialog.locator("#subscription-list li[data-id]").all_inner_texts()
    assert shown[0].startswith("角色：经理 · 每天 08:30 · 邮件")
    assert shown[1].startswith("张伟 · 每天 08:30 · 钉钉群机器人")
    stored = site.api.get("/apps/crew/reports/board/subscriptions").json()["items"]
    assert [(s["subscriber"], s["name"], s["channel"], s.get("webhook")) for s in stored] == [
        ("role", "admin", "email", None),
        ("user", "zhang.wei", "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t25"),
    ]
    assert errors == []
