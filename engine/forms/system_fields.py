"""The system fields: the columns every record has (`id`, `owner`, `created_at` …), usable in expressions,
filters, sorts and reports like fields, never as field keys. Defined once here; the expression scope, the
report dimensions, the record columns, the analytics mirror and the pages read this table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from engine.expr.nodes import DATETIME, NUMBER, TEXT, Type

Storage = Literal["integer", "timestamp", "text"]
Kind = Literal["number", "timestamp", "user", "department"]


@dataclass(frozen=True)
class SystemField:
    """One column every record has, and how it behaves where a field could stand."""

    key: str
    label: str
    label_en: str
    storage: Storage
    """How the record table holds it: an integer, a UTC timestamp or text (a user name, a department key)."""
    kind: Kind
    """What its values name, for grouping and filter controls: a number, a moment, a user or a department."""
    nullable: bool
    """Whether a record may lack it (rows written by the system have no owner)."""

    @property
    def expression_type(self) -> Type:
        """Its type in the expression language: numbers, DATETIME moments, text for names."""
        return {"integer": NUMBER, "timestamp": DATETIME, "text": TEXT}[self.storage]

    @property
    def is_time(self) -> bool:
        return self.storage == "timestamp"


SYSTEM_FIELDS: dict[str, SystemField] = {f.key: f for f in (
    SystemField("id", "编号", "ID", "integer", "number", nullable=False),
    SystemField("version", "版本", "Version", "integer", "number", nullable=False),
    SystemField("owner", "所有者", "Owner", "text", "user", nullable=True),
    SystemField("department", "部门", "Department", "text", "department", nullable=True),
    SystemField("created_at", "创建时间", "Created", "timestamp", "timestamp", nullable=False),
    SystemField("created_by", "创建人", "Created by", "text", "user", nullable=True),
    SystemField("updated_at", "更新时间", "Updated", "timestamp", "timestamp", nullable=False),
    SystemField("updated_by", "修改人", "Updated by", "text", "user", nullable=True),
)}
"""By key, in the order the record table and the analytics mirror lay them out."""

TIME_FIELDS = tuple(key for key, f in SYSTEM_FIELDS.items() if f.is_time)
"""`created_at`, `updated_at`: the system fields a report period or a date filter may use."""
