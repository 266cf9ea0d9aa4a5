"""An app whose customer form has every field type a user fills in, for the browser tests."""

from __future__ import annotations

from typing import Any

SHOWCASE: dict[str, Any] = {
    "format": "tangram/app@1", "key": "showcase", "name": "字段大全", "version": "1.0.0",
    "forms": [
        {"key": "industry", "name": "行业", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "行业名称", "required": True},
        ]},
        {"key": "customer", "name": "客户", "title_field": "name", "fields": [
            {"key": "code", "type": "auto_number", "label": "客户编号", "pattern": "KH-{seq:4}"},
            {"key": "name", "type": "text", "label": "客户名称", "required": True, "unique": True},
            {"key": "intro", "type": "textarea", "label": "简介"},
            {"key": "staff", "type": "number", "label": "员工数", "min": 0},
            {"key": "revenue", "type": "money", "label": "年营业额", "width": "half"},
            {"key": "discount", "type": "percent", "label": "折扣", "width": "half"},
            {"key": "since", "type": "date", "label": "合作开始"},
            {"key": "visited_at", "type": "datetime", "label": "拜访时间"},
            {"key": "vip", "type": "boolean", "label": "重点客户"},
            {"key": "level", "type": "select", "label": "等级", "options": [
                {"value": "A", "color": "#dc2626"}, {"value": "B", "color": "#2563eb"}, "C"]},
            {"key": "risk", "type": "text", "label": "风险说明", "visible_when": 'level = "C"'},
            {"key": "tags", "type": "multi_select", "label": "标签", "options": ["老客户", "华东", "制造"]},
            {"key": "trade", "type": "cascade", "label": "所属行业", "options": [
                {"value": "制造业", "children": ["汽车零配件", "电子"]}, "服务业"]},
            {"key": "address", "type": "address", "label": "地址"},
            {"key": "phone", "type": "phone", "label": "电话"},
            {"key": "email", "type": "email", "label": "邮箱"},
            {"key": "website", "type": "url", "label": "网址"},
            {"key": "manager", "type": "user", "label": "负责人"},
            {"key": "team", "type": "users", "label": "协作人"},
            {"key": "dept", "type": "department", "label": "部门"},
            {"key": "sector", "type": "relation", "label": "行业分类", "target": "industry"},
            {"key": "files", "type": "attachment", "label": "附件"},
            {"key": "lines", "type": "sub_table", "label": "采购明细", "fields": [
                {"key": "item", "type": "text", "label": "品名", "required": True},
                {"key": "qty", "type": "number", "label": "数量", "min": 1},
                {"key": "price", "type": "money", "label": "单价"},
                {"key": "subtotal", "type": "formula", "label": "小计", "formula": "qty * price"},
            ]},
            {"key": "total", "type": "formula", "label": "合计", "formula": "SUM(lines.subtotal)"},
        ]},
    ],
}
