"""`scripts/bench words`: `narrate words --fix` on the seed, judged by the listener on
whole sentences (not the few words --fix tries ways in): the words misheard before and
after, how many were fixed and how many made worse, the listener's WER over the whole
book before and after, and the time --fix took per word."""

from __future__ import annotations

import os
import time
from pathlib import Path


def misheard(words, heard: dict[str, str]) -> set[str]:
    from narrate.fixwords import heard_as

    return {w.word for n, w in enumerate(words) if heard_as(w.word, heard[f"s{n}"]) is None}


def book_wer(book, profile, cache, jobs: int, known: dict[str, str]) -> tuple[float, dict]:
    """The listener's WER over every line of the book (a line said as before is heard as
    before: the renderer and the listener are deterministic, so only lines whose speech
    changed are heard again)."""
    from narrate.model import NARRATOR
    from narrate.pronounce import hear_lines
    from narrate.qa.listen import normalise, word_edits
    from narrate.render import RenderItem, item_keys

    lines = [s for s in book.spoken if s.say.strip()]  # all in the narrator's voice
    keys = item_keys([RenderItem(s.id, s.say, NARRATOR) for s in lines], {NARRATOR: profile})
    wanted = {s.id: s.say for s in lines if keys[s.id] not in known}
    heard = hear_lines(wanted, profile, cache, jobs) if wanted else {}
    said = {keys[s.id]: known.get(keys[s.id], heard.get(s.id, "")) for s in lines}
    edits = sum(word_edits(s.say, said[keys[s.id]]) for s in lines)
    return edits / max(1, sum(len(normalise(s.say)) for s in lines)), said


def bench_words(work: Path, source: Path, limit: int = 40) -> None:
    from narrate.fixwords import fix_book
    from narrate.plan import book_profiles, load_book, spoken_with
    from narrate.pronounce import hear_lines, unknown_words
    from narrate.render.cache import Cache

    jobs, cache, out = os.cpu_count() or 1, Cache(work / "cache"), work / "out"
    book = load_book(source)
    before_profile = book_profiles(book, "natural", lexicon=spoken_with(book, None, out))[
        "narrator"]
    words = unknown_words(book, before_profile, spoken_with(book, None, out))[:limit]
    sentences = {f"s{n}": w.sentence for n, w in enumerate(words)}
    wrong_before = misheard(words, hear_lines(sentences, before_profile, cache, jobs))
    wer_before, known = book_wer(book, before_profile, cache, jobs, {})
    started = time.perf_counter()
    fixes = fix_book(source, voices="natural", out=out, cache=work / "cache",
                              limit=limit, jobs=jobs)
    seconds = time.perf_counter() - started
    after_profile = book_profiles(book, "natural", lexicon=spoken_with(book, None, out))[
        "narrator"]
    wrong_after = misheard(words, hear_lines(sentences, after_profile, cache, jobs))
    wer_after, _ = book_wer(book, after_profile, cache, jobs, known)
    kept = [f.word for f in fixes if f.kept is not None]
    print(f"\n## words --fix: {source.name}, the first {len(words)} unknown words "
          f"(hibari, Whisper tiny.en; {jobs} jobs; a shared machine)")
    print("| misheard before | misheard after | after/before | fixed | made worse | "
          "book WER before | book WER after | --fix s/word | kept by --fix |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {len(wrong_before)} | {len(wrong_after)} | "
          f"{len(wrong_after) / max(1, len(wrong_before)):.0%} | "
          f"{len(wrong_before - wrong_after)} | {len(wrong_after - wrong_before)} | "
          f"{wer_before:.2%} | {wer_after:.2%} | {seconds / max(1, len(words)):.1f} "
          f"({seconds:.0f} s in all) | {len(kept)} |")
    print(f"misheard before: {', '.join(sorted(wrong_before)) or '-'}; "
          f"after: {', '.join(sorted(wrong_after)) or '-'}; kept: {', '.join(kept) or '-'}")
