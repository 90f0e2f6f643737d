"""narrate benchmarks. Every figure is printed beside a bare reference measured in the
same run on the same machine, so the ratios mean something on a shared, noisy box."""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "prophet-essay.txt"
sys.path.insert(0, str(ROOT))


def timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


def wav_seconds(path: Path) -> float:
    import wave
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


def bench_render(work: Path) -> None:
    from narrate.build import load_book, render_book

    print("== render: the whole seed essay, segments to WAV (pyttsx3 + espeak-ng)")
    reference_wav = work / "reference.wav"
    ref_seconds, _ = timed(subprocess.run, ["espeak-ng", "-w", str(reference_wav), "-f", str(SEED)],
                           check=True)
    ref_audio = wav_seconds(reference_wav)
    print(f"reference  espeak-ng -w out.wav -f seed: {ref_seconds:6.2f} s wall, "
          f"{ref_audio / 60:.1f} min audio, {ref_audio / ref_seconds:6.0f} s audio per s")
    book = load_book(SEED)
    for jobs in (1, 2):
        cache = work / f"cache-{jobs}"
        cold, report = timed(render_book, book, cache_dir=cache, jobs=jobs, progress=False)
        assert not report.failed, report.failed[:3]
        warm, again = timed(render_book, book, cache_dir=cache, jobs=jobs, progress=False)
        assert not again.rendered
        audio = report.audio_seconds
        print(f"narrate render, {jobs} worker{'s' if jobs > 1 else ' '}: cold {cold:6.2f} s "
              f"({audio / cold:4.0f} s audio per s, {cold / ref_seconds:.2f}x the reference); "
              f"warm {warm:5.2f} s ({audio / warm:6.0f} s audio per s)")


SECTIONS = {"render": bench_render}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sections", nargs="*", choices=[[], *SECTIONS], default=[])
    args = parser.parse_args()
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    with tempfile.TemporaryDirectory(prefix="narrate-bench-") as work:
        for name in args.sections or SECTIONS:
            SECTIONS[name](Path(work))


if __name__ == "__main__":
    main()
