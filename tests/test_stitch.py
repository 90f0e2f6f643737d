"""Stitching and export with the real engine and ffmpeg, read back with ffprobe and mutagen."""

import json
import subprocess
import sys
import wave

import numpy as np
import pytest
from conftest import SHORT_TEXT
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode
from mutagen.mp4 import MP4

from narrate import build
from narrate.measure import peak_db, rms_db
from narrate.names import safe_filename
from narrate.stitch import section_markers
from narrate.stitch.assemble import assemble
from narrate.stitch.loudness import chapter_gain_db, level
from narrate.stitch.tags import TOC_LIMIT, Marker, chapter_frames
from narrate.stitch.timeline import Clip, Cue, Mastering

TWO_CHAPTERS = "# First Part\n\n" + SHORT_TEXT + "\n# Second Part\n\n" + SHORT_TEXT.replace(
    "prophets", "poets")


def ffprobe(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-show_format",
                          "-show_streams", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def decoded_rms_db(path):
    """The speech's RMS (10 ms windows louder than -50 dBFS: the pauses and room tone left
    out) and the peak of a file, decoded by ffmpeg."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
                         capture_output=True, check=True).stdout
    pcm = np.frombuffer(raw, np.int16)
    return speech_db(pcm, 22050), peak_db(pcm)


def speech_db(pcm, rate, offset=0):
    """The RMS of the complete 10 ms windows louder than -50 dBFS, on windows counted from
    `offset` samples before `pcm` starts."""
    width = rate // 100
    padded = np.concatenate([np.zeros(offset, np.float64), pcm.astype(np.float64)])
    windows = (padded[:len(padded) // width * width] ** 2).reshape(-1, width).sum(axis=1)
    loud = windows[windows > width * (32768 * 10 ** (-50 / 20)) ** 2]
    level = 10 * np.log10(loud.sum() / (len(loud) * width) / 32768 ** 2) if len(loud) else -120
    return level, loud.sum(), len(loud) * width


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("book")
    source = folder / "two.md"
    source.write_text(TWO_CHAPTERS, encoding="utf-8")
    (folder / "two.yaml").write_text("title: Two Parts\nauthor: A. Writer\nnarrator: A. Voice\n"
                                     "year: 2026\n", encoding="utf-8")
    result = build(source, cache=folder / "cache", out=folder / "out", progress=False)
    return result


def test_outputs_exist_with_safe_names(built):
    names = sorted(p.name for p in built.folder.iterdir() if not p.name.startswith("."))
    assert names == ["01 - First Part.mp3", "01 - First Part.vtt", "02 - Second Part.mp3",
                     "02 - Second Part.vtt", "Two Parts.cue", "Two Parts.m3u8", "chapters.json",
                     "index.html", "m4b", "manifest.json", "metadata.json", "metadata.opf",
                     "script.yaml"]
    assert sorted(p.name for p in (built.folder / "m4b").iterdir()) == [".ignore",
                                                                        "Two Parts.m4b"]
    assert not list(built.folder.rglob(".*.tmp*"))


def test_chapter_mp3_is_cbr_mono_with_id3v23_tags(built):
    path = built.folder / "01 - First Part.mp3"
    info = MP3(str(path))
    assert info.info.bitrate_mode == BitrateMode.CBR and info.info.bitrate == 64000
    assert info.info.sample_rate == 22050 and info.info.channels == 1
    tags = ID3(str(path), translate=False)  # the frames as stored, not upgraded to 2.4
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]) == "First Part" and str(tags["TALB"]) == "Two Parts"
    assert str(tags["TPE1"]) == "A. Writer" and str(tags["TCOM"]) == "A. Voice"
    assert str(tags["TRCK"]) == "1/2" and str(tags["TCON"]) == "Audiobook"
    assert str(tags["TYER"]) == "2026"


def test_chapter_markers_read_back_with_ffprobe_and_mutagen(built):
    manifest = json.loads((built.folder / "manifest.json").read_text())
    record = manifest["chapters"][0]
    path = built.folder / "01 - First Part.mp3"
    probe = ffprobe(path)
    chapters = probe["chapters"]
    duration = float(probe["format"]["duration"])
    sections = sorted({c["section"] for c in record["cues"] if c["section"]})
    assert len(chapters) == len(sections) == 4
    starts = [float(c["start_time"]) for c in chapters]
    ends = [float(c["end_time"]) for c in chapters]
    assert starts[0] == 0 and starts == sorted(starts)
    assert all(e == s for e, s in zip(ends, starts[1:]))  # no gap, no overlap
    assert abs(ends[-1] - duration) <= 0.05
    # within 50 ms of the assembled timeline (the manifest's sample counts)
    section_starts = []
    for cue in record["cues"]:
        if cue["section"] and cue["section"] not in [s for s, _ in section_starts]:
            section_starts.append((cue["section"], cue["start"] / record["rate"]))
    for probed, (_, expected) in zip(starts[1:], section_starts[1:]):
        assert abs(probed - expected) <= 0.05
    assert chapters[0]["tags"]["title"] == "The prophets of old studied their…"
    # mutagen: CHAP frames stored in chronological order, one ordered top-level CTOC
    tags = ID3(str(path))
    chaps = [f for f in tags.getall("CHAP")]
    assert [c.start_time for c in chaps] == sorted(c.start_time for c in chaps)
    [toc] = tags.getall("CTOC")
    assert toc.flags & 3 == 3 and toc.child_element_ids == [c.element_id for c in chaps]


def test_m4b_has_one_marker_per_chapter_and_the_tags(built):
    path = built.folder / "m4b" / "Two Parts.m4b"
    probe = ffprobe(path)
    chapters = probe["chapters"]
    assert [c["tags"]["title"] for c in chapters] == ["First Part", "Second Part"]
    manifest = json.loads((built.folder / "manifest.json").read_text())
    lengths = [c["samples"] / c["rate"] for c in manifest["chapters"]]
    assert abs(float(chapters[1]["start_time"]) - lengths[0]) <= 0.05
    assert abs(float(chapters[-1]["end_time"]) - float(probe["format"]["duration"])) <= 0.05
    assert abs(float(probe["format"]["duration"]) - sum(lengths)) <= 0.05
    assert probe["streams"][0]["codec_name"] == "aac"
    tags = MP4(str(path)).tags
    assert tags["\xa9nam"] == ["Two Parts"] and tags["\xa9ART"] == ["A. Writer"]
    assert tags["\xa9wrt"] == ["A. Voice"]


def test_m4b_join_is_sample_exact(built):
    """The second chapter's first word is where the assembled timeline says it is."""
    manifest = json.loads((built.folder / "manifest.json").read_text())
    first, second = manifest["chapters"]
    offset = first["samples"] + second["cues"][0]["start"]
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(built.folder / "m4b" / "Two Parts.m4b"),
                          "-f", "s16le", "-ac", "1", "-"], capture_output=True, check=True).stdout
    pcm = np.abs(np.frombuffer(raw, np.int16).astype(int))
    onset = offset - 2000 + int(np.argmax(pcm[offset - 2000: offset + 4000] > 1000))
    assert abs(onset - offset) < 0.05 * 22050


