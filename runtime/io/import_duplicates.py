"""可能重复 in an import: the rows to create that the form's duplicate rules match, against stored records
(the duplicate finder, runtime/records/duplicates.py: one indexed probe per row) and against the file's
earlier rows (the same blocking keys, kept in memory while the rows are read).

A row matched under a `warn` rule is flagged and still imported, unless the user chose to skip likely
duplicates (`skip_duplicates`); a row matched under a `block` rule fails, as a create through the API
would. A failed row is a bad row like any other: the import is all or nothing unless bad rows are skipped.
Rows that update a record (upsert, update) are not checked: they add no record. Branches (分公司) are
related companies, not duplicates, and are not flagged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from engine.dedup import match
from engine.dedup.match import Match
from engine.dedup.model import DuplicateRule
from engine.errors import Issue
from runtime.io import import_plan
from runtime.records import duplicates
from runtime.records.context import Change
from runtime.records.titles import titles

_IN_FILE = "import"
"""The scope of the file's own blocking keys (any text: they are never stored)."""


class _FileRows:
    """The file's rows read so far, filed under their blocking keys, to find a row's likely duplicates
    among them as the finder does among stored records: whole keys first, edges only when those found none."""

    def __init__(self, rules: Sequence[DuplicateRule]) -> None:
        self.rules = rules
        self.filed: dict[str, list[tuple[int, str | None]]] = {}
        self.datas: dict[int, Mapping[str, Any]] = {}

    def find(self, data: Mapping[str, Any]) -> list[Match]:
        per_rule = [[(r, k, v) for k, v in match.blocking_keys(_IN_FILE, r, data)] for r in self.rules]
        whole = [keys[0] for keys in per_rule if keys]
        edges = [k for keys in per_rule for k in keys[1:]]
        found: dict[int, None] = {}
        for i, (rule, key, value) in enumerate(whole + edges):
            if i == len(whole) and found:
                break
            for index, stored in self.filed.get(key, [])[: duplicates.MAX_FILED]:
                if match.may_match(rule, value, stored):
                    found[index] = None
        return match.find(self.rules, data, {i: self.datas[i] for i in list(found)[: duplicates.MAX_CANDIDATES]})

    def add(self, index: int, data: Mapping[str, Any]) -> None:
        self.datas[index] = data
        for key, value in match.record_keys(_IN_FILE, self.rules, data):
            self.filed.setdefault(key, []).append((index, value))


def flag(conn: Connection, plan: import_plan.Plan, change: Change) -> None:
    """Note in `plan.duplicates` each row to create that likely duplicates a stored record or an earlier
    row, and fail it (`plan.fail`) under a `block` rule, or under any rule when the user skips duplicates;
    the rows still to create are then checked again without the failed ones."""
    ref, prepared = plan.ref, plan.prepared
    rules = ref.form.duplicate_rules
    if not rules or prepared is None:
        return
    by_rule = {r.key: r for r in rules}
    in_file = _FileRows(rules)
    found: dict[int, tuple[list[Match], list[Match]]] = {}  # row index → (stored matches, in-file matches)
    for index, data in zip(plan.created, prepared.datas, strict=True):
        stored = [m for m in duplicates.find(conn, ref, data) if m.relation == "duplicate"]
        earlier = [m for m in in_file.find(data) if m.relation == "duplicate"]
        if stored or earlier:
            found[index] = (stored, earlier)
        in_file.add(index, data)
    if not found:
        return
    names = titles(conn, ref.app, {m.record_id for stored, _ in found.values() for m in stored})
    title_field = ref.form.title_field
    position = {index: p for p, index in enumerate(plan.created)}
    failed = False
    for index, (stored, earlier) in found.items():
        notes = [
            _note(
                by_rule[m.rule],
                f"/apps/{ref.app_key}/forms/{ref.form.key}/records/{m.record_id}",
                names.get(m.record_id, f"#{m.record_id}"),
                record_id=m.record_id,
            )
            for m in stored
        ]
        for m in earlier:
            number = plan.parsed.row_numbers[m.record_id]
            other = prepared.datas[position[m.record_id]].get(title_field) if title_field else None
            notes.append(_note(by_rule[m.rule], None, str(other or f"第 {number} 行"), row=number))
        plan.duplicates[index] = notes
        refused = [n for n in notes if n["action"] == "block" or plan.spec.skip_duplicates]
        if refused:
            plan.fail(index, _refusal(plan, index, by_rule[refused[0]["rule"]], refused[0]))
            failed = True
    if failed:
        import_plan.recheck_new(conn, plan, change)


def _note(
    rule: DuplicateRule, url: str | None, title: str, *, record_id: int | None = None, row: int | None = None
) -> dict[str, Any]:
    """One match as the dry run shows it: a stored record (`id`, `url`) or an earlier row of the file (`row`)."""
    return {
        "id": record_id,
        "row": row,
        "title": title,
        "url": url,
        "rule": rule.key,
        "rule_name": rule.name,
        "action": rule.action,
    }


def _refusal(plan: import_plan.Plan, index: int, rule: DuplicateRule, note: Mapping[str, Any]) -> Issue:
    number = plan.parsed.row_numbers[index]
    field = rule.fields[0].field
    label = plan.ref.form.by_key[field].label
    what = f"第 {note['row']} 行" if note["row"] else f"已有记录“{note['title']}”"
    what_en = f"row {note['row']}" if note["row"] else f"the stored record {note['title']!r}"
    code = "duplicate_blocked" if rule.action == "block" else "possible_duplicate"
    verdict = "不能导入" if rule.action == "block" else "已选择跳过可能重复的行"
    verdict_en = "not imported" if rule.action == "block" else "skipped as chosen"
    return Issue(
        f"rows[{number}].{field}",
        code,
        f"第 {number} 行“{label}”：与{what}重复（{rule.name}），{verdict}",
        f"row {number}, {field!r}: duplicates {what_en} ({rule.key}); {verdict_en}",
    )


def annotate(report: dict[str, Any], plan: import_plan.Plan) -> dict[str, Any]:
    """The dry run's report with the duplicates: `duplicates` (how many rows were flagged) and each
    previewed row's `duplicates` (the records or earlier rows it likely duplicates)."""
    numbers = {plan.parsed.row_numbers[i]: notes for i, notes in plan.duplicates.items()}
    for row in report["preview"]:
        row["duplicates"] = numbers.get(row["row"], [])
    report["duplicates"] = len(plan.duplicates)
    return report


__all__ = ["annotate", "flag"]
