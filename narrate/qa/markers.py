"""Chapter markers, tags and sidecars, read back with ffprobe and mutagen and held
against each other and the manifest."""

from __future__ import annotations

import json
import re
from pathlib import Path

from narrate.errors import DamagedFile
from narrate.manifest import TagsUsed
from narrate.qa.readback import read_sidecar
from narrate.qa.report import Finding
from narrate.stitch import ChapterRecord

TOLERANCE = 0.05  # seconds


def check_mp3_markers(path: Path, probed: dict, audio, record: ChapterRecord, number: int,
                      count: int, expect: TagsUsed) -> list[Finding]:
    """`audio`: the file as mutagen's MP3 read it (its length and its ID3 tag)."""
    name, found = path.name, []
    fix = "build again (a chapter file changed since narrate wrote it is made again): " \
          "narrate build SOURCE"
    duration = audio.info.length
    chapters = probed.get("chapters", [])
    if len(chapters) != len(record.markers):
        found.append(Finding("fail", name, f"{len(chapters)} chapter markers read back, the "
                             f"manifest has {len(record.markers)}", fix))
    starts = [float(c["start_time"]) for c in chapters]
    ends = [float(c["end_time"]) for c in chapters]
    if chapters:
        if abs(starts[0]) > TOLERANCE:
            found.append(Finding("fail", name, f"the first marker starts at {starts[0]:.3f} s, "
                                 "not 0", fix))
        if abs(ends[-1] - duration) > TOLERANCE:
            found.append(Finding("fail", name, f"the last marker ends at {ends[-1]:.3f} s but the "
                                 f"file lasts {duration:.3f} s", fix))
    for n, (end, start) in enumerate(zip(ends, starts[1:]), start=2):
        if abs(start - end) > TOLERANCE:
            kind = "overlaps the one before" if start < end else "leaves a gap after the one before"
            found.append(Finding("fail", f"{name} marker {n}", f"starts at {start:.3f} s and "
                                 f"{kind} (ending {end:.3f} s)", fix))
    if any(e > duration + TOLERANCE for e in ends):
        found.append(Finding("fail", name, f"a marker runs past the end ({max(ends):.3f} s > "
                             f"{duration:.3f} s)", fix))
    for n, chapter in enumerate(chapters, start=1):
        if not str(chapter.get("tags", {}).get("title", "")).strip():
            found.append(Finding("fail", f"{name} marker {n}", "has no title", fix))
    tags = audio.tags
    if tags is None:
        return found + [Finding("fail", name, "has no ID3 tag", fix)]
    for toc in tags.getall("CTOC"):
        if len(toc.child_element_ids) > 255:
            found.append(Finding("fail", name, f"a table of contents lists "
                                 f"{len(toc.child_element_ids)} entries (the limit is 255)", fix))
    wanted = {"TIT2": "title", "TALB": "album", "TRCK": "track"}
    if expect.narrator:
        wanted["TXXX:NARRATOR"] = "narrator"
    for frame, what in wanted.items():
        if not str(tags.get(frame, "")).strip():
            found.append(Finding("fail", name, f"the {what} tag ({frame}) is missing", fix))
    if not str(tags.get("TPE1", "")).strip():
        found.append(no_author(name, expect, "TPE1"))
    track = str(tags.get("TRCK", ""))
    if track and track != f"{number}/{count}":
        found.append(Finding("fail", name, f"track tag {track!r}, expected '{number}/{count}'", fix))
    if expect.cover and not tags.getall("APIC"):
        found.append(Finding("fail", name, "the cover picture (APIC) is missing", fix))
    return found


