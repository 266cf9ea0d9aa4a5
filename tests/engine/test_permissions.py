"""Role definitions and the pure permission decisions: no database."""

from __future__ import annotations

from typing import Any

import pytest

from engine.app_check import parse_app, validate_app
from engine.org import Department, Org
from engine.permissions import RowRule, rights_of, row_scope
from engine.permissions.rights import EVERYTHING, ScopeTerm, full_rights
from tests.factories import repair

DESIGN_ROLES = [
    {"key": "team_lead", "name": "班组长", "permissions": {
        "ticket": {"create": True, "read": "all", "update": "department", "delete": False,
                   "export": True, "fields": {"urgency": "read"}}}},
    {"key": "director", "name": "厂长", "permissions": {"*": {"read": "all", "update": "all", "export": True}}},
]


def _app(roles: list[dict[str, Any]]) -> Any:
    return parse_app(repair() | {"roles": roles})


ORG = Org(
    {"hq": Department("hq", "总部"), "east": Department("east", "华东", "hq"),
     "east_a": Department("east_a", "华东一组", "east"), "west": Department("west", "西部", "hq")},
    {"li": ("east",), "wang": ("east_a", "west")},
)


def test_the_design_examples_role_keys_parse_and_dump_unchanged() -> None:
    app = _app(DESIGN_ROLES)
    dumped = app.dump()["roles"][0]["permissions"]["ticket"]
    assert dumped == {"create": True, "read": "all", "update": "department", "export": True,
                      "fields": {"urgency": "read"}}
    assert app.role_keys == {"team_lead", "director"}


def test_a_condition_is_kept_and_written_back_as_an_object() -> None:
    app = _app([{"key": "r", "name": "R", "permissions": {"ticket": {
        "read": True, "update": {"scope": "own", "when": 'urgency != "特急"'}, "import": True}}}])
    p = app.roles[0].permissions["ticket"]
    assert p.read == RowRule(scope="all") and p.update == RowRule(scope="own", when='urgency != "特急"')
    assert p.import_ is True
    assert app.dump()["roles"][0]["permissions"]["ticket"] == {
        "read": "all", "update": {"scope": "own", "when": 'urgency != "特急"'}, "import": True}


@pytest.mark.parametrize("permissions,path,code", [
    ({"nosuch": {"read": "all"}}, "roles[0].permissions.nosuch", "unknown_form"),
    ({"ticket": {"fields": {"nosuch": "read"}}}, "roles[0].permissions.ticket.fields.nosuch", "unknown_field"),
    ({"ticket": {"update": {"scope": "own", "when": "nosuch > 1"}}}, "roles[0].permissions.ticket.update.when",
     "invalid_expression"),
    ({"ticket": {"update": {"scope": "own", "when": "urgency + 1"}}}, "roles[0].permissions.ticket.update.when",
     "invalid_expression"),
    ({"*": {"read": {"scope": "all", "when": "urgency = \"一般\""}}}, "roles[0].permissions.*.read.when",
     "invalid_expression"),  # equipment has no urgency: a "*" condition must fit every form
    ({"ticket": {"read": "everyone"}}, "roles[0].permissions.ticket.read", "literal_error"),
    ({"ticket": {"fields": {"summary": "write"}}}, "roles[0].permissions.ticket.fields.summary", "literal_error"),
    ({"ticket": {"delete": "all", "purge": True}}, "roles[0].permissions.ticket.purge", "extra_forbidden"),
], ids=["unknown-form", "unknown-field", "unknown-field-in-condition", "condition-not-boolean", "star-condition",
        "bad-scope", "bad-access", "unknown-right"])
def test_bad_role_definitions_are_reported_at_their_json_path(permissions: dict[str, Any], path: str,
                                                              code: str) -> None:
    issues = validate_app(repair() | {"roles": [{"key": "r", "name": "R", "permissions": permissions}]})
    assert any(i.path.startswith(path) and i.code == code for i in issues), issues


def test_duplicate_role_keys_are_reported() -> None:
    roles = [{"key": "r", "name": "R"}, {"key": "r", "name": "R2"}]
    assert [(i.path, i.code) for i in validate_app(repair() | {"roles": roles})] == [("roles[1].key", "duplicate_key")]


def test_rights_are_the_union_of_the_roles() -> None:
    app = _app(DESIGN_ROLES)
    form = app.form("ticket")
    lead = rights_of(form, [app.roles[0]])
    assert lead.allows("create") and lead.allows("export") and not lead.allows("delete")
    assert lead.access("urgency") == "read" and lead.access("summary") == "edit"
    both = rights_of(form, app.roles)
    assert both.rules("update") == (RowRule(scope="department"), RowRule(scope="all"))
    assert both.access("urgency") == "edit"  # the director's "*" leaves it editable: the most open access wins
    assert not rights_of(form, []).visible and rights_of(form, []).hidden_fields() == set(form.field_keys)


def test_the_star_entry_covers_forms_without_their_own() -> None:
    app = _app(DESIGN_ROLES)
    director = rights_of(app.form("equipment"), [app.roles[1]])
    assert director.allows("read") and not director.allows("create")
    assert not rights_of(app.form("equipment"), [app.roles[0]]).visible


def test_default_field_access_decides_fields_not_listed_including_new_ones() -> None:
    roles = [{"key": "a", "name": "A", "default_field_access": "hidden",
              "permissions": {"ticket": {"read": "all", "fields": {"summary": "read"}}}},
             {"key": "b", "name": "B", "permissions": {"ticket": {"read": "all", "default_field_access": "read"}}}]
    app = _app(roles)
    a = rights_of(app.form("ticket"), [app.roles[0]])
    assert a.hidden_fields() == set(app.form("ticket").field_keys) - {"summary"}
    b = rights_of(app.form("ticket"), [app.roles[1]])
    assert b.read_only_fields() == set(app.form("ticket").field_keys)


def test_an_administrator_has_everything_without_a_scope() -> None:
    rights = full_rights(_app([]).form("ticket"))
    assert all(rights.allows(op) for op in ("create", "read", "update", "delete", "restore", "export", "import",
                                            "manage"))
    assert row_scope(rights, "delete", "anyone", Org()) == EVERYTHING


@pytest.mark.parametrize("scope,user,owners,departments", [
    ("own", "li", {"li"}, None),
    ("department", "li", None, {"east"}),
    ("department_tree", "li", None, {"east", "east_a"}),
    ("department", "wang", None, {"east_a", "west"}),
    ("department_tree", "wang", None, {"east_a", "west"}),
], ids=["own", "department", "tree", "two-departments", "tree-of-leaves"])
def test_row_scopes_become_owners_and_departments(scope: str, user: str, owners: Any, departments: Any) -> None:
    app = _app([{"key": "r", "name": "R", "permissions": {"ticket": {"read": scope}}}])
    decided = row_scope(rights_of(app.form("ticket"), app.roles), "read", user, ORG)
    assert decided.terms == (ScopeTerm(frozenset(owners) if owners else None,
                                       frozenset(departments) if departments else None),)


def test_a_user_in_no_department_gets_no_department_scope() -> None:
    app = _app([{"key": "r", "name": "R", "permissions": {"ticket": {"read": "department_tree"}}}])
    assert row_scope(rights_of(app.form("ticket"), app.roles), "read", "nobody", ORG).empty


def test_restore_follows_delete() -> None:
    app = _app([{"key": "r", "name": "R", "permissions": {"ticket": {"read": "all", "delete": "own"}}}])
    rights = rights_of(app.form("ticket"), app.roles)
    assert rights.allows("restore") and rights.rules("restore") == (RowRule(scope="own"),)
