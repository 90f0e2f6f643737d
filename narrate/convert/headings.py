"""What a narrator says for headings and credits: numbers in words, capitals tamed.

    "CHAPTER II"                                   -> "Chapter Two."
    "Lecture I" + "The Present Dilemma in Philosophy" -> "Lecture One. The Present Dilemma in Philosophy."
    "IV" + "THE MODERN ORCHESTRA"                  -> "The modern orchestra."  ("Lecture Four. …"
                                                      when the book calls its chapters lectures)
"""

from __future__ import annotations

import re
from collections import Counter

from narrate.convert.lexicon import Lexicon
from narrate.convert.numbers import cardinal
from narrate.convert.speech import to_say
from narrate.model import NARRATOR, Book, Chapter, Segment
from narrate.read.sections import label_number


def sentence_case(title: str) -> str:
    """An all-capitals title in sentence case ("THE OPERA AND I" -> "The opera and I")."""
    letters = [c for c in title if c.isalpha()]
    if not letters or any(c.islower() for c in letters):
        return title
    words = title.lower().split(" ")
    words = [w.upper() if w.strip("'’,.;:!?") == "i" else w for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def book_unit(chapters: list[Chapter]) -> str | None:
    """The word the book's numbered headings use ("Lecture"), if most say one."""
    units: Counter[str] = Counter()
    for chapter in chapters:
        found = label_number(chapter.label or "")
        if found:
            units[found[0]] += 1
    named = [(n, u) for u, n in units.items() if u]
    if not named:
        return None
    count, unit = max(named)
    return unit.capitalize() if count * 2 >= sum(units.values()) else None


def spoken_heading(label: str | None, title: str | None, unit: str | None = None) -> str:
    """A heading as a narrator reads it: its number in words, then its title."""
    parts = []
    found = label_number(label or "")
    if found:
        name, number = found
        name = name.rstrip(".").capitalize() or unit or ""
        if name.lower() == "chap":
            name = "Chapter"
        # a bare numeral is said as the book's unit, else "Chapter": "IV" alone is heard
        # as the pronoun "I" with a letter, never as four
        parts.append(f"{name or 'Chapter'} {cardinal(number).capitalize()}.")
    elif label:
        parts.append(sentence_case(label).rstrip(".:") + ".")
    if title:
        parts.append(_sentence(sentence_case(title.strip())))
    return " ".join(parts)


def announce(chapter: Chapter, unit: str | None, lexicon: Lexicon,
             english: bool = True) -> Segment | None:
    """The chapter's spoken title, when it has a real one (a heading or the metadata's)."""
    if chapter.title_source == "opening":
        return None
    if chapter.title_source == "metadata":
        text = chapter.title
    elif not english:  # numbers in the book's own language: espeak-ng reads them
        text = _sentence(chapter.heading or chapter.title)
    else:
        text = spoken_heading(chapter.label, chapter.title if chapter.title != chapter.label
                              else None, unit)
    return Segment(f"{chapter.id}.000", NARRATOR, chapter.heading or chapter.title,
                   to_say(text, lexicon, english))


# written by, read by, this is the end of, by: in the languages narrate credits in
_CREDIT_WORDS = {
    "en": ("Written by", "Read by", "This is the end of", "by"),
    "de": ("Geschrieben von", "Gelesen von", "Das war", "von"),
    "fr": ("Écrit par", "Lu par", "Ceci est la fin de", "par"),
    "es": ("Escrito por", "Leído por", "Este es el final de", "de"),
    "it": ("Scritto da", "Letto da", "Questa è la fine di", "di"),
    "nl": ("Geschreven door", "Voorgelezen door", "Dit is het einde van", "door"),
    "pt": ("Escrito por", "Lido por", "Este é o fim de", "de"),
}


CREDITED_CHARS = 200  # of a title the credits say: about 13 s at a narrator's pace


def credit_lines(book: Book) -> tuple[str, str]:
    """Opening credits and the closing line, as audiobooks have them, in the book's
    language when narrate knows its words (else English)."""
    written, read, end, by = _CREDIT_WORDS.get((book.language or "en").lower()[:2],
                                               _CREDIT_WORDS["en"])
    title, subtitle, author = (_said_of(t) for t in (book.title, book.extra.get("subtitle"),
                                                      book.author))
    opening = [_sentence(title)]
    if subtitle:
        opening.append(_sentence(subtitle))
    if author:
        opening.append(_sentence(f"{written} {author}"))
    if book.narrator:
        opening.append(_sentence(f"{read} {book.narrator}"))
    closing = _sentence(f"{end} {title.rstrip('.')}" + (f", {by} {author}" if author else ""))
    return " ".join(opening), closing


def _said_of(text: str | None, chars: int = CREDITED_CHARS) -> str:
    """What the credits say of a title (or a subtitle, an author): its first `chars`
    characters, cut at a word, so that a title of pages is not read for a minute."""
    text = str(text or "")
    if len(text) <= chars:
        return text
    cut = text.rfind(" ", 0, chars)
    return text[:cut if cut > chars // 2 else chars].rstrip(" ,;:.") + "…"


def _sentence(text: str) -> str:
    return text if re.search(r"[.!?…]$", text) else text + "."


def credit_segments(book: Book, lexicon: Lexicon) -> list[Segment]:
    opening, closing = credit_lines(book)
    english = (book.language or "en").lower().startswith("en")
    return [Segment("credits", NARRATOR, opening, to_say(opening, lexicon, english)),
            Segment("closing", NARRATOR, closing, to_say(closing, lexicon, english))]


def add_spoken_lines(book: Book, lexicon: Lexicon, english: bool = True) -> None:
    """Chapter titles and credits as script entries, so they can be seen and edited."""
    unit = book_unit(book.chapters)
    for chapter in book.chapters:
        chapter.announce = announce(chapter, unit, lexicon, english)
        found = label_number(chapter.label or "") if english else None
        if found and not found[0] and chapter.title == chapter.label:
            # a bare numeral: files, markers and tags say "Chapter Four", as it is heard
            chapter.title = f"{unit or 'Chapter'} {cardinal(found[1]).capitalize()}"
    book.credits = credit_segments(book, lexicon) if book.chapters else []
