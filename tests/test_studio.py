"""narrate studio: a real server (uvicorn on 127.0.0.1) over a book built with the real
engine and ffmpeg, driven by real requests and by Debian's Chromium through its
chromedriver. Every wait is for something the page or the server shows, never a sleep."""

from __future__ import annotations

import hashlib
import http.client
import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from test_page import browser  # noqa: F401 - the headless Chromium fixture

import narrate
from narrate.errors import NarrateError

# the text of tests/test_page.py: markup in it must show as text and never run
TEXT = """CHAPTER I. Rivers


The first river runs north through the hills, and the mill stands on its bank.

It said <img src=x onerror="window.pwned=1"> and <script>window.pwned=2</script> too.


CHAPTER II. Seas


The sea is wide and grey, and the boats go out at dawn and come back at dusk.

Every boat on the Volga is loud; the Volga itself is quiet.

A Volgan boatman sings of the volga at night.
"""
EDITED = "01.001.1"
NEW_SAY = "The first river runs south, past the old grey mill."


@pytest.fixture
def studio(tmp_path):
    (tmp_path / "rivers.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "rivers.yaml").write_text("title: Rivers\nauthor: A. Writer\n")
    running = narrate.open_studio(tmp_path / "rivers.txt", voices="espeak",
                                  cache=tmp_path / "c", out=tmp_path / "out").start()
    yield running
    running.stop()


def _call(studio, path: str, body=None, token: bool = True, origin: str | None = None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["X-Narrate-Token"] = studio.token
    if origin:
        headers["Origin"] = origin
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(studio.origin + path, data, headers)) \
                as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _raw_get(studio, path: str) -> int:
    """A GET with the path exactly as written (no client normalises the ..)."""
    connection = http.client.HTTPConnection("127.0.0.1", studio.port)
    connection.request("GET", path, headers={"X-Narrate-Token": studio.token})
    status = connection.getresponse().status
    connection.close()
    return status


def _checksums(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()
            and not str(p.relative_to(folder)).startswith((".studio", ".narrate"))}


def _segments(script: Path) -> dict[str, dict]:
    data = yaml.safe_load(script.read_text(encoding="utf-8"))
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if "id" in node and "say" in node:
                found[node["id"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(data)
    return found


@pytest.mark.e2e
def test_every_request_needs_the_token_its_own_origin_and_a_path_inside_the_book(studio):
    assert _call(studio, "/api/book")[0] == 200
    assert _call(studio, "/api/book", token=False)[0] == 403
    assert _call(studio, "/", token=False)[0] == 403
    assert _call(studio, "/api/keep", {"id": EDITED, "say": "x"}, token=False)[0] == 403
    assert _call(studio, "/api/keep", {"id": EDITED, "say": "Something else entirely."},
                 origin="http://evil.example")[0] == 403
    assert _call(studio, "/api/book", origin=studio.origin)[0] == 200
    connection = http.client.HTTPConnection("127.0.0.1", studio.port)  # a token not ASCII
    connection.putrequest("GET", "/api/book")
    connection.putheader("X-Narrate-Token", "é".encode("latin-1"))
    connection.endheaders()
    assert connection.getresponse().status == 403
    connection.close()
    outside = studio.session.folder.parent.parent / "rivers.txt"
    assert outside.is_file()
    for path in ("/book/../../rivers.txt", "/book/%2e%2e/%2e%2e/rivers.txt",
                 "/book/..%2f..%2frivers.txt", f"/book/{outside}", "/book//etc/passwd"):
        assert _raw_get(studio, path) in (403, 404), path
    (studio.session.folder / "escape.txt").symlink_to(outside)  # a link out of the book
    assert _raw_get(studio, "/book/escape.txt") == 404
    assert _raw_get(studio, "/book/manifest.json") == 200
    assert studio.session.script_path.read_text(encoding="utf-8").count(NEW_SAY) == 0


@pytest.mark.e2e
def test_a_second_studio_on_the_same_book_is_refused(studio, tmp_path):
    import socket

    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    busy_port = holder.getsockname()[1]
    with pytest.raises(NarrateError, match="another studio of this book"):
        narrate.open_studio(studio.session.folder, voices="espeak")
    done = subprocess.run([sys.executable, "-m", "narrate", "studio", str(studio.session.folder),
                           "--no-browser", "--voices", "espeak"], capture_output=True,
                          text=True, check=False, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "another studio of this book" in done.stderr and len(done.stderr.splitlines()) == 1
    studio.stop()  # a port in use: one line, and the book is let go
    with pytest.raises(NarrateError, match="choose another --port"):
        narrate.open_studio(studio.session.folder, voices="espeak", port=busy_port)
    narrate.open_studio(studio.session.folder, voices="espeak").session.close()
    holder.close()


@pytest.mark.e2e
def test_a_studio_started_without_voices_keeps_the_cast_the_book_was_built_with(studio):
    studio.stop()
    with narrate.open_studio(studio.session.folder) as again:  # no --voices: espeak's book
        assert again.session.voices == "espeak"
        result = again.session.keep(EDITED, say=NEW_SAY)
        assert result.render.rendered == [EDITED] and result.export.exported == ["01"]


@pytest.mark.e2e
def test_keep_refuses_when_the_script_changed_on_disk_and_writes_nothing(studio):
    script = studio.session.script_path
    edited_elsewhere = script.read_text(encoding="utf-8") + "\n# a note made in an editor\n"
    script.write_text(edited_elsewhere, encoding="utf-8")
    status, body = _call(studio, "/api/keep", {"id": EDITED, "say": NEW_SAY})
    assert status == 400 and "changed on disk" in json.loads(body)["error"]
    assert script.read_text(encoding="utf-8") == edited_elsewhere  # the editor's work stays


@pytest.mark.slow
def test_edit_hear_keep_and_undo_in_the_browser(studio, browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    folder = studio.session.folder
    script = studio.session.script_path
    original_script = script.read_bytes()
    before = _checksums(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    old_pieces = {c["id"]: set(c["pieces"]) for c in manifest["chapters"]}
    wait = WebDriverWait(browser, 60, poll_frequency=0.05)

    browser.get(studio.url)
    wait.until(lambda d: d.find_element(By.ID, "status").text == "ready")
    assert browser.execute_script("return window.pwned === undefined")
    assert not browser.find_elements(By.CSS_SELECTOR, "#text img, #text script")
    assert "<img" in browser.find_element(By.ID, "seg-01.002.1").text  # shown as text

    browser.find_element(By.ID, f"seg-{EDITED}").click()  # plays from it, and opens it
    wait.until(lambda d: d.find_element(By.ID, "segment-id").text == EDITED)
    say = browser.find_element(By.ID, "edit-say")
    say.clear()
    say.send_keys(NEW_SAY)
    browser.find_element(By.ID, "hear").click()
    wait.until(lambda d: d.execute_script(
        "var a = document.getElementById('new-take');"
        "return a.src !== '' && a.duration > 0 && (a.currentTime > 0 || a.ended);"))
    assert script.read_bytes() == original_script  # hearing changes nothing
    old_take = browser.execute_script("return document.getElementById('old-take').src")
    assert old_take and old_take != browser.execute_script(
        "return document.getElementById('new-take').src")

    browser.find_element(By.ID, "keep").click()
    wait.until(lambda d: d.execute_script("return document.body.dataset.kept") == "1")
    after_segments = _segments(script)
    (tmp_path / "before.yaml").write_bytes(original_script)
    before_segments = _segments(tmp_path / "before.yaml")
    changed = {i for i in before_segments if before_segments[i] != after_segments.get(i)}
    assert changed == {EDITED} and after_segments[EDITED]["say"] == NEW_SAY
    assert set(after_segments) == set(before_segments)

    after = _checksums(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    new_pieces = {c["id"]: set(c["pieces"]) for c in manifest["chapters"]}
    assert new_pieces["02"] == old_pieces["02"] and new_pieces["01"] != old_pieces["01"]
    differ = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    pieces = {n for n in differ if n.startswith(".parts/")}
    assert {Path(n).stem for n in pieces} <= (new_pieces["01"] ^ old_pieces["01"])
    chapter_one = next(n for n in before if n.startswith("01 - ") and n.endswith(".mp3"))
    assert chapter_one in differ
    book_wide = {"script.yaml", "manifest.json", "chapters.json", "metadata.json",
                 "metadata.opf", "index.html", "Rivers.cue", "Rivers.m3u8", "m4b/Rivers.m4b",
                 "01 - Rivers.vtt"}
    assert differ - pieces - {chapter_one} <= book_wide, differ
    assert not any(n.startswith("02 - ") for n in differ)  # the other chapter: every byte

    # the player reloaded at the edited sentence, and plays it highlighted
    wait.until(lambda d: d.execute_script(
        "var s = document.querySelector('.seg.active'); return s && s.dataset.id;") == EDITED)
    browser.find_element(By.ID, "undo").click()
    wait.until(lambda d: d.execute_script("return document.body.dataset.undone") == "1")
    assert script.read_bytes() == original_script
    assert _checksums(folder)[chapter_one] == before[chapter_one]  # the chapter as it was


SELECT_WORD = """var span = document.getElementById(arguments[0]), node = span.firstChild;
var at = node.textContent.indexOf(arguments[1]), range = document.createRange();
range.setStart(node, at); range.setEnd(node, at + arguments[1].length);
var selection = window.getSelection(); selection.removeAllRanges(); selection.addRange(range);
span.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));"""


@pytest.mark.slow
def test_a_pronunciation_applies_wherever_the_word_is_said_and_nowhere_else(studio, browser,  # noqa: F811
                                                                            tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    script, folder = studio.session.script_path, studio.session.folder
    original = script.read_bytes()
    wait = WebDriverWait(browser, 60, poll_frequency=0.05)
    browser.get(studio.url)
    wait.until(lambda d: d.find_element(By.ID, "status").text == "ready")
    browser.find_element(By.CSS_SELECTOR, "nav button[data-chapter='02']").click()
    wait.until(lambda d: d.find_elements(By.ID, "seg-02.002.1"))
    browser.execute_script(SELECT_WORD, "seg-02.002.1", "Volga")
    wait.until(lambda d: d.find_element(By.ID, "places-count").text == "said in 2 places")
    browser.find_element(By.ID, "respelling").send_keys("Vol-gah")
    browser.find_element(By.ID, "hear-word").click()
    wait.until(lambda d: d.execute_script(  # each place heard before and after
        "var a = document.querySelectorAll('#places audio');"
        "return a.length === 4 && Array.prototype.every.call(a, function (x) {"
        "  return x.duration > 0; });"))
    assert script.read_bytes() == original
    browser.find_element(By.ID, "keep-word").click()
    wait.until(lambda d: d.execute_script("return document.body.dataset.pronounced") == "1")

    (tmp_path / "before.yaml").write_bytes(original)
    before, after = _segments(tmp_path / "before.yaml"), _segments(script)
    changed = {i for i in before if before[i] != after[i]}
    assert changed == {"02.002.1", "02.003.1"}  # the Volga, twice; not the Volgan
    assert after["02.002.1"]["say"].count("Vol-gah") == 2
    assert "Volgan" in after["02.003.1"]["say"] and "of the Vol-gah at" in after["02.003.1"]["say"]
    assert yaml.safe_load((folder / "lexicon.yaml").read_text(encoding="utf-8")) == \
        {"volga": "Vol-gah"}
    assert narrate.script(script).segments  # the script still loads

    browser.find_element(By.ID, "undo").click()
    wait.until(lambda d: d.execute_script("return document.body.dataset.undone") == "1")
    assert script.read_bytes() == original and not (folder / "lexicon.yaml").exists()

    browser.find_element(By.ID, "run-check").click()  # narrate check, listed on the page
    wait.until(lambda d: d.execute_script("return document.body.dataset.checked") == "1")
    assert browser.find_element(By.ID, "check-status").text.startswith("check: ")
    assert (folder / "check" / "check.json").is_file()


@pytest.mark.e2e
def test_a_respelling_is_added_to_the_books_lexicon_keeping_every_byte_of_it(tmp_path):
    lexicon = tmp_path / "words.yaml"
    kept = "# my names\nMarx: Marks  # the philosopher\n"
    lexicon.write_text(kept, encoding="utf-8")
    (tmp_path / "rivers.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "rivers.yaml").write_text("title: Rivers\nauthor: A. Writer\nlexicon: words.yaml\n")
    studio = narrate.open_studio(tmp_path / "rivers.txt", voices="espeak", cache=tmp_path / "c",
                                 out=tmp_path / "out")
    session = studio.session
    with pytest.raises(NarrateError, match="not one word"):
        session.pronounce("two words", "x")
    with pytest.raises(NarrateError, match="never says"):
        session.pronounce("Danube", "Dan-yoob")
    assert [p["id"] for p in session.places("volga")] == ["02.002.1", "02.003.1"]
    session.pronounce("Volga", "Vol-gah")
    assert lexicon.read_text(encoding="utf-8").startswith(kept)  # the user's lines as they were
    assert narrate.script(session.script_path).segments
    with pytest.raises(NarrateError, match="already respells"):
        session.pronounce("marx", "Marks")
    session.undo()
    assert lexicon.read_text(encoding="utf-8") == kept
    session.close()


@pytest.mark.slow
def test_the_check_names_a_misheard_line_and_a_retake_rebuilds_its_chapter(studio):
    pytest.importorskip("faster_whisper", reason="narrate[asr]: scripts/test installs it")
    session = studio.session
    session.keep("01.001.1", say="Zorgle vimp blorft quazzing throok mebble snarf.")
    found = session.findings(asr=True)
    assert any(f["id"] == "01.001.1" for f in found), found
    result = session.retake("01.001.1")
    assert result.export.exported == ["01"] and "01.001.1" in result.render.rendered


@pytest.mark.e2e
def test_hostile_requests_get_one_line_and_the_studio_goes_on(studio):
    bodies = [b"not json", b"[1, 2]", b"{\"id\": 3}", json.dumps({"id": "9.9.9", "say": "x"}).encode(),
              json.dumps({"id": EDITED, "say": "x" * 30_000}).encode(),
              json.dumps({"id": EDITED, "role": "villain"}).encode(),
              json.dumps({"id": EDITED, "say": "   "}).encode(),
              json.dumps({"word": "two words", "respelling": "x"}).encode(),
              json.dumps({"word": "river", "respelling": "a\nb"}).encode(),
              json.dumps({"word": "<script>", "respelling": "x"}).encode()]
    for endpoint in ("hear", "keep", "places", "hear-word", "pronounce", "retake"):
        for body in bodies:
            request = urllib.request.Request(f"{studio.origin}/api/{endpoint}", body, {
                "X-Narrate-Token": studio.token, "Content-Type": "application/json"})
            if endpoint == "retake" and EDITED.encode() in body:
                continue  # a retake of a line that is there is no hostile request
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request)
            assert refused.value.code == 400, (endpoint, body[:40])
            assert json.loads(refused.value.read())["error"]
    assert _call(studio, "/api/undo", {})[0] == 400  # nothing to undo
    assert _call(studio, "/api/book")[0] == 200
    assert _raw_get(studio, "/api/keep") == 405
