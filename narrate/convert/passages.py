"""Each paragraph in the language a voice says it in: the book's, the one its markup gives
it (a passage in French marked so in HTML or EPUB), or the one its letters are written
in when the book's voice cannot say them; a paragraph no voice can say is named."""

from __future__ import annotations

from narrate.convert.language import same_language
from narrate.convert.speakable import voice_language
from narrate.convert.structure import Paragraph, RawChapter
from narrate.problems import WARNING, Problem, first_words


def voice_paragraphs(chapters: list[RawChapter], language: str
                     ) -> tuple[list[RawChapter], list[Problem]]:
    """Each paragraph in the language a voice says it in (`language`, the book's, when
    its voice can): a passage marked in the book's language is the book's; one the book's
    voice cannot say is given the language its letters are (a Chinese paragraph in an
    English book); one no voice can say is named by a problem and not rendered
    (render.book_items). A chapter with no heading and nothing a voice can say joins the
    one before it (else the next): alone, it would be a chapter of silence."""
    problems: list[Problem] = []
    kept: list[RawChapter] = []
    carried: list[Paragraph] = []  # an unsaid first chapter's, for the next chapter
    for chapter in chapters:
        said = [_give_voice(paragraph, language, problems) for paragraph in chapter.paragraphs]
        if not chapter.heading and not any(said):
            (kept[-1].paragraphs if kept else carried).extend(chapter.paragraphs)
            continue
        chapter.paragraphs[:0], carried = carried, []
        kept.append(chapter)
    if carried:
        kept.append(RawChapter(None, carried[0].line, carried))
    return kept, problems


def _give_voice(paragraph: Paragraph, language: str, problems: list[Problem]) -> bool:
    """Give the paragraph the language of a voice that says it; False when none can."""
    own = "" if same_language(paragraph.language or language, language) else paragraph.language
    spoken = voice_language(paragraph.text, own or language)
    if spoken is None:  # kept in the script, where a `say` can be written for it
        problems.append(Problem(
            "unspeakable", "no voice can say this paragraph (symbols, or the letters of a "
            "script no voice reads): it is not spoken; write what to say in the script's "
            "`say`, or mark its language (`lang` in HTML)", WARNING, line=paragraph.line,
            words=first_words(paragraph.text),
            part=paragraph.where if paragraph.line is None else ""))
        return False
    paragraph.language = "" if same_language(spoken, language) else spoken
    return True
