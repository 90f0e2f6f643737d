"""narrate studio: the edit loop in a browser. Hear a sentence, fix what it says or who
says it, keep it (only its chapter is rebuilt), undo. `start` builds the book when it
needs building and serves it on 127.0.0.1 (narrate.studio.server) over a Session
(narrate.studio.session)."""

from __future__ import annotations

from pathlib import Path

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

    folder = Path(target)
    if not folder.is_dir():
        folder = build(target, BuildOptions(out=out, voices=voices, cache=cache,
                                            progress=progress)).folder
    session = Session(folder, voices=voices, cache=cache)
    try:
        return Studio(session, port)
    except BaseException:
        session.close()  # the book is let go at once
        raise
