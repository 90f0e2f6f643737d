"""The studio's connections, bounded: one that sends no request (or half of one) is closed
after IDLE_SECONDS, and at most MOST_CONNECTIONS are held open (fewer when the process
may open few files), the longest idle closed first when more come. Idle sockets never time out in uvicorn itself: a thousand of them
made the studio unreachable (and every refused accept printed a traceback)."""

from __future__ import annotations

import resource

from uvicorn.protocols.http.h11_impl import H11Protocol

IDLE_SECONDS = 15.0  # for a connection's next request to arrive whole (its headers)
MOST_CONNECTIONS = 100  # a browser opens six
ACCEPTED_AT_ONCE = 64  # connections taken from the queue at a time, before any is looked at


def most_connections() -> int:
    """MOST_CONNECTIONS, or a fifth of the files the process may open when that is fewer:
    a connection taken when none is left fails (and the loop printed a traceback)."""
    files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return MOST_CONNECTIONS if files == resource.RLIM_INFINITY else \
        max(4, min(MOST_CONNECTIONS, files // 5))


class BoundedH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for every request's headers, and a
    bound on the connections held open."""

    _deadline = None
    _since = 0.0

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._since = self.loop.time()
        self._arm()
        open_ = [c for c in self.connections if not c.transport.is_closing()]
        if len(open_) > most_connections():
            idle = [c for c in open_ if c is not self and _idle(c)]
            oldest = min(idle, key=lambda c: getattr(c, "_since", 0.0), default=self)
            oldest.transport.close()  # this one, when every other is at work

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not _idle(self) and self._deadline is not None:
            self._deadline.cancel()  # its headers came: the request is the app's now

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    def connection_lost(self, exc) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(IDLE_SECONDS, self._expire)

    def _expire(self) -> None:
        if _idle(self) and not self.transport.is_closing():
            self.transport.close()


def _idle(connection) -> bool:
    """Whether a connection has no request in hand (none yet, half of one, or done)."""
    cycle = getattr(connection, "cycle", None)
    return cycle is None or cycle.response_complete
