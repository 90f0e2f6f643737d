"""narrate studio under attack: a real server (uvicorn on 127.0.0.1) over a book built
with the real engine and ffmpeg, sent hostile requests with real sockets. A failed
request leaves every file and the studio's memory as they were; the server's limits
hold; the token stays off command lines. Every wait is for an event, never a sleep."""

from __future__ import annotations

import json
import re
import select
import shutil
import socket
from pathlib import Path

import pytest
from conftest import wait_until
from test_page import browser  # noqa: F401 - the headless Chromium fixture
from test_studio import EDITED, NEW_SAY, TEXT, _call, _segments

import narrate
from narrate.faults import _passes  # how often each point was passed in this process


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The book of tests/test_studio.py built once; each test gets its own copy."""
    home = tmp_path_factory.mktemp("built")
    (home / "rivers.txt").write_text(TEXT, encoding="utf-8")
    (home / "rivers.yaml").write_text("title: Rivers\nauthor: A. Writer\n")
    return narrate.build(home / "rivers.txt", out=home / "out", voices="espeak",
                         cache=home / "c").folder


@pytest.fixture
def folder(built, tmp_path) -> Path:
    copy = tmp_path / "out" / built.name
    shutil.copytree(built, copy, symlinks=True)
    return copy


@pytest.fixture
def studio(folder):
    running = narrate.open_studio(folder, voices="espeak").start()
    yield running
    running.stop()


def _post_raw(studio, path: str, body: bytes) -> tuple[int, dict]:
    """A POST of `body` exactly as written (JSON escapes such as a lone surrogate kept)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(studio.origin + path, body, {
        "X-Narrate-Token": studio.token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _view(studio) -> dict:
    status, body = _call(studio, "/api/book")
    assert status == 200
    return json.loads(body)


def _said(view: dict, ident: str) -> dict:
    return next(s for c in view["chapters"] for s in c["segments"] if s["id"] == ident)


@pytest.mark.e2e
def test_a_keep_that_fails_changes_nothing_in_memory_or_on_disk(studio):
    script = studio.session.script_path
    before, shown = script.read_bytes(), _said(_view(studio), EDITED)
    for body in (b'{"id": "%s", "say": "A \\ud800 river."}' % EDITED.encode(),
                 b'{"id": "%s", "text": "A \\udfff river."}' % EDITED.encode(),
                 b'{"id": "%s", "say": "A river\\u0000 runs."}' % EDITED.encode()):
        status, answer = _post_raw(studio, "/api/keep", body)
        assert status == 400 and len(answer["error"].splitlines()) == 1, answer
        assert EDITED in answer["error"]
        assert script.read_bytes() == before
        assert _said(_view(studio), EDITED) == shown  # the page still loads, as it was
    status, answer = _post_raw(studio, "/api/undo", b"{}")
    assert status == 400 and answer["error"] == "nothing to undo"
    assert _call(studio, "/api/keep", {"id": EDITED, "say": NEW_SAY})[0] == 200  # it goes on
    assert _segments(script)[EDITED]["say"] == NEW_SAY


@pytest.mark.e2e
def test_a_pronunciation_that_fails_writes_no_lexicon_and_changes_nothing(studio):
    script, lexicon = studio.session.script_path, studio.session.folder / "lexicon.yaml"
    before = script.read_bytes()
    shown = [_said(_view(studio), i) for i in ("02.002.1", "02.003.1")]
    for respelling in ("Vol\\ud800gah", "Vol\\u0085gah"):
        status, answer = _post_raw(studio, "/api/pronounce", b'{"word": "Volga", '
                                   b'"respelling": "' + respelling.encode() + b'"}')
        assert status == 400 and len(answer["error"].splitlines()) == 1, answer
        assert not lexicon.exists() and script.read_bytes() == before
        assert [_said(_view(studio), i) for i in ("02.002.1", "02.003.1")] == shown
    assert _post_raw(studio, "/api/undo", b"{}")[1]["error"] == "nothing to undo"


@pytest.fixture
def built_with_lexicon(built, tmp_path) -> Path:
    """The book built with a lexicon of its own named by its metadata (words.yaml), its
    takes from the cache of `built`."""
    (tmp_path / "rivers.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "rivers.yaml").write_text("title: Rivers\nauthor: A. Writer\nlexicon: words.yaml\n")
    (tmp_path / "words.yaml").write_text("Marx: Marks\n", encoding="utf-8")
    return narrate.build(tmp_path / "rivers.txt", out=tmp_path / "out", voices="espeak",
                         cache=built.parent.parent / "c").folder


# valid lexicons a line appended to would break (each holds Marx: Marks and Engels: Engles)
NOT_BLOCK_STYLE = {"JSON": '{"Marx": "Marks", "Engels": "Engles"}',
                   "flow": "{Marx: Marks,\n Engels: Engles}\n",
                   "ended": "Marx: Marks\nEngels: Engles\n...\n",
                   "indented": "  Marx: Marks\n  Engels: Engles\n"}


@pytest.mark.e2e
def test_keep_pronunciation_never_breaks_a_lexicon_it_cannot_append_to(built_with_lexicon):
    from narrate.metadata import load_lexicon

    words = built_with_lexicon.parent.parent / "words.yaml"
    folder_lexicon = built_with_lexicon / "lexicon.yaml"
    with narrate.open_studio(built_with_lexicon).start() as studio:
        for layout, text in NOT_BLOCK_STYLE.items():
            words.write_text(text, encoding="utf-8")
            assert load_lexicon(words).entries == {"Marx": "Marks", "Engels": "Engles"}
            status, answer = _call(studio, "/api/pronounce",
                                   {"word": "Volga", "respelling": "Vol-gah"})
            assert status == 200, (layout, answer)
            notes = json.loads(answer)["notes"]
            assert len(notes) == 1 and str(words) in notes[0] and str(folder_lexicon) in notes[0]
            assert words.read_text(encoding="utf-8") == text, layout  # every byte as it was
            assert load_lexicon(folder_lexicon).entries == {"volga": "Vol-gah"}
            assert _segments(studio.session.script_path)["02.002.1"]["say"].count("Vol-gah") == 2
            assert _call(studio, "/api/keep", {"id": EDITED, "say": NEW_SAY})[0] == 200, layout
            for _ in range(2):  # the Keep, then the pronunciation
                assert _call(studio, "/api/undo", {})[0] == 200, layout
            assert not folder_lexicon.exists() and words.read_text(encoding="utf-8") == text
        assert _call(studio, "/api/pronounce", {"word": "Volga", "respelling": "Vol-gah"})[0] \
            == 200
    # the next build of the source reads the lexicon as the user wrote it
    again = narrate.build(built_with_lexicon.parent.parent / "rivers.txt", voices="espeak",
                          out=built_with_lexicon.parent)
    assert again.export is not None


@pytest.mark.e2e
def test_keep_pronunciation_edits_a_linked_lexicon_through_its_link(built_with_lexicon, tmp_path):
    from narrate.metadata import load_lexicon

    words = built_with_lexicon.parent.parent / "words.yaml"
    shared = tmp_path / "shared" / "names.yaml"
    shared.parent.mkdir()
    shared.write_text("# names every book says\nMarx: Marks\n", encoding="utf-8")
    words.unlink(missing_ok=True)
    words.symlink_to(shared)
    with narrate.open_studio(built_with_lexicon).start() as studio:
        status, answer = _call(studio, "/api/pronounce", {"word": "Volga", "respelling": "Vol-gah"})
        assert status == 200
        assert words.is_symlink() and words.resolve() == shared  # still shared
        assert json.loads(answer)["notes"] == []  # it went where the book reads it
        assert load_lexicon(shared).entries == {"Marx": "Marks", "volga": "Vol-gah"}
        assert shared.read_text(encoding="utf-8").startswith("# names every book says\nMarx: Marks\n")
        assert _call(studio, "/api/undo", {})[0] == 200
        assert words.is_symlink() and shared.read_text(encoding="utf-8") == \
            "# names every book says\nMarx: Marks\n"


FIRST = "The first river runs north through the hills, and the mill stands on its bank."


def _hand_edit(script: Path, old: str, new: str) -> None:
    text = script.read_text(encoding="utf-8")
    assert text.count(old) == 1
    script.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.e2e
def test_the_studio_says_a_text_edited_by_hand_by_the_rule_a_build_uses(folder):
    _hand_edit(folder / "script.yaml", f"text: {FIRST}", "text: The first river runs west past 3 mills.")
    with narrate.open_studio(folder).start() as studio:
        shown = _said(_view(studio), EDITED)
        assert shown["text"] == "The first river runs west past 3 mills."
        assert shown["say"] == "The first river runs west past three mills."  # as a build says it
        status, body = _call(studio, "/api/keep", {"id": "01.002.1", "say": "It said nothing."})
        assert status == 200  # a Keep elsewhere leaves the hand edit as the user wrote it
        assert _segments(folder / "script.yaml")[EDITED]["say"] == FIRST
        assert _said(json.loads(body)["book"], EDITED)["say"] == shown["say"]
    spoken = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["spoken"]
    assert "three mills" in json.dumps(spoken[EDITED])


@pytest.mark.e2e
def test_a_text_kept_in_the_studio_still_follows_a_later_hand_edit_of_it(folder):
    script = folder / "script.yaml"
    with narrate.open_studio(folder).start() as studio:
        shown = _said(_view(studio), EDITED)  # the page sends the say it shows, unchanged
        status, body = _call(studio, "/api/keep", {"id": EDITED, "say": shown["say"],
                                                   "text": "The river runs past 2 mills."})
        assert status == 200
        assert _said(json.loads(body)["book"], EDITED)["say"] == "The river runs past two mills."
    _hand_edit(script, "text: The river runs past 2 mills.", "text: The river runs past 4 mills.")
    narrate.build(script, out=folder.parent, voices="espeak")
    spoken = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["spoken"]
    assert "four mills" in json.dumps(spoken[EDITED]), spoken[EDITED]  # heard, not the old say


def _exchange(studio, head: bytes, body: bytes = b"", timeout: float = 30) -> bytes:
    """Send `head` (and `body`) on a raw socket and read what the studio answers until it
    closes; the timeout is a safety net only (a studio that never answers fails)."""
    with socket.create_connection(("127.0.0.1", studio.port), timeout=timeout) as sock:
        sock.sendall(head + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def _head(studio, method: str, path: str, *lines: str, host: str | None = None) -> bytes:
    host = f"127.0.0.1:{studio.port}" if host is None else host
    return "\r\n".join([f"{method} {path} HTTP/1.1", f"Host: {host}",
                        f"X-Narrate-Token: {studio.token}", "Connection: close", *lines,
                        "", ""]).encode()


@pytest.mark.e2e
def test_a_request_naming_another_host_is_refused_dns_rebinding(studio):
    for host in ("evil.example", f"evil.example:{studio.port}", f"127.0.0.1:{studio.port + 1}",
                 ""):
        answer = _exchange(studio, _head(studio, "GET", "/api/book", host=host))
        assert answer.startswith(b"HTTP/1.1 403"), (host, answer[:80])
    for host in (f"127.0.0.1:{studio.port}", f"localhost:{studio.port}"):
        assert _exchange(studio, _head(studio, "GET", "/api/book", host=host)).startswith(
            b"HTTP/1.1 200"), host


@pytest.mark.e2e
def test_a_request_body_over_the_limit_is_refused_before_it_is_read(studio):
    answer = _exchange(studio, _head(studio, "POST", "/api/keep", "Content-Length: 300000000",
                                     "Content-Type: application/json"), b'{"id": "')
    assert answer.startswith(b"HTTP/1.1 413") and b"at most 1 MB" in answer
    chunks = b"".join(b"%x\r\n%s\r\n" % (60_000, b"x" * 60_000) for _ in range(20))  # 1.2 MB
    try:  # a body of no declared length is read up to the limit, no further
        answer = _exchange(studio, _head(studio, "POST", "/api/keep", "Transfer-Encoding: chunked",
                                         "Content-Type: application/json"), chunks + b"0\r\n\r\n")
    except (ConnectionResetError, BrokenPipeError):
        answer = b"HTTP/1.1 413 (the rest of the body refused unread: a reset)"
    assert answer.startswith(b"HTTP/1.1 413")  # it was read whole: 400, not JSON
    assert _call(studio, "/api/book")[0] == 200


@pytest.mark.e2e
def test_idle_and_half_sent_connections_are_closed_and_bounded(studio, monkeypatch):
    from narrate.studio import guard, limits

    monkeypatch.setattr(limits, "IDLE_SECONDS", 1.0)
    monkeypatch.setattr(guard, "BODY_SECONDS", 1.0)
    assert _exchange(studio, b"") == b""  # nothing sent: closed
    assert _exchange(studio, b"GET /api/book HTTP/1.1\r\nHost: 127.0.0.1\r\n") == b""  # half
    half_body = _exchange(studio, _head(studio, "POST", "/api/keep", "Content-Length: 100",
                                        "Content-Type: application/json"), b'{"id": "01')
    assert half_body.startswith(b"HTTP/1.1 408")
    monkeypatch.setattr(limits, "IDLE_SECONDS", 600.0)  # now only the bound closes them
    monkeypatch.setattr(limits, "MOST_CONNECTIONS", 20)
    idle = [socket.create_connection(("127.0.0.1", studio.port), timeout=30) for _ in range(80)]
    try:
        assert _call(studio, "/api/book")[0] == 200  # the page still gets through

        def closed() -> int:
            ready = select.select(idle, [], [], 0)[0]
            return sum(1 for sock in ready if sock.recv(1) == b"")
        assert wait_until(lambda: closed() >= 60 - 1, 30)  # all but the newest twenty
    finally:
        for sock in idle:
            sock.close()


@pytest.mark.e2e
def test_the_books_own_pages_are_served_sandboxed(studio):
    folder = studio.session.folder
    (folder / "drawing.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>'
                                        'fetch("/api/undo")</script></svg>', encoding="utf-8")
    for name in ("index.html", "drawing.svg", "manifest.json"):
        answer = _exchange(studio, _head(studio, "GET", f"/book/{name}"))
        head = answer.split(b"\r\n\r\n")[0].decode().lower()
        assert head.startswith("http/1.1 200"), name
        policy = next(line for line in head.splitlines()
                      if line.startswith("content-security-policy:"))
        assert "sandbox" in policy and "default-src 'none'" in policy, name
        assert "x-content-type-options: nosniff" in head and "referrer-policy: no-referrer" in head


@pytest.mark.e2e
def test_many_hears_at_once_never_keep_the_page_waiting(studio, monkeypatch, tmp_path):
    import threading

    held = tmp_path / "held"
    monkeypatch.setenv("NARRATE_HOLD_AT", f"studio-hear:{_passes.get('studio-hear', 0) + 1}")
    monkeypatch.setenv("NARRATE_HOLD_FILE", str(held))
    answers: list[int] = []

    def hear(n: int) -> None:
        answers.append(_call(studio, "/api/hear", {"id": EDITED, "say": f"A river, {n}."})[0])

    first = threading.Thread(target=hear, args=(0,))
    first.start()
    assert wait_until(held.exists, 60)  # the first Hear is at work, held
    others = [threading.Thread(target=hear, args=(n,)) for n in range(1, 60)]
    for thread in others:
        thread.start()
    # the page is served meanwhile: its book, a take, a file (they waited for a thread)
    with socket.create_connection(("127.0.0.1", studio.port), timeout=20) as sock:
        sock.sendall(_head(studio, "GET", "/api/book"))
        assert sock.recv(12) == b"HTTP/1.1 200"
    assert _exchange(studio, _head(studio, "GET", "/book/manifest.json"), timeout=20) \
        .startswith(b"HTTP/1.1 200")
    held.unlink()  # let the first go
    for thread in [first, *others]:
        thread.join()
    assert sorted(set(answers)) == [200, 503] and answers.count(200) <= 1 + 8


@pytest.mark.e2e
def test_a_hear_whose_page_has_gone_is_not_rendered(studio, monkeypatch, tmp_path):
    import threading

    held = tmp_path / "held"
    monkeypatch.setenv("NARRATE_HOLD_AT", f"studio-hear:{_passes.get('studio-hear', 0) + 1}")
    monkeypatch.setenv("NARRATE_HOLD_FILE", str(held))
    first = threading.Thread(target=_call, args=(studio, "/api/hear",
                                                 {"id": EDITED, "say": "A river, first."}))
    first.start()
    assert wait_until(held.exists, 60)
    body = json.dumps({"id": EDITED, "say": "A river that no one waits for."}).encode()
    gone = socket.create_connection(("127.0.0.1", studio.port), timeout=30)
    gone.sendall(_head(studio, "POST", "/api/hear", f"Content-Length: {len(body)}",
                       "Content-Type: application/json") + body)
    gone.close()  # the page went before its turn came
    held.unlink()
    first.join()
    assert _call(studio, "/api/hear", {"id": EDITED, "say": "A river, last."})[0] == 200  # in turn after the one that went: that one is decided
    takes = studio.session.folder / ".studio" / "takes"
    assert len(list(takes.iterdir())) == 2, sorted(takes.iterdir())  # the first and the last


@pytest.mark.e2e
def test_the_browser_opens_without_blocking_and_never_sees_the_token(folder, tmp_path):
    """A console browser ($BROWSER) that does not return: the studio serves meanwhile,
    and the browser's command line (readable by any local user) holds a code good once."""
    import contextlib
    import os
    import subprocess
    import sys
    import urllib.request

    from conftest import ROOT

    fifo, argv = tmp_path / "browser-waits", tmp_path / "argv"
    os.mkfifo(fifo)
    fake = tmp_path / "browser"
    fake.write_text(f'#!/bin/sh\necho "$@" > {argv}.part && mv {argv}.part {argv}\n'
                       f"cat {fifo} > /dev/null\n")
    fake.chmod(0o755)
    env = {**os.environ, "BROWSER": str(fake), "PYTHONPATH": str(ROOT)}
    studio = subprocess.Popen([sys.executable, "-m", "narrate", "studio", str(folder),
                               "--voices", "espeak"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        printed = studio.stdout.readline()  # the address, with its token: on the terminal
        url = printed.split()[2]
        token = url.split("token=")[1]
        assert wait_until(argv.exists, 60, studio), studio.stderr.read()
        opened = argv.read_text().strip()
        assert token not in opened and "code=" in opened
        origin = url.split("/?")[0]
        request = urllib.request.Request(origin + "/api/book", headers={"X-Narrate-Token": token})
        with urllib.request.urlopen(request, timeout=30) as answer:  # served: the browser waits
            assert answer.status == 200
        with urllib.request.urlopen(opened, timeout=30) as answer:  # the code opens the page
            assert f'content="{token}"' in answer.read().decode()
        with pytest.raises(urllib.error.HTTPError) as again:  # once
            urllib.request.urlopen(opened, timeout=30)
        assert again.value.code == 403
    finally:
        with contextlib.suppress(OSError):  # the browser returns (if it was started)
            release = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.write(release, b"done\n")
            os.close(release)
        studio.send_signal(2)  # Ctrl-C
        studio.communicate(timeout=60)


@pytest.mark.slow
def test_the_page_opened_by_a_one_time_code_loads_and_reloads(studio, browser):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60, poll_frequency=0.05)
    browser.get(studio.browser_url())
    wait.until(lambda d: d.find_element(By.ID, "status").text == "ready")
    assert "code=" not in browser.current_url
    browser.refresh()  # the code is spent; the page's address now works again
    wait.until(lambda d: d.find_element(By.ID, "status").text == "ready")


@pytest.mark.e2e
def test_a_keep_from_a_page_older_than_the_book_is_refused_two_tabs(studio):
    script = studio.session.script_path
    first, second = _view(studio), _view(studio)  # two tabs open on the book
    assert first["version"] == second["version"]
    status, body = _call(studio, "/api/keep", {"id": EDITED, "say": NEW_SAY,
                                               "version": first["version"]})
    assert status == 200 and json.loads(body)["book"]["version"] != first["version"]
    kept = script.read_bytes()
    old = _said(second, EDITED)  # the second tab still shows the old line: its edit of the
    for path, edit in (("/api/keep", {"id": EDITED, "say": old["say"], "text": "A new text."}),
                       ("/api/keep", {"id": "01.002.1", "say": "Something else."}),
                       ("/api/undo", {})):  # text, another line, or an Undo of the first's
        status, body = _call(studio, path, {**edit, "version": second["version"]})
        assert status == 409 and "another" in json.loads(body)["error"], (path, body)
        assert script.read_bytes() == kept  # the first tab's Keep stands
    assert _call(studio, "/api/undo", {"version": _view(studio)["version"]})[0] == 200


@pytest.mark.e2e
def test_the_studio_on_a_books_script_from_another_folder_opens_that_book(folder, tmp_path,
                                                                          monkeypatch):
    from narrate.errors import NarrateError

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with narrate.open_studio(folder / "script.yaml") as studio:
        assert studio.session.folder == folder
    assert list(elsewhere.iterdir()) == []  # no copy built under ./output
    for bad in ("a\x00b", "a" * 300, f"{folder}/\x00/script.yaml"):
        with pytest.raises(NarrateError):
            narrate.open_studio(bad)


@pytest.mark.e2e
def test_a_book_path_with_a_nul_or_too_long_is_404_not_a_traceback(studio, capfd):
    for path in ("/book/%00", "/book/a%00b.html", "/book/" + "a" * 300, "/book/" + "a/" * 3000,
                 "/book/%ff%fe.mp3"):
        answer = _exchange(studio, _head(studio, "GET", path))
        assert answer.startswith(b"HTTP/1.1 404"), (path[:30], answer[:40])
    assert "Traceback" not in capfd.readouterr().err


def _studio_process(folder: Path, **env: str):
    """`narrate studio FOLDER` in its own process, and the address it printed."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    process = subprocess.Popen([sys.executable, "-m", "narrate", "studio", str(folder),
                                "--no-browser", "--voices", "espeak"],
                               env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return process, process.stdout.readline().split()[2]


@pytest.mark.e2e
def test_a_studio_killed_in_a_keep_starts_again_with_audio_and_undo_that_match(folder):
    import urllib.error
    import urllib.request

    script = folder / "script.yaml"
    original = script.read_bytes()
    process, url = _studio_process(folder, NARRATE_KILL_AT="sidecars")  # killed mid-rebuild
    try:
        origin, token = url.split("/?token=")
        request = urllib.request.Request(origin + "/api/keep", json.dumps(
            {"id": EDITED, "say": NEW_SAY}).encode(), {"X-Narrate-Token": token,
                                                       "Content-Type": "application/json"})
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            urllib.request.urlopen(request, timeout=120)
        assert process.wait(timeout=120) == -9
    finally:
        process.kill()
        process.communicate()
    assert _segments(script)[EDITED]["say"] == NEW_SAY  # written before the build was cut
    with narrate.open_studio(folder).start() as studio:
        view = _view(studio)
        assert _said(view, EDITED)["say"] == NEW_SAY and view["undo"] == 1
        spoken = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["spoken"]
        assert spoken[EDITED]["say"] == NEW_SAY  # the audio says what the page shows
        assert _call(studio, "/api/undo", {"version": view["version"]})[0] == 200
        assert script.read_bytes() == original and _view(studio)["undo"] == 0


@pytest.mark.e2e
def test_undo_outlives_the_studio_but_never_reverts_a_later_hand_edit(folder):
    script = folder / "script.yaml"
    original = script.read_bytes()
    with narrate.open_studio(folder).start() as studio:
        for ident, say in ((EDITED, NEW_SAY), ("01.002.1", "It said nothing at all.")):
            assert _call(studio, "/api/keep", {"id": ident, "say": say})[0] == 200
    with narrate.open_studio(folder).start() as studio:  # started again: both can be undone
        assert _view(studio)["undo"] == 2
        assert _call(studio, "/api/undo", {})[0] == 200
        assert _segments(script)["01.002.1"]["say"] != "It said nothing at all."
    _hand_edit(script, f"say: {NEW_SAY}", "say: The first river, edited by hand.")
    with narrate.open_studio(folder).start() as studio:
        assert _view(studio)["undo"] == 0
        status, body = _call(studio, "/api/undo", {})
        assert status == 400 and "changed since" in json.loads(body)["error"]
        assert "edited by hand" in _segments(script)[EDITED]["say"]  # the hand edit stands
    assert script.read_bytes() != original


@pytest.mark.e2e
def test_the_takes_the_page_plays_are_bounded(studio, monkeypatch):
    from narrate.studio import takes

    monkeypatch.setattr(takes, "MOST_TAKES", 3)
    kept = studio.session.folder / ".studio" / "takes"
    ids = [s["id"] for c in _view(studio)["chapters"] for s in c["segments"]]
    assert len(ids) > 6
    for ident in ids:  # each sentence selected once
        status, body = _call(studio, f"/api/take?id={ident}")
        assert status == 200
        take = json.loads(body)
        assert _call(studio, "/book/" + take["file"])[0] == 200  # the one just asked plays
        assert len(list(kept.iterdir())) <= 3
    heard = [json.loads(_call(studio, "/api/hear", {"id": EDITED, "say": f"A river, {n}."})[1])
             for n in range(4)]
    assert len(list(kept.iterdir())) <= 3
    assert (studio.session.folder / heard[-1]["file"]).is_file()


@pytest.mark.e2e
def test_a_hear_of_a_run_of_backticks_is_answered_at_once(studio):
    import urllib.error
    import urllib.request

    for text in ("`" * 20_000, "*a " * 6_600):
        request = urllib.request.Request(studio.origin + "/api/hear", json.dumps(
            {"id": EDITED, "text": text}).encode(), {"X-Narrate-Token": studio.token,
                                                     "Content-Type": "application/json"})
        try:  # the timeout is a safety net: it took minutes, every other request waiting
            with urllib.request.urlopen(request, timeout=60) as answer:
                assert answer.status == 200
        except urllib.error.HTTPError as refused:
            assert refused.code == 400 and "nothing to say" in refused.read().decode()
    assert _call(studio, "/api/hear", {"id": EDITED, "say": NEW_SAY})[0] == 200


@pytest.mark.e2e
def test_hundreds_of_idle_connections_neither_jam_the_studio_nor_fill_the_terminal(folder):
    """The studio's process may open 256 files: 600 idle sockets made it unreachable, and
    every accept refused printed a traceback (26,000 of them for 1,100 sockets)."""
    import os
    import subprocess
    import sys
    import urllib.request

    from conftest import ROOT

    process = subprocess.Popen(["sh", "-c", 'ulimit -n 256 && exec "$0" "$@"', sys.executable,
                                "-m", "narrate", "studio", str(folder), "--no-browser",
                                "--voices", "espeak"],
                               env={**os.environ, "PYTHONPATH": str(ROOT)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    idle: list[socket.socket] = []
    try:
        origin, token = process.stdout.readline().split()[2].split("/?token=")
        port = int(origin.rsplit(":", 1)[1])
        for _ in range(600):
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=30))
        request = urllib.request.Request(origin + "/api/book", headers={"X-Narrate-Token": token})
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200
    finally:
        for sock in idle:
            sock.close()
        process.send_signal(2)
        _, errors = process.communicate(timeout=60)
    assert "Traceback" not in errors and len(errors.splitlines()) < 10, errors[-2000:]


@pytest.mark.e2e
def test_the_page_declares_an_icon_that_it_serves(studio):
    status, page = _call(studio, "/")
    icon = re.search(r'<link rel="icon"[^>]* href="([^"]+)"', page.decode())
    assert status == 200 and icon, "a page with no icon: the browser asks /favicon.ico (403)"
    status, svg = _call(studio, icon.group(1).replace("&amp;", "&"))
    assert status == 200 and svg.startswith(b"<svg")
