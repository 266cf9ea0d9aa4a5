"""Deterministic demo records for the CRM template, dated over the two years up to a given moment.

    planned(app, form_key, count, *, seed, owners, related=None, start=0, now=EPOCH) -> Iterator[Planned]
        `count` records of `form_key`, each with the moment it is created, its values then (in the input
        forms the field types accept, auto numbers left out) and the changes made to it later, each
        with its moment (an opportunity moving to its last stage, a ticket being resolved). `related`
        maps a form key to the ids of its stored records, for relations (contact → customer …);
        `start` offsets the record index, so that separate calls give distinct unique values.
    generate(...) -> Iterator[dict]
        the same records' final values (what they hold after every later change), for loaders that
        write records as they are.
    plan(count) -> dict[str, int]
        how many records of each form go with `count` customers, in the order to create them.

Dates follow the business: a record is created after the records it points at (an opportunity after
its customer, a payment after its contract is signed), an opportunity wins or loses after it was
opened, a ticket is resolved after it was raised, and nothing happens after `now`. Every form has
some records in the current month (in the `zone`), so month-to-date dashboards show figures on the
first days of a month too. The clock is passed in (`now`): the same seed and `now` give the same
data; unique values are derived from the record index through a bijection, so they stay unique at
millions of records. Each record draws from its own random stream, so a child can recompute the
record it points at (its creation moment, its amount) from that record's index alone."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from engine.app import AppDefinition
from runtime.demo import pools

EPOCH = datetime(2026, 11, 1, tzinfo=UTC)
"""The default `now`, so callers that only need valid records (benchmarks, tests) get the same ones."""
SPAN = timedelta(days=730)
ZONE = ZoneInfo("Asia/Shanghai")
EVERY = 97
"""One record in EVERY (the first included) falls in the current month whatever else it would do, so that
even a few demo records give each month-to-date figure a value; ~1 %, near what a month's first days
hold anyway."""
GOLDEN = 0.6180339887498949  # i × golden ratio (mod 1) spreads any run of indexes evenly over the span
Row = dict[str, Any]


def plan(count: int) -> dict[str, int]:
    """Records per form for `count` customers, in creation order (targets before what points at them)."""
    return {"product": len(pools.PRODUCTS), "campaign": max(2, count // 25), "customer": count, "contact": 2 * count,
            "opportunity": count * 3 // 2, "lead": count // 2, "quote": count // 2, "followup": 3 * count, "contract": count // 2,
            "payment": count, "ticket": count // 2, "order": count // 2}


@dataclass(frozen=True)
class Planned:
    """One demo record: when it is created and with which values, then what changes later and when."""

    at: datetime
    values: Row
    later: tuple[tuple[datetime, Row], ...] = ()

    @property
    def final(self) -> Row:
        out = dict(self.values)
        for _, change in self.later:
            out.update(change)
        return out


@dataclass(frozen=True)
class Demo:
    """What every record's generator reads: the seed, the sales reps, the stored ids, the clock."""

    seed: int
    owners: list[str]
    related: dict[str, list[int]]
    now: datetime
    zone: ZoneInfo = ZONE

    def rng(self, form: str, i: int) -> random.Random:
        return random.Random(f"{self.seed}:{form}:{i}")

    @property
    def month_start(self) -> datetime:
        """Midnight of the first day of the current month, in the zone."""
        local = self.now.astimezone(self.zone)
        return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)

    def between(self, rng: random.Random, low: datetime, high: datetime | None = None) -> datetime:
        """A moment in [low, high] (high: now), never after now."""
        top = min(high or self.now, self.now)
        low = min(low, top)
        return low + timedelta(seconds=rng.random() * (top - low).total_seconds())

    def this_month(self, rng: random.Random, low: datetime) -> datetime:
        """A moment of the current month up to now, not before `low`."""
        return self.between(rng, max(low, self.month_start))

    def day(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).date().isoformat()

    def parent(self, form: str, k: int) -> tuple[int, Planned]:
        """The id and the planned record of the `k`-th stored record of `form` (wrapping around)."""
        ids = self.related.get(form)
        if not ids:
            raise ValueError(f"demo data for this form needs {form} records first (see plan())")
        index = k % len(ids)
        return ids[index], GENERATORS[form](index, self)


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


