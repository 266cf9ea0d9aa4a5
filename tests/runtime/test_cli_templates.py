"""`tangram app validate / import` and `demo-data --template` with the add-on templates (进销存, 项目管理)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runtime.cli import CRM_TEMPLATE, main

INVENTORY = CRM_TEMPLATE.parent / "inventory_template.json"


def test_validate_checks_an_addon_merged_into_its_app_and_names_paths_in_the_addon(tmp_path: Path, capsys: Any,
                                                                                  monkeypatch: Any) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert main(["app", "validate", str(INVENTORY)]) == 0
    assert main(["app", "validate", "projects"]) == 0  # a bundled template by key
    broken = json.loads(INVENTORY.read_text("utf-8"))
    broken["forms"][2]["fields"][1]["target"] = "prodcut"
    broken["extend"][0]["fields"].append({"key": "sku", "type": "text", "label": "编码"})
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken, ensure_ascii=False), "utf-8")
    capsys.readouterr()
    assert main(["app", "validate", str(path)]) == 1
    assert "extend[0].fields[4].key: form 'product' has a field 'sku' already" in capsys.readouterr().err
    broken["extend"][0]["fields"].pop()
    path.write_text(json.dumps(broken, ensure_ascii=False), "utf-8")
    assert main(["app", "validate", str(path)]) == 1
    assert "forms[2].fields[1].target: relation target 'prodcut'" in capsys.readouterr().err


def test_import_installs_an_addon_once_into_its_app_and_loads_its_demo(tmp_path: Path, capsys: Any,
                                                                      monkeypatch: Any) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    db = f"sqlite:///{tmp_path}/cli.db"
    main(["db", "upgrade", "--db", db])
    assert main(["app", "import", "inventory", "--db", db]) == 1
    assert "no app 'crm'" in capsys.readouterr().err
    assert main(["app", "import", str(CRM_TEMPLATE), "--db", db]) == 0
    assert main(["app", "import", "inventory", "--db", db]) == 0
    assert "installed inventory (进销存) into crm as version 2: 17 forms" in capsys.readouterr().out
    assert main(["app", "import", str(INVENTORY), "--db", db]) == 1
    assert "is installed in app 'crm' already" in capsys.readouterr().err
    assert main(["demo-data", "--template", "inventory", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "warehouse: 2" in out and "purchase_order: " in out and "stock_move: " in out


def test_demo_data_naming_an_undeclared_record_names_its_path_and_writes_nothing(tmp_path: Path, capsys: Any,
                                                                                monkeypatch: Any) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    db = f"sqlite:///{tmp_path}/cli.db"
    main(["db", "upgrade", "--db", db])
    main(["app", "import", str(CRM_TEMPLATE), "--db", db])
    main(["app", "import", "inventory", "--db", db])
    template = json.loads(INVENTORY.read_text("utf-8"))
    template["demo"]["records"] = [{"form": "warehouse", "ref": "wh", "values": {"name": "苏州总仓"}},
                                   {"form": "stock_move", "values": {"kind": "入库", "product": {"ref": "nope"},
                                                                     "warehouse": {"ref": "wh"}, "qty": 1}}]
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(template, ensure_ascii=False), "utf-8")
    capsys.readouterr()
    assert main(["demo-data", "--template", str(path), "--db", db]) == 1
    assert "demo.records[1].values.product: no earlier demo record 'nope'" in capsys.readouterr().err
    assert main(["records", "export", "crm", "warehouse", "--db", db]) == 0  # the warehouse was not kept either
    assert "苏州总仓" not in capsys.readouterr().out
