"""Template upgrades of an installed app: the preview of the three-way merge (engine/upgrade/plan.py), then
its application as the app's next version, through the same publish check of stored data as any publish
(runtime/apps/definitions.upgrade_app: its report, its decisions, its 409).

The base of the merge is `apps.template`: the template version the app was installed from, replaced by
the new template version when an upgrade is applied."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select, update

from engine.addons import is_addon, merge_addon
from engine.addons import new_roles as addons_new_roles
from engine.app import AppDefinition
from engine.app_check import parse_app
from engine.errors import IncompatibleChange, NotFound
from engine.forms.tightening import Decision
from engine.upgrade.merge import Side
from engine.upgrade.plan import UpgradePlan, plan_upgrade
from runtime.apps import addons, definitions
from runtime.db.tables import app_versions, apps
from runtime.records.context import Change


def template_of(conn: Connection, key: str) -> AppDefinition:
    """The template version the app was installed from or last upgraded to (its first version if unknown)."""
    row = conn.execute(select(apps.c.template).where(apps.c.key == key)).first()
    if row is None:
        raise NotFound(f"应用 {key} 不存在", f"no app {key!r}")
    data = row.template
    if data is None:
        data = conn.scalar(select(app_versions.c.definition).where(app_versions.c.app == key,
                                                                    app_versions.c.version == 1))
    return parse_app(data)


def plan(conn: Connection, key: str, template: Any, choices: Mapping[str, Side] | None = None) -> UpgradePlan:
    """The merge of the new template version into the app's current definition (nothing written). An
    add-on's new version (`tangram/addon@1`) is merged the same way, its base and theirs being the app's
    template with the add-on as installed and with the new version: what only the add-on changed comes in,
    the app's local changes (to the add-on's parts too) are kept, both changing one part is a conflict."""
    if is_addon(template):
        return _addon_plan(conn, key, template, choices)
    theirs = parse_app(template)
    base = template_of(conn, key)
    if theirs.key != base.key:
        raise IncompatibleChange(f"这是模板 {theirs.key} 的版本，应用 {key} 安装自模板 {base.key}",
                                 f"this is a version of template {theirs.key!r}; app {key!r} was installed "
                                 f"from template {base.key!r}", field="template")
    ours, _ = definitions.current(conn, key)
    return plan_upgrade(base, theirs, ours, choices)


def _addon_plan(conn: Connection, key: str, addon: dict[str, Any], choices: Mapping[str, Side] | None) -> UpgradePlan:
    if addon.get("app") != key:
        raise IncompatibleChange(f"此模板要安装到应用 {addon.get('app')}，不是 {key}",
                                 f"this add-on belongs to app {addon.get('app')!r}, not {key!r}", field="template")
    installed, _ = addons.installed_addon(conn, key, str(addon.get("key")))
    app_template = template_of(conn, key).dump()
    base = parse_app(merge_addon(app_template, installed))
    theirs = parse_app(merge_addon(app_template, addon))
    ours, _ = definitions.current(conn, key)
    return plan_upgrade(base, theirs, ours, choices)


def preview(conn: Connection, key: str, template: Any, choices: Mapping[str, Side] | None,
            change: Change) -> dict[str, Any]:
    """What the upgrade adds, updates, removes and keeps, its conflicts, and — once the merge validates —
    the publish report of what stored records break (`problems`, as `POST …/publish/check` answers it)."""
    upgrade = plan(conn, key, template, choices)
    answer = upgrade.as_dict() | {"draft_pending": definitions.pending_draft(conn, key) is not None, "problems": []}
    if upgrade.definition is not None:
        new, problems = definitions.check_upgrade(conn, key, upgrade.definition.dump(), change)
        answer["problems"] = definitions.report_json(new, problems)
    return answer


def apply(conn: Connection, key: str, template: Any, choices: Mapping[str, Side] | None, change: Change,
          decisions: list[Decision] | None = None) -> tuple[AppDefinition, int]:
    """Publish the merged definition as the next version and remember the new template version. Refused,
    with nothing written, while a conflict has no choice (409 naming them), while the builder holds an
    unpublished draft, or when stored records break the result and no decision says what to do."""
    definitions.refuse_over_draft(conn, key)
    upgrade = plan(conn, key, template, choices)
    merged = upgrade.ready()
    brought: list[str] | None = None  # an add-on's: the roles it brought, and those the app lacks before this version
    if is_addon(template):
        _, brought = addons.installed_addon(conn, key, template["key"])
        brought += addons_new_roles(definitions.current(conn, key)[0].dump(), template)
    new, version = definitions.upgrade_app(conn, key, merged.dump(), change, decisions)
    if brought is not None:  # the add-on's base moves on; the app's own template stays
        addons.remember(conn, key, template, brought)
    else:
        conn.execute(update(apps).where(apps.c.key == key).values(template=parse_app(template).dump()))
    return new, version


__all__ = ["apply", "plan", "preview", "template_of"]
