"""The one gate: every route that reads or writes records asks it first (`Guard.form(...)` → FormGate).

It answers, for one actor on one form: may they do this at all (403, or 404 when they may not even
see the form), which records (a WHERE clause; an id outside it is 404, never 403 with data), which
fields (hidden ones never leave the server and are unknown in filters and sorts; read-only ones are
refused on write with 403 naming them). A value derived from a field the actor does not see in full
(formula, lookup, rollup, across forms: runtime.permissions.fields) is hidden like a hidden field, and
the relations the actor writes may name only records they may read (`writing`). Administrators pass
everything; an API token limits the apps.

The report and flow runtimes ask the same gate (`Guard(...).form(...).where(op)`, `.access(field)`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import BadQuery, Forbidden, Issue, NotFound, ValidationFailed
from engine.expr.evaluate import EvalContext
from engine.expr.scope import Scope, form_scope
from engine.limits import DEFAULT
from engine.permissions.model import FieldAccess
from engine.permissions.rights import FormRights, Operation
from engine.permissions.rights import row_scope as decide_scope
from runtime.apps import definitions
from runtime.auth.tokens import token_allows_app
from runtime.db.tables import live, records
from runtime.permissions.fields import FieldSight
from runtime.permissions.grants import extra_reads
from runtime.permissions.scope import org_for, roles_of, scope_clause
from runtime.records.context import Actor, Change, FormRef, Readable
from runtime.records.expressions import filter_clause
from runtime.records.titles import relation_cells

_VERBS = {"create": ("新建", "create"), "read": ("查看", "read"), "update": ("修改", "update"),
          "delete": ("删除", "delete"), "restore": ("恢复", "restore"), "export": ("导出", "export"),
          "import": ("导入", "import"), "manage": ("修改定义", "change the definition of")}


def _hidden_form(app: str, form: str) -> NotFound:
    return NotFound(f"应用 {app} 没有表单 {form}", f"app {app!r} has no form {form!r}")


def _no_record(ref: FormRef, record_id: int) -> NotFound:
    return NotFound(f"“{ref.form.name}”中没有记录 {record_id}", f"form {ref.form.key!r} has no record {record_id}")


def unknown_field(ref: FormRef, key: str) -> BadQuery:
    """The very error a field that does not exist gets (hidden fields must be indistinguishable)."""
    return BadQuery(f"表单“{ref.form.name}”没有字段 {key}", f"form {ref.form.key!r} has no field {key!r}", field=key)


@dataclass
class FormGate:
    """One actor's rights on one form within one transaction."""

    conn: Connection
    actor: Actor
    ref: FormRef
    rights: FormRights
    ctx: EvalContext
    sight: FieldSight
    grants: list[ColumnElement[bool]] = field(default_factory=list)

    @property
    def hidden(self) -> set[str]:
        """The fields this actor may not see: hidden by their roles, or derived from a field they do not
        see in full (on this form or, through relations and rollups, on another)."""
        return set(self.sight.hidden(self.ref.form.key))

    def access(self, key: str) -> FieldAccess:
        """A field's access for this actor, derived values included: "hidden" when they may not see it."""
        return "hidden" if key in self.sight.hidden(self.ref.form.key) else self.rights.access(key)

    @property
    def masked(self) -> set[str]:
        """Fields this actor sees only masked (脱敏): every value through its type's `mask`, unknown to
        filters, sorts and searches like hidden ones, and read-only on write."""
        return self.rights.masked_fields()

    @property
    def visible_keys(self) -> list[str]:
        """The form's fields this actor may see, in form order."""
        hidden = self.hidden
        return [k for k in self.ref.form.field_keys if k not in hidden]

    def _forbidden(self, op: Operation, detail: str = "") -> Forbidden:
        zh, en = _VERBS[op]
        return Forbidden(f"没有权限{zh}“{self.ref.form.name}”的记录{detail}",
                         f"you may not {en} records of {self.ref.form.key!r}{detail and ' (' + detail + ')'}",
                         operation=op)

    def _allows(self, op: Operation) -> bool:
        return self.rights.allows(op) or (op == "read" and bool(self.grants))

    def may(self, op: Operation) -> bool:
        """Whether the form-level right is held (a page shows the button of an action only then)."""
        return self._allows(op)

    def require(self, op: Operation) -> None:
        """The form-level right (create, export, import, manage; read/update/delete on some records)."""
        if not self._allows(op):
            raise self._forbidden(op)

    def where(self, op: Operation = "read") -> ColumnElement[bool] | None:
        """The records `op` reaches, as a WHERE clause on `records`; None means all of the form's."""
        org = org_for(self.conn, self.actor.username,
                      any(r.scope.startswith("department") for r in self.rights.rules(op)))
        clause = scope_clause(decide_scope(self.rights, op, self.actor.username, org), self.ref,
                              self.conn.dialect.name, self.ctx)
        if op == "read" and self.grants and clause is not None:
            return or_(clause, *self.grants)
        return clause

    def department_partition(self) -> list[str] | None:
        """The departments of a read scope that is exactly "kept by these departments" (no owner term, no
        condition, no grant), for the partitioned list; None for any other scope."""
        if self.rights.unrestricted or self.grants:
            return None
        rules = self.rights.rules("read")
        if not rules or any(r.when is not None or not r.scope.startswith("department") for r in rules):
            return None
        org = org_for(self.conn, self.actor.username, True)
        scope = decide_scope(self.rights, "read", self.actor.username, org)
        if scope.all or len(scope.terms) != 1 or scope.terms[0].departments is None:
            return None
        return sorted(scope.terms[0].departments)

    def _exists(self, record_id: int, op: Operation, deleted: bool | None) -> bool:
        query = select(records.c.id).where(records.c.id == record_id, records.c.app == self.ref.app_key,
                                           records.c.form == self.ref.form.key,
                                           records.c.version > 0)  # an import's staged rows: for no one yet
        if deleted is not None:
            query = query.where(records.c.deleted_at.is_not(None) if deleted else live())
        clause = self.where(op)
        if clause is not None:
            query = query.where(clause)
        if op != "read" and self.conn.dialect.name == "postgresql":
            query = query.with_for_update()  # the condition holds until our write commits
        return self.conn.execute(query).first() is not None

    def require_record(self, record_id: int, op: Operation, *, deleted: bool | None = False) -> None:
        """The record is in the scope of `op`; 404 if the actor cannot even read it, 403 if they can."""
        if self._allows(op) and self._exists(record_id, op, deleted):
            return
        if op != "read" and self._allows("read") and self._exists(record_id, "read", deleted):
            raise self._forbidden(op, f" #{record_id}")
        raise _no_record(self.ref, record_id)

    def check_keys(self, keys: Iterable[str]) -> None:
        """Field keys of a filter, sort or projection: a hidden one is as unknown as a missing one."""
        hidden = self.hidden
        for key in keys:
            if key.removeprefix("-") in hidden:
                raise unknown_field(self.ref, key.removeprefix("-"))

    def check_query_keys(self, keys: Iterable[str]) -> None:
        """Field keys of a filter or sort: hidden and masked ones are as unknown as a missing one (an
        order or a match on a masked field would reveal its values)."""
        unknown = self.hidden | self.masked
        for key in keys:
            if key.removeprefix("-") in unknown:
                raise unknown_field(self.ref, key.removeprefix("-"))

    def expression_scope(self) -> Scope:
        """The names a filter expression may use: without hidden fields, here or through relations."""
        scope = form_scope(self.ref.form, self.ref.app)
        unknown = self.hidden | self.masked  # a filter on a masked field would reveal its values
        for key in unknown:
            scope.names.pop(key, None)
            scope.unusable.pop(key, None)
        for path in [p for p in (*scope.columns, *scope.lookups) if p[0] in unknown]:
            scope.columns.pop(path, None)
            scope.lookups.pop(path, None)
        for relation, target in {p[0]: self.ref.form.by_key[p[0]] for p in scope.lookups}.items():
            target_key = getattr(target, "target", None)
            if target_key is None:
                continue
            there = self.sight.rights(target_key)  # a lookup through a masked field would show it
            for key in self.sight.hidden(target_key) | there.masked_fields():
                scope.lookups.pop((relation, key), None)
        return scope

    def filter(self, text: str, max_length: int = DEFAULT.expression_chars) -> ColumnElement[bool]:
        """A `filter=` expression as SQL, with hidden fields unknown to it."""
        return filter_clause(self.ref, text, self.conn.dialect.name, self.ctx, scope=self.expression_scope(),
                             max_length=max_length)

    def check_write(self, items: list[Mapping[str, Any]], *, prefix: bool = False) -> None:
        """Hidden keys are unknown fields (422, as for a missing field); read-only ones are 403 naming them."""
        unknown, read_only = [], []
        for i, values in enumerate(items):
            where = f"items[{i}]." if prefix else ""
            for key in values:
                if key not in self.ref.form.by_key:
                    continue  # the validator reports it, with every other problem
                access = self.access(key)
                if access == "hidden":
                    unknown.append(Issue(f"{where}{key}", "unknown_field", f"表单“{self.ref.form.name}”没有字段 {key}",
                                         f"form {self.ref.form.key!r} has no field {key!r}"))
                elif access in ("read", "masked"):  # a masked value cannot be edited by who cannot see it
                    label = self.ref.form.by_key[key].label
                    read_only.append(Issue(f"{where}{key}", "read_only_field", f"没有权限修改“{label}”",
                                           f"you may not change {key!r}"))
        if unknown:
            raise ValidationFailed(f"有 {len(unknown)} 处错误", f"{len(unknown)} problem(s)", issues=unknown)
        if read_only:
            names = "、".join(sorted({i.path.rsplit(".", 1)[-1] for i in read_only}))
            raise Forbidden(f"没有权限修改字段：{names}", f"you may not change the field(s): {names}",
                            issues=read_only, field=read_only[0].path)

    def readable_titles(self, datas: Iterable[Mapping[str, Any]], names: dict[int, str]) -> dict[int, str]:
        """Titles of related records, keeping only those the actor may read (the others show as `#id`)."""
        if self.rights.unrestricted or not names:
            return names
        targets: dict[str, set[int]] = {}
        for data in datas:
            for path, f, value in relation_cells(self.ref.form, dict(data)):  # sub_table columns too
                if path.split("[")[0] not in self.hidden:
                    targets.setdefault(getattr(f, "target"), set()).update(f.references(value))  # noqa: B009
        shown: dict[int, str] = {}
        for target, ids in targets.items():
            shown |= self.titles_on(self.conn, target, {i: names[i] for i in ids if i in names})
        return {i: shown.get(i, f"#{i}") for i in names}

    def titles_on(self, conn: Connection, target: str, names: dict[int, str]) -> dict[int, str]:
        """Titles of records of the form `target` as this actor may see them: `#id` for a record they may
        not read or a title field hidden from them, the mask of a masked title field (in `conn`: reports
        label their points in a transaction of their own)."""
        if self.rights.unrestricted or not names:
            return names
        try:
            other = Guard(self.actor, self.ctx.now, self.ctx.timezone).form(conn, self.ref.app_key, target)
        except NotFound:
            return {i: f"#{i}" for i in names}
        title_field = other.ref.form.title_field
        if title_field in other.hidden:
            return {i: f"#{i}" for i in names}
        masked = title_field is not None and title_field in other.masked
        shown_title: Any = other.ref.form.by_key[title_field].mask if masked else str
        query = select(records.c.id).where(records.c.id.in_(sorted(names)), records.c.app == self.ref.app_key,
                                           records.c.form == target)
        clause = other.where("read")
        readable = set(conn.scalars(query.where(clause) if clause is not None else query))
        return {i: shown_title(name) if i in readable else f"#{i}" for i, name in names.items()}

    @property
    def reads(self) -> Readable | None:
        """The records of any form of the app this actor may read, as a clause (None: administrators, all)."""
        return None if self.rights.unrestricted else self._readable

    def writing(self, change: Change) -> Change:
        """The change with this actor's read scope: the relations they write may name only records they
        may read (any other is refused as a missing one). Administrators name any record."""
        return change if self.reads is None else replace(change, reads=self.reads)

    def _readable(self, conn: Connection, form_key: str) -> ColumnElement[bool]:
        try:
            other = Guard(self.actor, self.ctx.now, self.ctx.timezone).form(conn, self.ref.app_key, form_key)
        except NotFound:
            return false()
        clause = other.where("read") if other._allows("read") else false()
        return true() if clause is None else clause

    def visible_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Stored data without the hidden fields (for history, audit details, exports), masked ones masked."""
        hidden = self.hidden
        return self.masked_data({k: v for k, v in data.items() if k not in hidden})

    def mask_value(self, key: str, value: Any) -> Any:
        """A value of field `key` as this actor may see it: masked if the field is masked for them."""
        if key in self.masked and key in self.ref.form.by_key:
            return self.ref.form.by_key[key].mask(value)
        return value

    def masked_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Record data (any subset of fields) with every field masked for this actor masked."""
        masked = self.masked
        if not masked:
            return dict(data)
        return {k: self.mask_value(k, v) if k in masked else v for k, v in data.items()}


