"""Alembic migrations build exactly the tables runtime/db/tables.py declares, on every backend,
plus the search index (a virtual table on SQLite, so not in the metadata), filled for stored records."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import bindparam, select, text

from engine.text_order import SEPARATOR, SQL_FUNCTION, sort_key
from runtime.accounts import user_search
from runtime.apps import definitions
from runtime.db import schema
from runtime.db.tables import metadata, users
from runtime.records import indexes, records
from runtime.records.context import Actor, Change
from runtime.records.indexes import existing_indexes, index_prefix, wanted_indexes
from tests.backends import fresh_database
from tests.factories import shop


def _declared(name: str | None, type_: str, _parents: Any) -> bool:
    """The search index and FTS5's shadow tables are made by runtime/records/search.py."""
    return not (type_ == "table" and (name or "").startswith("record_search"))


def test_upgrade_to_head_matches_the_table_definitions(backend: str, tmp_path: Any) -> None:
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db)
        schema.upgrade(db)  # a second run is a no-op
        assert schema.current_revision(db) == schema.expected_revision()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": _declared}), metadata)
            assert conn.execute(text("SELECT count(*) FROM record_search")).scalar() == 0
            if db.dialect == "sqlite":  # writers leave segment merges to the server's thread (0008)
                automerge = text("SELECT v FROM record_search_config WHERE k = 'automerge'")
                assert conn.execute(automerge).scalar() == 0
        assert diff == []


def test_0009_rebuilds_text_fields_indexes_in_chinese_order(backend: str, tmp_path: Any) -> None:
    """A database from before 0009 has its text fields indexed in code-point order: the upgrade builds
    the indexes the lists now ask for and drops the old ones."""
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db, "0008")
        with db.write() as conn:
            definitions.import_app(conn, shop(), Change(Actor(None)))
            ref = definitions.form_ref(conn, "shop", "customer")
            wanted = set(wanted_indexes("shop", ref.form, db.dialect))
            for name in existing_indexes(conn, "shop", "customer"):
                conn.execute(text(f"DROP INDEX {name}"))
            name = "COALESCE(json_extract(data, '$.name'), '')" if db.dialect == "sqlite" else \
                "COALESCE((data ->> 'name'), '') COLLATE \"C\""
            conn.execute(text(f"CREATE UNIQUE INDEX {index_prefix('shop', 'customer')}old ON records (({name})) "
                              "WHERE app = 'shop' AND form = 'customer' AND deleted_at IS NULL"))
        schema.upgrade(db)
        with db.read() as conn:
            assert existing_indexes(conn, "shop", "customer") == wanted


def test_0010_leads_sqlite_form_indexes_with_the_form_column(backend: str, tmp_path: Any, monkeypatch: Any) -> None:
    """A database from before 0010 has its SQLite form indexes on the fields alone: the upgrade builds
    them anew led by `form` and drops the old ones. PostgreSQL's are the same before and after."""
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db, "0009")
        with db.write() as conn:
            with monkeypatch.context() as before_0010:
                before_0010.setattr(indexes, "LEADING_COLUMN", {})
                definitions.import_app(conn, shop(), Change(Actor(None)))
            ref = definitions.form_ref(conn, "shop", "customer")
            old = existing_indexes(conn, "shop", "customer")
        schema.upgrade(db)
        with db.read() as conn:
            new = existing_indexes(conn, "shop", "customer")
            statements = conn.execute(text("SELECT sql FROM sqlite_master WHERE name IN :names").bindparams(
                bindparam("names", expanding=True)), {"names": list(new)}).scalars().all() if db.dialect == "sqlite" else []
        assert new == set(wanted_indexes("shop", ref.form, db.dialect)) and len(new) == 3
        assert (new == old) == (db.dialect == "postgresql")
        assert all("ON records (form, " in sql for sql in statements), statements


