"""通讯录导入: users and their departments from a spreadsheet (xlsx, xls, ods, CSV in UTF-8 or GBK), read by the
record import's readers (runtime/io/spreadsheet.py).

`plan` reads the whole file and says, per row, whether it makes a new user, changes an existing one, changes
nothing or fails — each problem naming its row and column — and which departments the paths create. `apply`
writes a plan that has no problem, in the caller's transaction: all rows or none. New users get a random
initial password (answered once, never stored in clear) and must change it at their first login."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from engine.errors import BadFile, BadQuery, Issue, ValidationFailed
from runtime.accounts import accounts, org
from runtime.accounts.contacts import clean_email, clean_mobile
from runtime.accounts.users import USERNAME_RE, create_user
from runtime.db.tables import department_members, departments, users
from runtime.io.sheet_limits import SheetLimits
from runtime.io.spreadsheet import clean_header, read_sheet, xlsx_bytes
from runtime.system_settings import store as system_settings

COLUMNS = {
    "username": ("用户名", "账号", "username"),
    "display_name": ("姓名", "显示名", "display_name", "name"),
    "departments": ("部门", "所属部门", "departments"),
    "primary_department": ("主部门", "primary_department"),
    "mobile": ("手机", "手机号", "mobile"),
    "email": ("邮箱", "电子邮箱", "email"),
    "is_admin": ("是否管理员", "管理员", "is_admin"),
}
"""Each column the import reads and the headers it answers to (the first is the template's); others are ignored."""
LABELS = {name: names[0] for name, names in COLUMNS.items()}
_HEADERS = {alias.lower(): name for name, names in COLUMNS.items() for alias in names}
EXAMPLE = ["zhangsan", "张三", "销售部/华东区、市场部", "销售部/华东区", "13800138000", "zhangsan@example.com", "否"]
LIST_SPLIT = re.compile(r"[、,，;；\n]")
YES, NO = {"是", "y", "yes", "true", "1", "√", "管理员"}, {"否", "n", "no", "false", "0", "", "×"}


@dataclass
class Row:
    """One data row: what it asks for, and what it does to the directory."""

    number: int
    username: str
    status: str = "failed"  # new, updated, unchanged or failed
    changes: dict[str, Any] = field(default_factory=dict)
    problems: list[Issue] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"row": self.number, "username": self.username, "status": self.status, "changes": self.changes,
                "problems": [{"column": p.path.split(".", 1)[1], "message": p.message, "message_en": p.message_en}
                             for p in self.problems]}


@dataclass
class Plan:
    """What an import would do; `apply` writes it."""

    rows: list[Row]
    new_departments: list[dict[str, Any]]  # {"key", "name", "parent", "path"}, parents first

    @property
    def problems(self) -> list[Issue]:
        return [p for r in self.rows for p in r.problems]

    def counts(self) -> dict[str, int]:
        found = {"new": 0, "updated": 0, "unchanged": 0, "failed": 0}
        for r in self.rows:
            found[r.status] += 1
        return found | {"new_departments": len(self.new_departments)}

    def as_json(self) -> dict[str, Any]:
        return {"counts": self.counts(), "rows": [r.as_json() for r in self.rows],
                "new_departments": [d["path"] for d in self.new_departments]}


def template_bytes() -> bytes:
    """The import template: the header row and one example row."""
    return xlsx_bytes([LABELS["username"] + "*", *(LABELS[n] for n in list(COLUMNS)[1:])], [EXAMPLE], "用户")


FOLDED = frozenset({"username", "mobile", "email", "is_admin"})
"""Columns read with full-width characters folded (ｚｈａｎｇ → zhang); names keep theirs (李四（销售）)."""


