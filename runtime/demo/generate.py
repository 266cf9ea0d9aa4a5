"""Deterministic demo records for the CRM template.

    generate(app, form_key, count, *, seed, owners, related=None, start=0) -> Iterator[dict]
        `count` records' data for `form_key`, in the input forms the field types accept (auto
        numbers left out). `related` maps a form key to the ids of its stored records, for
        relations (contact → customer …). `start` offsets the record index, so that separate
        calls give distinct unique values (company names, mobile numbers, e-mails).
    plan(count) -> dict[str, int]
        how many records of each form go with `count` customers, in the order to create them.

The same seed gives the same data; unique values are derived from the record index through a
bijection, so they stay unique at millions of records.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from engine.app import AppDefinition
from runtime.demo import pools

EPOCH = datetime(2026, 11, 1, tzinfo=UTC)
Row = dict[str, Any]


def plan(count: int) -> dict[str, int]:
    """Records per form for `count` customers, in creation order (targets before what points at them)."""
    return {"product": len(pools.PRODUCTS), "customer": count, "contact": 2 * count, "lead": count // 2,
            "opportunity": count * 3 // 2, "followup": 3 * count, "contract": count // 2, "payment": count // 2}


def _permute(i: int, size: int) -> int:
    """A bijection of range(size): spreads consecutive indexes over the whole space."""
    multiplier = 2_654_435_761  # odd and, for the sizes used here, coprime with them
    while _gcd(multiplier, size) != 1:
        multiplier += 2
    return (i * multiplier + 12_345) % size


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def company_name(i: int) -> tuple[str, tuple[str, str, list[str], str], list[str]]:
    """A unique company name for index i, with its city and industry path."""
    brands = len(pools.BRAND) ** 2
    size = len(pools.CITIES) * brands * len(pools.TRADES) * len(pools.SUFFIXES)
    n = _permute(i % size, size)
    n, suffix = divmod(n, len(pools.SUFFIXES))
    n, trade = divmod(n, len(pools.TRADES))
    city, brand = divmod(n, brands)
    a, b = divmod(brand, len(pools.BRAND))
    place = pools.CITIES[city]
    word, industry = pools.TRADES[trade]
    short = place[1].removesuffix("市")
    branch = f"（第{i // size + 1}分公司）" if i >= size else ""
    return f"{short}{pools.BRAND[a]}{pools.BRAND[b]}{word}{pools.SUFFIXES[suffix]}{branch}", place, industry


def mobile(i: int) -> str:
    """A unique mainland mobile number for index i (up to 2.6 billion)."""
    prefixes = len(pools.MOBILE_PREFIXES)
    n = _permute(i, prefixes * 100_000_000)
    return pools.MOBILE_PREFIXES[n % prefixes] + f"{n // prefixes:08d}"


def person(rng: random.Random) -> str:
    return rng.choice(pools.SURNAMES) + rng.choice(pools.GIVEN)


def _moment(rng: random.Random, days_back: int = 730) -> datetime:
    return EPOCH - timedelta(seconds=rng.randrange(days_back * 86400))


def _money(rng: random.Random, low: int, high: int) -> str:
    return f"{rng.randrange(low * 100, high * 100) / 100:.2f}"


def _pick(ids: list[int] | None, i: int, form: str) -> int:
    if not ids:
        raise ValueError(f"demo data for this form needs {form} records first (see plan())")
    return ids[i % len(ids)]


def _customer(i: int, rng: random.Random, owners: list[str], related: dict[str, list[int]]) -> Row:
    name, (province, city, districts, region), industry = company_name(i)
    district = rng.choice(districts)
    level = rng.choices("ABC", weights=(15, 35, 50))[0]
    last = _moment(rng, 120)
    return {
        "name": name, "short_name": name[len(city) - 1:len(city) + 3], "source": rng.choice(
            ["官网", "展会", "电话营销", "老客户介绍", "广告", "合作伙伴", "其他"]),
        "industry": industry, "size": rng.choice(["20人以下", "20-99人", "100-499人", "500-999人", "1000人以上"]),
        "annual_revenue": _money(rng, 500_000, 500_000_000), "region": region,
        "address": {"province": province, "city": city, "district": district,
                    "detail": f"{rng.choice('东西南北')}{rng.randrange(1, 30)}路{rng.randrange(1, 999)}号"},
        "phone": mobile(i + 500_000_000), "level": level,
        "status": rng.choices(["潜在客户", "意向客户", "成交客户", "流失客户"], weights=(40, 30, 25, 5))[0],
        "key_needs": rng.choice(pools.NEEDS), "decision_roles": rng.sample(["决策者", "影响者", "使用者", "技术把关", "采购"], 2),
        "next_followup_on": (last.date() + timedelta(days=rng.randrange(3, 30))).isoformat(),
        "manager": owners[i % len(owners)],
        "tags": rng.sample(["重点客户", "战略客户", "VIP", "需回访", "价格敏感"], rng.randrange(0, 3)),
    }


def _contact(i: int, rng: random.Random, owners: list[str], related: dict[str, list[int]]) -> Row:
    return {"name": person(rng), "customer": _pick(related.get("customer"), i // 2, "customer"),
            "title": rng.choice(pools.TITLES), "mobile": mobile(i), "email": f"contact{i}@example.cn",
            "role": rng.choice(["决策者", "影响者", "使用者", "技术把关", "采购"]), "is_primary": i % 2 == 0,
            "birthday": date(rng.randrange(1965, 2000), rng.randrange(1, 13), rng.randrange(1, 29)).isoformat()}


def _lead(i: int, rng: random.Random, owners: list[str], related: dict[str, list[int]]) -> Row:
    name, place, industry = company_name(i + 900_000_000)
    return {"company": name, "contact_name": person(rng), "mobile": mobile(i + 1_000_000_000),
            "source": rng.choice(["官网", "展会", "电话营销", "广告", "合作伙伴"]), "region": place[3],
            "industry": industry, "status": rng.choices(["新线索", "跟进中", "已转化", "无效"], weights=(30, 40, 20, 10))[0],
            "assignee": owners[i % len(owners)]}


STAGES = [("初步接洽", "0.1", 30), ("需求确认", "0.25", 22), ("方案报价", "0.4", 16), ("商务谈判", "0.6", 10),
          ("赢单", "1", 12), ("输单", "0", 10)]


def _opportunity(i: int, rng: random.Random, owners: list[str], related: dict[str, list[int]]) -> Row:
    stage, probability, _ = rng.choices(STAGES, weights=[s[2] for s in STAGES])[0]
    product = rng.choice(pools.PRODUCTS)
    row: Row = {"name": f"{product[1]}采购项目", "customer": _pick(related.get("customer"), i * 2 // 3, "customer"),
                "stage": stage, "amount": _money(rng, 20_000, 2_000_000), "probability": probability,
                "expected_close": (EPOCH + timedelta(days=rng.randrange(-300, 180))).date().isoformat(),
                "stage_changed_at": _moment(rng, 60).strftime("%Y-%m-%dT%H:%M:%SZ"), "manager": owners[i % len(owners)]}
    if stage == "输单":
        row["lost_reason"] = rng.choice(["价格", "产品功能", "竞争对手", "预算取消", "其他"])
    return row


def _followup(i: int, rng: random.Random, owners: list[str], related: dict[str, list[int]]) -> Row:
    method = rng.choice(["电话", "拜访", "微信", "邮件", "会议"])
    return {"summary": f"{method}沟通{rng.choice(['需求', '报价', '合同条款', '实施计划', '回款'])}",
            "customer": _pick(related.get("customer"), i // 3, "customer"), "method": method,
            "followed_at": _moment(rng).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "content": rng.choice(pools.NEEDS), "next_step": rng.choice(["发送方案", "安排演示", "确认预算", "催签合同"])}


def _contract(i: int, rng: random.Random, owners: list[str], related: dict[str, list[int]]) -> Row:
    signed = (EPOCH - timedelta(days=rng.randrange(730))).date()
    return {"title": f"{rng.choice(pools.PRODUCTS)[1]}销售合同", "customer": _pick(related.get("customer"), i * 2, "customer"),
            "amount": _money(rng, 10_000, 3_000_000), "signed_on": signed.isoformat(),
            "starts_on": signed.isoformat(), "ends_on": (signed + timedelta(days=365)).isoformat(),
            "status": rng.choices(["执行中", "已完成", "已终止", "草稿"], weights=(50, 35, 5, 10))[0],
            "payment_terms": rng.choice(["一次性付款", "分期付款", "按里程碑付款"]), "manager": owners[i % len(owners)]}


def _payment(i: int, rng: random.Random, owners: list[str], related: dict[str, list[int]]) -> Row:
    planned = (EPOCH + timedelta(days=rng.randrange(-365, 90))).date()
    amount = _money(rng, 5_000, 1_000_000)
    row: Row = {"contract": _pick(related.get("contract"), i, "contract"), "period": 1 + i % 3,
                "planned_amount": amount, "planned_on": planned.isoformat(),
                "method": rng.choice(["银行转账", "承兑汇票", "支付宝", "微信支付"]), "manager": owners[i % len(owners)]}
    if planned < EPOCH.date() and rng.random() < 0.8:
        row.update(amount=amount, received_on=(planned + timedelta(days=rng.randrange(0, 20))).isoformat(), status="已回款")
    else:
        row["status"] = "已逾期" if planned < EPOCH.date() else "未回款"
    return row


def _product(i: int, rng: random.Random, owners: list[str], related: dict[str, list[int]]) -> Row:
    sku, name, category, unit, price = pools.PRODUCTS[i % len(pools.PRODUCTS)]
    suffix = f"-{i // len(pools.PRODUCTS)}" if i >= len(pools.PRODUCTS) else ""
    return {"sku": sku + suffix, "name": name, "category": category, "unit": unit, "list_price": price,
            "cost": round(price * 0.45, 2), "standard": category != "实施服务"}


GENERATORS: dict[str, Callable[[int, random.Random, list[str], dict[str, list[int]]], Row]] = {
    "customer": _customer, "contact": _contact, "lead": _lead, "opportunity": _opportunity,
    "followup": _followup, "contract": _contract, "payment": _payment, "product": _product,
}


def generate(app: AppDefinition, form_key: str, count: int, *, seed: int, owners: list[str],
             related: dict[str, list[int]] | None = None, start: int = 0) -> Iterator[Row]:
    """`count` records of `form_key` (see the module docstring)."""
    app.form(form_key)  # the app must have the form
    if form_key not in GENERATORS:
        raise ValueError(f"no demo data for form {form_key!r}; available: {', '.join(GENERATORS)}")
    if not owners:
        raise ValueError("demo data needs at least one owner username")
    make = GENERATORS[form_key]
    rng = random.Random(f"{seed}:{form_key}:{start}")
    links = related or {}
    for i in range(start, start + count):
        yield make(i, rng, owners, links)
