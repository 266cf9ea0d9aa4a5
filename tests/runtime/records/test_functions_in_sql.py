"""Every function, in Python and in SQL: each documented example is evaluated in Python for every
demo record of a CRM form, and the database must select exactly the records Python selects for
`example = <that value>` — on SQLite always; on PostgreSQL wherever the function compiles there,
and elsewhere the filter must be refused naming the function."""

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
from engine.expr.scope import form_scope
from engine.expr.typecheck import check
from runtime.demo.generate import generate

TEMPLATE = json.loads((Path(__file__).resolve().parents[3] / "apps" / "crm_template.json").read_text("utf-8"))
CRM = parse_app(TEMPLATE)
FORMS = ("customer", "opportunity", "contract", "payment", "contact", "followup")


def _literal(value: Any) -> str | None:
    """The value written in the language, or None when it has no literal (dates: compared as text)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return None


def _form_of(example: str) -> str | None:
    for form in FORMS:
        try:
            check(example, form_scope(CRM.form(form), CRM))
            return form
        except ExpressionError:
            continue
    return None


def _load(make: Any) -> dict[str, list[dict[str, Any]]]:
    make.app_def(TEMPLATE)
    make.user("wang.li", admin=False)
    stored: dict[str, list[dict[str, Any]]] = {}
    related: dict[str, list[int]] = {}
    for form, count in (("customer", 6), ("contact", 6), ("opportunity", 6), ("followup", 6), ("contract", 6),
                        ("payment", 6)):
        items = list(generate(CRM, form, count, seed=5, owners=["wang.li"], related=related))
        r = make.client.post(make.url(form, "crm") + "/bulk", json={"items": items}, headers=make.admin)
        assert r.status_code == 201, r.text
        related[form] = [i["id"] for i in r.json()["items"]]
    for form in related:  # read back: rollups changed as later forms were loaded
        stored[form] = make.client.get(make.url(form, "crm"), params={"limit": 500}, headers=make.admin).json()["items"]
    return stored


NAMES = [n for n in functions.keys()
         if _form_of(functions.get(n).example) and "lines." not in functions.get(n).example
         and n != "NOW"]  # NOW moves between the Python evaluation and the request: its own tests cover it


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_function_example_selects_the_same_records_in_sql_as_in_python(make: Any, backend: str, name: str) -> None:
    example = functions.get(name).example
    form = _form_of(example)
    assert form is not None
    checked = check(example, form_scope(CRM.form(form), CRM))
    dialect = "postgresql" if backend == "postgresql" else "sqlite"
    stored = _load(make)[form]
    if not checked.compiles_to(dialect):  # refused by name, never answered another way
        r = make.client.get(make.url(form, "crm"), params={"filter": f"ISBLANK({example})"},
                            headers={**make.admin, "Accept-Language": "en"})
        assert r.status_code == 400 and f"{name}()" in r.json()["error"]["message"], r.text
        return
    ctx = EvalContext(now=datetime.now(UTC), user="admin")
    values = {r["id"]: evaluate(checked, _plain(r["data"]), ctx) for r in stored}
    for value in {v for v in values.values() if not isinstance(v, list)}:
        literal = _literal(value) if value is not None else None
        if value is not None and literal is None:
            condition = f'TEXT({example}) = "{value.isoformat() if isinstance(value, date) else value}"'
        else:
            condition = f"ISBLANK({example})" if value is None else f"({example}) = {literal}"
        r = make.client.get(make.url(form, "crm"), params={"filter": condition, "limit": 500}, headers=make.admin)
        if r.status_code == 400 and dialect == "postgresql":
            continue  # the comparison itself needs a function PostgreSQL lacks (TEXT of a date)
        assert r.status_code == 200, r.text
        expected = sorted(i for i, v in values.items() if v == value and not (value is None and v is not None))
        assert sorted(i["id"] for i in r.json()["items"]) == expected, condition


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """API data back to stored values (relations come back as {id, title})."""
    return {k: (v["id"] if isinstance(v, dict) and "title" in v else v) for k, v in data.items()}
