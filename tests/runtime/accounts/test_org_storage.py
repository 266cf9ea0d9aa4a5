"""Departments, members and role members in the database, and the snapshot load_org builds from them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from engine.errors import AlreadyExists, BadQuery, NotFound
from runtime.accounts import org
from runtime.accounts.users import create_user
from runtime.apps import definitions
from runtime.db.db import Database
from runtime.db.tables import users
from runtime.records.context import SYSTEM, Change
from tests.factories import shop

NOW = datetime(2026, 11, 24, tzinfo=UTC)


@pytest.fixture
def people(db: Database) -> Database:
    with db.write() as conn:
        for name in ("ceo", "li.na", "chen.rep", "gone"):
            create_user(conn, name, "password-123", NOW)
        org.create_department(conn, "hq", "总部", NOW, head="ceo")
        org.create_department(conn, "east", "华东大区", NOW, parent="hq", head="li.na")
        org.create_department(conn, "shanghai", "上海分公司", NOW, parent="east")
        org.set_user_departments(conn, "chen.rep", ["east", "shanghai"], primary="shanghai")
        org.set_user_departments(conn, "li.na", ["east"])
    return db


def test_load_org_gives_the_tree_heads_and_primary_departments(people: Database) -> None:
    with people.read() as conn:
        snapshot = org.load_org(conn)
    assert snapshot.ancestors("shanghai") == ["shanghai", "east", "hq"]
    assert snapshot.head_of("shanghai", 1) == "li.na"
    assert snapshot.departments_of("chen.rep") == ("shanghai", "east")
    assert snapshot.primary_department("li.na") == "east"
    assert snapshot.roles == {}


def test_role_members_belong_to_one_app_and_skip_inactive_users(people: Database) -> None:
    with people.write() as conn:
        definitions.import_app(conn, shop(), Change(SYSTEM, NOW))
        org.set_role_members(conn, "shop", "manager", ["li.na", "gone", "li.na"])
        conn.execute(update(users).where(users.c.username == "gone").values(active=False))
    with people.read() as conn:
        assert org.load_org(conn, "shop").role_members("manager") == {"li.na"}
        assert org.load_org(conn, "other").roles == {}


@pytest.mark.parametrize(("call", "error"), [
    (lambda c: org.create_department(c, "hq", "again", NOW), AlreadyExists),
    (lambda c: org.create_department(c, "Bad-Key", "x", NOW), BadQuery),
    (lambda c: org.create_department(c, "west", "西区", NOW, parent="nowhere"), BadQuery),
    (lambda c: org.create_department(c, "west", "西区", NOW, head="nobody"), NotFound),
    (lambda c: org.update_department(c, "hq", parent="shanghai"), BadQuery),  # under its own subtree
    (lambda c: org.set_user_departments(c, "chen.rep", ["east"], primary="hq"), BadQuery),
    (lambda c: org.set_role_members(c, "shop", "manager", ["nobody"]), NotFound),
], ids=["duplicate", "bad-key", "unknown-parent", "unknown-head", "cycle", "primary-not-member", "unknown-user"])
def test_bad_org_changes_are_refused_and_change_nothing(people: Database, call: object, error: type) -> None:
    with people.read() as conn:
        before = org.load_org(conn)
    with pytest.raises(error), people.write() as conn:
        call(conn)  # type: ignore[operator]
    with people.read() as conn:
        assert org.load_org(conn) == before
