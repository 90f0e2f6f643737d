import os
import signal
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Where the voice does not matter, tests build with the espeak cast (quick), fixtures of
# every scope included; the natural cast's own tests name it (--voices natural).
os.environ["NARRATE_VOICES"] = "espeak"
# No progress lines unless a test asks for them (test_signals): a line every few seconds
# would make what a command prints depend on the machine's speed.
os.environ["NARRATE_PROGRESS_EVERY"] = "86400"
SEED = ROOT / "seeds" / "prophet-essay.txt"


def wait_until(event, seconds: float, process=None) -> bool:
    """Poll for `event()` (a file written, a process gone) until it holds, `process` ends
    or the generous deadline passes; True when it holds. The only sleep in the tests is
    the gap between looks: they synchronise on events, never on a guess at a duration."""
    deadline = time.monotonic() + seconds
    while not event() and (process is None or process.poll() is None) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    return bool(event())


def alive_in_group(group: int) -> bool:
    """Whether a process of the group still runs (zombies aside), from /proc."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _parent, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError):
            continue  # it ended while we looked
        if state != "Z" and int(pgrp) == group:
            return True
    return False


def stop_group(group: int) -> None:
    """Kill what a killed build left in its process group, and wait until it has gone:
    an event polled for, with a generous deadline, not a guess at how long it takes."""
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        return
    assert wait_until(lambda: not alive_in_group(group), 60), \
        f"processes of group {group} outlived SIGKILL"


@pytest.fixture
def small_book(tmp_path):
    source = tmp_path / "book.md"
    source.write_text("# One\n\n" + "\n\n".join(f"Paragraph {i} of the first part, read aloud."
                                                for i in range(12)) +
                      "\n\n# Two\n\n" + "\n\n".join(f"Paragraph {i} of the second part."
                                                    for i in range(12)))
    return source


@pytest.fixture(scope="session")
def seed_book():
    """The seed essay converted once, with its metadata and lexicon."""
    from narrate.plan import load_book

    problems: list = []
    book = load_book(SEED, warnings=problems)
    return book, problems


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """No test touches the user's real cache."""
    monkeypatch.setenv("NARRATE_CACHE", str(tmp_path_factory.mktemp("cache")))


SHORT_TEXT = """The prophets of old studied their sacred texts, and so did the young Russians.

He said, “There is now no one except me to carry out the mission of arming a new generation.” Then he left for Vienna.

“The years of reaction were over; the terror had spent itself; the movement was experiencing a new revival.”

In 1905 the first revolution began in Petersburg, and 30,000 workers struck.
"""


@pytest.fixture
def short_source(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text(SHORT_TEXT, encoding="utf-8")
    return path


def median_pitch(path) -> float:
    """Median F0 (Hz) of a WAV's voiced frames (narrate.measure.median_f0)."""
    import wave

    import numpy as np

    from narrate.measure import median_f0

    with wave.open(str(path)) as wav:
        rate = wav.getframerate()
        return median_f0(np.frombuffer(wav.readframes(wav.getnframes()), np.int16), rate)


# ---- the no-word-lost guarantee, shared by the property tests ------------------------------------

def read_words(document):
    """The words the reader classed as prose or headings (notation left out), in order."""
    from narrate.convert import words
    from narrate.convert.speech import is_notation
    from narrate.read.document import HEADING, PARAGRAPH, PROSE

    read = [b.heading if b.kind == HEADING else b.text for b in document.blocks
            if (b.kind in PROSE and not (b.kind == PARAGRAPH and is_notation(b.text)))
            or b.kind == HEADING]
    return words(" ".join(read))


def spoken_words(book):
    """The words of the book's own text: its headings and prose (not notes or cues)."""
    from narrate.convert import words

    parts = []
    for chapter in book.chapters:
        parts += [chapter.heading or ""] + [s.text for sec in chapter.sections
                                            if sec.kind in ("", "list item", "heading")
                                            for s in sec.segments]
    return words(" ".join(parts))


# ---- test tiers: unit, e2e, slow (pyproject.toml) -------------------------------------------------

TIERS = ("unit", "e2e", "slow")
# files of pure logic: no engine, no ffmpeg (a test in them that builds says e2e itself)
UNIT_FILES = {"test_headings.py", "test_normalise.py", "test_quotes.py", "test_segments.py",
              "test_speech.py", "test_structure.py", "test_scriptfile.py", "test_read.py",
              "test_readers.py", "test_scorecard.py", "test_properties.py", "test_language.py",
              "test_policy.py"}


def pytest_collection_modifyitems(items):
    """A test without a tier takes its file's: unit for the pure files, else e2e."""
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in TIERS):
            item.add_marker("unit" if item.path.name in UNIT_FILES else "e2e")
