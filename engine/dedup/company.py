"""Chinese company names reduced to what tells companies apart.

"苏州恒瑞精密机械有限公司", "恒瑞精密机械（苏州）有限公司" and "恒瑞精密机械(苏州)有限公司 " name one
company: width, brackets, blanks, the legal form and where the region is written do not matter. What
is left is the core ("恒瑞精密机械"), the region it was registered in ("苏州", None when not said)
and a branch ("上海" for "…有限公司上海分公司"): a branch is a related but different company.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Longest first: 集团股份有限公司 before 股份有限公司 before 有限公司 before 公司.
LEGAL_SUFFIXES = (
    "集团股份有限公司",
    "集团有限责任公司",
    "集团有限公司",
    "股份有限公司",
    "有限责任公司",
    "股份合作公司",
    "有限合伙",
    "有限公司",
    "股份公司",
    "总公司",
    "集团公司",
    "控股集团",
    "集团",
    "公司",
    "co.,ltd",
    "co.ltd",
    "coltd",
    "company limited",
    "limited",
    "ltd",
    "inc",
    "corp",
    "corporation",
    "gmbh",
)
BRANCH_WORDS = ("分公司", "分店", "分厂", "分行", "支行", "办事处", "营业部", "分部", "分中心")
_PARENT_ENDS = (*("有限公司", "有限责任公司", "公司", "集团", "厂", "店", "银行", "所"),)
NATIONAL = ("中国", "中华")  # (中国) says nothing about which city: compatible with any region

PROVINCES = (
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
)
CITIES = (
    "苏州",
    "无锡",
    "常州",
    "南京",
    "南通",
    "扬州",
    "镇江",
    "泰州",
    "徐州",
    "盐城",
    "淮安",
    "连云港",
    "宿迁",
    "杭州",
    "宁波",
    "温州",
    "嘉兴",
    "湖州",
    "绍兴",
    "金华",
    "台州",
    "丽水",
    "衢州",
    "舟山",
    "义乌",
    "深圳",
    "广州",
    "东莞",
    "佛山",
    "珠海",
    "中山",
    "惠州",
    "江门",
    "汕头",
    "湛江",
    "肇庆",
    "清远",
    "合肥",
    "芜湖",
    "福州",
    "厦门",
    "泉州",
    "漳州",
    "南昌",
    "济南",
    "青岛",
    "烟台",
    "潍坊",
    "临沂",
    "淄博",
    "威海",
    "郑州",
    "洛阳",
    "武汉",
    "宜昌",
    "襄阳",
    "长沙",
    "株洲",
    "湘潭",
    "成都",
    "绵阳",
    "贵阳",
    "昆明",
    "西安",
    "兰州",
    "西宁",
    "银川",
    "乌鲁木齐",
    "拉萨",
    "南宁",
    "柳州",
    "桂林",
    "海口",
    "三亚",
    "石家庄",
    "唐山",
    "保定",
    "廊坊",
    "太原",
    "沈阳",
    "大连",
    "长春",
    "哈尔滨",
    "呼和浩特",
    "包头",
    "昆山",
    "江阴",
    "张家港",
    "常熟",
    "太仓",
    "慈溪",
    "余姚",
)
_REGION_TAILS = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市", "区", "县")
_REGIONS = sorted(set(PROVINCES + CITIES), key=len, reverse=True)
_REGION_SET = frozenset(_REGIONS)
_REGION_SIZES = sorted({len(r) for r in _REGIONS}, reverse=True)
_BRACKETED = re.compile(r"[(\[【]([^()\[\]【】]*)[)\]】]")
_DROPPED = re.compile(r"[\s·.,，。、'\"“”‘’\-—_/&]+")


@dataclass(frozen=True)
class CompanyName:
    """A company name taken apart: `core` compares, `region` and `branch` qualify it."""

    core: str
    region: str | None = None
    branch: str | None = None

    @property
    def parent(self) -> CompanyName:
        """The company a branch belongs to (itself when it is no branch)."""
        return CompanyName(self.core, self.region)


def fold(text: str) -> str:
    """Full width to half width (NFKC: （）→(), ＡＢＣ→ABC), lower case, blanks and dots dropped."""
    return _DROPPED.sub("", unicodedata.normalize("NFKC", text).lower())


def _strip_legal(text: str) -> str:
    while text.endswith(LEGAL_SUFFIXES):  # one C call when nothing is left to strip, the usual case
        suffix = next(s for s in LEGAL_SUFFIXES if text.endswith(s))
        if len(text) <= len(suffix) + 1:
            break
        text = text[: -len(suffix)]
    return text


def _region_prefix(text: str) -> tuple[str | None, str]:
    """The region a name starts with (江苏省苏州市… → 苏州, the narrowest) and the rest."""
    region = None
    while True:
        for size in _REGION_SIZES:
            name = text[:size]
            if name not in _REGION_SET:
                continue
            rest = text[size:]
            for tail in _REGION_TAILS:
                if rest.startswith(tail) and len(rest) > len(tail) + 1:
                    rest = rest[len(tail) :]
                    break
            if len(rest) >= 2:  # 上海银行 keeps two characters of core: 银行 with region 上海
                region, text = name, rest
                break
        else:
            return region, text


def _region_word(text: str) -> str | None:
    """A bracketed part that names a region ((苏州), (江苏省), (中国)), as that region."""
    for tail in _REGION_TAILS:
        if text.endswith(tail) and len(text) > len(tail):
            text = text[: -len(tail)]
            break
    return text if text in _REGION_SET or text in NATIONAL else None


def _branch(text: str) -> tuple[str, str | None]:
    """A branch's parent and the branch's name (…有限公司上海分公司 → …有限公司, 上海), or the text and None."""
    body = text.removesuffix(")")
    for word in BRANCH_WORDS:
        if not body.endswith(word):
            continue
        head = body[: -len(word)]
        for cut in range(len(head), max(len(head) - 10, 1), -1):  # the branch's own name: a few characters
            parent = head[:cut].removesuffix("(")
            if len(parent) > 2 and parent.endswith(_PARENT_ENDS):
                name = head[cut:].removeprefix("(")
                return parent, _region_word(name) or name or word
    return text, None


@lru_cache(maxsize=1 << 13)  # a chunk of an import (2,000 rows) parses each name several times: keys, filed value, compare;
# not more: 65,536 parsed names held for good after an import are ~23 MiB (~360 bytes each; issue 26)
def parse_company(name: str) -> CompanyName:
    """Take a company name apart (see the module docstring); empty core for an empty name."""
    text = fold(name)
    text, branch = _branch(text)
    region = None
    for found in _BRACKETED.findall(text):
        word = _region_word(found)
        if word is not None or fold(found) in LEGAL_SUFFIXES:
            region = region or (word if word not in NATIONAL else None)
    text = _BRACKETED.sub(lambda m: "" if _region_word(m[1]) or m[1] in LEGAL_SUFFIXES else m[1], text)
    text = _strip_legal(text)
    prefix, text = _region_prefix(text)
    if prefix in NATIONAL:
        prefix = None
    return CompanyName(_strip_legal(text), region or prefix, branch)


def regions_agree(a: CompanyName, b: CompanyName) -> bool:
    """Two regions that may be the same place: equal, or one of them not said."""
    return a.region is None or b.region is None or a.region == b.region
