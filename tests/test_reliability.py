"""Hardening: bad input, faults, and the table in docs/reliability.md (real engine, real ffmpeg)."""

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import threading

import pytest
from conftest import alive_in_group, stop_group, wait_until
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narrate import build
from narrate.convert import words
from narrate.errors import InputError, NarrateError
from narrate.plan import load_book
from narrate.read.files import decode

NARRATE = [sys.executable, "-m", "narrate"]


def run(*args, env=None, **kw):
    return subprocess.run(NARRATE + [str(a) for a in args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300, check=False, **kw)


def one_line_error(result, *needles):
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


# ---- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, data, needle", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\t\n   \n", "empty"),
    ("song.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(200), "cannot read .mp3"),
    ("picture.txt", b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG"),
])
def test_unusable_files_are_one_line_errors_and_write_nothing(tmp_path, name, data, needle):
    source = tmp_path / name
    source.write_bytes(data)
    result = run("build", source, "--out", tmp_path / "out", "--cache", tmp_path / "c")
    one_line_error(result, str(source), needle)
    assert not (tmp_path / "out").exists()


def test_folder_and_missing_path(tmp_path):
    one_line_error(run("script", tmp_path), "folder")
    one_line_error(run("script", tmp_path / "nope.txt"), "no such file")


def test_path_with_spaces_and_non_ascii_builds(tmp_path):
    folder = tmp_path / "mes livres à lire"
    folder.mkdir()
    source = folder / "Ça va – été.txt"
    source.write_text("Une phrase courte, lue à voix haute.\n", encoding="utf-8")
    result = run("build", source, "--out", folder / "sortie", "--cache", tmp_path / "c")
    assert result.returncode == 0, result.stderr
    made = list((folder / "sortie").glob("*/*.mp3"))
    assert len(made) == 1 and made[0].stat().st_size > 1000


@pytest.mark.parametrize("data, encoding", [
    ("\ufeffA line.\r\nAnother.\rThird.\n".encode("utf-8"), "utf-8-sig"),
    ("A line in UTF-16.\n".encode("utf-16"), "utf-16"),
    ("Caf\u00e9 na\u00efve \u2013 r\u00e9sum\u00e9.\n".encode("cp1252"), "cp1252"),
    (b"Nul\x00 byte and \x07 bell here.\n", "utf-8"),
])
def test_encodings_and_control_characters(data, encoding):
    source = decode(data)
    assert source.encoding == encoding
    assert "\x00" not in source.text and "\x07" not in source.text and "\r" not in source.text


def test_lone_surrogate_in_a_string_is_replaced():
    from narrate.convert import convert
    book, _ = convert("Before \ud83d after.")
    assert book.segments[0].say == "Before after."


def test_strange_text_shapes_build_end_to_end(tmp_path):
    shapes = [
        "a" * 200 + " is a word of two hundred letters.",
        "!!! ??? ... ;;; ---",
        "Emoji 😀🎉 in a sentence.",
        "Right to left: שלום עולם and مرحبا بالعالم.",
        "CJK: 你好，世界。日本語のテキスト。",
        "A number: 1234567890123456789012345678901234567890.",
        "-rf / ; $(touch PWNED) `touch PWNED2` && echo hi",
    ]
    source = tmp_path / "shapes.txt"
    source.write_text("\n\n".join(shapes) + "\n", encoding="utf-8")
    result = run("build", source, "--out", tmp_path / "out", "--cache", tmp_path / "c",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "PWNED").exists() and not (tmp_path / "PWNED2").exists()
    book = load_book(source)
    said = " ".join(s.say for s in book.segments)
    assert "touch PWNED" in said  # spoken, not executed
    assert "four two" not in said and "one two three four five" in said
    manifest = json.loads(next((tmp_path / "out").glob("*/manifest.json")).read_text())
    assert sum(len(c["cues"]) for c in manifest["chapters"]) >= 6


@pytest.mark.slow  # a whole build of a 50,000-character line
def test_fifty_thousand_character_paragraph_without_a_full_stop(tmp_path):
    text = " ".join(f"word{i % 97}" for i in range(7000))  # about 50,000 characters
    assert len(text) > 45000 and "." not in text
    source = tmp_path / "long.txt"
    source.write_text(text)
    book = load_book(source)
    assert all(len(s.text) <= 400 for s in book.segments)
    assert words(" ".join(s.text for s in book.segments)) == words(text)
    from narrate.pipeline import render_book
    report = render_book(book, cache=tmp_path / "c")
    assert not report.failed and len(report.rendered) == len(book.segments)


@pytest.mark.slow
def test_hundreds_of_markers_nest_the_table_and_all_read_back(tmp_path):
    source = tmp_path / "many.txt"
    source.write_text("\n\n".join(f"Paragraph number {i} is here." for i in range(300)))
    result = build(source, cache=tmp_path / "c", out=tmp_path / "out", progress=False,
                   credits=False)
    [mp3] = result.folder.glob("*.mp3")
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(mp3)],
                           capture_output=True, text=True, check=True)
    chapters = json.loads(probe.stdout)["chapters"]
    assert len(chapters) == 300
    starts = [float(c["start_time"]) for c in chapters]
    assert starts == sorted(starts)
    from mutagen.id3 import ID3
    tocs = ID3(str(mp3)).getall("CTOC")
    assert len(tocs) == 3 and max(len(t.child_element_ids) for t in tocs) <= 255


