"""The registry of action types (`"type": "action"`, told apart by `"action"`). Built-ins are listed
here, explicitly; one module per action. Adding one = a module with its class, a line here, a test."""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field

from engine.flows.actions.assign import AssignAction, AssignRule
from engine.flows.actions.base import ActionStep
from engine.flows.actions.create_record import CreateRecordAction
from engine.flows.actions.delete_record import DeleteRecordAction
from engine.flows.actions.http_request import HttpRequestAction
from engine.flows.actions.notify import NotifyAction
from engine.flows.actions.task import TaskAction, TaskSpec
from engine.flows.actions.update_record import UpdateRecordAction
from engine.flows.actions.webhook import WebhookAction
from engine.registry import Registry

action_types: Registry[type[ActionStep]] = Registry("flow action")

BUILT_INS: tuple[type[ActionStep], ...] = (
    UpdateRecordAction,
    CreateRecordAction,
    DeleteRecordAction,
    WebhookAction,
    HttpRequestAction,
    NotifyAction,
    AssignAction,
    TaskAction,
)
for _cls in BUILT_INS:
    action_types.register(_cls.action_name(), _cls)


def any_action_annotation() -> Any:
    """The discriminated union of every registered action."""
    return Annotated[Union[tuple(action_types.all())], Field(discriminator="action")]  # noqa: UP007


__all__ = ["ActionStep", "action_types", "any_action_annotation", "BUILT_INS", "AssignAction", "AssignRule",
           "CreateRecordAction", "DeleteRecordAction", "HttpRequestAction", "NotifyAction", "TaskAction", "TaskSpec", "UpdateRecordAction", "WebhookAction"]
