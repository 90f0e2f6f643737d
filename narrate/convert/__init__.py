"""Document -> narration script. Pure functions on documents and strings.

    book, problems = convert(text, ConvertOptions())            # plain text or Markdown
    book, problems = convert_document(read_document(path), ...)  # any format

The stages: structure (chapters, paragraphs, from the reader's blocks) ->
quotes (who speaks) -> segments (runs of one role, split at sentences) ->
speech (the `say` text).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from narrate.convert.castlist import characters_from_data
from narrate.convert.headings import add_spoken_lines
from narrate.convert.language import book_language, is_english_code
from narrate.convert.lexicon import Lexicon
from narrate.convert.options import ConvertOptions
from narrate.convert.passages import voice_paragraphs
from narrate.convert.quotes import (
    ALL_MARKS,
    ParagraphQuotes,
    convention,
    find_quotes,
)
from narrate.convert.segments import paragraph_segments, words
from narrate.convert.speakers import attribute
from narrate.convert.structure import (
    NOTATION,
    RawChapter,
    ReadingPolicy,
    Unread,
    split_chapters,
)
from narrate.convert.tags import is_dialogue
from narrate.faults import checkpoint
from narrate.model import Book, Chapter, Section
from narrate.patterns import WORD_CHARACTER
from narrate.problems import INFO, WARNING, Problem, first_words
from narrate.read.document import Document
from narrate.read.text import read_text

__all__ = [
    "ConvertOptions",
    "Lexicon",
    "Problem",
    "ReadingPolicy",
    "convert",
    "convert_document",
    "short_title",
    "words",
]

_SENTENCE_FINAL = re.compile(r"[.!?…”’\"')\]»:;*_]\s*$")


def convert(text: str, options: ConvertOptions | None = None, meta: dict | None = None,
            source: str = "") -> tuple[Book, list[Problem]]:
    """Convert plain text (or Markdown, with options.markdown) to a Book. Never raises on
    any string; the same text gives the same Book."""
    options = options or ConvertOptions()
    if options.markdown:
        from narrate.read.markdown import read_markdown  # markdown-it: only for Markdown

        document = read_markdown(text, source)
    else:
        document = read_text(text, source)
    return convert_document(document, options, meta)


def convert_document(document: Document, options: ConvertOptions | None = None,
                     meta: dict | None = None) -> tuple[Book, list[Problem]]:
    options = options or ConvertOptions()
    meta = {**document.metadata, **(meta or {})}
    problems: list[Problem] = list(document.problems)
    meta["language"], found = book_language(document, meta, options.language)
    problems += found
    options = dataclasses.replace(options, english=is_english(meta))
    raw_chapters, unread = split_chapters(document, options.policy)
    problems += _notes_read(raw_chapters, options.policy) \
        + _unread_problems(unread, options.policy) + _notation_left_out(unread.get(NOTATION)) \
        + _much_left_out(unread, raw_chapters)
    raw_chapters = _drop_wordless(raw_chapters, problems)
    raw_chapters, unsaid = voice_paragraphs(raw_chapters, meta["language"])
    problems += unsaid
    problems += _apply_title_overrides(raw_chapters, meta.get("chapters"))
    if options.max_chapter_minutes:
        raw_chapters = _split_long_chapters(raw_chapters, options)
    truncated = _check_ending(raw_chapters, problems)
    for block in document.blocks:
        problems += _unknown_characters(block.text, block.line)
    width = max(2, len(str(len(raw_chapters))))
    prose = [p.text for c in raw_chapters for p in c.paragraphs if p.role is None]
    marks = convention(prose)
    # fiction told in dialogue: as the caller says, as the metadata's characters do (a
    # user's ask for speakers in any book), or as its speech tags show
    given = characters_from_data(meta.get("characters"), getattr(
        meta.get("characters"), "path", "") or document.source or "metadata")
    options = dataclasses.replace(options, dialogue=options.dialogue or bool(given)
                                  or is_dialogue(prose))
    if marks == "S":
        problems.append(Problem("quote-convention", "quotations use single marks (‘…’); "
                                "double marks inside them are nested quotes", INFO))
    chapters = []
    for number, raw in enumerate(raw_chapters, start=1):
        checkpoint("convert")
        chapter, found = _build_chapter(raw, number, str(number).zfill(width), options,
                                        is_last=number == len(raw_chapters), truncated=truncated,
                                        marks=marks)
        chapters.append(chapter)
        problems += found
    title = meta.get("title") or (Path(document.source).stem.replace("-", " ").replace("_", " ")
                                  .strip().title() if document.source else "") or "Untitled"
    book = Book(title=str(title),
                author=str(meta.get("author", "")), narrator=str(meta.get("narrator", "")),
                language=str(meta.get("language", "en")), source=document.source,
                chapters=chapters,
                extra={k: v for k, v in meta.items() if k not in
                       ("title", "author", "narrator", "language", "chapters", "characters")})
    if options.dialogue:
        attribute(book, given)
    add_spoken_lines(book, options.lexicon, options.english)
    return book, problems


def is_english(meta: dict) -> bool:
    return is_english_code(str(meta.get("language") or "en"))


_NOTES_READ = {"after-paragraph": "after the paragraph that cites each",
               "chapter-end": "at the end of the chapter that cites each"}


def _notes_read(chapters: list[RawChapter], policy: ReadingPolicy) -> list[Problem]:
    """How the notes are read, beside the lines of what is not: a notes heading not read
    read as if the notes were not."""
    count = sum(1 for c in chapters for p in c.paragraphs if p.kind == "note")
    return [Problem("notes-read", f"notes: {count} read, in the note voice "
                    f"{_NOTES_READ[policy.notes]}", INFO)] if count else []


def _unread_problems(unread: dict[str, Unread], policy: ReadingPolicy) -> list[Problem]:
    """One line a kind the reader found and the converter does not read (and for notes,
    why: which are read depends on the reading policy and the citations)."""
    def why(kind: str, blocks: int) -> str:
        if kind != "note":
            return ""
        return " (the reading policy skips notes)" if policy.notes == "skip" else \
            f": no paragraph cites {'them' if blocks > 1 else 'it'}"

    return [Problem("not-read", f"{kind}: {u.blocks} block{'s' if u.blocks > 1 else ''} "
                    f"({u.words:,} word{'s' if u.words != 1 else ''}), not read{why(kind, u.blocks)}", INFO,
                    line=u.first.line, words=first_words(u.first.text),
                    part=u.first.where() if u.first.part else "")
            for kind, u in sorted(unread.items())]


MUCH_LEFT_OUT = 5000  # words of one kind not read that may be the book's own text


def _much_left_out(unread: dict[str, Unread], chapters: list[RawChapter]) -> list[Problem]:
    """A warning when a kind not read holds a large share of the text: a second copy of a
    book read as the first's licence (68,094 words of "boilerplate") was said only as a
    note."""
    read = sum(len(p.text.split()) for c in chapters for p in c.paragraphs)
    return [Problem("left-out", f"{kind}: {u.words:,} words not read (against {read:,} read "
                    f"aloud); check that no part of the book is taken for {kind}", WARNING,
                    line=u.first.line,
                    words=first_words(u.first.text), part=u.first.where() if u.first.part else "")
            for kind, u in sorted(unread.items())
            if u.words >= MUCH_LEFT_OUT and u.words >= read / 4
            and kind != NOTATION]  # each of its paragraphs is said already


def _notation_left_out(notation: Unread | None) -> list[Problem]:
    """A warning for each paragraph left out as notation: it may be text the rule took
    for figures (a book of `_x` tokens was dropped without a word)."""
    return [Problem("left-out", f"a paragraph of {len(block.text.split()):,} words is left out: "
                    "it reads as notation (figures, symbols, single letters), not prose; if it "
                    "is text, write it as words", WARNING, line=block.line,
                    words=first_words(block.text), part=block.where() if block.part else "")
            for block in (notation.every if notation else [])]


def _drop_wordless(chapters: list[RawChapter], problems: list[Problem]) -> list[RawChapter]:
    """Paragraphs with no words (a line of punctuation) have nothing to speak."""
    for chapter in chapters:
        kept = []
        for p in chapter.paragraphs:
            if WORD_CHARACTER.search(p.text):
                kept.append(p)
            else:
                problems.append(Problem("no-words", "a paragraph with no words is not spoken",
                                        INFO, line=p.line, words=p.text[:40]))
        chapter.paragraphs = kept
    return [c for c in chapters if c.paragraphs or c.heading]


def _split_long_chapters(chapters: list[RawChapter], options: ConvertOptions) -> list[RawChapter]:
    """Long chapters cut at paragraphs; a titled chapter's parts are "Title (part 2)"."""
    limit = (options.max_chapter_minutes or 0) * options.words_per_minute
    out = []
    for chapter in chapters:
        parts = [RawChapter(chapter.heading, chapter.line, title=chapter.title,
                            label=chapter.label, from_metadata=chapter.from_metadata)]
        count = 0
        for paragraph in chapter.paragraphs:
            n = len(words(paragraph.text))
            if parts[-1].paragraphs and count + n > limit:
                parts.append(RawChapter(None, paragraph.line))
                count = 0
            parts[-1].paragraphs.append(paragraph)
            count += n
        name = chapter.title or (chapter.heading and _clean_title(chapter.heading))
        for number, part in enumerate(parts[1:], start=2):
            if name:
                part.heading = part.title = f"{name} (part {number})"
                part.from_metadata = chapter.from_metadata
        out += parts
    return out


