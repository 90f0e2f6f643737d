"""What printed books share whatever their format: heading numbers, named sections
(contents, index, preface …), title pages, and headings that are really list entries.

Used by the plain-text and HTML readers, which both meet Project Gutenberg's shapes.
"""

from __future__ import annotations

import re
from collections import Counter

from narrate.patterns import regex
from narrate.read.document import (
    BACK_MATTER,
    CONTENTS,
    FRONT_MATTER,
    HEADING,
    INDEX,
    NOTE,
    PARAGRAPH,
    PROSE,
    Block,
)

ROMAN = r"[IVXLCDM]+"
NUMBER_WORD = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
               r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|"
               r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth")
_UNIT = (r"chapter|chap\.|lecture|part|book|section|act|letter|essay|canto|lesson|discourse|"
         r"sermon|stave")
# "CHAPTER II", "Lecture 3: Title", "IV. The Exile", "12." — the number, then maybe a title.
# A comma after the number ("Book I, Ch. 15.") makes it a reference, not a heading.
LABELLED = regex(
    rf"^(?P<label>(?:(?:{_UNIT})\s+(?:\d+|{ROMAN}|{NUMBER_WORD})\b\.?"
    rf"|{ROMAN}[.:](?=\s|$)|{ROMAN}(?=\s*$)|\d{{1,3}}\.(?=\s*$)))(?![,;])\s*[.:—–-]?\s*(?P<title>.*)$",
    re.IGNORECASE,
)
ROMAN_ALONE = regex(rf"^{ROMAN}\.?$")

# Sections known by their name: the kind of block they hold.
_NAMED = {
    CONTENTS: r"(?:table of )?contents|list of (?:illustrations|plates|figures|maps|tables)"
              r"|illustrations|plates|list of musical examples",
    INDEX: r"(?:general |analytical )?index(?: of [\w ]+)?",
    NOTE: r"(?:foot|end)?notes",
    FRONT_MATTER: r"dedication|author'?s note|acknowledge?ments?|transcriber'?s notes?"
                  r"|epigraph|copyright|half[- ]title",
    BACK_MATTER: r"advertisements?|colophon|licen[cs]e|bibliography|works cited",
}
_NAMED_RE = {kind: regex(rf"^(?:{pattern})$", re.IGNORECASE) for kind, pattern in _NAMED.items()}
# Named sections that are read, as chapters of their own.
READ_NAMES = regex(r"^(?:preface|foreword|introduction|prologue|epilogue|afterword|"
                        r"conclusion|postscript|appendix(?: [\w.]+)?|prelude|summary)$",
                        re.IGNORECASE)


def plain(text: str) -> str:
    """A heading's words without emphasis marks or trailing punctuation."""
    text = re.sub(r"[_*]+", "", text)
    return re.sub(r"\s+", " ", text).strip().rstrip(".:").replace("’", "'").strip()


def named_kind(text: str) -> str | None:
    """CONTENTS -> contents, INDEX -> index … ; None for any other heading."""
    words = plain(text)
    for kind, pattern in _NAMED_RE.items():
        if pattern.match(words):
            return kind
    return None


def split_label(text: str) -> tuple[str, str]:
    """("Lecture I", "The Present Dilemma") from "Lecture I: The Present Dilemma"."""
    text = plain(text) if ROMAN_ALONE.match(plain(text)) else text.strip()
    match = LABELLED.match(text)
    if not match:
        return ("", text)
    return match.group("label").rstrip(".:").strip(), match.group("title").strip(" .:—–-")


def is_label_only(text: str) -> bool:
    """A heading that is only a number: "CHAPTER II", "IV", "Lecture 3."."""
    label, title = split_label(text)
    return bool(label) and not title


def reads_as_prose(line: str) -> bool:
    """A label with sentences after it ("Part 2. The weather was fine and we walked to
    the sea. Then we came home."): a paragraph, not a heading and its title."""
    if not line or looks_like_title([line]):
        return False
    sentences = re.search(r"[a-z][.!?][\"”’)]*\s+[\"“‘(]?[A-Z]", line)
    return bool(sentences) or (len(line.split()) >= 8 and line.rstrip("\"”’) ").endswith(
        (".", "!", "?")))


