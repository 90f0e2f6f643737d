"""`narrate check`: prove a built book is good by reading its files back.

    report = check_book(Path("output/prophet-essay"), profile="acx", asr=False)

Mastering is measured on the decoded files; markers, tags and sidecars are read
back with ffprobe and mutagen; every spoken segment is found in its chapter by the
manifest's cues and judged (silent, clipped, too short or long for its words, a
jump in level), and with `asr` a speech recogniser says whether it was all spoken.
Writes check.json and check.png into the book's check/ folder (with an .ignore file:
a library would take check.png for the book's cover).
"""

from __future__ import annotations

import functools
import itertools
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from narrate.errors import DamagedFile, NarrateError
from narrate.fileio import atomic_write_text, write_text_if_changed
from narrate.manifest import MANIFEST, Manifest, read_manifest
from narrate.measure import WINDOW, Scan
from narrate.names import safe_filename
from narrate.qa.listen import ASR_RATE, normalise, word_error_rate
from narrate.qa.markers import check_m4b, check_mp3_markers, check_sidecars
from narrate.qa.mastering import (
    SPEECH_MIN_DB,
    CheckProfile,
    profile_named,
    segment_problems,
    spoken_measures,
)
from narrate.qa.readback import REBUILD, in_minutes, read_back
from narrate.qa.report import CheckReport, Finding, rebuild_fix
from narrate.render.profiles import VoiceProfile
from narrate.stitch import ChapterRecord, m4b_path
from narrate.values import OUTPUT_DIR

CHECK_FOLDER = "check"
HOLE_SECONDS = 3.0  # a silence longer than any pause narrate makes, inside a chapter
MISSING_WORDS = 0.6  # a transcript with fewer than this share of the words fails
WER_THRESHOLD = 0.35


def latest_book(out_root: Path = OUTPUT_DIR) -> Path:
    """The book to check when none is named: the folder we are in when it is a built book,
    else the book built last under `out_root` (where a build without --out writes)."""
    if (Path.cwd() / MANIFEST).is_file():
        return Path.cwd()
    manifests = sorted(out_root.glob(f"*/{MANIFEST}"), key=lambda p: p.stat().st_mtime)
    if not manifests:
        raise NarrateError(
            f"{out_root.resolve()}: no built book here (without a folder, narrate check looks "
            "where narrate build writes without --out)", hint="give the book's folder: narrate "
            "check FOLDER (a build with --out DIR wrote DIR/<book>), or build one first")
    return manifests[-1].parent


def check_book(folder: Path, profile: str = "default", asr: bool = False,
               threshold: float = WER_THRESHOLD, jobs: int | None = None,
               progress: bool | None = None, picture: bool = True) -> CheckReport:
    started = time.perf_counter()
    folder = Path(folder)
    manifest = read_manifest(folder)
    rules = profile_named(profile, manifest.mastering)
    report = CheckReport(str(folder), rules.name)
    chapters = manifest.chapters
    curves, listening, files = [], {}, []
    for number, record in enumerate(chapters if "mp3" in manifest.formats else [], start=1):
        path = folder / f"{record.stem}.mp3"
        try:  # read once: measures, markers and tags; decoded as it streams
            probed, audio, scan = read_back(path, record.samples / record.rate,
                                            functools.partial(_cue_spans, record))
        except DamagedFile as exc:  # one finding; the sidecars are held to the manifest
            report.findings.append(Finding("fail", path.name, exc.what, REBUILD))
            files.append((path.name, record.title, record.samples / record.rate))
            continue
        measured = _file_measures(path, probed, scan, audio.info)
        report.files.append(measured)
        files.append((path.name, record.title, measured["seconds"]))
        report.findings += judge(measured, rules, mp3=True)
        report.findings += check_mp3_markers(path, probed, audio, record, number, len(chapters),
                                             manifest.tags)
        report.findings += [Finding("fail", f"{path.name} at {in_minutes(a)}", f"{b - a:.1f} s of "
                                    "silence inside the chapter", f"narrate build SOURCE --only "
                                    f"{record.id}")
                            for a, b in scan.silent_stretches(HOLE_SECONDS)
                            if b < measured["seconds"] - rules.tail[1]]
        segments = _segment_measures(scan, record, manifest)
        report.segments += segments
        report.findings += judge_segments(segments, rules, path.name)
        curves.append((record.title, scan.levels(WINDOW),
                       [m["start_ms"] / 1000 for m in record.markers]))
        if asr:
            listening.update(_asr_clips(path, record, segments))
    report.findings += judge_book(report.files, rules)
    if "mp3" not in manifest.formats:  # the m4b alone: its chapters are the manifest's
        files = [("", r.title, r.samples / r.rate) for r in chapters]
    m4b = m4b_path(folder, manifest.book, tuple(manifest.formats))
    if m4b is not None:
        report.findings += _check_m4b(m4b, manifest, rules, report,
                                      [(t, s) for _, t, s in files])
    if files:
        report.findings += check_sidecars(folder, safe_filename(manifest.book), files, m4b)
    if asr:
        _listen(report, listening, manifest, threshold, jobs, progress)
    # fixes name the real command: the book's source, and where it was built
    report.findings = [replace(f, fix=rebuild_fix(f.fix, folder, manifest))
                       for f in report.findings]
    report.seconds = time.perf_counter() - started
    written = folder / CHECK_FOLDER
    written.mkdir(exist_ok=True)
    write_text_if_changed(written / ".ignore", "")  # Audiobookshelf skips such a folder
    atomic_write_text(written / "check.json",
                      json.dumps(report.to_json(), ensure_ascii=False, indent=1))
    for old in ("check.json", "check.png"):  # where narrate 0.2.0 wrote them
        (folder / old).unlink(missing_ok=True)
    if picture:
        from narrate.qa.picture import draw

        draw(curves, rules, written / "check.png")
    return report


