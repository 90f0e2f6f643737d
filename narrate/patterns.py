"""Regular expressions compiled when first used: the conversion's hundred and more rules
cost a command 30 ms to compile, and a build whose text has not changed never converts.
And the patterns every stage shares: a word's character, a control character."""

from __future__ import annotations

import re
from typing import cast

_METHODS = ("sub", "subn", "search", "match", "fullmatch", "finditer", "findall", "split",
            "pattern", "flags", "groups", "groupindex")


class _OnFirstUse:
    def __init__(self, pattern: str, flags: int):
        self._args = (pattern, flags)

    def __getattr__(self, name: str):
        compiled = re.compile(*self._args)
        for method in _METHODS:  # from now on, the compiled pattern's own
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)


def regex(text: str, flags: int = 0) -> re.Pattern[str]:
    """re.compile(text, flags), done when the pattern is first used."""
    return cast(re.Pattern[str], _OnFirstUse(text, flags))


# a letter or a digit: what a word is made of (`\w` also matches `_`, and a text of
# underscores and dots has nothing to say)
WORD_CHARACTER = regex(r"[^\W_]")

# a control character: what a source's reader removes, and a text a person wrote (a
# script, a metadata file, a lexicon) gives no engine (a NUL cut the speech there, ESC and
# BEL were spoken to espeak)
CONTROL = regex(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SURROGATE = regex(r"[\ud800-\udfff]")  # half of a pair, alone: not a character at all


def unsayable(text: str) -> str | None:
    """The first character of `text` no script holds as typed: a lone surrogate or a
    control character (a NUL cut the speech there)."""
    found = SURROGATE.search(text) or CONTROL.search(text)
    return found.group() if found else None


def without_controls(text: str) -> str:
    """`text` without its control characters, a vertical tab or another spacing one
    becoming a space (tabs and line ends stay)."""
    return CONTROL.sub(lambda m: " " if m.group().isspace() else "", text)
