"""Every page names an icon that exists, so browsers do not ask for /favicon.ico and log 404s."""

from __future__ import annotations

import re


def _icon_of(page: str) -> str:
    match = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert match, "the page names no icon"
    return match.group(1)


def test_signed_in_pages_name_an_icon_that_is_served(client, factory):
    client.login(factory.user().email)
    icon = client.get(_icon_of(client.get("/account").text))
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in icon.text


def test_sign_in_and_public_showcase_pages_name_the_icon_too(client):
    assert client.get(_icon_of(client.get("/login").text)).status_code == 200
    assert client.get(_icon_of(client.get("/showcase").text)).status_code == 200
