"""Duplicate rules, part of a form's definition (`duplicate_rules`): which fields, how compared, what then.

A rule matches when every one of its fields matches; a form's rules are alternatives. `exact` compares
the folded value (width, case, blanks), `fuzzy` the folded text by similarity, `company` a company name
taken apart (engine/dedup/company.py) by similarity of its core. `warn` lets the user save anyway after
seeing the candidates; `block` refuses the write.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.errors import Issue
from engine.keys import Key

Comparison = Literal["exact", "fuzzy", "company"]


class DuplicateField(BaseModel):
    """One field a rule compares, and how."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: Key
    match: Comparison = "exact"


class DuplicateRule(BaseModel):
    """Records are likely duplicates when all `fields` match (similarity ≥ `threshold` for fuzzy ones)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    name: str
    fields: list[DuplicateField] = Field(min_length=1, max_length=4)
    threshold: int = Field(default=90, ge=50, le=100)
    action: Literal["warn", "block"] = "warn"

    @property
    def exact(self) -> list[str]:
        return [f.field for f in self.fields if f.match == "exact"]

    @property
    def similar(self) -> list[DuplicateField]:
        return [f for f in self.fields if f.match != "exact"]


TEXT_TYPES = ("text", "textarea", "phone", "email", "url", "select", "number", "auto_number")
"""Field types a rule may compare: their stored values are one string or number."""


def rule_issues(
    rules: list[DuplicateRule], types: dict[str, str], encrypted: frozenset[str] = frozenset()
) -> list[Issue]:
    """Unknown, uncomparable or encrypted fields of the rules (`types`: the form's field key → type;
    an encrypted field's normalised value would sit in the duplicate keys in the clear)."""
    issues = []
    for i, rule in enumerate(rules):
        for j, compared in enumerate(rule.fields):
            path = f"duplicate_rules[{i}].fields[{j}].field"
            kind = types.get(compared.field)
            if kind is None:
                issues.append(
                    Issue(
                        path,
                        "unknown_field",
                        f"查重字段 {compared.field} 不存在",
                        f"duplicate rule field {compared.field!r} is not a field of the form",
                    )
                )
            elif kind not in TEXT_TYPES:
                issues.append(
                    Issue(
                        path,
                        "not_comparable",
                        f"{kind} 类型的字段不能用于查重",
                        f"a {kind} field cannot be compared for duplicates",
                    )
                )
            elif compared.field in encrypted:
                issues.append(
                    Issue(
                        path,
                        "encrypted_field",
                        f"加密字段 {compared.field} 不能用于查重",
                        f"the encrypted field {compared.field!r} cannot be compared for duplicates",
                    )
                )
    return issues
