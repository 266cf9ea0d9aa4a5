"""The dependency graph of an app's derived fields across its forms, built once per definition.

A node is a field, (form key, field key); a derived field (formula, lookup, rollup) reads others:
- a formula, the fields of its own record and, through a single relation, of the record it points at
  (`customer.level` reads `customer` and the customer's `level`); a sub_table column is its sub_table;
- a lookup, its relation and the looked-up field;
- a rollup, the source form's relation, its `of` and the fields its `where` reads (and the existence
  of the source records, which the runtime follows from creates, deletes and restores).
A default formula is computed once, on create, and is not kept current: it adds no edge.

A cycle (客户.加权金额 → 商机.客户等级 → 客户.加权金额) has no value to converge to, so the app is
refused (`cycle_issues`). Without one, `rank` orders the fields so that each comes after all it reads:
the runtime refreshes what a write made stale in that order (runtime/records/derived.py), and a
record's own formulas are computed in it (`formula_order`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.errors import Issue
from engine.expr.errors import ExpressionError
from engine.expr.nodes import FieldRef, walk
from engine.forms.expressions import checked, where_fields
from engine.forms.fields.base import FieldType
from engine.forms.fields.formula import FormulaField
from engine.forms.fields.lookup import LookupField
from engine.forms.fields.rollup import RollupField
from engine.forms.model import FormDefinition

if TYPE_CHECKING:
    from engine.app import AppDefinition

Node = tuple[str, str]
"""A field of the app: (form key, field key)."""


@dataclass(frozen=True)
class ReadThrough:
    """Records of `form` read fields of the records their single relation `relation` points at:
    when one of `fields` changes there, their lookups and formulas are computed again."""

    form: str
    relation: str
    fields: frozenset[str]


@dataclass(frozen=True)
class RolledUp:
    """`rollup` of `form` summarises records through their relation `rollup.source.field`; `inputs`
    are the source fields it reads (relation, `of`, `where`)."""

    form: str
    rollup: RollupField
    inputs: frozenset[str]


@dataclass
class DerivedGraph:
    """What every derived field reads; for each form, who derives from its records; a refresh order."""

    reads: dict[Node, set[Node]] = field(default_factory=dict)
    read_through: dict[str, list[ReadThrough]] = field(default_factory=dict)
    rolled_up: dict[str, list[RolledUp]] = field(default_factory=dict)
    rank: dict[Node, int] = field(default_factory=dict)
    cycle: list[Node] | None = None


def _expression_reads(form: FormDefinition, app: AppDefinition, text: str) -> set[Node]:
    found: set[Node] = set()
    try:
        node = checked(form, text).node
    except ExpressionError:
        return found  # reported at its path by expression_issues
    for ref in walk(node):
        if not isinstance(ref, FieldRef) or not ref.path or ref.path[0] not in form.by_key:
            continue  # the record's own columns (id, created_at …) are not derived
        found.add((form.key, ref.path[0]))
        relation = form.by_key[ref.path[0]]
        target = getattr(relation, "target", None)
        if len(ref.path) == 2 and relation.type == "relation" and target in app.forms_by_key:
            found.add((target, ref.path[1]))
    return found


def field_reads(app: AppDefinition, form: FormDefinition, f: FieldType) -> set[Node]:
    """The fields a derived field is computed from (empty for a field users write)."""
    if isinstance(f, FormulaField):
        return _expression_reads(form, app, f.formula)
    if isinstance(f, LookupField):
        target = getattr(form.by_key.get(f.relation), "target", None)
        return {(form.key, f.relation)} | ({(target, f.field)} if target in app.forms_by_key else set())
    if isinstance(f, RollupField):
        source = app.forms_by_key.get(f.source.form)
        if source is None:
            return set()
        try:
            condition = where_fields(f, source)
        except ExpressionError:
            condition = set()  # reported by the rollup's check
        return {(source.key, k) for k in {f.source.field, *([f.of] if f.of else []), *condition}}
    return set()


def _find_cycle(reads: dict[Node, set[Node]]) -> list[Node] | None:
    """A cycle of `reads` as [a, b, …, a] (a reads b, b reads …), or None."""
    state: dict[Node, int] = {}  # 1: on the path, 2: done
    path: list[Node] = []

    def visit(node: Node) -> list[Node] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(reads.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(reads):
        if start not in state and (found := visit(start)) is not None:
            return found
    return None


def _ranks(reads: dict[Node, set[Node]]) -> dict[Node, int]:
    """Each node's depth: 0 for a field nothing derives it from, else one more than what it reads."""
    rank: dict[Node, int] = {}

    def depth(node: Node) -> int:
        if node not in rank:
            rank[node] = 0  # acyclic: only guards against a revisit while computing
            rank[node] = 1 + max((depth(n) for n in reads.get(node, ())), default=-1)
        return rank[node]

    for node in reads:
        depth(node)
    return rank