def test_every_chapter_is_levelled_to_the_target(built):
    levels = [decoded_rms_db(p) for p in sorted(built.folder.glob("*.mp3"))]
    for (rms, _, _), peak in levels:
        assert abs(rms + 20.0) <= 0.3
        assert peak <= -2.9
    assert abs(levels[0][0][0] - levels[1][0][0]) < 1.0


def test_sidecars_agree_with_the_timeline(built):
    manifest = json.loads((built.folder / "manifest.json").read_text())
    lengths = [c["samples"] / c["rate"] for c in manifest["chapters"]]
    data = json.loads((built.folder / "chapters.json").read_text())
    assert data["version"] == "1.2.0"
    assert [c["title"] for c in data["chapters"]] == ["First Part", "Second Part"]
    assert data["chapters"][1]["startTime"] == pytest.approx(lengths[0], abs=0.001)
    cue = (built.folder / "Two Parts.cue").read_text()
    assert cue.count("TRACK") == 2 and 'FILE "02 - Second Part.mp3" MP3' in cue
    m3u = (built.folder / "Two Parts.m3u8").read_text().splitlines()
    assert m3u[0] == "#EXTM3U" and m3u[2] == "01 - First Part.mp3"
    vtt = (built.folder / "01 - First Part.vtt").read_text()
    assert vtt.startswith("WEBVTT")
    first_cue = manifest["chapters"][0]["cues"][2]
    seconds = first_cue["start"] / 22050
    stamp = f"00:00:{int(seconds):02d}.{round(seconds * 1000) % 1000:03d}"
    assert f"{first_cue['id']}\n{stamp} -->" in vtt


