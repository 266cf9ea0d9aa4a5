"""A dashboard subscription (订阅): who gets a snapshot of a dashboard, how often, when, and through which
channel — and when the next one is due. Pure: the moment and the time zone are passed in.

A user subscription may go to any channel; a role subscription goes to each member by e-mail or in-app
message, each with the figures they may see. A group robot (DingTalk, WeCom) posts to a whole group, so it
is subscribed for one user, whose view it posts."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from engine.model_words import Refusal

Frequency = Literal["daily", "weekly"]
Channel = Literal["email", "in_app", "dingtalk", "wecom"]
ROBOTS = ("dingtalk", "wecom")
_AT = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class SubscriptionSpec(BaseModel):
    """What a subscription asks for: `{"subscriber": "user", "name": "zhang.wei", "every": "weekly", "weekday": 1,
    "at": "08:30", "channel": "email"}` (weekday 1 = Monday … 7 = Sunday; `at` in the app's time zone)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    subscriber: Literal["user", "role"]
    name: str = Field(min_length=1, max_length=64)
    """The username, or the role key."""
    every: Frequency
    at: str = Field(pattern=_AT.pattern)
    """HH:MM, 24-hour."""
    weekday: int | None = Field(default=None, ge=1, le=7)
    channel: Channel = "email"
    webhook: str | None = Field(default=None, max_length=500)
    """A robot's address (the https:// one DingTalk or WeCom gives the group)."""
    secret: str | None = Field(default=None, max_length=200)
    """A DingTalk robot's 加签 secret."""
    filters: dict[str, str] = Field(default_factory=dict, max_length=20)
    """Dashboard filter values the snapshot is taken with (the dashboard's own filters only)."""

    @model_validator(mode="after")
    def _consistent(self) -> SubscriptionSpec:
        if (self.every == "weekly") != (self.weekday is not None):
            raise Refusal("每周订阅要填 weekday，其他订阅不填", "weekday is given for a weekly subscription, and only then")
        if self.channel in ROBOTS:
            if self.subscriber == "role":
                raise Refusal("群机器人只发一份视图：请订阅给一个用户，而不是角色",
                              "a group robot posts one view: subscribe a user to it, not a role")
            if not (self.webhook or "").startswith(("https://", "http://")):
                raise Refusal(f"{self.channel} 机器人需要 webhook 地址（https://…）",
                              f"a {self.channel} robot needs its webhook address (https://…)")
        elif self.webhook is not None or self.secret is not None:
            raise Refusal("webhook 和 secret 只用于机器人渠道", "webhook and secret belong to robot channels")
        return self


class SubscriptionChange(BaseModel):
    """A change to a subscription (`PATCH`): only the fields given, checked against the rest as a whole."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    subscriber: Literal["user", "role"] | None = None
    name: str | None = Field(default=None, min_length=1, max_length=64)
    every: Frequency | None = None
    at: str | None = Field(default=None, pattern=_AT.pattern)
    weekday: int | None = Field(default=None, ge=1, le=7)
    channel: Channel | None = None
    webhook: str | None = Field(default=None, max_length=500)
    secret: str | None = Field(default=None, max_length=200)
    filters: dict[str, str] | None = Field(default=None, max_length=20)


def changed(spec: SubscriptionSpec, change: SubscriptionChange) -> dict[str, Any]:
    """The spec with the change applied, as data to validate as a whole (`SubscriptionSpec.model_validate`).
    What no longer applies goes: a weekday when it becomes daily, the robot's address and secret when it
    leaves the robots; a robot's secret stays while its address does (it is never shown, so not sent back)."""
    given = change.model_dump(exclude_unset=True)
    merged = {**spec.model_dump(exclude_none=True), **given}
    if merged.get("every") == "daily" and "weekday" not in given:
        merged.pop("weekday", None)
    if merged.get("channel") not in ROBOTS:
        for key in ("webhook", "secret"):
            if key not in given:
                merged.pop(key, None)
    elif "webhook" in given and given["webhook"] != spec.webhook and "secret" not in given:
        merged.pop("secret", None)  # another robot: the old one's secret is not its
    return {k: v for k, v in merged.items() if v is not None}


def next_run(spec: SubscriptionSpec, after: datetime, tz: ZoneInfo) -> datetime:
    """The first moment strictly after `after` at the spec's time (and weekday), in `tz`, as an aware datetime."""
    hour, minute = (int(p) for p in spec.at.split(":"))
    local = after.astimezone(tz)
    day = local.date()
    for offset in range(8):
        candidate = datetime.combine(day + timedelta(days=offset), time(hour, minute), tz)
        if candidate > after and (spec.weekday is None or candidate.isoweekday() == spec.weekday):
            return candidate
    raise AssertionError("a weekday comes round within eight days")


__all__ = ["SubscriptionSpec", "SubscriptionChange", "changed", "next_run", "Frequency", "Channel", "ROBOTS"]
