"""The platform's own tables (SQLAlchemy Core). Alembic migrations create them; tests may use create_all."""

from __future__ import annotations

from typing import Any

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
    false,
    text,
    true,
)
from sqlalchemy.sql.elements import ColumnElement

from runtime.db.types import RecordJSON, UTCDateTime

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
    Column("mobile", String(32)),  # 手机号, for notices (DingTalk / WeCom / SMS)
    Column("email", String(254)),
    Column("must_change_password", Boolean, nullable=False, default=False, server_default=false()),
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
    Index("ix_records_form_deleted", "app", "form", "deleted_at", "id",  # the bin (migration 0021)
          postgresql_where=text("deleted_at IS NOT NULL"), sqlite_where=text("deleted_at IS NOT NULL")),
)

def live(table: Any = None) -> ColumnElement[bool]:
    """The records every reader sees: not deleted, and stored (an import's staged rows are at version 0
    until it publishes them, records/staging.py). `table` may be an alias of records."""
    t = records if table is None else table
    return t.c.deleted_at.is_(None) & (t.c.version > 0)


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

# --- organisation: departments (a tree, each with a head), their members, and app role members ---

departments = Table(
    "departments", metadata,
    Column("key", String(63), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("parent", ForeignKey("departments.key"), index=True),
    Column("head", String(64)),  # username of the department head (部门负责人)
    Column("created_at", UTCDateTime, nullable=False),
    Column("active", Boolean, nullable=False, default=True, server_default=true()),  # deactivated: kept for history
)

department_members = Table(
    "department_members", metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("department", ForeignKey("departments.key", ondelete="CASCADE"), primary_key=True, index=True),
    Column("is_primary", Boolean, nullable=False, default=False),
)

SearchWord = String(255).with_variant(String(255, collation="C"), "postgresql")  # bytewise: prefix ranges use the index

user_search_words = Table(  # what finds a user (runtime/accounts/user_search.py): every suffix, so a substring is a prefix
    "user_search_words", metadata,
    Column("word", SearchWord, primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("contact", Boolean, nullable=False, default=False),  # of a mobile or e-mail: 用户管理 only, not the picker
)

role_members = Table(
    "role_members", metadata,
    Column("app", ForeignKey("apps.key", ondelete="CASCADE"), primary_key=True),
    Column("role", String(63), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)

role_departments = Table(  # whole departments as role members: who is in one is resolved at check time
    "role_departments", metadata,
    Column("app", ForeignKey("apps.key", ondelete="CASCADE"), primary_key=True),
    Column("role", String(63), primary_key=True),
    Column("department", ForeignKey("departments.key", ondelete="CASCADE"), primary_key=True, index=True),
    # 含下级部门: members of the departments below hold the role too, as the tree is when rights are checked
    Column("with_subdepartments", Boolean, nullable=False, default=False, server_default=false()),
)

# --- flows: instances, tasks, the durable job queue (outbox), deliveries, in-app messages ---

flow_instances = Table(
    "flow_instances", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("app", String(63), nullable=False),
    Column("flow", String(63), nullable=False),
    Column("def_version", Integer, nullable=False),  # the app version the instance runs on to its end
    Column("form", String(63), nullable=False),
    Column("record_id", BigInteger),
    Column("status", String(16), nullable=False),
    Column("submitter", String(64)),
    Column("locks_record", Boolean, nullable=False, default=False),  # an approval task is open
    Column("state", RecordJSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
    Index("ix_flow_instances_record", "record_id", "status"),
    Index("ix_flow_instances_flow", "app", "flow", "id"),  # a flow's instances, newest first (flow_admin)
)

flow_tasks = Table(
    "flow_tasks", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("instance_id", ForeignKey("flow_instances.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(100), nullable=False),  # the task's key in the instance state; unique per instance
    Column("kind", String(16), nullable=False),  # approval | todo
    Column("step", String(200), nullable=False),
    Column("step_name", String(200), nullable=False),
    Column("assignee", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("app", String(63), nullable=False),
    Column("form", String(63), nullable=False),
    Column("record_id", BigInteger),
    Column("comment", String(2000)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime),
    Column("decided_at", UTCDateTime),
    Column("decided_by", String(64)),
    UniqueConstraint("instance_id", "key"),
    Index("ix_flow_tasks_assignee", "assignee", "status"),
    Index("ix_flow_tasks_record", "record_id", "assignee"),  # the approver read grant, per record (0025)
)

jobs = Table(
    "jobs", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("key", String(200), unique=True),  # idempotency: one job per effect, however often it is enqueued
    Column("payload", RecordJSON, nullable=False),
    Column("status", String(16), nullable=False),  # pending | running | done | failed | dead
    Column("run_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("max_attempts", Integer, nullable=False, default=5),
    Column("locked_by", String(64)),
    Column("locked_until", UTCDateTime),
    Column("last_error", String(2000)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_jobs_due", "status", "run_at"),
)

deliveries = Table(
    "deliveries", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("job_id", BigInteger, nullable=False, index=True),
    Column("channel", String(16), nullable=False),  # email | webhook | dingtalk | wecom
    Column("target", String(500), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("status_code", Integer),
    Column("error", String(2000)),
    Column("response", String(500)),  # the start of what the receiver answered (never what was sent)
    Column("at", UTCDateTime, nullable=False),
)

messages = Table(
    "messages", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", String(4000), nullable=False),
    Column("app", String(63)),
    Column("record_id", BigInteger),
    Column("instance_id", BigInteger),
    Column("step", String(200)),  # the flow step that sent it (a cc / notify step's path): 抄送我 shows its text
    Column("created_at", UTCDateTime, nullable=False),
    Column("read_at", UTCDateTime),
    Index("ix_messages_user", "username", "id"),
)

flow_counters = Table(
    "flow_counters", metadata,
    Column("key", String(200), primary_key=True),  # app/flow/step: where a round-robin stands
    Column("value", BigInteger, nullable=False),
)

__all__ = ["metadata", "departments", "department_members", "role_members", "role_departments", "user_search_words", "users", "tokens", "apps", "app_versions", "records", "record_history",
           "sequences", "idempotency_keys", "files",
           "flow_instances", "flow_tasks", "jobs", "deliveries", "messages", "flow_counters"]

# --- security (issue 6): API token scopes live on `tokens` (apps, scope); login throttling; the audit log ---

tokens.append_column(Column("apps", RecordJSON))  # an API token's app keys; NULL: every app of the user
tokens.append_column(Column("scope", String(8)))  # read | write; NULL (login tokens): write

# Row scopes filter lists by owner ("own") or department ("department", "department_tree"); these let a
# scoped list read its newest records from an index instead of walking the whole form by id.
Index("ix_records_owner", records.c.app, records.c.form, records.c.owner, records.c.id,
      postgresql_where=text("deleted_at IS NULL"), sqlite_where=text("deleted_at IS NULL"))
Index("ix_records_department", records.c.app, records.c.form, records.c.department, records.c.id,
      postgresql_where=text("deleted_at IS NULL"), sqlite_where=text("deleted_at IS NULL"))

login_attempts = Table(
    "login_attempts", metadata,
    # "pair:<hash of name and address>", "ip:<address>" or "user:<name>" (accounts/logins.py), known user or not
    Column("key", String(200), primary_key=True),
    Column("username", String(200)),  # the name tried, lower-cased (pair and account keys): an unlock clears these
    Column("address", String(64)),  # the client address (pair and address keys)
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", UTCDateTime, nullable=False),
    Column("locked_until", UTCDateTime),
    Index("ix_login_attempts_username", "username"),
)

login_addresses = Table(  # "known addresses": where a user has logged in before, exempt from the account slowdown
    "login_addresses", metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("address", String(64), primary_key=True),
    Column("last_login_at", UTCDateTime, nullable=False),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(64)),  # username; NULL for the system, or a failed login's unknown name
    Column("action", String(40), nullable=False),  # record.update, login.failed, role.members …
    Column("app", String(63)),
    Column("form", String(63)),
    Column("record_id", BigInteger),
    Column("ip", String(64)),
    Column("detail", RecordJSON, nullable=False),  # what changed
    Index("ix_audit_log_at", "at", "id"),
    Index("ix_audit_log_actor", "actor", "id"),
    Index("ix_audit_log_record", "app", "form", "record_id", "id"),
    Index("ix_audit_log_action", "action", "id"),  # the audit viewer's action filter and the login history
)

record_shares = Table(
    "record_shares", metadata,  # 协作人: users or departments a record is shared with (read access)
    Column("record_id", ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(10), primary_key=True),  # user | department
    Column("who", String(64), primary_key=True),  # a username or a department key
    Index("ix_record_shares_who", "kind", "who"),
)

__all__ += ["login_attempts", "login_addresses", "audit_log", "record_shares"]

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

__all__ += ["saved_views", "list_layouts"]

# Dashboard subscriptions (issue 25): a dashboard's snapshot sent daily or weekly to a user or a role's members.

report_subscriptions = Table(
    "report_subscriptions", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("app", String(63), nullable=False),
    Column("report", String(63), nullable=False),
    Column("spec", RecordJSON, nullable=False),  # engine.reports.subscription.SubscriptionSpec as JSON
    Column("created_by", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_sent_at", UTCDateTime),
    Index("ix_report_subscriptions_report", "app", "report"),
)

__all__ += ["report_subscriptions"]
# Exports from the list page (issue 26): a whole filtered list to xlsx or CSV; past a threshold it runs as a
# job whose progress the page shows, and the file lands in the file store for its owner to download.

exports = Table(
    "exports", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),  # whose rights it runs with, and who may download it
    Column("app", String(63), nullable=False),
    Column("form", String(63), nullable=False),
    Column("format", String(8), nullable=False),  # xlsx | csv
    Column("encoding", String(8), nullable=False),  # utf-8 | gbk (CSV)
    Column("params", RecordJSON, nullable=False),  # the list's query parameters: [[name, value], ...]
    Column("status", String(16), nullable=False),  # pending | running | done | failed
    Column("total", Integer),  # rows the list held when it was asked for
    Column("done", Integer, nullable=False, default=0),  # rows written so far
    Column("file_id", String(32)),  # the finished file (files.id)
    Column("error", String(2000)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Index("ix_exports_user", "username", "id"),
)

__all__ += ["exports"]
# Import wizard (issue 26): an import from upload to result, and the column mapping saved per form.

import_runs = Table(
    "import_runs", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("app", String(63), nullable=False),
    Column("form", String(63), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("file_id", String(32), nullable=False),  # the upload, in the file store
    Column("filename", String(255), nullable=False),
    Column("status", String(16), nullable=False),  # uploaded | checked | queued | running | done | failed
    Column("spec", RecordJSON, nullable=False),  # sheet, header_row, columns, values, mode, key, skip_bad
    Column("result", RecordJSON, nullable=False),  # counts, preview, issues (of the last dry run or the run)
    Column("done", Integer, nullable=False, default=0),  # rows written so far (the progress bar)
    Column("total", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_import_runs_form", "app", "form", "id"),
)

import_mappings = Table(
    "import_mappings", metadata,
    Column("app", String(63), primary_key=True),
    Column("form", String(63), primary_key=True),
    Column("spec", RecordJSON, nullable=False),  # {columns: {header text: field key}, values: {...}, mode, key}
    Column("updated_by", String(64)),
    Column("updated_at", UTCDateTime, nullable=False),
)

__all__ += ["import_runs", "import_mappings"]
# Duplicates and pinyin search (issue 26).

record_dedup_keys = Table(
    "record_dedup_keys", metadata,  # the blocking keys a record is filed under by its form's duplicate rules
    Column("key", String(24), primary_key=True),  # engine/dedup/match.py: a digest of app, form, rule, values
    Column("record_id", ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
    Column("value", String(200)),  # a similar rule's normalised text (恒瑞精密机械), compared before the record is read
    Index("ix_record_dedup_keys_record", "record_id"),
)

record_pinyin = Table(
    "record_pinyin", metadata,  # the pinyin spellings of a record's searched text fields (engine/pinyin.py)
    Column("record_id", ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
    Column("field", String(63), primary_key=True),
    Column("spelled", String(4000), nullable=False),
)

__all__ += ["record_dedup_keys", "record_pinyin"]

record_merges = Table(
    "record_merges", metadata,  # a record merged into another (issue 26): what undoing it puts back
    Column("merged_id", ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
    Column("survivor_id", ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
    Column("app", String(63), nullable=False),
    Column("form", String(63), nullable=False),
    Column("took", RecordJSON, nullable=False),  # field → the survivor's value before it took this record's
    Column("repointed", RecordJSON, nullable=False),  # [{form, record_id, field, before}] references moved
    Column("flow_instances", RecordJSON, nullable=False),  # ids of the flow instances moved to the survivor
    Column("at", UTCDateTime, nullable=False),
    Column("by", String(64)),
    Column("undone_at", UTCDateTime),
    Index("ix_record_merges_survivor", "survivor_id"),
)

__all__ += ["record_merges"]

# 查重 (issue 26): a form's groups of likely duplicates, found by a background job and stored as the pairs that
# link them (runtime/records/duplicate_scan.py); a reader's groups are made from the pairs they may know of.

duplicate_scans = Table(
    "duplicate_scans", metadata,  # one per form: the last (or running) search for its duplicates
    Column("app", String(63), primary_key=True),
    Column("form", String(63), primary_key=True),
    Column("status", String(16), nullable=False),  # queued | running | done | failed
    Column("job_id", BigInteger),  # the job doing it: a second start joins it while it lives
    Column("done", Integer, nullable=False, default=0),  # candidate records read so far (the progress bar)
    Column("total", Integer, nullable=False, default=0),
    Column("started_at", UTCDateTime, nullable=False),
    Column("generated_at", UTCDateTime),  # when the stored pairs were found (the last scan that finished)
    Column("error", String(2000)),
    Column("updated_at", UTCDateTime, nullable=False),
)

duplicate_links = Table(
    "duplicate_links", metadata,  # two records a rule found likely duplicates, as of the form's last scan
    Column("app", String(63), primary_key=True),
    Column("form", String(63), primary_key=True),
    Column("first_id", BigInteger, primary_key=True),  # the smaller record id
    Column("second_id", BigInteger, primary_key=True),
    Column("rule", String(63), primary_key=True),
)

__all__ += ["duplicate_links", "duplicate_scans"]

system_settings = Table(
    "system_settings", metadata,  # 系统设置 (issue 27): a value here overrides the environment's (TANGRAM_*)
    Column("name", String(63), primary_key=True),  # a Settings attribute named in runtime/system_settings/catalog.py
    Column("value", RecordJSON),  # None: back to the environment's value; a secret: its ciphertext
    Column("revision", Integer, nullable=False),  # the store's revision when written: caches compare the largest
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(200)),
)

hook_secrets = Table(
    "hook_secrets", metadata,  # 接收接口 (issue 29): each inbound hook's secret, write-only
    Column("app", String(63), primary_key=True),
    Column("hook", String(63), primary_key=True),
    Column("secret", String(400), nullable=False),  # sealed with the keyring when one is configured ("plain:" else)
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64)),
)

hook_deliveries = Table(
    "hook_deliveries", metadata,  # every delivery an inbound hook accepted the signature of, and its answer
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("app", String(63), nullable=False),
    Column("hook", String(63), nullable=False),
    Column("delivery_id", String(200)),  # the caller's id (X-Tangram-Delivery); NULL: the caller sent none
    Column("accepted_id", String(200)),  # the delivery id of a success only: the same id again gets its answer
    Column("at", UTCDateTime, nullable=False),
    Column("status", Integer, nullable=False),  # the HTTP status answered
    Column("outcome", String(20), nullable=False),  # created | updated | unchanged | flow | invalid | failed
    Column("error", RecordJSON),  # the error body's code, message and issues (422 …)
    Column("form", String(63)),
    Column("record_id", BigInteger),
    Column("answer", RecordJSON, nullable=False),  # the body answered: the same id again gets it again
    Column("payload", String(8000)),  # the posted body, cut to PAYLOAD_KEPT characters
    Column("payload_size", Integer, nullable=False),
    UniqueConstraint("app", "hook", "accepted_id", name="uq_hook_deliveries_accepted"),
    Index("ix_hook_deliveries_hook", "app", "hook", "id"),
)

__all__ += ["hook_deliveries", "hook_secrets"]

# An app's template lifecycle (issue 29): the template version it was installed from, or last upgraded to,
# is the base of the next upgrade's three-way merge (engine/upgrade/merge.py).
apps.append_column(Column("template", RecordJSON))

# The add-on templates installed into an app (issue 29): {add-on key: {"addon": the add-on as installed,
# "roles": the roles it brought}}, the base of the add-on's upgrade and what its removal takes out.
apps.append_column(Column("addons", RecordJSON))
