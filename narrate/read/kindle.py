"""Kindle books (.mobi, .azw3, .azw) through Calibre's `ebook-convert`, when it is
installed: it writes an EPUB, which the EPUB reader reads. Without Calibre the book is
refused in one line that says what to install. A book with DRM is refused as Calibre
refuses it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from narrate.errors import InputError
from narrate.read.document import Document
from narrate.read.epub import read_epub

TIME_LIMIT = 600  # seconds for Calibre to convert one book


def read_kindle(path: str) -> Document:
    program = shutil.which("ebook-convert")
    kind = Path(path).suffix.lower().lstrip(".").upper()
    if program is None:
        raise InputError(f"{path}: a Kindle book ({kind}); narrate reads it through Calibre's "
                         "ebook-convert, which is not installed — install Calibre, or convert "
                         "the book to EPUB")
    with tempfile.TemporaryDirectory(prefix="narrate-kindle-") as folder:
        epub = Path(folder) / "book.epub"
        try:
            done = subprocess.run([program, path, str(epub)], capture_output=True, text=True,
                                  errors="replace", timeout=TIME_LIMIT, check=False)
        except subprocess.TimeoutExpired:
            raise InputError(f"{path}: Calibre's ebook-convert took more than {TIME_LIMIT} s; "
                             "convert the book to EPUB yourself") from None
        if done.returncode != 0 or not epub.is_file():
            said = [line for line in done.stderr.splitlines() if line.strip()]
            reason = "it has DRM" if "DRM" in done.stderr else (said[-1][:160] if said else
                                                                 f"exit {done.returncode}")
            raise InputError(f"{path}: Calibre's ebook-convert could not convert it ({reason}); "
                             "narrate reads only books without DRM")
        document = read_epub(str(epub))
    document.source = path
    return document
