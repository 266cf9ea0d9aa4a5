"""Fixtures: every database test runs once per backend (--db, default all) in a database of its own."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from runtime.crypto import keyring
from runtime.db.db import Database
from runtime.main import create_app
from runtime.settings import Settings
from tests import backends, hashing
from tests.factories import Maker

# No per-example deadline: it is a timing threshold, and on a loaded 2-core machine it fails tests that are right.
hypothesis_settings.register_profile("tangram", deadline=None)
hypothesis_settings.load_profile("tangram")
os.environ.setdefault("TANGRAM_EMBEDDED_WORKER", "false")  # tests drive the job worker with run_due(now)
# The one place the suite opens loopback to outbound calls: its fake receivers, robots and ERPs listen on
# 127.0.0.1 (tests/fakes.py, tests/erp_fakes.py). tests/runtime/jobs/test_outbound*.py run without it.
os.environ.setdefault("TANGRAM_OUTBOUND_ALLOW", "127.0.0.1")
hashing.cheap()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", default=os.environ.get("TANGRAM_TEST_DBS", ",".join(backends.ALL)),
                     help=f"comma-separated backends to run database tests on: {', '.join(backends.ALL)}")


def pytest_sessionfinish(session: pytest.Session) -> None:
    backends.drop_emptied_schemas()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        chosen = backends.selected(metafunc.config.getoption("--db"))
        path = metafunc.definition.path.relative_to(metafunc.config.rootpath).as_posix()
        names = backends.for_test(chosen, path)
        metafunc.parametrize("backend", names, ids=names)


@pytest.fixture
def db(backend: str, tmp_path: Any) -> Iterator[Database]:
    with backends.fresh_database(backend, tmp_path) as database:
        yield database


@pytest.fixture
def app(db: Database, tmp_path: Any) -> Any:
    settings = Settings(data_dir=tmp_path, database_url="unused://", admin_password="admin-secret-1")
    return create_app(settings, db)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def make(app: Any, client: TestClient) -> Maker:
    """Factory for users, apps and records, through the public API where it can."""
    return Maker(app, client)


ENCRYPTION_KEY = "q4bZ7rXo2v2n4Dqf9mUo3D0o2oF8m9s0aH2kJ3lP4qQ="


@pytest.fixture
def with_key(make: Maker) -> Iterator[str]:
    """An encryption key installed for the test (after the app is made: it installs its settings', which have none)."""
    keyring.install(keyring.load(ENCRYPTION_KEY, None))
    yield ENCRYPTION_KEY
    keyring.install(None)


@pytest.fixture
def tangram_loggers() -> Iterator[None]:
    """`tangram serve` configures the `tangram` loggers: put them back as they were for the tests after."""
    loggers = [logging.getLogger(name) for name in ("tangram", "tangram.access")]
    saved = [(lg.level, list(lg.handlers)) for lg in loggers]
    yield
    for lg, (level, handlers) in zip(loggers, saved, strict=True):
        lg.setLevel(level)
        lg.handlers[:] = handlers
