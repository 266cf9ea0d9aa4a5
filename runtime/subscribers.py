"""Every subscriber to record writes and every extra read grant, listed once and in the order it runs.

What a write causes besides the record (search words, the audit entry, flow starts, withdrawing a deleted
record's flows, refusing changes to a record under approval) is switched on here and nowhere else: each
entry point that writes records — the app factory, the CLI, the worker — calls `install()`, so a program
gets all of them whatever modules it happens to import. The read grants widen what the permission gate
lets a user read (runtime.permissions.grants)."""

from __future__ import annotations

from runtime import audit
from runtime.flows import flow_triggers
from runtime.permissions import approvers, grants, shares
from runtime.permissions.grants import ReadGrant
from runtime.records import duplicates, events, merge, search
from runtime.records.events import Subscriber

BEFORE_WRITE: tuple[Subscriber, ...] = (
    flow_triggers.refuse_locked,  # a record under approval is read-only (423)
)
AFTER_WRITE: tuple[Subscriber, ...] = (
    search.keep_current,  # the record's search words
    duplicates.keep_current,  # the record's duplicate-check keys
    merge.undo_on_restore,  # a merged record restored from the bin takes back its references
    audit.record_written,  # record.create / update / delete / restore entries
    flow_triggers.start_triggered,  # flows triggered by create / update, date timers
    flow_triggers.cancel_on_delete,  # a deleted record's running flows are withdrawn
    flow_triggers.start_on_delete,  # then the flows a delete triggers start (after, so they are not withdrawn)
)
READ_GRANTS: tuple[ReadGrant, ...] = (
    approvers.task_assignees_read,  # an approver reads the record they decide
    shares.shared_with_me,  # 协作人: records shared with the user or their department
)


def install() -> None:
    """Register every subscriber and grant (idempotent)."""
    events.install(BEFORE_WRITE, AFTER_WRITE)
    grants.install(READ_GRANTS)


__all__ = ["AFTER_WRITE", "BEFORE_WRITE", "READ_GRANTS", "install"]
