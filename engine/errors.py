"""The error tree of Tangram. Each class has a stable `code`; the runtime maps them to HTTP once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Issue:
    """One problem found at a path: `forms[2].fields[5].options`, or a field key in a record.

    `message` is Chinese (the product's first language), `message_en` its English twin."""

    path: str
    code: str
    message: str
    message_en: str | None = None

    def as_dict(self, lang: str = "zh") -> dict[str, str]:
        message = self.message_en if lang == "en" and self.message_en else self.message
        return {"path": self.path, "code": self.code, "message": message}


class EngineError(Exception):
    """Base of every error Tangram raises on purpose: a Chinese message, optionally its English twin."""

    code = "error"

    def __init__(
        self, message: str, en: str | None = None, *, issues: list[Issue] | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.message = message
        self.message_en = en
        self.issues = list(issues or [])
        self.extra = extra


class UnknownType(EngineError):
    """A registry was asked for a key it does not hold."""

    code = "unknown_type"


class AlreadyRegistered(EngineError):
    """A registry was given a key twice."""

    code = "already_registered"


class FieldValueError(EngineError):
    """One value does not fit its field; raised by FieldType.normalize."""

    code = "invalid_value"


class InvalidDefinition(EngineError):
    """An app definition is broken; `issues` lists every problem with its JSON path."""

    code = "invalid_definition"


class ValidationFailed(EngineError):
    """Record values do not fit the form; `issues` lists every failing field by key."""

    code = "validation_error"


class BadQuery(EngineError):
    """A filter, sort, cursor or field list cannot be understood."""

    code = "bad_query"


class BadFile(BadQuery):
    """An uploaded spreadsheet cannot be read: its encoding, format, header or size."""

    code = "bad_file"


class FileOverLimit(BadFile):
    """An uploaded file goes past a bound (rows, columns, a cell's length, its decompressed size); the
    error names the limit (`limit`: the setting) and its value (`max`)."""

    code = "file_over_limit"


class UploadTooLarge(FileOverLimit):
    """An upload's own bytes go past the upload size limit."""

    code = "file_too_large"


class NotFound(EngineError):
    """An app, form, record, user or file does not exist (or is not visible)."""

    code = "not_found"


class Conflict(EngineError):
    """The request conflicts with the stored state."""

    code = "conflict"


class AlreadyExists(Conflict):
    """Something with that key exists already."""

    code = "already_exists"


class UniqueViolation(Conflict):
    """A unique field already holds that value in another record."""

    code = "unique_violation"


class PossibleDuplicates(Conflict):
    """The record looks like stored ones (a `warn` duplicate rule); the user may save it anyway."""

    code = "possible_duplicates"


class DuplicateBlocked(Conflict):
    """The record duplicates a stored one under a `block` duplicate rule: it is not saved."""

    code = "duplicate_blocked"


class IncompatibleChange(Conflict):
    """A definition change that stored records cannot follow."""

    code = "incompatible_change"


class DraftPending(Conflict):
    """The builder holds unpublished changes that a whole-definition change would silently overwrite."""

    code = "draft_pending"


class VersionMismatch(EngineError):
    """An If-Match version is not the record's current version."""

    code = "version_mismatch"


class Unauthorized(EngineError):
    """No valid credentials were given."""

    code = "unauthorized"


class Forbidden(EngineError):
    """The credentials are valid but do not allow this."""

    code = "forbidden"


class TooManyAttempts(EngineError):
    """Too many failed logins for this name or address: wait `retry_after` seconds."""

    code = "too_many_attempts"


class Busy(EngineError):
    """The database's write lock stayed with another writer (a long import, another process) for
    longer than a write waits for it: nothing was written; try again after `retry_after` seconds."""

    code = "busy"


class MirrorNotOwned(Conflict):
    """This process reads the analytics mirror's published copy: another process (its owner) syncs it."""

    code = "mirror_not_owner"


class MirrorUnavailable(Conflict):
    """No copy of the analytics mirror is published yet (its owner, the worker, has not synced)."""

    code = "mirror_unavailable"


class FlowRunning(Conflict):
    """A flow cannot be removed while instances of it run."""

    code = "flow_running"


class FlowStateError(Conflict):
    """A flow instance or task is not in a state that allows this (already decided, already ended)."""

    code = "flow_state"


class NotAssignee(Forbidden):
    """Only the task's assignee may decide it."""

    code = "not_assignee"


class RecordLocked(EngineError):
    """The record is under approval and read-only until the approval ends."""

    code = "record_locked"


class UnsupportedQuery(BadQuery):
    """A report or filter cannot run on the asked engine (e.g. a function the mirror lacks)."""

    code = "unsupported_query"


class EncryptedField(BadQuery):
    """A filter, sort or report asks an encrypted field for more than equality (order, text search, groups)."""

    code = "encrypted_field"


class EncryptionKeyMissing(EngineError):
    """Encrypted values must be read or written, and no encryption key is configured (or not the one they need)."""

    code = "encryption_key_missing"


class CsrfFailed(Forbidden):
    """A cookie-authenticated change came without the session's CSRF token."""

    code = "csrf"


class Gone(EngineError):
    """Something that existed has been removed on purpose and will not come back (an expired export's file)."""

    code = "gone"