def _text(name: str, value: Any) -> str:
    """A cell as text; a number Excel kept as a float (13800138000.0) without its decimals."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "" if value is None else str(value)
    return (unicodedata.normalize("NFKC", text) if name in FOLDED else text.replace("／", "/")).strip()


class Departments:
    """The department tree by path (names joined by /), with the departments the import adds."""

    def __init__(self, conn: Connection, create: bool) -> None:
        self.create = create
        self.children: dict[tuple[str | None, str], str] = {}
        self.paths: dict[str, str] = {}
        for d in conn.execute(select(departments.c.key, departments.c.name, departments.c.parent)):
            self.children.setdefault((d.parent, d.name), d.key)
            self.children.setdefault((d.parent, d.key), d.key)
        self.added: list[dict[str, Any]] = []

    def key_of(self, path: str) -> str | None:
        """The department at `path` (planned for creation when allowed), None when it does not exist."""
        parent: str | None = None
        names = [p.strip() for p in path.split("/") if p.strip()]
        for depth, name in enumerate(names):
            key = self.children.get((parent, name))
            if key is None:
                if not self.create:
                    return None
                so_far = "/".join(names[: depth + 1])
                key = "dept_" + hashlib.sha256(so_far.encode()).hexdigest()[:10]
                self.children[(parent, name)] = key
                self.added.append({"key": key, "name": name[:100], "parent": parent, "path": so_far})
            parent = key
        return parent


def _problem(number: int, column: str, zh: str, en: str) -> Issue:
    label = LABELS[column]
    return Issue(f"rows[{number}].{label}", "invalid_value", f"第 {number} 行「{label}」：{zh}",
                 f"row {number}, column {label}: {en}")


def _header(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        name = _HEADERS.get(clean_header(text).lower())
        if name is not None and name not in found:
            found[name] = index
    if "username" not in found:
        raise BadFile("文件缺少「用户名」列（请使用导入模板）", "the file has no 用户名 (username) column",
                      field="file", column="用户名")
    return found


def plan(conn: Connection, data: bytes, filename: str, limits: SheetLimits, *, create_departments: bool,
         importer: str | None = None) -> Plan:
    """Read the file and compare it with the directory; nothing is written. `importer`: the administrator
    importing, whose own row may not take their administrator right away (as the user editor refuses)."""
    sheet = read_sheet(data, filename, limits)
    columns = _header(sheet.header)
    tree = Departments(conn, create_departments)
    existing = {u.username: u for u in conn.execute(select(users))}
    memberships: dict[int, tuple[set[str], str | None]] = {}
    for m in conn.execute(select(department_members)):
        keys, primary = memberships.get(m.user_id, (set(), None))
        keys.add(m.department)
        memberships[m.user_id] = (keys, m.department if m.is_primary else primary)
    seen: dict[str, int] = {}
    rows: list[Row] = []
    for offset, cells in enumerate(sheet.rows):
        number = offset + sheet.first_row
        values = {name: _text(name, cells[i]) if i < len(cells) else "" for name, i in columns.items()}
        if not any(values.values()):
            continue  # a blank line
        row = Row(number, values["username"])
        rows.append(row)
        _check_row(row, values, tree, seen, existing, memberships)
        if row.username == importer and row.changes.get("is_admin") is False:
            row.problems.append(_problem(number, "is_admin", "不能取消自己的管理员身份",
                                         "you cannot remove your own administrator right"))
            row.status, row.changes = "failed", {}
    return Plan(rows, tree.added)


def _check_row(row: Row, values: dict[str, str], tree: Departments, seen: dict[str, int], existing: dict[str, Any],
               memberships: dict[int, tuple[set[str], str | None]]) -> None:
    n, wanted = row.number, {}
    bad = row.problems.append
    if not values["username"]:
        bad(_problem(n, "username", "必填", "required"))
    elif not re.fullmatch(USERNAME_RE, values["username"]):
        bad(_problem(n, "username", "只能包含字母、数字和 . _ -", "letters, digits and . _ - only"))
    elif values["username"] in seen:
        bad(_problem(n, "username", f"与第 {seen[values['username']]} 行重复",
                     f"the same as row {seen[values['username']]}"))
    else:
        seen[values["username"]] = n
    if values.get("display_name"):
        wanted["display_name"] = values["display_name"][:100]
    for name, clean in (("mobile", clean_mobile), ("email", clean_email)):
        if values.get(name):
            try:
                wanted[name] = clean(values[name])
            except BadQuery as e:
                bad(_problem(n, name, e.message, e.message_en or e.message))
    if values.get("is_admin"):
        answer = values["is_admin"].lower()
        if answer in YES or answer in NO:
            wanted["is_admin"] = answer in YES
        else:
            bad(_problem(n, "is_admin", "应为“是”或“否”", "yes or no"))
    keys = []
    for path in filter(None, (p.strip() for p in LIST_SPLIT.split(values.get("departments", "")))):
        key = tree.key_of(path)
        if key is None:
            bad(_problem(n, "departments", f"部门 {path} 不存在（可选择“创建缺少的部门”）",
                         f"no department {path!r} (choose to create missing departments)"))
        else:
            keys.append(key)
    if values.get("primary_department"):
        primary = tree.key_of(values["primary_department"])
        if primary is None or primary not in keys:
            bad(_problem(n, "primary_department", "主部门须是所填部门之一", "must be one of the departments"))
        else:
            wanted["primary_department"] = primary
    if keys:
        wanted["departments"] = list(dict.fromkeys(keys))
    if row.problems:
        return
    user = existing.get(row.username)
    if user is None:
        row.status, row.changes = "new", wanted
        return
    had, had_primary = memberships.get(user.id, (set(), None))
    changes = {k: v for k, v in wanted.items() if k not in ("departments", "primary_department") and getattr(user, k) != v}
    if "departments" in wanted:
        primary = wanted.get("primary_department", wanted["departments"][0])
        if set(wanted["departments"]) != had or primary != had_primary:
            changes |= {"departments": wanted["departments"], "primary_department": primary}
    row.status, row.changes = ("updated" if changes else "unchanged"), changes


def initial_password(username: str, min_length: int) -> str:
    """A random password that passes the policy (at least `min_length`, letters, digits and a dash)."""
    while True:
        candidate = f"{secrets.token_urlsafe(max(6, min_length))}-{secrets.randbelow(9000) + 1000}"
        if username.lower() not in candidate.lower():
            return candidate


def apply(conn: Connection, planned: Plan, now: datetime) -> dict[str, Any]:
    """Write a plan in the caller's transaction: ValidationFailed listing every problem (row and column) when it
    has any, before anything is written. Answers the counts and each new user's initial password."""
    if planned.problems:
        first = planned.problems[0]
        raise ValidationFailed(first.message, first.message_en, issues=planned.problems)
    for d in planned.new_departments:
        org.create_department(conn, d["key"], d["name"], now, parent=d["parent"])
    min_length = system_settings.current(conn).password_min_length
    passwords = []
    for row in planned.rows:
        changes = dict(row.changes)
        if row.status == "new":
            password = initial_password(row.username, min_length)
            create_user(conn, row.username, password, now, display_name=changes.pop("display_name", None),
                        is_admin=changes.pop("is_admin", False))
            conn.execute(update(users).where(users.c.username == row.username).values(must_change_password=True))
            passwords.append({"username": row.username, "password": password})
        if changes:
            accounts.update_user(conn, row.username, changes)
    return {"counts": planned.counts(), "passwords": passwords,
            "new_departments": [d["path"] for d in planned.new_departments]}


__all__ = ["COLUMNS", "Plan", "Row", "apply", "initial_password", "plan", "template_bytes"]
