"""Who may ask the studio anything, and how much: an ASGI middleware in front of every
route. A request must name the studio's own address in its Host header (a page of
another site that got 127.0.0.1 by DNS rebinding names its own), carry the token, come
from no page of another origin, and send its body whole, at most LONGEST_BODY bytes,
within BODY_SECONDS. The browser the studio opens is given a one-time code instead of
the token (a command line is readable by any local user): it opens the page once."""

from __future__ import annotations

import secrets
import time

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

TOKEN_HEADER = "x-narrate-token"
LONGEST_BODY = 2**20  # bytes: a segment's 20,000 characters, twice, each escaped in JSON
BODY_SECONDS = 30.0  # for the body of a request to arrive, once its headers have
CODE_SECONDS = 120.0  # for a browser to open the address it was given


class Codes:
    """One-time codes for the address a browser is started with: each opens the page once,
    within CODE_SECONDS."""

    def __init__(self) -> None:
        self._deadlines: dict[str, float] = {}

    def new(self) -> str:
        code = secrets.token_urlsafe(24)
        self._deadlines[code] = time.monotonic() + CODE_SECONDS
        return code

    def redeem(self, code: str) -> bool:
        deadline = self._deadlines.pop(code, None)
        return deadline is not None and time.monotonic() < deadline


class Guard:
    """ASGI middleware: the studio's Host, the token on every request, no foreign Origin,
    a bounded body."""

    def __init__(self, app, token: str, hosts: set[str], origins: set[str], codes: Codes):
        self.app, self.token, self.hosts, self.origins = app, token, hosts, origins
        self.codes = codes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        refused = self.refused(Request(scope))
        if refused is not None:
            return await refused(scope, receive, send)
        body, refused = await _whole_body(scope, receive)
        if refused is not None:
            return await refused(scope, receive, send)
        delivered = False

        async def replay():  # the body read, then the connection's own messages (a disconnect)
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def refused(self, request: Request) -> Response | None:
        """The answer to a request that may not be served, or None."""
        if request.headers.get("host") not in self.hosts:
            return Response("not the studio's address", 403)
        given = request.headers.get(TOKEN_HEADER) or request.query_params.get("token", "")
        if not secrets.compare_digest(given.encode("utf-8", "surrogateescape"),
                                      self.token.encode("ascii")) and not (
                request.url.path == "/" and self.codes.redeem(request.query_params.get("code", ""))):
            return Response("a studio request needs its token (a browser's address opens the "
                            "page once: open the address narrate studio printed)", 403)
        origin = request.headers.get("origin")
        if origin is not None and origin not in self.origins:
            return Response("another site may not use the studio", 403)
        return None


async def _whole_body(scope, receive) -> tuple[bytes, Response | None]:
    """The request's body, or the answer when it is too long or too slow to come."""
    declared = dict(scope["headers"]).get(b"content-length", b"0")
    if not declared.isdigit() or int(declared) > LONGEST_BODY:
        return b"", _too_long()
    chunks: list[bytes] = []
    size = 0
    with anyio.move_on_after(BODY_SECONDS):
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"", Response(status_code=400)  # the client went
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > LONGEST_BODY:
                return b"", _too_long()
            if not message.get("more_body"):
                return b"".join(chunks), None
    return b"", JSONResponse({"error": "the request's body did not come"}, 408)


def _too_long() -> Response:
    return JSONResponse({"error": f"a studio request is at most {LONGEST_BODY // 2**20} MB"},
                        413)
