"""detector serve in a real browser: Debian's headless Chromium driven by Selenium.

Needs the Debian packages ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them) and
``selenium`` (the test extra). Without them these tests are skipped with a reason saying how to
install them; no browser is ever downloaded.
"""

from __future__ import annotations

import json
import shutil
import threading
import urllib.error
import urllib.request

import pytest

from detector.damage.lines import strip_translations
from detector.present.serve import MAX_BYTES, make_server
from tests.conftest import seed_path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
HOW = "install Debian's browser: sudo apt-get install chromium chromium-driver (and pip install selenium)"


@pytest.fixture(scope="module")
def server():
    server = make_server(port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason=f"selenium is missing: {HOW}")
    if not CHROMIUM or not DRIVER:
        pytest.skip(f"chromium or chromedriver not found: {HOW}")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1500,1100",
                 "--disable-gpu"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER), options=options)
    yield driver
    driver.quit()


def _paste(browser, element_id: str, text: str) -> None:
    browser.execute_script(
        "const el = document.getElementById(arguments[0]); el.value = arguments[1];"
        "el.dispatchEvent(new Event('input', {bubbles: true}));", element_id, text)


def _wait(browser, condition, timeout: float = 60):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout).until(condition)


def _move_slider(browser, value: float) -> None:
    browser.execute_script(
        "const el = document.getElementById('rate'); el.value = arguments[0];"
        "el.dispatchEvent(new Event('input', {bubbles: true}));", str(value))


def test_page_spins_detects_and_repairs_seed_001(server, browser, tmp_path):
    text = strip_translations(seed_path("001").read_text(encoding="utf-8")).text
    browser.get(server)
    assert "spinning" in browser.title
    _paste(browser, "input", text)
    _move_slider(browser, 0.3)  # moving the slider spins the pasted text again
    _wait(browser, lambda b: b.find_elements("css selector", "#spun mark.sub")
          and b.find_elements("css selector", "#repair ins"))
    _wait(browser, lambda b: b.execute_script("return document.body.dataset.state") == "ready")
    subs = browser.find_elements("css selector", "#spun mark.sub")
    assert len(subs) > 50
    assert subs[0].get_attribute("title").startswith("was: ")
    assert browser.find_element("id", "rate-value").text == "30%"
    flagged = browser.find_elements("css selector", "#detect mark.span")
    assert len(flagged) > 20
    assert "SPUN" in browser.find_element("id", "score").text
    assert float(browser.find_element("id", "gauge").get_attribute("value")) > 0.9
    # the detection pane flags the substitutions: most marked words are inside a shaded span
    spun = browser.execute_script("return document.getElementById('spun').textContent")
    detected = browser.execute_script("return document.getElementById('detect').textContent")
    assert spun == detected
    # the repair (against the pasted text) restores it exactly
    restored = browser.execute_script(
        "const copy = document.getElementById('repair').cloneNode(true);"
        "copy.querySelectorAll('del').forEach(e => e.remove()); return copy.textContent;")
    assert restored == text
    browser.save_screenshot(str(tmp_path / "serve.png"))
    assert (tmp_path / "serve.png").stat().st_size > 10_000


def test_the_exercise_moves_the_score(server, browser):
    exercise = browser.find_element("id", "exercise")
    if not exercise.get_attribute("value"):
        pytest.skip("needs the spun text of the previous test")
    _paste(browser, "exercise", strip_translations(seed_path("001").read_text(encoding="utf-8")).text)
    _wait(browser, lambda b: "since the spin" in b.find_element("id", "exercise-move").text)
    assert browser.find_element("id", "exercise-move").text.startswith("-")


def test_pasted_markup_is_shown_never_run(server, browser):
    hostile = ('<script>window.__xss = 1</script> Users said " onmouseover="window.__xss = 2" x="'
               ' they could find the <img src=x onerror="window.__xss = 3"> phone number online, and the company '
               "said on Monday that it would not change the rules for users of the app in the United States.")
    browser.get(server)
    _paste(browser, "input", hostile)
    _move_slider(browser, 0.5)
    _wait(browser, lambda b: b.find_elements("css selector", "#spun mark.sub")
          and b.execute_script("return document.body.dataset.state") == "ready")
    for mark in browser.find_elements("css selector", "#spun mark, #detect mark"):
        mark.location_once_scrolled_into_view  # noqa: B018 (hovering would fire an injected handler)
        from selenium.webdriver import ActionChains

        ActionChains(browser).move_to_element(mark).perform()
    assert browser.execute_script("return window.__xss") is None
    for pane in ("spun", "detect", "repair"):
        assert browser.find_elements("css selector", f"#{pane} script, #{pane} img, #{pane} [onmouseover]") == []
    # the spun text, markup and all, is shown as text: exactly what the spinner returned
    shown = browser.execute_script("return document.getElementById('spun').textContent")
    assert shown == browser.find_element("id", "exercise").get_attribute("value")
    assert 'onmouseover="' in shown and "</" in shown


def _post(url: str, data: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_oversized_text_is_refused_with_a_message(server):
    status, body = _post(f"{server}/api/score", json.dumps({"text": "word " * (MAX_BYTES // 4)}).encode())
    assert status == 413 and "1 MB" in body["error"]
    status, body = _post(f"{server}/api/spin", b"not json")
    assert status == 400 and "text" in body["error"]


def test_pages_carry_a_content_security_policy_and_bind_locally(server):
    with urllib.request.urlopen(server, timeout=30) as response:
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert server.startswith("http://127.0.0.1:")
    assert make_server.__defaults__[0] == "127.0.0.1"
