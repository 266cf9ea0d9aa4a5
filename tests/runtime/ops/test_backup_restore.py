"""`tangram backup` and `tangram restore` through the CLI's entry function: a CRM with demo data, a flow
instance with its task, a user and an uploaded file come back identical in a fresh database and data
directory; a target that is not empty, a damaged archive and a newer schema are refused, writing nothing."""

from __future__ import annotations

import gc
import io
import json
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from runtime.cli import CRM_TEMPLATE, main
from runtime.db import schema
from runtime.db.db import open_database
from runtime.db.tables import metadata
from runtime.main import create_app
from runtime.settings import Settings
from tests import backends
from tests.factories import Maker
from tests.flows import FlowWorld, approval, approval_flow, tickets


@pytest.fixture
def databases(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    """Two new, empty databases of the backend: (source URL, target URL)."""
    if backend.startswith("sqlite"):
        monkeypatch.setenv("TANGRAM_SQLITE_JSON", "text" if backend == "sqlite-text" else "jsonb")
        yield f"sqlite:///{tmp_path}/src/tangram.db", f"sqlite:///{tmp_path}/dst/tangram.db"
        return
    backends.require_postgres()
    names = [f"backup_{uuid.uuid4().hex[:10]}_{side}" for side in ("src", "dst")]
    admin = create_engine(backends.PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        base = make_url(backends.PG_URL)
        yield tuple(base.set(database=name).render_as_string(hide_password=False) for name in names)  # type: ignore[misc]
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def cli(*argv: str) -> int:
    return main(list(argv))


def _schema_only(url: str, data_dir: Path) -> None:
    assert cli("db", "upgrade", "--db", url) == 0
    (data_dir / "files" / "ab").mkdir(parents=True)
    (data_dir / "files" / "ab" / "ab01").write_bytes(b"attachment")


def _crm_with_flow_and_file(url: str, data_dir: Path) -> None:
    """The CRM with demo data (sub-table lines, history), a user, a flow instance with an open task and an
    uploaded file: built through the CLI and the HTTP API as an operator's site would be."""
    assert cli("db", "upgrade", "--db", url) == 0
    assert cli("app", "import", str(CRM_TEMPLATE), "--db", url) == 0
    assert cli("demo-data", "--count", "3", "--quiet", "--db", url) == 0
    assert cli("user", "create", "bob", "--password", "Tq7-wharf-lantern", "--display-name", "鲍勃", "--db", url) == 0
    gc.collect()  # a connection left open by a command would warn here (ResourceWarning fails the test)
    db = open_database(url, sqlite_json="auto")
    try:
        service = create_app(Settings(data_dir=data_dir, database_url="unused://", admin_password="admin-secret-1"),
                             db)
        with TestClient(service) as client:
            world = FlowWorld(Maker(service, client), tickets(approval_flow(approval({"users": ["admin"]}))))
            ticket = world.record({"summary": "空调漏水", "cost": "1200"})
            world.submit(ticket["id"])
            uploaded = client.post("/api/v1/files", files={"file": ("合同.pdf", b"%PDF-1.4 \x00\xff bytes", "application/pdf")},
                                   headers=world.h("admin"))
            assert uploaded.status_code == 201, uploaded.text
    finally:
        db.engine.dispose()
    (data_dir / "secret_key").write_bytes(b"session-signing-key")


def _every_row(url: str) -> dict[str, list[Any]]:
    """Every row of every table (and the schema revision), each table in primary-key order."""
    db = open_database(url, sqlite_json="auto")
    try:
        with db.engine.connect() as conn:
            rows = {t.name: [tuple(r) for r in conn.execute(select(t).order_by(*(t.primary_key.columns or t.columns)))]
                    for t in metadata.sorted_tables}
            rows["alembic_version"] = [tuple(r) for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
        return rows
    finally:
        db.engine.dispose()


def _files(data_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(data_dir).as_posix(): p.read_bytes() for p in sorted(data_dir.rglob("*"))
            if p.is_file() and not p.name.startswith(("tangram.db", "analytics.duckdb"))}


def test_backup_then_restore_into_a_fresh_database_gives_back_every_row_and_file(
        databases: tuple[str, str], tmp_path: Path, capsys: Any) -> None:
    source, target = databases
    src_dir, dst_dir = tmp_path / "src", tmp_path / "dst"
    _crm_with_flow_and_file(source, src_dir)
    before = _every_row(source)
    for table in ("records", "record_history", "app_versions", "users", "flow_instances", "flow_tasks", "files"):
        assert before[table], f"the source has no {table}: the round trip would prove nothing about them"
    assert any("lines" in json.dumps(row, default=str) for row in before["records"])  # quotes with sub-table lines
    archive = tmp_path / "site.tar.gz"
    capsys.readouterr()

    assert cli("backup", "--db", source, "--data-dir", str(src_dir), "-o", str(archive)) == 0
    assert "1 file(s)" in capsys.readouterr().out
    assert cli("restore", str(archive), "--db", target, "--data-dir", str(dst_dir)) == 0

    assert _every_row(target) == before
    assert _files(dst_dir) == _files(src_dir)
    assert (dst_dir / "secret_key").read_bytes() == b"session-signing-key"


def test_the_manifest_names_versions_revision_database_and_every_members_checksum(
        databases: tuple[str, str], tmp_path: Path) -> None:
    source, _ = databases
    _schema_only(source, tmp_path / "src")
    archive = tmp_path / "site.tar.gz"
    assert cli("backup", "--db", source, "--data-dir", str(tmp_path / "src"), "-o", str(archive)) == 0
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        names = set(tar.getnames())
    assert manifest["schema_revision"] == schema.expected_revision()
    assert manifest["database"] == make_url(source).get_backend_name()
    assert manifest["tangram_version"] and manifest["created_at"] and manifest["file_count"] == 1
    assert names == {"manifest.json", *manifest["members"]}
    assert "files/ab/ab01" in manifest["members"]
    assert not any("duckdb" in name for name in names)  # the mirror is rebuilt, not backed up


def _repack(archive: Path, out: Path, change: Any) -> None:
    """A copy of the archive with `change(name, bytes) -> bytes` applied to each member."""
    with tarfile.open(archive) as tar, tarfile.open(out, "w:gz") as new:
        for member in tar:
            data = change(member.name, tar.extractfile(member).read())  # type: ignore[union-attr]
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))


def _manifest_with(**fields: Any) -> Any:
    def change(name: str, data: bytes) -> bytes:
        return json.dumps({**json.loads(data), **fields}).encode() if name == "manifest.json" else data
    return change


def _flip_a_file_byte(name: str, data: bytes) -> bytes:
    return data[:-1] + b"X" if name == "files/ab/ab01" else data


def _nothing_written(target: str, dst_dir: Path) -> None:
    db = open_database(target, sqlite_json="auto")
    try:
        with db.engine.connect() as conn:
            assert not conn.dialect.get_table_names(conn)
    finally:
        db.engine.dispose()
    assert not (dst_dir / "files").exists()


@pytest.mark.parametrize(("change", "message"), [
    (_flip_a_file_byte, "files/ab/ab01 does not match its checksum in the manifest"),
    (_manifest_with(schema_revision="9999"), "schema revision 9999 is newer than this Tangram's"),
    (_manifest_with(format=7), "not a Tangram backup"),
], ids=["damaged-member", "newer-schema", "unknown-format"])
def test_an_archive_that_cannot_be_trusted_or_is_newer_is_refused_writing_nothing(
        databases: tuple[str, str], tmp_path: Path, capsys: Any, change: Any, message: str) -> None:
    source, target = databases
    _schema_only(source, tmp_path / "src")
    archive, bad = tmp_path / "site.tar.gz", tmp_path / "bad.tar.gz"
    assert cli("backup", "--db", source, "--data-dir", str(tmp_path / "src"), "-o", str(archive)) == 0
    _repack(archive, bad, change)
    capsys.readouterr()
    assert cli("restore", str(bad), "--db", target, "--data-dir", str(tmp_path / "dst")) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    _nothing_written(target, tmp_path / "dst")


def test_a_truncated_archive_is_a_clear_error(databases: tuple[str, str], tmp_path: Path, capsys: Any) -> None:
    source, target = databases
    _schema_only(source, tmp_path / "src")
    archive = tmp_path / "site.tar.gz"
    assert cli("backup", "--db", source, "--data-dir", str(tmp_path / "src"), "-o", str(archive)) == 0
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    capsys.readouterr()
    assert cli("restore", str(archive), "--db", target, "--data-dir", str(tmp_path / "dst")) == 1
    assert "not a readable tar.gz archive" in capsys.readouterr().err
    _nothing_written(target, tmp_path / "dst")


def test_restore_into_a_database_that_has_tables_is_refused(databases: tuple[str, str], tmp_path: Path,
                                                            capsys: Any) -> None:
    source, target = databases
    _schema_only(source, tmp_path / "src")
    archive = tmp_path / "site.tar.gz"
    assert cli("backup", "--db", source, "--data-dir", str(tmp_path / "src"), "-o", str(archive)) == 0
    assert cli("db", "upgrade", "--db", target) == 0
    capsys.readouterr()
    assert cli("restore", str(archive), "--db", target, "--data-dir", str(tmp_path / "dst")) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the target database") and "is not empty: restore needs a new, empty one" in err
    assert not (tmp_path / "dst" / "files").exists()


def test_restore_into_a_data_directory_with_files_is_refused(databases: tuple[str, str], tmp_path: Path,
                                                             capsys: Any) -> None:
    source, target = databases
    _schema_only(source, tmp_path / "src")
    archive = tmp_path / "site.tar.gz"
    assert cli("backup", "--db", source, "--data-dir", str(tmp_path / "src"), "-o", str(archive)) == 0
    (tmp_path / "dst" / "files" / "cd").mkdir(parents=True)
    (tmp_path / "dst" / "files" / "cd" / "cd02").write_bytes(b"someone else's")
    capsys.readouterr()
    assert cli("restore", str(archive), "--db", target, "--data-dir", str(tmp_path / "dst")) == 1
    assert "already holds files: restore needs an empty data directory" in capsys.readouterr().err
    db = open_database(target, sqlite_json="auto")
    try:
        with db.engine.connect() as conn:
            assert not conn.dialect.get_table_names(conn)
    finally:
        db.engine.dispose()


def test_an_archive_of_an_older_schema_is_restored_then_upgraded(databases: tuple[str, str], tmp_path: Path,
                                                                 capsys: Any) -> None:
    source, target = databases
    older = open_database(source, sqlite_json="auto")
    try:
        schema.upgrade(older, "0022")
    finally:
        older.engine.dispose()
    archive = tmp_path / "site.tar.gz"
    assert cli("backup", "--db", source, "--data-dir", str(tmp_path / "src"), "-o", str(archive)) == 0
    capsys.readouterr()
    assert cli("restore", str(archive), "--db", target, "--data-dir", str(tmp_path / "dst")) == 0
    assert f"revision 0022, upgraded to {schema.expected_revision()}" in capsys.readouterr().out
    assert _every_row(target)["alembic_version"] == [(schema.expected_revision(),)]


def test_a_sqlite_archive_is_refused_by_postgresql_and_the_other_way(databases: tuple[str, str], tmp_path: Path,
                                                                    capsys: Any) -> None:
    source, target = databases
    _schema_only(source, tmp_path / "src")
    archive, other = tmp_path / "site.tar.gz", tmp_path / "other.tar.gz"
    assert cli("backup", "--db", source, "--data-dir", str(tmp_path / "src"), "-o", str(archive)) == 0
    kind = make_url(source).get_backend_name()
    _repack(archive, other, _manifest_with(database="postgresql" if kind == "sqlite" else "sqlite"))
    capsys.readouterr()
    assert cli("restore", str(other), "--db", target, "--data-dir", str(tmp_path / "dst")) == 1
    assert "restore into the same kind of database" in capsys.readouterr().err
    _nothing_written(target, tmp_path / "dst")
