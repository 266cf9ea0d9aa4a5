"""Timeline page vs list page over 10,000 tasks whose dates all fall in the window (SQLite, TestClient).

Run: PYTHONPATH=$PWD .venv/bin/python bench/timeline_page.py (docs/benchmarks.md, "Timeline page")."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from runtime.db.db import open_database
from runtime.db.tables import metadata
from runtime.main import create_app
from runtime.settings import Settings
from tests.builder_ui.test_timeline_page import plan
from tests.factories import Maker

TASKS, CHUNK, RUNS = 10_000, 2_500, 15
PAGES = [
    ("timeline, week scale, 10,000 in the window", "/apps/plan/forms/task/timeline/schedule",
     {"scale": "week", "from": "2020-01-06"}),
    ("timeline, day scale, filter[status]=进行中", "/apps/plan/forms/task/timeline/schedule",
     {"scale": "day", "from": "2020-01-06", "filter[status]": "进行中"}),
    ("task list, 50 rows", "/apps/plan/forms/task", {}),
]


def _seed(client: TestClient, make: Maker) -> None:
    make.app_def(plan())
    projects = [make.record("project", {"name": f"项目{i}"}, app="plan")["id"] for i in range(20)]
    first = date(2020, 1, 6)
    for chunk in range(TASKS // CHUNK):
        items = [{"name": f"任务{chunk * CHUNK + i}", "project": projects[i % 20],
                  "starts_on": (first + timedelta(days=i % 100)).isoformat(),
                  "ends_on": (first + timedelta(days=i % 100 + 5)).isoformat(),
                  "status": ["待办", "进行中", "已完成"][i % 3]} for i in range(CHUNK)]
        r = client.post("/api/v1/apps/plan/forms/task/records/bulk", json={"items": items}, headers=make.admin)
        assert r.status_code == 201, r.text[:300]


def _timed(client: TestClient, url: str, params: dict[str, Any]) -> tuple[float, float, Any]:
    took = []
    for _ in range(RUNS):
        start = time.perf_counter()
        r = client.get(url, params=params)
        took.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 200, r.text[:500]
    took.sort()
    return statistics.median(took), took[int(len(took) * 0.95) - 1], r


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    db = open_database(f"sqlite:///{tmp}/t.db")
    metadata.create_all(db.engine)
    app = create_app(Settings(data_dir=tmp, database_url="unused://", admin_password="admin-secret-1"), db)
    with TestClient(app) as client:
        make = Maker(app, client)
        _seed(client, make)
        client.post("/login", data={"username": "admin", "password": "password-123"}, follow_redirects=False)
        for label, url, params in PAGES:
            median, p95, r = _timed(client, url, params)
            print(f"{label}: median {median:.0f} ms, p95 {p95:.0f} ms, "
                  f"records drawn {r.text.count('data-id=')}, HTML {len(r.text) // 1024} KiB")


if __name__ == "__main__":
    main()
