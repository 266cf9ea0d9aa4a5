"""可能重复 in an import: the rows to create that the form's duplicate rules match, against stored records
(the duplicate finder's index, runtime/records/duplicates.py, read for the whole file at once) and against the file's
earlier rows (the same blocking keys, kept in memory while the rows are read).

A row matched under a `warn` rule is flagged and still imported, unless the user chose to skip likely
duplicates (`skip_duplicates`); a row matched under a `block` rule fails, as a create through the API
would. A failed row is a bad row like any other: the import is all or nothing unless bad rows are skipped.
A row that updates a record (upsert, update) is checked as an edit is: when it changes a compared field, as
the record will be, the record itself left out. Branches (分公司) are related companies, not duplicates, and
are not flagged. A run that reuses its dry run's plan looks again (`recheck`) at the records filed since
the dry run only: the keys of the newer records, read through the key index.

What the importer is told follows the interactive check (runtime/api/duplicates.py): a stored record is
named only when they may read it and the rule reads no field hidden or masked from them; a `warn` match on
anything else is not shown, and a `block` match still fails its row without naming a record or a value."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from engine.dedup import match
from engine.dedup.match import Match
from engine.dedup.model import DuplicateRule
from engine.errors import Issue
from runtime.api.duplicates import seen_by, shown
from runtime.db.tables import live, record_dedup_keys, records
from runtime.io import import_plan
from runtime.permissions.check import FormGate
from runtime.records import duplicates
from runtime.records.context import Change, FormRef
from runtime.records.titles import titles

Probes = tuple[list[Any], list[Any]]
"""A draft's (rule, key, value) probes: its whole keys, then its edges."""
KEY_CHUNK = 500
"""Blocking keys read from record_dedup_keys per query."""


def _probes(scope: str, rules: Sequence[DuplicateRule], data: Mapping[str, Any]) -> Probes:
    per_rule = [[(r, k, v) for k, v in match.blocking_keys(scope, r, data)] for r in rules]
    return [keys[0] for keys in per_rule if keys], [k for keys in per_rule for k in keys[1:]]


def _searched(probes: Probes,
              filed: Callable[[DuplicateRule, str], tuple[list[int], match.FiledValues] | None]) -> list[int]:
    """The rows or records `filed(rule, key)` holds (their ids, and their filed values in the same order)
    that may match the probes' values: whole keys first, edges only when those found none, at most
    MAX_FILED values a key and MAX_CANDIDATES found."""
    whole, edges = probes
    found: dict[int, None] = {}
    for i, (rule, key, value) in enumerate(whole + edges):
        if i == len(whole) and found:
            break
        held = filed(rule, key)
        if held is None:
            continue
        ids, values = held
        for position in match.may_match_many(rule, value, values, duplicates.MAX_FILED):
            found[ids[position]] = None
    return list(found)[: duplicates.MAX_CANDIDATES]


class _Filed:
    """Records filed under their blocking keys (the stored ones read ahead, or the file's rows read so far),
    searched as the duplicate finder searches record_dedup_keys: whole keys first, edges only when those
    found none, at most MAX_FILED values a key and MAX_CANDIDATES records compared."""

    def __init__(self, rules: Sequence[DuplicateRule]) -> None:
        self.rules = rules
        self.ids: dict[str, list[int]] = {}  # each key's records, in the order of its filed values
        self.values: dict[str, match.FiledValues] = {}  # each key's filed values alone, as may_match_many takes them
        self.datas: dict[int, Mapping[str, Any]] = {}

    def candidates(self, probes: Probes) -> list[int]:
        return _searched(probes, self._filed)

    def _filed(self, _rule: DuplicateRule, key: str) -> tuple[list[int], match.FiledValues] | None:
        if key not in self.values:
            return None
        return self.ids[key], self.values[key]

    def find(self, data: Mapping[str, Any], probes: Probes) -> list[Match]:
        known = {i: self.datas[i] for i in self.candidates(probes) if i in self.datas}
        return [m for m in match.find(self.rules, data, known) if m.relation == "duplicate"] if known else []

    def add(self, index: int, data: Mapping[str, Any], probes: Probes) -> None:
        self.datas[index] = data
        for _, key, value in probes[0] + probes[1]:
            self.file(key, index, value)

    def file(self, key: str, record_id: int, value: str | None) -> None:
        self.ids.setdefault(key, []).append(record_id)
        self.values.setdefault(key, match.FiledValues()).append(value)


