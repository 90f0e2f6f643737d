"""narrate: turn an essay, a lecture or a book into an audiobook, offline.

The data flows one way: text -> Script (narrate.script) -> audio -> files.
The Script (narrate.model) is the contract between the stages.
"""

from narrate.errors import NarrateError
from narrate.model import Book, Chapter, Section, Segment

__all__ = ["NarrateError", "Book", "Chapter", "Section", "Segment"]
__version__ = "0.1.0"
