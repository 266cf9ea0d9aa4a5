"""An app definition under another key (a copy: `crm` imported as `crm2`): every reference to the app's key
rewritten — the key itself, an `app` entry anywhere inside (a cross-app reference to itself), and links
into the app (`/apps/crm/…`) in texts such as print templates and notices."""

from __future__ import annotations

from typing import Any


def rekey(data: dict[str, Any], new: str) -> dict[str, Any]:
    """The definition data with its key, and every reference to it, changed to `new`."""
    old = str(data.get("key"))
    if old == new:
        return data
    renamed = _rewrite(data, old, new)
    renamed["key"] = new
    return dict(renamed)


def _rewrite(value: Any, old: str, new: str) -> Any:
    if isinstance(value, dict):
        return {k: (new if k == "app" and v == old else _rewrite(v, old, new)) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(v, old, new) for v in value]
    if isinstance(value, str) and f"/apps/{old}/" in value:
        return value.replace(f"/apps/{old}/", f"/apps/{new}/")
    return value


__all__ = ["rekey"]
