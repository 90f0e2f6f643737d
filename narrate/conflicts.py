"""A user's version of a section against narrate's, for the merge (narrate.merge): what
changed in it, how a conflict is told (the segment, and each version at the words that
changed in it, not cut off before them), and the user's version kept over the source's."""

from __future__ import annotations

import copy

from narrate.model import Section, Segment


def clash(section: Section, segment: Segment | None, now: Section | None) -> str:
    """The line of a conflict: `section` as narrate wrote it, `segment` the first the user
    changed in it (None: it was deleted), `now` what the source's paragraph became (None:
    it is gone)."""
    was = {s.id: s.say for s in section.segments}
    yours = f"edited to {changed_words(was.get(segment.id, ''), segment.say)}" if segment \
        else "deleted"
    theirs = changed_words(section.text, now.text) if now is not None else "it is gone"
    return (f"segment {segment.id if segment else section.id} was {yours}, and its source "
            f"paragraph changed too (now {theirs})")


def changed_words(old: str, new: str, words: int = 12) -> str:
    """`new` quoted, cut to `words` words around the first that differs from `old` (a
    few before it, for its place), so that a person sees what changed."""
    was, now = old.split(), new.split()
    first = next((i for i, (a, b) in enumerate(zip(was, now)) if a != b),
                 min(len(was), len(now)))
    start = max(0, min(first - 3, len(now) - words))
    shown = " ".join(now[start:start + words])
    return ("“" + ("… " if start else "") + shown
            + (" …" if start + words < len(now) else "") + "”")


def line_of(segment: Segment) -> tuple:
    """What a person may change in a line: who says it, what, in which language, and which
    take plays."""
    return segment.role, segment.speaker, segment.text, segment.say, segment.take, \
        segment.language


def first_change(section: Section, edited: Section | None) -> Segment | None:
    if edited is None:
        return None
    old = {s.id: s for s in section.segments}
    for segment in edited.segments:
        was = old.get(segment.id)
        if was is None or line_of(was) != line_of(segment):
            return segment
    return edited.segments[0] if edited.segments else None


def text_follows_say(kept: list[Section], base: Section) -> None:
    """In the user's version kept over a changed source paragraph, a segment whose say
    they edited and whose text they did not shows its say as its text: the old text is
    neither what is said nor the source's now."""
    was = {s.id: s for s in base.segments}
    for segment in (s for section in kept for s in section.segments):
        old = was.get(segment.id)
        if old is not None and segment.say != old.say and segment.text == old.text:
            segment.text = segment.say


def derived_says(kept: list[Section], base: Section, new: Section) -> None:
    """In the user's version of a section whose paragraph is unchanged, each say they did
    not edit (a take, a role edited) becomes the new conversion's: a take is a delivery,
    not the words, and a lexicon changed since is heard."""
    was = {s.id: s.say for s in base.segments}
    now = {s.id: s.say for s in new.segments}
    for segment in (s for section in kept for s in section.segments):
        if segment.id in now and was.get(segment.id) == segment.say:
            segment.say = now[segment.id]


def renamed(section: Section, new_id: str) -> Section:
    """The user's section in the place of the new one: its id, its segments' ids under it."""
    copied = copy.deepcopy(section)
    for segment in copied.segments:
        if segment.id.startswith(section.id + "."):
            segment.id = new_id + segment.id[len(section.id):]
    copied.id = new_id
    return copied
