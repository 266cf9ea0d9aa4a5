"""A client generated from an app's OpenAPI document (issue 29): openapi-python-client, run in the test, writes
a typed Python package from the CRM's document; that package creates, reads, lists and updates records of a
live server on loopback, and reads an error as the document describes it."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests import live
from tests.factories import Maker
from tests.runtime.api.test_app_openapi import CRM, document

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


def generate(doc: dict[str, Any], where: Path) -> Any:
    """The generated package `crm_client`, imported (the generator must not warn: a warning means it left
    an operation or a model out)."""
    (where / "crm.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    (where / "config.json").write_text(json.dumps({"post_hooks": []}))  # no formatter run over the package
    done = subprocess.run([str(GENERATOR), "generate", "--path", str(where / "crm.json"), "--meta", "none",
                           "--config", str(where / "config.json"), "--output-path", str(where / "crm_client")],
                          cwd=where, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(where))
    try:
        return importlib.import_module("crm_client")
    finally:
        sys.path.remove(str(where))


def test_a_generated_client_creates_lists_and_updates_records(make: Maker, tmp_path: Path) -> None:
    make.app_def(CRM)
    client_package = generate(document(make, "crm"), tmp_path)
    customers = importlib.import_module("crm_client.api.客户")
    create, get, list_, update = (importlib.import_module(f"{customers.__name__}.customer_{op}")
                                  for op in ("create", "get", "list", "update"))
    models = importlib.import_module("crm_client.models")
    token = make.admin["Authorization"].removeprefix("Bearer ")

    with live.serve(make.app) as url, client_package.AuthenticatedClient(base_url=url, token=token) as api:
        body = create.CustomerCreateBody.from_dict({"data": {"name": "苏州恒瑞精密机械有限公司", "level": "A",
                                                             "industry": ["制造业", "汽车零配件"]}})
        made = create.sync_detailed(client=api, body=body)
        assert made.status_code == 201, made.content
        record = made.parsed
        assert record.data.name == "苏州恒瑞精密机械有限公司" and [i.value for i in record.data.industry] == ["制造业", "汽车零配件"]

        again = get.sync(client=api, record_id=record.id)
        assert again.id == record.id and again.data.level.value == "A"

        listed = list_.sync(client=api, count=True)
        assert listed.total == 1 and [item.id for item in listed.items] == [record.id]

        patch = update.CustomerUpdateBody.from_dict({"data": {"level": "B"}})
        changed = update.sync(client=api, record_id=record.id, body=patch, if_match=str(record.version))
        assert changed.data.level.value == "B" and changed.version == record.version + 1

        refused = create.sync_detailed(client=api, body=create.CustomerCreateBody.from_dict({"data": {"name": "长" * 1001}}))
        assert refused.status_code == 422
        error = models.Error.from_dict(json.loads(refused.content))
        assert error.error.code == "validation_error" and [d.path for d in error.error.details] == ["name"]
