"""The trainee's journey with the keyboard alone (Tab, Shift+Tab, Enter, Space): sign in,
open a module, write a reflection, submit. Every focused control shows a visible focus
outline, and the skip link takes focus to the main content."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import DEMO_PASSWORD, Journey, Variant
from tests.browser.people import mentored_trainee, placeholder_pattern

pytestmark = pytest.mark.browser
DESKTOP_EN = Variant("desktop", 1280, 800, "en")

FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), id: el.id, href: el.getAttribute('href') || '',
    type: el.getAttribute('type') || '', text: (el.innerText || '').trim(),
    item: el.closest('li') ? el.closest('li').innerText : '',
    focusVisible: el.matches(':focus-visible'),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    inView: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < window.innerHeight && box.left < window.innerWidth,
  };
}"""


def focused(page: Page) -> dict[str, str | bool]:
    state = page.evaluate(FOCUS_STATE)
    assert state is not None, "Tab left no element focused"
    result: dict[str, str | bool] = state
    return result


def assert_focus_visible(page: Page) -> dict[str, str | bool]:
    state = focused(page)
    assert state["focusVisible"] and state["outline"], f"no visible focus outline on {state}"
    assert state["inView"], f"the focused element is off screen: {state}"
    return state


def tab_to(page: Page, wanted: str, matches: object, limit: int = 120) -> dict[str, str | bool]:
    """Press Tab until the focused element satisfies `matches` (checking every stop)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUS_STATE) is None:
            pytest.fail(f"Tab left the page before reaching {wanted}")
        state = assert_focus_visible(page)
        if matches(state):  # type: ignore[operator]
            return state
    pytest.fail(f"{limit} presses of Tab never reached {wanted}")


def use_skip_link(page: Page) -> None:
    """From the top of the page, the first Tab stop is the skip link; Enter moves focus
    to <main>, and the next Tab stop is inside it."""
    page.locator("body").focus()
    page.keyboard.press("Tab")
    state = assert_focus_visible(page)
    assert state["href"] == "#main", f"the first Tab stop is not the skip link: {state}"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')")


@pytest.mark.parametrize("variant", [DESKTOP_EN], ids=str)
def test_trainee_journey_with_the_keyboard_only(
    journey: Journey, live_server: LiveServer, variant: Variant
) -> None:
    pair = mentored_trainee(live_server.engine, 30)
    trainee = journey.person("trainee")
    page = trainee.page
    page.goto("/login")

    use_skip_link(page)
    state = focused(page)
    assert state["id"] == "f-email", f"after the skip link, Tab should reach Email: {state}"
    page.keyboard.type(pair.trainee_email)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "f-password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Shift+Tab")
    assert focused(page)["id"] == "f-email"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/journey")
    journey.check(trainee, "journey-map")

    # The first open module may have no reflection left: try the modules in order.
    is_module = lambda s: "/journey/modules/" in str(s["href"])  # noqa: E731
    modules = page.locator(".journey-modules a").count()
    for attempt in range(modules):
        if attempt:
            page.goto("/journey")
        use_skip_link(page)
        if not is_module(focused(page)):
            tab_to(page, "a module link", is_module)
        for _ in range(attempt):
            tab_to(page, "the next module link", is_module)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        try:
            tab_to(
                page,
                "a reflection to do",
                lambda s: (
                    "/journey/exercises/" in str(s["href"])
                    and trainee.t("Reflection") in str(s["item"])
                    and trainee.t("To do") in str(s["item"])
                ),
                limit=40,
            )
            break
        except pytest.fail.Exception:
            continue
    else:
        pytest.fail("no open module has a reflection left to do")
    journey.check(trainee, "module")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    journey.check(trainee, "exercise")

    tab_to(page, "the reflection box", lambda s: s["tag"] == "textarea")
    answer = "Typed with the keyboard alone: the queue at the land records office."
    page.keyboard.type(answer)
    expect(page.locator("#save-status")).to_have_text(
        placeholder_pattern(trainee.t("Saved at %(time)s")), timeout=15_000
    )
    tab_to(page, "the Submit button", lambda s: s["text"] == trainee.t("Submit"))
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page.get_by_role("status").first).to_have_text(
        re.compile(re.escape(trainee.t("Submitted")))
    )
    expect(page.locator("#history")).to_contain_text(answer)
    journey.check(trainee, "submitted")
