"""The studio's web server: Starlette on uvicorn, bound to 127.0.0.1, over a Session.

It edits files, so it trusts nobody: every request names the studio's own address,
carries the random token made at start and comes from no page of another origin
(guard.py: else 403), with a bounded body; connections are bounded too (limits.py). Only
files inside the book's folder are served, sandboxed; the page builds its text with
textContent, so markup in a book never runs. The session's work is done one request at
a time, the waiting ones holding no thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import socket
import threading
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from narrate.errors import NarrateError
from narrate.studio.guard import Codes, Guard
from narrate.studio.limits import ACCEPTED_AT_ONCE, BoundedH11
from narrate.studio.session import Session, Stale

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self from Python 3.11

PAGE_FILES = {"studio.js": "text/javascript", "studio.css": "text/css",
              "follow.js": "text/javascript", "studio.svg": "image/svg+xml"}  # the page's icon
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'self'; object-src 'none'; "
                                           "base-uri 'none'; frame-ancestors 'none'",
                "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}
# a book's own files (its read-along page, any .html or .svg in its folder) are shown,
# never run: no script of theirs runs on the studio's origin, where the token is
BOOK_HEADERS = {"Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; "
                                           "media-src 'self'; style-src 'self' 'unsafe-inline'",
                "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}
MOST_WAITING = 8  # requests for the session queued behind the one at work; more get 503


class Turns:
    """The session's work one request at a time, waiting in the event loop (a request that
    waits holds no thread: the page's own requests are still served), at most
    MOST_WAITING in line; a Hear whose page has gone is dropped when its turn comes."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._waiting = 0

    async def run(self, request: Request, work, droppable: bool = False) -> Response:
        if self._waiting >= MOST_WAITING:
            return JSONResponse({"error": "the studio is busy; try again in a moment"}, 503)
        self._waiting += 1
        try:
            async with self._lock:
                if droppable and await request.is_disconnected():
                    return Response(status_code=400)  # no one to hear it
                return await _answer(work)
        finally:
            self._waiting -= 1


def make_app(session: Session, token: str, hosts: set[str], origins: set[str],
             codes: Codes) -> Starlette:
    turns = Turns()

    def page(request: Request) -> Response:
        html = resources.files("narrate.studio").joinpath("studio.html").read_text("utf-8")
        # the token is [A-Za-z0-9_-]; the page runs only the studio's own scripts
        return HTMLResponse(html.replace("{{TOKEN}}", token), headers=PAGE_HEADERS)

    def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in PAGE_FILES:
            return Response(status_code=404)
        home = "narrate.stitch" if name == "follow.js" else "narrate.studio"  # shared
        text = resources.files(home).joinpath(name).read_text("utf-8")
        return Response(text, media_type=PAGE_FILES[name])

    def book_file(request: Request) -> Response:
        path = _inside(session.folder, request.path_params["path"])
        if path is None:
            return Response("no such file in this book", 404)
        return FileResponse(path, headers=BOOK_HEADERS)

    def view(request: Request) -> Response:
        return JSONResponse(session.view())

    def current(request: Request) -> Response:
        take = session.current_take(request.query_params.get("id", ""))
        return JSONResponse(vars(take) if take else None)

    async def hear(request: Request) -> Response:
        asked = _edit(await _fields(request))
        asked.pop("version", None)  # hearing changes nothing
        return await turns.run(request, lambda: vars(session.hear(**asked)), droppable=True)

    async def keep(request: Request) -> Response:
        asked = _edit(await _fields(request))
        return await turns.run(request, lambda: _built(session.keep(**asked), session))

    async def undo(request: Request) -> Response:
        version = (await _fields(request)).get("version")
        return await turns.run(request, lambda: _built(session.undo(version), session))

    async def places(request: Request) -> Response:
        word, respelling = _word(await _fields(request))
        return await turns.run(request, lambda: session.places(word, respelling))

    async def hear_word(request: Request) -> Response:
        word, respelling = _word(await _fields(request))
        return await turns.run(request, lambda: session.hear_word(word, respelling))

    async def pronounce(request: Request) -> Response:
        asked = await _fields(request)
        word, respelling = _word(asked)
        return await turns.run(request, lambda: _built(
            session.pronounce(word, respelling, asked.get("version")), session))

    async def check(request: Request) -> Response:
        asked = await _fields(request)
        return await turns.run(request, lambda: session.findings(asr=bool(asked.get("asr"))))

    async def retake(request: Request) -> Response:
        asked = await _fields(request)
        return await turns.run(request, lambda: _built(
            session.retake(asked["ident"], asked.get("version")), session))

    async def cast(request: Request) -> Response:
        return await turns.run(request, session.cast)

    async def hear_voice(request: Request) -> Response:
        asked = _voice(await _fields(request))
        asked.pop("version", None)  # hearing changes nothing
        return await turns.run(request, lambda: session.hear_voice(**asked), droppable=True)

    async def keep_voice(request: Request) -> Response:
        asked = _voice(await _fields(request))
        return await turns.run(request, lambda: _built(session.keep_voice(**asked), session))

    routes = [Route("/", page), Route("/api/cast", cast), Route("/page/{name}", asset),
              Route("/book/{path:path}", book_file), Route("/api/book", view),
              Route("/api/take", current), Route("/api/hear", hear, methods=["POST"]),
              *(Route(f"/api/{name}", work, methods=["POST"]) for name, work in (
                  ("keep", keep), ("undo", undo), ("places", places), ("hear-word", hear_word),
                  ("pronounce", pronounce), ("check", check), ("retake", retake),
                  ("hear-voice", hear_voice), ("keep-voice", keep_voice)))]
    return Starlette(routes=routes, middleware=[
        Middleware(Guard, token=token, hosts=hosts, origins=origins, codes=codes)])


