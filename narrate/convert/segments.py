"""A paragraph's segments: runs of one role (the narrator's words, a quotation long enough
for the quote voice, a citation with its quote), each split at sentence boundaries into
segments none over a length, their citations kept out of what is said."""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re

from narrate.convert.language import is_english_code
from narrate.convert.options import ConvertOptions
from narrate.convert.speech import find_citations, speak_citation, to_say
from narrate.convert.structure import Paragraph
from narrate.convert.tags import is_speech
from narrate.model import NARRATOR, QUOTE, Segment

# Words after which a full stop does not end a sentence.
_NO_BREAK_AFTER = {"mr", "mrs", "ms", "dr", "st", "prof", "gen", "col", "capt", "lt", "rev",
                   "jr", "sr", "p", "pp", "no", "vol", "ch", "e.g", "i.e", "cf", "vs", "viz",
                   "fig", "ed", "eds", "trans", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
                   "sep", "sept", "oct", "nov", "dec"}
_CODE_SPAN = re.compile(r"`[^`\n]{1,200}`")  # the speech's CODE_SPAN, whole
_SENTENCE_END = re.compile(r"[.!?…]+[”’\"')\]»]*(?=\s+[\"“‘'(\[A-Z0-9«…])|…(?=[A-Z“‘])")
_WORD = re.compile(r"\w+")
_WORD_BEFORE = 80  # characters: an abbreviation or an initial is far shorter
_CLAUSE_END = re.compile(r"[,;:–—)]+[”’\"']*(?=\s)")


def sentence_ends(text: str) -> list[int]:
    """Offsets just past each sentence end inside `text` (not its final end)."""
    ends = []
    code = [m.span() for m in _CODE_SPAN.finditer(text)] if "`" in text else []
    starts = [start for start, _ in code]
    for match in _SENTENCE_END.finditer(text):
        inside = bisect.bisect_left(starts, match.start()) - 1  # the last span opened before it
        if inside >= 0 and match.start() < code[inside][1]:
            continue  # `cd .. Then` is one command, not two sentences
        # the word before the end, looked for just before it (searching the whole text so
        # far at every end took minutes on a long paragraph of "Mr. Mr. …")
        before = text[max(0, match.end() - _WORD_BEFORE):match.end()]
        word = re.search(r"([\w.]+)[.!?…]*[”’\"')\]»]*$", before)
        stem = word.group(1).rstrip(".").lower() if word else ""
        if match.group().startswith(".") and (stem in _NO_BREAK_AFTER or
                                             re.fullmatch(r"[a-z]", stem)):
            continue  # an abbreviation or an initial (J. Smith)
        ends.append(match.end())
    return ends


