"""A line to render: the value the renderer takes from a plan, in a module of its own so
that the plan's types (narrate.values) can name it without importing the renderer."""

from __future__ import annotations

from dataclasses import dataclass

from narrate.model import Segment


@dataclass(frozen=True)
class RenderItem:
    id: str  # segment id, or a name for extra lines (titles, credits)
    say: str
    role: str
    text: str = ""  # as written, for messages
    take: int = 1  # a retake varies the engine's delivery (engines/base.take_pace)
    language: str = ""  # when not the book's: its role's voice for this language reads it

    @property
    def voice(self) -> str:
        """The cast's entry that reads it: its role, or its role's voice for its language
        ("narrator:fr", made by render/cast.passage_cast)."""
        return voice_key(self.role, self.language)


def voice_key(role: str, language: str = "") -> str:
    return f"{role}:{language}" if language else role


def line_item(segment: Segment) -> RenderItem:
    """A script's line as the renderer takes it: what is said, by whom, in which language,
    which take."""
    return RenderItem(segment.id, segment.say, segment.role, segment.text, segment.take,
                      segment.language)
