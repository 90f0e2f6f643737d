"""A book's own cover image (from an EPUB) as a PNG or JPEG file the tags can carry.

Covers are kept under the narrate cache, named by their content. An SVG cover is
drawn with `rsvg-convert` (librsvg); without it, the raster picture an SVG cover
embeds is used, and otherwise the book has no cover (a warning says how to add one).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from narrate.fileio import atomic_write_bytes, default_cache_dir
from narrate.problems import WARNING, Problem

_RASTERS = {b"\xff\xd8\xff": ".jpg", b"\x89PNG": ".png"}


def save_cover(name: str, data: bytes, root: Path | None = None) -> tuple[Path | None, list[Problem]]:
    folder = (root or default_cache_dir()) / "covers"
    key = hashlib.sha256(data).hexdigest()[:24]  # of the book's own image: drawn once
    done = next((p for p in (folder / f"{key}.png", folder / f"{key}.jpg") if p.is_file()), None)
    if done:
        return done, []
    suffix = next((s for magic, s in _RASTERS.items() if data.startswith(magic)), None)
    problems: list[Problem] = []
    if suffix is None and name.lower().endswith(".svg"):
        data, suffix, problems = _from_svg(name, data)
        if not data:
            return None, problems
    elif suffix is None:
        return None, [Problem("cover", f"the book's cover {name} is not a PNG, JPEG or SVG "
                              "image; set `cover:` in the metadata to use one", WARNING)]
    return atomic_write_bytes(folder / f"{key}{suffix}", data), problems


MAX_COVER_BYTES = 1024 * 1024  # every chapter file carries the cover: keep it small


def _compact(png: Path) -> tuple[bytes, str, list[Problem]]:
    """A drawn cover as a JPEG when the PNG is large (a painting drawn at 1400 px is
    several MB; each chapter file carries a copy)."""
    data = png.read_bytes()
    if len(data) <= MAX_COVER_BYTES or not shutil.which("ffmpeg"):
        return data, ".png", []
    jpeg = png.with_suffix(".jpg")
    done = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                           "-i", str(png), "-q:v", "3", str(jpeg)], capture_output=True,
                          timeout=120, check=False)
    if done.returncode == 0 and jpeg.is_file():
        return jpeg.read_bytes(), ".jpg", []
    return data, ".png", []


def _from_svg(name: str, svg: bytes) -> tuple[bytes, str, list[Problem]]:
    tool = shutil.which("rsvg-convert")
    if tool:
        with tempfile.TemporaryDirectory() as tmp:
            source, out = Path(tmp) / "cover.svg", Path(tmp) / "cover.png"
            source.write_bytes(svg)
            done = subprocess.run([tool, "--width", "1400", "--keep-aspect-ratio", "-o", str(out),
                                   str(source)], capture_output=True, timeout=120, check=False)
            if done.returncode == 0 and out.is_file():
                return _compact(out)
    embedded = re.search(rb"data:image/(jpeg|png);base64,([A-Za-z0-9+/=\s]+)", svg)
    try:
        data = base64.b64decode(re.sub(rb"\s", b"", embedded.group(2))) if embedded else b""
    except binascii.Error:
        return b"", "", [Problem("cover", f"the cover {name} is SVG and its embedded picture is "
                                  "damaged (bad base64); set `cover:` in the metadata", WARNING)]
    if embedded:
        return data, ".jpg" if embedded.group(1) == b"jpeg" else ".png", [Problem(
            "cover", f"the cover {name} is SVG; its embedded picture is used (install "
            "librsvg2-bin for rsvg-convert to draw the whole cover)", WARNING)]
    return b"", "", [Problem("cover", f"the cover {name} is SVG and rsvg-convert is not "
                              "installed; install librsvg2-bin, or set `cover:` in the metadata",
                              WARNING)]
