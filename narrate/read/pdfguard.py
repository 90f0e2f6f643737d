"""Reading a PDF without trusting it.

PDFium is C: a hostile PDF may make it inflate a stream to gigabytes, recurse through
forms, or crash. So narrate (1) inflates the file's compressed streams itself first,
counting and discarding, and refuses one that inflates past a sane size (a decompression
bomb), and (2) runs PDFium in a spawned child process whose memory is capped, with a
time limit: a PDF that floods or crashes PDFium is one line, never a dead narrate or a
machine out of memory.
"""

from __future__ import annotations

import re
import resource
import traceback
import zlib
from collections.abc import Callable

from narrate.errors import InputError

MAX_STREAM_BYTES = 128 * 2**20  # one content stream, inflated (a real page's is kilobytes)
MAX_INFLATED_BYTES = 512 * 2**20  # all of the file's streams but its pictures
CHILD_MEMORY = 2**30  # heap the reading child may take beyond what it starts with
TIME_LIMIT = 300  # seconds: a 5,000-page book is read in well under a minute
_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
_CHUNK = 4 * 2**20


def check_streams(data: bytes, name: str) -> None:
    """Refuse a compressed stream (other than a picture's, which reading text never
    inflates) that inflates past MAX_STREAM_BYTES, or streams past MAX_INFLATED_BYTES."""
    total = 0
    for match in _STREAM.finditer(data):
        start = match.end()
        header = data[max(0, match.start() - 2048):match.start()]
        if b"/Image" in header[header.rfind(b"obj"):] or data[start:start + 1] not in (
                b"\x78", b"\x08", b"\x18", b"\x28", b"\x38", b"\x48", b"\x58", b"\x68"):
            continue  # a picture, or not zlib: PDFium's own limits apply
        inflated = _inflated_size(data, start, MAX_STREAM_BYTES)
        if inflated > MAX_STREAM_BYTES:
            raise InputError(f"{name}: a compressed stream at byte {start} inflates past "
                             f"{MAX_STREAM_BYTES // 2**20} MB (a decompression bomb); refused")
        total += inflated
        if total > MAX_INFLATED_BYTES:
            raise InputError(f"{name}: its streams inflate past {MAX_INFLATED_BYTES // 2**20} "
                             "MB in all (a decompression bomb); refused")


def _inflated_size(data: bytes, start: int, cap: int) -> int:
    """How many bytes a zlib stream starting at `start` inflates to, stopping past `cap`."""
    inflater = zlib.decompressobj()
    size = 0
    try:
        size += len(inflater.decompress(data[start:start + _CHUNK], _CHUNK))
        offset = start + _CHUNK
        while size <= cap and not inflater.eof:
            pending = inflater.unconsumed_tail or data[offset:offset + _CHUNK]
            if not inflater.unconsumed_tail:
                offset += _CHUNK
            if not pending:
                break
            size += len(inflater.decompress(pending, _CHUNK))
    except zlib.error:
        pass  # damaged: PDFium decides what to make of it
    return size


def read_apart(reader: Callable[[str], object], path: str, context) -> object:
    """`reader(path)` in a child process of `context` with its memory capped and a time
    limit; its InputError is raised here as it was there."""
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(reader, path, sending), daemon=True)
    child.start()
    sending.close()
    try:
        if not receiving.poll(TIME_LIMIT):
            raise InputError(f"{path}: PDFium took more than {TIME_LIMIT} s to read it; refused "
                             "as hostile or damaged — export the PDF again")
        kind, value = receiving.recv()
    except EOFError:
        child.join()
        raise InputError(f"{path}: PDFium stopped while reading it (it needed more than "
                         f"{CHILD_MEMORY // 2**20} MB or met damage it could not read past); "
                         "refused — export the PDF again") from None
    finally:
        receiving.close()
        if child.is_alive():
            child.kill()
        child.join()
    if kind == "refused":
        raise InputError(value)
    if kind == "failed":
        raise RuntimeError(f"the PDF reader failed on {path}:\n{value}")
    return value


def _child(reader: Callable[[str], object], path: str, sending) -> None:
    used = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    limit = used + CHILD_MEMORY
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if soft == resource.RLIM_INFINITY or soft > limit:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    try:
        sending.send(("read", reader(path)))
    except InputError as exc:
        sending.send(("refused", str(exc)))
    except MemoryError:
        sending.send(("refused", (f"{path}: needed more than {CHILD_MEMORY // 2**20} MB to "
                      "read; refused as hostile or damaged")))
    except Exception:  # a bug: its traceback goes to the parent  # noqa: BLE001
        sending.send(("failed", traceback.format_exc()))
    finally:
        sending.close()
