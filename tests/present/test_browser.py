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


def test_trace_endpoint_takes_several_texts_but_refuses_one_over_the_limit(server):
    big = json.dumps({"documents": [{"id": "a", "text": "word " * 150_000},
                                    {"id": "b", "text": "word " * (MAX_BYTES // 4)}]}).encode()
    assert len(big) > MAX_BYTES  # the request as a whole may be larger than one text ...
    status, body = _post(f"{server}/api/trace", big)
    assert status == 413 and body["error"].startswith("b: the text is 1.2 MB")  # ... each text may not
    with urllib.request.urlopen(f"{server}/api/seeds", timeout=30) as response:
        assert [s["id"] for s in json.loads(response.read())["seeds"]][:2] == ["000", "001"]


def test_pages_carry_a_content_security_policy_and_bind_locally(server):
    with urllib.request.urlopen(server, timeout=30) as response:
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert server.startswith("http://127.0.0.1:")
    assert make_server.__defaults__[0] == "127.0.0.1"


FAMILY_ORIGINAL = (
    "The city council said on Tuesday that it would spend 4,000,000 dollars to repair the old bridge over the river, "
    "which has been closed to lorries since March. The mayor, Anna Berg, told reporters that the work should begin "
    "in the spring and take about two years.\n"
    "Residents have complained for years about the traffic on the narrow roads around the town centre. A local shop "
    "owner said the closure had cost him many customers, and that he hoped the council would keep its promise.")
FAMILY_UNRELATED = ("Bake the bread for forty minutes in a hot oven, then leave it to cool on a rack. A crust that "
                    "sounds hollow when tapped is a sign that the loaf is ready to eat.")


def _trace_in_family_tab(browser, server, documents: list[tuple[str, str]]) -> None:
    browser.get("about:blank")  # a fresh page: from the spin tab's page, only the fragment would change
    browser.get(f"{server}/#family")
    _wait(browser, lambda b: b.execute_script("return document.body.dataset.family") == "ready")
    assert len(browser.find_elements("css selector", "#family-docs .family-doc")) == 5  # the seeds, preloaded
    assert browser.find_element("id", "tab-family").is_displayed()
    assert not browser.find_element("id", "tab-spin").is_displayed()
    browser.find_element("id", "family-clear").click()
    for name, text in documents:
        browser.find_element("id", "family-add").click()
        box = browser.find_elements("css selector", "#family-docs .family-doc")[-1]
        browser.execute_script("arguments[0].querySelector('.family-name').value = arguments[1];"
                               "arguments[0].querySelector('.family-text').value = arguments[2];", box, name, text)
    browser.find_element("id", "family-trace").click()
    _wait(browser, lambda b: b.execute_script("return document.body.dataset.family") == "ready"
          and b.find_element("id", "family-status").text)
    assert browser.find_element("id", "family-error").text == ""


def test_family_tab_traces_a_spun_copy_and_shows_it_side_by_side(server, browser, tmp_path):
    from detector.spinner import spin

    spun = spin(FAMILY_ORIGINAL, rate=0.25, seed=5)
    _trace_in_family_tab(browser, server, [("original.txt", FAMILY_ORIGINAL), ("copy.txt", spun.text),
                                           ("bread.txt", FAMILY_UNRELATED)])
    # the tree: the original at the root, the copy under it as a spun copy with its line of evidence
    tree = browser.find_element("css selector", "#family-trees ul.tree")
    assert tree.find_element("css selector", ":scope > li > b").text == "original.txt"
    child = tree.find_element("css selector", ":scope > li > ul > li")
    assert child.find_element("css selector", "b").text == "copy.txt"
    assert child.find_element("css selector", ".kind").text == "spun-copy"
    assert " — " in child.text and len(child.text.split(" — ", 1)[1]) > 10  # the evidence's summary
    assert "bread.txt" in browser.find_element("id", "family-unrelated").text
    # one collapsible edge; opened from the tree, it shows the swaps and both texts with the changes marked
    assert len(browser.find_elements("css selector", "#family-edges details.edge")) == 1
    child.find_element("css selector", "a").click()
    details = browser.find_element("css selector", "#family-edges details.edge")
    _wait(browser, lambda b: details.get_attribute("open") is not None)
    assert "copy (spun)" in details.find_element("css selector", "div.swaps table").text
    source_cell, derived_cell = details.find_elements("css selector", "table.sbs tbody tr:first-child td")
    assert source_cell.text.startswith("The city council") and derived_cell.text.startswith(spun.text[:8])
    changed = [m.text for m in details.find_elements("css selector", "table.sbs mark.chg")]
    assert any(s.replacement in m for s in spun.substitutions for m in changed)
    assert details.find_element("css selector", "table.sbs mark.chg").get_attribute("title").startswith("became: ")
    browser.save_screenshot(str(tmp_path / "family.png"))
    assert (tmp_path / "family.png").stat().st_size > 10_000


def test_family_tab_shows_markup_as_text(server, browser):
    from detector.spinner import spin

    hostile = '<script>window.__xss = 1</script> <img src=x onerror="window.__xss = 2"> ' + FAMILY_ORIGINAL
    name = '<b onmouseover="window.__xss = 3">copy</b>'
    _trace_in_family_tab(browser, server, [("<script>name</script>", hostile),
                                           (name, spin(hostile, rate=0.25, seed=6).text)])
    result = browser.find_element("id", "family-result")
    assert result.find_elements("css selector", "script, img, [onmouseover], [onerror], b b") == []
    for details in result.find_elements("css selector", "details"):
        browser.execute_script("arguments[0].open = true", details)
    assert "<script>name</script>" in browser.find_element("id", "family-trees").text
    assert "<img src=x onerror=" in result.text and name in result.text
    assert browser.execute_script("return window.__xss") is None


def test_trace_page_opens_an_edge_from_the_tree(browser, tmp_path):
    from detector.present.trace_html import render_trace_page
    from detector.spinner import spin
    from detector.trace import trace_documents

    texts = {"original.txt": FAMILY_ORIGINAL, "copy.txt": spin(FAMILY_ORIGINAL, rate=0.25, seed=7).text,
             "bread.txt": FAMILY_UNRELATED}
    page = tmp_path / "trace.html"
    page.write_text(render_trace_page(trace_documents(list(texts.items()), spun_scores=False).to_dict(), texts),
                    encoding="utf-8")
    browser.get(page.as_uri())
    details = browser.find_element("css selector", "details.edge")
    assert details.get_attribute("open") is None
    browser.find_element("css selector", "ul.tree a").click()  # "side by side" on the copy's line
    _wait(browser, lambda b: details.get_attribute("open") is not None)
    assert details.find_elements("css selector", "table.sbs mark.chg")


def test_family_tab_opens_several_files_at_once(server, browser, tmp_path):
    paths = []
    for name, text in (("first.txt", FAMILY_ORIGINAL), ("second.txt", FAMILY_UNRELATED)):
        paths.append(tmp_path / name)
        paths[-1].write_text(text, encoding="utf-8")
    browser.get("about:blank")
    browser.get(f"{server}/#family")
    _wait(browser, lambda b: b.execute_script("return document.body.dataset.family") == "ready")
    browser.find_element("id", "family-clear").click()
    browser.find_element("id", "family-files").send_keys("\n".join(str(p) for p in paths))
    _wait(browser, lambda b: len(b.find_elements("css selector", "#family-docs .family-doc")) == 2)
    names = [e.get_attribute("value") for e in browser.find_elements("css selector", "#family-docs .family-name")]
    texts = [e.get_attribute("value") for e in browser.find_elements("css selector", "#family-docs .family-text")]
    assert names == ["first.txt", "second.txt"] and texts == [FAMILY_ORIGINAL, FAMILY_UNRELATED]
    browser.find_elements("css selector", "#family-docs .family-remove")[0].click()
    assert [e.get_attribute("value") for e in browser.find_elements("css selector", ".family-name")] == ["second.txt"]


def test_check_tab_checks_a_pasted_text_and_an_opened_pdf(server, browser, tmp_path):
    from detector.papers.testing import simple_pdf

    browser.get(server + "/#check")
    _wait(browser, lambda b: b.find_element("id", "tab-check").is_displayed())
    _paste(browser, "check-input", "We train a counterfeit consciousness model and an irregular woodland baseline.")
    browser.find_element("id", "check-run").click()
    _wait(browser, lambda b: b.find_element("id", "check-result").is_displayed()
          and b.execute_script("return document.body.dataset.check") == "ready")
    report = browser.find_element("id", "check-tortured").text
    assert "2 known" in report and "artificial intelligence" in report and "random forest" in report
    assert "artificial intelligence" in browser.find_element("id", "check-repaired").get_attribute("value")
    assert browser.find_elements("css selector", "#check-detect mark.span")
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(simple_pdf(["A Title\nAbstract\nWe report a counterfeit consciousness method.",
                                "1. Methods\nThe <b>profound</b> organization of the paper."]))
    browser.find_element("id", "check-file").send_keys(str(pdf))
    _wait(browser, lambda b: "pages" in b.find_element("id", "check-score").text
          and b.execute_script("return document.body.dataset.check") == "ready")
    assert "a paper of 2 pages" in browser.find_element("id", "check-score").text
    assert "p.1" in browser.find_element("id", "check-tortured").text
    assert "<b>" in browser.find_element("id", "check-detect").text  # markup in a paper is shown, never run
