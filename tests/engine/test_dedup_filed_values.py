"""The batched duplicate test an import runs on a key's filed values (may_match_many over FiledValues)
agrees with the single test the duplicate finder runs on each value (may_match): same values kept, in order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.dedup.match import FiledValues, filed, may_match, may_match_many
from engine.dedup.model import DuplicateField, DuplicateRule

NAMES = ["苏州恒瑞精密机械有限公司", "恒瑞精密机械(苏州)有限公司", "上海恒瑞精密机械有限公司", "恒瑞精密机件有限公司",
         "恒瑞精密机械有限公司上海分公司", "华为技术(中国)有限公司", "苏州华为技术有限公司", "恒瑞", "", "ABC 科技有限公司"]


def _rule(match: str, threshold: int) -> DuplicateRule:
    return DuplicateRule(key="r", name="r", fields=[DuplicateField(field="name", match=match)],  # type: ignore[arg-type]
                         threshold=threshold)


@given(st.sampled_from(["company", "fuzzy"]), st.integers(50, 100), st.one_of(st.none(), st.sampled_from(NAMES)),
       st.lists(st.one_of(st.none(), st.sampled_from(NAMES), st.text("恒瑞苏州精密机械|", max_size=8)), max_size=30),
       st.integers(0, 35))
def test_batched_test_keeps_the_values_the_single_test_keeps(match: str, threshold: int, asked: str | None,
                                                             stored: list[str | None], limit: int) -> None:
    rule = _rule(match, threshold)
    field = rule.fields[0]
    asked_value = None if asked is None else filed(field, asked)
    values = [v if v is None or match != "company" or "|" in v else filed(field, v) for v in stored]
    values = [filed(field, v) if v in NAMES else v for v in values]
    index = FiledValues()
    for v in values:
        index.append(v)
    assert may_match_many(rule, asked_value, index, limit) == [
        i for i, v in enumerate(values[:limit]) if may_match(rule, asked_value, v)]
