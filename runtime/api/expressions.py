"""Check an expression against a form of the draft, as the builders type it: the condition picker's
expert box, a flow's `when`, a report filter. Nothing is saved; the answer is the engine's own verdict —
the result type and the fields read, or the error with its line and column."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from engine.app_check import parse_app
from engine.expr.nodes import Type
from engine.expr.scope import form_scope
from engine.expr.typecheck import check
from runtime.api.deps import DB
from runtime.api.guard import Gatekeeper
from runtime.apps import definitions

router = APIRouter(prefix="/api/v1/apps/{app}/draft/forms/{form}", tags=["expressions"])


class ExpressionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expression: str
    expect: Literal["bool", "number", "text", "date", "datetime"] | None = "bool"
    """The type the expression must give (a condition: bool); null takes any."""


@router.post("/check-expression")
def check_expression(app: str, form: str, body: ExpressionIn, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """`{"expression": "amount > 10000", "expect": "bool"}` → `{"type", "fields", "not_in_database"}`;
    400 `invalid_expression` with `line` and `column` (and the message saying where) when the engine
    refuses it. Needs `manage` on the app."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        draft = parse_app(definitions.draft(conn, app))
    found = draft.form(form)
    checked = check(body.expression, found.__dict__.get("_scope") or form_scope(found, draft),
                    expect=Type(body.expect) if body.expect else None,
                    max_length=request.app.state.limits.expression_chars)
    missing = sorted({why for reasons in checked.not_in_sql.values() for why in reasons})
    return {"type": str(checked.type), "fields": sorted(checked.fields), "not_in_database": missing}
