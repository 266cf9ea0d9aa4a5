"""/metrics (issue 28): the Prometheus text format, labelled by route template, open to loopback clients
and to the configured bearer token, and its gauges read the job queue, the login throttle and the mirror."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from runtime.analytics.mirror import Mirror
from runtime.analytics.sync import sync
from runtime.jobs.outbox import enqueue
from runtime.main import create_app
from runtime.settings import Settings
from tests.factories import Maker

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
LOOPBACK = ("127.0.0.1", 50123)
ELSEWHERE = ("10.1.2.3", 50123)
RECORDS = "/api/v1/apps/{app}/forms/{form}/records"


def scrape(app: Any, **headers: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Each sample's name -> its (labels, value) pairs, as read from loopback."""
    with TestClient(app, client=LOOPBACK) as local:
        r = local.get("/metrics", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            samples.setdefault(s.name, []).append((s.labels, s.value))
    return samples


def value(samples: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str) -> float:
    return next(v for found, v in samples[name] if found.items() >= labels.items())


def test_requests_are_counted_and_timed_per_route_template_never_per_id(make: Maker) -> None:
    make.app_def()
    record = make.record("customer", {"name": "甲公司"})
    assert make.client.get(make.url(), headers=make.admin).status_code == 200
    assert make.client.get(f"{make.url()}/{record['id']}", headers=make.admin).status_code == 200
    assert make.client.get(f"{make.url()}/999999", headers=make.admin).status_code == 404
    assert make.client.get("/no/such/page/777").status_code == 404
    assert make.client.get("/static/js/common.js").status_code == 200
    samples = scrape(make.app)
    assert value(samples, "tangram_http_responses_total", method="POST", route=RECORDS, status="201") == 1
    assert value(samples, "tangram_http_responses_total", method="GET", route=RECORDS, status="200") == 1
    by_id = RECORDS + "/{record_id}"
    assert value(samples, "tangram_http_responses_total", method="GET", route=by_id, status="200") == 1
    assert value(samples, "tangram_http_responses_total", method="GET", route=by_id, status="404") == 1
    assert value(samples, "tangram_http_responses_total", method="GET", route="unmatched", status="404") == 1
    assert value(samples, "tangram_http_responses_total", method="GET", route="/static", status="200") == 1
    assert value(samples, "tangram_http_request_duration_seconds_count", method="GET", route=by_id) == 2
    assert any(labels["le"] == "+Inf" for labels, _ in samples["tangram_http_request_duration_seconds_bucket"])
    routes = {labels["route"] for labels, _ in samples["tangram_http_responses_total"]}
    assert not [r for r in routes if re.search(r"/\d+(/|$)", r)]  # no id in any label
    assert {"tangram_jobs_queued", "tangram_jobs_oldest_queued_age_seconds", "tangram_login_failures",
            "tangram_login_locks", "tangram_db_pool_checked_out", "tangram_db_pool_size"} <= set(samples)


def test_metrics_are_refused_elsewhere_without_the_token_and_answered_with_it(make: Maker, tmp_path: Any) -> None:
    with TestClient(make.app, client=ELSEWHERE) as remote:
        r = remote.get("/metrics")
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        assert "TANGRAM_METRICS_TOKEN" in r.json()["error"]["message"]
        assert remote.get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 403  # none set
    with TestClient(make.app, client=LOOPBACK) as proxied:  # nginx on this machine speaking for someone else
        assert proxied.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    # A second app in the same process: its own registry, so nothing collides.
    guarded = create_app(Settings(data_dir=tmp_path, database_url="unused://", metrics_token="s3cret-token"),
                         make.app.state.db)
    with TestClient(guarded, client=ELSEWHERE) as remote:
        assert remote.get("/metrics", headers={"Authorization": "Bearer wrong-token"}).status_code == 403
        r = remote.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert r.status_code == 200 and "tangram_jobs_queued" in r.text


def test_the_queue_gauges_count_queued_jobs_and_the_longest_wait(make: Maker) -> None:
    make.app.state.clock = lambda: NOW
    assert value(scrape(make.app), "tangram_jobs_queued") == 0
    with make.app.state.db.write() as conn:
        enqueue(conn, "webhook", {}, NOW - timedelta(seconds=90))
        enqueue(conn, "webhook", {}, NOW - timedelta(seconds=30))
        enqueue(conn, "webhook", {}, NOW, run_at=NOW + timedelta(hours=1))  # queued, not due yet
    samples = scrape(make.app)
    assert value(samples, "tangram_jobs_queued") == 3
    assert value(samples, "tangram_jobs", status="pending") == 3
    assert value(samples, "tangram_jobs_oldest_queued_age_seconds") == 90


def test_failed_logins_show_in_the_login_gauges(make: Maker) -> None:
    make.user("admin")
    for _ in range(2):
        r = make.client.post("/api/v1/auth/login", json={"username": "admin", "password": "wrong-password"})
        assert r.status_code == 401, r.text
    samples = scrape(make.app)
    assert value(samples, "tangram_login_failures") == 2
    assert value(samples, "tangram_login_locks") == 0


def test_the_mirror_gauges_show_this_process_s_last_sync(make: Maker, tmp_path: Any) -> None:
    assert "tangram_mirror_lag_seconds" not in scrape(make.app)  # no mirror synced here yet
    make.app.state.clock = lambda: NOW
    make.app.state.mirror = mirror = Mirror(tmp_path / "analytics.duckdb")
    try:
        sync(make.app.state.db, mirror, NOW - timedelta(seconds=45))
        samples = scrape(make.app)
    finally:
        mirror.close()
    assert value(samples, "tangram_mirror_lag_seconds") == 45
    assert value(samples, "tangram_mirror_last_sync_seconds") > 0


def test_a_database_it_cannot_read_is_reported_not_a_500(make: Maker) -> None:
    assert value(scrape(make.app), "tangram_database_up") == 1
    with make.app.state.db.write() as conn:
        conn.exec_driver_sql("DROP TABLE jobs")  # as on a database nobody has set up
    samples = scrape(make.app)
    assert value(samples, "tangram_database_up") == 0
    assert "tangram_jobs_queued" not in samples and "tangram_http_responses_total" in samples
