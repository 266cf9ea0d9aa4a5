"""Re-sealing stored records: after a key rotation (every value under the current key), and when a
publish makes a field encrypted or plain (stored values follow the definition in the same transaction).

Records are read as every reader reads them (decrypted, runtime/db/types.py) and written back
sealed by the form's current definition, history rows included; deleted records too, since they keep
their data. Idempotent: a second run rewrites values that are already right, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from engine.app import AppDefinition
from engine.errors import InvalidDefinition, Issue
from engine.forms.model import FormDefinition
from runtime.crypto.fields import seal
from runtime.crypto.keyring import installed
from runtime.db.tables import record_history, records

BATCH = 500
"""Records re-sealed per transaction by `tangram crypto rotate-key` (with their history)."""

_RECORD = update(records).where(records.c.id == bindparam("rid")).values(data=bindparam("new_data"))
_HISTORY = update(record_history).where(record_history.c.id == bindparam("hid")).values(data=bindparam("new_data"))


def require_key(app: AppDefinition) -> None:
    """InvalidDefinition naming every encrypted field when no encryption key is configured: an app
    whose values could not be sealed is refused when it is imported or published, not at its first write."""
    if installed() is not None:
        return
    issues = [Issue(f"forms[{i}].fields[{j}].encrypted", "encryption_key_missing",
                    "未配置加密密钥（TANGRAM_ENCRYPTION_KEY 或 TANGRAM_ENCRYPTION_KEY_FILE），不能使用加密字段",
                    "no encryption key is configured (TANGRAM_ENCRYPTION_KEY or TANGRAM_ENCRYPTION_KEY_FILE)")
              for i, form in enumerate(app.forms) for j, field in enumerate(form.fields) if field.encrypted]
    if issues:
        raise InvalidDefinition("有字段设为加密，但服务器未配置加密密钥", "fields are encrypted but no encryption key is configured",
                                issues=issues)


def reseal_batch(conn: Connection, app: str, form: FormDefinition, after: int, size: int = BATCH) -> tuple[int, int]:
    """Re-seal up to `size` records of the form with ids above `after` and their history;
    (records rewritten, the last id, or -1 when none was left)."""
    if conn.dialect.name == "sqlite":  # overwrite what the rewrite frees: no plaintext left in free space
        conn.exec_driver_sql("PRAGMA secure_delete = ON")
    rows = conn.execute(select(records.c.id, records.c.data).where(
        records.c.app == app, records.c.form == form.key, records.c.id > after).order_by(records.c.id).limit(size)).all()
    if not rows:
        return 0, -1
    conn.execute(_RECORD, [{"rid": r.id, "new_data": seal(app, form, r.data)} for r in rows])
    history = conn.execute(select(record_history.c.id, record_history.c.data).where(
        record_history.c.record_id.in_([r.id for r in rows]))).all()
    if history:
        conn.execute(_HISTORY, [{"hid": h.id, "new_data": seal(app, form, h.data)} for h in history])
    return len(rows), rows[-1].id


def reseal_form(conn: Connection, app: str, form: FormDefinition) -> int:
    """Re-seal every record of a form inside the caller's transaction (a publish); how many."""
    total, after = 0, 0
    while after >= 0:
        count, after = reseal_batch(conn, app, form, after)
        total += count
    return total


def changed_encryption(old: AppDefinition | None, new: AppDefinition) -> list[FormDefinition]:
    """The forms of `new` whose set of encrypted fields differs from `old`'s (their stored values must follow)."""
    def keys(form: FormDefinition | None) -> set[str]:
        return {f.key for f in form.encrypted} if form is not None else set()

    return [f for f in new.forms if keys(f) != keys(old.forms_by_key.get(f.key) if old else None)]


def rotate(batches: Callable[[], Iterator[Connection]], apps: list[AppDefinition], size: int = BATCH,
           progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Re-seal every record of every form with encrypted fields, one transaction per batch (`batches()`
    opens one); records rewritten per `app/form`. Interrupted, it is simply run again."""
    counts: dict[str, Any] = {}
    for app in apps:
        for form in app.forms:
            if not form.encrypted:
                continue
            name, after, total = f"{app.key}/{form.key}", 0, 0
            while after >= 0:
                with batches() as conn:
                    count, after = reseal_batch(conn, app.key, form, after, size)
                total += count
                if progress and count:
                    progress(name, total)
            counts[name] = total
    return counts


__all__ = ["BATCH", "require_key", "reseal_batch", "reseal_form", "changed_encryption", "rotate"]
