"""narrate studio under attack: a real server (uvicorn on 127.0.0.1) over a book built
with the real engine and ffmpeg, sent hostile requests with real sockets. A failed
request leaves every file and the studio's memory as they were; the server's limits
hold; the token stays off command lines. Every wait is for an event, never a sleep."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_studio import EDITED, NEW_SAY, TEXT, _call, _segments

import narrate


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