def _check_m4b(m4b: Path, manifest: Manifest, rules: CheckProfile, report: CheckReport,
               chapter_files: list[tuple[str, float]]) -> list[Finding]:
    seconds = sum(r.samples / r.rate for r in manifest.chapters)
    try:
        probed, _, scan = read_back(m4b, seconds, mp3=False)
    except DamagedFile as exc:
        return [Finding("fail", m4b.name, exc.what, REBUILD)]
    measured = _file_measures(m4b, probed, scan)
    report.files.append(measured)
    return judge(measured, rules, mp3=False) + check_m4b(m4b, probed, chapter_files,
                                                         manifest.tags)


def _file_measures(path: Path, probed: dict, scan: Scan, mp3_info=None) -> dict:
    """A file's figures; an MP3's bit rate and its mode from mutagen's `mp3_info`."""
    stream = probed["streams"][0]
    measured = {"file": path.name, **scan.measures(), "sample_rate": scan.rate,
                "channels": int(stream.get("channels", 1))}
    if mp3_info is not None:
        from mutagen.mp3 import BitrateMode

        measured["kbps"] = round(mp3_info.bitrate / 1000)  # mutagen says 63999 for 64k
        measured["bitrate_mode"] = {BitrateMode.CBR: "CBR", BitrateMode.VBR: "VBR",
                                    BitrateMode.ABR: "ABR"}.get(mp3_info.bitrate_mode, "unknown")
    else:
        measured["kbps"] = round(int(probed["format"].get("bit_rate", 0)) / 1000)
    return measured


def judge(m: dict, rules: CheckProfile, mp3: bool) -> list[Finding]:
    """One file against the profile's window."""
    name, found = m["file"], []
    fix = ("build with the profile's targets: narrate build SOURCE --profile acx"
           if rules.name == "acx" else "build again: narrate build SOURCE")
    low, high = rules.rms
    if not low <= m[rules.level] <= high:
        found.append(Finding("fail", name, f"{'speech ' if rules.speech else ''}RMS "
                             f"{m[rules.level]:.1f} dB is outside {low:.0f} … {high:.0f} dB",
                             fix))
    if m["peak_db"] > rules.peak:
        found.append(Finding("fail", name, f"peak {m['peak_db']:.1f} dB is above {rules.peak:.1f} dB",
                             fix))
    if m["noise_floor_db"] > rules.noise_floor:
        found.append(Finding("fail", name, f"noise floor {m['noise_floor_db']:.0f} dB is above "
                             f"{rules.noise_floor:.0f} dB", fix))
    for key, what, (low, high) in (("head_s", "room tone at the head", rules.head),
                                   ("tail_s", "room tone at the tail", rules.tail)):
        if mp3 and not low <= m[key] <= high:
            found.append(Finding("fail", name, f"{what} {m[key]:.2f} s is outside "
                                 f"{low:.1f} … {high:.1f} s", fix))
    if rules.max_minutes and m["seconds"] > rules.max_minutes * 60:
        found.append(Finding("fail", name, f"{m['seconds'] / 60:.0f} minutes is longer than "
                             f"{rules.max_minutes:.0f}", "split the chapter (--max-chapter-minutes)"))
    if not mp3:
        return found
    if rules.sample_rate and m["sample_rate"] != rules.sample_rate:
        found.append(Finding("fail", name, f"sample rate {m['sample_rate']} Hz, not "
                             f"{rules.sample_rate}", fix))
    if m["bitrate_mode"] != "CBR":
        found.append(Finding("fail", name, f"bit rate mode {m['bitrate_mode']}, not constant", fix))
    if rules.min_kbps and m["kbps"] < rules.min_kbps:
        found.append(Finding("fail", name, f"{m['kbps']} kbit/s is below {rules.min_kbps}", fix))
    if rules.exact_kbps and m["kbps"] != rules.exact_kbps:
        found.append(Finding("fail", name, f"{m['kbps']} kbit/s, the build asked for "
                             f"{rules.exact_kbps}", fix))
    return found