def _check_ending(chapters: list[RawChapter], problems: list[Problem]) -> bool:
    last = next((c.paragraphs[-1] for c in reversed(chapters) if c.paragraphs), None)
    if last is None or _SENTENCE_FINAL.search(last.text):
        return False
    problems.append(Problem("ends-mid-sentence", "the text ends mid-sentence (truncated?)",
                            WARNING, line=last.line, chapter=len(chapters),
                            paragraph=len(chapters[-1].paragraphs),
                            words=first_words(" ".join(last.text.split()[-8:]))))
    return True


def _unknown_characters(text: str, first_line: int | None) -> list[Problem]:
    problems = []
    for match in re.finditer(r"[\ufffd\ue000-\uf8ff]", text):
        line = first_line
        problems.append(Problem("unknown-character",
                                f"unknown character U+{ord(match.group()):04X} (not spoken)",
                                WARNING, line=line,
                                words=first_words(text[max(0, match.start() - 40):match.start() + 1])))
    return problems


def _build_chapter(raw: RawChapter, number: int, chapter_id: str, options: ConvertOptions,
                   is_last: bool, truncated: bool, marks: str) -> tuple[Chapter, list[Problem]]:
    texts = [p.text for p in raw.paragraphs]
    prose = [i for i, p in enumerate(raw.paragraphs) if p.role is None]  # quotes are sought here
    found_quotes, problems = find_quotes([texts[i] for i in prose], number, is_last, truncated,
                                         [raw.paragraphs[i].line for i in prose], marks)
    quotes: list[ParagraphQuotes | None] = [None] * len(texts)
    for i, found in zip(prose, found_quotes):
        quotes[i] = found
    if raw.from_metadata:
        title, source = raw.title, "metadata"
    elif raw.heading:
        title, source = _clean_title(raw.title or raw.heading), "heading"
    else:
        title, source = short_title(texts[0] if texts else ""), "opening"
    chapter = Chapter(chapter_id, title or "", source, raw.heading, label=raw.label)
    sec_width = max(3, len(str(len(raw.paragraphs))))
    for index, (paragraph, in_it) in enumerate(zip(raw.paragraphs, quotes), start=1):
        section = Section(f"{chapter_id}.{str(index).zfill(sec_width)}", kind=paragraph.kind,
                          title=paragraph.title)
        spans = [(s.start, s.end) for s in in_it.spans] if in_it else []
        section.segments = paragraph_segments(paragraph, spans, section.id, options)
        chapter.sections.append(section)
        if not any(s.say.strip() for s in section.segments):
            problems.append(Problem(
                "left-out", "nothing of this paragraph is spoken: once its marks and symbols "
                "are left out no word is left; if it is text, write it as words", WARNING,
                line=paragraph.line, words=first_words(paragraph.text),
                part=paragraph.where if paragraph.line is None else ""))
    return chapter, problems


