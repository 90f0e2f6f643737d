"""Find quoted passages in a chapter's paragraphs, recovering from messy marks.

The heuristic, in full (each repair is reported as a Problem):
- The book's convention is found once: double marks (“…”) or British single ones
  (‘…’), whichever opens more quotations. Only the convention's marks may run a
  quotation over several paragraphs.
- Marks are classified by their neighbours. `’`/`'` between letters is an
  apostrophe (Trotsky’s); before an elided word or a decade it is one too
  (’tis, ’sixties, '60s, 'cello, 'gainst); so is any `’`/`'` before a lowercase
  word when no closing single mark follows in its paragraph, so an elision never
  opens a quotation. After a word it closes a single quote if one is open, and
  otherwise is a possessive (workers’).
- A single quote inside a double one nests and stays in the quote voice.
- A quote opened with one kind of mark and closed with the other (“…’ or
  ‘…”) is closed there, when the odd mark ends the paragraph or matches.
- A quote still open at the end of a paragraph may run over the following
  paragraphs (only the first has an opening mark, only the last a closing
  one): it runs on to the first later paragraph, at most MAX_RUN_ON further
  ones and within the chapter, that has a closing mark with no opening mark
  before it. A paragraph that opens a new quote stops the search.
- Otherwise the quote ends where its paragraph ends, so one bad mark can
  never swallow more than its own paragraph; at the very end of a text that
  stops mid-sentence, it runs to the end (the text was truncated).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from narrate.problems import INFO, WARNING, Problem, first_words

MAX_RUN_ON = 6

DOUBLE_OPEN = "“„«"
DOUBLE_CLOSE = "”»"
SINGLE_OPEN = "‘‹"
SINGLE_CLOSE = "’›"
ALL_MARKS = DOUBLE_OPEN + DOUBLE_CLOSE + SINGLE_OPEN + SINGLE_CLOSE + "\"'"

_ELISIONS = re.compile(
    r"(?:tis|twas|twere|twill|em|til|till|cause|n|s|round|bout|neath|ere|cello|gainst|ud|ull|"
    r"ansom|im|er|ave|ow|e|ome|ud|uns|twixt|prentice|possum|coon|bus|phone|plane|"
    r"\d0s|\d\d|(?:twen|thir|for|fif|six|seven|eigh|nine)ties)\b",
    re.IGNORECASE,
)
_QUOTE_REACH = 3000  # characters a closing mark is looked for ahead (bounded: linear time)
_SINGLE_CLOSE_AHEAD = re.compile(r"(?<=[\w.,;:!?…\-—–])[’'›](?!\w)")
# what may stand between a closing mark and the end of its paragraph
_TAIL = re.compile(r"[\s….,;:!?)\]”’\"'»›\ufffd*_-]*\Z")


@dataclass(frozen=True)
class Mark:
    pos: int
    char: str
    kind: str  # "D" double or "S" single


@dataclass
class QuoteSpan:
    start: int  # offset in the paragraph, at the opening mark (or 0 when run on)
    end: int  # offset just past the closing mark (or the paragraph's end)
    run_on: bool = False  # part of a quote that runs over several paragraphs


@dataclass
class ParagraphQuotes:
    spans: list[QuoteSpan] = field(default_factory=list)


@dataclass
class _Scan:
    spans: list[QuoteSpan]
    problems: list[tuple[str, str, str, int]]  # (code, message, severity, pos)
    open_at_end: Mark | None  # outermost quote still open at the end
    closed_carry_at: int | None  # where a carried-in quote was closed


def _is_word(ch: str) -> bool:
    return ch.isalnum()


_NOTATION = re.compile(r"[\[(][\s\-–—'’‘`´x×|/.,()\[\]]{1,40}[\])]")


def _in_notation(text: str, i: int) -> bool:
    """Whether the mark at i is inside a bracketed run of marks alone (`[- ' ']`)."""
    start = max(text.rfind("[", max(0, i - 40), i), text.rfind("(", max(0, i - 40), i))
    if start < 0:
        return False
    match = _NOTATION.match(text, start, min(len(text), i + 42))
    return match is not None and match.end() > i


def _classify(text: str, i: int) -> str:
    """One of 'OD', 'CD', 'OS', 'CS', 'AMBIG_S', 'APOS', '' for the mark at i."""
    ch = text[i]
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    after_space = prev.isspace() or prev in "([{–—-/" + DOUBLE_OPEN + SINGLE_OPEN
    if ch in DOUBLE_OPEN:
        return "OD"
    if ch in DOUBLE_CLOSE:
        return "CD"
    if ch == '"':
        if after_space and not nxt.isspace():
            return "OD"
        if not prev.isspace() and (nxt.isspace() or not _is_word(nxt)):
            return "CD"
        return "AMBIG_D"
    # single marks and apostrophes
    if _is_word(prev) and _is_word(nxt):
        return "APOS"
    if _in_notation(text, i):
        return "APOS"  # [- ' '], ([- -]): prosody or music marks, not a quotation
    if ch in SINGLE_OPEN or after_space:
        if _ELISIONS.match(text, i + 1):
            return "APOS"
        if (ch == "’" and nxt.isalpha() or ch == "'" and nxt.islower()) and \
                not _SINGLE_CLOSE_AHEAD.search(text, i + 2, i + _QUOTE_REACH):
            # 'ansom cab, ’Arry and ’Enery: an elision with nothing to close it (a
            # typographic ’ opens nothing before a capital either: ‘ does)
            return "APOS"
        if ch in SINGLE_OPEN or not nxt.isspace():
            return "OS"
        return ""
    return "CS"


def _scan(text: str, carry: Mark | None) -> _Scan:
    """Walk one paragraph's marks with a stack; `carry` is a quote open from before."""
    stack: list[Mark] = [carry] if carry else []
    spans: list[QuoteSpan] = []
    problems: list[tuple[str, str, str, int]] = []
    closed_carry_at = None
    outer_start: int | None = 0 if carry else None  # where the open outermost quote began

    def close_outer(end: int, outer: Mark):
        nonlocal outer_start, closed_carry_at
        if carry is not None and outer is carry:
            closed_carry_at = end
        assert outer_start is not None  # a quote is open
        spans.append(QuoteSpan(outer_start, end, run_on=outer is carry))
        stack.clear()
        outer_start = None

    for i, ch in enumerate(text):
        if ch not in ALL_MARKS:
            continue
        kind = _classify(text, i)
        if kind == "AMBIG_D":
            kind = "CD" if any(m.kind == "D" for m in stack) else "OD"
        at_end = bool(_TAIL.match(text, i + 1))
        if kind == "OD":
            if stack and stack[-1].kind == "D":
                problems.append(("quote-unclosed", ("a quote opens before the one before it "
                                 "closes; closed the earlier one there"), WARNING, i))
                close_outer(i, stack[0])
            if not stack:
                outer_start = i
            stack.append(Mark(i, ch, "D"))
        elif kind == "OS":
            if not stack:
                outer_start = i
            stack.append(Mark(i, ch, "S"))
        elif kind == "CD":
            if not stack:
                problems.append(("quote-stray-close", f"closing {ch} with no opening mark",
                                 WARNING, i))
                continue
            if stack[-1].kind == "S" and len(stack) == 1:
                problems.append(("quote-mismatch", (f"quote opened with {stack[-1].char} "
                                 f"closed with {ch}"), WARNING, i))
            while stack and stack[-1].kind == "S" and len(stack) > 1:
                stack.pop()  # a nested single quote never closed: the double closes both
            outer = stack[0]
            stack.pop()
            if not stack:
                close_outer(i + 1, outer)
        elif kind == "CS":
            if stack and stack[-1].kind == "S":
                outer = stack[0]
                stack.pop()
                if not stack:
                    close_outer(i + 1, outer)
            elif stack and at_end:
                problems.append(("quote-mismatch", (f"quote opened with {stack[-1].char} "
                                 f"closed with {ch}"), WARNING, i))
                close_outer(i + 1, stack[0])
            # else: an apostrophe of a plural possessive (workers’)
    open_at_end = stack[0] if stack else None
    if open_at_end is not None:
        assert outer_start is not None  # a quote is open
        spans.append(QuoteSpan(outer_start, len(text), run_on=open_at_end is carry))
    return _Scan(spans, problems, open_at_end, closed_carry_at)