def _stored(conn: Connection, ref: FormRef, probes: Sequence[Probes], after: int = 0) -> _Filed:
    """The stored records filed under the drafts' blocking keys, read a chunk of keys per query: the
    duplicate finder's probes for the whole file at once (a few queries a row cost five times the rest of
    the dry run). Edges are read only for the drafts whose whole keys found nothing, as the finder does."""
    index = _Filed(ref.form.duplicate_rules)
    _read_keys(conn, index, {key for whole, _ in probes for _, key, _ in whole}, after)
    _read_keys(
        conn,
        index,
        {key for p in probes if not index.candidates(p) for _, key, _ in p[1]},
        after,
    )
    wanted = sorted({i for p in probes for i in index.candidates(p)})
    for start in range(0, len(wanted), KEY_CHUNK):
        query = select(records.c.id, records.c.data).where(
            records.c.id.in_(wanted[start : start + KEY_CHUNK]),
            records.c.app == ref.app_key,
            records.c.form == ref.form.key,
            live(),
        )
        index.datas.update((r.id, r.data) for r in conn.execute(query))
    return index


def _read_keys(conn: Connection, index: _Filed, keys: set[str], after: int = 0) -> None:
    """The records filed under `keys` (those with an id above `after`: filed since a dry run)."""
    wanted = sorted(keys - index.ids.keys())
    for start in range(0, len(wanted), KEY_CHUNK):
        query = (
            select(record_dedup_keys.c.key, record_dedup_keys.c.record_id, record_dedup_keys.c.value)
            .where(record_dedup_keys.c.key.in_(wanted[start : start + KEY_CHUNK]))
            .order_by(record_dedup_keys.c.record_id)
        )
        if after:
            query = query.where(record_dedup_keys.c.record_id > after)
        for key, record_id, value in conn.execute(query):
            index.file(key, record_id, value)
    for key in wanted:
        index.ids.setdefault(key, [])


def _checked_rows(plan: import_plan.Plan) -> list[tuple[int, Mapping[str, Any], int | None]]:
    """The rows the rules check, in file order: (row index, data as it will be stored, the record it
    updates): the rows to create, and the rows updating a record that change a field a rule compares."""
    rows: dict[int, tuple[int, Mapping[str, Any], int | None]] = {}
    if plan.prepared is not None:
        rows.update((i, (i, d, None)) for i, d in zip(plan.created, plan.prepared.datas, strict=True))
    compared = {f.field for rule in plan.ref.form.duplicate_rules for f in rule.fields}
    for index, row in plan.matches.items():
        item = plan.parsed.items[index]
        if index not in plan.issues and any(k in item and item[k] != row.data.get(k) for k in compared):
            rows[index] = (index, {**row.data, **item}, row.id)
    return [rows[i] for i in sorted(rows)]


_ABSENT = object()  # a kept field the row does not have (told apart from one set to None)
GROUPED_FROM = 64
"""Rows under one blocking key from which its filed values are kept grouped (match.FiledValues) as the key
grows; a key with fewer has them grouped when it is probed (most keys hold one to three rows)."""


