"""Each paragraph in the language a voice says it in: the book's, the one its markup gives
it (a passage in French marked so in HTML or EPUB), or the one its letters are written
in when the book's voice cannot say them; a paragraph no voice can say is named."""

from __future__ import annotations

import dataclasses

from narrate.convert.language import same_language
from narrate.convert.speakable import says, says_all, voice_language
from narrate.convert.structure import Paragraph, RawChapter
from narrate.patterns import regex
from narrate.problems import WARNING, Problem, first_words

# a sentence, in any script: up to its end mark and the quotes and spaces after it
_SENTENCE = regex(r"[^.!?…。！？]*(?:[.!?…。！？]+[\"”’»)\]]*\s*|$)")
_CLAUSE = regex(r"[^,;:，；：]*(?:[,;:，；：]+\s*|$)")  # a sentence's, up to its mark


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
        chapter.paragraphs = [piece for paragraph in chapter.paragraphs
                              for piece in _by_voice(paragraph, language)]
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


def _by_voice(paragraph: Paragraph, language: str) -> list[Paragraph]:
    """A paragraph whose sentences are in scripts of more than one voice ("Привет мир. The
    fox."), as one paragraph for each run of sentences one voice says: one voice spelled
    out the other's letters one by one (a 9-word line took 37 s, and check failed it).
    So is a clause wholly in another script ("The sign said: Вход воспрещён."); a word of
    another script inside a clause stays with it (the lexicon's)."""
    own = paragraph.language or language
    if paragraph.say is not None or says_all(paragraph.text, own):
        return [paragraph]
    runs: list[tuple[str | None, str]] = []  # (the language of its voice, its text)
    for sentence, spoken in _pieces(paragraph.text, own):
        if runs and (runs[-1][0] == spoken or not sentence.strip()):
            runs[-1] = (runs[-1][0], runs[-1][1] + sentence)
        else:
            runs.append((spoken, sentence))
    if len(runs) < 2:
        return [paragraph]
    return [dataclasses.replace(paragraph, text=text.strip(), title=paragraph.title if i == 0
                                else "") for i, (_, text) in enumerate(runs)]


def _pieces(text: str, own: str):
    """The text's sentences, each with the language of the voice that says it; a sentence
    partly in letters `own`'s voice says, clause by clause: a clause it cannot say at all
    is read in the language of those clauses together, when a voice says that."""
    for sentence in filter(None, _SENTENCE.findall(text)):
        if says_all(sentence, own) or not says(sentence, own):
            yield sentence, own if says_all(sentence, own) else voice_language(sentence, own)
            continue
        clauses = [clause for clause in _CLAUSE.findall(sentence) if clause]
        other = voice_language(" ".join(c for c in clauses if not says(c, own)), own) or own
        for clause in clauses:
            yield clause, own if says(clause, own) else other
