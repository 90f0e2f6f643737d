"""A book as a person is shown it: how long it takes to speak, its outline (`narrate
show`), what changed between two versions of it (`narrate diff`, a dry run's lines),
and clock times."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from narrate.convert import words
from narrate.model import Book, Segment
from narrate.problems import counted, first_words
from narrate.render.profiles import VoiceProfile

DEFAULT_RATE = VoiceProfile.rate  # words a minute, for a role with no profile


def estimate_seconds(segments: list[Segment], profiles: dict | None = None) -> float:
    """How long the segments take to speak, each at its voice profile's rate."""
    def rate(role: str) -> int:
        profile = (profiles or {}).get(role)
        return profile.rate if profile else DEFAULT_RATE

    return sum(len(words(s.say)) * 60.0 / rate(s.role) for s in segments)


# ---- what changed between two versions of a book -------------------------------------------------

@dataclass
class SectionChange:
    kind: str  # "changed", "inserted" or "deleted"
    old_id: str | None
    new_id: str | None
    words: str


def diff_books(old: Book, new: Book) -> list[SectionChange]:
    """Sections that differ in what is spoken (role and say), aligned by content, so an
    inserted paragraph shows as one insertion, not as every later section changed."""
    def signature(section):
        return tuple((s.role, s.say) for s in section.segments)

    old_sections, new_sections = old.sections, new.sections
    matcher = difflib.SequenceMatcher(None, [signature(s) for s in old_sections],
                                      [signature(s) for s in new_sections], autojunk=False)
    changes = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pairs = max(i2 - i1, j2 - j1)
        for k in range(pairs):
            o = old_sections[i1 + k] if i1 + k < i2 else None
            n = new_sections[j1 + k] if j1 + k < j2 else None
            kind = "changed" if o and n else ("inserted" if n else "deleted")
            shown = n or o
            assert shown is not None  # one side of a difference has a section
            changes.append(SectionChange(kind, o.id if o else None, n.id if n else None,
                                         first_words(shown.text)))
    return changes


def changed_sections(book: Book, segment_ids, verb: str, limit: int = 12) -> list[str]:
    """The sections the segments belong to, with their first words."""
    sections = {s.id: s for s in book.sections}
    changed = sorted({i.rsplit(".", 1)[0] for i in segment_ids if i.count(".") == 2})
    lines = [f"   {verb} {i}  {first_words(sections[i].text, 8)}" for i in changed[:limit]]
    return lines + ([f"   … and {len(changed) - limit} more sections"]
                    if len(changed) > limit else [])


def clock(seconds: float) -> str:
    """1:02:03, or 2:03 under an hour."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"




def diff_summary(changes: list[SectionChange]) -> list[str]:
    """One line a changed section, then the counts."""
    counts = {k: sum(1 for c in changes if c.kind == k) for k in ("changed", "inserted", "deleted")}
    return [f"{c.kind:9} {c.old_id or '-':>8} -> {c.new_id or '-':<8} {c.words}"
            for c in changes] + [f"{counts['changed']} changed, {counts['inserted']} inserted, "
                                 f"{counts['deleted']} deleted"
                                 + ("" if changes else ": nothing to rebuild")]


def book_summary(book: Book) -> str:
    quotes = sum(1 for s in book.segments if s.role == "quote")
    return (f"{counted(len(book.chapters), 'chapter')}, "
            f"{counted(len(book.sections), 'section')}, "
            f"{counted(len(book.segments), 'segment')} ({quotes} in the quote voice)")


@dataclass
class Outline:
    """A book as `narrate show` prints it: chapters timed at each voice's rate, and every
    section's segments with their voices."""
    title: str
    not_read: list[str]  # how notes are read; what is found and not read: index, contents …
    chapters: list[tuple[str, list[tuple[str, list[Segment]]]]]  # heading, [(section, segments)]
    total: str  # chapters, segments, duration, and each voice's rate


def outline(book: Book, profiles: dict[str, VoiceProfile], problems: list) -> Outline:
    chapters = [(f"{c.id}  {c.title}  (~{clock(estimate_seconds(c.segments, profiles))})",
                 [(s.id, s.segments) for s in c.sections]) for c in book.chapters]
    return Outline(book.title + (f" — {book.author}" if book.author else ""),
                   [p.message for p in problems
                    if getattr(p, "code", "") in ("notes-read", "not-read")],
                   chapters, f"{counted(len(book.chapters), 'chapter')}, "
                   f"{counted(len(book.segments), 'segment')}, "
                   f"about {clock(estimate_seconds(book.segments, profiles))} (words a minute: "
                   + ", ".join(f"{role} {p.rate}" for role, p in sorted(profiles.items())) + ")")
