"""Voice profiles: one YAML file per role (`narrator.yaml`, `quote.yaml`, `note.yaml`),
and casts: a folder of them. narrate ships three casts by name (`natural`, the default;
`espeak`; `neural`), and a user's folder is laid over the default cast."""

from __future__ import annotations

import os
from pathlib import Path

from narrate.errors import NarrateError
from narrate.fileio import MAX_METADATA_BYTES, check_keys, load_yaml, nearest, where
from narrate.metadata import DEFAULT_CAST, DEFAULT_VOICES_DIR, cast_names
from narrate.render.engines import engine, engine_names, installed
from narrate.render.engines.base import DEFAULT_PAUSES, VoiceProfile

PROFILE_KEYS = ("engine", "voice", "rate", "pitch", "volume", "pauses", "options", "description",
                "name")
PAUSE_KEYS = ("sentence", "paragraph", "voice_change", "list_item")
RANGES = {"rate": (80, 450), "pitch": (0, 100), "volume": (0.0, 1.0)}
def load_profile(path: str | Path) -> VoiceProfile:
    path = Path(path)
    data = load_yaml(path, "voice profile", limit=MAX_METADATA_BYTES)
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
    engine(str(data.get("engine", "pyttsx3")), where(path, data, "engine"))  # a known engine?
    return VoiceProfile(role=path.stem, engine=data.get("engine", "pyttsx3"),
                        voice=data.get("voice", ""), rate=int(data.get("rate", 160)),
                        pitch=int(data.get("pitch", 50)), volume=float(data.get("volume", 1.0)),
                        options=dict(options), pauses=pauses, source=str(path),
                        name=data.get("name", ""))


PORTABLE_CAST = "espeak"  # speaks every language espeak-ng has a voice for


def default_cast() -> str:
    """The cast a book gets when neither `--voices` nor its metadata names one:
    $NARRATE_VOICES (a cast's name) or the natural cast."""
    name = os.environ.get("NARRATE_VOICES") or DEFAULT_CAST
    if name not in cast_names():
        raise NarrateError(f"NARRATE_VOICES={name!r} is not a cast",
                           hint=f"{nearest(name, cast_names())}, or unset it")
    return name


def is_cast_name(value: str | Path | None) -> bool:
    return isinstance(value, str) and value in cast_names()


def cast_folder(cast: str | Path | None = None) -> Path:
    """A cast's folder: a cast's name, a folder of profiles, or None for the default."""
    if not cast or is_cast_name(cast):
        return DEFAULT_VOICES_DIR / str(cast or default_cast())
    folder = Path(cast)
    if not folder.is_dir():
        hint = nearest(str(cast), cast_names())
        raise NarrateError("no such cast or voices folder", option=("voices", str(cast)),
                           hint=f"name a cast ({hint}) or a folder of <role>.yaml profiles")
    return folder


def load_profiles(cast: str | Path | None = None) -> dict[str, VoiceProfile]:
    """Profiles by role: a cast by name, or a folder's profiles over the default cast."""
    base = DEFAULT_VOICES_DIR / default_cast()
    folder = cast_folder(cast)
    profiles = {} if folder == base or is_cast_name(cast) else _folder_profiles(base)
    profiles.update(_folder_profiles(folder))
    return profiles


def cast_summary() -> list[str]:
    """A line a cast: its name, then each role's engine and voice."""
    lines = []
    for name in cast_names():
        profiles = _folder_profiles(DEFAULT_VOICES_DIR / name)
        roles = ", ".join(f"{role} {p.engine} {p.voice}{_shift(p)}"
                          for role, p in sorted(profiles.items(),
                                                key=lambda item: item[0] != "narrator"))
        default = " (the default)" if name == default_cast() else ""
        lines.append(f"{name:8} {roles}{default}")
    return lines


def _shift(profile: VoiceProfile) -> str:
    semitones = profile.options.get("semitones")
    return f" {semitones:+g} st" if semitones else ""


def _folder_profiles(folder: Path) -> dict[str, VoiceProfile]:
    return {path.stem: load_profile(path) for path in sorted(folder.glob("*.yaml"))
            if path.stem != "lexicon"}


def profiles_for(book_roles: set[str], profiles: dict[str, VoiceProfile]) -> dict[str, VoiceProfile]:
    missing = sorted(book_roles - set(profiles))
    if missing:
        raise NarrateError(f"no voice profile for role {missing[0]!r}; add {missing[0]}.yaml to "
                           f"the voices folder ({nearest(missing[0], profiles)})")
    return {role: profiles[role] for role in book_roles}


def describe_voices() -> list[str]:
    """The casts, then every engine and its voices (or how to install it), for a person."""
    lines = ["casts (--voices NAME, or `voices: NAME` in the book's metadata):"]
    lines += [f"  {line}" for line in cast_summary()]
    for name in engine_names():
        if not installed(name):
            lines.append(f"engine {name}: not installed; {engine(name).INSTALL}")
            continue
        lines.append(f"engine {name}:")
        lines += [f"  {v.id:28} {v.name:36} {','.join(v.languages):10} {v.gender or ''}"
                  for v in engine(name).voices()]
        lines += [f"  {engine(name).NOTE}"] if engine(name).NOTE else []
    return lines


def fetch_voice(name: str) -> str:
    """One line: where a voice an engine can fetch is, or what to download and where to put
    it (narrate never downloads)."""
    fetchers = [fetch for n in engine_names() if (fetch := getattr(engine(n), "fetch_line", None))]
    for fetch in fetchers:
        try:
            return fetch(name)
        except NarrateError:
            if fetch is fetchers[-1]:
                raise
    raise NarrateError("no engine here fetches voices", option=("get", name))