def _clean_title(heading: str) -> str:
    title = re.sub(r"[*_`#]+", "", heading).strip()
    return re.sub(r"\s+", " ", title) or heading


def short_title(text: str, count: int = 6, fallback: str = "Untitled") -> str:
    """A title from a text's first words: no citations, quote marks or leading dashes."""
    cleaned = re.sub(r"\([^()]*\)", " ", text)
    # quote marks go, but not an apostrophe between letters (Trotsky’s, don’t)
    cleaned = re.sub(rf"(?<!\w)[{re.escape(ALL_MARKS)}]|[{re.escape(ALL_MARKS)}](?!\w)"
                     rf"|…|\.\.\.|^[\s–—-]+", " ", cleaned)
    tokens = cleaned.split()
    title = " ".join(tokens[:count]).rstrip(",;:.–—-")
    return (title + "…" if len(tokens) > count else title) or fallback


def _apply_title_overrides(chapters: list[RawChapter], titles) -> list[Problem]:
    """Metadata `chapters:` — a list of titles (or {title: ...}), in the text's order, before
    long chapters are cut (their parts take their chapter's title). A list that does not
    fit the chapters found, or an entry with no title, is a warning."""
    if not isinstance(titles, list):
        return []
    problems = []
    where = getattr(titles, "line", None)
    for n, (chapter, entry) in enumerate(zip(chapters, titles), start=1):
        title = entry.get("title") if isinstance(entry, dict) else entry
        if isinstance(title, (str, int, float)) and str(title).strip():
            chapter.title, chapter.from_metadata = str(title), True
        else:
            problems.append(Problem("metadata-chapters", f"`chapters:` entry {n} has no title "
                                    f"({entry!r}); chapter {n} keeps its own", WARNING,
                                    line=getattr(entry, "line", None) or where))
    if len(titles) != len(chapters):
        problems.append(Problem(
            "metadata-chapters", f"the metadata's `chapters:` gives {len(titles)} titles for the "
            f"{len(chapters)} chapters found; " + (
                f"only the first {len(chapters)} are used" if len(titles) > len(chapters)
                else f"the chapters after the first {len(titles)} keep their own titles"),
            WARNING, line=where))
    return problems