def _spread(demo: Demo, rng: random.Random, i: int) -> datetime:
    """A record's own moment over the two years (evenly by index); one in EVERY in the current month."""
    if i % EVERY == 0:
        return demo.this_month(rng, demo.now - SPAN)
    return min(demo.now - SPAN + SPAN * ((i * GOLDEN) % 1.0) + timedelta(hours=rng.random() * 12), demo.now)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(rng: random.Random, low: int, high: int) -> str:
    return f"{rng.randrange(low * 100, high * 100) / 100:.2f}"


def _customer(i: int, demo: Demo) -> Planned:
    rng = demo.rng("customer", i)
    at = _spread(demo, rng, i)
    name, (province, city, districts, region), industry = company_name(i)
    level = rng.choices("ABC", weights=(15, 35, 50))[0]
    return Planned(at, {
        "name": name, "short_name": name[len(city) - 1:len(city) + 3], "source": rng.choice(
            ["官网", "展会", "电话营销", "老客户介绍", "广告", "合作伙伴", "其他"]),
        "industry": industry, "size": rng.choice(["20人以下", "20-99人", "100-499人", "500-999人", "1000人以上"]),
        "annual_revenue": _money(rng, 500_000, 500_000_000), "region": region,
        "address": {"province": province, "city": city, "district": rng.choice(districts),
                    "detail": f"{rng.choice('东西南北')}{rng.randrange(1, 30)}路{rng.randrange(1, 999)}号"},
        "phone": mobile(i + 500_000_000), "level": level,
        "status": rng.choices(["潜在客户", "意向客户", "成交客户", "流失客户"], weights=(40, 30, 25, 5))[0],
        "key_needs": rng.choice(pools.NEEDS), "decision_roles": rng.sample(["决策者", "影响者", "使用者", "技术把关", "采购"], 2),
        "next_followup_on": (demo.now + timedelta(days=rng.randrange(-20, 30))).astimezone(demo.zone).date().isoformat(),
        "manager": demo.owners[i % len(demo.owners)],
        "tags": rng.sample(["重点客户", "战略客户", "VIP", "需回访", "价格敏感"], rng.randrange(0, 3)),
    })


