"""What a conversion is asked (`ConvertOptions`), and the speech it can reuse."""

from __future__ import annotations

from dataclasses import dataclass, field

from narrate.convert.lexicon import Lexicon
from narrate.convert.speech import to_say
from narrate.convert.structure import ReadingPolicy


@dataclass
class ConvertOptions:
    quote_min_words: int = 8  # inline quotations this long or longer get the quote voice
    dialogue: bool = False  # fiction: a character's speech gets the quote voice at any length
    max_segment_chars: int = 400
    max_chapter_minutes: float | None = None
    speak_citations: bool = False
    markdown: bool = False
    words_per_minute: int = 160  # to cut long chapters by time: the narrator's rate (plan.py)
    lexicon: Lexicon = field(default_factory=Lexicon)
    policy: ReadingPolicy = field(default_factory=ReadingPolicy)  # code, notes, tables
    english: bool = True  # English number words and abbreviations (set from the language)
    language: str | None = None  # the book's language, over its metadata's and its text's
    said: SpeechMemo = field(default_factory=lambda: SpeechMemo(), repr=False, compare=False)


@dataclass
class SpeechMemo:
    """`to_say`'s answers from the last conversion of a source (`known`, kept by plan.py)
    and this one's (`used`): an edited text is converted again, but only its changed
    paragraphs go through the rules again (they are most of a conversion's time)."""
    known: dict[str, str] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)

    def say(self, text: str, lexicon: Lexicon | None, english: bool) -> str:
        # by the rules too: a paragraph marked as another language's is said by its own
        key = text if english else f"\0{text}"
        said = self.known.get(key)
        if said is None:
            said = to_say(text, lexicon, english)
        self.used[key] = said
        return said