def judge_book(files: list[dict], rules: CheckProfile) -> list[Finding]:
    """Chapters at one loudness."""
    chapters = [f for f in files if f["file"].endswith(".mp3")]
    levels = [f[rules.level] for f in chapters]
    if len(levels) > 1 and max(levels) - min(levels) > rules.chapter_spread_db:
        loud = max(chapters, key=lambda f: f[rules.level])
        quiet = min(chapters, key=lambda f: f[rules.level])
        return [Finding("fail", "chapters", f"{loud['file']} is "
                        f"{loud[rules.level] - quiet[rules.level]:.1f}"
                        f" dB louder than {quiet['file']} (at most {rules.chapter_spread_db:.0f} dB "
                        "apart)", "build again: narrate build SOURCE levels every chapter alike")]
    return []


def _cue_spans(record: ChapterRecord, rate: int) -> list[tuple[int, int]]:
    """The chapter's cues in samples of the decoded file."""
    scale = rate / record.rate
    return [(int(cue["start"] * scale), int(cue["end"] * scale)) for cue in record.cues]


def _segment_measures(scan: Scan, record: ChapterRecord, manifest: Manifest) -> list[dict]:
    """Each spoken segment of the chapter, found by its cue, measured in the decoded file."""
    out = []
    for i, cue in enumerate(record.cues):
        spoken = manifest.spoken.get(cue["id"])
        if not spoken:
            continue
        start, end = scan.spans[i]
        rms, clipped = scan.span_measures(i)
        used = manifest.voices.get(spoken.role)
        wpm = used.rate if used else VoiceProfile.rate
        out.append({"id": cue["id"], "chapter": record.id, "role": spoken.role,
                    "start": round(cue["start"] / record.rate, 3),
                    **spoken_measures((min(end, scan.samples) - start) / scan.rate, rms, clipped,
                                      spoken.say, wpm)})
    return out


def judge_segments(segments: list[dict], rules: CheckProfile, name: str) -> list[Finding]:
    found = []
    for seg in segments:
        found += [Finding("fail", f"{name} segment {seg['id']}", problem,
                          f"narrate build SOURCE --only {seg['id']}")
                  for problem in segment_problems(seg)]
    for before, after in itertools.pairwise(segments):
        jump = abs(after["rms_db"] - before["rms_db"])
        if jump > rules.segment_jump_db and min(after["rms_db"], before["rms_db"]) > SPEECH_MIN_DB:
            found.append(Finding("fail", f"{name} segment {after['id']}", f"is {jump:.0f} dB "
                                 f"{'louder' if after['rms_db'] > before['rms_db'] else 'quieter'}"
                                 f" than the one before", f"narrate build SOURCE --only {after['id']}"))
    return found


# ---- the machine listener ------------------------------------------------------------------

def _asr_clips(path: Path, record: ChapterRecord, segments: list[dict]) -> dict[str, np.ndarray]:
    """Each segment of the chapter at 16 kHz, cut from the decoded file."""
    import subprocess

    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-f", "f32le",
                          "-ac", "1", "-ar", str(ASR_RATE), "-"], capture_output=True,
                         check=True).stdout
    audio = np.frombuffer(raw, np.float32)
    margin = int(0.1 * ASR_RATE)
    return {seg["id"]: audio[max(0, int(seg["start"] * ASR_RATE) - margin):
                             int((seg["start"] + seg["seconds"]) * ASR_RATE) + margin].copy()
            for seg in segments}


def _listen(report: CheckReport, clips: dict, manifest: Manifest, threshold: float,
            jobs: int | None, progress: bool | None) -> None:
    import os

    from narrate.qa.listen import transcribe_all

    heard = transcribe_all(clips, jobs or os.cpu_count() or 1, progress)
    by_role: dict[str, list[float]] = {}
    for seg in report.segments:
        if seg["id"] not in heard:
            continue
        say = manifest.spoken[seg["id"]].say
        seg["heard"] = heard[seg["id"]]
        seg["wer"] = round(word_error_rate(say, heard[seg["id"]]), 3)
        by_role.setdefault(seg["role"], []).append(seg["wer"])
    for role, rates in by_role.items():
        report.asr[role] = {"segments": len(rates), "median_wer": float(np.median(rates)),
                             "p95_wer": float(np.percentile(rates, 95)), "threshold": threshold,
                             "above_threshold": sum(r > threshold for r in rates)}
    worst = sorted((s for s in report.segments if s.get("wer", 0) > threshold),
                   key=lambda s: -s["wer"])
    for seg in worst:
        said = manifest.spoken[seg["id"]].say
        report.findings.append(Finding(
            _asr_level(said, seg["heard"]), f"segment {seg['id']} ({seg['role']})",
            f"WER {seg['wer']:.0%}: said “{_short(said)}”, heard “{_short(seg['heard'])}”",
            f"narrate build SOURCE --only {seg['id']}"))


def _asr_level(said: str, heard: str) -> str:
    """Words missing from what was heard fail (a truncated or silent take); words
    heard differently only warn: Whisper tiny mishears names, and that is not the book's fault."""
    expected, got = len(normalise(said)), len(normalise(heard))
    return "fail" if expected >= 4 and got < MISSING_WORDS * expected else "warn"


def _short(text: str, words: int = 12, chars: int = 90) -> str:
    parts = text.split()
    short = " ".join(parts[:words])[:chars]
    return short + (" …" if len(short) < len(text.strip()) else "")
