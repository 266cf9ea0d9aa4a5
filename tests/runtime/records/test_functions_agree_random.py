"""Every text and number function that runs in the database means there what it means in Python: a form's
formulas (computed in Python when a record is written) equal the same expressions run as a list filter in SQL,
over random records — negative, fractional and zero counts and divisors, blanks, Chinese and padded text — on
SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.expr.scope import form_scope
from engine.expr.typecheck import check
from runtime.apps import definitions
from tests.factories import Maker

FORMULAS = {
    "left_n": "LEFT(s, n)",
    "right_n": "RIGHT(s, n)",
    "mid_kn": "MID(s, k, n)",
    "upper_s": "UPPER(s)",
    "trim_s": "TRIM(s)",
    "swap_s": 'SUBSTITUTE(s, "a", "甲")',
    "len_s": "LEN(s)",
    "round_n": "ROUND(a, n)",
    "up_n": "ROUNDUP(a, n)",
    "down_n": "ROUNDDOWN(a, n)",
    "mod_k": "MOD(a, k)",
    "int_a": "INT(a / k)",
    "abs_a": "ABS(a - k)",
    "div_k": "ROUND(a / k, 6)",
    "not_ok": "NOT ok",
    "ok_and": "ok AND n > 1",
    "ok_or": "ok OR n > 1",
    "ok_false": "ok = FALSE",
    "if_ok": "IF(ok, n, k)",
    "lower_s": "LOWER(s)",
    "has_a": 'CONTAINS(s, "a")',
    "starts_a": 'STARTSWITH(s, "a")',
    "joined": 's & "-"',
    "pick": 'SWITCH(n, 1, "一", 2, "二", "多")',
    "above": 'grade > "一般"',
    "below": '"紧急" >= grade',
    "tagged": 'COUNTIF(tags, "甲") > 0',
    "box_cap": "box.cap * 2",  # through a relation: a subquery in SQL, the related record's value in Python
    "box_fits": "box.cap >= n",
    "box_named": 'box.label & "号"',
}

SAMPLES = {
    "format": "tangram/app@1", "key": "lab", "name": "试验", "version": "1.0.0",
    "forms": [{"key": "sample", "name": "样本", "fields": [
        {"key": "s", "type": "text", "label": "文本"},
        {"key": "n", "type": "number", "label": "个数"},
        {"key": "k", "type": "number", "label": "起点"},
        {"key": "a", "type": "number", "label": "数值"},
        {"key": "ok", "type": "boolean", "label": "是否"},
        {"key": "grade", "type": "select", "label": "紧急程度", "options": ["一般", "紧急", "特急"]},
        {"key": "tags", "type": "multi_select", "label": "标签", "options": ["甲", "乙"]},
        {"key": "box", "type": "relation", "label": "箱子", "target": "box"},
        *({"key": key, "type": "formula", "label": key, "formula": text} for key, text in FORMULAS.items()),
    ]}, {"key": "box", "name": "箱子", "fields": [
        {"key": "label", "type": "text", "label": "名称"},
        {"key": "cap", "type": "number", "label": "容量"},
    ]}],
}  # fmt: skip
BOXES = [{"label": "甲", "cap": "2.5"}, {"label": "乙"}, {"cap": "-1"}]
"""Boxes the samples point at (by position): a capacity, none, no label."""

COUNTS = st.one_of(st.integers(-3, 8), st.sampled_from(["0.5", "1.5", "2.7", "-0.5", "-1.5"]))
# Not ß, ﬁ or İ: their upper / lower case has another length in Python (full case mapping) than in
# PostgreSQL (one character for one), a difference not fixed yet.
TEXTS = st.text(alphabet="ab甲乙 Ａá1Ǆ", max_size=7)
AMOUNTS = st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False, allow_infinity=False)


def _sql_disagrees(make: Maker) -> list[tuple[str, list[dict[str, Any]]]]:
    """Per formula that runs in this database, the records where the SQL of its expression differs from it."""
    with make.app.state.db.read() as conn:
        ref = definitions.form_ref(conn, "lab", "sample")
        dialect = conn.dialect.name
    found = []
    for key, text in FORMULAS.items():
        if not check(text, form_scope(ref.form, ref.app)).compiles_to(dialect):
            continue
        r = make.client.get(make.url("sample", "lab"), params={"filter": f"NOT (({text}) = {key})", "limit": 500},
                            headers=make.admin)  # fmt: skip
        assert r.status_code == 200, (text, r.text)
        if r.json()["items"]:
            found.append((text, [i["data"] for i in r.json()["items"]]))
    return found


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries({}, optional={"s": TEXTS, "n": COUNTS, "k": COUNTS, "a": AMOUNTS, "ok": st.booleans(),
        "grade": st.sampled_from(["一般", "紧急", "特急"]), "tags": st.lists(st.sampled_from(["甲", "乙"]), unique=True),
        "box": st.sampled_from(range(len(BOXES)))}),
                     min_size=1, max_size=4))  # fmt: skip
@example(rows=[{"s": "abcdef", "n": "2.7", "k": "0", "a": Decimal("2.5")}])  # fractions and a start before 1
@example(rows=[{"s": "abcdef", "n": "-2", "k": "-1", "a": Decimal("-7.25")}])  # negative counts and divisors
@example(rows=[{"s": " a  b ", "n": "1.5", "k": "1.5", "a": Decimal("-0.5")}])
@example(rows=[{"n": "4", "a": Decimal("80073.623")}])  # ROUNDUP once ran in binary floating point
def test_formulas_and_their_sql_agree_on_random_records(make: Maker, rows: list[dict[str, Any]]) -> None:
    if not make.client.get("/api/v1/apps", headers=make.admin).json()["items"]:
        make.app_def(SAMPLES)
        for box in BOXES:
            make.record("box", box, app="lab")
    boxes = [i["id"] for i in make.client.get(make.url("box", "lab"), headers=make.admin).json()["items"]]
    for row in rows:
        data = {k: str(v) if isinstance(v, Decimal | int) and not isinstance(v, bool) else v for k, v in row.items()}
        if "box" in row:
            data["box"] = sorted(boxes)[row["box"]]
        make.record("sample", data, app="lab")
    assert _sql_disagrees(make) == []
