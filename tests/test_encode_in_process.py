"""Pieces encoded in narrate's own process through PyAV (issue 39): no ffmpeg program per
batch, the same joinable pieces, and a book whose chapters five independent readers place
alike. Real encoders (PyAV's FFmpeg and the ffmpeg program), real espeak-ng."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import numpy as np
import pytest
from mutagen.mp4 import MP4

import narrate
from narrate.stitch import avpieces, encode
from narrate.stitch.aacpiece import read_piece
from narrate.stitch.encode import PieceJob, encode_pieces, mp3_frame_count
from narrate.stitch.timeline import MP3_DELAY, mp3_frame

RATE = 22050

BOOK = """# The First Crossing

The ferry left at dawn, and the river was grey and slow under the mist.

# The Second Crossing

By noon the wind had turned, and the boat leaned hard against the current.

# The Last Crossing

At night the lamps on the far bank were the only thing anyone could see.
"""


def chapter_pcm(tmp_path, seconds: int = 8):
    noise = np.random.default_rng(3).standard_normal(RATE * seconds)
    pcm = (np.convolve(noise, np.ones(8) / 8, "same") * 6000).astype(np.int16)
    path = tmp_path / "chapter.pcm"
    pcm.tofile(path)
    return path, pcm


def decode(path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1",
                          "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.int16).astype(np.float64)


@pytest.mark.e2e
def test_pieces_are_encoded_without_starting_a_program(tmp_path, monkeypatch):
    """With PyAV installed (the `pyav` extra) no ffmpeg runs for a piece: MP3 pieces come
    out with exactly the frames the chapter's timeline needs, AAC pieces readable by the
    m4b's join, each holding its own samples."""
    assert encode.IN_PROCESS and avpieces.available()
    encode.mp3_makeup_db(RATE, 64)  # measured once with the program (kept in the user cache)
    path, pcm = chapter_pcm(tmp_path)
    frame = mp3_frame(RATE)
    start, stop = 40 * frame, 200 * frame
    mp3 = PieceJob(start + MP3_DELAY, stop - frame, tmp_path / "a.mp3", (stop - start) // frame)
    aac = PieceJob(start, stop, tmp_path / "a.m4a")

    def no_program(*args, **kwargs):
        raise AssertionError(f"a program was started: {args[0]}")

    monkeypatch.setattr(subprocess, "Popen", no_program)
    encode_pieces(path, RATE, [mp3], "mp3", 64)
    encode_pieces(path, RATE, [aac], "aac", 64)
    monkeypatch.undo()
    assert mp3_frame_count(mp3.dest.read_bytes()) == mp3.frames
    assert read_piece(aac.dest).rate == RATE
    for job in (mp3, aac):
        decoded, source = decode(job.dest), pcm[start:stop].astype(np.float64)
        n = min(len(decoded), len(source))
        assert n >= len(source) - 2 * frame
        assert np.corrcoef(decoded[:n], source[:n])[0, 1] > 0.9  # on the chapter's timeline
        assert abs(np.corrcoef(decoded[40:n], source[:n - 40])[0, 1]) < 0.5


@pytest.mark.e2e
@pytest.mark.parametrize("in_process", [True, False])
def test_both_encoders_make_pieces_the_book_joins(tmp_path, monkeypatch, in_process):
    """The ffmpeg program stays the encoder where PyAV is not installed: both make AAC pieces
    the join reads and MP3 pieces of the expected frames, named apart (their bytes differ)."""
    monkeypatch.setattr(encode, "IN_PROCESS", in_process)
    path, _ = chapter_pcm(tmp_path, 4)
    frame = mp3_frame(RATE)
    jobs = [PieceJob(MP3_DELAY - frame, 40 * frame - frame, tmp_path / "0.mp3", 41),
            PieceJob(40 * frame + MP3_DELAY, 80 * frame - frame, tmp_path / "1.mp3", 40)]
    encode_pieces(path, RATE, jobs, "mp3", 64)
    assert [mp3_frame_count(j.dest.read_bytes()) for j in jobs] == [41, 40]
    encode_pieces(path, RATE, [PieceJob(0, 80 * frame, tmp_path / "0.m4a")], "aac", 64)
    assert len(read_piece(tmp_path / "0.m4a").sizes) == 80 * frame // 1024
    assert ("pyav" in encode.encoder_settings()) == in_process


@pytest.mark.unit
def test_a_stop_ends_an_encode_in_process_and_leaves_no_file(tmp_path, monkeypatch):
    """Ctrl-C (stop_encoders) ends the encodes already running at their next feed, as it
    kills the ffmpeg program's; nothing is left under the piece's name."""
    path, _ = chapter_pcm(tmp_path, 2)
    read = avpieces._read

    def read_then_stop(*args):
        samples = read(*args)
        encode.stop_encoders()  # the build stops while this encode is under way
        return samples

    monkeypatch.setattr(avpieces, "_read", read_then_stop)
    dest = tmp_path / "a.m4a"
    with pytest.raises(KeyboardInterrupt):
        avpieces.encode_pieces(path, [PieceJob(0, 4096, dest)], "aac", RATE, 58000,
                               {"aac_coder": "fast"})
    assert not dest.exists() and not list(tmp_path.glob(".*tmp*"))
    monkeypatch.undo()
    avpieces.encode_pieces(path, [PieceJob(0, 4096, dest)], "aac", RATE, 58000,
                           {"aac_coder": "fast"})  # a later encode is not stopped
    assert read_piece(dest).rate == RATE


@pytest.mark.e2e
def test_five_readers_agree_on_every_chapters_title_and_start(tmp_path):
    """The book encoded in process passes `narrate check`, and ffprobe, mutagen,
    mediainfo (where installed), chapters.json and metadata.json give each chapter the
    same title and start, to the millisecond."""
    (tmp_path / "book.md").write_text(BOOK, encoding="utf-8")
    narrate.build(tmp_path / "book.md", cache=tmp_path / "cache", out=tmp_path / "out",
                  progress=False)
    folder = tmp_path / "out" / "book"
    assert narrate.check(folder).passed
    m4b = next(folder.glob("m4b/*.m4b"))
    probed = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json",
                                        str(m4b)], capture_output=True, check=True).stdout)
    readers = {
        "ffprobe": [(c["tags"]["title"], float(c["start_time"])) for c in probed["chapters"]],
        "mutagen": [(c.title, c.start) for c in MP4(m4b).chapters],
        "chapters.json": [(c["title"], c["startTime"]) for c in
                          json.loads((folder / "chapters.json").read_text())["chapters"]],
        "metadata.json": [(c["title"], c["start"]) for c in
                          json.loads((folder / "metadata.json").read_text())["chapters"]],
    }
    if shutil.which("mediainfo"):
        readers["mediainfo"] = _mediainfo_chapters(m4b)
    titles = ["The First Crossing", "The Second Crossing", "The Last Crossing"]
    first = readers["chapters.json"]
    assert [title for title, _ in first] == titles and first[0][1] == 0
    for name, chapters in readers.items():
        assert [t for t, _ in chapters] == titles, name
        assert [round(s, 3) for _, s in chapters] == [round(s, 3) for _, s in first], name


def _mediainfo_chapters(path) -> list[tuple[str, float]]:
    """The chapter menu mediainfo reads (keys like _00_02_12_075: hh_mm_ss_mmm)."""
    info = json.loads(subprocess.run(["mediainfo", "--Output=JSON", str(path)],
                                     capture_output=True, check=True).stdout)
    menu = next(t for t in info["media"]["track"] if t["@type"] == "Menu")
    chapters = []
    for key, title in menu["extra"].items():
        if not re.fullmatch(r"_\d+_\d\d_\d\d_\d{3}", key):
            continue  # Menu_For: the track the menu is for
        hours, minutes, seconds, millis = (int(n) for n in key.strip("_").split("_"))
        chapters.append((title, hours * 3600 + minutes * 60 + seconds + millis / 1000))
    return chapters
