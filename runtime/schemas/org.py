"""Request shapes of the organisation, token and audit APIs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DepartmentIn(BaseModel):
    """`{"key", "name", "parent", "head"}` — parent and head (a username) are optional."""

    model_config = ConfigDict(extra="forbid")
    key: str
    name: str = Field(min_length=1, max_length=200)
    parent: str | None = None
    head: str | None = None


class DepartmentPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)
    parent: str | None = None
    head: str | None = None


class UserIn(BaseModel):
    """`{"username", "password", "display_name", "departments": [keys], "primary_department"}`."""

    model_config = ConfigDict(extra="forbid")
    username: str
    password: str
    display_name: str | None = None
    departments: list[str] = Field(default_factory=list)
    primary_department: str | None = None
    is_admin: bool = False


class UserPatch(BaseModel):
    """Any of these; `{"active": false, "handover_to": "other"}` deactivates and hands the records over."""

    model_config = ConfigDict(extra="forbid")
    display_name: str | None = None
    password: str | None = None
    active: bool | None = None
    is_admin: bool | None = None
    departments: list[str] | None = None
    primary_department: str | None = None
    handover_to: str | None = None


class RoleMembersIn(BaseModel):
    """`{"users": [usernames], "departments": [keys]}`; leaving `departments` out keeps those set."""

    model_config = ConfigDict(extra="forbid")
    users: list[str] = Field(max_length=10000)
    departments: list[str] | None = Field(default=None, max_length=10000)


class TokenIn(BaseModel):
    """`{"name", "apps", "scope": "read"|"write", "expires_in_days"}`."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    apps: list[str] = Field(min_length=1)
    scope: str = "read"
    expires_in_days: int = 90


class CopyRoleIn(BaseModel):
    """`{"key": new role key, "name": its name}` (the name defaults to the original's with （副本））."""

    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1, max_length=63)
    name: str | None = Field(default=None, max_length=200)


class HandoverIn(BaseModel):
    """`{"to": username}`: who receives the leaving user's records, tasks and flows."""

    model_config = ConfigDict(extra="forbid")
    to: str = Field(min_length=1, max_length=64)


class ViewAsIn(BaseModel):
    """`{"user": username}`: whom an administrator views the web UI as (read-only)."""

    model_config = ConfigDict(extra="forbid")
    user: str = Field(min_length=1, max_length=64)
