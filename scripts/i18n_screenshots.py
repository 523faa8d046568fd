"""Screenshots of the login page and the journey map in English, Urdu and Nepali, for
checking by eye (joined Nastaliq letters, mirrored layout) and for the README.

Serves the demo on a temporary database and drives /usr/bin/chromium with Playwright:

    .venv/bin/python scripts/i18n_screenshots.py [docs/screenshots]
"""

# Runs the project's own command and opens its own local server: no untrusted input.
# ruff: noqa: S310, S603

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
TRAINEE, PASSWORD = "trainee001@csa-pk.example.org", "integrity-2026"


def _wait_for_server() -> None:
    for _ in range(60):
        try:
            urllib.request.urlopen(BASE + "/login")
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not start")


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "IIL_DATA_DIR": data_dir}
        subprocess.run([BIN / "iil-lms", "migrate"], env=env, check=True)
        # The curriculum may not validate while it is being written; the demo then
        # runs without a plan and the journey shows its empty state.
        subprocess.run([BIN / "iil-lms", "load-curriculum", "curricula/iil-core"], env=env)
        subprocess.run([BIN / "iil-lms", "demo"], env=env, check=True)
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
                for lang in ("en", "ur", "ne"):
                    context = browser.new_context(
                        viewport={"width": 390, "height": 844},
                        locale=lang,
                        extra_http_headers={"Accept-Language": lang},
                    )
                    page = context.new_page()
                    page.goto(BASE + "/login")
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=out / f"login-{lang}.png", full_page=True)
                    page.fill("input[name=email]", TRAINEE)
                    page.fill("input[name=password]", PASSWORD)
                    page.click("form[action='/login'] button[type=submit]")
                    page.goto(BASE + "/account")
                    page.check(f"input[name=language][value={lang}]")
                    page.click("form[action='/account/language'] button[type=submit]")
                    page.goto(BASE + "/journey")
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=out / f"journey-{lang}.png", full_page=True)
                    context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