def test_0011_drops_the_old_login_counts_and_adds_known_addresses(backend: str, tmp_path: Any) -> None:
    """A lock under the old rules (a name locked from every address) does not outlive the upgrade; the
    counts now say which name and address they are about, and known addresses have a table."""
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db, "0010")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO login_attempts (key, failures, last_failure_at, locked_until) "
                              "VALUES ('user:admin', 0, '2026-12-01 09:00:00', '2099-01-01 00:00:00')"))
        schema.upgrade(db)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM login_attempts")).scalar() == 0
            assert conn.execute(text("SELECT username, address FROM login_attempts")).all() == []
            assert conn.execute(text("SELECT user_id, address, last_login_at FROM login_addresses")).all() == []


def _key_before_0012(value: Any) -> str | None:
    """tg_text_key as it was: the primary ranks, then the text (ties of case, width and accent by code point)."""
    return None if value is None else sort_key(str(value)).split(SEPARATOR, 1)[0] + SEPARATOR + str(value)


def test_0012_rebuilds_sqlite_text_key_indexes_in_the_finer_order(backend: str, tmp_path: Any) -> None:
    """SQLite's indexes over tg_text_key hold the old key's order before 0012 (integrity_check sees them
    disagree with the new key); the upgrade rebuilds them. PostgreSQL's stay as they were."""
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db, "0011")
        with db.write() as conn:
            definitions.import_app(conn, shop(), Change(Actor(None)))
            ref = definitions.form_ref(conn, "shop", "customer")
            for name in ("cmpA", "cmpa", "cmpá", "cmpＡ"):
                records.create(conn, ref, {"name": name}, Change(Actor(None)))
        if db.dialect == "sqlite":
            with db.engine.begin() as conn:
                driver = conn.connection.driver_connection
                driver.create_function(SQL_FUNCTION, 1, _key_before_0012, deterministic=True)
                conn.exec_driver_sql("REINDEX")
            db.engine.dispose()  # the next connections get today's tg_text_key again
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() != "ok"
        schema.upgrade(db)
        with db.read() as conn:
            if db.dialect == "sqlite":
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            ref = definitions.form_ref(conn, "shop", "customer")
            assert existing_indexes(conn, "shop", "customer") == set(wanted_indexes("shop", ref.form, db.dialect))


def test_0022_drops_members_of_removed_roles_and_indexes_the_users_words(backend: str, tmp_path: Any) -> None:
    """Members left behind by roles the published definition no longer has are removed (a role created again
    under that key starts empty); the users already there get their search words."""
    definition = shop()
    definition["roles"] = [{"key": "clerk", "name": "店员", "permissions": {"customer": {"read": "all"}}}]
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db, "0021")
        with db.write() as conn:
            definitions.import_app(conn, definition, Change(Actor(None)))
            conn.execute(text("INSERT INTO users (username, display_name, password_hash, is_admin, active, created_at, "
                              "must_change_password) VALUES ('zw', '张伟', '!', false, true, '2026-12-01 09:00:00', "
                              "false)"))
            conn.execute(text("INSERT INTO departments (key, name, created_at, active) "
                              "VALUES ('east', '华东', '2026-12-01 09:00:00', true)"))
            user_id = conn.execute(text("SELECT id FROM users WHERE username = 'zw'")).scalar()
            for role in ("clerk", "gone"):
                conn.execute(text("INSERT INTO role_members (app, role, user_id) VALUES ('shop', :r, :u)"),
                             {"r": role, "u": user_id})
                conn.execute(text("INSERT INTO role_departments (app, role, department) VALUES ('shop', :r, 'east')"),
                             {"r": role})
        schema.upgrade(db)
        with db.read() as conn:
            assert conn.execute(text("SELECT role FROM role_members")).scalars().all() == ["clerk"]
            assert conn.execute(text("SELECT role, with_subdepartments FROM role_departments")).all() == [
                ("clerk", False)]
            found = conn.execute(select(users.c.username).where(user_search.matching("zhangw"))).scalars().all()
            assert found == ["zw"]
