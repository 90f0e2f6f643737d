"""narrate studio: the edit loop in a browser. Hear a sentence, fix what it says or who
says it, keep it (only its chapter is rebuilt), undo. `start` builds the book when it
needs building and serves it on 127.0.0.1 (narrate.studio.server) over a Session
(narrate.studio.session)."""

from __future__ import annotations

from pathlib import Path

from narrate.errors import NarrateError
from narrate.manifest import MANIFEST
from narrate.studio.server import Studio
from narrate.studio.session import Session
from narrate.studio.takes import Take
from narrate.values import BuildOptions

__all__ = ["Session", "Studio", "Take", "start"]


def start(target: str | Path, *, voices=None, cache=None, out: str | Path = "output",
          port: int = 0, progress: bool | None = False) -> Studio:
    """A studio for a book folder, or for a source or script (built first: a book built
    already costs a no-change rebuild). Not yet serving: `.start()` in a thread, or
    `.serve()` in this one."""
    from narrate.pipeline import build

    folder = _book_folder(Path(target))
    if folder is None:
        folder = build(target, BuildOptions(out=out, voices=voices, cache=cache,
                                            progress=progress)).folder
    session = Session(folder, voices=voices, cache=cache)
    try:
        return Studio(session, port)
    except BaseException:
        session.close()  # the book is let go at once
        raise


def _book_folder(target: Path) -> Path | None:
    """The built book `target` names (its folder, or the script.yaml in it), else None."""
    try:
        if "\x00" in str(target):  # pathlib's tests take it for a file that is not there
            raise ValueError("a NUL in it")
        if target.is_dir():
            return target
        if target.name == "script.yaml" and (target.parent / MANIFEST).is_file():
            return target.parent  # that book, wherever the studio is started from
    except (OSError, ValueError) as error:  # a NUL, a name too long
        raise NarrateError(f"{str(target)[:80]!r}: not a path narrate can open "
                           f"({getattr(error, 'strerror', None) or error})",
                           hint="give the book's folder, its script.yaml or its source") from None
    return None
