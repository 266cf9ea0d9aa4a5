"""The dry run's index of the file's rows for 可能重复 (runtime/io/import_duplicates.InFile), kept from chunk to
chunk for the whole file: it finds what the duplicate finder's search over every filed row finds
(`_Filed`, which the stored records are read into), and it holds a few hundred bytes a row, not kilobytes."""

from __future__ import annotations

import json
import random
import tracemalloc
from typing import Any

import pytest

from engine.app_check import parse_app
from runtime.cli import CRM_TEMPLATE
from runtime.demo.generate import generate
from runtime.io import import_duplicates
from runtime.records import duplicates
from runtime.records.context import FormRef
from tests.runtime.io import test_import_duplicates_api as dup

CORES = ["恒瑞精密机械", "云帆科技", "远大物流", "天府软件", "恒瑞精密", "瑞恒精密机械", "华东精密机械"]
REGIONS = ["", "苏州", "杭州", "上海"]


def _names(count: int, seed: int) -> list[dict[str, Any]]:
    """Company names sharing cores, edges and regions, written several ways, some with a credit code."""
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        core, region = rng.choice(CORES), rng.choice(REGIONS)
        name = rng.choice([f"{region}{core}有限公司", f"{core}({region or '中国'})有限公司", f"{region}{core}股份有限公司"])
        rows.append({"name": name, "code": rng.choice(["", "", "91320500X01", "91330100MA2"])})
    return rows


def _form(app: dict[str, Any], key: str) -> FormRef:
    parsed = parse_app(app)
    return FormRef(parsed, 1, parsed.form(key))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_index_finds_what_a_search_of_every_filed_row_finds(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    monkeypatch.setattr(duplicates, "MAX_FILED", 7)  # keys full, grouped and not, with few rows
    monkeypatch.setattr(import_duplicates, "GROUPED_FROM", 3)
    ref = _form(dup.APP, "customer")
    rules, scope = ref.form.duplicate_rules, duplicates.blocking_scope(ref)
    index, every = import_duplicates.InFile(ref), import_duplicates._Filed(rules)
    flagged = 0
    for number, data in enumerate(_names(120, seed), start=2):
        probes = import_duplicates._probes(scope, rules, data)
        found = index.find(data, probes)
        assert found == every.find(data, probes), number
        flagged += bool(found)
        index.add(number, data, probes)
        every.add(number, data, probes)
        assert index.data(number) == data
    assert 0 < flagged < 120


def test_a_key_keeps_only_the_rows_a_search_compares(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duplicates, "MAX_FILED", 5)
    ref = _form(dup.APP, "customer")
    rules, scope = ref.form.duplicate_rules, duplicates.blocking_scope(ref)
    index = import_duplicates.InFile(ref)
    data = {"name": "苏州恒瑞精密机械有限公司", "code": "91320500X01"}
    probes = import_duplicates._probes(scope, rules, data)
    for number in range(2, 12):
        index.add(number, data, probes)
    assert sorted(index.candidates(probes)) == [2, 3, 4, 5, 6]
    assert all(len(rows) == 5 for rows in index._keys.values())


def test_the_index_of_many_rows_holds_a_few_hundred_bytes_a_row() -> None:
    app = parse_app(json.loads(CRM_TEMPLATE.read_text(encoding="utf-8")))
    ref = FormRef(app, 1, app.form("customer"))
    rules, scope = ref.form.duplicate_rules, duplicates.blocking_scope(ref)
    rows = [(r, import_duplicates._probes(scope, rules, r))
            for r in generate(app, "customer", 5_000, seed=11, owners=["sales00"], start=70_000_000)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        index = import_duplicates.InFile(ref)
        for number, (data, probes) in enumerate(rows, start=2):
            index.add(number, data, probes)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(index) == 5_000
    assert held / 5_000 < 600, f"{held / 5_000:.0f} bytes a row"
