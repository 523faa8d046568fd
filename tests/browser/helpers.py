"""What the journeys share: people in their own browser contexts, translated labels, step
screenshots, the axe-core check and the Content-Security-Policy watch."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from iil_lms.i18n import translations

DEMO_PASSWORD = "browser-journey-pass-1"
AXE_SOURCE = (Path(__file__).resolve().parent / "vendor" / "axe.min.js").read_text()
BLOCKING_IMPACTS = {"serious", "critical"}
# Elements sticking out of the viewport whose parent does not (the outermost culprits).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width + 1) return [];
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1
        && el.parentElement.getBoundingClientRect().right <= width + 1) {
      out.push(el.outerHTML.slice(0, 160));
    }
  }
  return out.length ? out : ['(document wider than the viewport)'];
}"""
CSP_MESSAGE = re.compile(r"Content Security Policy|Refused to (execute|load|apply)", re.I)


@dataclass(frozen=True)
class Variant:
    device: str
    width: int
    height: int
    language: str

    def __str__(self) -> str:
        return f"{self.device}-{self.language}"


class AccessibilityViolation(AssertionError):
    pass


def check_accessibility(page: Page, where: str = "") -> None:
    """Run axe-core on the page as it is now; fail on any serious or critical violation,
    naming the rule, its help text and the offending nodes.

    axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy
    does not govern, so the real CSP stays enforced for the page's own scripts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    results: dict[str, Any] = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
    )
    problems = [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if not problems:
        return
    lines = [f"axe-core: {len(problems)} serious/critical violation(s) on {where or page.url}"]
    for violation in problems:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:8]:
            lines.append(f"    at {', '.join(node['target'])}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    raise AccessibilityViolation("\n".join(lines))


@dataclass
class Person:
    """One person in their own browser context (own cookies), e.g. a trainee and a mentor."""

    who: str
    context: BrowserContext
    page: Page
    language: str
    csp_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def t(self, message: str, **variables: object) -> str:
        """`message` as the app shows it in this person's language (same catalogs)."""
        text: str = translations(self.language).ugettext(message)
        return text % variables if variables else text


@dataclass
class Journey:
    browser: Browser
    base_url: str
    variant: Variant
    people: list[Person] = field(default_factory=list)
    shots: list[tuple[str, bytes]] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def person(self, who: str, language: str | None = None) -> Person:
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport={"width": self.variant.width, "height": self.variant.height},
            is_mobile=self.variant.device == "phone",
            has_touch=self.variant.device == "phone",
            locale="en-GB",
        )
        context.set_default_timeout(20_000)
        page = context.new_page()
        person = Person(who, context, page, language or self.variant.language)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error" and CSP_MESSAGE.search(message.text):
                person.csp_errors.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: person.page_errors.append(f"{page.url}: {error}"))
        self.people.append(person)
        return person

    def step(self, person: Person, label: str) -> None:
        """Record what `person` sees now (kept in memory; written out only on failure)."""
        name = f"{len(self.shots) + 1:02d}-{person.who}-{label}"
        try:
            self.shots.append(
                (name, person.page.screenshot(full_page=True, type="jpeg", quality=70))
            )
        except Exception as problem:  # noqa: BLE001 - a screenshot must not hide the failure
            self.shots.append((name + "-unavailable", str(problem).encode()))

    def check(self, person: Person, label: str) -> None:
        """A page the journey visits: screenshot, axe-core, no CSP violation, no JS error."""
        self.step(person, label)
        person.page.wait_for_load_state("load")
        check_accessibility(person.page, f"{label} ({person.page.url}, {person.language})")
        assert not person.csp_errors, "Content-Security-Policy violations:\n" + "\n".join(
            person.csp_errors
        )
        assert not person.page_errors, "JavaScript errors:\n" + "\n".join(person.page_errors)
        if self.variant.device == "phone":
            wide = person.page.evaluate(OVERFLOW)
            assert not wide, f"{label}: the page scrolls sideways on a phone because of:\n" + (
                "\n".join(wide[:8])
            )
        self.checked.append(f"{person.language} {person.page.url}")

    def save_screenshots(self, folder: Path, last: str = "at-failure") -> list[Path]:
        for person in self.people:
            self.step(person, last)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        saved = []
        for name, data in self.shots:
            path = folder / (f"{name}.jpg" if not name.endswith("-unavailable") else f"{name}.txt")
            path.write_bytes(data)
            saved.append(path)
        return saved

    def close(self) -> None:
        for person in self.people:
            person.context.close()

    # -- shared steps ------------------------------------------------------------------

    def login(self, person: Person, email: str) -> None:
        """Sign in on the login page (in English: the user's saved language applies after),
        then choose the journey's language on the account page."""
        page = person.page
        page.goto("/login")
        english = translations("en").ugettext
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.get_by_label(english("Email")).fill(email)
        page.get_by_label(english("Password")).fill(DEMO_PASSWORD)
        page.locator("form[action='/login'] button[type=submit]").click()
        page.wait_for_url(lambda url: "/login" not in url)
        self.set_language(person, person.language)

    def set_language(self, person: Person, language: str) -> None:
        page = person.page
        page.goto("/account")
        page.locator(f"input[name=language][value={language}]").check()
        page.locator("form[action='/account/language'] button[type=submit]").click()
        person.language = language
        expect(page.get_by_role("status").first).to_have_text(person.t("Language saved."))
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ur" else "ltr")
        self.check(person, "account")

    def logout(self, person: Person) -> None:
        page = person.page
        page.get_by_role("button", name=person.t("Sign out")).click()
        page.wait_for_url("**/login")
        expect(page.get_by_role("status").first).to_have_text(person.t("You are signed out."))
