"""Request and response shapes of flows, tasks, messages and jobs."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Row

from engine.flows.state import Entry, FlowInstanceState
from engine.flows.trial import Trial
from engine.forms.fields.relation import MAX_ID


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


Username = Annotated[str, Field(min_length=1, max_length=64)]


class StartIn(_In):
    record_id: int
    chosen: Annotated[dict[Annotated[str, Field(max_length=200)], Annotated[list[Username], Field(max_length=50)]],
                      Field(max_length=50)] | None = None
    """发起人自选: step key (or path) -> the usernames the submitter picks for it (docs/flows.md)."""


class TrialIn(_In):
    record_id: int
    definition: dict[str, Any] | None = None
    """The flow as the designer holds it (unsaved); absent: the draft's."""


class InsertStepIn(_In):
    at: str = Field(max_length=500)
    step: dict[str, Any]


class MoveStepIn(_In):
    path: str = Field(max_length=500)
    to: str = Field(max_length=500)


class InsertBranchIn(_In):
    path: str = Field(max_length=500)
    branch: dict[str, Any] = Field(default_factory=dict)
    position: int | None = None


class MoveBranchIn(_In):
    path: str = Field(max_length=500)
    branch: int = Field(ge=0)
    to: int = Field(ge=0)
    to_path: str | None = Field(default=None, max_length=500)


class CopyFlowIn(_In):
    key: str = Field(min_length=1, max_length=64)
    name: str | None = Field(default=None, max_length=200)


class CommentIn(_In):
    comment: str | None = Field(default=None, max_length=2000)


class TransferIn(CommentIn):
    to: str = Field(min_length=1, max_length=64)


class BatchApproveIn(CommentIn):
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(min_length=1, max_length=100)


class AddApproversIn(CommentIn):
    users: list[str] = Field(min_length=1, max_length=20)
    position: Literal["before", "after"] = "after"
    """后加签 (`after`, the default: they decide after me) or 前加签 (`before`: they decide first, then my
    task comes back to me)."""


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def task_json(row: Row[Any], actions: list[str] | None = None) -> dict[str, Any]:
    """A task; with `actions`, the routes its assignee may POST to now (UIs show only those buttons)."""
    body = {"id": row.id, "instance_id": row.instance_id, "app": row.app, "form": row.form, "record_id": row.record_id,
            "step": row.step, "step_name": row.step_name, "kind": row.kind, "assignee": row.assignee,
            "status": row.status, "comment": row.comment, "created_at": _moment(row.created_at),
            "due_at": _moment(row.due_at), "decided_at": _moment(row.decided_at), "decided_by": row.decided_by}
    if actions is not None:
        body["actions"] = actions
    return body


def timeline_json(entries: list[Entry], lang: str = "zh") -> list[dict[str, Any]]:
    return [{"at": e.at.isoformat(), "kind": e.kind, "actor": e.actor, "step": e.step, "step_name": e.step_name,
             "message": e.message_en if lang == "en" and e.message_en else e.message, "comment": e.comment,
             **({"detail": e.detail} if e.detail else {})} for e in entries]


def cc_json(row: Row[Any], entry: Entry, sent: dict[str, str] | None, lang: str = "zh") -> dict[str, Any]:
    """A row of 抄送我: the instance, the cc step's run-log entry and the message it sent the reader."""
    return {"instance_id": row.id, "app": row.app, "flow": row.flow, "form": row.form, "record_id": row.record_id,
            "status": row.status, "submitter": row.submitter, **timeline_json([entry], lang)[0], "sent": sent}


def instance_json(row: Row[Any], tasks: list[Row[Any]] | None = None, *, lang: str = "zh") -> dict[str, Any]:
    state = FlowInstanceState.model_validate(row.state)
    timeline = timeline_json(state.timeline, lang)
    body = {"id": row.id, "app": row.app, "flow": row.flow, "form": row.form, "record_id": row.record_id,
            "status": row.status, "submitter": row.submitter, "def_version": row.def_version,
            "locks_record": row.locks_record, "created_at": _moment(row.created_at),
            "updated_at": _moment(row.updated_at), "ended_at": _moment(row.ended_at),
            "waiting": list(state.waiting), "timeline": timeline}
    if tasks is not None:
        body["tasks"] = [task_json(t) for t in tasks]
    return body


def _effect_json(effect: Any) -> dict[str, Any]:
    body = {k: ("***" if k == "secret" and v else _moment(v) if isinstance(v, datetime) else v)
            for k, v in dataclasses.asdict(effect).items()}
    return {"effect": type(effect).__name__, **body}


def trial_json(result: Trial, lang: str = "zh", *, values: bool = True) -> dict[str, Any]:
    """A trial run: how it ended, its timeline, who each approval step asked, what its actions would do.
    Without `values` (a reader who does not see every field in full) the effects and the timeline's
    details name no value: the actions' values and messages may be computed from any field."""
    timeline = timeline_json(result.timeline, lang)
    if not values:
        timeline = [{k: v for k, v in entry.items() if k != "detail"} for entry in timeline]
    return {"status": result.status, "timeline": timeline, "asked": result.asked,
            "effects": [_effect_json(e) if values else {"effect": type(e).__name__} for e in result.effects]}


def message_json(row: Row[Any]) -> dict[str, Any]:
    return {"id": row.id, "title": row.title, "body": row.body, "app": row.app, "record_id": row.record_id,
            "form": getattr(row, "form", None), "instance_id": row.instance_id, "created_at": _moment(row.created_at),
            "read_at": _moment(row.read_at)}


def job_json(row: Row[Any]) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "key": row.key, "status": row.status, "run_at": _moment(row.run_at),
            "attempts": row.attempts, "max_attempts": row.max_attempts, "last_error": row.last_error,
            "payload": {k: ("***" if k == "secret" and v else v) for k, v in row.payload.items()},
            "created_at": _moment(row.created_at), "updated_at": _moment(row.updated_at)}


def delivery_json(row: Row[Any]) -> dict[str, Any]:
    return {"id": row.id, "job_id": row.job_id, "channel": row.channel, "target": row.target, "attempt": row.attempt,
            "ok": row.ok, "status_code": row.status_code, "error": row.error, "response": row.response,
            "at": _moment(row.at)}
