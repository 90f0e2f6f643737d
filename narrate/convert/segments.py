"""Split a run of one voice into segments at sentence boundaries, none over a length."""

from __future__ import annotations

import bisect
import itertools
import re

# Words after which a full stop does not end a sentence.
_NO_BREAK_AFTER = {"mr", "mrs", "ms", "dr", "st", "prof", "gen", "col", "capt", "lt", "rev",
                   "jr", "sr", "p", "pp", "no", "vol", "ch", "e.g", "i.e", "cf", "vs", "viz",
                   "fig", "ed", "eds", "trans", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
                   "sep", "sept", "oct", "nov", "dec"}
_CODE_SPAN = re.compile(r"`[^`\n]{1,200}`")  # the speech's CODE_SPAN, whole
_SENTENCE_END = re.compile(r"[.!?…]+[”’\"')\]»]*(?=\s+[\"“‘'(\[A-Z0-9«…])|…(?=[A-Z“‘])")
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