def _opens_with_quote(text: str) -> bool:
    stripped = text.lstrip(" …."+"(")
    return bool(stripped) and stripped[0] in ALL_MARKS and _classify(text, text.index(stripped[0])) in ("OD", "OS", "AMBIG_D")


def convention(paragraphs: list[str]) -> str:
    """"D" when the book quotes with double marks, "S" with (British) single ones."""
    counts = {"OD": 0, "OS": 0}
    for text in paragraphs:
        for i, ch in enumerate(text):
            if ch in ALL_MARKS:
                kind = _classify(text, i)
                if kind in counts:
                    counts[kind] += 1
    return "S" if counts["OS"] > 2 * counts["OD"] else "D"


def find_quotes(paragraphs: list[str], chapter_no: int, is_last_chapter: bool,
                text_truncated: bool, lines: list[int | None] | None = None,
                marks: str = "D"
                ) -> tuple[list[ParagraphQuotes], list[Problem]]:
    """Quote spans for each paragraph of one chapter, and the repairs made. `marks` is
    the book's convention (see `convention`): only its quotations run on."""
    lines = lines or [None] * len(paragraphs)
    result = [ParagraphQuotes() for _ in paragraphs]
    problems: list[Problem] = []

    def report(code, message, severity, index, pos=0):
        text = paragraphs[index]
        problems.append(Problem(code, message, severity, line=lines[index], chapter=chapter_no,
                                paragraph=index + 1, words=first_words(text[max(0, pos - 30):]
                                                                      if pos > 60 else text)))

    i = 0
    while i < len(paragraphs):
        scan = _scan(paragraphs[i], None)
        for code, message, severity, pos in scan.problems:
            report(code, message, severity, i, pos)
        result[i].spans = scan.spans
        if scan.open_at_end is None:
            i += 1
            continue
        if scan.open_at_end.kind != marks:  # not the book's way of quoting: its paragraph only
            report("quote-unclosed", f"quote opened with {scan.open_at_end.char} is never "
                   "closed; ended it at the end of its paragraph", WARNING, i,
                   scan.open_at_end.pos)
            i += 1
            continue
        i = _resolve_run_on(paragraphs, i, scan.open_at_end, result, report,
                            is_last_chapter and text_truncated)
    return result, problems


