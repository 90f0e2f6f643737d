"""What a user meets in the studio's page, in Debian's Chromium through its chromedriver,
over a real server and a book built with the real engine: feedback beside the control
that started the work, one player at a time, the keys, a layout that holds wide and
narrow, the speakers of a novel. Assertions are on the page's DOM and state, never on
pixels; every wait is for something the page shows, never a sleep. The screenshots in
docs/ are taken here (NARRATE_SCREENSHOTS=docs)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from test_page import browser  # noqa: F401 - the headless Chromium fixture
from test_studio import EDITED, NEW_SAY, SELECT_WORD, _call, _segments
from test_studio_safe import built, folder, studio  # noqa: F401 - the built book, a studio

import narrate
from narrate.errors import NarrateError
from narrate.faults import _passes  # how often each point was passed in this process

WORK = ("hear", "keep", "undo", "hear-word", "keep-word", "run-check")
DISABLED = ", ".join(f"document.getElementById('{b}').disabled" for b in WORK)
STATE = f"return [{DISABLED}];"
# where an element is on the screen, and whether it is the one seen at its centre
# (a sentence over two lines: the middle of its first)
PLACE = """var e = arguments[0], r = e.getBoundingClientRect(), first = e.getClientRects()[0];
var seen = document.elementFromPoint(first.left + first.width / 2, first.top + first.height / 2);
return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
        seen: !!seen && (seen === e || e.contains(seen)),
        inView: r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth};"""


def _wait(browser, seconds: float = 60):  # noqa: F811
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, seconds, poll_frequency=0.05)


def _open(studio, browser, width: int = 1280, height: int = 800):  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.set_window_size(width, height)
    # the window's inner size, as asked (the headless window's frame is not the page's)
    inner = browser.execute_script("return [innerWidth, innerHeight];")
    browser.set_window_size(2 * width - inner[0], 2 * height - inner[1])
    browser.get(studio.url)
    _wait(browser).until(lambda d: d.find_element(By.ID, "status").text == "ready")


def _place(browser, element_id: str) -> dict:  # noqa: F811
    return browser.execute_script(PLACE, browser.find_element("id", element_id))


def _hold(monkeypatch, tmp_path, point: str) -> Path:
    """The next pass of `point` in this process waits until the file it writes is removed."""
    held = tmp_path / f"held-{point}"
    monkeypatch.setenv("NARRATE_HOLD_AT", f"{point}:{_passes.get(point, 0) + 1}")
    monkeypatch.setenv("NARRATE_HOLD_FILE", str(held))
    return held


def _click_sentence(browser, ident: str) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.find_element(By.ID, f"seg-{ident}").click()
    _wait(browser).until(lambda d: d.find_element(By.ID, "segment-id").text == ident)


@pytest.mark.slow
def test_a_hear_shows_its_progress_beside_its_button_and_one_player_plays_at_a_time(
        studio, browser, monkeypatch, tmp_path):  # noqa: F811
    from conftest import wait_until
    from selenium.webdriver.common.by import By

    _open(studio, browser)
    _click_sentence(browser, EDITED)
    assert not browser.execute_script("return document.getElementById('player').paused")
    browser.find_element(By.ID, "edit-say").clear()
    browser.find_element(By.ID, "edit-say").send_keys(NEW_SAY)
    held = _hold(monkeypatch, tmp_path, "studio-hear")
    browser.find_element(By.ID, "hear").click()
    assert wait_until(held.exists, 60)  # the Hear is at work, held there
    status = browser.find_element(By.ID, "editor-status")
    assert "busy" in status.get_attribute("class") and status.text.startswith("rendering")
    assert browser.execute_script(STATE) == [True] * len(WORK)  # no work asked twice
    beside, button = _place(browser, "editor-status"), _place(browser, "hear")
    assert beside["inView"] and beside["seen"] and abs(beside["top"] - button["top"]) < 40
    assert browser.find_element(By.ID, "status").text == "ready"  # not the page's last row
    held.unlink()
    _wait(browser).until(lambda d: "done" in status.get_attribute("class"))
    assert status.text.startswith(f"heard {EDITED}: ")
    assert browser.execute_script(STATE)[:2] == [False, False]
    held = _hold(monkeypatch, tmp_path, "studio-hear")  # the next says what this one took
    browser.find_element(By.ID, "hear").click()
    assert wait_until(held.exists, 60)
    _wait(browser).until(lambda d: re.search(r"rendering .* … \d+ s \(the last took \d+ s\)",
                                             status.text))
    held.unlink()
    _wait(browser).until(lambda d: "done" in status.get_attribute("class"))

    # the new take plays, and the chapter's player has stopped; and the other way round
    _wait(browser).until(lambda d: d.execute_script(
        "var t = document.getElementById('new-take'); return !t.paused && t.currentTime > 0;"))
    assert browser.execute_script("return document.getElementById('player').paused")
    browser.execute_script("document.getElementById('new-take').loop = true;"
                           "document.getElementById('player').play();")
    _wait(browser).until(lambda d: d.execute_script(
        "return document.getElementById('new-take').paused;"))


@pytest.mark.slow
def test_the_takes_and_the_pronunciation_panel_show_what_they_hold_where_it_is_seen(
        studio, browser, monkeypatch, tmp_path):  # noqa: F811
    from conftest import wait_until
    from selenium.webdriver.common.by import By

    _open(studio, browser)
    _click_sentence(browser, EDITED)
    _wait(browser).until(lambda d: d.execute_script(  # "Now:" the take's length, unplayed
        "var a = document.getElementById('old-take'); return a.duration > 0 && a.paused;"))
    browser.find_element(By.ID, "edit-say").clear()
    browser.find_element(By.ID, "edit-say").send_keys(NEW_SAY)
    browser.find_element(By.ID, "hear").click()
    _wait(browser).until(lambda d: d.execute_script(
        "return document.getElementById('new-take').duration > 0;"))
    browser.find_element(By.ID, "keep").click()
    _wait(browser).until(lambda d: d.execute_script("return document.body.dataset.kept") == "1")
    browser.find_element(By.ID, "undo").click()
    _wait(browser).until(lambda d: d.execute_script("return document.body.dataset.undone") == "1")
    undone = browser.find_element(By.ID, "undo-status")
    assert undone.text.startswith("undone") and _place(browser, "undo-status")["inView"]
    assert browser.execute_script(  # "New:" holds no take of the undone edit
        "var a = document.getElementById('new-take');"
        "return [a.hasAttribute('src'), a.readyState, a.paused];") == [False, 0, True]

    # a word: its panel opens in view, beside the editor and never under it
    browser.find_element(By.CSS_SELECTOR, "nav button[data-chapter='02']").click()
    _wait(browser).until(lambda d: d.find_elements(By.ID, "seg-02.002.1"))
    browser.execute_script(SELECT_WORD, "seg-02.002.1", "Volga")
    _wait(browser).until(lambda d: d.find_element(By.ID, "places-count").text == "said in 2 places")
    assert browser.execute_script(STATE)[3:5] == [True, True]  # nothing to hear yet
    browser.find_element(By.ID, "respelling").send_keys("Vol-gah")
    held = _hold(monkeypatch, tmp_path, "studio-hear")
    browser.find_element(By.ID, "hear-word").click()
    assert wait_until(held.exists, 60)
    assert browser.execute_script(STATE)[3:5] == [True, True]  # not pressed again meanwhile
    assert browser.find_element(By.ID, "word-status").text.startswith("rendering “Volga”")
    for element in ("places", "word-status", "hear-word"):
        assert _place(browser, element)["seen"], element  # in view, and nothing over it
    held.unlink()
    _wait(browser).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#places audio")) == 4)
    labels = browser.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#places audio'),"
        " function (a) { return [a.className, a.previousElementSibling.textContent]; });")
    assert labels == [["before", "before"], ["after", "after"]] * 2
    assert browser.execute_script(STATE)[3:5] == [False, False]


@pytest.mark.slow
def test_the_keys_play_move_hear_and_keep(studio, browser):  # noqa: F811
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _open(studio, browser)
    ids = [s["id"] for s in studio.session.view()["chapters"][0]["segments"]]
    keys = ActionChains(browser)
    paused = "return document.getElementById('player').paused;"
    selected = "var s = document.querySelector('.seg.selected'); return s && s.dataset.id;"
    keys.send_keys(Keys.ARROW_DOWN).perform()
    assert browser.execute_script(selected) == ids[0]
    keys.send_keys(Keys.ARROW_DOWN).perform()
    keys.send_keys(Keys.ARROW_RIGHT).perform()
    keys.send_keys(Keys.ARROW_UP).perform()
    assert browser.execute_script(selected) == ids[1]
    assert browser.find_element(By.ID, "segment-id").text == ids[1]
    assert browser.execute_script(paused)  # moved, not started
    keys.send_keys(" ").perform()
    _wait(browser).until(lambda d: not d.execute_script(paused))
    keys.send_keys(" ").perform()
    _wait(browser).until(lambda d: d.execute_script(paused))

    _click_sentence(browser, EDITED)
    browser.find_element(By.ID, "player").click()  # the keys work wherever the page's focus is
    browser.execute_script("document.activeElement.blur(); document.getElementById('player').pause();")
    keys.send_keys(Keys.ENTER).perform()
    _wait(browser).until(lambda d: d.find_element(By.ID, "editor-status").text.startswith("heard"))
    say = browser.find_element(By.ID, "edit-say")
    say.clear()
    say.send_keys(NEW_SAY + " ")  # a space typed is a space, not the player
    assert say.get_attribute("value").endswith(" ") and browser.execute_script(paused)
    keys.key_down(Keys.CONTROL).send_keys("s").key_up(Keys.CONTROL).perform()
    _wait(browser).until(lambda d: d.execute_script("return document.body.dataset.kept") == "1")
    assert _segments(studio.session.script_path)[EDITED]["say"] == NEW_SAY + " "
    legend = browser.find_element(By.ID, "keys").text
    assert all(word in legend for word in ("Space", "Enter", "Ctrl", "S"))

    # in the pronunciation's panel the same keys hear a few and keep the pronunciation
    browser.find_element(By.CSS_SELECTOR, "nav button[data-chapter='02']").click()
    _wait(browser).until(lambda d: d.find_elements(By.ID, "seg-02.002.1"))
    browser.execute_script(SELECT_WORD, "seg-02.002.1", "Volga")
    _wait(browser).until(lambda d: d.find_element(By.ID, "places-count").text == "said in 2 places")
    browser.find_element(By.ID, "respelling").send_keys("Vol-gah")
    keys.key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()
    _wait(browser).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#places audio")) == 4)
    keys.key_down(Keys.CONTROL).send_keys("s").key_up(Keys.CONTROL).perform()
    _wait(browser).until(lambda d: d.execute_script("return document.body.dataset.pronounced")
                         == "1")
    assert _segments(studio.session.script_path)["02.002.1"]["say"].count("Vol-gah") == 2
    assert _segments(studio.session.script_path)[EDITED]["say"] == NEW_SAY + " "  # as kept


def _fits(browser, shot: Path, name: str) -> None:  # noqa: F811
    """Nothing wider than the window; the sentence selected and the Hear and Keep buttons
    seen (nothing over them); the screenshot taken, and kept in docs/ when asked."""
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= innerWidth;"), name
    for element in (f"seg-{EDITED}", "hear", "keep", "editor-status", "player"):
        place = _place(browser, element)
        assert place["inView"] and place["seen"], (name, element, place)
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("NARRATE_SCREENSHOTS"):  # how docs/studio.png and its narrow one are made
        shutil.copy(shot, Path(os.environ["NARRATE_SCREENSHOTS"]) / name)


@pytest.mark.slow
def test_the_layout_holds_at_1280_by_800_and_in_a_narrow_window(studio, browser,  # noqa: F811
                                                                  tmp_path):
    from selenium.webdriver.common.by import By

    for width, height, name in ((1280, 800, "studio.png"), (400, 800, "studio-narrow.png")):
        _open(studio, browser, width, height)
        _click_sentence(browser, EDITED)
        browser.find_element(By.ID, "hear").click()
        _wait(browser).until(lambda d: d.find_element(By.ID, "editor-status").text.startswith(
            "heard"))
        browser.execute_script("document.getElementById('new-take').pause();"
                               f"document.getElementById('seg-{EDITED}').scrollIntoView("
                               "{block: 'nearest'});")
        _fits(browser, tmp_path / name, name)


# Jane Austen, Pride and Prejudice (1813), chapter I (Project Gutenberg, public domain)
NOVEL = '''CHAPTER I.


"My dear Mr. Bennet," said his lady to him one day, "have you heard that
Netherfield Park is let at last?"

Mr. Bennet replied that he had not.

"But it is," returned she; "for Mrs. Long has just been here, and she
told me all about it."

Mr. Bennet made no answer.

"Do not you want to know who has taken it?" cried his wife impatiently.

"_You_ want to tell me, and I have no objection to hearing it."
'''
CAST = """title: Pride and Prejudice
author: Jane Austen
characters:
  Mrs. Bennet: {gender: female}
  Mr. Bennet: {gender: male}
  Mrs. Long: {gender: female}
