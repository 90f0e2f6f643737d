"""Languages as books and people name them: a language tag as BCP 47 writes it, or an
English name ("French"); everything else names no language."""

from __future__ import annotations

import re

_LANGUAGES = {"english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it",
              "latin": "la", "portuguese": "pt", "dutch": "nl", "finnish": "fi", "swedish": "sv",
              "danish": "da", "norwegian": "no", "polish": "pl", "russian": "ru", "greek": "el",
              "hungarian": "hu", "czech": "cs", "chinese": "zh", "japanese": "ja",
              "arabic": "ar", "hebrew": "he", "korean": "ko", "hindi": "hi", "turkish": "tr",
              "ukrainian": "uk", "persian": "fa"}


def language_names() -> dict[str, str]:
    """"fr" -> "French", for the languages narrate knows by name."""
    return {code: name.capitalize() for name, code in _LANGUAGES.items()}


_TAG_CHARS = 35  # the longest language tag BCP 47 expects a reader to hold
_NO_LANGUAGE = ("und", "mul", "mis", "zxx")  # undetermined, many, uncoded, no words


def language_code(name: str) -> str:
    """"English" -> "en"; a language tag as BCP 47 writes it ("FR" -> "fr", "en_us" ->
    "en-US", "zh-hant" -> "zh-Hant"); "" for anything else: a tag for no language (und,
    zxx), a private one (x-…), one of other characters or longer than a tag is."""
    name = name.strip()
    if len(name) > _TAG_CHARS:
        return ""
    tag = _LANGUAGES.get(name.lower(), name).replace("_", "-").lower()
    primary, *subtags = tag.split("-")
    if not re.fullmatch(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*", tag) or primary in _NO_LANGUAGE:
        return ""
    for i, subtag in enumerate(subtags):
        if len(subtag) == 1:  # a singleton: what follows is an extension's, cased as given
            break
        subtags[i] = subtag.upper() if len(subtag) == 2 else \
            subtag.title() if len(subtag) == 4 and subtag.isalpha() else subtag
    return "-".join([primary, *subtags])


def names_no_language(name: str) -> bool:
    """Whether a tag says the text is in no one language: und, mul, zxx (or is blank)."""
    return name.strip().lower().replace("_", "-").split("-")[0] in ("", *_NO_LANGUAGE)
