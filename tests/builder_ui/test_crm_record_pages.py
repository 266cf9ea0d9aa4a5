"""The CRM template's flows on its pages: a quote and a contract offer 提交审批 and, once submitted, their
lists show the 审批中 badge; a lead offers 转化为客户 until it is converted."""

from __future__ import annotations

import json
from typing import Any

from runtime.cli import CRM_TEMPLATE
from tests.builder_ui.test_approval_pages import session
from tests.factories import Maker
from tests.flows import FlowWorld


def _world(make: Maker) -> FlowWorld:
    w = FlowWorld(make, json.loads(CRM_TEMPLATE.read_text(encoding="utf-8")))
    w.org([], {}, {"sales_manager": ["manager1"], "finance": ["cfo"], "gm": ["ceo"]})
    make.user("boss")  # an administrator with a password, for the page session
    return w


def _customer(w: FlowWorld) -> int:
    return int(w.record({"name": "上海华东机电有限公司"}, "customer")["id"])


def test_a_quote_and_a_contract_are_submitted_from_their_pages_and_listed_in_approval(make: Maker, app: Any) -> None:
    w = _world(make)
    customer = _customer(w)
    quote = w.record({"customer": customer, "status": "草稿",
                      "lines": [{"item": "服务器", "qty": 1, "unit_price": 1000}]}, "quote")["id"]
    contract = w.record({"title": "年度合同", "customer": customer, "amount": 5000, "status": "草稿"}, "contract")["id"]
    with session(app, "boss") as boss:
        for form, record_id, flow in (("quote", quote, "quote_approval"), ("contract", contract, "contract_approval")):
            page = boss.get(f"/apps/crm/forms/{form}/records/{record_id}").text
            assert f'data-start-flow="{flow}"' in page and ">提交审批<" in page
            listing = boss.get(f"/apps/crm/forms/{form}").text
            assert 'data-approval="running"' not in listing
            w.submit(record_id, flow)
            listing = boss.get(f"/apps/crm/forms/{form}").text
            row = listing[listing.index(f'/records/{record_id}"'):][:400]
            assert 'data-approval="running"' in row and "审批中" in row
            assert f'data-start-flow="{flow}"' not in boss.get(f"/apps/crm/forms/{form}/records/{record_id}").text


def test_a_lead_page_offers_the_conversion_until_converted(make: Maker, app: Any) -> None:
    w = _world(make)
    lead = w.record({"company": "苏州天成精密机械有限公司", "contact_name": "张伟", "assignee": "manager1"}, "lead")["id"]
    with session(app, "boss") as boss:
        assert 'data-start-flow="lead_conversion"' in boss.get(f"/apps/crm/forms/lead/records/{lead}").text
        assert ">转化为客户<" in boss.get(f"/apps/crm/forms/lead/records/{lead}").text
        w.submit(lead, "lead_conversion")
        page = boss.get(f"/apps/crm/forms/lead/records/{lead}").text
        assert 'data-start-flow="lead_conversion"' not in page and "已转化" in page
        assert boss.get("/apps/crm/builder/flows/lead_conversion").status_code == 200
        assert boss.get("/apps/crm/builder/flows/lead_nurture").status_code == 200
