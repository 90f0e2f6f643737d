"""Speech text: what a narrator says for a piece of written text.

Pure functions on strings: citations out, numbers and abbreviations spelled,
quote marks, ellipses and dashes turned into pauses, the lexicon applied.
"""

from __future__ import annotations

import re
import unicodedata

from narrate.convert.lexicon import Lexicon
from narrate.convert.normalise import (
    Replacement,
    column_units,
    normalise,
    regnal_lists,
    roman_lists,
)
from narrate.convert.numbers import REGNAL, ordinal, regnal, spell_numbers
from narrate.convert.quotes import DOUBLE_CLOSE, DOUBLE_OPEN, SINGLE_CLOSE, SINGLE_OPEN
from narrate.patterns import regex

# ---- citations -----------------------------------------------------------------

_PAGE = r"\d+(?:\s*[-–]\s*\d+)?"
_WHITESPACE_RUN = regex(r"\s*")
_CITATION_BODY = (rf"(?:[^()\n]{{1,80}}?,\s*)?(?:pp?\.\s*)?{_PAGE}"
                  rf"(?:\s*,\s*(?:(?:pp?\.\s*)?{_PAGE}|footnote\s+\d+|"
                  rf"[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){{0,3}}))*")
_CITATION = regex(rf"\(({_CITATION_BODY})\)")
_CITATION_TAIL = regex(r"[\s….,;:!?”’\"'»›\ufffd]*")


