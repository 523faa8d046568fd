"""HEAD answers as GET does, with no body, on every page (not 405)."""

from __future__ import annotations

from iil_lms.web.route_table import iter_api_routes


def test_every_page_without_placeholders_answers_head_as_get(app, client):
    paths = sorted(
        {
            route.path
            for route in iter_api_routes(app.routes)
            if "GET" in route.methods and "{" not in route.path
        }
    )
    assert "/login" in paths and "/showcase" in paths
    for path in paths:
        get = client.get(path, follow_redirects=False)
        head = client.head(path, follow_redirects=False)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == get.headers.get("content-type"), path
        assert head.headers.get("location") == get.headers.get("location"), path


def test_a_signed_in_page_answers_head_with_its_length(client, factory):
    made = factory.cohort(trainees=1)
    client.login(made.trainees[0].email)
    get = client.get("/account")
    head = client.head("/account")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"].startswith("text/html")
    assert int(head.headers["content-length"]) == len(get.content)
    assert head.headers["x-content-type-options"] == "nosniff"


def test_head_on_a_form_only_address_is_still_refused(client):
    assert client.head("/notifications/read-all").status_code == 405
