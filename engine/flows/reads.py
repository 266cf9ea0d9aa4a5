"""The values a flow reads through relations (`customer.level`): collected from every expression its definition
holds (trigger and branch conditions, button `when`, update / create mappings …) and every message template
(`{customer.name}`), once per definition and kept with it, so the runtime loads exactly those for the flow —
whether or not a formula of the form happens to read them too."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from engine.expr.nodes import FieldRef, walk
from engine.expr.scope import form_scope
from engine.flows.run import PLACEHOLDER
from engine.flows.validate import check_flow

if TYPE_CHECKING:
    from engine.app import AppDefinition
    from engine.flows.model import FlowDefinition

RelationPaths = dict[str, frozenset[str]]
"""relation key → the fields of the related record read through it."""


def relation_paths(app: AppDefinition, *flows: FlowDefinition) -> RelationPaths:
    """What these flows (of `app`) read through relations, merged."""
    merged: dict[str, frozenset[str]] = {}
    for flow in flows:
        for relation, keys in _of_flow(app, flow).items():
            merged[relation] = merged.get(relation, frozenset()) | keys
    return merged


def _of_flow(app: AppDefinition, flow: FlowDefinition) -> RelationPaths:
    cached: RelationPaths | None = flow.__dict__.get("_relation_paths")
    if cached is None:
        cached = flow.__dict__["_relation_paths"] = _collect(app, flow)
    return cached


def _collect(app: AppDefinition, flow: FlowDefinition) -> RelationPaths:
    form = app.forms_by_key.get(flow.form)
    if form is None:
        return {}
    checker = check_flow(app, flow, f"flows.{flow.key}")
    read = [tuple(n.path) for found in checker.read for n in walk(found.node) if isinstance(n, FieldRef)]
    read += [tuple(p.split(".")) for text in checker.templates for p in PLACEHOLDER.findall(text)]
    # Only paths the language follows (one single relation, then a field of its form): a template may name
    # anything, and a sub_table column (`lines.qty`) is not read through a relation.
    lookups = form_scope(form, app).lookups
    return _grouped(path for path in read if len(path) == 2 and (path[0], path[1]) in lookups)


def _grouped(paths: Iterable[tuple[str, ...]]) -> RelationPaths:
    found: dict[str, set[str]] = {}
    for relation, key in paths:
        found.setdefault(relation, set()).add(key)
    return {relation: frozenset(keys) for relation, keys in found.items()}


__all__ = ["RelationPaths", "relation_paths"]
