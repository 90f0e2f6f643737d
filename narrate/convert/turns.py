"""A book told in dialogue as its speaker sieve reads it (narrate.convert.speakers): each
chapter's paragraphs as runs of narration and quotations; a paragraph with quotations is
a turn, linked to the turn before it in its conversation (no more than a few lines of
narration between), with each quotation's speech tags and the names it calls out to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from narrate.convert.characters import NAME, Cast, Name, name_at
from narrate.convert.tags import Tag, tag_after, tag_before, vocatives
from narrate.model import QUOTE, Book, Character, Segment
from narrate.patterns import regex

CONVERSATION_BREAK = 80  # narration words between two turns that end a conversation
_CLOSE_QUOTE = "”\"’'»"
# after a tag, the one it is said to: "said Jane to Elizabeth", "she said, turning to Jane"
_ECHOING = frozenset(("repeated", "repeats", "echoed"))
_SAID_TO = regex(rf"[^.!?;:“”\"]{{0,40}}?\bto\s+(?P<name>{NAME.pattern})")


@dataclass
class Quote:
    segments: list[Segment]
    text: str
    before: str  # the narration just before it in its paragraph
    after: str
    tags: list[tuple[Tag, str]] = field(default_factory=list)  # (tag, the narration it is in)
    speaker: Character | None = None
    aside: bool = False  # in parentheses: another's words inside a quotation (“…” (“I
    # haven't,” said Alice)--“…”), with a speaker of its own


@dataclass
class Paragraph:
    narration: list[str]
    quotes: list[Quote]
    lead: str = ""  # the narration before its first quotation
    tail: str = ""  # the narration after its last
    preceding: str = ""  # the paragraph of narration just before it, if there is one
    unclosed: bool = False  # its last quotation runs on into the next paragraph
    prev: Paragraph | None = None  # the turn before in its conversation
    continues: bool = False  # it takes up the quotation the turn before left open
    gap: int = 0  # words of narration since the turn before
    speaker: Character | None = None
    rule: str = ""
    called: list[Character] = field(default_factory=list)  # who its quotations address
    # who its quotations name (called, or spoken of): one never names oneself, so none
    # of them is its speaker, unless a tag says so
    named: set[str] = field(default_factory=set)


def paragraphs(book: Book) -> list[list[Paragraph]]:
    """Each chapter's paragraphs, with their tags and turns linked."""
    chapters = []
    for chapter in book.chapters:
        found: list[Paragraph] = []
        for section in chapter.sections:
            if not section.kind:
                found.append(_paragraph(section.segments, found[-1] if found else None))
        _link(found)
        chapters.append(found)
    return chapters


def _paragraph(segments: list[Segment], before: Paragraph | None) -> Paragraph:
    runs: list[tuple[str, list[Segment]]] = []
    for segment in segments:
        if runs and runs[-1][0] == segment.role and not _bracketed(runs[-1][1][-1], segment):
            runs[-1][1].append(segment)
        else:
            runs.append((segment.role, [segment]))
    texts = [" ".join(s.text for s in segs) for _, segs in runs]
    asides = _in_brackets(texts)
    quotes = [Quote(segs, texts[i], _outside(runs, texts, i - 1, asides[i], True),
                    _outside(runs, texts, i + 1, asides[i], False), aside=asides[i])
              for i, (role, segs) in enumerate(runs) if role == QUOTE]
    paragraph = Paragraph([t for (role, _), t in zip(runs, texts) if role != QUOTE], quotes,
                          texts[0] if runs and runs[0][0] != QUOTE else "",
                          texts[-1] if runs and runs[-1][0] != QUOTE else "")
    if before is not None and not before.quotes:
        paragraph.preceding = before.tail
    if quotes:
        paragraph.unclosed = runs[-1][0] == QUOTE and \
            quotes[-1].text.rstrip()[-1:] not in _CLOSE_QUOTE
        _find_tags(paragraph, before)
    return paragraph


def _bracketed(before: Segment, segment: Segment) -> bool:
    """Whether a bracket parts two quote segments: two quotations, not one."""
    return before.role == QUOTE and (before.text.rstrip().endswith(")")
                                     or segment.text.lstrip().startswith("("))


def _in_brackets(texts: list[str]) -> list[bool]:
    """For each run, whether it opens inside parentheses (its first quotation mark is)."""
    depth, inside = 0, []
    for text in texts:
        head = len(text) - len(text.lstrip("( "))
        inside.append(depth + text.count("(", 0, head + 1) > 0)
        depth = max(0, depth + text.count("(") - text.count(")"))
    return inside


def _outside(runs: list[tuple[str, list[Segment]]], texts: list[str], i: int, aside: bool,
             before: bool) -> str:
    """The narration of run i beside a quotation, within the quotation's own brackets:
    "said Alice)--" is an aside's tag, not the tag of the quotation after it."""
    if not 0 <= i < len(texts) or runs[i][0] == QUOTE:
        return ""
    text = texts[i]
    if before:  # after the last bracket that opens (an aside's) or closes (one before)
        return text[(text.rfind("(") if aside else text.rfind(")")) + 1:]
    cut = text.find(")") if aside else text.find("(")
    return text if cut < 0 else text[:cut]


def _find_tags(paragraph: Paragraph, before: Paragraph | None) -> None:
    """Each quotation's tags: the narration after it, before it, and for the first, the
    end of the paragraph before when it introduces it ("… said,"); names first."""
    for n, quote in enumerate(paragraph.quotes):
        found = [(tag_after(quote.after), quote.after), (tag_before(quote.before), quote.before)]
        if n == 0 and not quote.before and before is not None and before.tail:
            found.append((tag_before(before.tail), before.tail))
        # a name before a pronoun: "The Mouse went on, “…” it continued"
        quote.tags = sorted(((tag, text) for tag, text in found if tag is not None),
                            key=lambda pair: pair[0].kind != "name")


def _link(chapter: list[Paragraph]) -> None:
    last: Paragraph | None = None
    gap = 0
    for paragraph in chapter:
        if not paragraph.quotes:
            gap += sum(len(t.split()) for t in paragraph.narration)
            continue
        if last is not None and gap <= CONVERSATION_BREAK:
            paragraph.prev, paragraph.continues = last, gap == 0 and last.unclosed
        paragraph.gap, last, gap = gap, paragraph, 0


def find_called(turns: list[Paragraph], cast: Cast) -> None:
    """Who each turn's quotations call out to by name ("…, Jane"), or its tags say it is
    said to ("said Jane to Elizabeth"), and who they name at all."""
    for turn in turns:
        for quote in turn.quotes:
            turn.named |= {c.name for _, _, c in cast.mentions(quote.text)}
            echoed = any(tag.verb in _ECHOING for tag, _ in quote.tags)  # "“Mrs. Forrester,”
            names = ([] if echoed else vocatives(quote.text)) + [  # he repeated": no call
                m.group("name") for tag, text in quote.tags
                if (m := _SAID_TO.match(text, tag.end))]
            for called in names:
                character = cast.find(name_of(called))
                if character is not None and character not in turn.called:
                    turn.called.append(character)


def name_of(text: str) -> Name:
    match = NAME.search(text)
    return name_at(match) if match else Name("", False, ())
