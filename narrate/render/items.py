"""A line to render: the value the renderer takes from a plan, in a module of its own so
that the plan's types (narrate.values) can name it without importing the renderer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderItem:
    id: str  # segment id, or a name for extra lines (titles, credits)
    say: str
    role: str
    text: str = ""  # as written, for messages
