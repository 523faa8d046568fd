"""The flash cookie is signed and dated: a changed, misplaced or stale one is ignored."""

from __future__ import annotations

from iil_lms.web.security import dump_signed, load_signed

SECRET = "test-secret-0123456789abcdef0123"
MESSAGES = [{"kind": "success", "message": "Saved."}]


def test_a_fresh_flash_cookie_reads_back():
    assert load_signed(SECRET, dump_signed(SECRET, MESSAGES)) == MESSAGES


def test_a_changed_flash_cookie_is_ignored():
    value = dump_signed(SECRET, MESSAGES)
    changed = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    assert load_signed(SECRET, changed) is None
    assert load_signed("another-secret-0123456789abcdef", value) is None
    assert load_signed(SECRET, "not-a-cookie") is None


def test_a_value_signed_for_another_purpose_is_not_a_flash():
    assert load_signed(SECRET, dump_signed(SECRET, MESSAGES, salt="other")) is None


def test_a_stale_flash_cookie_is_ignored():
    value = dump_signed(SECRET, MESSAGES)
    assert load_signed(SECRET, value, max_age=-1) is None
