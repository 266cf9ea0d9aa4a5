"""Shared by the SQL-vs-Python expression tests: sample customer rows and random well-typed conditions."""

from __future__ import annotations

from hypothesis import strategies as st

ROWS = [  # blanks, Chinese and full-width text, tiny and large amounts, dates at month ends
    {"name": "甲公司", "region": "华东", "level": "A", "amount": "600000.00", "note": "老客户", "since": "2026-01-31"},
    {"name": "乙公司", "region": "华南", "level": "B", "amount": "120000.50", "since": "2024-02-29"},
    {"name": "丙公司", "region": "华东", "level": "C", "since": "2025-12-31"},
    {"name": "丁有限公司", "region": "华北", "level": "A", "amount": "0.10", "note": "新", "since": "2026-03-01"},
    {"name": "Ｅ公司", "level": "B", "amount": "99999999.99"},
]

MIXED_ROWS = [  # text where the orders people know disagree: digits, Han by pinyin, Latin by case, full width
    {"name": "cmp1号", "region": "华东", "level": "A", "amount": "0.1", "note": "a", "since": "2024-02-29"},
    {"name": "cmp阿里", "amount": "0.30", "note": "", "since": "2026-12-31"},
    {"name": "cmpZeta", "region": "华南", "amount": "1.10", "note": "Zeta"},
    {"name": "cmpa", "region": "华北", "amount": "1.1", "note": "A"},
    {"name": "cmpA", "level": "B", "amount": "0.20", "note": "ａ"},
    {"name": "cmpá", "amount": "0.3", "note": "á", "since": "2026-01-01"},
    {"name": "cmp华东", "region": "华北", "note": "华东", "since": "2025-12-31"},
    {"name": "ＡＢＣ", "level": "C", "amount": "100", "note": "ABC"},
    {"name": "ABC", "amount": "100.00", "note": "ＡＢＣ"},
    {"name": "１２", "amount": "12", "note": "12"},
    {"name": "12", "region": "华东", "amount": "12.000", "note": "１２"},
]
"""Seeded with ROWS by the SQL-vs-Python tests, so every run compares such text, scaled decimals
(0.1 + 0.2, 1.10 and 1.1), blank and empty notes, and dates."""

TEXT_VALUES = st.sampled_from(["华东", "华南", "甲公司", "", "A", "Ｅ公司", "有限", "cmp华东", "华北", "cmpa", "cmpA",
                               "cmpá", "ＡＢＣ", "ABC", "abc", "１２", "12", "阿里", "Zeta", "a", "ａ", "á", "cmp"])
NUMBERS = st.decimals(min_value=-1000000, max_value=100000000, places=2, allow_nan=False, allow_infinity=False)


TEXT_ORDER = ['name < "cmp华东"', '(ISBLANK(region) OR name < "华东")', 'note < "a"', 'note <= "A"', 'note > "ａ"',
              'name >= "ABC"', 'name > "１２"', 'name < "12"', 'region < "华南"', 'level > "a"', 'MIN(name, note) < "b"',
              'MAX(note, "华") >= "华东"']
NUMBERS_WITH_SCALE = ["amount + 0.2 = 0.3", "amount * 3 = 0.3", "amount = 1.1", "amount = 1.10", "amount >= 1.10",
                      "amount - 1.1 = 0", "ROUND(amount, 1) = 0.1", "amount = 12", "amount > 99.999", "amount IN [0.1, 100]"]
BLANKS = ['note = ""', 'note != ""', "ISBLANK(note)", "LEN(note) = 0", 'COALESCE(note, "") = ""', 'note & "" = ""',
          'region != "华东"', "ISBLANK(amount) OR amount = 0", 'NOT (note = "a")', "ISBLANK(LEFT(name, 0))",
          'ISBLANK(SUBSTITUTE(note, "a", ""))', 'NOT ISBLANK(TRIM(note))']
DATES = ["since < DATE(2026, 1, 1)", "since >= DATE(2024, 2, 29)", "since = DATE(2025, 12, 31)", "since > TODAY()",
         "since <= DATEADD(DATE(2024, 2, 28), 1, \"D\")"]
"""Comparisons the generated ones reach only by chance, drawn from on every run."""


