"""`iil-lms serve` says which address emailed links use, and it is one that works."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from iil_lms import cli
from iil_lms.settings import get_settings


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[dict[str, Any]]:
    """Runs `serve` without starting a server; records what uvicorn would get."""
    import uvicorn

    # setenv first, so that what `serve` sets in os.environ is undone afterwards.
    monkeypatch.setenv("IIL_BASE_URL", "unset")
    monkeypatch.delenv("IIL_BASE_URL")
    monkeypatch.delenv("IIL_PRODUCTION", raising=False)
    monkeypatch.setenv("IIL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IIL_SECRET_KEY", "cli-test-secret-key-0123456789")
    monkeypatch.chdir(tmp_path)  # no .env from the project
    seen: dict[str, Any] = {}

    def fake_run(app: str, **kwargs: Any) -> None:
        seen.update(kwargs, base_url=get_settings().base_url)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    get_settings.cache_clear()
    yield seen
    get_settings.cache_clear()


def test_serve_on_another_port_makes_links_point_to_that_port_and_says_so(served, capsys):
    assert cli.main(["serve", "--port", "8123"]) == 0
    assert served["port"] == 8123
    assert served["base_url"] == "http://127.0.0.1:8123"
    assert "Links in emails (invitations, password resets) use http://127.0.0.1:8123" in (
        capsys.readouterr().out
    )


def test_a_configured_base_url_is_kept_and_printed(served, monkeypatch, capsys):
    monkeypatch.setenv("IIL_BASE_URL", "https://lms.example.org")
    get_settings.cache_clear()
    assert cli.main(["serve", "--port", "8123"]) == 0
    assert served["base_url"] == "https://lms.example.org"
    assert "use https://lms.example.org" in capsys.readouterr().out
