"""delete_record: move the flow's record to the recycle bin (a lead marked 无效 is archived), or the records of
another form whose relation points to it and match a condition (a lost deal's draft quotes). Soft delete:
history is kept and an administrator can restore them."""

from __future__ import annotations

from typing import Literal

from engine.expr.errors import ExpressionError
from engine.expr.nodes import BOOL
from engine.flows import effects as fx
from engine.flows.actions.base import ActionStep
from engine.flows.checker import FlowChecker
from engine.flows.parts import _Model
from engine.flows.run import Run
from engine.forms.expressions import checked
from engine.keys import Key


class RelatedRecords(_Model):
    """The records of `form` whose single relation `field` names the flow's record, where `when` holds."""

    form: Key
    field: Key
    when: str | None = None
    """An expression over the related record's own fields; it runs in the database."""


class DeleteRecordAction(ActionStep):
    """Soft-delete the flow's record, or the related records (of another form) that point to it."""

    action: Literal["delete_record"]
    label = "删除记录"
    sample = {"type": "action", "action": "delete_record"}
    related: RelatedRecords | None = None

    def check(self, c: FlowChecker, path: str) -> None:
        if self.related is None:
            return
        at = f"{path}.related"
        source = c.app.forms_by_key.get(self.related.form)
        if source is None:
            c.add(f"{at}.form", "unknown_form", f"表单 {self.related.form} 不存在", f"no form {self.related.form!r}")
            return
        link = source.by_key.get(self.related.field)
        if link is None or getattr(link, "target", None) != c.flow.form or getattr(link, "multiple", True):
            c.add(f"{at}.field", "unknown_relation", f"{source.key}.{self.related.field} 不是指向“{c.flow.form}”的单选关联字段",
                  f"{source.key}.{self.related.field} is not a single relation to {c.flow.form!r}")
        if self.related.when is None:
            return
        try:
            where = checked(source, self.related.when, BOOL)
        except ExpressionError as e:
            c.add(f"{at}.when", e.code, e.message, e.message_en or e.message)
            return
        missing = sorted({why for d in ("sqlite", "postgresql") for why in where.not_in_sql.get(d, [])})
        if missing:  # the related records are chosen by one query
            c.add(f"{at}.when", "not_in_database", f"条件要在数据库中执行，暂不支持：{'、'.join(missing)}",
                  f"the condition runs in the database, which cannot do {', '.join(missing)} yet")

    def act(self, run: Run, path: str) -> None:
        if self.related is None:
            run.emit(fx.DeleteRecords(path))
            run.log("deleted", "删除记录（移入回收站）", "deleting the record (to the recycle bin)", step=path)
            return
        r = self.related
        run.emit(fx.DeleteRecords(path, r.form, r.field, r.when))
        when = f"，条件 {r.when}" if r.when else ""
        run.log("deleted", f"删除关联的“{r.form}”记录{when}", f"deleting the related {r.form} records"
                + (f" where {r.when}" if r.when else ""), step=path)


__all__ = ["DeleteRecordAction", "RelatedRecords"]
