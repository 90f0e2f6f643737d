"""A retake is a new take (issue 35, Trust III): a line's `take:` in the script numbers its
delivery, so that `build --only`, the studio's Retake and `--verify` make audio not heard
before, and the same take of the same line renders the same samples anywhere. Rendering
is the real engines' (espeak-ng, and hibari for the natural voice) and ffmpeg's."""

from __future__ import annotations

import hashlib
import json
import wave

import numpy as np
import pytest
from test_reliability import one_line_error, run
from test_scriptfile import SCRIPT as ONE_LINE

import narrate
from narrate import build
from narrate.edits import compose, keep_script
from narrate.errors import NarrateError
from narrate.manifest import read_manifest
from narrate.pipeline import build as pipeline_build
from narrate.render import IN_PROCESS_MAX, RenderItem, book_items, item_keys, render_items
from narrate.render.cache import Cache, voice_fingerprint
from narrate.render.engines import engine_version
from narrate.render.profiles import load_profiles
from narrate.scriptfile import load_script, to_yaml
from narrate.values import BuildOptions

LINE = "The years of reaction were over; the terror had spent itself, and he left for Vienna."
BOOK = """# One

The first chapter opens here, with a sentence of narration.

# Two

The second chapter has one line that a listener wants read again.

And another line that nobody touches.
"""
RETAKEN = "02.001.1"


def _samples(path) -> np.ndarray:
    with wave.open(str(path)) as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), np.int16)