def _inside(folder: Path, relative: str) -> Path | None:
    """The file `relative` in `folder`, or None when it leaves it (.., an absolute path, a
    link) or is no file (none, a NUL in it, a name too long)."""
    try:
        path = (folder / relative).resolve()
        return path if path.is_relative_to(folder) and path.is_file() else None
    except (OSError, ValueError):
        return None


async def _fields(request: Request) -> dict:
    body = await request.body()  # whole, and at most guard.LONGEST_BODY bytes
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        data = {}
    fields = {"ident": str(data.get("id", "")), "word": str(data.get("word", "")),
              "respelling": str(data.get("respelling", "")), "asr": data.get("asr") is True}
    for name in ("say", "role", "text", "speaker", "version", "name", "voice", "semitones",
                 "pace"):  # a page's book's version: see Session.view
        if isinstance(data.get(name), str):
            fields[name] = data[name]
    return fields


def _word(fields: dict) -> tuple[str, str]:
    return fields["word"], fields["respelling"]


def _voice(fields: dict) -> dict:
    """The fields of a character's voice, as the Cast panel asks it."""
    return {k: fields.get(k, "") for k in ("name", "voice", "semitones", "pace")} | {
        "version": fields.get("version")}


def _edit(fields: dict) -> dict:
    """The fields of a segment's edit."""
    return {k: v for k, v in fields.items() if k in ("ident", "say", "role", "text", "speaker",
                                                 "version")}


async def _answer(work) -> Response:
    """Run `work` off the event loop; a NarrateError is a 400 with its one line."""
    from starlette.concurrency import run_in_threadpool

    try:
        return JSONResponse(await run_in_threadpool(work))
    except NarrateError as error:  # a change on a page older than the book: a conflict
        return JSONResponse({"error": str(error)}, 409 if isinstance(error, Stale) else 400)


def _built(result, session: Session) -> dict:
    return {"exported": result.export.exported if result.export else [],
            "book": session.view(), "notes": session.notes}


class Studio:
    """A running studio: `url` to open; `stop()` ends it and lets the book go."""

    def __init__(self, session: Session, port: int = 0):
        import uvicorn

        self.session, self.token = session, secrets.token_urlsafe(24)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind(("127.0.0.1", port))  # this machine only
        except OSError as error:
            self._socket.close()
            raise NarrateError(f"127.0.0.1:{port}: {error.strerror or error}",
                               hint="choose another --port, or leave it out for a free one",
                               ) from None
        self._socket.listen(ACCEPTED_AT_ONCE)  # requests wait here until taken: no race
        self.port = self._socket.getsockname()[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        self._codes = Codes()
        app = make_app(session, self.token, hosts, {f"http://{host}" for host in hosts},
                       self._codes)
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off",
                                                     http=BoundedH11, backlog=ACCEPTED_AT_ONCE))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"{self.origin}/?token={self.token}"

    def browser_url(self) -> str:
        """An address that opens the page once (a browser's command line is readable by
        any local user: the token stays off it)."""
        return f"{self.origin}/?code={self._codes.new()}"

    def _warm(self) -> None:
        """The engines load while the page does (a failure is said when a take is asked)."""
        def warm() -> None:
            with contextlib.suppress(Exception):
                self.session.warm()
        threading.Thread(target=warm, daemon=True).start()

    def start(self) -> Self:
        self._warm()
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._socket]}, daemon=True)
        self._thread.start()
        return self

    def serve(self, open_browser: bool = False) -> None:
        """Serve in this thread until Ctrl-C; with `open_browser`, in the user's browser
        when there is one (the address is printed either way)."""
        self._warm()
        if open_browser:  # not waited for: a console browser returns when it is closed
            threading.Thread(target=_open_browser, args=(self.browser_url(),),
                             daemon=True).start()
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self._socket.close()
            self.session.close()

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join()
        self._socket.close()
        self.session.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _open_browser(url: str) -> None:
    import webbrowser

    with contextlib.suppress(Exception):  # no browser: the address was printed
        webbrowser.open(url)
