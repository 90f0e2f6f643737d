"""The narration script: Book -> Chapter -> Section -> Segment.

Plain values with no I/O. Ids are positional and for people (`02.014.3`). What a
segment's audio is cached under is not here: it depends on the voice profile too
(narrate.render.cache.audio_key).
"""

from __future__ import annotations

from dataclasses import dataclass, field

NARRATOR = "narrator"
QUOTE = "quote"
NOTE = "note"  # footnotes and endnotes, read after the paragraph that cites them
MAX_TAKE = 999  # a script's `take:` is 1 to this


@dataclass
class Segment:
    id: str
    role: str
    text: str  # as written, for people
    say: str  # what the engine speaks
    citation: str | None = None  # a page citation kept out of the speech
    # which take of the line the book plays: 1, or a retake (`build --only`, the studio's
    # Retake, `--verify`), whose number varies the engine's delivery reproducibly
    take: int = 1
    # who says a quotation, in a book told in dialogue: a character's name (Book.characters),
    # '' when nothing in the text says who (the quote voice), None when not asked
    speaker: str | None = None
    # the language it is spoken in when not the book's ("fr" for a French passage marked
    # so in HTML or EPUB): a voice that speaks it reads it
    language: str = ""
    # where a script gave its role ("script.yaml:41"), for messages: not part of the book,
    # and carried with the segment wherever an edit merge puts it
    origin: str = field(default="", repr=False, compare=False)


# a character's gender, when the text shows one (pronouns, honorifics)
GENDERS = ("male", "female")


@dataclass
class Character:
    """One of the book's people: the name the book calls them by most, the other names it
    uses for them, their gender ('' when unknown) and, for the cast, a voice ('' unchosen)."""
    name: str
    aliases: list[str] = field(default_factory=list)
    gender: str = ""
    voice: str = ""
    # where their `voice:` is written ("script.yaml:12"), for messages: not part of the book
    origin: str = field(default="", repr=False, compare=False)

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass
class Section:
    id: str
    segments: list[Segment] = field(default_factory=list)
    kind: str = ""  # "" for a paragraph; "list item", "heading", "note", "table" or "cue"
    title: str = ""  # a title for its chapter marker: the sidenote that heads it, if any

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)


@dataclass
class Chapter:
    id: str
    title: str
    # where the title came from: "heading" (the text's own), "metadata", or
    # "opening" (made from the opening words, so it is never read aloud)
    title_source: str = "opening"
    heading: str | None = None  # the heading lines as written, if any
    sections: list[Section] = field(default_factory=list)
    label: str | None = None  # the heading's number as written ("Lecture I"), kept apart
    announce: Segment | None = None  # the title as spoken before the chapter, if it has one

    @property
    def segments(self) -> list[Segment]:
        return [seg for sec in self.sections for seg in sec.segments]


@dataclass
class Book:
    title: str
    author: str = ""
    narrator: str = ""
    language: str = "en"
    source: str = ""
    chapters: list[Chapter] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # other metadata (year, cover, ...)
    # the opening credits (id "credits") and the closing line (id "closing"), spoken by
    # the narrator before the first chapter and after the last
    credits: list[Segment] = field(default_factory=list)
    # the people who speak in a book told in dialogue (the segments' `speaker`)
    characters: list[Character] = field(default_factory=list)
    # sections whose script version a merge kept over a changed source paragraph
    # (`--prefer script`), by id: recorded beside the script (narrate.edits), so that a
    # later `--prefer source` takes the source's; not part of the book
    preferred: list[str] = field(default_factory=list, repr=False, compare=False)

    @property
    def segments(self) -> list[Segment]:
        return [seg for ch in self.chapters for seg in ch.segments]

    @property
    def sections(self) -> list[Section]:
        return [sec for ch in self.chapters for sec in ch.sections]

    @property
    def spoken(self) -> list[Segment]:
        """Everything that is spoken: credits, chapter titles and segments."""
        titles = [c.announce for c in self.chapters if c.announce]
        return self.credits + titles + self.segments

    @property
    def ids(self) -> list[str]:
        """Every chapter, section and segment id, for 'did you mean' messages."""
        return ([c.id for c in self.chapters] + [s.id for s in self.sections]
                + [s.id for s in self.spoken])