def test_title_and_credits_are_spoken(built):
    manifest = json.loads((built.folder / "manifest.json").read_text())
    ids = [c["id"] for c in manifest["chapters"][0]["cues"]]
    assert ids[:2] == ["credits", "01.000"]  # the chapter title, an entry of the script
    assert manifest["chapters"][1]["cues"][-1]["id"] == "closing"
    assert manifest["chapters"][0]["cues"][0]["start"] == 22050 * 700 // 1000  # room tone first


def test_unchanged_build_touches_nothing(built, tmp_path):
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in built.folder.glob("*.mp3")}
    source = built.folder.parent.parent / "two.md"
    again = build(source, cache=built.folder.parent.parent / "cache",
                  out=built.folder.parent, progress=False)
    assert again.export.exported == [] and again.export.unchanged == ["01", "02"]
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in built.folder.glob("*.mp3")}
    assert after == before


# ---- pure pieces ------------------------------------------------------------------------


def test_level_hits_rms_and_keeps_peaks_under_the_ceiling():
    rng = np.random.default_rng(0)
    speech = (rng.standard_normal(22050 * 5) * 3000).astype(np.int16)
    speech[1000:1010] = 32000  # a spike the limiter must catch
    out = speech.copy()
    level(out, chapter_gain_db(speech, -20, -3), -3)
    assert abs(rms_db(out) - -20) < 0.3
    assert peak_db(out) <= -3.0 + 0.01


def test_assemble_joins_once_with_pauses_and_room_tone(tmp_path):
    paths = []
    for i, seconds in enumerate([0.5, 0.3]):
        path = tmp_path / f"{i}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(22050)
            tone = (np.sin(np.arange(int(22050 * seconds)) / 3) * 8000).astype(np.int16)
            w.writeframes(tone.tobytes())
        paths.append(path)
    clips = [Clip("a", paths[0], 400, "s1", "A"), Clip("b", paths[1], 999, "s2", "B")]
    audio = assemble(clips, Mastering(22050, lead_in_ms=700, tail_ms=2000))
    a, b = audio.cues
    assert a.start == 22050 * 700 // 1000
    assert b.start - a.end == 22050 * 400 // 1000  # the pause after a
    assert audio.samples % 1024 == 0 and audio.samples >= b.end + 2 * 22050


def test_section_markers_group_and_cover_the_whole_chapter():
    cues = [Cue("t", "Title", 100, 200), Cue("1", "One two", 300, 400, "s1"),
            Cue("2", "Three", 500, 600, "s1"), Cue("3", "Four", 700, 800, "s2"),
            Cue("4", "Five", 900, 950, "s3")]
    markers = section_markers(cues, 1000, 1000)
    assert [(m.title, m.start_ms, m.end_ms) for m in markers] == [
        ("One two", 0, 700), ("Four", 700, 900), ("Five", 900, 1000)]
    grouped = section_markers(cues, 1000, 1000, group=2)
    assert [(m.start_ms, m.end_ms) for m in grouped] == [(0, 900), (900, 1000)]


