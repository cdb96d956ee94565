"""Re-take ``data/screenshots/family.png``: ``detector serve``'s family tab tracing the five seeds.

    python scripts/screenshot_family.py [--out data/screenshots/family.png]

Needs Debian's ``chromium`` and ``chromium-driver`` and ``selenium`` (as the browser tests do).
Seed 001's interleaved Chinese lines are set aside for the picture (the machine may lack CJK
fonts); the README's caption says so. Re-take it when the tracing engine's output changes.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "screenshots" / "family.png")
    args = parser.parse_args()
    from selenium import webdriver

    from detector.damage.lines import strip_translations
    from detector.present.serve import make_server

    chromium, driver_path = shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which("chromedriver")
    if not chromium or not driver_path:
        print("screenshot_family: chromium or chromedriver not found (apt-get install chromium chromium-driver)",
              file=sys.stderr)
        return 1
    server = make_server(port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1500,1250",
                 "--disable-gpu"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver_path), options=options)
    try:
        browser.get(f"http://127.0.0.1:{server.server_address[1]}/#family")
        _until(lambda: browser.execute_script("return document.body.dataset.family") == "ready")
        seed = next((ROOT / "seeds").glob("001_*.txt")).read_text(encoding="utf-8")
        browser.execute_script(
            "const box = [...document.querySelectorAll('.family-doc')]"
            ".find(b => b.querySelector('.family-name').value === '001');"
            "box.querySelector('.family-text').value = arguments[0];", strip_translations(seed).text)
        browser.find_element("id", "family-trace").click()
        _until(lambda: browser.execute_script("return document.body.dataset.family") == "ready"
               and "edges" in browser.find_element("id", "family-status").text)
        browser.find_element("css selector", "#family-trees a").click()  # open the first edge
        browser.execute_script("document.getElementById('family-result').scrollIntoView(); window.scrollBy(0, -60);")
        time.sleep(0.5)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(args.out))
    finally:
        browser.quit()
        server.shutdown()
    print(f"screenshot_family: wrote {args.out}")
    return 0


def _until(condition, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise SystemExit("screenshot_family: the page did not answer in time")
        time.sleep(0.3)


if __name__ == "__main__":
    sys.exit(main())
