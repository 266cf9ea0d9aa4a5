"""The expression language in Python: parsing, type errors with positions, evaluation and blanks."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine.app_check import parse_app
from engine.expr.errors import ExpressionError
from engine.expr.evaluate import EvalContext, evaluate
from engine.expr.functions import functions
from engine.expr.nodes import BOOL
from engine.expr.parser import parse
from engine.expr.scope import form_scope
from engine.expr.typecheck import check

CRM = parse_app(json.loads((Path(__file__).resolve().parents[2] / "apps" / "crm_template.json").read_text("utf-8")))
CUSTOMER = form_scope(CRM.form("customer"), CRM)
QUOTE = form_scope(CRM.form("quote"), CRM)
CTX = EvalContext(now=datetime(2026, 11, 24, 2, 0, tzinfo=UTC), user="wang.li")  # 10:00 in Beijing
RECORD = {"owner": "wang.li", "name": "苏州恒瑞精密机械有限公司", "annual_revenue": "600000.00", "region": "华东", "level": "A",
          "last_followup_at": "2026-11-19T16:30:00Z", "next_followup_on": "2026-11-30", "manager": "wang.li",
          "tags": ["VIP", "重点客户"]}


def run(text: str, record: dict[str, Any] | None = None, scope: Any = CUSTOMER) -> Any:
    return evaluate(check(text, scope), RECORD if record is None else record, CTX)


@pytest.mark.parametrize(("text", "expected"), [
    ('annual_revenue > 500000 AND region = "华东"', True),
    ('IF(level = "A", 7, 30)', Decimal(7)),
    ('DATEDIF(last_followup_at, TODAY(), "D") > 3', True),  # 2026-11-20 00:30 Beijing → 24 Nov: 4 days
    ("ROUND(annual_revenue * 0.13, 2)", Decimal("78000.00")),
    ('level IN ["A", "B"]', True),
    ('level NOT IN ["A", "B"]', False),
    ('LEFT(name, 2) & "-" & level', "苏州-A"),
    ('SUBSTITUTE(name, "有限公司", "")', "苏州恒瑞精密机械"),
    ("LEN(name)", Decimal(12)),
    ("manager = CURRENT_USER()", True),
    ('IFS(annual_revenue > 1000000, "大", annual_revenue > 100000, "中", TRUE, "小")', "中"),
    ('SWITCH(level, "A", 7, "B", 14, 30)', Decimal(7)),
    ("COUNT(tags)", Decimal(2)),
    ('DATEADD(next_followup_on, 1, "M")', date(2026, 12, 30)),
    ("EOMONTH(next_followup_on, 1)", date(2026, 12, 31)),
    ("WEEKDAY(next_followup_on)", Decimal(1)),  # 30 Nov 2026 is a Monday
    ('TEXT(annual_revenue, "#,##0.00")', "600,000.00"),
    ('TEXT(next_followup_on, "YYYY年MM月DD日")', "2026年11月30日"),
    ("MOD(-7, 3)", Decimal(2)),
    ("INT(-2.5)", Decimal(-3)),
    ("ROUND(2.675, 2)", Decimal("2.68")),  # exact decimals: no binary rounding surprise
    ("0.1 + 0.2 = 0.3", True),
    ("OWNER = CURRENT_USER()", True),  # the record's own columns may be written in upper case, as in Excel
], ids=lambda v: v if isinstance(v, str) else None)
def test_evaluates_like_a_spreadsheet(text: str, expected: Any) -> None:
    assert run(text) == expected


@pytest.mark.parametrize(("text", "day"), [
    ('DATEADD(next_followup_on, -13, "M")', "0001-06-15"),  # would be year 0
    ('DATEADD(next_followup_on, -1, "Y")', "0001-01-01"),
    ('DATEADD(next_followup_on, 1, "M")', "9999-12-31"),  # would be year 10000
    ('DATEADD(next_followup_on, 1, "D")', "9999-12-31"),
    ('DATEADD(next_followup_on, 999999999999, "D")', "2026-11-30"),  # a step no calendar holds
    ("next_followup_on + 1", "9999-12-31"),
    ("next_followup_on - 1", "0001-01-01"),
    ("EOMONTH(next_followup_on, 1)", "9999-12-15"),
], ids=lambda v: v)
def test_a_date_moved_off_the_calendar_is_blank_not_an_error(text: str, day: str) -> None:
    assert run(text, {"next_followup_on": day}) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("annual_revenue > 1", None),  # an order comparison with blank is blank …
    ("ISBLANK(phone)", True),  # … test blanks with ISBLANK
    ("phone = NULL", True),  # equality is never blank: a blank equals a blank …
    ('phone = "1"', False),  # … and no value …
    ('phone != "1"', True),  # … so "is not 1" keeps it (as filter[phone][ne]=1 does)
    ('phone IN ["1", "2"]', False),
    ('phone NOT IN ["1", "2"]', True),
    ("annual_revenue + 1", None),
    ("annual_revenue / 0", None),
    ('phone & "!"', "!"),  # & reads blank as empty text
    ("SUM(annual_revenue, 5)", Decimal(5)),  # SUM skips blanks
    ("AVERAGE(annual_revenue)", None),
    ("FALSE AND annual_revenue > 1", False),  # three-valued logic, as SQL
    ("TRUE OR annual_revenue > 1", True),
    ('IF(phone = "1", "yes", "no")', "no"),  # a blank condition is not met
    ("COALESCE(phone, name)", "x"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_blank_semantics(text: str, expected: Any) -> None:
    assert run(text, {"name": "x"}) == expected


def test_sub_table_columns_are_lists() -> None:
    quote = {"lines.qty": [Decimal(2), Decimal(3)], "lines.unit_price": ["10.00", "20.50"], "discount": "0.1"}
    checked = check("SUM(lines.unit_price) * (1 - discount)", QUOTE)
    assert evaluate(checked, quote, CTX) == Decimal("27.450")
    assert evaluate(check("MAX(lines.qty)", QUOTE), quote, CTX) == Decimal(3)


@pytest.mark.parametrize(("text", "line", "column", "zh", "en"), [
    ("amount > 5", 1, 1, "没有字段 amount", "has no field 'amount'"),
    ("level > 3", 1, 7, "不能比较文本和数字", "cannot compare text with number"),
    ("annual_revenue >\n  ", 1, 17, "表达式不完整", "ends too early"),
    ("level = \"A\" AND\n  region ¥ 1", 2, 10, "无法识别的字符", "unexpected character"),
    ("SUMM(annual_revenue)", 1, 1, "没有函数 SUMM，是不是 SUM", "did you mean SUM"),
    ("ROUND(1, 2, 3)", 1, 1, "ROUND 需要 1–2 个参数，给了 3 个", "ROUND takes 1–2 argument(s), 3 given"),
    ("IF(level, 1, 2)", 1, 1, "应为是/否", "must be bool"),
    ('IF(level = "A", 1, "x")', 1, 1, "结果类型不一致", "different types"),
    ("SUM(name)", 1, 1, "只能汇总数字", "adds up numbers"),
    ("address = 1", 1, 1, "不能用在表达式中", "cannot be used in expressions"),
    ("last_followup_at > \"2026-01-01\"", 1, 18, "不能比较日期时间和文本", "cannot compare datetime with text"),
    ("tags = \"VIP\"", 1, 6, "列表不能直接比较", "lists cannot be compared"),
], ids=lambda v: v if isinstance(v, str) and len(v) > 3 else None)
def test_errors_name_the_position_in_chinese_and_english(text: str, line: int, column: int, zh: str, en: str) -> None:
    with pytest.raises(ExpressionError) as e:
        check(text, CUSTOMER)
    assert (e.value.line, e.value.column) == (line, column)
    assert zh in e.value.message and en in (e.value.message_en or "")


def test_a_rule_must_be_a_condition() -> None:
    with pytest.raises(ExpressionError, match="结果应为是/否"):
        check("annual_revenue * 2", CUSTOMER, expect=BOOL)


@pytest.mark.parametrize("text", ["(" * 200 + "1" + ")" * 200, "1" + " + 1" * 1200, "x" * 5000, "", "   "],
                         ids=["deep", "wide", "long", "empty", "blank"])
def test_huge_or_empty_expressions_are_refused_not_run(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse(text)


@pytest.mark.parametrize("text", ["__import__('os')", "name.__class__", "a.b.c", "eval(1)", "x[0]", "lambda: 1"],
                         ids=str)
def test_no_python_gets_through(text: str) -> None:
    with pytest.raises(ExpressionError):
        check(text, CUSTOMER)


@pytest.mark.parametrize("name", functions.keys(), ids=functions.keys())
def test_every_function_is_documented_with_an_example_that_type_checks(name: str) -> None:
    fn = functions.get(name)
    docs = (Path(__file__).resolve().parents[2] / "docs" / "expressions.md").read_text(encoding="utf-8")
    assert f"### {name}" in docs
    assert fn.summary and fn.example
    scope = form_scope(CRM.form("quote"), CRM) if "lines." in fn.example else None
    for form in ("customer", "opportunity", "contract", "payment", "contact", "quote", "followup"):
        try:
            check(fn.example, scope or form_scope(CRM.form(form), CRM))
            return
        except ExpressionError:
            continue
    pytest.fail(f"the example of {name} does not type-check on any CRM form: {fn.example}")
