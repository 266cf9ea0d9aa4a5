"""A user's admin page (issue 27) reads the roles they hold in every app with one query, however many apps there
are (it asked each app twice before), and still lists roles held directly and through a department."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import event

from tests.factories import Maker
from tests.permission_setup import setup_sales


def test_a_users_page_reads_the_roles_of_all_apps_in_one_query(make: Maker, client: TestClient) -> None:
    setup_sales(make)
    make.app_def()  # a second app, where li holds nothing
    r = client.post("/api/v1/users", json={"username": "li", "password": "pass-word-77", "departments": ["west"]},
                    headers=make.admin)
    assert r.status_code == 201, r.text
    client.put("/api/v1/apps/sales/roles/auditor/members", json={"users": [], "departments": ["west"]},
               headers=make.admin)
    client.put("/api/v1/apps/sales/roles/rep/members", json={"users": ["li"]}, headers=make.admin)
    assert client.post("/login", data={"username": "admin", "password": "password-123"},
                       follow_redirects=False).status_code == 303
    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "role_members" in statement or "role_departments" in statement:
            seen.append(statement)

    engine = make.app.state.db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get("/admin/users/li")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert page.status_code == 200, page.text
    roles = re.search(r'id="roles-title".*?</section>', page.text, re.S)
    assert roles and "auditor" in roles.group(0) and "rep" in roles.group(0)
    assert 'href="/apps/shop"' not in roles.group(0)
    # user_json lists the roles held directly (one query); the roles per app are the other one
    assert len(seen) == 2, seen
