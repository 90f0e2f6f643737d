"""A line to render: the value the renderer takes from a plan, in a module of its own so
that the plan's types (narrate.values) can name it without importing the renderer."""

from __future__ import annotations

from dataclasses import dataclass

from narrate.model import Book, Segment


@dataclass(frozen=True)
class RenderItem:
    id: str  # segment id, or a name for extra lines (titles, credits)
    say: str
    role: str
    text: str = ""  # as written, for messages
    take: int = 1  # a retake varies the engine's delivery (engines/base.take_pace)
    language: str = ""  # when not the book's: its role's voice for this language reads it
    speaker: str = ""  # the character who says it (their name in Book.characters): their voice

    @property
    def voice(self) -> str:
        """The cast's entry that reads it: its role, or its role's voice for its language
        ("narrator:fr", made by render/cast.passage_cast), or its speaker's ("quote@Harris",
        made by render/voicing)."""
        if self.speaker and not self.language:
            return speaker_key(self.role, self.speaker)
        return voice_key(self.role, self.language)


def voice_key(role: str, language: str = "") -> str:
    return f"{role}:{language}" if language else role


def speaker_key(role: str, speaker: str) -> str:
    return f"{role}@{speaker}"


def line_item(segment: Segment, speakers: dict[str, str] | None = None) -> RenderItem:
    """A script's line as the renderer takes it: what is said, by whom, in which language,
    which take. `speakers`: the book's characters' names, casefolded, to each one's name
    (render/voicing.speaker_names); a speaker who is none of them is read in the quote voice."""
    speaker = (speakers or {}).get((segment.speaker or "").casefold(), "")
    return RenderItem(segment.id, segment.say, segment.role, segment.text, segment.take,
                      segment.language, speaker)


def speaker_names(book: Book) -> dict[str, str]:
    """Every name and alias of the book's characters, casefolded -> the character's name."""
    return {n.casefold(): c.name for c in reversed(book.characters) for n in c.names}
