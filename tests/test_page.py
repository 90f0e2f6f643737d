"""The read-along page, in a real browser: Debian's Chromium, headless, driven with
selenium through Debian's chromedriver (nothing downloaded). Every wait is for an event
the page shows (the player's state, the highlight), never a sleep."""

import json
import os
import shutil
from pathlib import Path

import pytest

from narrate import build
from narrate.stitch.readalong import segment_anchor

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
TEXT = """CHAPTER I. Rivers


The first river runs north through the hills, and the mill stands on its bank.

It said <img src=x onerror="window.pwned=1"> and <script>window.pwned=2</script> too.

The second sentence of this chapter is long enough to be worth a seek of its own.


CHAPTER II. Seas


The sea is wide and grey, and the boats go out at dawn and come back at dusk.

A last paragraph closes the book, read slowly, to its very end.
"""


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("page")
    (folder / "rivers.txt").write_text(TEXT, encoding="utf-8")
    (folder / "rivers.yaml").write_text("title: Rivers <and> Seas\nauthor: A. Writer\n")
    return build(folder / "rivers.txt", cache=folder / "c", out=folder / "out",
                 progress=False)


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM and DRIVER, "chromium and chromium-driver: scripts/setup installs them"
    os.environ["SE_OFFLINE"] = "true"  # selenium must never fetch a browser or a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--mute-audio",
                 "--autoplay-policy=no-user-gesture-required", "--window-size=1000,800"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def _cue_at(manifest: dict, chapter: int, seconds: float) -> str | None:
    record = manifest["chapters"][chapter]
    for cue in record["cues"]:
        if cue["text"].strip() and cue["start"] / record["rate"] <= seconds < \
                cue["end"] / record["rate"]:
            return cue["id"]
    return None


STATE = """var section = document.querySelectorAll('section.chapter')[arguments[0]];
var audio = section.querySelector('audio'), active = section.querySelector('.seg.active');
return [audio.currentTime, active ? active.id : null, audio.readyState, audio.paused];"""


@pytest.mark.slow  # a browser: the full suite's, as the studio's browser tests are
def test_the_highlight_follows_the_player_and_a_click_seeks(book, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    manifest = json.loads((book.folder / "manifest.json").read_text(encoding="utf-8"))
    browser.get((book.folder / "index.html").as_uri())
    assert browser.execute_script("return window.pwned === undefined")
    assert not browser.find_elements(By.CSS_SELECTOR, "img")
    assert len(browser.find_elements(By.CSS_SELECTOR, "script")) == 1
    assert "Rivers <and> Seas" in browser.title
    for chapter, record in enumerate(manifest["chapters"]):
        spoken = [c for c in record["cues"] if c["text"].strip()]
        for cue in (spoken[0], spoken[len(spoken) // 2], spoken[-1]):  # three seek points
            middle = (cue["start"] + cue["end"]) / 2 / record["rate"]
            browser.execute_script(
                "var a = document.querySelectorAll('section.chapter audio')[arguments[0]];"
                "a.pause(); a.currentTime = arguments[1];", chapter, middle)
            want = segment_anchor(_cue_at(manifest, chapter, middle))
            WebDriverWait(browser, 30, poll_frequency=0.05).until(
                lambda d, chapter=chapter, want=want: d.execute_script(STATE, chapter)[1] == want)
    # click a segment of the second chapter: it plays from there, highlighted
    target = [c for c in manifest["chapters"][1]["cues"] if c["section"]][-1]
    browser.find_element(By.ID, segment_anchor(target["id"])).click()
    WebDriverWait(browser, 30, poll_frequency=0.05).until(
        lambda d: not d.execute_script(STATE, 1)[3])  # playing
    browser.execute_script("document.querySelectorAll('section.chapter audio')[1].pause()")
    def paused_and_shown(driver):
        state = driver.execute_script(STATE, 1)
        cue = _cue_at(manifest, 1, state[0])  # None between two segments: nothing highlighted
        return state if state[3] and state[1] == (segment_anchor(cue) if cue else None) else None

    now, active, _, _ = WebDriverWait(browser, 30, poll_frequency=0.05).until(paused_and_shown)
    assert now >= target["start"] / manifest["chapters"][1]["rate"] and active is not None
    shot = tmp_path / "readalong.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("NARRATE_SCREENSHOT"):  # how docs/readalong.png is made
        shutil.copy(shot, Path(os.environ["NARRATE_SCREENSHOT"]))
