"""The form builder page: palette, canvas and property panel over the app's draft. form_builder.js
makes every change through the builder endpoints (add / move / update / remove a field, publish),
so the draft stays a valid definition and every refusal comes back with its JSON path."""

from __future__ import annotations

from typing import Any, get_args

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui.cells import option_values
from builder_ui.records import cascade_paths, field_meta
from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from engine.app import AppDefinition
from engine.app_check import parse_app
from engine.forms import builder as edits
from engine.forms.fields.lookup import Result as LookupResult
from engine.forms.fields.rollup import RollupField
from runtime.accounts.directory import active_users, department_choices
from runtime.api.deps import DB
from runtime.apps import definitions

router = APIRouter(include_in_schema=False)

# The palette: a type, its name in both languages, and the options a new field of it starts with
# (the ones its definition requires, so that dropping it keeps the draft valid).
PALETTE: list[tuple[str, str, str, dict[str, Any]]] = [
    ("text", "单行文本", "Text", {}),
    ("textarea", "多行文本", "Long text", {}),
    ("number", "数字", "Number", {}),
    ("money", "金额", "Money", {}),
    ("percent", "百分比", "Percent", {}),
    ("date", "日期", "Date", {}),
    ("datetime", "日期时间", "Date & time", {}),
    ("boolean", "是/否", "Yes / no", {}),
    ("select", "单选", "Select", {"options": ["选项一", "选项二"]}),
    ("multi_select", "多选", "Multi-select", {"options": ["选项一", "选项二"]}),
    ("cascade", "级联选择", "Cascade", {"options": [{"value": "一级", "children": ["二级"]}]}),
    ("address", "地址", "Address", {}),
    ("phone", "电话", "Phone", {}),
    ("email", "邮箱", "E-mail", {}),
    ("url", "网址", "URL", {}),
    ("user", "成员", "User", {}),
    ("users", "多个成员", "Users", {}),
    ("department", "部门", "Department", {}),
    ("relation", "关联记录", "Relation", {}),
    ("lookup", "引用字段", "Lookup", {}),  # relation and field: chosen by the page from the app's forms
    ("rollup", "汇总", "Rollup", {}),  # source: a relation of another form that points at this one
    ("formula", "公式", "Formula", {"formula": "1 + 1"}),
    ("auto_number", "自动编号", "Auto number", {"pattern": "NO-{seq:4}"}),
    ("attachment", "附件", "Attachment", {}),
    ("sub_table", "子表", "Sub-table", {"fields": [{"key": "item", "type": "text", "label": "名称"}]}),
]

# A sub-table column may be any type but these (the engine refuses nested tables and numbering in
# rows; lookups and rollups follow the form's relations, not a row's).
NOT_COLUMNS = {"sub_table", "auto_number", "lookup", "rollup"}


def catalogue(definition: AppDefinition) -> list[dict[str, Any]]:
    """The app's forms and their fields as the page's script needs them to offer relations, lookups and
    rollups: each field's type in expressions (`result`, from the engine), target and `multiple`."""
    return [{"key": f.key, "name": f.name, "fields": [
        {"key": x.key, "label": x.label, "type": x.type, "result": x.expression_type(),
         "target": getattr(x, "target", None), "multiple": getattr(x, "multiple", False)} for x in f.fields]}
        for f in definition.forms]


@router.get("/apps/{app}/builder/forms/{form}")
def builder_page(request: Request, app: str, form: str, user: Viewer, guard: PageGuard, db: DB) -> Response:
    with db.read() as conn:
        guard.require_manage(conn, app, form)
        draft = definitions.draft(conn, app)
        _, published = definitions.current(conn, app)
    form_json = edits.form_of(draft, form)
    palette = [{"type": t, "zh": zh, "en": en, "defaults": d} for t, zh, en, d in PALETTE]
    results = {"lookup": list(get_args(LookupResult)),
               "rollup": list(get_args(RollupField.model_fields["result"].annotation))}
    return render(request, "builder/form_builder.html", user=user, app_key=app, app_name=draft.get("name", app),
                  form=form_json, published=published, palette=palette, forms=catalogue(parse_app(draft)),
                  columns=[p for p in palette if p["type"] not in NOT_COLUMNS], results=results)


@router.get("/apps/{app}/builder/forms/{form}/preview")
def preview_page(request: Request, app: str, form: str, user: Viewer, guard: PageGuard, db: DB) -> Response:
    """The draft's form as users will see it once published (saving is off)."""
    with db.read() as conn:
        guard.require_manage(conn, app, form)
        definition = parse_app(definitions.draft(conn, app))
        users = active_users(conn)
        departments = department_choices(conn)
    form_def = definition.form(form)
    return render(request, "records/form.html", user=user, app=definition, form=form_def, record=None, values={},
                  users=users, departments=departments, meta=field_meta(definition, form_def), options=option_values,
                  cascade_paths=cascade_paths, preview=True, locked=[])