@pytest.mark.slow
def test_hundreds_of_chapters_and_hostile_titles(tmp_path):
    headings = ["CON", "a/b", "..", "x: y", "NUL.txt"] + [f"Part {i}" for i in range(5, 270)]
    source = tmp_path / "book.md"
    source.write_text("\n\n".join(f"# {h}\n\nText {i}." for i, h in enumerate(headings)))
    result = build(source, cache=tmp_path / "c", out=tmp_path / "out", progress=False,
                   credits=False, jobs=2)
    files = sorted(p.name for p in result.folder.glob("*.mp3"))
    assert len(files) == 270
    assert files[:5] == ["001 - _CON.mp3", "002 - a b.mp3", "003 - untitled.mp3", "004 - x y.mp3",
                         "005 - _NUL.txt.mp3"]
    made = [p for p in tmp_path.rglob("*.mp3") if ".parts" not in p.parts]
    assert len(made) == 270 and all(p.parent == result.folder for p in made)  # none escaped
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json",
                            str(next(result.folder.glob("m4b/*.m4b")))],
                           capture_output=True, text=True, check=True)
    assert len(json.loads(probe.stdout)["chapters"]) == 270


# ---- hand-edited scripts, voices and metadata --------------------------------------------------------

def test_script_with_a_voice_that_does_not_exist(tmp_path):
    source = tmp_path / "b.txt"
    source.write_text("One sentence here.\n")
    script = tmp_path / "s.yaml"
    assert run("script", source, "-o", script).returncode == 0
    script.write_text(script.read_text().replace("role: narrator", "role: villain"))
    one_line_error(run("render", script, "--cache", tmp_path / "c"), "villain", "villain.yaml")


@pytest.mark.parametrize("meta, needle", [
    ("title: [not, text]\n", "`title` must be str"),
    ("titel: X\n", "unknown key 'titel'; did you mean 'title'"),
    ("year: 2026\ncredits: maybe\n", "`credits` must be bool"),
    ("chapters: Intro\n", "`chapters` must be list"),
])
def test_bad_metadata_names_the_key(tmp_path, meta, needle):
    source = tmp_path / "b.txt"
    source.write_text("One sentence here.\n")
    (tmp_path / "b.yaml").write_text(meta)
    one_line_error(run("script", source), "b.yaml", needle)


def test_cover_that_is_not_an_image(tmp_path):
    source = tmp_path / "b.txt"
    source.write_text("One sentence here.\n")
    (tmp_path / "cover.jpg").write_text("not an image at all")
    (tmp_path / "b.yaml").write_text("title: B\ncover: cover.jpg\n")
    result = run("build", source, "--out", tmp_path / "out", "--cache", tmp_path / "c")
    one_line_error(result, "cover.jpg", "not a PNG or JPEG")


def test_missing_cover_is_said_before_anything_is_rendered(tmp_path):
    source = tmp_path / "b.txt"
    source.write_text("One sentence here.\n")
    (tmp_path / "b.yaml").write_text("title: B\ncover: art/gone.png\n")
    result = run("build", source, "--readalong", "--out", tmp_path / "out",
                 "--cache", tmp_path / "c")
    one_line_error(result, "gone.png", "cannot read the cover", "`cover:`")
    assert not (tmp_path / "out").exists() and not (tmp_path / "c").exists()