def _contact(i: int, demo: Demo) -> Planned:
    rng = demo.rng("contact", i)
    customer, owner = demo.parent("customer", i // 2)
    return Planned(demo.between(rng, owner.at, owner.at + timedelta(days=7)), {
        "name": person(rng), "customer": customer, "title": rng.choice(pools.TITLES), "mobile": mobile(i),
        "email": f"contact{i}@example.cn", "role": rng.choice(["决策者", "影响者", "使用者", "技术把关", "采购"]),
        "is_primary": i % 2 == 0,
        "birthday": date(rng.randrange(1965, 2000), rng.randrange(1, 13), rng.randrange(1, 29)).isoformat()})


CHANNELS = {"展会": ("展会", 30_000, 90_000, ["春季工业展", "秋季工博会", "数字化转型峰会"]),
            "线上广告": ("广告", 10_000, 40_000, ["搜索推广", "信息流投放", "行业网站广告"]),
            "内容营销": ("官网", 5_000, 20_000, ["白皮书下载", "客户案例直播", "公众号专题"]),
            "电话营销": ("电话营销", 8_000, 25_000, ["老客户回访", "行业名录外呼"]),
            "合作伙伴活动": ("合作伙伴", 10_000, 30_000, ["渠道联合沙龙", "代理商推介会"])}
"""A campaign channel: the lead source its leads carry, its cost range in yuan, and activity names."""


def _campaign(i: int, demo: Demo) -> Planned:
    """A marketing campaign with its cost, over the two years; its leads point at it (CAC = cost / customers won)."""
    rng = demo.rng("campaign", i)
    at = _spread(demo, rng, i)
    channel = rng.choice(list(CHANNELS))
    _, low, high, names = CHANNELS[channel]
    starts = at.astimezone(demo.zone).date()
    return Planned(at, {"name": f"{starts.year}年{starts.month}月{rng.choice(names)}", "channel": channel,
                        "starts_on": starts.isoformat(), "ends_on": (starts + timedelta(days=rng.randrange(1, 30))).isoformat(),
                        "cost": _money(rng, low, high), "manager": demo.owners[i % len(demo.owners)]})


def _source(demo: Demo, rng: random.Random, at: datetime) -> Row:
    """Where a lead came from: mostly a campaign that had started by then (its channel's source), else organic."""
    if rng.random() < 0.7 and demo.related.get("campaign"):
        tried = [demo.parent("campaign", rng.randrange(len(demo.related["campaign"]))) for _ in range(4)]
        started = [(c.at, cid, c) for cid, c in tried if c.at <= at]
        if started:
            _, cid, campaign = max(started, key=lambda x: x[0])
            return {"campaign": cid, "source": CHANNELS[campaign.values["channel"]][0]}
    return {"source": rng.choice(["官网", "老客户介绍", "其他"])}


def _lead(i: int, demo: Demo) -> Planned:
    """A quarter of the leads became an opportunity (and its customer): raised days before it was opened."""
    rng = demo.rng("lead", i)
    name, place, industry = company_name(i + 900_000_000)
    status = rng.choices(["新线索", "跟进中", "已转化", "无效"], weights=(25, 40, 25, 10))[0]
    values: Row = {"company": name, "contact_name": person(rng), "mobile": mobile(i + 1_000_000_000), "region": place[3],
                   "industry": industry, "status": status, "assignee": demo.owners[i % len(demo.owners)]}
    at = _spread(demo, rng, i)
    if status == "已转化" and demo.related.get("opportunity"):
        opportunity, deal = demo.parent("opportunity", rng.randrange(len(demo.related["opportunity"])))
        at = max(deal.at - timedelta(days=rng.uniform(1, 30)), demo.now - SPAN)
        values |= {"opportunity": opportunity, "customer": deal.values["customer"]}
    return Planned(at, values | _source(demo, rng, at))


STAGES = [("初步接洽", "0.1", 30), ("需求确认", "0.25", 22), ("方案报价", "0.4", 16), ("商务谈判", "0.6", 10),
          ("赢单", "1", 12), ("输单", "0", 10)]


def _opportunity(i: int, demo: Demo) -> Planned:
    """Opened in 初步接洽 after its customer; moved once, later, to the stage it is in now. A deal
    that would close after `now` is still being negotiated."""
    rng = demo.rng("opportunity", i)
    customer, owner = demo.parent("customer", i * 2 // 3)
    at = demo.this_month(rng, owner.at) if i % EVERY == 0 else demo.between(rng, owner.at, owner.at + timedelta(days=90))
    stage, probability, _ = rng.choices(STAGES, weights=[s[2] for s in STAGES])[0]
    moved = at + timedelta(days=rng.uniform(7, 120)) if stage in ("赢单", "输单") else demo.between(rng, at)
    if moved > demo.now:
        stage, probability, moved = "商务谈判", "0.6", demo.between(rng, at)
    product = rng.choice(pools.PRODUCTS)
    values: Row = {"name": f"{product[1]}采购项目", "customer": customer, "stage": "初步接洽", "probability": "0.1",
                   "amount": _money(rng, 20_000, 2_000_000), "stage_changed_at": _stamp(at),
                   "expected_close": demo.day(at + timedelta(days=rng.randrange(30, 180))),
                   "manager": demo.owners[i % len(demo.owners)]}
    if stage == "初步接洽":
        return Planned(at, values)
    change: Row = {"stage": stage, "probability": probability, "stage_changed_at": _stamp(moved)}
    if stage == "输单":
        change["lost_reason"] = rng.choice(["价格", "产品功能", "竞争对手", "预算取消", "其他"])
    if stage == "赢单":
        change["expected_close"] = demo.day(moved)
    return Planned(at, values, ((moved, change),))


def _quote(i: int, demo: Demo) -> Planned:
    """A quote for every third opportunity, made while it was open."""
    rng = demo.rng("quote", i)
    opportunity, deal = demo.parent("opportunity", i * 3)
    final = deal.final
    closes = deal.later[0][0] if final["stage"] in ("赢单", "输单") else demo.now
    at = demo.between(rng, deal.at, closes)
    lines = []
    for product in rng.sample(range(len(pools.PRODUCTS)), rng.randrange(1, 4)):
        sku, name, _, _, price = pools.PRODUCTS[product]
        row: Row = {"item": name, "qty": rng.randrange(1, 10), "unit_price": f"{price:.2f}"}
        if demo.related.get("product"):
            row["product"] = demo.related["product"][product % len(demo.related["product"])]
        lines.append(row)
    status = {"赢单": "已接受", "输单": "已发送"}.get(final["stage"]) or rng.choice(["草稿", "已批准", "已发送"])
    return Planned(at, {"customer": final["customer"], "opportunity": opportunity, "quoted_on": demo.day(at),
                        "valid_until": demo.day(at + timedelta(days=30)), "lines": lines,
                        "discount": rng.choice(["0", "0.05", "0.1"]), "status": status, "manager": final["manager"]})


def _followup(i: int, demo: Demo) -> Planned:
    rng = demo.rng("followup", i)
    customer, owner = demo.parent("customer", i // 3)
    at = demo.this_month(rng, owner.at) if i % EVERY == 0 else demo.between(rng, owner.at)
    method = rng.choice(["电话", "拜访", "微信", "邮件", "会议"])
    return Planned(at, {"summary": f"{method}沟通{rng.choice(['需求', '报价', '合同条款', '实施计划', '回款'])}",
                        "customer": customer, "method": method, "followed_at": _stamp(at),
                        "content": rng.choice(pools.NEEDS),
                        "next_step": rng.choice(["发送方案", "安排演示", "确认预算", "催签合同"])})


def _contract(i: int, demo: Demo) -> Planned:
    """Signed (and created) within half a year of its customer, one in EVERY this month; past its year 已完成."""
    rng = demo.rng("contract", i)
    customer, owner = demo.parent("customer", i * 2)
    at = demo.this_month(rng, owner.at) if i % EVERY == 0 else demo.between(rng, owner.at, owner.at + timedelta(days=180))
    signed = date.fromisoformat(demo.day(at))
    ends = signed + timedelta(days=365)
    running = ends.isoformat() >= demo.day(demo.now)
    status = "执行中" if i % EVERY == 0 else rng.choices(
        ["执行中" if running else "已完成", "已终止", "草稿"], weights=(85, 5, 10))[0]
    return Planned(at, {"title": f"{rng.choice(pools.PRODUCTS)[1]}销售合同", "customer": customer,
                        "amount": _money(rng, 10_000, 3_000_000), "signed_on": signed.isoformat(),
                        "starts_on": signed.isoformat(), "ends_on": ends.isoformat(), "status": status,
                        "payment_terms": rng.choice(["一次性付款", "分期付款", "按里程碑付款"]),
                        "manager": demo.owners[i % len(demo.owners)]})


def _payment(i: int, demo: Demo) -> Planned:
    """Two installments per contract, planned from its signing; received when due (mostly), and one in
    EVERY this month. Entered when the money arrives (or, not received yet, when the contract is signed)."""
    rng = demo.rng("payment", i)
    contract, deal = demo.parent("contract", i // 2)
    terms = deal.values
    period = 1 + i % 2
    planned = deal.at + (timedelta(days=rng.randrange(0, 30)) if period == 1 else timedelta(days=rng.randrange(90, 180)))
    amount = str((Decimal(terms["amount"]) / 2).quantize(Decimal("0.01")))
    values: Row = {"contract": contract, "customer": terms["customer"], "period": period, "planned_amount": amount,
                   "planned_on": demo.day(planned), "method": rng.choice(["银行转账", "承兑汇票", "支付宝", "微信支付"]),
                   "status": "未回款", "manager": terms["manager"]}
    received = None
    if terms["status"] in ("执行中", "已完成"):
        if i % EVERY == 0:
            received = demo.this_month(rng, deal.at)
        elif planned <= demo.now and rng.random() < 0.85:
            received = demo.between(rng, planned, planned + timedelta(days=20))
    if received is None:
        if planned < demo.now:
            values["status"] = "已逾期"
        return Planned(deal.at, values)
    return Planned(received, values | {"amount": amount, "received_on": demo.day(received), "status": "已回款"})


TICKET_HOURS = {"特急": (0.5, 4.5), "紧急": (1, 9), "一般": (1, 52)}  # time to resolve; the SLA is 4 / 8 / 48 hours


def _ticket(i: int, demo: Demo) -> Planned:
    """Raised by a customer with a contract, after signing; the routing flow sets the SLA and the
    assignee. Resolved hours later, unless it is one of the recent ones still open."""
    rng = demo.rng("ticket", i)
    _, deal = demo.parent("contract", i)
    recent = i % 31 == 0
    at = demo.between(rng, max(deal.at, demo.now - timedelta(days=7))) if recent else demo.between(rng, deal.at)
    category = rng.choice(["安装调试", "故障维修", "使用咨询", "投诉建议", "退换货"])
    urgency = rng.choices(["一般", "紧急", "特急"], weights=(70, 22, 8))[0]
    values = {"subject": f"{rng.choice(pools.PRODUCTS)[1]}{category}", "customer": deal.values["customer"],
              "category": category, "urgency": urgency, "description": rng.choice(pools.ISSUES),
              "assignee": demo.owners[i % len(demo.owners)]}  # kept when the routing flow's teams have no members
    low, high = TICKET_HOURS[urgency]
    resolved = at + timedelta(hours=rng.uniform(low, high))
    if recent or resolved > demo.now:
        return Planned(at, values, ((demo.between(rng, at), {"status": rng.choice(["处理中", "待客户确认"])}),))
    return Planned(at, values, ((resolved, {"status": rng.choice(["已解决", "已关闭"]), "resolved_at": _stamp(resolved),
                                            "satisfaction": rng.choices(["非常满意", "满意", "一般", "不满意"],
                                                                        weights=(40, 40, 15, 5))[0]}),))


CHURNED = 6
"""One renewing customer in CHURNED stopped (of those older than a year): its last renewal is over a year old."""


def _order(i: int, demo: Demo) -> Planned:
    """A renewal order (年度运维服务) of every second customer, a month after each anniversary of its
    creation: the latest one, or for one in CHURNED (churned) the one a year before that. Orders of won deals
    come from the 赢单生成订单 flow instead."""
    rng = demo.rng("order", i)
    customer, owner = demo.parent("customer", i * 2)
    first = owner.at + timedelta(days=30)
    years = max(int((demo.now - first).days // 365), 0)
    churned = years >= 1 and i % CHURNED == 1
    at = first + timedelta(days=365 * (years - 1 if churned else years) + rng.uniform(0, 20))
    at = demo.between(rng, owner.at) if at > demo.now else at
    _, name, _, _, price = next(p for p in pools.PRODUCTS if p[0] == "TG-SRV-OPS")
    qty = rng.randrange(1, 4)
    return Planned(at, {"customer": customer, "ordered_on": demo.day(at), "amount": f"{price * qty:.2f}",
                        "status": "已签收", "manager": owner.values["manager"],
                        "lines": [{"item": name, "qty": qty, "unit_price": f"{price:.2f}"}]})


def _product(i: int, demo: Demo) -> Planned:
    sku, name, category, unit, price = pools.PRODUCTS[i % len(pools.PRODUCTS)]
    suffix = f"-{i // len(pools.PRODUCTS)}" if i >= len(pools.PRODUCTS) else ""
    return Planned(demo.now - SPAN, {"sku": sku + suffix, "name": name, "category": category, "unit": unit,
                                     "list_price": price, "cost": round(price * 0.45, 2),
                                     "standard": category != "实施服务"})


GENERATORS: dict[str, Callable[[int, Demo], Planned]] = {
    "product": _product, "campaign": _campaign, "customer": _customer, "contact": _contact, "lead": _lead, "opportunity": _opportunity,
    "quote": _quote, "followup": _followup, "contract": _contract, "payment": _payment, "ticket": _ticket,
    "order": _order,
}


def planned(app: AppDefinition, form_key: str, count: int, *, seed: int, owners: list[str],
            related: dict[str, list[int]] | None = None, start: int = 0, now: datetime = EPOCH,
            zone: ZoneInfo = ZONE) -> Iterator[Planned]:
    """`count` records of `form_key` with their moments (see the module docstring)."""
    app.form(form_key)  # the app must have the form
    if form_key not in GENERATORS:
        raise ValueError(f"no demo data for form {form_key!r}; available: {', '.join(GENERATORS)}")
    if not owners:
        raise ValueError("demo data needs at least one owner username")
    demo = Demo(seed, owners, related or {}, now, zone)
    for i in range(start, start + count):
        yield GENERATORS[form_key](i, demo)


def generate(app: AppDefinition, form_key: str, count: int, *, seed: int, owners: list[str],
             related: dict[str, list[int]] | None = None, start: int = 0, now: datetime = EPOCH) -> Iterator[Row]:
    """The final values of `count` records of `form_key` (see the module docstring)."""
    for record in planned(app, form_key, count, seed=seed, owners=owners, related=related, start=start, now=now):
        yield record.final