_CONTINUED = regex(r"\s*[(\[]\s*(?:continued|cont(?:inued|'d|\.)?|concluded)\s*[)\]]\.?\s*$",
                   re.IGNORECASE)


def looks_like_title(lines: list[str]) -> bool:
    """Short lines in capitals, in italics, or in title case: a heading's title, not prose."""
    text = " ".join(l.strip() for l in lines)
    text = _CONTINUED.sub("", text) or text  # "VARIOUS INSTRUMENTS (continued)" is a title
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    if not words or len(lines) > 3 or len(text) > 150 or len(words) > 20:
        return False
    if text.endswith((",", ";")) or re.match(r"^\[", text):
        return False
    if re.fullmatch(r"[_*].*[_*]\.?", text):
        return True
    if all(w.upper() == w for w in words):
        return True
    long_words = [w for w in words if len(w) >= 4]
    capitals = sum(1 for w in long_words if w[0].isupper())
    return bool(long_words) and capitals >= 0.67 * len(long_words) and not text.endswith("?")


def demote_list_headings(blocks: list[Block], prose_words) -> None:
    """Three or more headings in a row with no text between them are a list (a contents,
    a song list), not chapters: they become list entries of the surrounding kind."""
    headings = [i for i, b in enumerate(blocks) if b.kind == HEADING and b.level == 1]
    empty = []
    for n, i in enumerate(headings):
        end = headings[n + 1] if n + 1 < len(headings) else len(blocks)
        empty.append(sum(prose_words(b) for b in blocks[i + 1:end]) < 10)
    run: list[int] = []
    for n, i in enumerate([*headings, -1]):  # -1: past the last heading, to end a run
        if i >= 0 and empty[n]:
            run.append(i)
            continue
        if len(run) >= 3:
            for j in run:
                blocks[j].kind = CONTENTS
        run = []


_NOTE_MARK = regex(r"^\s*(?:\[\w{1,3}\]|\d{1,3}[.)]\s|\*)")


def mark_named_sections(blocks: list[Block]) -> None:
    """A named heading's blocks, up to the next chapter-level heading, take its kind.
    A plain text's notes section ends sooner: at a gap of blank lines before a block
    that is not a note."""
    kind, seen_index = None, False
    later = Counter(plain(b.text).lower() for b in blocks if b.kind == HEADING and b.level == 1)
    for block in blocks:
        if block.kind == HEADING and block.level == 1:
            later[plain(block.text).lower()] -= 1
            if kind == CONTENTS and later[plain(block.text).lower()] > 0:
                block.kind = CONTENTS  # an entry of the contents: the chapter comes later
                continue
            after_index = kind == INDEX or (kind == BACK_MATTER and seen_index)
            kind = named_kind(block.text) if not block.label else None
            if kind is None and after_index and not block.label \
                    and not READ_NAMES.match(plain(block.text)):
                kind = BACK_MATTER  # after the index: advertisements and the like
            seen_index = seen_index or kind == INDEX
            if kind:
                block.kind = kind
            continue
        if kind == NOTE and block.gap >= 2 and not _NOTE_MARK.match(block.text):
            kind = None
        if kind and (block.kind in PROSE or block.kind == HEADING):
            block.kind = kind


