"""A text that holds a stretch of itself twice: a book pasted twice, or its body repeated.

Both copies are read (a real second copy is the person's to keep or delete), but each is
said: a warning names where the copy begins and the line it repeats. A copy of the text
from its beginning is a book of its own to the rules that read a book's sections (its
contents, index and title page): the first copy's chapters are not the second's contents.
"""

from __future__ import annotations

from dataclasses import dataclass

from narrate.problems import WARNING, Problem
from narrate.read.document import BOILERPLATE, Block

LONG_WORDS = 8  # a block this long is rarely said twice in a book, but for a refrain
RUN = 10  # long blocks in a row said again: a copied stretch, not a refrain


@dataclass
class Repeat:
    start: int  # the block the copy begins at
    original: int  # the block it repeats from
    end: int  # the block after the copy
    words: int


def repeats(blocks: list[Block]) -> list[Repeat]:
    """The stretches of RUN long blocks or more that repeat the stretch before them (a
    text held three times is two repeats, each of one copy), widened to the shorter
    blocks around them (headings, title lines). Linear: each block is passed once, and a
    run found is passed over whole."""
    long = [i for i, b in enumerate(blocks) if len(b.text.split()) >= LONG_WORDS]

    def text(n: int) -> str:
        return blocks[long[n]].text

    last: dict[str, int] = {}  # a long block's text -> its last place in `long`
    found: list[Repeat] = []
    n = 0
    while n < len(long):
        m, run = last.get(text(n)), 0
        while m is not None and run < n - m and n + run < len(long) and \
                text(m + run) == text(n + run):  # no further than one copy's length
            run += 1
        if m is not None and run >= RUN:
            found.append(_widened(blocks, long[m], long[n], long[n + run - 1] + 1,
                                  found[-1] if found else None))
        run = max(run if run >= RUN else 1, 1)
        for k in range(n, n + run):
            last[text(k)] = k
        n += run
    return found


def _widened(blocks: list[Block], original: int, start: int, end: int,
             before: Repeat | None) -> Repeat:
    """A repeat from `start` (repeating `original`), reaching back over the equal blocks
    before both: not into the repeat before it, nor (when it repeats that one) past its
    start, so that a text held three times is cut where each copy begins."""
    floor = before.end if before else 0
    low = before.start if before and before.start <= original else 0
    while original > low and start > max(floor, original + 1) and \
            blocks[start - 1].text == blocks[original - 1].text:
        start, original = start - 1, original - 1
    words = sum(len(b.text.split()) for b in blocks[start:end])
    return Repeat(start, original, end, words)


def copies(blocks: list[Block], found: list[Repeat]) -> list[list[Block]]:
    """The text cut where a copy of its opening (or of such a copy) begins: each copy of
    the book."""
    opening = next((i for i, b in enumerate(blocks) if b.kind != BOILERPLATE), 0)
    cuts: list[int] = []
    for r in found:
        if r.original <= opening or r.original in cuts:
            cuts.append(r.start)
    return [blocks[a:b] for a, b in zip([0, *cuts], [*cuts, len(blocks)]) if a < b]


def repeat_problems(blocks: list[Block], found: list[Repeat]) -> list[Problem]:
    return [Problem("repeated-text", f"the text from here repeats what begins at "
                    f"{blocks[r.original].where()} ({r.words:,} words): a second copy? It is "
                    "read as it is; delete it from the source if it is a mistake", WARNING,
                    line=blocks[r.start].line, part=blocks[r.start].part) for r in found]
