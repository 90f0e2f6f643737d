"""How well a book reads aloud, measured on the script: what was left out, what junk is
still spoken, and how much of the prose is kept. Used by `scripts/bench corpus` and
the tests; the junk detector is written apart from the converter's rules, so that it
can catch what they miss.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from narrate.model import QUOTE, Book
from narrate.read.document import HEADING, PARAGRAPH, PROSE, Document

_NUMBER_WORDS = {"zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "plus", "minus", "sharp", "flat"}
# junk in what is spoken, each a pattern over the `say` or over the text as written
_SAY_JUNK = {
    "web address": re.compile(r"\b(?:https?|www)\b|://", re.IGNORECASE),
    "gutenberg": re.compile(r"\bproject gutenberg\b|\bgutenberg-tm\b|\bebook #", re.IGNORECASE),
}
_TEXT_JUNK = {
    # a word a PDF broke at a line's end, left broken ("impor- tant")
    "broken word": re.compile(r"\b[a-z]{2,}- (?!and\b|or\b|to\b)[a-z]{2,}\b"),
    "note mark": re.compile(r"(?<=[\w.,;:!?”\"’')])\[(?:\d{1,3}|[A-Z])\]"),
    "page number": re.compile(r"\[(?:Pg|Page)\s*[\divxlc]+\]|\{\d+\}", re.IGNORECASE),
    "illustration": re.compile(r"\[[^\]]*\b(?:illustration|sidenote|figure)\b[^\]]*\]|"
                               r"^(?:Illustration|Figure \d+)[:.]", re.IGNORECASE),
}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_RUN = 6  # words in a row of single letters and number words that make notation


def _notation_run_words(say: str) -> int:
    """Words in runs of six or more single letters or number words ("four eight four four
    eight eight")."""
    count = run = 0
    for token in say.lower().replace(",", " ").split():
        token = token.strip(".;:!?")
        if len(token) == 1 or token in _NUMBER_WORDS or "-" in token and all(
                part in _NUMBER_WORDS for part in token.split("-")):
            run += 1
            continue
        count += run if run >= _RUN else 0
        run = 0
    return count + (run if run >= _RUN else 0)


def junk_words(book: Book) -> Counter:
    """Junk spoken, in words, by kind."""
    found: Counter = Counter()
    for segment in book.spoken:
        found["notation"] += _notation_run_words(segment.say)
        for kind, pattern in _SAY_JUNK.items():
            found[kind] += len(pattern.findall(segment.say))
        for kind, pattern in _TEXT_JUNK.items():
            found[kind] += len(pattern.findall(segment.text))
    return +found


_ROMAN = re.compile(r"^(?:x{0,3})(?:ix|iv|v?i{0,3})$")


def words_of(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def written_words(text: str) -> list[str]:
    """The words of a text a narrator must say as words: not single letters, roman
    numerals or abbreviations (short words with a full stop), which are spoken otherwise."""
    out = []
    text = text.replace("`", "")  # code's marks: `sort`'s is the word sort's
    for match in _WORD.finditer(text):
        word = match.group().lower().replace("’", "'")
        short = len(word) <= 4 and text[match.end():match.end() + 1] == "."
        if len(word) > 1 and not _ROMAN.match(word) and not short:
            out.append(word)
    return out


def prose_words(document: Document, lexicon=None) -> list[str]:
    """The words of the document's prose and section headings (respelled by the lexicon,
    as the narrator says them), lower case."""
    out = []
    for block in document.blocks:
        if block.kind in PROSE or (block.kind == HEADING and block.level > 1):
            if block.kind == PARAGRAPH and _is_notation(block.text):
                continue
            out += written_words(lexicon.apply(block.text) if lexicon else block.text)
    return out


def _is_notation(text: str) -> bool:
    from narrate.convert.speech import is_notation

    return is_notation(text)


def kept_share(words: list[str], spoken: list[str]) -> float:
    """The share of `words` found in `spoken` (as multisets)."""
    if not words:
        return 1.0
    have = Counter(spoken)
    kept = 0
    for word, n in Counter(words).items():
        kept += min(n, have[word])
    return kept / len(words)


@dataclass
class Scorecard:
    chapters: int
    spoken_words: int
    left_out: dict[str, int] = field(default_factory=dict)  # kind -> words
    notes_read: int = 0
    quote_segments: int = 0
    junk: Counter = field(default_factory=Counter)
    prose_kept: float = 1.0  # of the document's prose words, the share in some `say`
    worst_chapter_kept: float = 1.0  # the same, chapter by chapter: the lowest

    @property
    def junk_share(self) -> float:
        return sum(self.junk.values()) / max(1, self.spoken_words)


def score(document: Document, book: Book, problems: list, lexicon=None) -> Scorecard:
    says = [w for s in book.spoken for w in words_of(s.say)]
    left_out = {}
    for problem in problems:
        if getattr(problem, "code", "") == "not-read":
            kind, rest = problem.message.split(": ", 1)
            counted = re.search(r"\(([\d,]+) words", rest)
            left_out[kind] = int(counted.group(1).replace(",", "")) if counted else 0
    worst = 1.0
    for chapter in book.chapters:
        text = [w for sec in chapter.sections if sec.kind in ("", "list item", "heading")
                for s in sec.segments
                for w in written_words(lexicon.apply(s.text) if lexicon else s.text)]
        said = [w for s in chapter.segments for w in words_of(s.say)]
        worst = min(worst, kept_share(text, said))
    return Scorecard(
        chapters=len(book.chapters), spoken_words=len(says), left_out=left_out,
        notes_read=sum(1 for sec in book.sections if sec.kind == "note"),
        quote_segments=sum(1 for s in book.segments if s.role == QUOTE),
        junk=junk_words(book), prose_kept=kept_share(prose_words(document, lexicon), says),
        worst_chapter_kept=worst)


__all__ = ["Scorecard", "junk_words", "kept_share", "prose_words", "score"]