def test_more_than_255_markers_nest_the_table_of_contents():
    markers = [Marker(f"m{i}", i * 10, i * 10 + 10) for i in range(600)]
    frames = chapter_frames(markers)
    tocs = [f for f in frames if f.FrameID == "CTOC"]
    top = [t for t in tocs if t.flags & 2]
    assert len(top) == 1 and len(tocs) == 4
    assert all(len(t.child_element_ids) <= TOC_LIMIT for t in tocs)
    children = [cid for t in tocs if not t.flags & 2 for cid in t.child_element_ids]
    assert children == [f.element_id for f in frames if f.FrameID == "CHAP"]


@pytest.mark.parametrize("title, name", [
    ("A/B: C..", "A B C"), ("..", "untitled"), ("CON", "_CON"), ("com1.txt", "_com1.txt"),
    ("What? <Yes> | no*", "What Yes no"), ("x" * 80, "x" * 80), ("Tab\tand\nnewline", "Tabandnewline"),
])
def test_safe_filenames(title, name):
    assert safe_filename(title) == name


def test_build_command_prints_what_it_made(tmp_path):
    source = tmp_path / "t.txt"
    source.write_text("A short book of one paragraph, read aloud.\n")
    result = subprocess.run([sys.executable, "-m", "narrate", "build", str(source), "--out",
                             str(tmp_path / "out"), "--cache", str(tmp_path / "c")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "01 - A short book of one paragraph….mp3" in result.stdout
    assert "exported 1 chapter (all 0:" in result.stdout and str(tmp_path / "out" / "t") in result.stdout


def test_the_chunked_trial_of_the_limiter_matches_the_whole():
    """limited_rms_db never copies a whole chapter, and says what level() leaves: the
    level of its speech (here a noise with silences in it)."""
    import numpy as np

    from narrate.measure import CHUNK
    from narrate.stitch.loudness import limited_rms_db

    rng = np.random.default_rng(7)
    pcm = (rng.standard_normal(CHUNK * 2 + 12345) * 6000).clip(-32768, 32767).astype(np.int16)
    pcm[CHUNK - 50:CHUNK + 50] = 30000  # a peak across a chunk's edge
    pcm[1000:30000] = 0  # a pause, left out of the level
    whole = pcm.copy()
    level(whole, 6.0, -3.0)
    assert abs(limited_rms_db(pcm, 6.0, -3.0) - speech_db(whole, 22050)[0]) < 1e-9
    assert abs(speech_db(whole, 22050)[0] - rms_db(whole)) > 0.1


def _speech_like(seconds: float, seed: int = 5) -> np.ndarray:
    """Bursts of loud noise between quiet stretches: the limiter starts and stops often."""
    rng = np.random.default_rng(seed)
    count = int(22050 * seconds)
    bursts = np.repeat(rng.random(count // 2000 + 1) < 0.6, 2000)[:count]
    return (rng.standard_normal(count) * 11000 * bursts).clip(-32768, 32767).astype(np.int16)


def test_levelling_a_chunk_at_a_time_gives_the_whole_chapter_s_samples(monkeypatch):
    """The chapter is levelled piece by piece, in windows (memory holds a few chunks, never
    the chapter): every sample must come out as levelling the whole array at once makes
    it, across many window edges; and each piece's measures are those of its samples."""
    import hashlib

    from narrate.measure import squares_db
    from narrate.stitch import assemble as module
    from narrate.stitch import loudness

    for chunked in (module, loudness):
        monkeypatch.setattr(chunked, "CHUNK", 4096)  # blocks of 64 fit
    raw = _speech_like(6)
    whole = raw.copy()
    level(whole, 9.0, -3.8)

    def read(start, stop):
        return raw[start:stop].copy()

    out = __import__("io").BytesIO()
    # cut in pauses (as a chapter is), on the limiter's blocks of 64
    quiet = [n for n in range(len(raw) // 2000) if not raw[n * 2000:(n + 1) * 2000].any()]
    cuts = [(n * 2000 + 1000) // 64 * 64 for n in (quiet[1], quiet[-2])]
    pieces = [(0, cuts[0]), (cuts[0], cuts[1]), (cuts[1], len(raw))]
    measures = module._level_pieces(out, read, len(raw), 9.0, -3.8, pieces, ["a", "b", "c"], {},
                                    22050)
    assert np.array_equal(np.frombuffer(out.getvalue(), np.int16), whole)
    assert [m.inputs for m in measures] == ["a", "b", "c"]
    assert [m.digest for m in measures] == [
        hashlib.blake2b(whole[a:b].tobytes(), digest_size=12).hexdigest() for a, b in pieces]
    assert [(m.speech_squares, m.speech_samples) for m in measures] == [  # the chapter's windows
        pytest.approx(speech_db(whole[a:b], 22050, a % 220)[1:], rel=1e-12) for a, b in pieces]
    after = squares_db(sum(m.speech_squares for m in measures),
                       sum(m.speech_samples for m in measures))
    assert after == pytest.approx(loudness.limited_rms_db(raw, 9.0, -3.8), abs=1e-9)  # the trial's
    assert module.PIECE_GRID % 64 == module.CHUNK % 64 == loudness.LIMITER_REACH % 64 == 0


def test_assembling_a_long_chapter_holds_only_a_few_chunks(tmp_path):
    """Twenty minutes of clips (53 MB of samples) assembled to a file: NumPy's allocations
    (tracemalloc sees them) peak at a few chunks' worth, not at the chapter."""
    import tracemalloc

    from narrate.stitch.assemble import assemble_into

    clips = []
    for n in range(30):
        path = tmp_path / f"{n}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(22050)
            w.writeframes(_speech_like(40, seed=n).tobytes())
        clips.append(Clip(f"c{n}", path, 700, f"s{n}", ""))
    with open(tmp_path / "chapter.pcm", "wb") as out:
        tracemalloc.start()
        try:
            audio = assemble_into(out, clips, Mastering(22050))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert audio.samples * 2 > 50e6
    assert (tmp_path / "chapter.pcm").stat().st_size == audio.samples * 2
    assert peak < 40e6, f"{peak / 1e6:.0f} MB"


def test_each_chapter_s_mp3_pieces_queue_behind_the_next_chapter_s_aac(monkeypatch, tmp_path):
    """So the AAC pieces are done first and the m4b's join runs beside the last MP3s; the
    chapters are assembled shortest first; and when the encoders have less waiting than
    they can take, a chapter's MP3 pieces go in at once rather than leave them idle."""
    from concurrent.futures import Future
    from types import SimpleNamespace

    from narrate import stitch
    from narrate.progress import Progress

    monkeypatch.setattr(stitch.pieces, "assemble_to_disk",
                        lambda plan, *args: SimpleNamespace(id=plan.id, rate=22050, samples=0))
    monkeypatch.setattr(stitch.pieces, "encode_batches", lambda parts, record, formats, workers: [
        (record, "aac", []), (record, "mp3", [])])

    def queue(busy: bool) -> list[str]:
        queued = []

        def submit(function, pcm, rate, pieces, codec, kbps):
            queued.append(f"{pcm.stem} {codec}")
            encode: Future = Future()
            if not busy:
                encode.set_result(None)
            return encode

        plans = [SimpleNamespace(id=n, clips=[Clip(n, tmp_path, 0, text="x" * size)])
                 for n, size in (("1", 30), ("2", 10), ("3", 20))]
        records: dict = {}
        aac, mp3 = stitch._encode_chapters(plans, records, {}, Mastering(22050), tmp_path, 1,
                                           ("mp3", "m4b"), submit, 2, Progress("", 3, False))
        assert len(aac) == len(mp3) == 3 and set(records) == {"1", "2", "3"}
        return queued

    assert queue(busy=True) == ["2 aac", "2 mp3", "3 aac", "1 aac", "3 mp3", "1 mp3"]
    assert queue(busy=False) == ["2 aac", "2 mp3", "3 aac", "3 mp3", "1 aac", "1 mp3"]


def _peaky(seed: int) -> np.ndarray:
    pcm = _speech_like(5, seed) // 8
    pcm[::2000] = 20000
    return pcm


def test_an_edit_s_chapter_is_levelled_in_one_pass_when_its_gain_stays(tmp_path, monkeypatch):
    """Levelling with the last gain is also the trial of it: one pass when it stays; when
    it does not, the chapter is levelled again with the new gain, as a cold build would."""
    from narrate.stitch import assemble as module
    from narrate.stitch import loudness

    clips = []
    for n in range(3):
        path = tmp_path / f"{n}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(22050)
            w.writeframes(_peaky(n).tobytes())
        clips.append(Clip(f"c{n}", path, 700, f"s{n}", ""))
    cold = assemble(clips, Mastering(22050))
    # quiet clips, raised: their peaks would pass the ceiling, so the limiter works
    assert peak_db(_peaky(0)) + cold.gain_db > Mastering(22050).peak_db
    passes = []

    def counted(name, where=module):
        real = getattr(where, name)
        return lambda *args: passes.append(name) or real(*args)

    monkeypatch.setattr(module, "_level_pieces", counted("_level_pieces"))
    monkeypatch.setattr(loudness, "_limited_rms_db", counted("_limited_rms_db", loudness))
    kept = assemble(clips, Mastering(22050), previous_gain_db=cold.gain_db)
    assert passes == ["_level_pieces"] and kept.gain_db == cold.gain_db
    assert np.array_equal(kept.pcm, cold.pcm)
    assert [m.digest for m in kept.measures] == [m.digest for m in cold.measures]
    # a cold chapter: each gain tried levels it once, and the one kept is not levelled again
    tried = []
    real = module._level_pieces
    monkeypatch.setattr(module, "_level_pieces", lambda *args: tried.append(args[3]) or
                        real(*args))
    monkeypatch.setattr(loudness, "_limited_rms_db", None)  # no trial apart from a levelling
    again = assemble(clips, Mastering(22050))
    assert tried[-1] == again.gain_db == cold.gain_db and len(set(tried)) == len(tried) > 1
    assert np.array_equal(again.pcm, cold.pcm)
    far = assemble(clips, Mastering(22050), previous_gain_db=cold.gain_db - 4)
    assert far.gain_db == cold.gain_db and np.array_equal(far.pcm, cold.pcm)


def _wav(path, pcm) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(22050)
        w.writeframes(pcm.tobytes())


def test_an_edit_levels_only_the_pieces_whose_clips_changed(tmp_path, monkeypatch):
    """A piece whose clips, places and gain are those the last build levelled is left
    alone (its encodes are kept); the rest come out as a whole assembly makes them. A
    clip file replaced (as the cache replaces a retake) counts as changed."""
    import io

    from narrate.stitch import assemble as module

    clips = []
    for n in range(6):  # sections of 25 s: a piece each
        _wav(tmp_path / f"{n}.wav", _speech_like(25, seed=n))
        clips.append(Clip(f"c{n}", tmp_path / f"{n}.wav", 700, f"s{n}", ""))
    cold = module.assemble_into(io.BytesIO(), clips, Mastering(22050))
    assert len(cold.pieces) == 6
    known = {m.inputs: m for m in cold.measures}

    def edit(edited):
        levelled = []
        real = module.levelled_chunks
        monkeypatch.setattr(module, "levelled_chunks", lambda read, samples, gain, ceiling,
                            start=0, stop=None, **kw: levelled.append(start) or
                            real(read, samples, gain, ceiling, start, stop, **kw))
        out = io.BytesIO()
        # the gain as the manifest gives it back: a float, where the build had NumPy's
        audio = module.assemble_into(out, edited, Mastering(22050), float(cold.gain_db), known)
        monkeypatch.undo()
        whole = assemble(edited, Mastering(22050), cold.gain_db)  # nothing known: all levelled
        assert audio.gain_db == whole.gain_db == cold.gain_db
        assert [m.digest for m in audio.measures] == [m.digest for m in whole.measures]
        assert audio.measures == whole.measures
        pcm = np.frombuffer(out.getvalue(), np.int16)
        touched = {audio.pieces.index((a, b)) for a, b in audio.pieces if a in levelled}
        for n in touched:
            a, b = audio.pieces[n]
            assert np.array_equal(pcm[a:b], whole.pcm[a:b])
        return sorted(touched)

    _wav(tmp_path / "new.wav", _speech_like(25, seed=40))
    assert edit(clips[:3] + [Clip("c3", tmp_path / "new.wav", 700, "s3", "")] + clips[4:]) \
        == [3]  # its neighbours are out of the limiter's reach: a paragraph pause apart
    assert edit(clips) == []
    _wav(tmp_path / "take.wav", _speech_like(25, seed=41))  # a retake replaces the file
    (tmp_path / "take.wav").replace(tmp_path / "5.wav")
    assert edit(clips) == [5]


def test_encodes_are_shared_out_to_the_encoder_threads(tmp_path):
    """A chapter's missing pieces go to ffmpeg in runs of up to BATCH_SECONDS, and never
    in fewer runs than there are encoder threads: an edit's two pieces encode side by side."""
    from narrate import stitch

    def runs(seconds: list[int], workers: int, have=()) -> list[list[int]]:
        bounds, at = [], 0
        for length in seconds:
            bounds.append((at, at + length * 22050))
            at += length * 22050
        names = [f"p{n}" for n in range(len(seconds))]
        for name in have:
            (tmp_path / f"{name}.m4a").touch()
        record = stitch.ChapterRecord("1", "k", "T", "01 - T", at, 22050, pieces=names,
                                      piece_bounds=bounds)
        found = [[(job.stop - job.start) // 22050 for job in jobs] for _, codec, jobs in
                 stitch.pieces.encode_batches(tmp_path, record, ("m4b",), workers)]
        for name in have:
            (tmp_path / f"{name}.m4a").unlink()
        return found

    assert runs([60] * 30, 2) == [[60] * 10, [60] * 10, [60] * 10]  # 600 s a run
    assert runs([60, 30], 2) == [[60], [30]]
    assert runs([60, 30], 1) == [[60, 30]]
    assert runs([20, 40, 60], 2) == [[20, 40], [60]]
    assert runs([60] * 5, 2, have=["p0", "p1", "p4"]) == [[60], [60]]


@pytest.mark.unit
def test_a_scan_s_measures_are_those_of_a_level_per_window(monkeypatch):
    """The room tone at both ends and the noise floor, found from sums of squares a block
    at a time, are what a level for every 10 ms window and one running sum say."""
    from narrate import measure

    rng = np.random.default_rng(3)
    quiet = (rng.standard_normal(22050 * 3) * 20).astype(np.int16)  # about -64 dBFS
    pcm = np.concatenate([np.zeros(15000, np.int16), _speech_like(4, seed=1), quiet,
                          _speech_like(5, seed=2), np.zeros(30000, np.int16)])
    monkeypatch.setattr(measure, "SUM_BLOCK", 97)  # many block edges
    scan = measure.Scan(22050)
    for start in range(0, len(pcm), 10000):
        scan.feed(pcm[start:start + 10000])
    found = scan.measures()
    levels = scan.levels(0.01)
    loud = np.flatnonzero(levels > measure.SILENCE_DB)
    assert found["head_s"] == round(loud[0] * 0.01, 2) and found["head_s"] > 0.6
    assert found["tail_s"] == round((len(levels) - 1 - loud[-1]) * 0.01, 2) > 1.3
    energy = scan.energy[loud[0]:loud[-1] + 1]
    total = np.concatenate([[0.0], np.cumsum(energy)])
    quietest = float(np.min(total[50:] - total[:-50])) / (50 * scan.width)
    assert found["noise_floor_db"] == round(measure.db(np.sqrt(quietest) / 32768), 1)
    assert -70 < found["noise_floor_db"] < -60