def _read_through(app: AppDefinition, form: FormDefinition, f: FieldType) -> set[tuple[str, str]]:
    """(relation, field of the related form) pairs a lookup or formula of `form` reads."""
    if isinstance(f, LookupField):
        return {(f.relation, f.field)}
    if not isinstance(f, FormulaField):
        return set()
    try:
        node = checked(form, f.formula).node
    except ExpressionError:
        return set()
    return {(n.path[0], n.path[1]) for n in walk(node) if isinstance(n, FieldRef) and len(n.path) == 2
            and n.path[0] in form.by_key and form.by_key[n.path[0]].type == "relation"
            and getattr(form.by_key[n.path[0]], "target", None) in app.forms_by_key}


def derived_graph(app: AppDefinition) -> DerivedGraph:
    """The graph of the app's derived fields (see the module docstring)."""
    graph = DerivedGraph()
    through: dict[tuple[str, str], set[str]] = defaultdict(set)  # (reader form, relation) → fields read
    for form in app.forms:
        for f in form.fields:
            reads = field_reads(app, form, f)
            if not reads:
                continue
            graph.reads[(form.key, f.key)] = reads
            if isinstance(f, RollupField):
                inputs = frozenset(k for _source, k in reads)
                graph.rolled_up.setdefault(f.source.form, []).append(RolledUp(form.key, f, inputs))
            for relation, key in _read_through(app, form, f):
                through[(form.key, relation)].add(key)
    for (reader, relation), fields in sorted(through.items()):
        target = getattr(app.forms_by_key[reader].by_key[relation], "target", "")
        graph.read_through.setdefault(target, []).append(ReadThrough(reader, relation, frozenset(fields)))
    graph.cycle = _find_cycle(graph.reads)
    if graph.cycle is None:
        graph.rank = _ranks(graph.reads)
    return graph


def _label(app: AppDefinition, node: Node) -> str:
    form = app.forms_by_key[node[0]]
    return f"{form.name}.{form.by_key[node[1]].label}" if node[1] in form.by_key else f"{form.name}.{node[1]}"


def cycle_issues(app: AppDefinition) -> list[Issue]:
    """A derived field that reads itself through others, at the JSON path of its first field."""
    cycle = derived_graph(app).cycle
    if cycle is None:
        return []
    form_index = next(i for i, f in enumerate(app.forms) if f.key == cycle[0][0])
    field_index = app.forms[form_index].field_keys.index(cycle[0][1])
    shown = " → ".join(_label(app, n) for n in cycle)
    shown_en = " → ".join(f"{form}.{key}" for form, key in cycle)
    return [Issue(f"forms[{form_index}].fields[{field_index}]", "derived_cycle",
                  f"派生字段循环引用，无法计算：{shown}", f"derived fields read each other in a cycle: {shown_en}")]


def formula_order(form: FormDefinition, graph: DerivedGraph) -> list[FormulaField]:
    """The form's formulas, each after the formulas of the same record it reads (else in form order)."""
    formulas = [f for f in form.fields if isinstance(f, FormulaField)]
    return sorted(formulas, key=lambda f: graph.rank.get((form.key, f.key), 0))
