"""What a narrator says for headings and credits: numbers in words, capitals tamed.

    "CHAPTER II"                                   -> "Chapter Two."
    "Lecture I" + "The Present Dilemma in Philosophy" -> "Lecture One. The Present Dilemma in Philosophy."
    "IV" + "THE MODERN ORCHESTRA"                  -> "The modern orchestra."  ("Lecture Four. …"
                                                      when the book calls its chapters lectures)
    "JSON", in a book whose prose writes "JSON"    -> "JSON." (an acronym is kept, not "Json")
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from narrate.convert.language import is_english_code, same_language
from narrate.convert.lexicon import Lexicon
from narrate.convert.numbers import cardinal
from narrate.convert.speakable import sayable, voice_language
from narrate.convert.speech import to_say
from narrate.model import NARRATOR, Book, Chapter, Segment
from narrate.read.sections import label_number

_WORD = re.compile(r"\b[A-Za-z][A-Za-z0-9]+\b")


def acronyms(texts: Iterable[str]) -> frozenset[str]:
    """The words running text writes in capitals more often than not ("The JSON output";
    not "IT was a dark night", which writes "it" often): acronyms, which a heading in
    capitals keeps as they are."""
    capitals: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for text in texts:
        if not any(c.islower() for c in text):  # a line all in capitals shows nothing
            continue
        for word in _WORD.findall(text):
            if word.isupper():
                capitals[word] += 1
            else:
                other[word.upper()] += 1
    return frozenset(w for w, n in capitals.items() if n > other[w])


def sentence_case(title: str, kept: frozenset[str] = frozenset()) -> str:
    """An all-capitals title in sentence case ("THE OPERA AND I" -> "The opera and I"),
    the acronyms in `kept` left in capitals."""
    letters = [c for c in title if c.isalpha()]
    if not letters or any(c.islower() for c in letters):
        return title
    words = [w if w.strip("'’,.;:!?") in kept else w.lower() for w in title.split(" ")]
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


def spoken_heading(label: str | None, title: str | None, unit: str | None = None,
                   kept: frozenset[str] = frozenset()) -> str:
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
        parts.append(_sentence(sentence_case(title.strip(), kept)))
    return " ".join(parts)


def announce(chapter: Chapter, unit: str | None, lexicon: Lexicon, english: bool = True,
             language: str = "en", kept: frozenset[str] = frozenset()) -> Segment | None:
    """The chapter's spoken title, when it has a real one (a heading or the metadata's):
    what the book's voice can say of it; else, read by the voice for the language it is
    written in; else (emoji) its number, "Chapter Two"."""
    if chapter.title_source == "opening":
        return None
    if chapter.title_source == "metadata":
        text = chapter.title
    elif not english:  # numbers in the book's own language: espeak-ng reads them
        text = _sentence(chapter.heading or chapter.title)
    else:
        text = spoken_heading(chapter.label, chapter.title if chapter.title != chapter.label
                              else None, unit, kept)
    written, other = chapter.heading or chapter.title, voice_language(text, language)
    if other and not same_language(other, language):
        return Segment(f"{chapter.id}.000", NARRATOR, written,
                       to_say(text, lexicon, is_english_code(other)), language=other)
    if not other:
        number = int(chapter.id) if chapter.id.isdigit() else 1
        text = f"{_words(language).chapter} {cardinal(number).capitalize() if english else number}."
    return Segment(f"{chapter.id}.000", NARRATOR, written,
                   to_say(sayable(text, language), lexicon, english))


class _Words(NamedTuple):
    written: str
    read: str
    end: str  # this is the end of (the title)
    by: str
    # the closing line of a book whose title the voice cannot say: words a neural voice
    # says at its pace (it said "This is the end of the book" in half the time its
    # words predict, and `check` failed the line)
    the_end: str
    chapter: str


# the words of credits and closing lines in the languages narrate credits in
_CREDIT_WORDS = {
    "en": _Words("Written by", "Read by", "This is the end of", "by",
                 "Here ends the audiobook", "Chapter"),
    "de": _Words("Geschrieben von", "Gelesen von", "Das war", "von", "Hier endet das Hörbuch",
                 "Kapitel"),
    "fr": _Words("Écrit par", "Lu par", "Ceci est la fin de", "par", "Ici se termine le livre audio",
                 "Chapitre"),
    "es": _Words("Escrito por", "Leído por", "Este es el final de", "de",
                 "Aquí termina el audiolibro", "Capítulo"),
    "it": _Words("Scritto da", "Letto da", "Questa è la fine di", "di",
                 "Qui finisce l'audiolibro", "Capitolo"),
    "nl": _Words("Geschreven door", "Voorgelezen door", "Dit is het einde van", "door",
                 "Hier eindigt het luisterboek", "Hoofdstuk"),
    "pt": _Words("Escrito por", "Lido por", "Este é o fim de", "de", "Aqui termina o audiolivro",
                 "Capítulo"),
}


CREDITED_CHARS = 200  # of a title the credits say: about 13 s at a narrator's pace


def _words(language: str) -> _Words:
    return _CREDIT_WORDS.get((language or "en").lower()[:2], _CREDIT_WORDS["en"])


def credit_lines(book: Book, spoken: bool = False) -> tuple[str, str]:
    """Opening credits and the closing line, as audiobooks have them, in the book's
    language when narrate knows its words (else English). `spoken`: as the book's voice
    can say them, a title or a name it cannot say left out ("Here ends the audiobook")."""
    words = _words(book.language)

    def said(text) -> str:
        return sayable(_said_of(text), book.language) if spoken else _said_of(text)

    title, subtitle, author = said(book.title), said(book.extra.get("subtitle")), \
        said(book.author)
    opening = [_sentence(text) for text in (title, subtitle) if text]
    if author:
        opening.append(_sentence(f"{words.written} {author}"))
    if said(book.narrator):
        opening.append(_sentence(f"{words.read} {said(book.narrator)}"))
    closing = f"{words.end} {title.rstrip('.')}" if title else words.the_end
    return " ".join(opening), _sentence(closing + (f", {words.by} {author}" if author else ""))


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
    """The credits and the closing line as written, each said as the voice can say it
    (the credits left out when it can say none of them)."""
    english = is_english_code(book.language)
    made = [Segment(ident, NARRATOR, written, to_say(said, lexicon, english)) for ident, written, said
            in zip(("credits", "closing"), credit_lines(book), credit_lines(book, spoken=True))]
    return [segment for segment in made if segment.say.strip()]


def add_spoken_lines(book: Book, lexicon: Lexicon, english: bool = True) -> None:
    """Chapter titles and credits as script entries, so they can be seen and edited."""
    unit = book_unit(book.chapters)
    kept = acronyms(segment.text for segment in book.spoken)
    for chapter in book.chapters:
        chapter.announce = announce(chapter, unit, lexicon, english, book.language, kept)
        found = label_number(chapter.label or "") if english else None
        if found and not found[0] and chapter.title == chapter.label:
            # a bare numeral: files, markers and tags say "Chapter Four", as it is heard
            chapter.title = f"{unit or 'Chapter'} {cardinal(found[1]).capitalize()}"
    book.credits = credit_segments(book, lexicon) if book.chapters else []
