"""Tangram's own log lines in a server process: text, or one JSON object a line (TANGRAM_LOG_FORMAT=json).

uvicorn configures only its own loggers; without this the `tangram` loggers' INFO lines (the access line
among them) would go nowhere."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from runtime.api.request_log import REQUEST_ID
from runtime.settings import Settings

TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonLines(logging.Formatter):
    """A record as one JSON object: time, level, logger, message, the request id, and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                 "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        if (rid := REQUEST_ID.get()) is not None:
            entry["request_id"] = rid
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _TangramHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler configure() installs (recognised so that configuring again replaces it)."""


def configure(settings: Settings, access: bool) -> None:
    """Send the `tangram` loggers' INFO and above to standard error in the chosen format; the access
    line (`tangram.access`) only when asked for (--access-log / TANGRAM_ACCESS_LOG)."""
    logger = logging.getLogger("tangram")
    for old in [h for h in logger.handlers if isinstance(h, _TangramHandler)]:
        logger.removeHandler(old)
    handler = _TangramHandler()
    handler.setFormatter(JsonLines() if settings.log_format == "json" else logging.Formatter(TEXT))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logging.getLogger("tangram.access").setLevel(logging.INFO if access else logging.WARNING)
