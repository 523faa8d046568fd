"""Structured logs: one JSON object per line, with the request id of the request that
wrote it."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from iil_lms.logging_setup import JsonFormatter, configure_logging


def as_json(record: logging.LogRecord) -> dict[str, object]:
    line = JsonFormatter().format(record)
    assert "\n" not in line
    return json.loads(line)


@pytest.fixture
def raw_client(app) -> Iterator[TestClient]:
    """A client that receives the 500 page instead of re-raising the server's error."""
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_a_line_has_time_level_logger_and_message():
    record = logging.LogRecord("iil_lms.test", logging.WARNING, "f.py", 1, "hi %s", ("x",), None)
    entry = as_json(record)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "iil_lms.test"
    assert entry["message"] == "hi x"
    assert str(entry["time"]).endswith("+00:00")
    assert "request_id" not in entry


def test_a_traceback_stays_inside_the_one_line():
    try:
        raise RuntimeError("broken")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    entry = as_json(record)
    assert "RuntimeError: broken" in str(entry["exception"])


def test_access_log_is_one_flat_object_with_the_request_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="iil_lms.access"):
        response = client.get("/healthz")
    [record] = [r for r in caplog.records if r.name == "iil_lms.access"]
    entry = as_json(record)
    assert entry["message"] == "request"
    assert entry["request_id"] == response.headers["x-request-id"]
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/healthz", 200)


def test_lines_logged_while_serving_a_request_carry_its_request_id(app, client):
    def noisy() -> dict[str, str]:
        logging.getLogger("iil_lms.test").warning("inside the route")
        return {}

    app.add_api_route("/test-noisy", noisy)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("iil_lms.test")
    logger.addHandler(handler)
    try:
        response = client.get("/test-noisy")
    finally:
        logger.removeHandler(handler)
    entry = json.loads(stream.getvalue())
    assert entry["message"] == "inside the route"
    assert entry["request_id"] == response.headers["x-request-id"]


def test_a_server_error_is_logged_with_the_request_id_shown_to_the_user(app, raw_client, caplog):
    def broken() -> None:
        raise RuntimeError("database on fire")

    app.add_api_route("/test-broken", broken)
    with caplog.at_level(logging.ERROR):
        response = raw_client.get("/test-broken")
    assert response.status_code == 500
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
    entry = as_json(record)
    request_id = str(entry["request_id"])
    assert request_id and request_id in response.text
    assert "database on fire" in str(entry["exception"])
    assert "database on fire" not in response.text


@pytest.fixture
def saved_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    access = logging.getLogger("uvicorn.access")
    access_state = access.disabled, access.propagate
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    access.disabled, access.propagate = access_state


def test_configuring_twice_installs_one_handler_and_mutes_uvicorns_access_log(
    saved_logging, capsys
):
    configure_logging()
    configure_logging()
    root = logging.getLogger()
    assert sum(isinstance(h.formatter, JsonFormatter) for h in root.handlers) == 1
    assert logging.getLogger("uvicorn.access").disabled
    logging.getLogger("iil_lms.test").info("to stderr")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert lines[-1]["message"] == "to stderr"
