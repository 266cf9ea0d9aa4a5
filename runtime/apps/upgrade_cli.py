"""`tangram app upgrade APP FILE [--choose PATH=ours|theirs]… [--preview] [--decisions FILE]`: a template
upgrade from the command line (runtime/apps/upgrades.py). It prints what the upgrade adds, updates, removes
and keeps and each conflict with its base / ours / theirs; it applies only once every conflict is chosen."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from engine.errors import BadQuery
from engine.forms.tightening import parse_decisions
from engine.upgrade.plan import parse_choices
from runtime.apps import upgrades
from runtime.db.db import Database
from runtime.records.context import SYSTEM, Change


def parse_choose(values: list[str] | None) -> dict[str, Any]:
    """`--choose PATH=ours` options as the API's `choices` (the path may itself hold `=`: the last one splits)."""
    raw: dict[str, Any] = {}
    for value in values or []:
        path, sep, side = value.rpartition("=")
        if not sep or not path:
            raise BadQuery(f"--choose 应为 路径=ours 或 路径=theirs：{value}", f"--choose needs PATH=ours|theirs: {value}",
                           field="--choose")
        raw[path] = side
    return parse_choices(raw)


def _show(value: Any, removed: bool) -> str:
    return "（删除 / removed）" if removed else json.dumps(value, ensure_ascii=False)[:200]


def print_preview(preview: dict[str, Any], out: Callable[[str], None] = print) -> None:
    """The preview in lines: one per part, conflicts with their three values and the choice made."""
    for heading, kind in (("新增 / added", "added"), ("模板更新 / updated", "updated"),
                          ("删除 / removed", "removed"), ("保留本地修改 / kept", "kept")):
        for part in preview[kind]:
            out(f"{heading}: {part['path']}")
    for c in preview["conflicts"]:
        out(f"冲突 / conflict: {c['path']}  [{c['choice'] or '未选择 / not chosen'}]")
        out(f"  base:   {_show(c['base'], False)}")
        out(f"  ours:   {_show(c['ours'], c['ours_removed'])}")
        out(f"  theirs: {_show(c['theirs'], c['theirs_removed'])}")
    for issue in preview["issues"]:
        out(f"合并后的定义有错误 / the merged definition is invalid: {issue['path']}: {issue['message']}")
    for p in preview["problems"]:
        out(f"已有数据 / stored data: {p['form']}.{p['field']} {p['constraint']}: {p['count']}")


def run(db: Database, args: argparse.Namespace, read_json: Callable[[str], Any]) -> int:
    """Preview (`--preview`, or while a conflict is unchosen: exit 1), else apply and publish."""
    template = read_json(args.template)
    choices = parse_choose(args.choose)
    decisions = parse_decisions(read_json(args.decisions)) if args.decisions else []
    with db.read() as conn:
        preview = upgrades.preview(conn, args.file, template, choices, Change(SYSTEM))
    print_preview(preview)
    if args.preview:
        return 1 if preview["unresolved"] or preview["issues"] else 0
    with db.write() as conn:
        app, version = upgrades.apply(conn, args.file, template, choices, Change(SYSTEM), decisions)
    print(f"upgraded {app.key} to template {app.version}: version {version}")
    return 0


__all__ = ["parse_choose", "print_preview", "run"]
