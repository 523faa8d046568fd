"""Pages and assets are sent compressed to a browser that asks (slow links in the field)."""

from __future__ import annotations

import gzip

import httpx


def _raw_get(client, path: str, accept_encoding: str) -> httpx.Response:
    # Read the body as sent (httpx would otherwise decode it).
    with client.stream("GET", path, headers={"Accept-Encoding": accept_encoding}) as response:
        response.raw_body = b"".join(response.iter_raw())
    return response


def test_a_large_page_comes_gzipped_when_the_browser_accepts_gzip(client, factory):
    user = factory.user()
    client.login(user.email)
    response = _raw_get(client, "/account", "gzip, deflate")
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in response.headers["vary"].lower()
    page = gzip.decompress(response.raw_body).decode()
    assert "</html>" in page
    assert len(response.raw_body) < len(page.encode())


def test_a_page_comes_plain_when_the_browser_does_not_ask_for_gzip(client, factory):
    user = factory.user()
    client.login(user.email)
    response = _raw_get(client, "/account", "identity")
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert "</html>" in response.raw_body.decode()


def test_stylesheets_come_gzipped_too(client):
    response = _raw_get(client, "/static/css/app.css", "gzip")
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert b"{" in gzip.decompress(response.raw_body)