class InFile:
    """The file's rows checked so far under their blocking keys, by spreadsheet row number: what a chunk of a
    streamed import (runtime/io/import_stream.py) compares its rows with, kept from chunk to chunk instead of
    the rows themselves, and searched as `_Filed` is.

    Compact, as it lives for the whole dry run (about 3.6 filed keys a row of customers): a row is one tuple
    (the fields the rules compare and the title, then its filed value for each rule), a key the row filed
    under it or a list of rows, and only the few keys that many rows share keep their filed values grouped;
    the others are grouped when probed. A key keeps its first MAX_FILED rows only: a search compares no
    other (match.may_match_many)."""

    def __init__(self, ref: FormRef) -> None:
        self.rules = ref.form.duplicate_rules
        title = ref.form.title_field
        self.kept = tuple(sorted({f.field for rule in self.rules for f in rule.fields} | ({title} if title else set())))
        self._rule = {rule.key: len(self.kept) + n for n, rule in enumerate(self.rules)}  # where its value is in a row
        self._rows: dict[int, tuple[Any, ...]] = {}
        self._keys: dict[str, int | list[int]] = {}
        self._grouped: dict[str, match.FiledValues] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def data(self, number: int) -> dict[str, Any]:
        """Row `number`'s kept fields."""
        row = self._rows[number]
        return {k: v for k, v in zip(self.kept, row, strict=False) if v is not _ABSENT}

    def _filed(self, rule: DuplicateRule, key: str) -> tuple[list[int], match.FiledValues] | None:
        held = self._keys.get(key)
        if held is None:
            return None
        rows = [held] if isinstance(held, int) else held
        grouped = self._grouped.get(key)
        if grouped is None:
            grouped = match.FiledValues()
            at = self._rule[rule.key]
            for number in rows:
                grouped.append(self._rows[number][at])
        return rows, grouped

    def candidates(self, probes: Probes) -> list[int]:
        return _searched(probes, self._filed)

    def find(self, data: Mapping[str, Any], probes: Probes) -> list[Match]:
        known = {i: self.data(i) for i in self.candidates(probes)}
        return [m for m in match.find(self.rules, data, known) if m.relation == "duplicate"] if known else []

    def add(self, number: int, data: Mapping[str, Any], probes: Probes) -> None:
        values: list[str | None] = [None] * len(self.rules)
        filed = probes[0] + probes[1]
        for rule, _, value in filed:
            values[self._rule[rule.key] - len(self.kept)] = value
        self._rows[number] = (*(data.get(k, _ABSENT) for k in self.kept), *values)
        for rule, key, value in filed:
            held = self._keys.get(key)
            if held is None:
                self._keys[key] = number
                continue
            if isinstance(held, int):
                held = self._keys[key] = [held]
            if len(held) >= duplicates.MAX_FILED:
                continue
            held.append(number)
            grouped = self._grouped.get(key)
            if grouped is not None:
                grouped.append(value)
            elif len(held) >= GROUPED_FROM:
                self._grouped[key] = self._filed(rule, key)[1]  # type: ignore[index]


def in_file(ref: FormRef) -> InFile:
    """An empty index of the file's rows, to pass from chunk to chunk to `flag`."""
    return InFile(ref)


def flag(conn: Connection, plan: import_plan.Plan, change: Change, gate: FormGate | None = None,
         earlier: InFile | None = None) -> None:
    """Note in `plan.duplicates` each row to create or update that likely duplicates a stored record or an
    earlier row, and fail it (`plan.fail`) under a `block` rule, or under any rule when the user skips
    duplicates; the rows still to create are then checked again without the failed ones. `gate`: the
    importer's (None: the system's own import, told everything). `earlier`: the file's rows before this
    plan's (a chunk of a streamed import), which this plan's rows are added to."""
    plan.duplicates_seen_to = conn.scalar(select(func.max(records.c.id))) or 0
    _flag(conn, plan, change, gate, after=0, earlier=earlier)


def recheck(conn: Connection, plan: import_plan.Plan, change: Change, gate: FormGate | None = None) -> None:
    """Flag again, against the records filed since the plan was flagged only (a dry run's plan reused by its
    run): the dry run's flags are kept, the rows among themselves were compared then."""
    seen_to = plan.duplicates_seen_to
    plan.duplicates_seen_to = conn.scalar(select(func.max(records.c.id))) or 0
    if plan.duplicates_seen_to > seen_to:
        _flag(conn, plan, change, gate, after=seen_to)


