"""Voice profiles: one YAML file per role (`voices/narrator.yaml`, `voices/quote.yaml`)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from narrate.errors import NarrateError
from narrate.fileio import check_keys, load_yaml, nearest, where
from narrate.metadata import DEFAULT_VOICES_DIR

PROFILE_KEYS = ("engine", "voice", "rate", "pitch", "volume", "pauses", "options", "description",
                "name")
PAUSE_KEYS = ("sentence", "paragraph", "voice_change", "list_item")
RANGES = {"rate": (80, 450), "pitch": (0, 100), "volume": (0.0, 1.0)}
DEFAULT_PAUSES = {"sentence": 250, "paragraph": 900, "voice_change": 450, "list_item": 500}


@dataclass(frozen=True)
class VoiceProfile:
    role: str
    engine: str = "pyttsx3"
    voice: str = ""
    rate: int = 160
    pitch: int = 50
    volume: float = 1.0
    options: dict = field(default_factory=dict)  # engine-specific settings
    pauses: dict = field(default_factory=lambda: dict(DEFAULT_PAUSES))
    source: str = ""  # the file it came from, for messages
    name: str = ""  # who reads, for credits and tags when the book's metadata names no narrator

    def synthesis_fields(self) -> dict:
        """Everything that changes the rendered audio (not the role, pauses, file or name)."""
        data = asdict(self)
        for key in ("role", "pauses", "source", "name"):
            data.pop(key)
        return data

    def fingerprint(self) -> str:
        return json.dumps(self.synthesis_fields(), sort_keys=True)


def load_profile(path: str | Path) -> VoiceProfile:
    path = Path(path)
    data = load_yaml(path, "voice profile")
    if not isinstance(data, dict):
        raise NarrateError(f"{path}: a voice profile is a mapping (engine:, voice:, rate: ...)")
    place = where(path, data)
    check_keys(data, PROFILE_KEYS, place)
    for key, (low, high) in RANGES.items():
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise NarrateError(f"{where(path, data, key)}: `{key}` must be a number from {low} "
                               f"to {high}, not {value!r}")
        if not low <= value <= high:
            raise NarrateError(f"{where(path, data, key)}: `{key}` {value} is out of range; use "
                               f"{low} to {high}")
    pauses = dict(DEFAULT_PAUSES)
    given = data.get("pauses") or {}
    if not isinstance(given, dict):
        raise NarrateError(f"{place}: `pauses` must map {', '.join(PAUSE_KEYS)} to milliseconds")
    check_keys(given, PAUSE_KEYS, f"{where(path, given)}: pauses")
    for key, value in given.items():
        if not isinstance(value, int) or not 0 <= value <= 10000:
            raise NarrateError(f"{where(path, given, key)}: pause `{key}` must be whole milliseconds "
                               f"from 0 to 10000, not {value!r}")
        pauses[key] = value
    options = data.get("options") or {}
    if not isinstance(options, dict):
        raise NarrateError(f"{place}: `options` must be a mapping of engine settings")
    for key in ("engine", "voice", "name"):
        if key in data and not isinstance(data[key], str):
            raise NarrateError(f"{place}: `{key}` must be text, not {data[key]!r}")
    from narrate.render.engines import engine  # the registry imports this module

    engine(str(data.get("engine", "pyttsx3")), where(path, data, "engine"))  # a known engine?
    return VoiceProfile(role=path.stem, engine=data.get("engine", "pyttsx3"),
                        voice=data.get("voice", ""), rate=int(data.get("rate", 160)),
                        pitch=int(data.get("pitch", 50)), volume=float(data.get("volume", 1.0)),
                        options=dict(options), pauses=pauses, source=str(path),
                        name=data.get("name", ""))


def load_profiles(voices_dir: str | Path | None = None) -> dict[str, VoiceProfile]:
    """Profiles by role: the default cast, overridden by `voices_dir`'s files."""
    profiles = {p.stem: load_profile(p) for p in sorted(DEFAULT_VOICES_DIR.glob("*.yaml"))
                if p.stem != "lexicon"}
    if voices_dir:
        folder = Path(voices_dir)
        if not folder.is_dir():
            raise NarrateError(f"{folder}: no such voices folder; give a folder of "
                               "<role>.yaml profiles")
        for path in sorted(folder.glob("*.yaml")):
            if path.stem != "lexicon":
                profiles[path.stem] = load_profile(path)
    return profiles


def profiles_for(book_roles: set[str], profiles: dict[str, VoiceProfile]) -> dict[str, VoiceProfile]:
    missing = sorted(book_roles - set(profiles))
    if missing:
        raise NarrateError(f"no voice profile for role {missing[0]!r}; add {missing[0]}.yaml to "
                           f"the voices folder ({nearest(missing[0], profiles)})")
    return {role: profiles[role] for role in book_roles}