_WORD_NUMBERS = {w: n for n, w in enumerate(
    ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"], start=1)}
_WORD_NUMBERS.update({w: n for n, w in enumerate(
    ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"], start=1)})


def label_number(label: str) -> tuple[str, int] | None:
    """("chapter", 4) from "CHAPTER IV"; ("", 12) from "XII"."""
    match = re.match(r"^(?P<unit>.*?)\s*(?P<n>\d+|[IVXLCDM]+|[a-z]+)\.?$", label.strip(), re.IGNORECASE)
    if not match:
        return None
    n = match.group("n")
    value = int(n) if n.isdigit() else _WORD_NUMBERS.get(n.lower()) or roman_value(n)
    return (match.group("unit").lower(), value) if value else None


def roman_value(text: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    if not text or any(c not in values for c in text.upper()):
        return 0
    total = 0
    for c, nxt in zip(text.upper(), text.upper()[1:] + " "):
        total += -values[c] if nxt in values and values[nxt] > values[c] else values[c]
    return total


def keep_numbered_sequence(blocks: list[Block]) -> None:
    """Numbered headings that break their book's sequence (I, II, III, then "II. Scene by
    the brook" in a list) are not chapters: of each unit's headings, the heaviest strictly
    increasing run is kept (a restart at 1 begins a new run), weighing the blank lines
    before a heading, since e-texts set chapters apart with more of them."""
    numbered: dict[str, list[tuple[int, Block]]] = {}
    for block in blocks:
        if block.kind == HEADING and block.level == 1 and block.label:
            found = label_number(block.label)
            if found:
                numbered.setdefault(found[0], []).append((found[1], block))
    for entries in numbered.values():
        runs: list[list[tuple[int, Block]]] = []
        for entry in entries:
            if entry[0] == 1 or not runs:
                runs.append([])
            runs[-1].append(entry)
        for run in runs:
            kept = _heaviest_increasing(run)
            for value, block in run:
                if id(block) not in kept:
                    block.kind, block.text, block.label = PARAGRAPH, block.heading, ""


def _heaviest_increasing(run: list[tuple[int, Block]]) -> set[int]:
    best: list[tuple[int, int]] = []  # (weight of the best run ending here, previous index)
    for i, (value, block) in enumerate(run):
        weight = 10 + min(block.gap, 4)
        choices = [(best[j][0] + weight, j) for j in range(i) if run[j][0] < value]
        best.append(max(choices, default=(weight, -1)))
    i = max(range(len(run)), key=lambda k: best[k][0])
    kept = set()
    while i >= 0:
        kept.add(id(run[i][1]))
        i = best[i][1]
    return kept


def mark_title_page(blocks: list[Block], words) -> None:
    """Before the first chapter, the title page: short lines in capitals, italics or title
    case (title, author, publisher, dedication), and in HTML the headings that set them,
    each with little text under it. Only in a book whose chapters are numbered or named;
    anything else ends it."""
    starts = [i for i, b in enumerate(blocks) if b.kind == HEADING and b.level == 1
              and (b.label or READ_NAMES.match(plain(b.text)))]
    if not starts:
        return
    for i, block in enumerate(blocks[:starts[0]]):
        if block.kind == HEADING and block.level == 1:
            nxt = next((j for j in range(i + 1, len(blocks))
                        if blocks[j].kind == HEADING and blocks[j].level == 1), len(blocks))
            if sum(len(words(b.text)) for b in blocks[i + 1:nxt] if b.kind in PROSE) >= 80:
                return
            block.kind = FRONT_MATTER
        elif block.kind in PROSE or block.kind == HEADING:
            if len(words(block.text)) > 40 or not (block.emphasis
                                                    or looks_like_title([block.text])):
                return
            block.kind = FRONT_MATTER


def gutenberg_title(value: str) -> tuple[str, str]:
    """The `Title:` field: its first line is the title, continuation lines the subtitle when
    the first ends a phrase (else they continue the title)."""
    lines = [l.strip() for l in value.split("\n") if l.strip()]
    if not lines:
        return "", ""
    first, rest = lines[0], " ".join(lines[1:])
    if rest and not first.endswith((".", ":", ";", ",")):
        first, rest = f"{first} {rest}", ""
    return first.rstrip(":;, "), rest.rstrip(".")


def settle_heading_levels(blocks: list[Block]) -> str | None:
    """Renumber heading levels so that chapters are 1 and the sections under them 2, 3 ….

    The chapter level is the highest level that occurs more than once (else the highest).
    A single heading above it that opens the book is the book's title: it is returned and
    becomes front matter. When the book's only heading is one, it is both.
    """
    headings = [b for b in blocks if b.kind == HEADING]
    if not headings:
        return None
    levels = [b.level for b in headings]
    repeated = sorted(level for level in set(levels) if levels.count(level) > 1)
    chapter = repeated[0] if repeated else min(levels)
    title = None
    first = headings[0]
    if levels.count(first.level) == 1 and first.level == min(levels):
        title = first.text  # the one top heading, first of all: the book's title
        if first.level < chapter:
            first.kind = FRONT_MATTER  # ... and not a chapter
    for block in headings:
        block.level = max(1, block.level - chapter + 1)
    return title
