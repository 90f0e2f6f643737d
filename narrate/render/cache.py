"""The segment cache: one WAV per audio key, written atomically, checked when read."""

from __future__ import annotations

import hashlib
import json
import os
import wave
from pathlib import Path

from narrate.fileio import default_cache_dir
from narrate.render.profiles import VoiceProfile


def voice_fingerprint(profile: VoiceProfile, engine_version: str) -> str:
    """Every synthesis field of a voice profile and the engine's version, as one string."""
    data = {"voice": profile.synthesis_fields(), "engine_version": engine_version}
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def audio_key(say: str, voice: str) -> str:
    """The one key of a rendered line's audio, in the cache and the manifest: its speech
    text and its voice fingerprint (every synthesis field of the profile and the engine's
    version), hashed. Ids, pauses and the text as written are not in it: moving a
    paragraph or editing a pause renders nothing again."""
    blob = json.dumps([say, voice], ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:32]




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
        self.root = Path(root) if root else default_cache_dir()

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.wav"

    def temp_path(self, key: str) -> Path:
        folder = self.root / key[:2]
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f".{key}.{os.getpid()}.tmp.wav"

    def get(self, key: str) -> Path | None:
        """The entry's path if it is a valid WAV; a corrupt entry is removed."""
        path = self.path(key)
        if not path.exists():
            return None
        try:
            wav_frames(path)
        except ValueError:
            path.unlink(missing_ok=True)
            return None
        return path

    def commit(self, temp: Path, key: str) -> Path:
        """Check a freshly written WAV and move it under its final name."""
        wav_frames(temp)
        final = self.path(key)
        os.replace(temp, final)
        return final

    def entries(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.glob("??/*.wav") if not p.name.startswith("."))

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.entries())

    def prune(self, keep: set[str]) -> tuple[int, int]:
        """Delete entries whose key is not in `keep`; return (count, bytes) freed."""
        count = freed = 0
        for path in self.entries():
            if path.stem not in keep:
                freed += path.stat().st_size
                path.unlink()
                count += 1
        return count, freed

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
