"""Hostile values a person may type into a YAML field (a script's `say:`, a lexicon's key
or respelling, a metadata field), each with what the person meant by it.

`kind` says what narrate may do with it:
  text   read as the characters typed (narrate may clean what cannot be spoken, or
         refuse it in one line); anything else spoken is a loss
  blank  nothing to say, or a YAML word for nothing (`~`, `null`): skipped (with a
         warning), refused, or read as typed; anything else spoken is a loss
  other  a list, a mapping, binary: refused in one line; spoken, it is a loss
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Value:
    name: str
    yaml: str  # as written after `key: `; a block's lines follow a "\n", unindented
    typed: str  # what the person meant
    kind: str = "text"

    def lines(self, key: str, indent: str) -> list[str]:
        """`key: value` at `indent`, a block's lines indented under it."""
        first, *rest = self.yaml.split("\n")
        return [f"{indent}{key}: {first}".rstrip()] + [f"{indent}  {line}" for line in rest]


def _plain(text: str, name: str = "") -> Value:
    return Value(name or f"plain `{text}` (YAML retypes it)", text, text)


def _quoted(text: str, name: str) -> Value:
    return Value(name, quoted(text), text)


def quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar: what is not printable as an escape."""
    def escape(ch: str) -> str:
        if ch in '"\\':
            return "\\" + ch
        if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF:
            return ch
        return f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"
    return '"' + "".join(map(escape, text)) + '"'


RETYPED = [_plain(t) for t in ("No", "no", "yes", "On", "off", "TRUE", "false",
                               "12:30", "1:05:00", "010", "0x1F", "0b101", "1_000", "+12",
                               "6.02e+23", ".5", ".inf", "-.Inf", ".NaN", "2001-12-14",
                               "2001-12-14 21:59:43.10 -5", "2024-02-30", "=", "<<")]
ESCAPED = [
    _quoted("Then he left\x00 for Vienna with a NUL inside.", "a NUL character"),
    _quoted("Then he \x1b[31mleft\x1b[0m for Vienna.", "ESC colour codes"),
    _quoted("Then he left\x07 for\x08 Vienna\x7f.", "BEL, BS and DEL"),
    _quoted("Then he left\x85 for\u2028 Vienna\u2029.", "NEL and Unicode line separators"),
    _quoted("Then he left \ud800for Vienna.", "a lone surrogate"),
    _quoted("Then he left \udfff\ud800 for Vienna.", "two lone surrogates, reversed"),
    _quoted("\ufeffThen he\u200b left\u202e for Vienna.", "BOM, zero-width space, RTL override"),
    _quoted("Then he le\u0301ft for Vie\u0308nna, 👍🏽 — 維也納.", "combining marks, emoji, CJK"),
    _quoted("\t Then he left   for Vienna. \r\n", "tabs, CR LF, spaces"),
]
TAGGED = [
    Value("!!str on a retyped scalar", "!!str 12:30", "12:30"),
    Value("!!timestamp", "!!timestamp 2001-12-14", "2001-12-14"),
    Value("!!binary", "!!binary VGhlbiBoZSBsZWZ0Lg==", "Then he left.", "other"),
    Value("!!set", "!!set {Then, left}", "{Then, left}", "other"),
    Value("!!omap", "!!omap [Then: 1]", "[Then: 1]", "other"),
    Value("!!python/object", "!!python/object/apply:os.getcwd []", "", "other"),
]
COLLECTIONS = [
    Value("a flow list", "[Then, he, left]", "[Then, he, left]", "other"),
    Value("an empty list", "[]", "[]", "other"),
    Value("a flow mapping", "{Then: left}", "{Then: left}", "other"),
    Value("a block list", "\n- Then he\n- left", "- Then he\n- left", "other"),
    Value("a block mapping", "\nThen: he left", "Then: he left", "other"),
    Value("lists nested 200 deep", "[" * 200 + "x" + "]" * 200, "", "other"),
]
BLANK = [Value("empty quotes", "''", "", "blank"), Value("spaces", "'   '", "   ", "blank"),
         Value("nothing", "", "", "blank"), Value("~", "~", "~", "blank"),
         Value("null", "null", "null", "blank"), Value("Null", "Null", "Null", "blank"),
         Value("an empty block", "|-", "", "blank")]
BLOCKS = [Value("a literal block", "|\nThen he left.\nFor Vienna.", "Then he left.\nFor Vienna."),
          Value("a folded block", ">-\nThen he left\nfor Vienna.", "Then he left for Vienna.")]


def huge(rng: random.Random) -> Value:
    """A long line: words without a full stop, one endless word, or many sentences."""
    count = rng.choice([2_000, 20_000, 100_000])
    shape = rng.choice(["words", "word", "sentences"])
    piece = {"words": "then he left for vienna ", "word": "a", "sentences": "Then he left. "}[shape]
    text = (piece * (count // len(piece))).strip()
    return Value(f"{len(text):,} characters of {shape}", quoted(text), text)


def pick(rng: random.Random) -> Value:
    group = rng.choice([RETYPED, RETYPED, ESCAPED, ESCAPED, TAGGED, COLLECTIONS, BLANK, BLOCKS,
                        None])
    return huge(rng) if group is None else rng.choice(group)