def check_m4b(path: Path, probed: dict, chapter_files: list[tuple[str, float]],
              expect: TagsUsed) -> list[Finding]:
    """The m4b's chapters: one per chapter file, same titles, same lengths, end to end."""
    name, found = path.name, []
    fix = "build again (the m4b is re-joined from the pieces): narrate build SOURCE"
    chapters = probed.get("chapters", [])
    if len(chapters) != len(chapter_files):
        return [Finding("fail", name, f"{len(chapters)} chapters, but there are "
                        f"{len(chapter_files)} chapter files", fix)]
    position = 0.0
    for n, (chapter, (title, seconds)) in enumerate(zip(chapters, chapter_files), start=1):
        start, end = float(chapter["start_time"]), float(chapter["end_time"])
        if chapter.get("tags", {}).get("title") != title:
            found.append(Finding("fail", f"{name} chapter {n}", f"is titled "
                                 f"{chapter.get('tags', {}).get('title')!r}, the file {title!r}", fix))
        if abs(start - position) > TOLERANCE or abs(end - start - seconds) > TOLERANCE:
            found.append(Finding("fail", f"{name} chapter {n}", f"spans {start:.3f}–{end:.3f} s; "
                                 f"the chapter file says {position:.3f}–{position + seconds:.3f} s",
                                 fix))
        position += seconds
    tags = probed.get("format", {}).get("tags", {})
    if not tags.get("title"):
        found.append(Finding("fail", name, "the title tag is missing", fix))
    if not tags.get("artist"):
        found.append(no_author(name, expect, "©ART"))
    return found


def no_author(name: str, expect: TagsUsed, frame: str) -> Finding:
    """No artist tag (`frame`: the MP3's TPE1, the m4b's ©ART). When the book names no
    author, only the metadata can fix that: a warning, the same for every file (the
    summary says it once); when it does name one, the file lost its tag: a failure."""
    if not expect.author:
        return Finding("warn", name, "the artist tag is empty: the book names no author",
                       "add `author: NAME` to the book's metadata YAML, then narrate build SOURCE")
    return Finding("fail", name, f"the artist tag ({frame}) is missing",
                   "build again: narrate build SOURCE")


def check_sidecars(folder: Path, book_stem: str, chapter_files: list[tuple[str, str, float]],
                   m4b: Path | None = None) -> list[Finding]:
    """chapters.json, the cue sheet and the captions agree with the chapter files.
    chapter_files: (file name, title, seconds); with no file names, the m4b's chapters."""
    found, fix = [], "build again (it rewrites the sidecars): narrate build SOURCE"
    try:
        data = json.loads(read_sidecar(folder / "chapters.json"))
        position = 0.0
        for n, (entry, (_, title, seconds)) in enumerate(zip(data["chapters"], chapter_files), 1):
            if entry["title"] != title or abs(entry["startTime"] - position) > TOLERANCE:
                found.append(Finding("fail", f"chapters.json chapter {n}", f"says {entry['title']!r}"
                                     f" at {entry['startTime']} s; the files say {title!r} at "
                                     f"{position:.3f} s", fix))
            position += seconds
        if len(data["chapters"]) != len(chapter_files):
            found.append(Finding("fail", "chapters.json", f"{len(data['chapters'])} chapters for "
                                 f"{len(chapter_files)} files", fix))
    except DamagedFile as exc:
        found.append(Finding("fail", "chapters.json", exc.what, fix))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        found.append(Finding("fail", "chapters.json", f"missing or unreadable ({exc})", fix))
    named = [name for name, _, _ in chapter_files if name] or ([m4b.name] if m4b else [])
    found += _check_cue(folder / f"{book_stem}.cue", named, fix)
    for name, _, seconds in [f for f in chapter_files if f[0]]:
        vtt = folder / Path(name).with_suffix(".vtt").name
        try:
            captions = read_sidecar(vtt)
        except FileNotFoundError:
            found.append(Finding("fail", vtt.name, "the captions are missing", fix))
            continue
        except DamagedFile as exc:
            found.append(Finding("fail", vtt.name, exc.what, fix))
            continue
        times = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)",
                           captions)
        ends = [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000
                for *_, h, m, s, ms in times]
        if ends and max(ends) > seconds + TOLERANCE:
            found.append(Finding("fail", vtt.name, f"a caption ends at {max(ends):.3f} s, after "
                                 f"the file's end ({seconds:.3f} s)", fix))
    return found


def _check_cue(cue: Path, named: list[str], fix: str) -> list[Finding]:
    """The cue sheet lists the audio files, in order (none when it is not there)."""
    try:
        listed = re.findall(r'^FILE "(.*)" (?:MP3|WAVE)$', read_sidecar(cue), re.MULTILINE)
    except FileNotFoundError:
        listed = []
    except DamagedFile as exc:
        return [Finding("fail", cue.name, exc.what, fix)]
    return [] if listed == named else [Finding("fail", cue.name, "does not list the audio files "
                                               "in order", fix)]
