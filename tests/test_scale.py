"""A 100,000-word book converts, renders, exports and is checked with memory bounded by its
longest chapter (the check by neither).

To keep the suite quick the narrator reads at 400 words a minute (about four hours of
audio instead of ten) and paragraphs repeat every 100 (the cache serves repeats); the
export still assembles, levels and encodes every minute of the book.
"""

import subprocess
import sys

import pytest
import yaml
from conftest import ROOT

from narrate.memory import PeakSampler

NARRATE = [sys.executable, "-m", "narrate"]


def generated_book(path, words, chapter_words=5000):
    chapters, number = [], 0
    vocabulary = ["the", "party", "workers", "soviet", "war", "peace", "land", "bread", "history", "exile", "army"]
    for chapter in range(words // chapter_words):
        paragraphs = []
        for _ in range(chapter_words // 100):
            number += 1
            seed = number % 100
            body = " ".join(vocabulary[(seed * 7 + i * seed) % len(vocabulary)] for i in range(97))
            paragraphs.append(f"Paragraph {seed} says: {body}.")
        chapters.append(f"# Chapter {chapter + 1}\n\n" + "\n\n".join(paragraphs))
    path.write_text("\n\n".join(chapters) + "\n", encoding="utf-8")
    return path


def fast_voices(tmp_path):
    folder = tmp_path / "voices"
    folder.mkdir()
    for role in ("narrator", "quote"):
        data = yaml.safe_load((ROOT / "voices" / "espeak" / f"{role}.yaml").read_text())
        data["rate"] = 400
        (folder / f"{role}.yaml").write_text(yaml.safe_dump(data))
    return folder


def build_measured(source, tmp_path, voices):
    process = subprocess.Popen(NARRATE + ["build", str(source), "--voices", str(voices), "--out",
                                          str(tmp_path / "out"), "--cache", str(tmp_path / "c")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with PeakSampler(process.pid) as sampler:
        out, err = process.communicate(timeout=900)
    assert process.returncode == 0, err
    return sampler.peak, out


def check_measured(folder):
    process = subprocess.Popen(NARRATE + ["check", str(folder)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    with PeakSampler(process.pid) as sampler:
        _out, err = process.communicate(timeout=900)
    assert process.returncode in (0, 1), err
    return sampler.peak


@pytest.mark.slow
def test_memory_does_not_grow_with_the_book(tmp_path):
    voices = fast_voices(tmp_path)
    small_peak, _ = build_measured(generated_book(tmp_path / "small.md", 10_000), tmp_path, voices)
    big_peak, out = build_measured(generated_book(tmp_path / "big.md", 100_000), tmp_path, voices)
    assert "chapters: 20 re-exported" in out
    mp3s = list((tmp_path / "out" / "big").glob("*.mp3"))
    assert len(mp3s) == 20 and all(p.stat().st_size > 100_000 for p in mp3s)
    # ten times the book, not ten times the memory: the bound is set by one chapter
    assert big_peak < small_peak * 1.5 + 50, (small_peak, big_peak)
    assert big_peak < 1000
    # the check streams the decoded audio: a four-hour m4b costs what a short one does
    small_check = check_measured(tmp_path / "out" / "small")
    big_check = check_measured(tmp_path / "out" / "big")
    assert big_check < small_check * 1.5 + 50 and big_check < 400, (small_check, big_check)
