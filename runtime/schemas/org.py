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
    """Any of these: `{"parent": null}` makes it top-level, `{"head": null}` clears the head,
    `{"active": false}` deactivates it (once its sub-departments are)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)
    parent: str | None = None
    head: str | None = None
    active: bool | None = None


class UserIn(BaseModel):
    """`{"username", "password", "display_name", "departments": [keys], "primary_department"}`."""

    model_config = ConfigDict(extra="forbid")
    username: str
    password: str
    display_name: str | None = None
    departments: list[str] = Field(default_factory=list)
    primary_department: str | None = None
    is_admin: bool = False
    mobile: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    must_change_password: bool = False


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
    mobile: str | None = Field(None, max_length=40)  # "" or null clears it
    email: str | None = Field(None, max_length=254)
    must_change_password: bool | None = None


class PasswordReset(BaseModel):
    """`{}` for a new random password (in the answer, once), or `{"password": "…"}`; `must_change` (default
    true) makes the user choose their own at their next login."""

    model_config = ConfigDict(extra="forbid")
    password: str | None = None
    must_change: bool = True


class PasswordChange(BaseModel):
    """A user's own change: the current password and the new one."""

    model_config = ConfigDict(extra="forbid")
    current: str
    new: str


class RoleMembersIn(BaseModel):
    """`{"users": [usernames], "departments": [keys], "with_subdepartments": [keys]}`; leaving `departments`
    out keeps those set; the departments also in `with_subdepartments` count their sub-departments."""

    model_config = ConfigDict(extra="forbid")
    users: list[str] = Field(max_length=10000)
    departments: list[str] | None = Field(default=None, max_length=10000)
    with_subdepartments: list[str] = Field(default=[], max_length=10000)  # of `departments`: 含下级部门


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