def _resolve_run_on(paragraphs, i, mark, result, report, truncated_end) -> int:
    """Decide where a quote left open in paragraph i ends; return the next index to scan."""
    carried: list[tuple[int, _Scan]] = []
    j = i + 1
    while j < len(paragraphs) and j - i <= MAX_RUN_ON:
        if _opens_with_quote(paragraphs[j]):
            break
        scan = _scan(paragraphs[j], mark)
        carried.append((j, scan))
        if scan.closed_carry_at is not None:
            for k, s in carried:
                result[k].spans = s.spans
                for code, message, severity, pos in s.problems:
                    report(code, message, severity, k, pos)
            report("quote-run-on", f"quote runs over {j - i + 1} paragraphs "
                   f"(closes in paragraph {j + 1})", INFO, i)
            return j + 1
        j += 1
    if truncated_end and j == len(paragraphs) and carried:
        for k, s in carried:
            result[k].spans = s.spans
        report("quote-truncated", "quote never closed: the text ends inside it", WARNING, i)
        return j
    next_opens = j < len(paragraphs) and _opens_with_quote(paragraphs[j])
    opener = paragraphs[j].lstrip(" …(")[:1] if next_opens else ""
    if not (next_opens and opener == mark.char):  # the classic style needs no report
        report("quote-unclosed", f"quote opened with {mark.char} is never closed; "
               "ended it at the end of its paragraph", WARNING, i, mark.pos)
    return i + 1