def _takes(cast: str, tmp_path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Take 1 and take 2 of LINE in one cache, and take 2 again in another."""
    profiles = load_profiles(cast)
    rendered = []
    for take, folder in ((1, "a"), (2, "a"), (2, "b")):
        report = render_items([RenderItem("line", LINE, "narrator", take=take)], profiles,
                              Cache(tmp_path / folder), jobs=1, progress=False)
        assert not report.failed and report.rendered == ["line"]
        rendered.append(_samples(report.paths["line"]))
    return rendered[0], rendered[1], rendered[2]


@pytest.mark.e2e
def test_the_natural_voices_second_take_is_another_delivery_and_the_same_every_time(tmp_path):
    first, second, again = _takes("natural", tmp_path)
    assert len(first) != len(second)  # another pace, not only other noise
    assert not np.array_equal(first[:len(second)], second[:len(first)])
    assert np.array_equal(second, again)  # reproducible: rendered anywhere, the same samples


@pytest.mark.e2e
def test_espeaks_second_take_is_another_delivery(tmp_path):
    """espeak-ng has no noise to seed: its take 2 is read 4% slower. (It carries state
    from one utterance to the next, so one take's length varies by about 1% from render to
    render: docs/reliability.md; the pace moves it further.)"""
    first, second, again = _takes("espeak", tmp_path)
    assert len(second) > 1.03 * len(first) and len(again) > 1.03 * len(first)
    assert abs(len(again) - len(second)) < 0.01 * len(second)
    # in worker processes too (more lines than are rendered in the build's own process)
    lines = [RenderItem(f"{n}.{take}", f"{LINE} Line {n}.", "narrator", take=take)
             for n in range(IN_PROCESS_MAX + 1) for take in (1, 2)]
    pooled = render_items(lines, load_profiles("espeak"), Cache(tmp_path / "pool"), jobs=2,
                          progress=False)
    assert not pooled.failed and len(pooled.rendered) == len(lines)
    for n in range(IN_PROCESS_MAX + 1):
        one, two = (len(_samples(pooled.paths[f"{n}.{take}"])) for take in (1, 2))
        assert two > 1.03 * one, n


@pytest.mark.unit
def test_a_script_without_takes_keeps_every_cache_key(seed_book):
    """The seed's keys are what they were before takes were numbered: the speech and the
    voice fingerprint, hashed as narrate always hashed them (computed here on its own)."""
    book, _ = seed_book
    assert "take:" not in to_yaml(book)
    profiles = load_profiles("espeak")
    items = book_items(book)
    keys = item_keys(items, profiles)
    for item in items[:40]:
        voice = voice_fingerprint(profiles[item.role], engine_version(profiles[item.role].engine))
        old = hashlib.sha256(json.dumps([item.say, voice], ensure_ascii=False).encode("utf-8"))
        assert keys[item.id] == old.hexdigest()[:32], item.id
    retake = RenderItem(items[3].id, items[3].say, items[3].role, take=2)
    assert item_keys([retake], profiles)[retake.id] != keys[retake.id]


SCRIPT = ONE_LINE.replace("say: Hello.\n", "say: Hello.\n      take: 3\n")  # on line 13


@pytest.mark.unit
def test_a_take_is_read_written_and_checked_in_the_script(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SCRIPT)
    book = load_script(path)
    assert book.segments[0].take == 3 and "take: 3" in to_yaml(book)
    for bad in ("0", "two", "true", "1000", "2.5", "99999999999999999999999999"):
        path.write_text(SCRIPT.replace("take: 3", f"take: {bad}"))
        with pytest.raises(NarrateError, match=r"s\.yaml:13: `take` must be a whole number from "
                                               r"1 to 999.*remove the line for the first"):
            load_script(path)


@pytest.mark.e2e
def test_a_bad_take_is_one_line_naming_the_file_and_line(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SCRIPT.replace("take: 3", "take: -1"))
    one_line_error(run("build", path, "--out", tmp_path / "out"), "s.yaml:13", "`take`")


# ---- build --only -----------------------------------------------------------------------------

@pytest.fixture
def built(tmp_path):
    (tmp_path / "book.md").write_text(BOOK, encoding="utf-8")
    result = _build(tmp_path)
    assert not result.render.failed
    return tmp_path


def _build(work, target=None, **options):
    return build(target or work / "book.md", cache=work / "cache", out=work / "out",
                 progress=False, **options)


def _take(script, ident) -> int:
    return next(s.take for s in load_script(script).spoken if s.id == ident)


def _key(folder, ident) -> str:
    return read_manifest(folder).segments[ident]


@pytest.mark.e2e
def test_only_makes_the_next_take_keeps_it_in_the_script_and_renders_only_it(built):
    folder, script = built / "out" / "book", built / "out" / "book" / "script.yaml"
    first_key = _key(folder, RETAKEN)
    dry = _build(built, only=RETAKEN, dry_run=True)
    assert dry.plan.render == [RETAKEN] and _take(script, RETAKEN) == 1  # nothing written

    result = _build(built, only=RETAKEN)
    assert result.render.rendered == [RETAKEN] and result.export.exported == ["02"]
    assert _take(script, RETAKEN) == 2 and "take: 2" in script.read_text()
    assert [s.id for s in load_script(script).spoken if s.take != 1] == [RETAKEN]
    second_key = _key(folder, RETAKEN)
    cache = Cache(built / "cache")
    assert second_key != first_key
    assert cache.get(second_key).read_bytes() != cache.get(first_key).read_bytes()

    again = _build(built)  # the edit rule keeps the take: nothing to do
    assert again.render.rendered == [] and again.export.exported == []
    (built / "book.md").write_text(BOOK.replace("with a sentence", "with one sentence"))
    edited = _build(built)  # the source changed elsewhere: the take stays
    assert edited.render.rendered == ["01.001.1"] and _take(script, RETAKEN) == 2
    assert _key(folder, RETAKEN) == second_key

    third = _build(built, only=RETAKEN)
    assert third.render.rendered == [RETAKEN] and _take(script, RETAKEN) == 3

    for ident in ("credits", "02.000"):  # the lines narrate adds to the text's: the same
        assert _build(built, only=ident).render.rendered == [ident]
    assert _build(built).render.rendered == []
    assert _take(script, "credits") == 2 and _take(script, "02.000") == 2


@pytest.mark.e2e
def test_only_on_a_script_writes_the_take_into_it_and_keeps_the_users_copy(built):
    script = built / "mine.yaml"
    mine = "# my notes on this book\n" + (built / "out" / "book" / "script.yaml").read_text()
    script.write_text(mine)
    folder = built / "out" / "book"
    first = Cache(built / "cache").get(_key(folder, RETAKEN))
    result = run("build", script, "--only", RETAKEN, "--cache", built / "cache",
                 "--out", built / "out")
    assert result.returncode == 0, result.stderr
    assert "segments: 1 rendered" in result.stdout
    assert _take(script, RETAKEN) == 2
    assert (built / "mine.yaml~").read_text() == mine  # the user's bytes, kept aside
    # the first take of a new process's engine is at its take's pace too
    second = Cache(built / "cache").get(_key(folder, RETAKEN))
    assert len(_samples(second)) > 1.03 * len(_samples(first))


# ---- --verify ---------------------------------------------------------------------------------

def _rejects(ident: str, until: int):
    """A judge (pure logic: the renderer is real) that hears something wrong in `ident`'s
    takes before take `until`, and in no other line."""
    def judge(takes: dict, profiles: dict) -> dict[str, str]:
        return {item.id: "clipped" if item.id == ident and item.take < until else ""
                for item in takes}
    return judge


@pytest.mark.e2e
def test_verify_retakes_with_the_next_takes_and_the_book_plays_the_one_that_passed(tmp_path):
    (tmp_path / "book.md").write_text(BOOK, encoding="utf-8")
    options = BuildOptions(out=tmp_path / "out", cache=tmp_path / "cache", verify=3,
                           progress=False)
    result = pipeline_build(tmp_path / "book.md", options, judge=_rejects(RETAKEN, 3))
    assert result.verify.takes == {RETAKEN: 3} and not result.verify.failing
    assert result.verify.retaken == [RETAKEN, RETAKEN]
    folder = tmp_path / "out" / "book"
    assert _take(folder / "script.yaml", RETAKEN) == 3
    profiles = load_profiles("espeak")
    say = next(s.say for s in load_script(folder / "script.yaml").spoken if s.id == RETAKEN)
    played = item_keys([RenderItem(RETAKEN, say, "narrator", take=3)], profiles)[RETAKEN]
    assert _key(folder, RETAKEN) == played  # the chapter was made from the take that passed
    assert Cache(tmp_path / "cache").get(played)

    never = pipeline_build(tmp_path / "book.md", BuildOptions(
        out=tmp_path / "out2", cache=tmp_path / "cache2", verify=1, progress=False),
        judge=_rejects(RETAKEN, 99))
    assert never.verify.failing == {RETAKEN: "clipped"} and never.verify.takes == {}
    assert _take(tmp_path / "out2" / "book" / "script.yaml", RETAKEN) == 1


# ---- the edit rule --------------------------------------------------------------------------

TEXT = "Notes\n\nFirst, the swans came over the hill.\n\nThen, the geese.\n"


@pytest.mark.unit
def test_a_take_is_an_edit_the_next_conversion_keeps_until_its_paragraph_changes(tmp_path):
    source, script = tmp_path / "notes.md", tmp_path / "script.yaml"
    source.write_text(TEXT)
    keep_script(narrate.script(source), narrate.script(source), script)
    script.write_text(script.read_text().replace("say: Then, the geese.\n",
                                                 "say: Then, the geese.\n      take: 2\n"))
    source.write_text(TEXT.replace("First, the swans", "At first, the swans"))
    composed, _ = compose(narrate.script(source), script)
    assert [(s.say, s.take) for s in composed.segments][1:] == [
        ("At first, the swans came over the hill.", 1), ("Then, the geese.", 2)]

    source.write_text(TEXT.replace("Then, the geese.", "Then, the grey geese."))
    composed, lines = compose(narrate.script(source), script)  # no conflict to settle
    assert [(s.say, s.take) for s in composed.segments][-1] == ("Then, the grey geese.", 1)
    assert any("taken again" in line and "first take" in line for line in lines), lines


# ---- the studio -------------------------------------------------------------------------------

@pytest.mark.e2e
def test_the_studios_retake_keeps_the_next_take_and_undo_puts_the_first_back(tmp_path):
    (tmp_path / "book.md").write_text(BOOK, encoding="utf-8")
    session = narrate.open_studio(tmp_path / "book.md", voices="espeak", cache=tmp_path / "c",
                                  out=tmp_path / "out").session
    try:
        first_key = _key(session.folder, RETAKEN)
        result = session.retake(RETAKEN)
        assert result.render.rendered == [RETAKEN] and result.export.exported == ["02"]
        assert _take(session.script_path, RETAKEN) == 2 and session.view()["undo"] == 1
        assert _key(session.folder, RETAKEN) != first_key
        session.undo()
        assert _take(session.script_path, RETAKEN) == 1
        assert _key(session.folder, RETAKEN) == first_key
    finally:
        session.close()
