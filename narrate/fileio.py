"""Atomic writes and YAML loading with line numbers: shared by every stage."""

from __future__ import annotations

import contextlib
import difflib
import functools
import hashlib
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

import platformdirs
import yaml

from narrate.errors import NarrateError


def cache_location() -> str:
    """$NARRATE_CACHE as given (a folder, or a URL: a shared cache), or "" — the one place
    that reads it."""
    return os.environ.get("NARRATE_CACHE") or ""


def default_cache_dir() -> Path:
    """narrate's cache folder: $NARRATE_CACHE, else (or when that is a URL: a shared
    cache, render/cache.py) the platform's user cache."""
    named = cache_location()
    return Path(named if named and not is_url(named) else platformdirs.user_cache_dir("narrate"))


@functools.cache
def code_digest(*files: str | Path) -> str:
    """A digest of narrate's own code in these files (their bytes, so a checkout that only
    touches their times keeps what was cached): what was computed by older code is done
    again. The one way narrate hashes its code."""
    digest = hashlib.blake2b(digest_size=12)
    for path in sorted(map(Path, files)):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


def is_url(location: str) -> bool:
    """An fsspec URL (file://…, s3://…), not a path."""
    return bool(_URL.match(location))


_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


# ---- reading a file a person named ------------------------------------------------------------

MAX_YAML_BYTES = 128 * 1024 * 1024  # twice the largest source: the script of any book read
MAX_METADATA_BYTES = 2**20  # a metadata YAML, a front matter, a voice profile: a person's lines


def open_checked(path: str | Path, what: str = "file", folder_hint: str = "") -> BinaryIO:
    """A file a person named, opened to read: only a regular file (a pipe waits for a
    writer and /dev/zero never ends; either hung narrate or filled its memory). Anything
    else is one NarrateError naming the file: missing, a folder, not a regular file."""
    path = Path(path)
    try:
        info = os.stat(path)
        _check_regular(path, info, what, folder_hint)
        handle = os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb")
    except FileNotFoundError:
        raise NarrateError(f"no such {what}", str(path), "check the path") from None
    except OSError as exc:
        raise NarrateError(f"cannot read this {what} ({exc.strerror})", str(path),
                           "check its permissions") from None
    try:  # swapped for a pipe since the stat? the open did not wait: refused all the same
        _check_regular(path, os.fstat(handle.fileno()), what, folder_hint)
    except NarrateError:
        handle.close()
        raise
    return handle


def _check_regular(path: Path, info: os.stat_result, what: str, folder_hint: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise NarrateError("is a folder", str(path), folder_hint or f"name the {what} itself")
    if not stat.S_ISREG(info.st_mode):
        raise NarrateError("is not a regular file (a pipe, a device or a socket)", str(path),
                           "copy what it holds into a file and name that")


def read_checked(path: str | Path, what: str = "file", limit: int = MAX_YAML_BYTES,
                 too_big: str = "check it is the right file", folder_hint: str = "") -> bytes:
    """A regular file's bytes (open_checked), at most `limit` of them: limit + 1 are read,
    never the whole of what may be endless, and more is one line naming the file."""
    path = Path(path)
    with open_checked(path, what, folder_hint) as handle:
        try:
            size = max(os.fstat(handle.fileno()).st_size, 0)
            data = handle.read(limit + 1) if size <= limit else b""
        except OSError as exc:
            raise NarrateError(f"cannot read this {what} ({exc.strerror})", str(path),
                               "check the file") from None
    if size > limit or len(data) > limit:
        shown = f"{size / 2**20:.0f} MB is" if size > limit else "it is"
        raise NarrateError(f"{shown} more than narrate reads as a {what} "
                           f"({limit // 2**20} MB)", str(path), too_big)
    return data


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write to a temporary file in the same folder, then rename over the target."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return Path(path)


@contextlib.contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path beside `path`; on success it replaces `path`, else it goes.

    The temporary name keeps the suffix (tools such as ffmpeg and mutagen go by it)
    and starts with a dot, so a crash never leaves a half file under a final name.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}",
                                   dir=path.parent)
    except OSError as exc:
        raise NarrateError(f"{path.parent}: cannot write here ({exc.strerror}); "
                           "check the folder's permissions and free space") from None
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.filename and Path(exc.filename) not in (Path(tmp), path):
            raise  # another file's (one read to write this): said with its own name
        raise NarrateError(f"{path}: cannot write ({exc.strerror}); check the folder's "
                           "permissions and free space; earlier outputs are untouched") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_text_if_changed(path: str | Path, text: str) -> bool:
    """atomic_write_text unless the file already holds `text` (its time then says when
    it last changed, and an unchanged rebuild writes nothing)."""
    return write_bytes_if_changed(path, text.encode("utf-8"))


def write_bytes_if_changed(path: str | Path, data: bytes) -> bool:
    try:
        if Path(path).read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write_bytes(path, data)
    return True


class LineDict(dict):
    """A mapping loaded from YAML that remembers the line it started on, and each key's."""

    line: int = 0
    key_lines: dict = {}  # noqa: RUF012 -- each instance is given its own by the loader


