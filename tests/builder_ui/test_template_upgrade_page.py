"""The 升级模板 page: linked from the app page for its managers, naming the template version installed
from, in Chinese first and in English; export links for administrators; nobody else gets it."""

from __future__ import annotations

import copy

from fastapi.testclient import TestClient

from builder_ui import i18n
from tests.factories import Maker
from tests.template_versions import V1


def _login(client: TestClient, username: str) -> None:
    r = client.post("/login", data={"username": username, "password": "password-123"}, follow_redirects=False)
    assert r.status_code == 303, r.text


def test_the_page_names_the_template_and_offers_upload_export_and_copy(make: Maker) -> None:
    make.app_def(copy.deepcopy(V1))
    _login(make.client, "admin")
    assert 'href="/apps/crm/builder/upgrade"' in make.client.get("/apps/crm").text
    r = make.client.get("/apps/crm/builder/upgrade")
    assert r.status_code == 200
    assert "安装自模板 crm 1.0.0" in r.text and 'id="upgrade-file"' in r.text
    assert 'href="/api/v1/apps/crm/export?records=true"' in r.text and 'id="copy-form"' in r.text
    english = make.client.get("/apps/crm/builder/upgrade", params={"lang": "en"})
    assert "installed from template crm 1.0.0" in english.text and "Upgrade template" in english.text


def test_users_who_do_not_manage_the_app_do_not_get_the_page(make: Maker) -> None:
    make.app_def(copy.deepcopy(V1))
    make.user("clerk", admin=False)
    _login(make.client, "clerk")
    assert make.client.get("/apps/crm/builder/upgrade").status_code in (403, 404)


def test_every_word_of_the_page_is_in_both_languages() -> None:
    words = [k for k in i18n.ZH if k.startswith("up_")]
    assert len(words) >= 20 and all(k in i18n.EN for k in words)
