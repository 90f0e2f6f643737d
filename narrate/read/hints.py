"""A book's own pronunciation hints, as an EPUB 3 gives them: PLS lexicons in its
manifest (media type application/pls+xml) and `ssml:ph` attributes on the elements of
its content, each a word, its phonemes (IPA) and where it was written. An entry narrate
cannot use (in a PLS that is not well-formed, in an alphabet narrate does not know, with
no phonemes) is one warning naming it, and skipped; XML is parsed as the reader parses
it (no entities, nothing fetched, members capped)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from narrate.errors import InputError
from narrate.read.elements import local
from narrate.read.epub import _XHTML_TYPES, manifest_parts
from narrate.read.safe import parse_xml

PLS_TYPE = "application/pls+xml"
SSML = "{http://www.w3.org/2001/10/synthesis}"
ALPHABETS = {"ipa", "x-ipa"}  # the IPA, as PLS and SSML name it
MAX_HINTS = 5000  # entries read from one book
MAX_WORD = 100  # characters in a hinted word (as a lexicon's)


@dataclass(frozen=True)
class Hint:
    word: str
    ipa: str
    place: str  # the book's file, the part in it and the line


def epub_hints(path: str | Path) -> tuple[list[Hint], list[str]]:
    """The hints of the EPUB at `path`, and a warning for each entry skipped."""
    hints: list[Hint] = []
    warnings: list[str] = []
    for href, kind, data in manifest_parts(str(path), {PLS_TYPE, *_XHTML_TYPES}):
        name = f"{Path(path).name}: {href}"
        if kind != PLS_TYPE and SSML[1:-1].encode() not in data:
            continue  # no SSML namespace, no ssml:ph: the document is not parsed again
        try:
            root = parse_xml(data, name)
        except InputError as error:
            if kind == PLS_TYPE:  # a content document's faults are the reader's to tell
                warnings.append(f"{str(error).split('; ')[0]}: its pronunciations are skipped")
            continue
        found = _pls(root, name, warnings) if kind == PLS_TYPE else _ssml(root, name, warnings)
        hints += found[:MAX_HINTS - len(hints)]
    return hints, warnings


def _pls(root, name: str, warnings: list[str]) -> list[Hint]:
    """A PLS document's lexemes: each grapheme with the lexeme's first phoneme."""
    found = []
    for lexeme in (e for e in root.iter() if local(e) == "lexeme"):
        words = [(g.text or "").strip() for g in lexeme if local(g) == "grapheme"]
        phoneme = next((p for p in lexeme if local(p) == "phoneme"), None)
        place = f"{name}: line {lexeme.sourceline}"
        alphabet = (phoneme.get("alphabet") if phoneme is not None else None) or \
            root.get("alphabet", "")
        ipa = (phoneme.text or "").strip() if phoneme is not None else ""
        if _usable(words[0] if words else "", ipa, alphabet, place, warnings):
            found += [Hint(word, ipa, place) for word in words if 0 < len(word) <= MAX_WORD]
    return found


def _ssml(root, name: str, warnings: list[str]) -> list[Hint]:
    """The elements of a content document with an `ssml:ph`: their text said so (the
    alphabet is the nearest `ssml:alphabet` of the element or those around it)."""
    found = []
    for element in root.iter():
        ipa = element.get(f"{SSML}ph") if isinstance(element.tag, str) else None
        if ipa is None:
            continue
        word = " ".join("".join(element.itertext()).split())
        alphabet = next((e.get(f"{SSML}alphabet") for e in element.iterancestors()
                         if e.get(f"{SSML}alphabet")), None)
        alphabet = element.get(f"{SSML}alphabet") or alphabet or "ipa"
        place = f"{name}: line {element.sourceline}"
        if _usable(word, ipa.strip(), alphabet, place, warnings):
            found.append(Hint(word, ipa.strip(), place))
    return found


def _usable(word: str, ipa: str, alphabet: str, place: str, warnings: list[str]) -> bool:
    why = ("names no word" if not word or len(word) > MAX_WORD else
           "gives no phonemes" if not ipa else
           f"is in the alphabet {alphabet[:40]!r}, which narrate does not know (only IPA)"
           if alphabet.lower() not in ALPHABETS else "")
    if why:
        warnings.append(f"{place}: the pronunciation of {word[:40]!r} {why}; skipped")
    return not why
