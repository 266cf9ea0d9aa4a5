"""The web UI's list page at scale: server-side time of GET /apps/crm/forms/customer (query, titles,
layout, views and the Jinja2 render, through the ASGI app in-process, no network) over N customers.

Cases: the default page (newest first), a sort by the name alone, an indexed filter + money sort, a deep keyset page of that
list, an expression filter, and searches (q=) over the title and search fields: a common word takes
the scan (it stops at the page's 50 hits), a rare one, a missing one and a phone number's digits
take the search index (runtime/records/search.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from bench.records import WORK, bulk_storage, database_url, list_index, prepare, statistics_as_in_use
from bench.timing import Stopwatch, timed
from runtime.apps import definitions
from runtime.db.tables import records
from runtime.main import create_app
from runtime.settings import Settings

PAGE = "/apps/crm/forms/customer"


def _next(html: str) -> str | None:
    match = re.search(r'href="(\?[^"]*cursor=[^"]+)" rel="next"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def run(backend: str, size: int, repeat: int = 30) -> dict[str, Any]:
    url = database_url(backend)
    db = prepare(url)
    with Stopwatch() as load:
        bulk_storage(db, size)
    statistics_as_in_use(db)
    filter_field, sort_field = list_index(db)
    with db.read() as conn:
        value = definitions.form_ref(conn, "crm", "customer").form.by_key[filter_field].options[0].value
        sample = conn.execute(select(records.c.data).where(records.c.form == "customer")
                              .order_by(records.c.id.desc()).limit(1)).scalar_one()
    name = sample["name"].removesuffix("有限公司")
    brand, phrase = name[2:4], name[-4:]  # demo names: city, brand, trade (网络科技, 商贸 …), 有限公司
    app = create_app(Settings(data_dir=WORK, database_url=url), db)
    cases: dict[str, Any] = {}
    with TestClient(app) as client:
        r = client.post("/login", data={"username": "admin", "password": "bench-password"}, follow_redirects=False)
        assert r.status_code == 303, r.text
        filtered = f"{PAGE}?filter[{filter_field}]={value}&sort=-{sort_field}"
        deep, pages = filtered, 1
        while pages < 21 and (after := _next(client.get(deep).text)):  # up to the 21st page of the list
            deep, pages = PAGE + after, pages + 1
        urls = {
            "newest first": PAGE,
            "sort 客户名称 (Chinese order), no filter": f"{PAGE}?sort=name",
            f"{filter_field}={value}, sort -{sort_field}": filtered,
            f"same, page {pages} (keyset)": deep,
            "expression annual_revenue > 50000000": f"{PAGE}?filter=annual_revenue%20%3E%2050000000",
            "search q=科技 (common: scan, stops at 50 hits)": f"{PAGE}?q=科技",
            f"search q={brand} (a brand: index)": f"{PAGE}?q={brand}",
            f"search q={phrase} (a common trade: index probe, then scan)": f"{PAGE}?q={phrase}",
            "search, no match (index)": f"{PAGE}?q=没有这个名字",
            f"search q={sample['phone'][-6:]} (phone digits: index)": f"{PAGE}?q={sample['phone'][-6:]}",
        }
        for name, target in urls.items():
            response = client.get(target)
            assert response.status_code == 200, (target, response.text[:500])
            cases[name] = timed(lambda t=target: client.get(t), repeat=repeat, warmup=2)
    db.engine.dispose()
    return {"database": db.describe(), "size": size, "load_s": load.seconds, "cases": cases,
            "date": f"{datetime.now(UTC):%Y-%m-%d}"}


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| database | customers | list page | p50 ms | p95 ms |", "|---|---:|---|---:|---:|"]
    for r in results:
        for name, t in r["cases"].items():
            lines.append(f"| {r['database']} | {r['size']:,} | {name} | {t['p50']:.1f} | {t['p95']:.1f} |")
    lines += [f"\n{r['database']}: {r['size']:,} customers loaded through the storage layer in {r['load_s']:.0f} s "
              f"({r['size'] / r['load_s']:,.0f} records/s, search index included)" for r in results]
    return "\n".join(lines)
