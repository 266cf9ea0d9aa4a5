"""Demo data: deterministic, realistic, valid — and loadable through the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.app_check import parse_app
from engine.forms.fields.base import ValueContext
from engine.forms.validate import validate_values
from runtime.cli import main
from runtime.db.db import open_database
from runtime.db.tables import records
from runtime.demo.generate import SPAN, generate, plan, planned

TEMPLATE = Path(__file__).resolve().parents[3] / "apps" / "crm_template.json"
CRM = parse_app(json.loads(TEMPLATE.read_text("utf-8")))
OWNERS = ["wang.li", "li.na"]
RELATED = {"customer": [1, 2, 3], "contract": [4, 5], "opportunity": [6, 7], "product": [8]}


def _rows(form: str, count: int = 50, seed: int = 1) -> list[dict[str, Any]]:
    return list(generate(CRM, form, count, seed=seed, owners=OWNERS, related=RELATED))


@pytest.mark.parametrize("form", list(plan(1)), ids=list(plan(1)))
def test_every_generated_record_passes_the_forms_validation(form: str) -> None:
    for row in _rows(form):
        validate_values(CRM.form(form), row, ValueContext(datetime.now(UTC)))


def test_records_are_dated_over_two_years_up_to_now_after_what_they_point_at() -> None:
    now = datetime(2026, 12, 1, 0, 10, tzinfo=UTC)  # 08:10 on the 1st in Shanghai: this month is 10 minutes old
    month_start = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    related = {form: list(range(n)) for form, n in plan(40).items()}
    for form, n in plan(40).items():
        items = list(planned(CRM, form, n, seed=1, owners=OWNERS, related=related, now=now))
        assert all(now - SPAN <= p.at <= now for p in items), form
        assert all(p.at <= at <= now for p in items for at, _ in p.later), form  # changes come after creation
        if form != "product":
            assert any(p.at >= month_start for p in items), form  # every dashboard has this month's figures
    opportunities = list(planned(CRM, "opportunity", 60, seed=1, owners=OWNERS, related=related, now=now))
    customers = list(planned(CRM, "customer", 40, seed=1, owners=OWNERS, related=related, now=now))
    assert all(p.at >= customers[p.values["customer"]].at for p in opportunities)  # opened after the customer
    assert {p.final["stage"] for p in opportunities} >= {"赢单", "输单", "初步接洽"}


def test_same_seed_same_data_other_seed_other_data() -> None:
    assert _rows("customer", seed=7) == _rows("customer", seed=7)
    assert _rows("customer", seed=7) != _rows("customer", seed=8)


def test_company_names_are_chinese_companies() -> None:
    for row in _rows("customer", 200):
        assert row["name"].endswith(("有限公司", "股份有限公司"))
        assert row["address"]["city"] in row["name"] or row["address"]["city"].removesuffix("市") in row["name"]


def test_unique_values_stay_unique_over_100000_records() -> None:
    customers = generate(CRM, "customer", 100_000, seed=1, owners=OWNERS)
    assert len({c["name"] for c in customers}) == 100_000
    contacts = generate(CRM, "contact", 100_000, seed=1, owners=OWNERS, related=RELATED)
    assert len({c["mobile"] for c in contacts}) == 100_000


def test_unknown_form_and_missing_related_records_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="no demo data for form 'article'"):
        next(generate(CRM, "article", 1, seed=1, owners=OWNERS))
    with pytest.raises(ValueError, match="needs customer records first"):
        next(generate(CRM, "contact", 1, seed=1, owners=OWNERS))


def test_cli_loads_demo_data_with_every_relation_resolved(tmp_path: Path, capsys: Any) -> None:
    url = f"sqlite:///{tmp_path}/demo.db"
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["app", "import", str(TEMPLATE), "--db", url]) == 0
    assert main(["demo-data", "--app", "crm", "--count", "20", "--seed", "3", "--db", url]) == 0
    assert "客户" in capsys.readouterr().err  # the progress bar names the form
    db = open_database(url)
    with db.read() as conn:
        counts = dict(conn.execute(select(records.c.form, func.count()).group_by(records.c.form)).all())
    won = counts["order"] - plan(20)["order"]  # renewals, and one order per opportunity won (赢单生成订单)
    assert counts == {k: v for k, v in plan(20).items() if v} | {"order": counts["order"]}
    with db.read() as conn:
        stages = [r.data["stage"] for r in conn.execute(select(records.c.data).where(records.c.form == "opportunity"))]
    assert won == stages.count("赢单") > 0
    with db.read() as conn:
        customers = [r.data for r in conn.execute(select(records.c.data).where(records.c.form == "customer"))]
    assert sum(int(c["followup_count"]) for c in customers) == plan(20)["followup"]  # rollups kept current
    assert all(c.get("last_followup_at") for c in customers if c["followup_count"] != "0")
