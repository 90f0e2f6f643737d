"""The book as the studio's page shows it: each chapter's MP3, and its segments in the
order heard, with their times; what `narrate check` found, with the segment each names."""

from __future__ import annotations

import re

from narrate.manifest import Manifest
from narrate.model import Book, Segment


def book_view(book: Book, manifest: Manifest) -> dict:
    records = {r.id: r for r in manifest.chapters}
    lines = {s.id: s for s in book.spoken}
    chapters = []
    for chapter in book.chapters:
        record = records.get(chapter.id)
        if record is None:
            continue
        # in the order heard (the credits before the first chapter's title, the
        # closing line after the last chapter's end), with their times
        segments = [_segment_view(lines[c["id"]], c["start"] / record.rate,
                                  c["end"] / record.rate)
                    for c in record.cues if c["id"] in lines]
        chapters.append({"id": chapter.id, "title": chapter.title,
                         "audio": f"{record.stem}.mp3",
                         "version": "-".join(map(str, record.file_stamp)),
                         "segments": segments})
    return {"title": book.title, "author": book.author, "roles": sorted(manifest.voices),
            "speakers": [c.name for c in book.characters], "chapters": chapters}


def _segment_view(segment: Segment, start: float, end: float) -> dict:
    return {"id": segment.id, "text": segment.text, "say": segment.say, "role": segment.role,
            "speaker": segment.speaker, "start": start, "end": end}


def findings_view(findings, book: Book) -> list[dict]:
    """Each finding, with the id of the segment it names when it names one."""
    ids = {s.id for s in book.spoken}
    found = []
    for finding in findings:
        named = re.search(r"\bsegment (\S+)", finding.where)
        found.append({**vars(finding),
                      "id": named.group(1) if named and named.group(1) in ids else None})
    return found