MAX_YAML_DEPTH = 100  # nesting a person writes is far shallower


class _Bounded:
    """No aliases (`*name`: nine nested ones are a billion values, "billion laughs") and
    nesting at most MAX_YAML_DEPTH deep (600 brackets overflowed Python's stack). Either
    is a MarkedYAMLError at its line."""
    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.events.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "an alias (*name), which narrate does not expand; write the value "
                "out in full", self.peek_event().start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_YAML_DEPTH} levels deep",
                    self.peek_event().start_mark)
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1


class BoundedLoader(_Bounded, yaml.SafeLoader):
    """A safe loader for files narrate did not write, bounded (_Bounded)."""


try:  # libyaml scans and parses a script four times faster than PyYAML's own parser
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    CParser = None  # type: ignore[misc, assignment]

if CParser is not None:
    class LineLoader(_Bounded, yaml.composer.Composer, CParser,
                     yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """libyaml's parser under PyYAML's composer, bounded, and marking each mapping's
        lines. `text_keys`: keys whose plain values are text as typed."""
        text_keys: frozenset[str] = frozenset()

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
else:  # pragma: no cover
    class LineLoader(BoundedLoader):  # type: ignore[no-redef]
        """PyYAML's own parser: the same, slower."""
        text_keys: frozenset[str] = frozenset()


STR_TAG = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"


def _as_typed(loader: LineLoader, key_node, value_node) -> None:
    """A plain value under one of the loader's text keys, or in a list there, is the
    characters typed (`say: No` is "No", not False; `12:30` is not 750); empty or `~`
    stays nothing, and a value with an explicit tag (`!!binary …`) is left to be refused."""
    if isinstance(key_node, yaml.ScalarNode) and key_node.value in loader.text_keys:
        listed = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for node in listed:
            if isinstance(node, yaml.ScalarNode) and node.tag not in (STR_TAG, _NULL) and \
                    node.tag == loader.resolve(yaml.ScalarNode, node.value, (True, False)):
                node.tag = STR_TAG


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> LineDict:
    seen: dict = {}
    for key_node, value_node in node.value:
        _as_typed(loader, key_node, value_node)
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, str | int | float | bool) and key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears twice (first on line {seen[key]}); keep "
                "one", key_node.start_mark)
        if isinstance(key, str | int | float | bool):
            seen[key] = key_node.start_mark.line + 1
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = seen
    return mapping


LineLoader.add_constructor(  # type: ignore[type-var]
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_text(path: str | Path, what: str = "file", limit: int = MAX_YAML_BYTES) -> str:
    """A UTF-8 text file the user gave, of at most `limit` bytes (a BOM dropped)."""
    path = Path(path)
    try:
        return read_checked(path, what, limit).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NarrateError(f"{path}: cannot read this {what} ({exc}); save it as UTF-8 text") from None


def load_yaml(path: str | Path, what: str = "file", loader: type = LineLoader,
              limit: int = MAX_YAML_BYTES):
    """Safe-load a YAML file of at most `limit` bytes; errors name the file and the line."""
    text = read_text(path, what, limit)
    try:
        return yaml.load(text, Loader=loader)  # a SafeLoader: no python tags
    except yaml.YAMLError as exc:
        raise yaml_error(path, text, exc) from None


def yaml_error(path: str | Path, text: str, exc: yaml.YAMLError) -> NarrateError:
    """The one line for YAML that does not parse, naming the file and the line."""
    if isinstance(exc, yaml.MarkedYAMLError):
        # the problem is noticed where parsing failed, often a line after the break; the
        # context is where the construct it broke began: both are named
        lines = sorted({m.line + 1 for m in (exc.context_mark, exc.problem_mark) if m})
        place = f":{lines[0]}" if lines else ""
        span = f" in lines {lines[0]}-{lines[-1]}" if len(lines) > 1 else ""
        return NarrateError(f"{path}{place}: YAML syntax error{span}: {exc.problem}; "
                            "fix the line (check indentation, colons and quotes)")
    if isinstance(exc, yaml.reader.ReaderError):  # a NUL or another control character
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        line = text[:max(text.find(chr(code)), 0)].count("\n") + 1
        return NarrateError(f"{path}:{line}: holds the control character U+{code:04X}, which "
                            "YAML does not allow; delete it")
    return NarrateError(f"{path}: not valid YAML ({' '.join(str(exc).split())}); fix the file")


def nearest(word: str, choices, count: int = 3) -> str:
    """'did you mean' text for an unknown name."""
    close = difflib.get_close_matches(word, list(choices), n=count, cutoff=0.5)
    listed = close or sorted(choices)[:count * 3]
    return ("did you mean " if close else "valid: ") + ", ".join(repr(c) for c in listed)


def check_keys(mapping: dict, allowed, where: str) -> None:
    for key in mapping:
        if key not in allowed:
            raise NarrateError(f"{where}: unknown key {key!r}; {nearest(str(key), allowed)}")


def where(path, mapping, key=None) -> str:
    """file:line of a mapping, or of one of its keys."""
    line = getattr(mapping, "key_lines", {}).get(key) or getattr(mapping, "line", 0)
    return f"{path}:{line}" if line else str(path)
