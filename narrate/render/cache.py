"""The segment cache: one WAV per audio key, written atomically, checked when read.

A cache may be a folder or an fsspec URL that several machines share (file:///shared/cache,
s3://bucket/narrate with narrate[s3]; the endpoint and credentials come from fsspec's and
the store's own settings, e.g. FSSPEC_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID). Then each
machine keeps a local mirror (the engines and the stitcher read files): an entry missing
there is fetched from the store and checked like any other; a new entry is uploaded in one
PUT to an object store, or under a temporary name and renamed on a filesystem, so a reader
never sees half of one, and two workers writing the same key write the same audio.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
import wave
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import platformdirs

from narrate.errors import NarrateError
from narrate.fileio import cache_location, default_cache_dir, is_url
from narrate.render.profiles import VoiceProfile

OBJECT_STORES = {"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "memory"}  # one PUT
LIVE = ".live"  # the keys running builds use: a file each, locked by the build while it runs
PRUNING = ".prune.lock"  # held by a prune (alone) and by a build saying its keys (shared)


def voice_fingerprint(profile: VoiceProfile, engine_version: str) -> str:
    """Every synthesis field of a voice profile and the engine's version, as one string."""
    data = {"voice": profile.synthesis_fields(), "engine_version": engine_version}
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def audio_key(say: str, voice: str, take: int = 1) -> str:
    """The one key of a rendered line's audio, in the cache and the manifest: its speech
    text, its voice fingerprint (every synthesis field of the profile and the engine's
    version) and, for a retake, its take, hashed. Ids, pauses and the text as written are
    not in it: moving a paragraph or editing a pause renders nothing again. A first take's
    key is as it was before takes were numbered: no cache is rendered again for them."""
    line = [say, voice] if take == 1 else [say, voice, take]
    return hashlib.sha256(json.dumps(line, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]




def wav_frames(path: Path) -> int:
    """Frames in a complete 16-bit PCM WAV; raises ValueError when it is not one."""
    return wav_info(path)[0]


def wav_info(path: Path) -> tuple[int, int]:
    """(frames, sample rate) of a complete 16-bit PCM WAV; ValueError when it is not one."""
    try:
        with wave.open(str(path), "rb") as wav:
            frames, width, channels = wav.getnframes(), wav.getsampwidth(), wav.getnchannels()
            rate = wav.getframerate()
            if width != 2 or channels not in (1, 2):
                raise ValueError("not 16-bit mono or stereo PCM")
            if frames == 0:
                raise ValueError("no audio")
            wav.setpos(frames - 1)  # the last frame must be there: not truncated
            if len(wav.readframes(1)) != width * channels:
                raise ValueError("truncated")
    except (wave.Error, EOFError, OSError) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from None
    return frames, rate


class Cache:
    def __init__(self, root: str | Path | None = None):
        self._checked: dict[Path, tuple[int, int]] = {}  # entries get() has read
        location = str(root or cache_location())
        self.location = location  # as given: a folder, or a URL
        self.store: Any = None  # with a URL: its fsspec filesystem, and the path in it
        if is_url(location):
            self.store, self.store_path = _open_store(location)
            self.root = mirror_dir(location)
        else:
            self.root = Path(root) if root else default_cache_dir()

    def where(self) -> str:
        """The cache as a build records it: the URL, or the folder's full path."""
        return self.location if self.store else str(self.root.resolve())

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.wav"

    def temp_path(self, key: str) -> Path:
        folder = self.root / key[:2]
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f".{key}.{os.getpid()}.tmp.wav"

    def get(self, key: str) -> Path | None:
        """The entry's path if it is a valid WAV (fetched from a shared store when this
        machine has not got it); a corrupt entry is removed."""
        path = self.path(key)
        if not path.exists() and not (self.store and self._fetch(key)):
            return None
        try:
            self._checked[path] = wav_info(path)
        except ValueError:
            path.unlink(missing_ok=True)
            return None
        return path

    def info(self, path: Path) -> tuple[int, int]:
        """(frames, sample rate) of an entry: as `get` found it, without reading it again."""
        return self._checked.get(path) or wav_info(path)

    def commit(self, temp: Path, key: str) -> Path:
        """Check a freshly written WAV and move it under its final name."""
        wav_frames(temp)
        final = self.path(key)
        os.replace(temp, final)
        self._checked.pop(final, None)  # a new take: read it again when asked
        if self.store:
            self._upload(final, key)
        return final

    def _remote(self, key: str) -> str:
        return f"{self.store_path}/{key[:2]}/{key}.wav"

    def _fetch(self, key: str) -> bool:
        temp = self.temp_path(key)
        try:
            self.store.get_file(self._remote(key), str(temp))
            os.replace(temp, self.path(key))
            return True
        except FileNotFoundError:
            return False
        except Exception as exc:  # noqa: BLE001 - each store raises its own kinds
            raise store_error(self.location, "the shared cache failed", exc) from None
        finally:
            temp.unlink(missing_ok=True)

    def _upload(self, final: Path, key: str) -> None:
        remote = self._remote(key)
        try:
            if set(_protocols(self.store)) & OBJECT_STORES:
                self.store.put_file(str(final), remote)  # one PUT: whole or not at all
            else:
                partial = f"{remote}.{os.getpid()}.tmp"
                self.store.makedirs(remote.rsplit("/", 1)[0], exist_ok=True)
                self.store.put_file(str(final), partial)
                self.store.mv(partial, remote)
        except Exception as exc:  # noqa: BLE001 - each store raises its own kinds
            raise store_error(self.location, "the shared cache failed", exc) from None

    def entries(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.glob("??/*.wav") if not p.name.startswith("."))

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.entries())

    def prune(self, keep: set[str]) -> tuple[int, int]:
        """Delete entries whose key is neither in `keep` nor used by a running build (its
        takes reused and just made); return (count, bytes) freed."""
        count = freed = 0
        with self._pruning(fcntl.LOCK_EX):
            keep = keep | self._live_keys()
            for path in self.entries():
                if path.stem not in keep:
                    with contextlib.suppress(FileNotFoundError):
                        freed += path.stat().st_size
                        path.unlink()
                        count += 1
        return count, freed

    @contextlib.contextmanager
    def in_use(self, keys: Iterable[str]):
        """Keep `keys` from a prune while the block runs (a build: the takes it reuses and
        those it makes): a file of them in .live/, locked by this process, so that the
        kernel lets go when it dies and the next prune sweeps the file away."""
        try:
            path, handle = self._say_live(keys)
        except OSError:  # a cache this process cannot write, which no prune can change
            yield
            return
        try:
            yield
        finally:
            path.unlink(missing_ok=True)
            handle.close()

    def _say_live(self, keys: Iterable[str]):
        with self._pruning(fcntl.LOCK_SH):  # between prunes, never during one
            live = self.root / LIVE
            live.mkdir(exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f"{os.getpid()}.", suffix=".keys", dir=live)
            handle = os.fdopen(fd, "w", encoding="ascii")
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.write("\n".join(sorted(set(keys))))
            handle.flush()
        return Path(name), handle

    @contextlib.contextmanager
    def _pruning(self, mode: int):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / PRUNING, "a") as handle:
            fcntl.flock(handle, mode)  # a prune takes seconds: waited for, not refused
            yield

    def _live_keys(self) -> set[str]:
        """The keys of the builds running now; the file of one that died goes."""
        keys: set[str] = set()
        for path in (self.root / LIVE).glob("*.keys"):
            with contextlib.suppress(FileNotFoundError), open(path, encoding="ascii") as held:
                try:
                    fcntl.flock(held, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:  # its build holds it: running
                    keys.update(held.read().split())
                else:
                    path.unlink()
        return keys

    def clean_temporary(self) -> int:
        """Remove temporary files left by a crashed render (their process is gone)."""
        removed = 0
        if not self.root.is_dir():
            return 0
        for temp in self.root.glob("??/.*.tmp.wav"):
            pid = temp.name.split(".")[2]
            if not (pid.isdigit() and _alive(int(pid))):
                temp.unlink(missing_ok=True)
                removed += 1
        return removed


def mirror_dir(location: str) -> Path:
    """This machine's copy of a shared cache: $NARRATE_CACHE_MIRROR, else a folder of the
    user cache named by the URL."""
    named = hashlib.sha256(location.encode("utf-8")).hexdigest()[:16]
    return Path(os.environ.get("NARRATE_CACHE_MIRROR")
                or Path(platformdirs.user_cache_dir("narrate")) / "mirrors" / named)


def _open_store(location: str):
    try:
        import fsspec  # type: ignore[import-untyped]

        store, path = fsspec.core.url_to_fs(location)
        store.makedirs(path, exist_ok=True)
    except ImportError as exc:
        raise NarrateError(f"{location}: this store needs a package narrate has not got "
                           f"({exc}); for s3:// install narrate[s3]") from None
    except Exception as exc:  # noqa: BLE001 - each store raises its own kinds
        raise store_error(location, "cannot open the shared cache", exc) from None
    return store, path.rstrip("/")


def store_error(location: str, what: str, exc: Exception) -> NarrateError:
    return NarrateError(f"{location}: {what} ({type(exc).__name__}: "
                        f"{' '.join(str(exc).split())[:160]}); check the URL, the store's "
                        "address and credentials")


def _protocols(store) -> tuple[str, ...]:
    protocol = store.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed process whose parent is gone may linger as a zombie
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return True
