"""The pause policy: the silence after each clip of a chapter, from its voice profile
(sentence, change of voice, paragraph, or the shorter one between list items), and a
chapter's clips in the order they are heard."""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from narrate.model import NARRATOR, Book, Segment
from narrate.stitch.timeline import Clip


def segment_clips(flat: list[tuple[str, Segment]], paths: dict, profiles: dict,
                  lists: AbstractSet[str] = frozenset(), titles: dict | None = None) -> list:
    """Clips for (section id, segment) pairs in reading order, each with the pause its
    voice profile asks for after it: sentence, change of voice, paragraph, or the shorter
    one between two items of a list (`lists`: the sections that are list items)."""
    titles = titles or {}
    clips = []
    for i, (section_id, segment) in enumerate(flat):
        pauses = profiles[segment.role].pauses
        following = flat[i + 1] if i + 1 < len(flat) else None
        if following and following[0] != section_id and {section_id, following[0]} <= lists:
            pause = pauses["list_item"]
        elif following is None or following[0] != section_id:
            pause = pauses["paragraph"]
        elif following[1].role != segment.role:
            pause = pauses["voice_change"]
        else:
            pause = pauses["sentence"]
        title = titles.get(section_id, "") if i == 0 or flat[i - 1][0] != section_id else ""
        clips.append(Clip(segment.id, paths[segment.id], pause, section_id, segment.text, title))
    return clips


def chapter_clips(book: Book, index: int, paths: dict, profiles: dict, credits: bool) -> list:
    """A chapter's clips: credits (first chapter), spoken title, segments, closing (last)."""
    chapter = book.chapters[index]
    narrator_pauses = profiles[NARRATOR].pauses
    clips = []
    lines = {s.id: s for s in book.credits if s.id in paths}
    if credits and index == 0 and "credits" in lines:
        clips.append(Clip("credits", paths["credits"], narrator_pauses["paragraph"] * 2,
                          text=lines["credits"].text))
    if chapter.announce and chapter.announce.id in paths:
        clips.append(Clip(chapter.announce.id, paths[chapter.announce.id],
                          narrator_pauses["paragraph"], text=chapter.title))
    flat = [(section.id, segment) for section in chapter.sections for segment in section.segments
            if segment.id in paths]
    lists = {section.id for section in chapter.sections if section.kind == "list item"}
    titles = {section.id: section.title for section in chapter.sections if section.title}
    clips += segment_clips(flat, paths, profiles, lists, titles)
    if credits and index == len(book.chapters) - 1 and "closing" in lines:
        clips.append(Clip("closing", paths["closing"], 0, text=lines["closing"].text))
    return clips
