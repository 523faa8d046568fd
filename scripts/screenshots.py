"""Screenshots of the main pages for the README and for checking by eye (joined Nastaliq
letters, the mirrored Urdu layout, the phone width): the sign-in page and the journey
map in English, Urdu and Nepali on a phone, then each role's main page on a desktop, and
the first page of an exercise pack PDF (through pdftoppm).

Serves the demo on a temporary database and drives /usr/bin/chromium with Playwright:

    .venv/bin/python scripts/screenshots.py [docs/screenshots]
"""

# Runs the project's own command and opens its own local server: no untrusted input.
# ruff: noqa: S310, S603, S607

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
from iil_lms.demo import DEFAULT_PASSWORD as PASSWORD  # noqa: E402

TRAINEE = "trainee001@csa-pk.example.org"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


def _wait_for_server() -> None:
    for _ in range(60):
        try:
            urllib.request.urlopen(BASE + "/login")
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not start")


def _signed_in(browser: Browser, email: str, viewport: dict[str, int], lang: str = "en") -> Page:
    context = browser.new_context(
        viewport=viewport, locale=lang, extra_http_headers={"Accept-Language": lang}
    )
    page = context.new_page()
    page.goto(BASE + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(BASE + "/account")
    page.check(f"input[name=language][value={lang}]")
    page.click("form[action='/account/language'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def _shoot(page: Page, path: str, out: Path, name: str, full_page: bool = True) -> None:
    page.goto(BASE + path)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=out / f"{name}.png", full_page=full_page)


def _languages(browser: Browser, out: Path) -> None:
    for lang in ("en", "ur", "ne"):
        context = browser.new_context(
            viewport=PHONE, locale=lang, extra_http_headers={"Accept-Language": lang}
        )
        _shoot(context.new_page(), "/login", out, f"login-{lang}")
        context.close()
        page = _signed_in(browser, TRAINEE, PHONE, lang)
        _shoot(page, "/journey", out, f"journey-{lang}")
        page.context.close()


def _roles(browser: Browser, out: Path) -> None:
    trainee = _signed_in(browser, TRAINEE, DESKTOP)
    trainee.goto(BASE + "/journey")
    module_link = trainee.locator(".journey-modules a").first.get_attribute("href")
    _shoot(trainee, str(module_link), out, "module-en", full_page=False)
    exercise_link = trainee.locator("ol.exercise-steps li a").first.get_attribute("href")
    _shoot(trainee, str(exercise_link), out, "exercise-en", full_page=False)
    trainee.context.close()

    mentor = _signed_in(browser, "mentor01@csa-pk.example.org", DESKTOP)
    _shoot(mentor, "/mentees", out, "mentees-en", full_page=False)
    mentor.context.close()

    trainer = _signed_in(browser, "trainer1@csa-pk.example.org", DESKTOP)
    trainer.goto(BASE + "/")
    trainer.wait_for_load_state("networkidle")
    cohort = trainer.url.rstrip("/")
    trainer.screenshot(path=out / "cohort-en.png", full_page=False)
    _shoot(trainer, cohort.removeprefix(BASE) + "/plan", out, "plan-en", full_page=False)
    _shoot(trainer, cohort.removeprefix(BASE) + "/progress", out, "progress-en", full_page=False)
    _shoot(trainer, cohort.removeprefix(BASE) + "/gesi", out, "gesi-en", full_page=False)
    trainer.goto(cohort + "/feedback")
    results = trainer.locator("a[href*='/feedback/']").first.get_attribute("href")
    _shoot(trainer, str(results), out, "survey-results-en", full_page=False)
    trainer.context.close()

    organiser = _signed_in(browser, "organiser1@csa-pk.example.org", DESKTOP)
    _shoot(organiser, "/summits", out, "summits-en", full_page=False)
    organiser.context.close()

    account = _signed_in(browser, TRAINEE, PHONE, "ur")
    _shoot(account, "/account", out, "account-ur", full_page=False)
    account.context.close()

    visitor = browser.new_context(viewport=DESKTOP).new_page()
    _shoot(visitor, "/showcase", out, "showcase-en", full_page=False)
    visitor.context.close()


# A roster file as trainers bring them: Urdu names, a circle that does not exist yet,
# someone already on the roster with other details, a typo in an email, a duplicate.
ROSTER_PREVIEW_FILE = (
    "name,email,department,district,learning circle,preferred language\n"
    "عائشہ خان,ayesha.khan@punjab.example.gov.pk,Revenue,Lahore,Circle 1,ur\n"
    "Bilal Ahmed,bilal.ahmed@punjab.example.gov.pk,Police,Multan,Multan North,en\n"
    "Sana Javed,sana.javed@punjab,Health,Lahore,Circle 1,ur\n"
    "Imran Qureshi,IMRAN.Q@punjab.example.gov.pk,Education,Faisalabad,Circle 2,ur\n"
    "Imran Qureshi,imran.q@punjab.example.gov.pk,Education,Faisalabad,Circle 2,Punjabi\n"
    "Trainee 001,trainee001@csa-pk.example.org,Revenue,Lahore,Circle 3,en\n"
).encode()


def _roster_preview(browser: Browser, out: Path) -> None:
    """The import preview of a roster file with bad rows, as a trainer sees it."""
    trainer = _signed_in(browser, "trainer1@csa-pk.example.org", DESKTOP)
    trainer.goto(BASE + "/")
    trainer.wait_for_load_state("networkidle")
    trainer.goto(trainer.url.rstrip("/") + "/roster")
    trainer.set_input_files(
        "input[name=file]",
        {"name": "roster.csv", "mimeType": "text/csv", "buffer": ROSTER_PREVIEW_FILE},
    )
    trainer.click("form[action$='/roster/upload'] button[type=submit]")
    trainer.wait_for_load_state("networkidle")
    trainer.screenshot(path=out / "roster-preview-en.png", full_page=True)
    trainer.context.close()


def _pack_pdf(browser: Browser, out: Path) -> None:
    """The first page of the first module's exercise pack, as the trainee downloads it."""
    trainee = _signed_in(browser, TRAINEE, DESKTOP)
    trainee.goto(BASE + "/journey")
    module_link = str(trainee.locator(".journey-modules a").first.get_attribute("href"))
    response = trainee.request.get(BASE + module_link + "/pack.pdf")
    if not response.ok:
        raise SystemExit(f"exercise pack: {response.status} for {module_link}/pack.pdf")
    pdf = out / "pack.pdf"
    pdf.write_bytes(response.body())
    trainee.context.close()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf, out / "pack"],
        check=True,
    )
    pdf.unlink()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "IIL_DATA_DIR": data_dir}
        env.pop("IIL_DATABASE_URL", None)
        subprocess.run([BIN / "iil-lms", "migrate"], env=env, check=True)
        subprocess.run([BIN / "iil-lms", "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
        log = (Path(data_dir) / "server.log").open("w")
        server = subprocess.Popen(
            [BIN / "iil-lms", "serve", "--host", "127.0.0.1", "--port", str(PORT)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_server()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium",
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                )
                _languages(browser, out)
                _roles(browser, out)
                _roster_preview(browser, out)
                _pack_pdf(browser, out)
                browser.close()
        finally:
            server.terminate()
            server.wait()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
