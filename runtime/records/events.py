"""Record lifecycle events: subscribers run inside the write's transaction, as Frappe's doc_events do.

`before_write` subscribers may refuse a change by raising an EngineError (a flow locks a record under
approval); `after_write` subscribers add their own rows in the same transaction (flow instances, outbox
jobs, audit entries), so the record change and everything it causes commit together or not at all."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection

from runtime.records.context import Change, FormRef

Action = Literal["create", "update", "delete", "restore"]


@dataclass(frozen=True)
class RecordEvent:
    """One write to records of one form: `before`/`after` are the records' data ({} where there was none)."""

    action: Action
    ref: FormRef
    ids: list[int]
    before: list[dict[str, Any]]
    after: list[dict[str, Any]]
    change: Change
    # An import's publish (storage.staging): the records' search documents were written as they were
    # staged and their audit entries by the publish itself; subscribers that write those skip it.
    imported: bool = False
    # The versions an update wrote, one per record (its audit entry refers to it rather than copy the values).
    versions: list[int] | None = None

    @property
    def changed_fields(self) -> set[str]:
        return {k for b, a in zip(self.before, self.after, strict=True) for k in b.keys() | a.keys()
                if b.get(k) != a.get(k)}


Subscriber = Callable[[Connection, RecordEvent], None]

_before: list[Subscriber] = []
_after: list[Subscriber] = []


def before_write(subscriber: Subscriber) -> Subscriber:
    """Register a check run before a record is updated, deleted or restored (decorator)."""
    _before.append(subscriber)
    return subscriber


def after_write(subscriber: Subscriber) -> Subscriber:
    """Register a subscriber run after records are written, in the same transaction (decorator)."""
    _after.append(subscriber)
    return subscriber


def check(conn: Connection, event: RecordEvent) -> None:
    for subscriber in list(_before):
        subscriber(conn, event)


def publish(conn: Connection, event: RecordEvent) -> None:
    for subscriber in list(_after):
        subscriber(conn, event)


def install(before: Sequence[Subscriber], after: Sequence[Subscriber]) -> None:
    """Add the given subscribers that are not registered yet, in order (installing twice changes nothing)."""
    for wanted, registered in ((before, _before), (after, _after)):
        registered.extend(s for s in wanted if s not in registered)


def registered() -> tuple[list[Subscriber], list[Subscriber]]:
    """The before- and after-write subscribers in the order they run."""
    return list(_before), list(_after)


def unsubscribe(subscriber: Subscriber) -> None:
    """Remove a subscriber (tests that register their own restore the lists with this)."""
    for subscribers in (_before, _after):
        while subscriber in subscribers:
            subscribers.remove(subscriber)


__all__ = ["RecordEvent", "Subscriber", "before_write", "after_write", "check", "install", "publish", "registered", "unsubscribe"]
