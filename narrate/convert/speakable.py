"""What a voice for a language can say: the letters of the scripts the language is
written in, Latin letters and digits (every voice narrate has reads those).

The rest it cannot: a neural English voice is silent on Chinese characters, emoji or
Arabic letters, and espeak-ng's English voice names them one by one ("Chinese letter"
for each character: a 200-character title took 78 s to say). So a title, an author or a
paragraph is looked at before it is spoken: `sayable` keeps what the voice can say, and
`voice_language` finds a language whose voice says a paragraph the book's cannot.
"""

from __future__ import annotations

import unicodedata

from narrate.convert.language import detect

# the scripts (the first word of a letter's Unicode name) of languages not written in
# Latin letters, by the language's code without its region
_CJK, _ARABIC, _CYRILLIC = ("CJK",), ("ARABIC",), ("CYRILLIC",)
_SCRIPTS = {
    "zh": _CJK, "cmn": _CJK, "yue": _CJK, "wuu": _CJK, "hak": _CJK,
    "ja": ("CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA"), "ko": ("HANGUL", "CJK"),
    "ar": _ARABIC, "fa": _ARABIC, "ur": _ARABIC, "ps": _ARABIC, "sd": _ARABIC, "ug": _ARABIC,
    "he": ("HEBREW",), "yi": ("HEBREW",), "el": ("GREEK",), "grc": ("GREEK",),
    "ru": _CYRILLIC, "uk": _CYRILLIC, "be": _CYRILLIC, "bg": _CYRILLIC, "mk": _CYRILLIC,
    "sr": _CYRILLIC, "kk": _CYRILLIC, "ky": _CYRILLIC, "tt": _CYRILLIC, "ba": _CYRILLIC,
    "mn": _CYRILLIC, "tg": _CYRILLIC, "cv": _CYRILLIC,
    "hi": ("DEVANAGARI",), "mr": ("DEVANAGARI",), "ne": ("DEVANAGARI",),
    "sa": ("DEVANAGARI",), "bn": ("BENGALI",), "as": ("BENGALI",), "pa": ("GURMUKHI",),
    "gu": ("GUJARATI",), "or": ("ORIYA",), "ta": ("TAMIL",), "te": ("TELUGU",),
    "kn": ("KANNADA",), "ml": ("MALAYALAM",), "si": ("SINHALA",), "th": ("THAI",),
    "lo": ("LAO",), "my": ("MYANMAR",), "km": ("KHMER",), "ka": ("GEORGIAN",),
    "hy": ("ARMENIAN",), "am": ("ETHIOPIC",), "bo": ("TIBETAN",), "dz": ("TIBETAN",),
}
_EVERY_VOICE = ("LATIN", "DIGIT")
DETECTED_CHARS = 2000  # of a paragraph, to find its language by


def says(text: str, language: str) -> bool:
    """Whether a voice for `language` can say any of `text`."""
    scripts = _scripts(language)
    return any(_said(char, scripts) for char in text)


def says_all(text: str, language: str) -> bool:
    """Whether a voice for `language` can say every letter of `text`."""
    if text.isascii():  # Latin letters: every voice's (a novel's paragraphs in 2 ms, not 120)
        return True
    scripts = _scripts(language)
    return all(_said(char, scripts) for char in set(text) if char.isalpha())


def sayable(text: str, language: str) -> str:
    """`text` as a voice for `language` can say it: letters of other scripts, emoji and
    symbols left out (`text` itself when there are none); "" when nothing in it can be
    said."""
    scripts = _scripts(language)
    kept = [char if _said(char, scripts) or _neutral(char) else " " for char in text]
    if not any(_said(char, scripts) for char in kept):
        return ""
    if all(a is b for a, b in zip(kept, text)):
        return text
    return " ".join("".join(kept).split()).lstrip(",.;:!?)]}»”’ ")


def voice_language(text: str, language: str) -> str | None:
    """The language whose voice says `text`: `language` when its voice can, else the
    one the text is written in when its voice can; None when no voice can."""
    if says(text, language):
        return language
    found = detect(text[:DETECTED_CHARS]).code
    return found if found and says(text, found) else None


def _scripts(language: str) -> tuple[str, ...]:
    code = (language or "en").lower().replace("_", "-")
    return _EVERY_VOICE + _SCRIPTS.get(code.split("-")[0], ())


def _said(char: str, scripts: tuple[str, ...]) -> bool:
    return char.isalnum() and unicodedata.name(char, "").split(" ", 1)[0] in scripts


def _neutral(char: str) -> bool:
    """Spaces, punctuation and combining marks: said with the letters around them."""
    return unicodedata.category(char)[0] in "ZPM"
