"""Each paragraph in the language a voice says it in: the book's, the one its markup gives
it (a passage in French marked so in HTML or EPUB), or the one its letters are written
in when the book's voice cannot say them; a paragraph no voice can say is left out."""

from __future__ import annotations

from narrate.convert.language import same_language
from narrate.convert.speakable import voice_language
from narrate.convert.structure import RawChapter
from narrate.problems import WARNING, Problem, first_words


def voice_paragraphs(chapters: list[RawChapter], language: str) -> list[Problem]:
    """Each paragraph in the language a voice says it in (`language`, the book's, when
    its voice can): a passage marked in the book's language is the book's; one the book's
    voice cannot say is given the language its letters are (a Chinese paragraph in an
    English book); one no voice can say is left out, with a problem that says so."""
    problems = []
    for chapter in chapters:
        kept = []
        for paragraph in chapter.paragraphs:
            own = "" if same_language(paragraph.language or language, language) \
                else paragraph.language
            spoken = voice_language(paragraph.text, own or language)
            if spoken is None:
                problems.append(Problem(
                    "unspeakable", "no voice can say this paragraph (symbols, or the letters "
                    "of a script no voice reads): not spoken; write it in words a voice can "
                    "say, or mark its language (`lang` in HTML)", WARNING, line=paragraph.line,
                    words=first_words(paragraph.text),
                    part=paragraph.where if paragraph.line is None else ""))
                continue
            paragraph.language = "" if same_language(spoken, language) else spoken
            kept.append(paragraph)
        chapter.paragraphs = kept
    return problems