"""


@pytest.fixture
def novel(tmp_path):
    (tmp_path / "pride.txt").write_text(NOVEL, encoding="utf-8")
    (tmp_path / "pride.yaml").write_text(CAST, encoding="utf-8")
    running = narrate.open_studio(tmp_path / "pride.txt", voices="espeak", cache=tmp_path / "c",
                                  out=tmp_path / "out").start()
    yield running
    running.stop()


@pytest.mark.e2e
def test_a_line_of_a_novel_shows_its_speaker_and_a_keep_changes_only_that(novel, tmp_path):
    script = novel.session.script_path
    before = _segments(script)
    quotes = [s for s in novel.session.view()["chapters"][0]["segments"] if s["speaker"]]
    line = next(s for s in quotes if s["speaker"] == "Mr. Bennet")
    assert novel.session.view()["speakers"] == ["Mrs. Bennet", "Mr. Bennet", "Mrs. Long"]
    for wrong in ({"speaker": "Mr. Bingley"}, {"speaker": "\ud800"}):
        status, answer = _call(novel, "/api/keep", {"id": line["id"], **wrong})
        assert status == 400 and "none of the book's characters" in json.loads(answer)["error"]
    narrator = next(s for s in novel.session.view()["chapters"][0]["segments"]
                    if s["speaker"] is None and s["role"] == "narrator")
    with pytest.raises(NarrateError, match="not a quotation"):
        novel.session.keep(narrator["id"], speaker="Mrs. Bennet")
    assert script.read_bytes() and _segments(script) == before  # nothing written

    status, answer = _call(novel, "/api/keep", {"id": line["id"], "speaker": "mrs. long"})
    assert status == 200, answer
    after = _segments(script)
    assert {i for i in before if before[i] != after[i]} == {line["id"]}
    assert after[line["id"]] == {**before[line["id"]], "speaker": "Mrs. Long"}
    assert narrate.script(script).segments  # the script loads back
    novel.session.undo()
    assert _segments(script) == before


@pytest.mark.e2e
def test_a_hear_with_another_speaker_is_said_in_that_characters_voice(novel):
    """The line as the build made it, then as another character says it: their voice."""
    quotes = [s for s in novel.session.view()["chapters"][0]["segments"] if s["speaker"]]
    line = next(s for s in quotes if s["speaker"] == "Mr. Bennet")
    her_line = next(s for s in quotes if s["speaker"] == "Mrs. Bennet")
    manifest = json.loads((novel.session.folder / "manifest.json").read_text())
    assert manifest["spoken"][line["id"]]["role"] == "quote@Mr. Bennet"
    assert manifest["spoken"][her_line["id"]]["role"] == "quote@Mrs. Bennet"
    assert novel.session.hear(line["id"]).key == manifest["segments"][line["id"]]
    as_her = novel.session.hear(line["id"], speaker="Mrs. Bennet")
    assert as_her.key != manifest["segments"][line["id"]]


@pytest.mark.slow
def test_the_page_shows_each_lines_speaker_and_keeps_a_new_one(novel, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    _open(novel, browser)
    quotes = [s for s in novel.session.view()["chapters"][0]["segments"] if s["speaker"]]
    shown = browser.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('.seg[data-speaker]'),"
        " function (s) { return [s.dataset.id, s.dataset.speaker,"
        "   getComputedStyle(s, '::before').content]; });")
    # each named where its paragraph's speaker changes (a paragraph: a section's lines)
    named, last = [], None
    for s in quotes:
        paragraph = s["id"].rsplit(".", 1)[0]
        named.append(json.dumps(s["speaker"]) if (paragraph, s["speaker"]) != last else "none")
        last = (paragraph, s["speaker"])
    assert shown == [[s["id"], s["speaker"], name] for s, name in zip(quotes, named)]
    assert "none" in named and len(set(named)) > 2  # the passage has both
    line = quotes[0]
    _click_sentence(browser, line["id"])
    field = browser.find_element(By.ID, "edit-speaker")
    assert field.is_displayed() and field.get_attribute("value") == line["speaker"]
    field.clear()
    field.send_keys("Mr. Bennet")
    browser.find_element(By.ID, "keep").click()
    _wait(browser).until(lambda d: d.execute_script("return document.body.dataset.kept") == "1")
    assert _segments(novel.session.script_path)[line["id"]]["speaker"] == "Mr. Bennet"
    assert browser.find_element(By.ID, f"seg-{line['id']}").get_attribute(
        "data-speaker") == "Mr. Bennet"
    narrator = next(s for s in novel.session.view()["chapters"][0]["segments"]
                    if s["speaker"] is None)
    _click_sentence(browser, narrator["id"])
    assert not browser.find_element(By.ID, "edit-speaker").is_displayed()