def find_citations(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Page citations that end quotations: `(15)`, `(p. 135, 36)`, `(18, 19, Harman)`.

    A citation counts when only punctuation and closing marks stand between it
    and the end of a quote span, or when it follows the span directly.
    """
    found = []
    for start, end in spans:
        for match in _CITATION.finditer(text, start, end):
            tail = _CITATION_TAIL.match(text, match.end(), end)
            if tail and tail.end() == end:
                found.append(match.span())
        after = _WHITESPACE_RUN.match(text, end).end()  # type: ignore[union-attr]  # \s* always matches
        following = _CITATION.match(text, after)
        if following and re.match(r"[\s….,;:!?]*(?:$|\s)", text[following.end():]):
            found.append(following.span())
    return sorted(set(found))


def speak_citation(citation: str) -> str:
    """`(p. 135, 36)` -> `page one hundred thirty-five, thirty-six`."""
    body = citation.strip("() ")
    body = re.sub(r"\bpp\.\s*", "", body)
    body = re.sub(r"\bp\.\s*", "", body)
    numbers = re.findall(r"\d+", body)
    word = "pages" if len(numbers) > 1 or re.search(r"\d\s*[-–]\s*\d", body) else "page"
    spoken = spell_numbers(re.sub(r"(\d)\s*[-–]\s*(\d)", r"\1 to \2", body))
    return f"{word} {spoken}"


# ---- abbreviations ------------------------------------------------------------------------------

_ABBREVIATIONS: list[tuple[re.Pattern, Replacement]] = [
    (regex(r"\be\.\s?g\.(?=\W|$)", re.IGNORECASE), "for example"),
    (regex(r"\bi\.\s?e\.(?=\W|$)", re.IGNORECASE), "that is"),
    (regex(r"\betc\.(?=\s+[A-Z]|\s*$)"), "et cetera."),
    (regex(r"\betc\."), "et cetera"),
    (regex(r"\bvs?\.(?=\s)"), "versus"),
    (regex(r"\bcf\.(?=\s)"), "compare"),
    (regex(r"\bviz\.(?=\s)"), "namely"),
    (regex(r"\bpp\.\s*(?=\d)"), "pages "),
    (regex(r"\bp\.\s*(?=\d)"), "page "),
    (regex(r"\bNo\.\s*(?=\d)"), "number "),
    (regex(r"\bMrs\.(?=\s)"), "Missus"),
    (regex(r"\bMr\.(?=\s)"), "Mister"),
    (regex(r"\bMs\.(?=\s)"), "Miz"),
    (regex(r"\bDr\.(?=\s+[A-Z])"), "Doctor"),
    (regex(r"\bSt\.(?=\s+[A-Z])"), "Saint"),
    (regex(r"(?<=[a-z] )St\.(?=\s|$)"), "Street"),
    (regex(r"\bProf\.(?=\s)"), "Professor"),
    (regex(r"\bGen\.(?=\s+[A-Z])"), "General"),
    (regex(r"\bCol\.(?=\s+[A-Z])"), "Colonel"),
    (regex(r"\bCapt\.(?=\s+[A-Z])"), "Captain"),
    (regex(r"\bLt\.(?=\s+[A-Z])"), "Lieutenant"),
    (regex(r"\bRev\.(?=\s+[A-Z])"), "Reverend"),
    (regex(r"\bJr\."), "Junior"),
    (regex(r"\bSr\."), "Senior"),
    (regex(r"\ba\.m\.", re.IGNORECASE), "A M"),
    (regex(r"\bp\.m\.", re.IGNORECASE), "P M"),
    # dotted initialisms: U.S.S.R. -> U S S R
    (regex(r"\b(?:[A-Z]\.){2,}"), lambda m: " ".join(m.group().replace(".", ""))),
]


def expand_abbreviations(text: str) -> str:
    if "." not in text:
        return text
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    return text


# ---- putting it together -----------------------------------------------------------------------------

_SPACES = regex(r"[\u00a0\u2000-\u200b\u202f\u205f\u3000\t]")
_MD_IMAGE = regex(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = regex(r"\[([^\]]+)\]\([^)]*\)")
_MD_FOOTNOTE = regex(r"\[\^[^\]]+\]")
_MARK = regex(r"[*_`]")  # what may open a span of emphasis or code
_ELLIPSIS = regex(r"\s*(?:…|\.\s?\.\s?\.)(?:\s*(?:…|\.\s?\.\s?\.))*\s*")
_DASH = regex(r"\s*(?:—|–|--+|\s-\s)\s*")
_UNSPEAKABLE = regex(r"[\ufffd\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d*#_<>|\\^~`{}=]")


_URL = regex(r"\b(?:https?://|www\.)(?:www\.)?(?P<host>[\w-]+(?:\.[\w-]+)+)[^\s<>\"”’)]*")
# its parts bounded as an address's are (64 letters, labels of 63): a long run of
# letters and dashes with no @ is looked at in linear time
_EMAIL = regex(r"\b(?P<user>[\w.+-]{1,64})@(?P<host>[\w-]{1,63}(?:\.[\w-]{1,63}){1,8})\b")


def _site(m: re.Match) -> str:
    """A web address as its site's name: https://beyondgrep.com/x -> beyondgrep dot com."""
    return m["host"].replace(".", " dot ")


def _wordy(token: str) -> bool:
    """A word: three letters or more, or two with no figures (not "e4", "C#", "Nf3")."""
    letters = sum(c.isalpha() for c in token)
    return letters >= 3 or (letters == 2 and not any(c.isdigit() for c in token))


def is_notation(text: str, shortest: int = 4) -> bool:
    """A paragraph dominated by digits, symbols and single letters (music or chess
    notation, tables of figures), not prose."""
    tokens = text.split()
    if len(tokens) < shortest:
        return False
    return sum(1 for t in tokens if _wordy(t)) < 0.3 * len(tokens)


_BRACKETED_NOTATION = regex(r"\s*[\[(](?P<inside>[^\[\]()]{3,120})[\])]")


def _drop_notation(m: re.Match) -> str:
    """[4 8 4 4 8 8] or (+ - + -) inside a sentence: notation, not read."""
    return " " if is_notation(m["inside"], shortest=3) else m.group()


# "(a) hard-working" is an editor's word; "106(g)", set against what it follows, is a
# section's lettered paragraph (its parentheses are pauses: "one hundred six, g")
_EDITORIAL = regex(r"\[(?P<words>[^\[\]]{1,40})\]|(?<![\w)])\((?P<word>[A-Za-z][a-z’']{0,11})\)")
_EDGE_ELLIPSIS = regex(r"(?P<open>[“‘\"«])\s*(?:…|\.\s?\.\s?\.)\s*"
                            r"|\s*(?:…|\.\s?\.\s?\.)\s*(?P<close>[”’\"»])(?!\w)")


def _editorial(m: re.Match) -> str:
    """[a] gift, [He] began, (a) hard-working, (He) began: an editor's word, read with no
    pause; [sic] is not read."""
    words = m["words"] if m["words"] is not None else m["word"]
    # \x01 keeps a capital here from reading as a new sentence after an ellipsis
    return "" if words.strip().lower() == "sic" else "\x01" + words


# joiners that shape letters in Arabic, Persian and Indic scripts: kept for an engine
_SHAPING = {"\u200c", "\u200d"}


def _invisible_out(text: str) -> str:
    """Without format characters (Unicode's Cf: word joiners around Standard Ebooks' em
    dashes, soft hyphens, zero-width spaces, direction marks): an engine has nothing to
    say for them, and some spell them out."""
    if text.isascii():
        return text
    return "".join(c for c in text if c in _SHAPING or unicodedata.category(c) != "Cf")


def to_say(text: str, lexicon: Lexicon | None = None, english: bool = True) -> str:
    """The words a narrator speaks for `text` (citations already removed). The lexicon
    comes first, so it can override any rule; `english=False` keeps the English number
    words and abbreviations out of a book in another language."""
    say = _SPACES.sub(" ", _invisible_out(text))
    if lexicon:
        say = lexicon.apply(say)
    say = CODE_SPAN.sub(lambda m: speak_code(m[1]) + "\x01", say)  # `/etc`. is no "etc."
    say = _URL.sub(_site, say)
    say = _EMAIL.sub(lambda m: f"{m['user']} at {m['host'].replace('.', ' dot ')}", say)
    say = _MD_IMAGE.sub(r"\1", say)
    say = _MD_LINK.sub(r"\1", say)
    say = _MD_FOOTNOTE.sub("", say)
    say = re.sub(r"(?<=[^\W_])_+(?=[^\W_])", " ", say)  # snake_case: words, not emphasis
    say = emphasis_out(say)
    say = column_units(say)  # before brackets are taken for notation or an editor's words
    say = _BRACKETED_NOTATION.sub(_drop_notation, say)
    say = _EDITORIAL.sub(_editorial, say)
    say = _EDGE_ELLIPSIS.sub(lambda m: m["open"] or m["close"], say)  # silent at a quote's edge
    if english:
        say = normalise(say)
        say = expand_abbreviations(say)
        say = spell_numbers(say)
        say = REGNAL.sub(regnal, say)
        say = regnal_lists(say, ordinal)
        say = roman_lists(say)
    say = _quote_marks_out(say)
    say = _ELLIPSIS.sub(" … ", say)  # normalised here; pauses decided in _tidy
    say = _DASH.sub(", ", say)
    say = re.sub(r"[()\[\]]", ", ", say)
    say = _UNSPEAKABLE.sub(" ", say)
    return _tidy(say)


def emphasis_out(text: str) -> str:
    """`text` with each span of Markdown emphasis or code (*, **, *** and the same with _
    or `) around words replaced by its words, as the pattern
    `(\\*{1,3}|_{1,3}|`{1,3})(?=\\S)(.+?)(?<=\\S)\\1` would replace them, in one pass: the
    pattern looked at every later place for each opening mark (a run of 20,000 backticks:
    minutes). For each closing mark and the next line's end, the place found last is
    kept, and places are asked in order: no part of the text is looked at twice."""
    if not _MARK.search(text):
        return text
    found: dict[str, int] = {}  # a closing mark (or "\n") -> where it was found last
    pieces, done, at = [], 0, 0
    while (mark := _MARK.search(text, at)) is not None:
        start = mark.start()
        span = _span(text, start, found)
        if span is None:
            at = start + 1
            continue
        inner, close, end = span
        pieces += [text[done:start], text[inner:close]]
        done = at = end
    return "".join(pieces) + text[done:]


def _span(text: str, start: int, found: dict[str, int]) -> tuple[int, int, int] | None:
    """The span opened by the marks at `start`, longest run first: where its words start,
    where its closing marks start and end; None when none closes on the line."""
    run = 1
    while run < 3 and text.startswith(text[start], start + run):
        run += 1
    line_end = _next(text, "\n", start, found)
    for length in range(run, 0, -1):
        inner = start + length
        if inner < len(text) and not text[inner].isspace():
            close = _next(text, text[start] * length, inner + 1, found)
            if close < line_end:
                return inner, close, close + length
    return None


def _next(text: str, marks: str, start: int, found: dict[str, int]) -> int:
    """The first place at or after `start` where `marks` stand after a character that is
    not a space (a line's end: after anything), else len(text). `start` only grows for
    each `marks`: the place found last is the answer again until `start` passes it."""
    if found.get(marks, -1) >= start:
        return found[marks]
    at = text.find(marks, start)
    while at != -1 and marks != "\n" and text[at - 1].isspace():
        at = text.find(marks, at + 1)
    found[marks] = len(text) if at == -1 else at
    return found[marks]


# Inline code (a Markdown reader keeps its backticks in the text) is read the way a
# programmer reads it aloud: `--include='*.c'` is "dash dash include equals star dot c".
CODE_SPAN = regex(r"`([^`\n]{1,200})`")
_CODE_SIGNS: list[tuple[re.Pattern, Replacement]] = [
    (regex(r"(?<![\w-])--(?=\w)"), " dash dash "), (regex(r"(?<![\w-])-(?=\w)|(?<!\S)-(?!\S)"), " dash "),
    (regex(r"&&"), " and "), (regex(r"\|\|"), " or "), (regex(r"\.\.+"), " dot dot "),
    (regex(r"\d+(?:\.\d+){2,}"), lambda m: m[0].replace(".", " dot ")),  # 1.2.3
    (regex(r"(?<!\d)\.|\.(?!\d)"), " dot ")]  # not a decimal point: spoken as a number
_PLACEHOLDER = regex(r"<(?P<name>[A-Za-z][\w-]{0,30})>(?P<more>\.\.\.|…)?")
_CODE_CHARACTERS = {"/": "slash", "*": "star", "=": "equals", "|": "pipe", ">": "greater than",
                    "<": "less than", "~": "tilde", "$": "dollar", "@": "at", "#": "hash",
                    "+": "plus", "\\": "backslash", "%": "percent", "&": "and", "^": "caret",
                    ":": "colon"}


def speak_code(code: str) -> str:
    """A span of code in words: its names as they are, its signs named, quotes and
    brackets silent; a placeholder is its name (`<command>...`: "command and more")."""
    code = _PLACEHOLDER.sub(lambda m: f" {m['name']}{' and more' if m['more'] else ''} ", code)
    for pattern, words in _CODE_SIGNS:
        code = pattern.sub(words, code)
    spoken = "".join(f" {_CODE_CHARACTERS[c]} " if c in _CODE_CHARACTERS else
                     " " if c in "'\"`()[]{};,!?_" else c for c in code)
    return " ".join(spoken.split())


def _quote_marks_out(text: str) -> str:
    # An apostrophe between letters stays (as '), every other mark goes.
    text = re.sub(rf"(?<=\w)[{SINGLE_CLOSE}'](?=\w)", "\x00", text)
    text = re.sub(rf"[{DOUBLE_OPEN}{DOUBLE_CLOSE}{SINGLE_OPEN}{SINGLE_CLOSE}\"'‹›]", " ", text)
    return text.replace("\x00", "'")


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = text.strip(" …,;:")  # an ellipsis or comma at an edge: nothing to say
    text = re.sub(r" … (?=[A-Z“‘\"])", ". ", text)  # an ellipsis between sentences
    text = re.sub(r"(?:\s*[,;:])*\s*…(?:\s*[,;:…])*\s*", " … ", text)  # inside one: a pause
    text = text.replace("\x01", "")
    text = re.sub(r"\s+([,;:.!?])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"[,;:]\s*([.!?])", r"\1", text)
    text = re.sub(r"([.!?])\s*[,.]+", r"\1", text)
    text = re.sub(r"([,;:.!?])(?=[^\s\d,;:.!?'])", r"\1 ", text)
    return re.sub(r"\s+", " ", text).strip(" ,;:")