def test_cover_image_is_embedded(tmp_path):
    import zlib
    png = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", bytes.fromhex("0000000100000001080200000"
                                                                     "0")) +
           _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + _png_chunk(b"IEND", b""))
    source = tmp_path / "b.txt"
    source.write_text("One sentence here.\n")
    (tmp_path / "cover.png").write_bytes(png)
    (tmp_path / "b.yaml").write_text("title: B\ncover: cover.png\n")
    result = build(source, cache=tmp_path / "c", out=tmp_path / "out", progress=False)
    from mutagen.id3 import ID3
    from mutagen.mp4 import MP4
    [mp3] = result.folder.glob("*.mp3")
    assert ID3(str(mp3)).getall("APIC")[0].data == png
    assert bytes(MP4(str(result.export.m4b)).tags["covr"][0]) == png


def _png_chunk(kind, data):
    import struct
    import zlib
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# ---- faults ---------------------------------------------------------------------------------------------

def _outputs(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()
            and not p.name.startswith(".")}


@pytest.mark.slow
@pytest.mark.parametrize("point", ["render", "encode-aac", "tags"])
def test_sigkill_at_each_stage_then_the_next_build_finishes(small_book, tmp_path, point):
    args = ["build", small_book, "--out", tmp_path / "out", "--cache", tmp_path / "c"]
    killed = subprocess.Popen(NARRATE + [str(a) for a in args], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True,
                              env={**os.environ, "NARRATE_KILL_AT": point})
    assert killed.wait(timeout=300) == -signal.SIGKILL
    stop_group(killed.pid)  # its orphaned workers and encoders, before anything is read
    folder = tmp_path / "out" / "book"
    finals = [p for p in folder.glob("*.mp3") if not p.name.startswith(".")]  # not temporaries
    for path in finals:
        assert path.stat().st_size > 1000  # a final name never holds a partial file
    from narrate.render.cache import Cache
    cached = len(Cache(tmp_path / "c").entries())
    result = run(*args)
    assert result.returncode == 0, result.stderr
    reused = int(result.stdout.split("rendered, ")[1].split(" reused")[0])
    assert reused >= cached > 0
    assert not [p for p in folder.rglob(".*") if p.name not in (".narrate.lock", ".parts", ".ignore",
                                                              ".script.converted.yaml")]
    assert not list((tmp_path / "c").rglob(".*.tmp.wav"))
    assert not list(folder.glob(".parts/*.pcm"))
    assert len(list(folder.glob("*.mp3"))) == 2


def test_a_killed_build_s_temporaries_are_removed_wherever_it_wrote(tmp_path):
    """The m4b is joined beside the last encodes and the tagging, so a kill can land while
    its folder holds a temporary (seen: m4b/..ignore.*.tmp after a kill at the tags)."""
    from narrate.stitch import remove_temporary

    folder = tmp_path / "book"
    left = [folder / "m4b" / "..ignore.yww9dh3r.tmp", folder / "m4b" / ".Book.x1.tmp.m4b",
            folder / ".parts" / ".abc.x2.tmp.m4a", folder / ".parts" / "01.pcm",
            folder / ".01 - One.x3.tmp.mp3"]
    kept = [folder / "m4b" / "Book.m4b", folder / "m4b" / ".ignore",
            folder / ".parts" / "abc.m4a", folder / "01 - One.mp3"]
    for path in left + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    assert remove_temporary(folder) == len(left)
    assert not any(path.exists() for path in left) and all(path.exists() for path in kept)


def test_second_build_of_the_same_book_fails_clearly(small_book, tmp_path):
    from narrate.lock import book_lock
    folder = tmp_path / "out" / "book"
    with book_lock(folder):
        result = run("build", small_book, "--out", tmp_path / "out", "--cache", tmp_path / "c")
    one_line_error(result, "another build of this book is running", f"pid {os.getpid()}")


