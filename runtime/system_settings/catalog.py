"""Which settings the web UI may change, in which section, which are secrets, and how a value is checked.

Each is an attribute of runtime.settings.Settings: the environment gives its default, the database overrides it."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import TypeAdapter, ValidationError

from engine.errors import BadQuery
from engine.flows.calendar import BusinessCalendar
from runtime.settings import Settings

SECTIONS: dict[str, tuple[str, ...]] = {
    "email": ("smtp_host", "smtp_port", "smtp_user", "smtp_password", "smtp_from", "smtp_starttls", "email_domain"),
    "robots": ("dingtalk_webhook", "dingtalk_secret", "wecom_webhook"),
    "apps": ("dingtalk_api_base", "dingtalk_app_key", "dingtalk_app_secret", "wecom_api_base", "wecom_corp_id",
             "wecom_agent_id", "wecom_secret"),
    "working_time": ("timezone", "work_hours"),
    "holidays": ("holidays", "workdays"),
    "brand": ("brand_name", "brand_logo"),
    "login": ("password_min_length", "login_free_failures", "login_lock_after", "login_lock_minutes"),
    "retention": ("export_retention_hours", "import_retention_hours"),
    "outbound": ("outbound_allow",),
}
SECRETS = frozenset({"smtp_password", "dingtalk_webhook", "dingtalk_secret", "wecom_webhook", "dingtalk_app_secret",
                     "wecom_secret"})
"""Write-only: stored encrypted, answered only as set / not set, never written to the audit log."""
NAMES = tuple(name for names in SECTIONS.values() for name in names)
MAX_DATES = 2000  # some twenty years of 节假日 and 调休
_BOUNDS = {"smtp_port": (1, 65535)}
HOURS = frozenset({"export_retention_hours", "import_retention_hours"})
"""How long files are kept (runtime/io/retention.py): more than 0 hours, at most MAX_RETENTION_HOURS."""
MAX_RETENTION_HOURS = 8784  # a year: a file kept longer is an archive, which the file store is not


def _adapter(name: str) -> TypeAdapter[Any]:
    field = Settings.model_fields[name]
    return TypeAdapter(Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation)


_ADAPTERS = {name: _adapter(name) for name in NAMES}


def _bad(name: str, zh: str, en: str) -> BadQuery:
    return BadQuery(f"设置 {name}：{zh}", f"setting {name}: {en}", field=name)


def _hours(name: str) -> BadQuery:
    return _bad(name, f"应为大于 0、不超过 {MAX_RETENTION_HOURS} 的小时数", f"hours, more than 0 and at most {MAX_RETENTION_HOURS}")


def check(name: str, value: Any) -> Any:
    """The value as the setting holds it (JSON-ready); BadQuery naming the setting when it is unknown or bad."""
    if name not in _ADAPTERS:
        raise _bad(name, "没有这个设置", "there is no such setting")
    try:
        if name in HOURS and isinstance(value, bool):
            raise _hours(name)
        typed = _ADAPTERS[name].validate_python(value, strict=False)
    except ValidationError as e:
        if name in HOURS:
            raise _hours(name) from None
        raise _bad(name, f"值不对（{e.errors()[0]['msg']}）", e.errors()[0]["msg"]) from None
    if typed is None:  # an optional setting left unset (the environment's default)
        return None
    if name in _BOUNDS and not _BOUNDS[name][0] <= typed <= _BOUNDS[name][1]:
        raise _bad(name, f"应在 {_BOUNDS[name][0]} 到 {_BOUNDS[name][1]} 之间", "out of range")
    if name == "work_hours":
        try:
            BusinessCalendar(hours=typed)
        except ValidationError:
            raise _bad(name, "应为两个时刻 HH:MM，开始早于结束", "two HH:MM times, the start before the end") from None
    if name.endswith("_webhook") and not str(typed).startswith(("https://", "http://")):
        raise _bad(name, "应为机器人的 Webhook 地址（https://…）", "the robot's webhook URL (https://…)")
    if name.endswith("_api_base") and not str(typed).startswith(("https://", "http://")):
        raise _bad(name, "应为接口地址（https://…）", "the API's address (https://…)")
    if name == "brand_logo":
        logo(typed)
    if name in ("holidays", "workdays"):
        typed = sorted(set(typed))
        if len(typed) > MAX_DATES:
            raise _bad(name, f"最多 {MAX_DATES} 个日期", f"at most {MAX_DATES} dates")
    if name == "timezone":
        try:
            ZoneInfo(typed)
        except (ZoneInfoNotFoundError, ValueError):
            raise _bad(name, "未知时区", "unknown time zone") from None
    return _ADAPTERS[name].dump_python(typed, mode="json")


LOGO_BYTES = 256 * 1024
_IMAGES = {
    "image/png": (b"\x89PNG",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
"""The logo's formats and how each file starts (SVG is left out: it can carry scripts)."""


def logo(data_url: str) -> tuple[str, bytes]:
    """A logo's media type and bytes from its data URL; BadQuery naming brand_logo when it is not one we take."""
    head, _, body = data_url.partition(",")
    media = head.removeprefix("data:").removesuffix(";base64")
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if not head.startswith("data:") or not head.endswith(";base64") or media not in _IMAGES:
        raise _bad("brand_logo", "应为 PNG、JPEG、GIF 或 WebP 图片", "a PNG, JPEG, GIF or WebP image")
    if len(raw) > LOGO_BYTES:
        raise _bad("brand_logo", "图片不能超过 256 KB", "the image may be at most 256 KB")
    if not raw.startswith(_IMAGES[media]):
        raise _bad("brand_logo", f"文件内容不是 {media} 图片", f"the file is not a {media} image")
    return media, raw


def typed(name: str, stored: Any) -> Any:
    """A stored (JSON) value as the Settings attribute holds it (dates as dates)."""
    return _ADAPTERS[name].validate_python(stored)


def calendar(settings: Settings) -> BusinessCalendar:
    """The site's working calendar: working hours, 法定节假日 and 调休 workdays."""
    return BusinessCalendar(holidays=settings.holidays, workdays=settings.workdays, hours=settings.work_hours)


__all__ = ["HOURS", "MAX_RETENTION_HOURS", "NAMES", "SECRETS", "SECTIONS", "calendar", "check", "logo", "typed"]
