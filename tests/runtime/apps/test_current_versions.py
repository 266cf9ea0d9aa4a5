"""Which version of an app is current is read once a second, not once a request (storage.definitions,
storage.recent): a version published through this process is current at once, one published by
another process within the second, and one that was rolled back never."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.apps import definitions
from runtime.db import recent
from runtime.db.db import Database, open_database
from runtime.records.context import Actor, Change
from tests.factories import shop

ADMIN = Change(Actor("admin", is_admin=True))


def _with_field(key: str) -> dict[str, Any]:
    app = shop(version="2.0.0")
    app["forms"][0]["fields"].append({"key": key, "type": "text", "label": key})
    return app


def _current(db: Database) -> int:
    with db.read() as conn:
        return definitions.current(conn, "shop")[1]


def _same_database(db: Database) -> Database:
    """Another engine on the same database: what another process (a second worker) has."""
    url = db.engine.url.render_as_string(hide_password=False)
    if db.dialect == "sqlite":
        return open_database(url, sqlite_json="jsonb" if db.jsonb else "text")
    with db.read() as conn:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
    return open_database(url, connect_args={"options": f"-csearch_path={schema}"})


def _publish_from_another_process(db: Database) -> None:
    other = _same_database(db)
    try:
        with other.write() as conn:
            definitions.upgrade_app(conn, "shop", _with_field("vip"), ADMIN)
    finally:
        other.engine.dispose()


@pytest.fixture
def shop_db(db: Database) -> Database:
    with db.write() as conn:
        definitions.import_app(conn, shop(), ADMIN)
    return db


def test_a_version_published_through_this_process_is_current_at_once(shop_db: Database) -> None:
    assert _current(shop_db) == 1  # now kept
    with shop_db.write() as conn:
        definitions.upgrade_app(conn, "shop", _with_field("vip"), ADMIN)
    assert _current(shop_db) == 2


def test_a_version_another_process_published_is_current_within_the_second(
        shop_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _current(shop_db) == 1
    _publish_from_another_process(shop_db)
    assert _current(shop_db) == 1  # read a moment ago: trusted for now
    later = recent.monotonic() + recent.SECONDS
    monkeypatch.setattr(recent, "monotonic", lambda: later)
    assert _current(shop_db) == 2


def test_without_keeping_it_the_other_process_s_version_is_current_at_once(shop_db: Database) -> None:
    """The test above fails for the right reason: it is the cache that kept version 1."""
    definitions._current_versions(shop_db.engine).seconds = 0
    assert _current(shop_db) == 1
    _publish_from_another_process(shop_db)
    assert _current(shop_db) == 2


def test_a_version_read_by_the_transaction_that_publishes_it_is_not_lent_to_others(shop_db: Database) -> None:
    """Until it commits, the new version is the publishing transaction's own: another request must
    go on seeing version 1, and after a rollback everyone does."""
    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), shop_db.write() as conn:
        definitions.upgrade_app(conn, "shop", _with_field("vip"), ADMIN)
        assert definitions.current(conn, "shop")[1] == 2  # its own, uncommitted
        assert _current(shop_db) == 1  # another connection, at the same moment
        raise RolledBack
    assert _current(shop_db) == 1
