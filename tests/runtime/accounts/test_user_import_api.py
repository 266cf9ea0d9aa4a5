"""通讯录导入 through the API (issue 27): a dry run that sorts rows into new / updated / unchanged / failed with the
problem per cell, departments created from paths, all rows or none, initial passwords shown once and changed at
first login, administrators only, audited."""

from __future__ import annotations

from typing import Any

from runtime.audit import AuditQuery, search
from runtime.io.spreadsheet import csv_bytes, read_sheet, xlsx_bytes
from tests.factories import Maker

URL = "/api/v1/user-imports"
HEADER = ["用户名*", "姓名", "部门", "主部门", "手机", "邮箱", "是否管理员"]


def _xlsx(*rows: list[Any]) -> dict[str, Any]:
    return {"file": ("users.xlsx", xlsx_bytes(HEADER, rows), "application/octet-stream")}


def _users(make: Maker) -> dict[str, Any]:
    items = make.client.get("/api/v1/users?limit=200", headers=make.admin).json()["items"]
    return {u["username"]: u for u in items}


def _department_paths(make: Maker) -> set[str]:
    items = make.client.get("/api/v1/departments", headers=make.admin).json()["items"]
    by_key = {d["key"]: d for d in items}

    def path(d: dict[str, Any]) -> str:
        return d["name"] if d["parent"] is None else path(by_key[d["parent"]]) + "/" + d["name"]

    return {path(d) for d in items}


def test_the_template_is_an_xlsx_with_the_columns_and_an_example(make: Maker) -> None:
    r = make.client.get(f"{URL}/template", headers=make.admin)
    assert r.status_code == 200, r.text
    sheet = read_sheet(r.content, "t.xlsx")
    assert sheet.header[:7] == ["用户名", *HEADER[1:]]  # the reader drops the required marker
    assert next(sheet.rows)[0] == "zhangsan"


def test_a_dry_run_sorts_rows_and_names_each_bad_cell_and_writes_nothing(make: Maker) -> None:
    c, admin = make.client, make.admin
    c.post("/api/v1/users", json={"username": "li", "password": "pass-word-1", "display_name": "李四"}, headers=admin)
    c.post("/api/v1/users", json={"username": "wu", "password": "pass-word-1", "display_name": "吴六"}, headers=admin)
    files = _xlsx(
        ["zhang", "张三", "销售部/华东区", "", "13800138000", "zhang@example.cn", "否"],
        ["li", "李四（改）", "", "", "", "", ""],
        ["wu", "吴六", "", "", "", "", ""],
        ["bad", "坏", "", "", "12345", "not-mail", "也许"],
        ["zhang", "重复", "", "", "", "", ""],
    )
    r = c.post(f"{URL}/preview", files=files, headers=admin)
    assert r.status_code == 200, r.text
    rows = r.json()["rows"]
    assert [(x["row"], x["status"]) for x in rows] == [
        (2, "failed"), (3, "updated"), (4, "unchanged"), (5, "failed"), (6, "failed")]
    assert [p["column"] for p in rows[0]["problems"]] == ["部门"]  # unknown department, creation not chosen
    assert [p["column"] for p in rows[3]["problems"]] == ["手机", "邮箱", "是否管理员"]
    assert "第 2 行" in rows[4]["problems"][0]["message"]  # the duplicate names the first row
    assert rows[1]["changes"] == {"display_name": "李四（改）"}
    r = c.post(f"{URL}/preview?create_departments=true", files=files, headers=admin)
    assert r.json()["new_departments"] == ["销售部", "销售部/华东区"]
    assert r.json()["rows"][0]["status"] == "new"
    assert set(_users(make)) == {"admin", "li", "wu"} and _department_paths(make) == set()


def test_an_import_with_one_bad_row_is_422_naming_row_and_column_and_writes_nothing(make: Maker) -> None:
    files = _xlsx(["zhang", "张三", "销售部", "", "13800138000", "", ""], ["qian", "钱七", "", "", "", "bad@", ""])
    r = make.client.post(f"{URL}?create_departments=true", files=files, headers=make.admin)
    assert r.status_code == 422, r.text
    assert "第 3 行" in r.text and "邮箱" in r.text
    assert set(_users(make)) == {"admin"} and _department_paths(make) == set()


