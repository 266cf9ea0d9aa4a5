"""Contract tests over the step and action registries: every registered type parses its starter sample,
passes the save-time checks, runs in the machine, is documented and is in the published schema."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from engine.app_check import parse_app, validate_app
from engine.flows.actions import ActionStep, action_types
from engine.flows.events import Start
from engine.flows.machine import advance
from engine.flows.run import FlowContext
from engine.flows.state import FlowInstanceState
from engine.flows.steps import StepType, step_types
from engine.org import Org
from engine.schema import app_json_schema

DOCS = (Path(__file__).resolve().parents[3] / "docs" / "flows.md").read_text(encoding="utf-8")
STEPS = sorted(set(step_types.all()), key=lambda c: c.__name__)
ACTIONS = action_types.all()
EVERY = [*STEPS, *ACTIONS]
NOW = datetime(2026, 12, 5, 2, tzinfo=UTC)


def _app(step: dict[str, Any]) -> dict[str, Any]:
    return {"format": "tangram/app@1", "key": "contract", "name": "契约", "version": "1.0.0",
            "forms": [{"key": "item", "name": "条目", "title_field": "name", "fields": [
                {"key": "name", "type": "text", "label": "名称"},
                {"key": "amount", "type": "number", "label": "金额"},
                {"key": "keeper", "type": "user", "label": "负责人"},
                {"key": "due_on", "type": "date", "label": "到期日"}]}],
            "flows": [{"key": "f", "name": "流程", "form": "item", "trigger": {"on": "submit"}, "steps": [step]}]}


@pytest.mark.parametrize("kind", EVERY, ids=lambda c: c.__name__)
def test_every_type_has_a_label_a_docstring_and_its_own_enter(kind: type[StepType]) -> None:
    assert kind.label and kind.__doc__ and kind.sample
    own = "act" if issubclass(kind, ActionStep) else "enter"
    assert own in vars(kind), f"{kind.__name__} must implement {own}"


@pytest.mark.parametrize("kind", EVERY, ids=lambda c: c.__name__)
def test_every_sample_parses_to_its_class_and_passes_the_save_time_checks(kind: type[StepType]) -> None:
    app = parse_app(_app(kind.sample))
    assert type(app.flows[0].steps[0]) is kind
    assert validate_app(_app(kind.sample)) == []


@pytest.mark.parametrize("kind", EVERY, ids=lambda c: c.__name__)
def test_every_sample_runs_in_the_machine(kind: type[StepType]) -> None:
    app = parse_app(_app(kind.sample))
    ctx = FlowContext({"name": "甲", "amount": 600000, "keeper": "admin", "due_on": "2026-12-31"},
                      Org(), app.form("item"))
    outcome = advance(app.flows[0], FlowInstanceState(), Start("admin"), NOW, ctx)
    assert outcome.state.status in ("running", "approved", "completed")


@pytest.mark.parametrize("name", step_types.keys())
def test_every_step_type_is_documented(name: str) -> None:
    assert re.search(rf"^### .*\b{name}\b", DOCS, re.MULTILINE), f"docs/flows.md has no section for {name}"


@pytest.mark.parametrize("name", action_types.keys())
def test_every_action_is_documented(name: str) -> None:
    assert f"| `{name}` |" in DOCS, f"docs/flows.md's action table has no row for {name}"


@pytest.mark.parametrize("kind", EVERY, ids=lambda c: c.__name__)
def test_every_type_is_in_the_published_schema(kind: type[StepType]) -> None:
    assert kind.__name__ in app_json_schema()["$defs"]


def test_a_step_whose_check_fails_is_reported_at_its_path() -> None:
    broken = {**step_types.get("wait").sample, "duration": None, "until": "nosuch"}
    issues = validate_app(_app(broken))
    assert [(i.path, i.code) for i in issues] == [("flows[0].steps[0].until", "unknown_field")]


CRM = json.loads((Path(__file__).resolve().parents[3] / "apps" / "crm_template.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", EVERY, ids=lambda c: c.__name__)
def test_every_starter_fits_any_form_of_the_crm(kind: type[StepType]) -> None:
    """What the designer's + inserts is valid at once on every form (an assign needs a user field)."""
    app = parse_app(CRM)
    for form in app.forms:
        if kind is action_types.get("assign") and not any(f.type == "user" for f in form.fields):
            continue
        flow = {"key": "designed", "name": "设计中", "form": form.key, "trigger": {"on": "submit"},
                "steps": [kind.starter(app, form)]}
        issues = validate_app({**CRM, "flows": [*CRM["flows"], flow]})
        assert issues == [], (form.key, issues)
