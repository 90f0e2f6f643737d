"""Opening a source file: one place for missing files, folders and size limits, and for
its bytes as text (the encoding found, a binary file refused, line endings made one)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from narrate.errors import InputError, NarrateError
from narrate.fileio import open_checked, read_checked
from narrate.patterns import CONTROL, SURROGATE, WORD_CHARACTER
from narrate.problems import Problem

# Larger sources are refused before they are read: a 300,000-word book is about 2 MB of
# text and 10 MB of HTML, so these leave room and keep memory bounded.
MAX_SOURCE_BYTES = 64 * 1024 * 1024
# A parsed HTML tree takes about ten times its file's size: a larger page is refused.
MAX_HTML_BYTES = 20 * 1024 * 1024


BOOK_FILE = "pass a book file (.txt, .md, .html, .epub, .pdf, .docx, .odt, .fb2)"


def open_source(path: str | Path) -> BinaryIO:
    """A source file opened to read: a regular file, else one line (fileio.open_checked)."""
    try:
        return open_checked(path, "file", folder_hint=BOOK_FILE)
    except NarrateError as exc:
        raise InputError(exc.what, exc.where, exc.hint) from None


def read_bytes(path: str | Path, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """A source's bytes: a regular file of at most `limit` bytes, else one line."""
    try:
        return read_checked(path, "file", limit, "split the book into smaller files",
                            folder_hint=BOOK_FILE)
    except NarrateError as exc:
        raise InputError(exc.what, exc.where, exc.hint) from None


# Magic numbers of files people pass by mistake.
_MAGIC = [  # patterns matched at the start: a text beginning "ID3 tags" or "RIFF" is text
    (rb"ID3[\x02-\x04]\x00", "an MP3 file"),
    (b"\xff\xfb", "an MP3 file"),
    (b"\xff\xf3", "an MP3 file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (rb"RIFF....(?:WAVE|AVI |WEBP)", "a WAV/RIFF file"),
    (b"OggS", "an Ogg file"),
    (b"fLaC", "a FLAC file"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or EPUB/DOCX)"),
    (b"\x7fELF", "a program"),
    (b"\x1f\x8b", "a gzip archive"),
]

_BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
]

_BINARY_BYTES = [b for b in range(32) if b not in (9, 10, 12, 13)] + [127]


@dataclass
class SourceText:
    text: str
    encoding: str = "utf-8"
    problems: list[Problem] = field(default_factory=list)


def read_source(path: str | Path) -> SourceText:
    """Read and decode a text file; a file that cannot be text is an InputError."""
    return decode(read_bytes(path), str(path))


def decode(data: bytes, name: str = "<text>") -> SourceText:
    if not data.strip():
        raise InputError(f"{name}: the file is empty; give narrate a text with some words")
    for magic, kind in _MAGIC:
        if re.match(magic, data[:16], re.DOTALL):
            raise InputError(f"{name}: this is {kind}, not text; pass a .txt or .md file")
    text, encoding, problems = _decode_bytes(data, name)
    text, cleaned = normalise(text)
    problems += cleaned
    if not WORD_CHARACTER.search(text):
        raise InputError(f"{name}: no text to read aloud (not a letter or a digit in it); check "
                         "it is the right file")
    return SourceText(text, encoding, problems)


def _reads_ascii(codec: str) -> bool:
    """Whether text in `codec` spells ASCII as ASCII, as the header it was declared in."""
    sample = "Character set encoding: Project Gutenberg 0123456789"
    try:
        return sample.encode(codec) == sample.encode("ascii")
    except (LookupError, UnicodeError):
        return False


def _decode_bytes(data: bytes, name: str) -> tuple[str, str, list[Problem]]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec, []
            except UnicodeDecodeError as exc:
                raise InputError(f"{name}: starts with a {codec} byte-order mark but is not {codec} "
                                 f"(byte {exc.start}); re-save it as UTF-8") from exc
    sample = data[:65536]
    controls = sum(sample.count(bytes([b])) for b in _BINARY_BYTES)
    if controls > max(4, len(sample) // 50):
        raise InputError(f"{name}: looks like a binary file (it is full of control bytes); "
                         "pass a .txt or .md file")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    declared = re.search(rb"^Character set encoding:\s*([\w-]+)", data[:8192], re.MULTILINE | re.IGNORECASE)
    if declared:  # a Project Gutenberg text says what it is, if its header can be read so
        try:
            codec = declared.group(1).decode("ascii")
            if _reads_ascii(codec):  # UTF-16 or EBCDIC bytes would not have shown the line
                return data.decode(codec), codec, []
        except (LookupError, UnicodeError):
            pass
    for codec in ("cp1252", "latin-1"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        line = data[:bad_at].count(b"\n") + 1
        return text, codec, [Problem(
            "encoding", f"not valid UTF-8 (first bad byte on this line); decoded as {codec}. "
            "Re-save the file as UTF-8 if the accents look wrong", line=line)]
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover




def normalise(text: str) -> tuple[str, list[Problem]]:
    """One kind of line ending, NFC, no control characters (reported)."""
    problems: list[Problem] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = unicodedata.normalize("NFC", SURROGATE.sub("\ufffd", text))
    control = CONTROL.search(text)
    if control:
        line = text[:control.start()].count("\n") + 1
        problems.append(Problem("control-characters", "control characters removed", line=line))
        text = CONTROL.sub(lambda m: " " if m.group() == "\t" else "", text)
    return text, problems
