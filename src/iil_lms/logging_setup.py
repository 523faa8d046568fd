"""Structured logs: one JSON object per line on stderr (time, level, logger, message and the
request id when the line was written while serving a request), for the app and the CLI."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

# Set by the request middleware, so every line logged while serving a request carries it.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

_CORE_FIELDS = ("time", "level", "logger", "message", "request_id")
# Libraries whose INFO lines are noise in an operator's log.
_QUIET_LOGGERS = ("alembic.runtime.plugins", "httpx", "httpcore", "fontTools", "weasyprint")


class JsonFormatter(logging.Formatter):
    """Fields given as `extra={"fields": {...}}` (the access log), or a message that is
    itself a JSON object, are merged into the line rather than nested, so each request is
    one flat, searchable object; an "event" field becomes the message."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if not isinstance(fields, dict):
            fields = _json_object(entry["message"])
        if fields is not None:
            fields = dict(fields)
            entry["message"] = str(fields.pop("event", ""))
            for key, value in fields.items():
                if key not in _CORE_FIELDS:
                    entry[key] = value
                elif key == "request_id":
                    entry.setdefault("request_id", value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _json_object(message: str) -> dict[str, Any] | None:
    if not message.startswith("{"):
        return None
    try:
        value = json.loads(message)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class _StderrHandler(logging.StreamHandler[Any]):
    """Writes to whatever sys.stderr is when a line is logged (as logging's own last-resort
    handler does), so a replaced stderr (a test capturing output) is never written after
    it is closed."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(level: int | str = logging.INFO) -> None:
    """Send every logger to one JSON handler on stderr. Safe to call more than once:
    the handler is installed only the first time. Uvicorn's own access log is switched
    off (the request middleware writes a richer one) and its other loggers propagate
    here instead of printing in their own format."""
    # The lines carry no source location, thread or process, so logging need not look
    # them up for every record (the logging HOWTO's "Optimization"): the access log
    # writes one record per request.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
