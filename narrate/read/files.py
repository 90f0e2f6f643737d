"""Opening a source file: one place for missing files, folders and size limits."""

from __future__ import annotations

from pathlib import Path

from narrate.errors import InputError

# Larger sources are refused before they are read: a 300,000-word book is about 2 MB of
# text and 10 MB of HTML, so these leave room and keep memory bounded.
MAX_SOURCE_BYTES = 64 * 1024 * 1024
# A parsed HTML tree takes about ten times its file's size: a larger page is refused.
MAX_HTML_BYTES = 20 * 1024 * 1024


def read_bytes(path: str | Path, limit: int = MAX_SOURCE_BYTES) -> bytes:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; pass a book file (.txt, .md, .html, .epub)")
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"{path}: {size / 2**20:.0f} MB is more than narrate reads "
                             f"({limit // 2**20} MB); split the book into smaller files")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}); check its permissions") from exc