def _flag(conn: Connection, plan: import_plan.Plan, change: Change, gate: FormGate | None, *, after: int,
          earlier: InFile | None = None) -> None:
    ref = plan.ref
    rules = ref.form.duplicate_rules
    checked = _checked_rows(plan) if rules else []
    if not checked:
        return
    by_rule = {r.key: r for r in rules}
    scope = duplicates.blocking_scope(ref)  # the file's rows are filed under the stored records' keys too
    probes = [_probes(scope, rules, d) for _, d, _ in checked]
    in_file, in_store = earlier if earlier is not None else InFile(ref), _stored(conn, ref, probes, after)
    numbers = plan.parsed.row_numbers
    found: dict[int, tuple[list[Match], list[Match]]] = {}  # row index → (stored matches, in-file matches)
    for (index, data, own), probed in zip(checked, probes, strict=True):
        stored = [m for m in in_store.find(data, probed) if m.record_id != own]
        before = in_file.find(data, probed) if not after else []  # a recheck: compared among them already
        if stored or before:
            found[index] = (stored, before)
        if not after:
            in_file.add(numbers[index], data, probed)  # filed by row number
    if not found:
        return
    told = _told(conn, ref, gate, [m for stored, _ in found.values() for m in stored])
    title_field = ref.form.title_field
    failed = False
    for index, (stored, earlier_rows) in found.items():
        notes = []
        for m in stored:
            item = told.get((m.record_id, m.rule))
            if item is not None:
                notes.append(_note(by_rule[m.rule], item["url"], item["title"], record_id=m.record_id))
            elif by_rule[m.rule].action == "block":  # it still fails the row, naming no record and no rule
                notes.append({**_note(by_rule[m.rule], None, None), "rule": None, "rule_name": None})
        for m in earlier_rows:
            number = m.record_id  # the in-file index files rows by their row number
            other = in_file.data(number).get(title_field) if title_field else None
            notes.append(_note(by_rule[m.rule], None, str(other or f"第 {number} 行"), row=number))
        plan.duplicates[index] = plan.duplicates.get(index, []) + notes
        refused = [n for n in notes if n["action"] == "block" or plan.spec.skip_duplicates]
        if refused:
            plan.fail(index, _refusal(plan, index, by_rule.get(refused[0]["rule"] or ""), refused[0]))
            failed = True
    if failed:
        import_plan.recheck_new(conn, plan, change)


def _told(conn: Connection, ref: FormRef, gate: FormGate | None, stored: Sequence[Match]) -> dict[tuple[int, str], Any]:
    """(record, rule) → the match as the importer may see it (title, url); a match they may not know of is absent."""
    if gate is None:
        names = titles(conn, ref.app, {m.record_id for m in stored})
        url = f"/apps/{ref.app_key}/forms/{ref.form.key}/records/"
        return {(m.record_id, m.rule): {"title": names.get(m.record_id, f"#{m.record_id}"), "url": f"{url}{m.record_id}"}
                for m in stored}
    return {(i["id"], i["rule"]): i for i in shown(gate, seen_by(gate, stored))}


def _note(
    rule: DuplicateRule, url: str | None, title: str | None, *, record_id: int | None = None, row: int | None = None
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


def _refusal(plan: import_plan.Plan, index: int, rule: DuplicateRule | None, note: Mapping[str, Any]) -> Issue:
    number = plan.parsed.row_numbers[index]
    if rule is None:  # a block the importer may not know the reason of
        return Issue(f"rows[{number}]", "duplicate_blocked", f"第 {number} 行：与已有记录重复，不能导入",
                     f"row {number}: duplicates a stored record; not imported")
    field = rule.fields[0].field
    label = plan.ref.form.by_key[field].label
    if note["row"]:
        what, what_en = f"第 {note['row']} 行", f"row {note['row']}"
    elif note["title"] is not None:
        what, what_en = f"已有记录“{note['title']}”", f"the stored record {note['title']!r}"
    else:  # a record or a rule the importer may not know of
        what, what_en = "已有记录", "a stored record"
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


__all__ = ["InFile", "annotate", "flag", "in_file", "recheck"]