def conditions() -> st.SearchStrategy[str]:
    def text_value() -> st.SearchStrategy[str]:
        return TEXT_VALUES.map(lambda v: f'"{v}"')

    atoms = st.one_of(
        st.tuples(st.sampled_from(["region", "level", "name", "note"]), st.sampled_from(["=", "!=", "<", "<=", ">", ">="]),
                  text_value()).map(" ".join),
        st.tuples(text_value(), st.sampled_from(["<", ">="]), st.sampled_from(["region", "name", "note"])).map(" ".join),
        st.tuples(st.sampled_from(["name", "note", "region"]), st.sampled_from(["=", "<", ">="]),
                  st.sampled_from(["note", "name", "level"])).map(" ".join),
        st.tuples(st.sampled_from(["UPPER(name)", "LOWER(note)", "LEFT(name, 4)", 'name & note', "TRIM(note)"]),
                  st.sampled_from(["=", "<", ">"]), text_value()).map(" ".join),
        st.sampled_from(TEXT_ORDER + NUMBERS_WITH_SCALE + BLANKS + DATES),
        st.tuples(st.just("amount"), st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), NUMBERS.map(str)).map(" ".join),
        st.sampled_from(["region", "note", "amount"]).map(lambda f: f"ISBLANK({f})"),
        st.tuples(st.sampled_from(["name", "note"]), text_value()).map(lambda t: f"CONTAINS({t[0]}, {t[1]})"),
        st.lists(text_value(), min_size=1, max_size=3).map(lambda vs: f"level IN [{', '.join(vs)}]"),
        st.tuples(st.sampled_from(["+", "-", "*", "/"]), NUMBERS, st.sampled_from(["<", ">=", "="]), NUMBERS).map(
            lambda t: f"amount {t[0]} {t[1]} {t[2]} {t[3]}"),
        st.tuples(st.integers(0, 3), NUMBERS).map(lambda t: f"ROUND(amount, {t[0]}) > {t[1]}"),
        st.tuples(st.integers(0, 4), text_value()).map(lambda t: f"LEFT(name, {t[0]}) = {t[1]}"),
        st.tuples(st.sampled_from(["YEAR", "MONTH", "DAY"]), st.sampled_from(["=", ">="]), st.integers(1, 2026)).map(
            lambda t: f"{t[0]}(since) {t[1]} {t[2]}"),
        st.tuples(st.sampled_from(["<", ">"]), st.integers(0, 1500)).map(
            lambda t: f'DATEDIF(since, TODAY(), "D") {t[0]} {t[1]}'),
        st.tuples(st.integers(-13, 13), st.sampled_from(["D", "M", "Y"])).map(
            lambda t: f'DAY(DATEADD(since, {t[0]}, "{t[1]}")) >= 28'),
        st.integers(-2, 2).map(lambda n: f"DAY(EOMONTH(since, {n})) = 29"),
    )
    return st.recursive(atoms, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda c: f"NOT ({c})"),
        st.tuples(inner, inner, inner).map(lambda t: f"IF({t[0]}, {t[1]}, {t[2]})"),
    ), max_leaves=5)




MONTH_ENDS = st.sampled_from(["2024-02-29", "2025-02-28", "2026-01-31", "2026-04-30", "2025-12-31", "2026-03-01"])


def rows() -> st.SearchStrategy[list[dict[str, object]]]:
    """A few random customers: any field may be blank or empty; Chinese, Latin, full-width text; exact amounts."""
    row = st.fixed_dictionaries({"name": st.text(alphabet="甲乙丙丁有限公司阿华东ＡＢＣabcABZá1２ ", min_size=1, max_size=6)},
                                optional={
        "region": st.sampled_from(["华东", "华南", "华北"]),
        "level": st.sampled_from(["A", "B", "C"]),
        "amount": st.one_of(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False).map(str),
                            st.sampled_from(["0.1", "0.10", "0.2", "0.3", "1.1", "1.10", "12", "12.000"])),
        "note": st.one_of(st.text(alphabet="老客户新有限华东aAａＡá1１ ", min_size=1, max_size=5), st.just("")),
        "since": st.one_of(MONTH_ENDS, st.dates().map(lambda d: d.isoformat())),
    })
    return st.lists(row, min_size=1, max_size=4)