def split_run(text: str, max_chars: int) -> list[tuple[int, int]]:
    """(start, end) ranges of `text` covering all of it, each stripped and <= max_chars."""
    # aim for even pieces (no short tail), never over max_chars
    count = -(-len(text.strip()) // max_chars)
    target = min(max_chars, int(len(text) / count * 1.15) + 1) if count > 1 else max_chars
    pieces = _pack(text, 0, len(text), sentence_ends(text), target, max_chars)
    return [_strip(text, s, e) for s, e in pieces if text[s:e].strip()]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pack(text: str, start: int, end: int, cuts: list[int], target: int, max_chars: int):
    """Greedily join the pieces between `cuts` into ranges of about `target` chars;
    a piece alone may reach max_chars, a longer one is split finer."""
    bounds = [start] + [c for c in cuts if start < c < end] + [end]
    ranges: list[tuple[int, int]] = []
    current = bounds[0]
    for prev, nxt in itertools.pairwise(bounds):
        if nxt - current <= target:
            continue
        if prev > current:
            ranges.append((current, prev))
            current = prev
        if nxt - current > max_chars:  # one sentence alone is too long: split it finer
            ranges.extend(_split_long(text, current, nxt, max_chars))
            current = nxt
    if current < end:
        ranges.append((current, end))
    return ranges


def _split_long(text: str, start: int, end: int, max_chars: int):
    clause_cuts = [m.end() for m in _CLAUSE_END.finditer(text, start, end)]
    if clause_cuts and _fits(clause_cuts, start, end, max_chars):
        return _pack(text, start, end, clause_cuts, max_chars, max_chars)
    space_cuts = [m.start() for m in re.finditer(r"\s+", text[start:end])]
    space_cuts = [start + c for c in space_cuts]
    if space_cuts and _fits(space_cuts, start, end, max_chars):
        return _pack(text, start, end, space_cuts, max_chars, max_chars)
    # a word longer than the limit: hard cuts, at spaces where there are any
    hard = sorted(set(space_cuts) | set(range(start + max_chars, end, max_chars)))
    return _pack(text, start, end, _hard_cuts(hard, start, end, max_chars), max_chars,
                 max_chars)


def _fits(cuts: list[int], start: int, end: int, max_chars: int) -> bool:
    bounds = [start] + cuts + [end]
    return all(b - a <= max_chars for a, b in itertools.pairwise(bounds))


def _hard_cuts(cuts: list[int], start: int, end: int, max_chars: int) -> list[int]:
    out, last = [], start
    for c in cuts + [end]:
        while c - last > max_chars:
            last += max_chars
            out.append(last)
        if c < end:
            out.append(c)
            last = c
    return out


def words(text: str) -> list[str]:
    """The words of a text, for the nothing-lost guarantee (a run of underscores is no
    word: it has nothing to say)."""
    return [w for w in _WORD.findall(text) if w.strip("_")]


def paragraph_segments(paragraph: Paragraph, spans: list[tuple[int, int]], section_id: str,
                       options: ConvertOptions) -> list[Segment]:
    text = paragraph.text
    if paragraph.language:  # a passage in another language: its numbers are its own
        options = dataclasses.replace(options, english=is_english_code(paragraph.language))
    if paragraph.say is not None:  # a heading: spoken as words, never split
        return [Segment(f"{section_id}.1", paragraph.role or NARRATOR, text,
                        to_say(paragraph.say, options.lexicon, options.english),
                        language=paragraph.language)]
    citations = find_citations(text, spans)
    runs = _role_runs(text, spans, citations, paragraph.role, options.quote_min_words,
                       options.dialogue)
    segments: list[Segment] = []
    for role, start, end in runs:
        for s, e in split_run(text[start:end], options.max_segment_chars):
            seg_start, seg_end = start + s, start + e
            cites = [(a, b) for a, b in citations if seg_start <= a and b <= seg_end]
            segments.append(_segment(f"{section_id}.{len(segments) + 1}", role, text,
                                     seg_start, seg_end, cites, options))
    for segment in segments:
        segment.language = paragraph.language
    return segments


def _segment(seg_id, role, text, start, end, cites, options) -> Segment:
    pieces, at = [], start
    for a, b in cites:
        pieces.append(text[at:a])
        if options.speak_citations:
            pieces.append(f", {speak_citation(text[a:b])}, ")
        at = b
    pieces.append(text[at:end])
    citation = "; ".join(text[a:b] for a, b in cites) or None
    return Segment(seg_id, role, text[start:end],
                   options.said.say("".join(pieces), options.lexicon, options.english),
                   citation)


def _words_so_far(text: str) -> list[int]:
    """For each offset, how many word characters outside parentheses come before it."""
    inside = bytearray(len(text) + 1)
    for group in re.finditer(r"\([^()]*\)", text):
        inside[group.start():group.end()] = b"\1" * (group.end() - group.start())
    counts = [0] * (len(text) + 1)
    for n, char in enumerate(text):
        counts[n + 1] = counts[n] + (not inside[n] and (char.isalnum() or char == "_"))
    return counts


def _has_words(text: str, start: int, end: int, citations, min_words: int) -> bool:
    """Whether text[start:end], its citations left out, holds `min_words` words: looked
    for near its start (an unclosed quote runs to the paragraph's end)."""
    window = min(end, start + 100 * max(1, min_words))
    while True:
        spoken = text[start:window]
        for a, b in citations:
            if start <= a and b <= window:
                spoken = spoken.replace(text[a:b], " ")
        if len(words(spoken)) >= min_words or window == end:
            return len(words(spoken)) >= min_words
        window = min(end, start + 2 * (window - start))


def _role_runs(text, spans, citations, role, min_words,
               dialogue: bool = False) -> list[tuple[str, int, int]]:
    """(role, start, end) runs covering the paragraph; runs with no words join a neighbour.
    A paragraph with a role of its own (a block quotation, a note) is one run. In
    `dialogue`, a character's speech is quoted at any length (quotes.is_speech)."""
    if role:
        return [(role, 0, len(text))]
    quoted: list[tuple[int, int]] = []
    told = _words_so_far(text) if spans else []
    for start, end in spans:
        # the quotation is the whole paragraph when no word stands outside it (words in
        # parentheses aside): counted once for the paragraph, not copied once a quote
        whole = told[start] == 0 and told[-1] == told[end]
        speech = dialogue and is_speech(text, start, end, quoted[-1][1] if quoted else None)
        if whole or speech or _has_words(text, start, end, citations, min_words):
            quoted.append((start, end))
    runs: list[list] = []
    at = 0
    for start, end in quoted:
        if start > at:
            runs.append([NARRATOR, at, start])
        runs.append([QUOTE, start, end])
        at = end
    if at < len(text):
        runs.append([NARRATOR, at, len(text)])
    # a citation just after a quote belongs to the quote's run
    for run, nxt in itertools.pairwise(runs):
        for a, b in citations:
            if run[0] == QUOTE and run[2] <= a and b <= nxt[2] and not _WORD.search(text[run[2]:a]):
                run[2] = nxt[1] = b
    merged: list[list] = []
    apart = False  # a bracket stands between this run and the quotation before
    for n, run in enumerate(runs):
        if run[2] <= run[1]:
            continue
        if merged and merged[-1][0] == QUOTE and n + 1 < len(runs) and \
                runs[n + 1][0] == QUOTE and _bracket_between(text, run[1], run[2]):
            # “…sea--” (“I haven't,” …: the bracketed quotation is one of its own
            cut = text.find("(", run[1], run[2])
            merged[-1][2] = run[2] if cut < 0 else cut
            runs[n + 1][1] = runs[n + 1][1] if cut < 0 else cut
            apart = True
            continue
        if merged and not _WORD.search(text[run[1]:run[2]]):
            merged[-1][2] = run[2]  # trailing punctuation such as ";" joins the run before
        elif merged and not _WORD.search(text[merged[-1][1]:merged[-1][2]]):
            run[1] = merged.pop()[1]  # a leading "(" or "–" joins the run after
            merged.append(run)
        elif merged and merged[-1][0] == run[0] and not apart:
            merged[-1][2] = run[2]
        else:
            merged.append(run)
        apart = False
    return [tuple(r) for r in merged]


def _bracket_between(text: str, start: int, end: int) -> bool:
    """Whether text[start:end], between two quotations, is a bracket and no words: where
    a quotation in parentheses begins or ends (“…” (“…,” said Alice)--“…”)."""
    between = text[start:end]
    return not _WORD.search(between) and ("(" in between or ")" in between)
