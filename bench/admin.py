"""The admin console at size (issue 27): the user list with 10,000 users and the audit viewer over
1,000,000 entries, p50/p95 over the whole HTTP route in process (API and page), on a database made by
the migrations (so their indexes are the ones timed).

Users: 10,000 in 50 departments, with Chinese names, mobiles and e-mails (one password hash shared: the
hash is not under test). Audit: 1M entries over a year, by 2,000 of the users: 85 % record changes in
3 apps × 4 forms over 100,000 records, 10 % logins, 3 % failed logins, the rest organisation changes."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, text

from bench.databases import fresh_url
from bench.timing import Stopwatch, timed
from runtime.accounts import user_search
from runtime.auth.passwords import hash_password
from runtime.db import schema, tables
from runtime.db.db import open_database
from runtime.main import create_app
from runtime.records.bulk import insert_rows
from runtime.settings import Settings

WORK = Path(os.environ.get("TANGRAM_BENCH_DIR", "/tmp/tangram-bench"))
PASSWORD = "bench-pass-1"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
START = datetime(2025, 12, 1, tzinfo=UTC)
REPEAT = 40


def database_url(backend: str) -> str:
    return fresh_url(backend, "admin", schema="tangram_bench_admin")


def _fill(db: Any, users: int, entries: int) -> None:
    rng = random.Random(27)
    now = datetime.now(UTC)
    digest = hash_password(PASSWORD)
    with db.write() as conn:
        conn.execute(
            insert(tables.departments),
            [
                {
                    "key": f"d{i:02d}",
                    "name": f"部门{i:02d}",
                    "parent": None if i < 5 else f"d{i % 5:02d}",
                    "created_at": now,
                }
                for i in range(50)
            ],
        )
        rows = [
            {
                "username": "admin",
                "display_name": "管理员",
                "password_hash": digest,
                "is_admin": True,
                "active": True,
                "created_at": now,
                "must_change_password": False,
            }
        ]
        rows += [
            {
                "username": f"user{i:05d}",
                "display_name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                "password_hash": digest,
                "is_admin": False,
                "active": i % 50 != 0,
                "created_at": now,
                "mobile": f"138{i:08d}",
                "email": f"user{i:05d}@example.cn",
                "must_change_password": False,
            }
            for i in range(users)
        ]
        insert_rows(conn, tables.users, rows)
        user_search.refresh_all(conn)  # what the migration does for users already there
        conn.execute(
            insert(tables.department_members),
            [{"user_id": i + 2, "department": f"d{i % 50:02d}", "is_primary": True} for i in range(users)],
        )
    actions = (
        ["record.update"] * 60
        + ["record.create"] * 20
        + ["record.delete"] * 5
        + ["login"] * 10
        + ["login.failed"] * 3
        + ["user.update", "department.update"]
    )
    step = timedelta(days=365) / entries
    batch: list[dict[str, Any]] = []
    for n in range(entries):
        action = rng.choice(actions)
        record = action.startswith("record.")
        batch.append(
            {
                "at": START + step * n,
                "actor": f"user{rng.randrange(2000):05d}",
                "action": action,
                "app": f"app{rng.randrange(3)}" if record else None,
                "form": f"form{rng.randrange(4)}" if record else None,
                "record_id": rng.randrange(1, 100_000) if record else None,
                "ip": "10.0.0.1",
                "detail": {"changed": {"stage": {"from": "初步接洽", "to": "方案报价"}}}
                if action == "record.update"
                else {},
            }
        )
        if len(batch) == 20_000:
            with db.write() as conn:
                insert_rows(conn, tables.audit_log, batch)
            batch = []
    if batch:
        with db.write() as conn:
            insert_rows(conn, tables.audit_log, batch)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    else:
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("users: first page", "/api/v1/users", {"limit": 50}),
    ("users: page at 5,000", "/api/v1/users", {"limit": 50, "after": "user05000"}),
    ("users: search name 王芳", "/api/v1/users", {"q": "王芳"}),
    ("users: search mobile", "/api/v1/users", {"q": "13800009"}),
    ("users: search pinyin wangf", "/api/v1/users", {"q": "wangf"}),
    ("users: search initials wf", "/api/v1/users", {"q": "wf"}),
    ("users: page /admin/org", "/admin/org", {}),
    ("users: page /admin/org?q=", "/admin/org", {"q": "李"}),
    ("audit: newest", "/api/v1/audit", {"limit": 50}),
    ("audit: one user", "/api/v1/audit", {"user": "user00042", "limit": 50}),
    ("audit: one action (rare)", "/api/v1/audit", {"action": "department.update", "limit": 50}),
    ("audit: action prefix record.", "/api/v1/audit", {"action": "record.", "limit": 50}),
    (
        "audit: login history",
        "/api/v1/audit",
        {"action": "login,login.failed,login.locked,login.throttled", "limit": 50},
    ),
    ("audit: one record", "/api/v1/audit", {"app": "app1", "form": "form2", "record": 4242, "limit": 50}),
    (
        "audit: one week",
        "/api/v1/audit",
        {"since": "2026-03-01T00:00:00Z", "until": "2026-03-08T00:00:00Z", "limit": 50},
    ),
    (
        "audit: user + month",
        "/api/v1/audit",
        {"user": "user00042", "since": "2026-03-01T00:00:00Z", "until": "2026-04-01T00:00:00Z", "limit": 50},
    ),
    ("audit: user's failed logins", "/api/v1/audit", {"user": "user00042", "action": "login.failed", "limit": 50}),
    ("audit: page /admin/audit", "/admin/audit", {}),
    ("audit: page, app + form", "/admin/audit", {"app": "app2", "form": "form1"}),
]


def run(backend: str, users: int, entries: int) -> dict[str, Any]:
    url = database_url(backend)
    db = open_database(url)
    schema.upgrade(db)
    with Stopwatch() as fill:
        _fill(db, users, entries)
    app = create_app(Settings(database_url=url), db)
    found: dict[str, Any] = {
        "database": backend,
        "users": users,
        "entries": entries,
        "fill_s": fill.seconds,
        "cases": {},
    }
    with TestClient(app) as client:
        token = client.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD}).json()[
            "access_token"
        ]
        assert (
            client.post("/login", data={"username": "admin", "password": PASSWORD}, follow_redirects=False).status_code
            == 303
        )  # the pages' session cookie
        bearer = {"Authorization": f"Bearer {token}"}
        for name, path, params in CASES:
            headers = bearer if path.startswith("/api/") else {}

            def call(path: str = path, params: dict[str, Any] = params, headers: dict[str, str] = headers) -> None:
                r = client.get(path, params=params, headers=headers)
                assert r.status_code == 200, (path, r.status_code, r.text[:300])

            found["cases"][name] = timed(call, REPEAT, warmup=3)
    db.engine.dispose()
    return found


def table_md(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| case | " + " | ".join(f"{r['database']} p50 / p95 ms" for r in runs) + " |",
        "|---|" + "---:|" * len(runs),
    ]
    for name, _, _ in CASES:
        lines.append(
            f"| {name} | "
            + " | ".join(f"{r['cases'][name]['p50']:.1f} / {r['cases'][name]['p95']:.1f}" for r in runs)
            + " |"
        )
    sizes = ", ".join(
        f"{r['database']}: {r['users']:,} users, {r['entries']:,} entries (filled in {r['fill_s']:.0f} s)" for r in runs
    )
    return "\n".join(lines) + f"\n\n{sizes}; {REPEAT} calls each, in-process HTTP (TestClient)."
