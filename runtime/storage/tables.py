"""The platform's own tables (SQLAlchemy Core). Alembic migrations create them; tests may use create_all."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    text,
)

from runtime.storage.types import RecordJSON, UTCDateTime

metadata = MetaData()

Id = BigInteger().with_variant(Integer, "sqlite")  # INTEGER PRIMARY KEY is SQLite's rowid

users = Table(
    "users", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
)

tokens = Table(
    "tokens", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # login | api
    Column("name", String(200)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
)

apps = Table(
    "apps", metadata,
    Column("key", String(63), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("version", Integer, nullable=False),  # the current published version
    Column("draft", RecordJSON),  # the builder's working copy, None when equal to the current version
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

app_versions = Table(
    "app_versions", metadata,
    Column("app", ForeignKey("apps.key", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("label", String(50), nullable=False),  # the definition's own "version" string
    Column("definition", RecordJSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64)),
)

records = Table(
    "records", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("app", String(63), nullable=False),
    Column("form", String(63), nullable=False),
    Column("data", RecordJSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("def_version", Integer, nullable=False),
    Column("owner", String(64)),
    Column("department", String(63)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64)),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(64)),
    Column("deleted_at", UTCDateTime),
    Index("ix_records_form_id", "app", "form", "id", postgresql_where=text("deleted_at IS NULL"),
          sqlite_where=text("deleted_at IS NULL")),
)

record_history = Table(
    "record_history", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("record_id", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("action", String(16), nullable=False),  # create | update | delete | restore
    Column("changed", RecordJSON, nullable=False),  # field keys whose values changed
    Column("data", RecordJSON, nullable=False),  # the whole data after the change
    Column("at", UTCDateTime, nullable=False),
    Column("by", String(64)),
    UniqueConstraint("record_id", "version"),
)

sequences = Table(
    "sequences", metadata,
    Column("app", String(63), primary_key=True),
    Column("form", String(63), primary_key=True),
    Column("field", String(63), primary_key=True),
    Column("scope", String(200), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("user_id", BigInteger, primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request", String(64), nullable=False),  # hash of method, path and body
    Column("status", Integer, nullable=False),
    Column("response", RecordJSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

files = Table(
    "files", metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("content_type", String(255), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64)),
)

# Web UI (issue 7): each user's saved list views and column layout per form.

saved_views = Table(
    "saved_views", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("app", String(63), nullable=False),
    Column("form", String(63), nullable=False),
    Column("name", String(100), nullable=False),
    Column("spec", RecordJSON, nullable=False),  # {columns, sort, filters, expression, search}
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("user_id", "app", "form", "name"),
)

list_layouts = Table(
    "list_layouts", metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("app", String(63), primary_key=True),
    Column("form", String(63), primary_key=True),
    Column("columns", RecordJSON, nullable=False),  # field keys in the order the user put them
    Column("updated_at", UTCDateTime, nullable=False),
)

__all__ = ["metadata", "users", "tokens", "apps", "app_versions", "records", "record_history",
           "sequences", "idempotency_keys", "files",
           "saved_views", "list_layouts"]
