"""Regenerate engine/text_order.txt from PostgreSQL's ICU: `make text-order` (needs a PostgreSQL
built with ICU, as Debian's; `TANGRAM_DATABASE_URL` or the local test database).

Every assigned character of Unicode's first plane, except controls, surrogates and private use, is
ranked by ICU's Chinese collation (pinyin) at primary strength: characters ICU holds equal there
(`A`, `a`, `Ａ`) share a line. The first line holds the characters ICU ignores (equal to the empty
string); the others follow in order. Inside a line the members follow ICU's finer strengths
(`á à a ａ A Ａ`): SECONDARY before a member starts a new accent group, TERTIARY a new case or
width group. A group holding one of the CONTRACTIONS has its members each followed by a tab.
engine/text_order.py turns the lines into the sort key SQLite and Python compare, so they order
text as PostgreSQL's `COLLATE "zh-x-icu"` does."""

from __future__ import annotations

import os
import sys
import unicodedata
from pathlib import Path

import psycopg

TABLE = Path(__file__).resolve().parents[2] / "engine" / "text_order.txt"
SKIPPED = {"Cc", "Cs", "Co", "Cn"}
CONTRACTIONS = ("重庆", "沈阳", "藏文")
"""Words ICU's Chinese rules sort apart from their first character (重庆 as chóng, not zhòng):
`&虫<重庆/庆`, `&弞<沈阳/阳` and `&銺<藏文/文` are the only ones in ICU 72's rules (ucol_getRules)."""

SECONDARY, TERTIARY = "\x1e", "\x1f"
"""Control characters, which no line holds otherwise: they mark where a finer group begins."""
COLLATIONS = [f"CREATE COLLATION pg_temp.tangram_level{n} "
              f"(provider = icu, locale = 'zh-u-ks-level{n}', deterministic = false)" for n in (1, 2, 3)]
RANKS = """
SELECT ch, dense_rank() OVER (ORDER BY ch COLLATE pg_temp.tangram_level1),
       dense_rank() OVER (ORDER BY ch COLLATE pg_temp.tangram_level2),
       dense_rank() OVER (ORDER BY ch COLLATE pg_temp.tangram_level3)
FROM unnest(%s::text[]) AS ch ORDER BY 2, 4, ch COLLATE "C"
"""


def characters() -> list[str]:
    return [chr(c) for c in range(0x10000) if unicodedata.category(chr(c)) not in SKIPPED]


def groups(url: str) -> list[str]:
    """Lines of the table: the ignorable characters, then each primary group in order, its members
    marked where ICU's secondary or tertiary strength tells them apart."""
    with psycopg.connect(url, autocommit=True) as conn:
        for collation in COLLATIONS:
            conn.execute(collation)
        ranked = conn.execute(RANKS, [["", *characters(), *CONTRACTIONS]]).fetchall()
    by_rank: dict[int, list[str]] = {}
    previous: tuple[int, int, int] = (0, 0, 0)
    for ch, primary, secondary, tertiary in ranked:
        mark = "" if primary != previous[0] or primary == 1 else \
            SECONDARY if secondary != previous[1] else TERTIARY if tertiary != previous[2] else ""
        by_rank.setdefault(primary, []).append(mark + ch)
        previous = (primary, secondary, tertiary)
    lines = ["".join(m + "\t" for m in group) if any(len(m.lstrip(SECONDARY + TERTIARY)) > 1 for m in group)
             else "".join(group) for group in (by_rank[r] for r in sorted(by_rank))]
    return lines  # the empty string is the least of all: the first line is the ignorable group


def main() -> None:
    url = os.environ.get("TANGRAM_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    lines = groups(url.replace("postgresql+psycopg://", "postgresql://"))
    TABLE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{TABLE}: {sum(map(len, lines))} characters in {len(lines) - 1} groups, "
          f"{len(lines[0])} ignorable", file=sys.stderr)


if __name__ == "__main__":
    main()
