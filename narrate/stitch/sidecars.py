"""Sidecar files: Podcasting 2.0 JSON chapters, a cue sheet, an m3u playlist, WebVTT captions."""

from __future__ import annotations

import json


def _clock(seconds: float, sep: str = ".") -> str:
    ms = round(seconds * 1000)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}{sep}{rest % 1000:03d}"


def json_chapters(title: str, chapters: list[tuple[str, float, float]]) -> str:
    """chapters: (title, start s, end s) on the whole book's timeline."""
    data = {"version": "1.2.0", "title": title,
            "chapters": [{"startTime": round(start, 3), "endTime": round(end, 3), "title": name}
                         for name, start, end in chapters]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _cue_text(value: str) -> str:
    return value.replace('"', "'").replace("\n", " ")


def cue_sheet(title: str, performer: str, tracks: list[tuple[str, str, float]]) -> str:
    """A TRACK per chapter: tracks are (file name, chapter title, its start in that file,
    seconds); a FILE line each time the file changes (MP3 for .mp3, else WAVE: the
    sheet's generic audio type)."""
    lines = [f'PERFORMER "{_cue_text(performer)}"', f'TITLE "{_cue_text(title)}"']
    last = None
    for number, (name, chapter, start) in enumerate(tracks, start=1):
        if name != last:
            kind = "MP3" if name.lower().endswith(".mp3") else "WAVE"
            lines.append(f'FILE "{_cue_text(name)}" {kind}')
            last = name
        frames = round(start * 75)  # a cue sheet counts 75 frames a second
        lines += [f"  TRACK {number:02d} AUDIO",
                  f'    TITLE "{_cue_text(chapter)}"', f'    PERFORMER "{_cue_text(performer)}"',
                  f"    INDEX 01 {frames // 4500:02d}:{frames // 75 % 60:02d}:{frames % 75:02d}"]
    return "\n".join(lines) + "\n"


def m3u_playlist(entries: list[tuple[str, float, str]]) -> str:
    """entries: (file name, duration s, display title)."""
    lines = ["#EXTM3U"]
    for name, seconds, display in entries:
        lines += [f"#EXTINF:{round(seconds)},{display}", name]
    return "\n".join(lines) + "\n"


def webvtt(cues: list[tuple[float, float, str, str]]) -> str:
    """cues: (start s, end s, id, text) within one chapter file."""
    blocks = ["WEBVTT\n"]
    for start, end, ident, text in cues:
        safe = (" ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;")
                .replace(">", "&gt;").replace("-->", "→"))
        blocks.append(f"{ident}\n{_clock(start)} --> {_clock(end)}\n{safe}\n")
    return "\n".join(blocks)
