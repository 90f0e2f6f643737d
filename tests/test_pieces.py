"""A chapter is encoded in pieces: the joined MP3 must play the chapter sample for
sample, and an edit must re-encode only the piece it falls in (real engine, ffmpeg)."""

import itertools
import json
import shutil
import subprocess

import numpy as np
import pytest
from conftest import SEED
from mutagen.mp3 import MP3, BitrateMode

from narrate import build
from narrate.stitch.loudness import GAIN_TOLERANCE_DB, chapter_gain_db
from narrate.stitch.timeline import Mastering

PARAGRAPHS = SEED.read_text(encoding="utf-8").split("\n\n\n")[1].split("\n\n")[:10]


def decode(path, start=None, seconds=None):
    args = ["ffmpeg", "-v", "error", "-i", str(path)]  # at the file's own rate
    if start is not None:
        args += ["-ss", str(start), "-t", str(seconds)]
    raw = subprocess.run(args + ["-f", "s16le", "-ac", "1", "-"], capture_output=True,
                         check=True).stdout
    return np.frombuffer(raw, np.int16).astype(np.float64)


def before_kbps(folder):
    return MP3(str(folder / "01 - Long.mp3")).info.bitrate // 1000


def manifest(folder):
    return {c["id"]: c for c in json.loads((folder / "manifest.json").read_text())["chapters"]}


@pytest.fixture(scope="module", params=[(22050, 64), pytest.param(
    (44100, 128), marks=pytest.mark.slow)], ids=["22k", "44k"])  # 44.1 kHz: the full suite
def long_chapter(tmp_path_factory, request):
    """MP3 frames are 576 samples up to 24 kHz and 1152 above: both framings."""
    rate, kbps = request.param
    work = tmp_path_factory.mktemp("pieces")
    (work / "long.md").write_text("# Long\n\n" + "\n\n".join(PARAGRAPHS) + "\n\n# Short\n\n"
                                  "A second chapter, so the book has a join.\n", encoding="utf-8")
    build(work / "long.md", cache=work / "cache", out=work / "out", progress=False,
          mastering=Mastering(sample_rate=rate, bitrate_kbps=kbps))
    return work


def test_a_long_chapter_is_cut_into_pieces_on_the_grid(long_chapter):
    record = manifest(long_chapter / "out" / "long")["01"]
    assert len(record["pieces"]) >= 3
    bounds = record["piece_bounds"]
    assert bounds[0][0] == 0 and bounds[-1][1] == record["samples"]
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))
    assert all(start % 9216 == 0 for start, _ in bounds)
    # every cut lies in a pause: no cue (spoken clip) straddles it
    for _, cut in bounds[:-1]:
        assert not any(c["start"] < cut < c["end"] for c in record["cues"])


def test_joined_mp3_plays_the_chapter_sample_for_sample(long_chapter):
    folder = long_chapter / "out" / "long"
    record = manifest(folder)["01"]
    mp3 = folder / "01 - Long.mp3"
    decoded = decode(mp3)
    assert len(decoded) == record["samples"]  # the Info frame's gapless fields, read by ffmpeg
    info = MP3(str(mp3)).info
    assert info.bitrate_mode == BitrateMode.CBR and info.sample_rate == record["rate"]
    assert abs(info.length - record["samples"] / record["rate"]) < 0.001
    # the m4b is sample-exact (tested elsewhere): the MP3 must line up with it everywhere,
    # pieces after the first included; a piece off by the encoder's delay would not
    book = decode(folder / "m4b" / "Long.m4b")[:len(decoded)]
    for start, stop in record["piece_bounds"]:
        a, b = decoded[start:stop], book[start:stop]
        assert np.corrcoef(a, b)[0, 1] > 0.9
        shifted = np.corrcoef(a[40:], b[:-40])[0, 1]
        assert shifted < 0.8  # the test can tell a shift of 2 ms


