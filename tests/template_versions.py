"""The CRM template as v1 (apps/crm_template.json), a site's customisations of it, and a v2 of the template
made here: the worked example of docs/integrations.md "Upgrading a template"."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

V1: dict[str, Any] = json.loads((Path(__file__).resolve().parents[1] / "apps" / "crm_template.json")
                                .read_text(encoding="utf-8"))
THRESHOLD = "flows[quote_approval].steps[3].branches[0].when"
"""The quote approval's 总经理 threshold: both the site and v2 change it."""


def _form(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(f for f in data["forms"] if f["key"] == key)


def _field(data: dict[str, Any], form: str, key: str) -> dict[str, Any]:
    return next(f for f in _form(data, form)["fields"] if f["key"] == key)


def _threshold(data: dict[str, Any]) -> dict[str, Any]:
    flow = next(f for f in data["flows"] if f["key"] == "quote_approval")
    return dict(flow["steps"][3]["branches"][0])


def set_threshold(data: dict[str, Any], when: str) -> None:
    flow = next(f for f in data["flows"] if f["key"] == "quote_approval")
    flow["steps"][3]["branches"][0]["when"] = when


def threshold(data: dict[str, Any]) -> str:
    return str(_threshold(data)["when"])


VISIT_FORM: dict[str, Any] = {
    "key": "visit", "name": "拜访记录", "name_en": "Visits", "title_field": "subject",
    "fields": [{"key": "subject", "type": "text", "label": "拜访主题", "label_en": "Subject", "required": True},
               {"key": "customer", "type": "relation", "label": "客户", "label_en": "Customer", "target": "customer"}]}


def customised(v1: dict[str, Any]) -> dict[str, Any]:
    """The site's changes: 客户名称 renamed, a 抖音 source, a 拜访记录 form, the threshold lowered to 30 万."""
    ours = copy.deepcopy(v1)
    _field(ours, "customer", "name")["label"] = "客户全称"
    _field(ours, "customer", "source")["options"].append("抖音")
    ours["forms"].append(copy.deepcopy(VISIT_FORM))
    set_threshold(ours, "amount > 300000")
    return ours


CREDIT_CODE: dict[str, Any] = {"key": "credit_code", "type": "text", "label": "统一社会信用代码",
                               "label_en": "Credit code", "max_length": 18}
SERVICE_DASHBOARD: dict[str, Any] = {
    "key": "service_quality", "name": "服务质量", "name_en": "Service quality",
    "widgets": [{"key": "open_tickets", "type": "kpi", "form": "ticket", "name": "工单数", "name_en": "Tickets",
                 "measures": [{"agg": "count", "label": "工单数"}]}]}


def template_v2(v1: dict[str, Any]) -> dict[str, Any]:
    """The template's next version: a 统一社会信用代码 field, a 服务质量 dashboard, the threshold raised to 100 万."""
    theirs = copy.deepcopy(v1)
    theirs["version"] = "2.0.0"
    _form(theirs, "customer")["fields"].append(copy.deepcopy(CREDIT_CODE))
    theirs["reports"].append(copy.deepcopy(SERVICE_DASHBOARD))
    set_threshold(theirs, "amount > 1000000")
    return theirs
