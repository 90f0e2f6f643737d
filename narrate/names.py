"""Names a file system takes on every OS: one table of the names Windows reserves, one
normalisation, for a book's folder (`slug`) and for the files inside it (`safe_filename`)."""

from __future__ import annotations

import re
import unicodedata

RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
            *(f"LPT{i}" for i in range(10))}  # Windows' device names, whatever the suffix


def is_reserved(name: str) -> bool:
    return name.split(".")[0].upper() in RESERVED


def safe_filename(name: str, limit: int = 80) -> str:
    """A file name that is valid on every OS and stays inside its folder."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[\\/:*?"<>|]+', " ", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    name = name[:limit].rstrip(" .")
    if not name or set(name) <= {"."}:
        name = "untitled"
    return "_" + name if is_reserved(name) else name


def slug(text: str) -> str:
    """A folder name safe on every OS that keeps the name's letters (書 and 日本 differ)."""
    name = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", text).lower()).strip("-")[:60]
    name = name.strip("-") or "book"
    return f"{name}-book" if is_reserved(name) else name