def test_editing_one_paragraph_reencodes_only_its_piece(long_chapter, tmp_path):
    for name in ("long.md", "cache", "out"):
        (shutil.copytree if (long_chapter / name).is_dir() else shutil.copy2)(
            long_chapter / name, tmp_path / name)
    folder = tmp_path / "out" / "long"
    before = manifest(folder)["01"]
    middle = PARAGRAPHS[5]
    source = tmp_path / "long.md"
    source.write_text(source.read_text(encoding="utf-8").replace(
        middle, middle.replace(" the ", " the very ", 1)), encoding="utf-8")
    parts_before = {p.name: p.stat().st_mtime_ns for p in (folder / ".parts").iterdir()}
    result = build(source, cache=tmp_path / "cache", out=tmp_path / "out",
                   progress=False, mastering=Mastering(sample_rate=before["rate"],
                                                       bitrate_kbps=before_kbps(folder)))
    assert result.export.exported == ["01"]
    after = manifest(folder)["01"]
    assert after["gain_db"] == before["gain_db"]
    # every piece but the edited one is reused; what replaces it (one piece, or two
    # when the edit moved a cut) spans the same stretch, longer by the edit
    kept = [p for p in after["pieces"] if p in before["pieces"]]
    assert len(kept) == len(before["pieces"]) - 1
    lengths = {p: b - a for p, (a, b) in zip(before["pieces"], before["piece_bounds"])}
    new = {p: b - a for p, (a, b) in zip(after["pieces"], after["piece_bounds"])
           if p not in kept}
    (old,) = set(before["pieces"]) - set(kept)
    assert sum(new.values()) - lengths[old] == after["samples"] - before["samples"]
    new_files = {p.name for p in (folder / ".parts").iterdir()} - set(parts_before)
    assert new_files == {f"{p}{suffix}" for p in new for suffix in (".mp3", ".m4a")}
    for name, mtime in parts_before.items():  # kept pieces were not written again
        if (folder / ".parts" / name).exists():
            assert (folder / ".parts" / name).stat().st_mtime_ns == mtime
    assert len(decode(folder / "01 - Long.mp3")) == after["samples"]


def test_chapter_gain_is_kept_while_close_and_recomputed_when_not():
    rng = np.random.default_rng(1)
    speech = (rng.standard_normal(22050 * 3) * 3000).astype(np.int16)
    fresh = chapter_gain_db(speech, -20, -3)
    assert chapter_gain_db(speech, -20, -3, previous=fresh + GAIN_TOLERANCE_DB / 2) == \
        fresh + GAIN_TOLERANCE_DB / 2
    assert chapter_gain_db(speech, -20, -3, previous=fresh + 2 * GAIN_TOLERANCE_DB) == fresh


def test_a_batch_of_pieces_encodes_its_own_samples_wherever_it_starts(tmp_path):
    """A batch of pieces from the middle of a chapter: ffmpeg reads from the first one's
    start, and each piece must still hold exactly its own samples (real ffmpeg, AAC)."""
    from narrate.stitch.encode import PieceJob, encode_pieces

    rate = 22050
    noise = np.random.default_rng(1).standard_normal(rate * 12)
    pcm = (np.convolve(noise, np.ones(8) / 8, "same") * 6000).astype(np.int16)  # below 3 kHz
    chapter = tmp_path / "chapter.pcm"
    pcm.tofile(chapter)
    jobs = [PieceJob(rate * 4 + 1024, rate * 6, tmp_path / "a.m4a"),
            PieceJob(rate * 7, rate * 9 + 2048, tmp_path / "b.m4a")]
    encode_pieces(chapter, rate, jobs, "aac", 64)
    for job in jobs:
        decoded, source = decode(job.dest), pcm[job.start:job.stop].astype(np.float64)
        assert len(decoded) >= len(source) - 1024
        n = min(len(decoded), len(source))
        assert np.corrcoef(decoded[:n], source[:n])[0, 1] > 0.9
        assert abs(np.corrcoef(decoded[40:n], source[:n - 40])[0, 1]) < 0.5