def test_an_import_creates_users_and_departments_with_passwords_they_must_change(make: Maker) -> None:
    c, admin = make.client, make.admin
    c.post("/api/v1/departments", json={"key": "sales", "name": "销售部"}, headers=admin)
    files = _xlsx(
        ["zhang", "张三", "销售部/华东区、市场部", "销售部/华东区", 13800138000, "zhang@example.cn", "否"],
        ["boss", "老板", "销售部", "", "", "", "是"],
    )
    r = c.post(f"{URL}?create_departments=true", files=files, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["counts"] == {"new": 2, "updated": 0, "unchanged": 0, "failed": 0, "new_departments": 2}
    passwords = {p["username"]: p["password"] for p in r.json()["passwords"]}
    assert _department_paths(make) == {"销售部", "销售部/华东区", "市场部"}
    users = _users(make)
    assert users["zhang"]["mobile"] == "13800138000" and users["zhang"]["must_change_password"] is True
    assert len(users["zhang"]["departments"]) == 2 and users["boss"]["is_admin"] is True
    assert users["boss"]["departments"] == ["sales"]  # an existing department found by its name
    login = c.post("/api/v1/auth/login", json={"username": "zhang", "password": passwords["zhang"]})
    assert login.status_code == 200, login.text
    with make.app.state.db.read() as conn:
        entry = next(e for e in search(conn, AuditQuery(limit=50))[0] if e.action == "user.import")
    assert entry.detail["created"] == ["zhang", "boss"]
    assert passwords["zhang"] not in str(entry.detail)  # the log keeps no password
    again = c.post(f"{URL}?create_departments=true", files=files, headers=admin)
    assert again.json()["counts"]["unchanged"] == 2 and again.json()["passwords"] == []


def test_a_gbk_csv_is_read(make: Maker) -> None:
    data = csv_bytes(HEADER, [["wang", "王五", "", "", "", "", ""]])[3:].decode().encode("gbk")
    r = make.client.post(URL, files={"file": ("u.csv", data, "text/csv")}, headers=make.admin)
    assert r.status_code == 200, r.text
    assert _users(make)["wang"]["display_name"] == "王五"


def test_a_file_without_a_username_column_is_refused_naming_it(make: Maker) -> None:
    files = {"file": ("u.xlsx", xlsx_bytes(["姓名"], [["张三"]]), "application/octet-stream")}
    r = make.client.post(f"{URL}/preview", files=files, headers=make.admin)
    assert r.status_code == 400 and "用户名" in r.text


def test_only_administrators_import_users(make: Maker) -> None:
    rep = make.user("rep", admin=False)
    assert make.client.get(f"{URL}/template", headers=rep).status_code == 403
    assert make.client.post(f"{URL}/preview", files=_xlsx(["x", "", "", "", "", "", ""]), headers=rep).status_code == 403
    assert make.client.post(URL, files=_xlsx(["x", "", "", "", "", "", ""]), headers=rep).status_code == 403
    assert "x" not in _users(make)


def test_an_import_cannot_take_the_importers_own_administrator_right(make: Maker) -> None:
    """As the user editor refuses it: the file's row for the importing administrator may not say 否."""
    files = _xlsx(["admin", "管理员", "", "", "", "", "否"], ["zhao", "赵六", "", "", "", "", "否"])
    preview = make.client.post(f"{URL}/preview", files=files, headers=make.admin).json()
    rows = {r["username"]: r for r in preview["rows"]}
    assert rows["admin"]["status"] == "failed" and rows["admin"]["problems"][0]["column"] == "是否管理员"
    assert rows["zhao"]["status"] == "new"
    files = _xlsx(["admin", "管理员", "", "", "", "", "否"], ["zhao", "赵六", "", "", "", "", "否"])
    r = make.client.post(URL, files=files, headers=make.admin)
    assert r.status_code == 422 and "不能取消自己的管理员身份" in r.text
    assert _users(make)["admin"]["is_admin"] is True and "zhao" not in _users(make)
