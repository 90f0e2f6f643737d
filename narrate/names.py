"""Names a file system takes on every OS: one table of the names Windows reserves, one
normalisation, for a book's folder (`slug`) and for the files inside it (`safe_filename`).

File systems count a name's UTF-8 bytes (255), not its characters: 80 CJK characters are
240 bytes, 80 emoji 320. A name is cut between characters to leave room for what narrate
adds to it, and a cut name ends in a digest of the whole, so that two long titles that
begin alike keep distinct names."""

from __future__ import annotations

import hashlib
import re
import unicodedata

RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
            *(f"LPT{i}" for i in range(10))}  # Windows' device names, whatever the suffix
NAME_BYTES = 255  # the longest file name ext4, APFS, NTFS (in UTF-16: fewer) and exFAT take
# what narrate adds to a title's name: a chapter's number ("000001 - ", 9 bytes), a suffix
# (".m3u8", ".epub": 5) and an atomic write's temporary name (fileio.atomic_path:
# ".NAME.abcd1234.tmp", 14): 28 bytes, rounded up
TITLE_BYTES = NAME_BYTES - 40
CUT_MARK = "~"  # between a cut name and its digest


def is_reserved(name: str) -> bool:
    return name.split(".")[0].upper() in RESERVED


def fit(name: str, chars: int, size: int = TITLE_BYTES, strip: str = " .") -> str:
    """`name` when it has at most `chars` characters and `size` UTF-8 bytes; else its start,
    cut between characters (without `strip` at the end), and a digest of the whole."""
    data = name.encode("utf-8", "surrogatepass")
    if len(name) <= chars and len(data) <= size:
        return name
    tag = CUT_MARK + hashlib.sha256(data).hexdigest()[:6]
    head = name[:chars - len(tag)].encode("utf-8", "surrogatepass")[:size - len(tag)]
    # an incomplete last character is dropped; a mark left without its letter goes too
    kept = head.decode("utf-8", "ignore").rstrip(strip)
    while kept and unicodedata.category(kept[-1]).startswith("M"):
        kept = kept[:-1].rstrip(strip)
    return kept + tag


def safe_filename(name: str, limit: int = 80) -> str:
    """A file name that is valid on every OS and stays inside its folder: at most `limit`
    characters and TITLE_BYTES bytes, room left for a number, a suffix and a temporary
    name."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[\\/:*?"<>|]+', " ", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    name = fit(name, limit)
    if not name or set(name) <= {"."}:
        name = "untitled"
    return "_" + name if is_reserved(name) else name


def slug(text: str) -> str:
    """A folder name safe on every OS that keeps the name's letters (書 and 日本 differ)."""
    return _folder(fit(_dashed(text), 60, NAME_BYTES, strip="-"))


def legacy_slug(text: str) -> str:
    """The folder narrate 0.2.0 named: a long name cut at 60 characters, without a digest
    (so two long names that begin alike shared it)."""
    return _folder(_dashed(text)[:60].strip("-"))


def _dashed(text: str) -> str:
    return re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", text).lower()).strip("-")


def _folder(name: str) -> str:
    name = name or "book"
    return f"{name}-book" if is_reserved(name) else name