@dataclass(frozen=True)
class Guard:
    """The gate for one request: the actor and the moment; `form(...)` opens a FormGate in a transaction."""

    actor: Actor
    now: datetime
    timezone: ZoneInfo

    def form(self, conn: Connection, app: str, form: str, op: Operation | None = None) -> FormGate:
        """The actor's gate on a form; 404 when they have no right on it at all (or the token excludes
        the app), then `require(op)` if an operation is given."""
        if not token_allows_app(self.actor, app):
            raise NotFound(f"应用 {app} 不存在", f"no app {app!r}")
        ref = definitions.form_ref(conn, app, form)
        sight = FieldSight(conn, self.actor, ref)
        rights = sight.rights(form)
        grants = [] if rights.unrestricted else extra_reads(conn, self.actor, ref)
        if not rights.visible:
            if not grants:
                raise _hidden_form(app, form)
            # Reading only through a grant (an approver without a role here): the fields are shown read-only.
            rights = replace(rights, fields={k: "read" for k in ref.form.field_keys})
            sight.own = rights
        gate = FormGate(conn, self.actor, ref, rights, EvalContext(self.now, self.timezone, self.actor.username),
                        sight, grants)
        if op is not None:
            gate.require(op)
        return gate

    def app_visible(self, conn: Connection, app: str) -> bool:
        """Whether the actor holds any role in the app (administrators: always; tokens: their apps)."""
        if not token_allows_app(self.actor, app):
            return False
        return self.actor.is_admin or bool(roles_of(conn, self.actor.user_id, app))

    def may_manage(self, conn: Connection, app: str, form: str | None = None) -> bool:
        """Whether the actor may change the definition: `manage` on the form (form=None: on "*", the whole
        app), or an administrator. False for an app they cannot see."""
        if self.actor.is_admin and token_allows_app(self.actor, app):
            return True
        if not self.app_visible(conn, app):
            return False
        definition, _ = definitions.current(conn, app)
        roles = [definition.roles_by_key[k] for k in roles_of(conn, self.actor.user_id, app)
                 if k in definition.roles_by_key]
        return any(p.manage for r in roles for k, p in r.permissions.items() if k in ("*", form))

    def require_manage(self, conn: Connection, app: str, form: str | None = None) -> None:
        """Definition changes: `manage` on the form (form=None: on "*", the whole app), or an administrator."""
        if self.may_manage(conn, app, form):
            return
        if not self.app_visible(conn, app):
            raise NotFound(f"应用 {app} 不存在", f"no app {app!r}")
        raise Forbidden("没有权限修改应用定义", "you may not change this app's definition", operation="manage")


__all__ = ["FormGate", "Guard", "unknown_field"]
