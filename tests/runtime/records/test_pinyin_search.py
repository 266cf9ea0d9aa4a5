"""Search by pinyin through the API: full pinyin, initials, polyphonic characters, pinyin mixed with 汉字,
on the index's road and the scan's; never in a field hidden from the reader; kept current on edit."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.records import search
from tests.factories import Maker, shop

NAMES = [
    "苏州恒瑞精密机械有限公司", "上海华瑞贸易有限公司", "重庆银行股份有限公司", "深圳市腾讯计算机系统有限公司",
    "华光锅炉（无锡）有限公司",
]
CLERK = {"key": "clerk", "name": "客服", "permissions": {"customer": {"read": "all", "fields": {"note": "hidden"}}}}


@pytest.fixture
def customers(make: Maker) -> dict[str, int]:
    definition = shop(roles=[CLERK])
    definition["forms"][0]["search_fields"] = ["note"]
    make.app_def(definition)
    made = {n: make.record("customer", {"name": n})["id"] for n in NAMES}
    made["note"] = make.record("customer", {"name": "无名客户", "note": "恒瑞介绍"})["id"]
    return made


def _found(make: Maker, asked: str, headers: dict[str, str] | None = None) -> set[int]:
    r = make.client.get(make.url(), params={"q": asked, "limit": 100}, headers=headers or make.admin)
    assert r.status_code == 200, r.text
    return {item["id"] for item in r.json()["items"]}


@pytest.mark.parametrize("road", ["index", "scan"])
@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("szhr", ["苏州恒瑞精密机械有限公司"]),
        ("HRJM", ["苏州恒瑞精密机械有限公司"]),
        ("suzhouhengrui", ["苏州恒瑞精密机械有限公司"]),
        ("ｓｚｈｒ", ["苏州恒瑞精密机械有限公司"]),  # a full-width input method
        ("苏州hr", ["苏州恒瑞精密机械有限公司"]),  # 汉字 and initials
        ("qingmi", ["苏州恒瑞精密机械有限公司"]),  # 精 read qing as well as jing
        ("cqyh", ["重庆银行股份有限公司"]),  # 重庆 is chongqing, not zhongqing
        ("hengrui", ["苏州恒瑞精密机械有限公司", "note"]),  # the note is a searched field too
        ("tengxun", ["深圳市腾讯计算机系统有限公司"]),
        ("zqyh", []),
        ("hgglwx", ["华光锅炉（无锡）有限公司"]),  # typed across the brackets, which a spelling leaves out
        ("guoluwuxiyouxian", ["华光锅炉（无锡）有限公司"]),
        ("hggl(wx)", ["华光锅炉（无锡）有限公司"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_search_finds_names_by_pinyin_and_initials(
    make: Maker, customers: dict[str, int], asked: str, expected: list[str], road: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if road == "scan":
        monkeypatch.setattr(search, "CANDIDATES", 0)  # every term is "common": the list scans
    assert _found(make, asked) == {customers[n] for n in expected}


def test_a_hidden_field_is_never_searched_by_pinyin(make: Maker, customers: dict[str, int]) -> None:
    clerk = make.user("clerk", admin=False)
    make.client.put("/api/v1/apps/shop/roles/clerk/members", json={"users": ["clerk"]}, headers=make.admin)
    assert _found(make, "hrjs", clerk) == set()  # 恒瑞介绍 is in the note, hidden from the clerk
    assert _found(make, "hrjs") == {customers["note"]}
    assert _found(make, "hengrui", clerk) == {customers["苏州恒瑞精密机械有限公司"]}


def test_an_edit_changes_what_pinyin_finds(make: Maker, customers: dict[str, Any]) -> None:
    url = f"{make.url()}/{customers['上海华瑞贸易有限公司']}"
    assert (
        make.client.patch(url, json={"data": {"name": "杭州阿里巴巴网络技术有限公司"}}, headers=make.admin).status_code
        == 200
    )
    assert _found(make, "shhr") == set()
    assert _found(make, "albb") == {customers["上海华瑞贸易有限公司"]}


def test_the_index_narrows_a_pinyin_search_to_the_records_spelled_so(make: Maker, customers: dict[str, int]) -> None:
    with make.app.state.db.read() as conn:
        assert search.candidates(conn, "szhr", spelled=True) == [customers["苏州恒瑞精密机械有限公司"]]
        assert search.candidates(conn, "qxzv", spelled=True) == []
        assert search.candidates(conn, "hr", spelled=True) is None  # two letters: too common to narrow, the list scans


def test_a_name_holding_every_run_of_three_letters_of_a_search_is_no_candidate(
    make: Maker, customers: dict[str, int]
) -> None:
    # 星鑫丰正 (xingxinfengzheng) holds fen, eng, ngz, gzh, zhe, hen, ngx, gxi and xin, every run of three
    # letters of fengzhengxin, without spelling it: the index rules it out itself, and does not let the list scan
    other = make.record("customer", {"name": "星鑫丰正科技有限公司"})["id"]
    meant = make.record("customer", {"name": "丰正鑫科技有限公司"})["id"]
    with make.app.state.db.read() as conn:
        assert search.candidates(conn, "fengzhengxin", spelled=True) == [meant]
        assert search.candidates(conn, "xxfzk", spelled=True) == [other]
    assert _found(make, "fengzhengxin") == {meant}
    assert _found(make, "fzxk") == {meant}
