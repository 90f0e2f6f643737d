"""Read a source file: bytes -> clean text, with warnings for what was repaired."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from narrate.errors import InputError
from narrate.script.problems import INFO, Problem, first_words

# Magic numbers of files people pass by mistake.
_MAGIC = [
    (b"ID3", "an MP3 file"),
    (b"\xff\xfb", "an MP3 file"),
    (b"\xff\xf3", "an MP3 file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a WAV/RIFF file"),
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

# Lines of web or e-text junk that are dropped when they end a text.
_TRAILING_JUNK = re.compile(
    r"^(show more|read more|continue reading|see more|load more|share this:?|"
    r"click here to .*|advertisement|\[?(?:back to top|top)\]?)$",
    re.IGNORECASE,
)
_GUTENBERG_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG", re.I)
_GUTENBERG_END = re.compile(r"^\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG", re.I)
_BINARY_BYTES = [b for b in range(32) if b not in (9, 10, 12, 13)] + [127]
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass
class SourceText:
    text: str
    encoding: str = "utf-8"
    problems: list[Problem] = field(default_factory=list)


def read_source(path: str | Path) -> SourceText:
    """Read and decode a text file; a file that cannot be text is an InputError."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; pass a .txt or .md file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}); check its permissions") from exc
    return decode(data, str(path))


def decode(data: bytes, name: str = "<text>") -> SourceText:
    if not data.strip():
        raise InputError(f"{name}: the file is empty; give narrate a text with some words")
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{name}: this is {kind}, not text; pass a .txt or .md file")
    text, encoding, problems = _decode_bytes(data, name)
    text, cleaned = clean_text(text)
    problems += cleaned
    if not re.search(r"\w", text):
        raise InputError(f"{name}: the file has no words to narrate; check it is the right file")
    return SourceText(text, encoding, problems)


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


def clean_text(text: str) -> tuple[str, list[Problem]]:
    """Normalise line endings and strange characters; drop e-text junk (reported)."""
    problems: list[Problem] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = unicodedata.normalize("NFC", _SURROGATE.sub("\ufffd", text))
    if _CONTROL.search(text):
        line = text[:_CONTROL.search(text).start()].count("\n") + 1
        problems.append(Problem("control-characters", "control characters removed", line=line))
        text = _CONTROL.sub(lambda m: " " if m.group() == "\t" else "", text)
    lines = text.split("\n")
    lines, dropped = _drop_junk(lines)
    problems += dropped
    return "\n".join(lines), problems


def _drop_junk(lines: list[str]) -> tuple[list[str], list[Problem]]:
    problems = []
    # Blank the dropped lines rather than deleting them, so line numbers stay true.
    start = next((i for i, l in enumerate(lines) if _GUTENBERG_START.match(l.strip())), None)
    if start is not None:
        problems.append(Problem("junk", "Project Gutenberg header dropped", INFO, line=1,
                                words=first_words(lines[start])))
        lines = [""] * (start + 1) + lines[start + 1:]
    end = next((i for i, l in enumerate(lines) if _GUTENBERG_END.match(l.strip())), None)
    if end is not None:
        problems.append(Problem("junk", "Project Gutenberg licence and footer dropped", INFO,
                                line=end + 1, words=first_words(lines[end])))
        lines = lines[:end] + [""] * (len(lines) - end)
    for i in range(len(lines) - 1, -1, -1):
        stripped = lines[i].strip()
        if not stripped:
            continue
        if not _TRAILING_JUNK.match(stripped):
            break
        problems.append(Problem("junk", "web page junk at the end dropped", INFO,
                                line=i + 1, words=stripped))
        lines[i] = ""
    return lines, problems