def test_stale_lock_after_a_crash_is_recovered(small_book, tmp_path):
    folder = tmp_path / "out" / "book"
    # the holder keeps the lock until killed: it waits on its stdin, which never ends
    holder = subprocess.Popen([sys.executable, "-c", ("import sys\n"
                               "from pathlib import Path\nfrom narrate.lock import book_lock\n"
                               "with book_lock(Path(sys.argv[1])):\n    print('locked', flush=True)\n"
                               "    sys.stdin.read()"), str(folder)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait()
    assert (folder / ".narrate.lock").exists()
    result = run("build", small_book, "--out", tmp_path / "out", "--cache", tmp_path / "c")
    assert result.returncode == 0, result.stderr


def test_two_builds_at_once_never_interleave(small_book, tmp_path):
    args = ["build", small_book, "--out", tmp_path / "out", "--cache", tmp_path / "c"]
    results = []
    threads = [threading.Thread(target=lambda: results.append(run(*args))) for _ in range(2)]
    for thread in threads:  # at once: either outcome below is right, whichever starts first
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(r.returncode for r in results)
    assert codes in ([0, 0], [0, 2])  # the second waits its turn or is refused, clearly
    if codes == [0, 2]:
        assert "another build of this book is running" in next(r for r in results
                                                            if r.returncode == 2).stderr
    assert len(list((tmp_path / "out" / "book").glob("*.mp3"))) == 2


def test_disk_full_keeps_the_previous_outputs(small_book, tmp_path, monkeypatch):
    result = build(small_book, cache=tmp_path / "c", out=tmp_path / "out", progress=False)
    before = _outputs(result.folder)
    small_book.write_text(small_book.read_text().replace("Paragraph 3 of", "Paragraph 3b of"))
    from narrate.stitch import avpieces, encode

    def full(*args, **kwargs):
        raise NarrateError("ffmpeg failed to encode 01 - One.mp3: No space left on device")

    def full_in_process(*args, **kwargs):  # a write of PyAV's encoders
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(encode, "_run", full)
    monkeypatch.setattr(avpieces, "_write_mp3", full_in_process)
    monkeypatch.setattr(avpieces, "_write_aac", full_in_process)
    with pytest.raises(NarrateError, match="No space left on device"):
        build(small_book, cache=tmp_path / "c", out=tmp_path / "out", progress=False)
    assert _outputs(result.folder) == before
    assert not list(result.folder.glob(".*.tmp*"))


def test_unwritable_output_folder_is_a_clear_error(small_book, tmp_path, monkeypatch):
    import tempfile as tempfile_module

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")
    monkeypatch.setattr(tempfile_module, "mkstemp", refuse)
    with pytest.raises(NarrateError, match="cannot write here .Permission denied.; check"):
        build(small_book, cache=tmp_path / "c", out=tmp_path / "out", progress=False)


def test_ffmpeg_missing_or_failing(small_book, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("espeak-ng",):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    env = {"PATH": f"{bin_dir}:/nonexistent"}
    result = run("build", small_book, "--out", tmp_path / "out", "--cache", tmp_path / "c", env=env)
    one_line_error(result, "ffmpeg is not installed", "apt-get install ffmpeg")
    for tool in ("ffmpeg", "ffprobe"):
        fake = bin_dir / tool
        fake.write_text("#!/bin/sh\necho 'Unknown encoder libmp3lame' >&2\nexit 1\n")
        fake.chmod(0o755)
    result = run("build", small_book, "--out", tmp_path / "out", "--cache", tmp_path / "c", env=env)
    one_line_error(result, "ffmpeg failed to encode", "Unknown encoder libmp3lame")


# ---- property: any bytes either convert with no word lost or fail with the documented error ----------

@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: t.encode("utf-8",
                                                                                           "replace"))))
def test_any_bytes_convert_or_fail_with_the_documented_error(data):
    from conftest import read_words, spoken_words

    from narrate.convert import convert_document
    from narrate.read.text import read_text
    try:
        source = decode(data, "x.txt")
    except InputError as exc:
        assert str(exc).startswith("x.txt: ")
        return
    document = read_text(source.text)
    book, _ = convert_document(document)
    spoken, read = spoken_words(book), read_words(document)
    assert "".join(spoken) == "".join(read)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["render:3", "encode-aac:1"])
def test_ctrl_c_to_narrate_alone_stops_at_once_without_scratch_or_warnings(small_book, tmp_path,
                                                                           point):
    """SIGINT to narrate's process only (not its group: its encoders and workers do not
    see it). Encoding took 12-24 s to stop and left the chapters' PCM in .parts; rendering
    ended with the resource tracker's "leaked semaphore objects" warning."""
    hold = tmp_path / "held"
    env = {**os.environ, "NARRATE_HOLD_AT": point, "NARRATE_HOLD_FILE": str(hold)}
    process = subprocess.Popen(
        NARRATE + ["build", str(small_book), "--out", str(tmp_path / "out"), "--cache",
                   str(tmp_path / "c")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True, env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509
    try:
        assert wait_until(hold.exists, 120, process), process.communicate()
        os.kill(process.pid, signal.SIGINT)
        _out, err = process.communicate(timeout=60)  # a guard against a hang, not a timing
        assert process.returncode == 130
        assert err.strip().splitlines() == ["narrate: interrupted; finished work is kept"], err
        assert not list((tmp_path / "out").rglob("*.pcm"))
        assert not list((tmp_path / "out").rglob(".*.tmp*"))
        # no ffmpeg or worker left running (each is killed, and gone as soon as it is reaped)
        assert wait_until(lambda: not alive_in_group(process.pid), 30)
    finally:
        stop_group(process.pid)
