"""narrate benchmarks. Every figure is printed beside a bare reference measured in the
same run on the same machine, so the ratios mean something on a shared, noisy box."""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
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


BARE_HIBARI = """
import sys, time, wave
import numpy as np
from hibari import Hibari, write_wav
tts = Hibari(threads=1)
lines = open(sys.argv[1], encoding="utf-8").read().split("\\n")
audio = [tts(line, speed=float(sys.argv[3]), seed=0) for line in lines if line.strip()]
write_wav(sys.argv[2], np.concatenate(audio))
"""


def bare_hibari(work: Path, says: list[str], processes: int) -> tuple[float, list[Path]]:
    """The reference for the natural cast: hibari alone (one ONNX thread) speaking the
    lines at the narrator's pace, split over `processes` processes run at once, each
    writing one WAV. Wall time, and the WAVs."""
    from narrate.render.engines.hibari import NATURAL_WPM
    from narrate.render.profiles import load_profiles

    speed = load_profiles("natural")["narrator"].rate / NATURAL_WPM
    shares = [says[n::processes] for n in range(processes)]
    wavs = [work / f"bare-hibari-{n}.wav" for n in range(processes)]
    started = time.perf_counter()
    running = []
    for share, wav in zip(shares, wavs):
        lines = work / f"{wav.stem}.txt"
        lines.write_text("\n".join(share), encoding="utf-8")
        running.append(subprocess.Popen([sys.executable, "-c", BARE_HIBARI, str(lines), str(wav),
                                         str(speed)]))
    for process in running:
        if process.wait() != 0:
            raise SystemExit("bare hibari failed")
    return time.perf_counter() - started, wavs


def bench_render(work: Path) -> None:
    from narrate.pipeline import render_book
    from narrate.plan import load_book

    book = load_book(SEED)
    print("== render: the whole seed essay, segments to WAV, the natural cast (hibari)")
    says = [s.say for s in book.segments if s.say.strip()]
    for jobs in (1, 2):
        bare, wavs = bare_hibari(work, says, jobs)
        audio = sum(wav_seconds(w) for w in wavs)
        cache = work / f"cache-natural-{jobs}"
        cold, report = timed(render_book, book, "natural", cache=cache, jobs=jobs,
                             progress=False)
        assert not report.failed, report.failed[:3]
        print(f"bare hibari, {jobs} process{'es' if jobs > 1 else '  '}: {bare:6.2f} s "
              f"({audio / bare:4.0f} s audio per s); narrate render, {jobs} worker"
              f"{'s' if jobs > 1 else ' '}: {cold:6.2f} s = {cold / bare:.2f}x bare hibari "
              f"({report.audio_seconds / cold:4.0f} s audio per s)")
    print("== render: the whole seed essay, the espeak cast (pyttsx3 + espeak-ng)")
    reference_wav = work / "reference.wav"
    ref_seconds, _ = timed(subprocess.run, ["espeak-ng", "-w", str(reference_wav), "-f", str(SEED)],
                           check=True)
    ref_audio = wav_seconds(reference_wav)
    print(f"reference  espeak-ng -w out.wav -f seed: {ref_seconds:6.2f} s wall, "
          f"{ref_audio / 60:.1f} min audio, {ref_audio / ref_seconds:6.0f} s audio per s")
    for jobs in (1, 2):
        cache = work / f"cache-{jobs}"
        cold, report = timed(render_book, book, "espeak", cache=cache, jobs=jobs,
                             progress=False)
        assert not report.failed, report.failed[:3]
        warm, again = timed(render_book, book, "espeak", cache=cache, jobs=jobs,
                            progress=False)
        assert not again.rendered
        audio = report.audio_seconds
        print(f"narrate render, {jobs} worker{'s' if jobs > 1 else ' '}: cold {cold:6.2f} s "
              f"({audio / cold:4.0f} s audio per s, {cold / ref_seconds:.2f}x the reference); "
              f"warm {warm:5.2f} s ({audio / warm:6.0f} s audio per s)")


def bench_neural(work: Path) -> None:
    """Each neural engine on the seed's first chapter, bare and through narrate; then the
    whole seed built with the neural cast. Real-time factor = seconds of audio per second."""
    from narrate.plan import load_book
    from narrate.render import RenderItem, render_items
    from narrate.render.cache import Cache
    from narrate.render.engines.neural import NeuralEngine, speech_chunks
    from narrate.render.profiles import load_profiles

    print("== neural: piper (Joe) and hibari (Heart) on chapter 1, then the whole seed")
    neural = ROOT / "voices" / "neural"
    profiles = load_profiles(neural)
    chapter = load_book(SEED).chapters[0]
    says = [s.say for section in chapter.sections for s in section.segments if s.say.strip()]
    for role in ("narrator", "quote"):
        profile = profiles[role]
        from narrate.render.engines import create_engine

        engine: NeuralEngine = create_engine(profile)  # loaded once, like a worker's
        start, audio = time.perf_counter(), 0.0
        for say in says:  # the bare model, one thread, text chunked the same way
            for text, _ in speech_chunks(say):
                audio += len(engine.speak(text)) / engine.sample_rate
        bare = time.perf_counter() - start
        items = [RenderItem(f"{n}", say, role) for n, say in enumerate(says)]
        seconds, report = timed(render_items, items, profiles, Cache(work / f"neural-{role}"),
                                jobs=2, progress=False)
        assert not report.failed, report.failed[:3]
        print(f"{profile.engine:7} bare model, 1 thread: {audio / bare:5.1f}x real time "
              f"({audio:.0f} s of speech in {bare:.1f} s); narrate render, 2 workers: "
              f"{report.audio_seconds / seconds:5.1f}x real time ({seconds:.1f} s, with pauses "
              f"{report.audio_seconds:.0f} s); peak per worker "
              f"{max(report.worker_mb.values()):.0f} MB")
    env = dict(os.environ, NARRATE_CACHE=str(work / "neural-build-cache"))
    seconds, peak, out = run_measured(narrate_cmd() + [
        "build", str(SEED), "--voices", str(neural), "--out", str(work / "neural-out")], env)
    made = next(line for line in out.splitlines() if line.startswith("made "))
    memory = next((line for line in out.splitlines() if line.startswith("peak memory")), "")
    print(f"whole seed, neural cast, cold: {seconds:.1f} s wall; {made}; peak memory of the "
          f"process tree {peak:.0f} MB; {memory}")


PSS: list[float] = []  # each run_measured's peak proportional memory, for the lines that show it
CPU: list[float] = []  # each run_measured's CPU-seconds, its whole process tree's


def run_measured(args: list[str], env=None, ok=(0,)) -> tuple[float, float, str]:
    """Wall time, peak memory of the whole process tree (MB), and stdout. Python caches
    bytecode, as it does by default (this machine's PYTHONDONTWRITEBYTECODE=1 would make
    every command compile narrate's sources first)."""
    from narrate.memory import PeakSampler

    env = {k: v for k, v in (env or os.environ).items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env)
    with PeakSampler(process.pid) as sampler:
        out, err = process.communicate()
    if process.returncode not in ok:
        raise SystemExit(f"{' '.join(args)} failed: {err.strip()[-500:]}")
    PSS.append(sampler.peak_pss)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the tree: each process waits for
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)  # its own
    return time.perf_counter() - start, sampler.peak, out


def narrate_cmd() -> list[str]:
    return [sys.executable, "-m", "narrate"]


def bench_build(work: Path) -> None:
    from narrate.plan import load_book

    print("== build: the whole seed essay with the default (natural) cast, cold, against the "
          "same work done by hand")
    says = [s.say for s in load_book(SEED).segments if s.say.strip()]
    cores = os.cpu_count() or 1
    ref = {}
    ref["hibari"], wavs = bare_hibari(work, says, cores)
    wav, mp3, aac = work / "ref.wav", work / "ref.mp3", work / "ref.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-y", *[a for w in wavs for a in ("-i", str(w))],
                    "-filter_complex", f"concat=n={len(wavs)}:v=0:a=1", str(wav)], check=True)
    ffmpeg = ["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-ac", "1", "-ar", "22050"]
    ref["mp3"], _ = timed(subprocess.run, ffmpeg + ["-c:a", "libmp3lame", "-b:a", "64k",
                                                    "-compression_level", "7", str(mp3)],
                          check=True)
    ref["aac"], _ = timed(subprocess.run, ffmpeg + ["-c:a", "aac", "-aac_coder", "fast", "-b:a",
                                                    "64k", str(aac)], check=True)
    reference = sum(ref.values())
    print(f"reference  bare hibari, {cores} processes {ref['hibari']:.1f} s + ffmpeg MP3 "
          f"{ref['mp3']:.1f} s + ffmpeg AAC {ref['aac']:.1f} s = {reference:.1f} s "
          f"({wav_seconds(wav) / 60:.1f} min of speech)")
    env = dict(os.environ, NARRATE_CACHE=str(work / "build-cache"))
    env.pop("NARRATE_VOICES", None)
    seconds, peak, _ = run_measured(narrate_cmd() + ["build", str(SEED), "--out", str(work / "out")],
                                    env)
    print(f"narrate build (cold cache, all cores): {seconds:.1f} s = {seconds / reference:.2f}x the "
          f"reference; peak memory of the build's process tree {peak:.0f} MB resident "
          f"(shared pages once per process), {PSS[-1]:.0f} MB proportional (once in all)")
    cores = os.cpu_count() or 1
    aac, mp3 = encoders_cpu(work / "build-cache", work / "encodes")
    print(f"its process tree used {CPU[-1]:.1f} CPU-seconds ({CPU[-1] / seconds / cores:.0%} of "
          f"{cores} cores while it ran); the encoders' own share, the same pieces encoded again "
          f"one ffmpeg at a time: AAC {aac:.1f} + MP3 {mp3:.1f} = {aac + mp3:.1f} CPU-seconds, "
          f"{(aac + mp3) / cores / reference:.2f}x the reference spread over {cores} cores")
    again, _, _ = run_measured(narrate_cmd() + ["build", str(SEED), "--out", str(work / "out")], env)
    epub, _, _ = run_measured(narrate_cmd() + ["build", str(SEED), "--out", str(work / "out"),
                                               "--readalong"], env)
    print(f"the read-along EPUB: a rebuild that writes it {epub:.2f} s, one that does not "
          f"{again:.2f} s: it adds {max(0.0, epub - again):.2f} s = "
          f"{max(0.0, epub - again) / seconds:.1%} of the cold build")


def encoders_cpu(cache: Path, work: Path) -> tuple[float, float]:
    """CPU-seconds of ffmpeg encoding the seed's pieces as a build does (AAC, MP3), from
    chapters assembled from `cache`: the part of a build that is the encoders' own work."""
    from narrate import stitch
    from narrate.plan import load_book, plan_book
    from narrate.render.cache import Cache
    from narrate.stitch.encode import encode_pieces
    from narrate.values import BuildOptions

    plan = plan_book(load_book(SEED), Cache(cache), BuildOptions(out=work))
    work.mkdir(parents=True, exist_ok=True)
    spent = {"aac": 0.0, "mp3": 0.0}
    for chapter in plan.chapters:
        record = stitch.pieces.assemble_to_disk(chapter, plan.mastering, work, 1, None)
        for _, codec, pieces in stitch.pieces.encode_batches(work, record):
            before = _cpu()  # the encoders run in process with PyAV
            encode_pieces(stitch.pieces.pcm_path(work, record.id), record.rate, pieces, codec,
                          plan.mastering.bitrate_kbps)
            spent[codec] += _cpu() - before
    return spent["aac"], spent["mp3"]


def bench_edit(work: Path) -> None:
    """The edit loop on the seed: full build, one-paragraph edit, insertion, no change; preview."""
    print("== edit loop: rebuilds against the full cold build, and preview latency")
    book_dir = work / "edit"
    book_dir.mkdir()
    source = book_dir / "prophet-essay.txt"
    shutil.copy(SEED, source)
    shutil.copy(SEED.with_suffix(".yaml"), source.with_suffix(".yaml"))
    env = dict(os.environ, NARRATE_CACHE=str(work / "edit-cache"))
    build = narrate_cmd() + ["build", str(source), "--out", str(work / "edit-out")]
    full, _, _ = run_measured(build, env)
    print(f"full cold build:                      {full:6.1f} s")
    text = source.read_text(encoding="utf-8")
    chapters = text.split("\n\n\n")
    middle = chapters[2].split("\n\n")
    middle[3] = middle[3].replace(" the ", " the very ", 1)  # one paragraph of chapter 3 of 4
    chapters[2] = "\n\n".join(middle)
    source.write_text("\n\n\n".join(chapters), encoding="utf-8")
    edit, _, out = run_measured(build, env)
    print(f"rebuild after editing one paragraph:  {edit:6.1f} s = {edit / full:5.1%} of the full "
          f"build ({out.splitlines()[0]}; {out.splitlines()[1]})")
    chapters[0] = "A new paragraph, inserted at the top of the first chapter.\n\n" + chapters[0]
    source.write_text("\n\n\n".join(chapters), encoding="utf-8")
    insert, _, out = run_measured(build, env)
    print(f"rebuild after inserting a paragraph:  {insert:6.1f} s = {insert / full:5.1%} of the "
          f"full build ({out.splitlines()[0]}; {out.splitlines()[1]})")
    spread = []
    for number, chapter in enumerate(chapters):  # an edit anywhere costs about the same
        paragraphs = chapter.split("\n\n")
        for place in (len(paragraphs) // 3, 2 * len(paragraphs) // 3):
            paragraphs[place] += " So it was."
            chapters[number] = "\n\n".join(paragraphs)
            source.write_text("\n\n\n".join(chapters), encoding="utf-8")
            spread.append(run_measured(build, env)[0] / full)
    print(f"edits at {len(spread)} other places (2 a chapter): median "
          f"{statistics.median(spread):.1%}, worst {max(spread):.1%} of the full build "
          f"({', '.join(f'{s:.1%}' for s in spread)})")
    same, _, out = run_measured(build, env)
    print(f"rebuild with no change:               {same:6.2f} s ({out.splitlines()[1]})")
    dry, _, _ = run_measured(build + ["--dry-run"], env)
    print(f"build --dry-run:                      {dry:6.2f} s")

    # preview: a whole process with a warm cache, then a warm engine on words never heard
    preview = narrate_cmd() + ["preview", str(source), "02.014", "--out", str(work / "p.wav")]
    cold_process, _, _ = run_measured(preview, env)
    print(f"narrate preview of one paragraph (new process, cached audio): {cold_process:.2f} s "
          f"wall, Python start-up included")
    from narrate.audition import Previewer, text_segment
    from narrate.plan import load_book
    from narrate.render.cache import Cache
    from narrate.render.profiles import load_profiles

    book = load_book(source)
    paragraph = next(s for s in book.sections if 300 < len(s.text) < 500)
    with Previewer(load_profiles(), Cache(work / "preview-cache")) as previewer:
        previewer.warm()
        latencies = []
        for n in range(5):
            flat = text_segment(f"Take {n}. " + paragraph.text, "narrator")
            result = previewer.preview(flat, work / f"warm{n}.wav")
            latencies.append(result.ready_after)
    print(f"first sound of a one-paragraph preview on a warm engine (not cached, "
          f"{result.seconds:.0f} s of audio): median {sorted(latencies)[2]:.3f} s, "
          f"max {max(latencies):.3f} s")


def generated_book(path: Path, words: int, chapter_words: int = 5000) -> Path:
    """A book of `words` words: chapters of `chapter_words`, paragraphs of about 100 words,
    every paragraph different (so nothing is served twice from the cache)."""
    import random

    rng = random.Random(words)
    vocabulary = ["the", "revolution", "party", "workers", "soviet", "congress", "war", "peace", "land", "bread", "history", "prophet", "exile", "city", "army", "leader", "class", "power", "state", "people", "letter", "train", "winter", "spring", "river", "street", "meeting", "speech", "paper", "book", "idea", "future", "past"]
    chapters, count, number = [], 0, 0
    while count < words:
        paragraphs = []
        for _ in range(chapter_words // 100):
            number += 1
            body = " ".join(rng.choice(vocabulary) for _ in range(96))
            paragraphs.append(f"Paragraph {number}: {body.capitalize()}.")
        chapters.append(f"# Chapter {len(chapters) + 1}\n\n" + "\n\n".join(paragraphs))
        count += chapter_words
    path.write_text("\n\n".join(chapters) + "\n", encoding="utf-8")
    return path


def bench_scale(work: Path) -> None:
    """The seed, a 10,000-word and a 100,000-word book (about ten hours at 160 words a
    minute), each built cold and then checked: time and peak memory of the whole process
    tree (workers and ffmpeg included), and the check's time against the build's."""
    print("== scale: the seed, a 10,000-word and a 100,000-word book, built cold, then checked")
    results = {}
    books = {"seed": SEED, "10k": generated_book(work / "book10k.md", 10_000),
             "100k": generated_book(work / "book100k.md", 100_000)}
    for name, source in books.items():
        env = dict(os.environ, NARRATE_CACHE=str(work / f"scale-cache-{name}"))
        out_root = work / f"scale-out-{name}"
        seconds, peak, out = run_measured(narrate_cmd() + ["build", str(source), "--out",
                                                           str(out_root)], env)
        folder = next(out_root.iterdir())
        check_seconds, check_peak, _ = run_measured(narrate_cmd() + ["check", str(folder)], env,
                                                    ok=(0, 1))
        results[name] = (seconds, peak, check_seconds, check_peak)
        print(f"{name:>5}: build {seconds:7.1f} s, peak {peak:4.0f} MB ({out.strip().splitlines()[-1]}); "
              f"check {check_seconds:6.1f} s = {check_seconds / seconds:.0%} of the build, "
              f"peak {check_peak:4.0f} MB")
    ratio = results["100k"][0] / results["10k"][0]
    print(f"time ratio 100k/10k: {ratio:.1f}x (10x would be linear); peak memory ratio: build "
          f"{results['100k'][1] / results['10k'][1]:.2f}, check "
          f"{results['100k'][3] / results['10k'][3]:.2f}")


def bench_ray(work: Path) -> None:
    """The seed through a Ray cluster (started here with `ray start`, on loopback) against
    the local pool, in the same run: render alone and whole builds, cold; then a batch of
    ten generated books that share paragraphs, against building them one by one."""
    from narrate.pipeline import render_book
    from narrate.plan import load_book
    from narrate.render.cluster import RayExecutor

    print("== ray: the seed through a Ray cluster of this machine's cores, against the local pool")
    ray = str(Path(sys.executable).parent / "ray")
    loopback = dict(os.environ, RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0", RAY_AUTH_MODE="disabled",
                    RAY_USAGE_STATS_ENABLED="0")
    os.environ.update(loopback)
    started, _ = timed(subprocess.run, [ray, "start", "--head", "--port=6391",
                                        f"--num-cpus={os.cpu_count()}",
                                        "--include-dashboard=false", "--disable-usage-stats"],
                       env=loopback, check=True, capture_output=True)
    print(f"ray start --head: {started:.1f} s (once per cluster, not per build)")
    try:
        book = load_book(SEED)
        local, report = timed(render_book, book, cache=work / "ray-local", progress=False)
        through, via = timed(render_book, book, cache=work / "ray-ray", progress=False,
                             executor="ray", address="127.0.0.1:6391")
        assert not report.failed and not via.failed
        tasks = sum(-(-len(group) // RayExecutor.batch_size) for group in _by_role(book))
        print(f"render alone: local pool {local:.1f} s; Ray {through:.1f} s = "
              f"{through / local:.2f}x; {len(via.rendered)} segments in about {tasks} tasks of "
              f"up to {RayExecutor.batch_size}: {tasks / through:.0f} tasks/s, "
              f"{len(via.rendered) / through:.0f} segments/s")
        builds = {}
        for name, extra in (("local", []), ("ray", ["--executor", "ray", "--address",
                                                    "127.0.0.1:6391"])):
            env = dict(loopback, NARRATE_CACHE=str(work / f"ray-build-cache-{name}"))
            builds[name], _, _ = run_measured(narrate_cmd() + [
                "build", str(SEED), "--out", str(work / f"ray-build-{name}")] + extra, env)
        print(f"whole build, cold: local {builds['local']:.1f} s; through Ray "
              f"{builds['ray']:.1f} s = {builds['ray'] / builds['local']:.2f}x")
        env = dict(loopback, NARRATE_CACHE=str(work / "ray-build-cache-local"))
        export, _, _ = run_measured(narrate_cmd() + ["build", str(SEED), "--out",
                                                     str(work / "ray-export-only")], env)
        print(f"the driver's own share, all segments cached (plan, assemble, encode, join): "
              f"{export:.1f} s for {report.audio_seconds / 60:.1f} min of audio from "
              f"{len(book.segments)} segments")
    finally:
        if "ray" in sys.modules:  # this process's connection first: a cluster stopped under
            sys.modules["ray"].shutdown()  # it makes its raylet log an unexpected end
        subprocess.run([ray, "stop", "--force"], env=loopback, check=False, capture_output=True)


def _by_role(book) -> list[list]:
    roles: dict[str, list] = {}
    for segment in book.segments:
        roles.setdefault(segment.role, []).append(segment)
    return list(roles.values())


def bench_batch(work: Path) -> None:
    """Ten books of about 1,000 words, each with 3 of its 15 paragraphs shared with others:
    one batch with one cache, against ten builds one by one, each with its own cache."""
    import random

    print("== batch: ten books in one run with one cache, against building them one by one")
    env = dict(os.environ)
    folder = work / "batch-books"
    folder.mkdir()
    rng = random.Random(10)
    words = ["river", "hill", "lecture", "town", "music", "history", "winter", "bridge", "road",
             "school", "garden", "letter", "teacher", "student", "question", "answer"]
    shared = [f"Shared paragraph {n}: " + " ".join(rng.choice(words) for _ in range(60)) + "."
              for n in range(6)]
    for number in range(1, 11):
        own = [f"Book {number} paragraph {n}: " + " ".join(rng.choice(words) for _ in range(60))
               + "." for n in range(12)]
        paragraphs = own[:6] + rng.sample(shared, 3) + own[6:]
        (folder / f"book{number:02d}.md").write_text(f"# Book {number}\n\n" +
                                                     "\n\n".join(paragraphs) + "\n")
    one_by_one = 0.0
    for source in sorted(folder.glob("*.md")):
        seconds, _, _ = run_measured(narrate_cmd() + [
            "build", str(source), "--out", str(work / "batch-alone"),
            "--cache", str(work / f"batch-alone-cache-{source.stem}")], env)
        one_by_one += seconds
    batch, _, out = run_measured(narrate_cmd() + ["build", str(folder), "--out",
                                                  str(work / "batch-out"), "--cache",
                                                  str(work / "batch-cache")], env)
    rows = [line.split() for line in out.splitlines()[1:-1]]
    rendered = sum(int(row[3].split("/")[0]) for row in rows)
    reused = sum(int(row[3].split("/")[1]) for row in rows)
    print(f"batch of 10 books (a fifth of each shared): one batch {batch:.1f} s against "
          f"{one_by_one:.1f} s one by one = {batch / one_by_one:.2f}x; the shared cache saved "
          f"{reused} of {rendered + reused} segments ({reused / (rendered + reused):.0%})")


def _shared_corpus() -> Path:
    """../shared/corpus beside the checkout, or beside the main one when this is a git
    worktree of it."""
    beside = ROOT.parent / "shared" / "corpus"
    common = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--git-common-dir"],
                            capture_output=True, text=True, check=False).stdout.strip()
    main = (ROOT / common).resolve().parent if common else ROOT
    return beside if beside.is_dir() else main.parent / "shared" / "corpus"


CORPUS = _shared_corpus()
KREHBIEL = ["Introduction", "Recognition of Musical Elements", "The Content and Kinds of Music",
            "The Modern Orchestra", "At an Orchestral Concert", "At a Pianoforte Recital",
            "At the Opera", "Choirs and Choral Music", "Musician, Critic, and Public"]
# what a listener should hear from each text (../shared/corpus/README.md): chapter titles
EXPECTED = {
    "krehbiel-how-to-listen-to-music.txt": KREHBIEL,
    "krehbiel-how-to-listen-to-music.html": KREHBIEL,
    "james-pragmatism.epub": ["Preface", "The Present Dilemma in Philosophy",
                              "What Pragmatism Means",
                              "Some Metaphysical Problems Pragmatically Considered",
                              "The One and the Many", "Pragmatism and Common Sense",
                              "Pragmatism’s Conception of Truth", "Pragmatism and Humanism",
                              "Pragmatism and Religion"],
    "art-of-command-line.md": ["Meta", "Basics", "Everyday use", "Processing files and data",
                               "System debugging", "One-liners", "Obscure but useful",
                               "macOS only", "Windows only", "More resources", "Disclaimer",
                               "License"],
    "jerome-three-men-in-a-boat.epub": ["Preface"] + [
        f"Chapter {n}" for n in ("One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight",
                                 "Nine", "Ten", "Eleven", "Twelve", "Thirteen", "Fourteen",
                                 "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen")],
    "hyperfine-readme.md": ["Features", "Usage", "Installation", "Alternative tools",
                            "Integration with other tools", "Origin of the name",
                            "Citing hyperfine", "License"],
    "freeculture.pdf": ["Preface", "Introduction", "“Piracy”", "Creators", "“Mere Copyists”",
                        "Catalogs", "“Pirates”", "“Piracy”", "“Property”", "Founders",
                        "Recorders", "Transformers", "Collectors", "“Property”", "Puzzles",
                        "Chimera", "Harms", "Balances", "Eldred", "Eldred II", "Conclusion",
                        "Afterword"],
    "federal-register-2020-17221.pdf": [],  # one document: its headings are sections
    "word365_structure.pdf": [],
    "comments.docx": [], "footnotes.docx": [], "simple-list.docx": [], "tables.docx": [],
    "text-box.docx": [],
    "prophet-essay.txt": ["The Prophets", "From the Steppe to the Soviet", "War and Revolution",
                          "The Tragedy of Power"],
}


def _bare_parse(path: Path) -> None:
    """The reference: the format's parser alone, with nothing narrate does."""
    import zipfile

    from lxml import html
    from markdown_it import MarkdownIt

    if path.suffix == ".pdf":
        import pypdfium2

        document = pypdfium2.PdfDocument(path)
        for page in document:
            page.get_textpage().get_text_range()
    elif path.suffix == ".docx":
        import mammoth

        with path.open("rb") as handle:
            mammoth.convert_to_html(handle)
    elif path.suffix == ".epub":
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith(".xhtml"):
                    html.fromstring(archive.read(name))
    elif path.suffix == ".html":
        html.fromstring(path.read_bytes())
    elif path.suffix == ".md":
        MarkdownIt("commonmark").parse(path.read_text(encoding="utf-8"))
    else:
        path.read_bytes().decode("latin-1").split("\n\n")


def bench_corpus(work: Path) -> None:
    """Each corpus text read and converted: chapters found against what a listener should
    hear, the time (median of 3) beside the bare parse of the same file, and the
    scorecard: words spoken and left out by kind, notes read, quote segments, junk
    spoken (an independent detector) and the share of the prose kept."""
    from narrate.convert.scorecard import score
    from narrate.metadata import load_lexicon
    from narrate.plan import load_book
    from narrate.read import read_document

    print("== corpus: reading real books (expected chapters from ../shared/corpus/README.md)")
    texts = [p for pattern in ("*.*", "pdf/*.pdf", "docx/*.docx")
             for p in sorted(CORPUS.glob(pattern))] if CORPUS.is_dir() else []
    texts = [p for p in texts if p.name in EXPECTED] + [SEED]
    if not CORPUS.is_dir():
        print(f"(no {CORPUS}: the seed only)")
    print(f"{'text':38} {'chapters':>9} {'titles':>7} {'convert':>8} {'bare':>6} {'spoken':>8} "
          f"{'notes':>5} {'quotes':>6} {'junk':>11} {'prose kept':>11} {'worst ch.':>9}")
    for path in texts:
        times = []
        for run in range(3):
            problems: list = []
            # a cache of its own each time: the conversion is timed, not the kept copy of it
            os.environ["NARRATE_CACHE"] = str(work / f"corpus-{path.stem}-{run}")
            seconds, book = timed(load_book, path, warnings=problems)
            times.append(seconds)
        bare = statistics.median(timed(_bare_parse, path)[0] for _ in range(3))
        card = score(read_document(path), book, problems, load_lexicon(book.extra.get("lexicon")))
        expected = EXPECTED[path.name]
        titles = [c.title for c in book.chapters if c.title_source != "opening"]
        right = sum(1 for t in expected if t in titles)
        junk = sum(card.junk.values())
        print(f"{path.name:38} {len(book.chapters):4} / {len(expected):<3} {right:3}/{len(expected):<3} "
              f"{statistics.median(times):7.2f}s {bare:5.2f}s {card.spoken_words:8,} "
              f"{card.notes_read:5} {card.quote_segments:6} {junk:4} {card.junk_share:6.2%} "
              f"{card.prose_kept:10.2%} {card.worst_chapter_kept:9.2%}")
        if card.left_out:
            print(f"{'':40}left out: " + ", ".join(f"{k} {v:,}" for k, v in
                                                  sorted(card.left_out.items())))
        if card.junk:
            print(f"{'':40}junk spoken: " + ", ".join(f"{k} {v}" for k, v in card.junk.items()))


DIALOGUE = CORPUS / "dialogue"  # three novels of the Project Dialogism Novel Corpus
NOVELS = ["PrideAndPrejudice", "TheSignOfTheFour", "AlicesAdventuresInWonderland"]
QUOTE_TYPES = ("Explicit", "Anaphoric", "Implicit")
CONVERT_TIMED = """
import sys, time
sys.path.insert(0, sys.argv[1])
from narrate.convert import convert
text = open(sys.argv[2], encoding="utf-8").read()
start = time.process_time()  # CPU time: the machine is shared, its wall time noisy
convert(text, source="novel_text.txt")  # a first one, as `narrate script` makes
print(time.process_time() - start)
"""


def _annotations(folder: Path) -> tuple[list[dict], dict[str, set[str]]]:
    """The annotated quotations, and each annotated character's names (case folded,
    without a leading "the": the corpus writes "The Hatter" and "March Hare" alike)."""
    import ast
    import csv

    def folded(name: str) -> str:
        return name.casefold().removeprefix("the ")

    with (folder / "quotation_info.csv").open(encoding="utf-8") as handle:
        quotes = list(csv.DictReader(handle))
    people = {}
    with (folder / "character_info.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            names = {row["Main Name"], *ast.literal_eval(row["Aliases"])}
            people[row["Main Name"]] = {folded(n) for n in names}
    return quotes, people


def _source_spans(book, text: str) -> list[tuple[int, int, object]]:
    """(start, end, segment) in the source text for each segment, found in order by its
    letters and digits (the reader drops _emphasis_ marks and joins lines)."""
    letters, where = [], []
    for n, char in enumerate(text):
        if char.isalnum():
            letters.append(char.lower())
            where.append(n)
    flat, spans, at = "".join(letters), [], 0
    for segment in book.segments:
        wanted = "".join(c.lower() for c in segment.text if c.isalnum())
        found = flat.find(wanted, at, at + len(wanted) + 5000) if wanted else -1
        if found >= 0:
            spans.append((where[found], where[found + len(wanted) - 1] + 1, segment))
            at = found + len(wanted)
    return spans


def _score_novel(book, folder: Path) -> dict:
    """Each annotated quotation against the quote segments over its character offsets
    (quoteByteSpans): right when the speaker's character is the annotated one (its name or
    an alias is one of theirs, the character its name names first); `named` when the
    speaker's own name is."""
    import ast
    import bisect
    from collections import Counter

    quotes, people = _annotations(folder)
    spans = _source_spans(book, (folder / "novel_text.txt").read_text(encoding="utf-8"))
    starts = [start for start, _, _ in spans]
    ours = {c.name: [n.casefold().removeprefix("the ") for n in c.names]
            for c in book.characters}

    def annotated(speaker: str) -> str | None:
        names = ours.get(speaker, [speaker.casefold().removeprefix("the ")])
        scores = {main: (names[0] in theirs, len(set(names) & theirs))
                  for main, theirs in people.items()}
        best = max(scores, key=lambda main: scores[main], default=None)
        return best if best and any(scores[best]) else None

    tally: Counter = Counter()
    for quote in quotes:
        over = []
        for start, end in ast.literal_eval(quote["quoteByteSpans"]):
            k = max(0, bisect.bisect_right(starts, start) - 1)
            while k < len(spans) and spans[k][0] < end:
                over += [spans[k][2]] if spans[k][1] > start else []
                k += 1
        kind, said = quote["quoteType"], [s for s in over if s.role == "quote"]
        speaker = said[0].speaker if said else None
        tally[kind] += 1
        tally[kind, "quote"] += bool(over) and len(said) == len(over)
        tally[kind, "attributed"] += bool(speaker)
        tally[kind, "right"] += bool(speaker) and annotated(speaker) == quote["speaker"]
        tally[kind, "named"] += bool(speaker) and \
            speaker.casefold().removeprefix("the ") in people.get(quote["speaker"], ())
    speaking = {q["speaker"] for q in quotes}
    found = {annotated(c.name) for c in book.characters} - {None}
    tally["characters"], tally["annotated"] = len(book.characters), len(people)
    tally["speakers"], tally["speakers found"] = len(speaking), len(speaking & found)
    return tally


def _convert_seconds(trees: tuple[Path, Path], novel: Path) -> tuple[float, float]:
    """CPU seconds of a conversion of the novel by the narrate in each of two trees: the
    median of three, the two run in turn (a load on the machine weighs on both alike)."""
    runs: dict[Path, list[float]] = {tree: [] for tree in trees}
    for _ in range(3):
        for tree in trees:
            out = subprocess.run([sys.executable, "-c", CONVERT_TIMED, str(tree), str(novel)],
                                 capture_output=True, text=True, check=True).stdout
            runs[tree].append(float(out.split()[-1]))
    after, before = (statistics.median(runs[tree]) for tree in trees)
    return after, before


def _tree_at(ref: str, work: Path) -> Path:
    """narrate's code at a git ref, unpacked in `work` (the reference conversion)."""
    folder = work / f"narrate-{ref.replace('/', '-')}"
    folder.mkdir(exist_ok=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "narrate"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def _rate(tally, part: str, kinds=QUOTE_TYPES) -> float:
    return sum(tally[k, part] for k in kinds) / max(1, sum(tally[k] for k in kinds))


def bench_speakers(work: Path) -> None:
    """Who says each quotation, against three novels of the Project Dialogism Novel Corpus
    (../shared/corpus/dialogue/, every quotation's speaker annotated): accuracy by
    quotation type (a tag names the speaker; a tag with a pronoun or a description; no
    tag), pooled; the share of quotations read in the quote role and the share given a
    speaker; the characters found against the annotated; and each novel's conversion
    (CPU seconds) against narrate's at BEFORE (a git ref: main unless --before says)."""
    from collections import Counter

    from narrate.convert import convert

    if not DIALOGUE.is_dir():
        print(f"== speakers: no {DIALOGUE}; skipped")
        return
    before = _tree_at(BEFORE[0], work)
    print(f"== speakers: who says each quotation ({DIALOGUE}); conversion against {BEFORE[0]}")
    print(f"{'novel':30} {'quotes':>6} {'explicit':>8} {'anaphor.':>8} {'implicit':>8} "
          f"{'all':>6} {'(name)':>6} {'quote role':>10} {'attributed':>10} "
          f"{'characters':>10} {'speakers':>9} {'convert':>8} {'before':>7} {'ratio':>6}")
    pooled: Counter = Counter()
    for name in NOVELS:
        folder = DIALOGUE / name
        book, _ = convert((folder / "novel_text.txt").read_text(encoding="utf-8"),
                          source="novel_text.txt")
        tally = _score_novel(book, folder)
        pooled.update(tally)
        after, then = _convert_seconds((ROOT, before), folder / "novel_text.txt")
        _speaker_row(name, tally, f"{after:7.2f}s {then:6.2f}s {after / then:5.2f}x")
    _speaker_row("pooled", pooled, "")
    print(f"targets (pooled): accuracy {_rate(pooled, 'right'):.3f} >= 0.85, explicit "
          f"{_rate(pooled, 'right', ('Explicit',)):.3f} >= 0.97, quote role "
          f"{_rate(pooled, 'quote'):.3f} >= 0.97; conversion <= 1.5x")


def _speaker_row(name: str, tally, times: str) -> None:
    kinds = " ".join(f"{_rate(tally, 'right', (k,)):8.3f}" for k in QUOTE_TYPES)
    print(f"{name:30} {sum(tally[k] for k in QUOTE_TYPES):6} {kinds} "
          f"{_rate(tally, 'right'):6.3f} {_rate(tally, 'named'):6.3f} "
          f"{_rate(tally, 'quote'):10.3f} {_rate(tally, 'attributed'):10.3f} "
          f"{tally['characters']:4} / {tally['annotated']:<3} "
          f"{tally['speakers found']:3}/{tally['speakers']:<3}  {times}")


VOICE_TEXTS = ["prophet-essay.txt", "krehbiel-how-to-listen-to-music.txt",
               "james-pragmatism.epub", "jerome-three-men-in-a-boat.epub",
               "art-of-command-line.md", "hyperfine-readme.md"]


def _passage(path: Path, words: int) -> list[str]:
    """About `words` words of a text's prose, from its middle chapter: the `say` of
    whole segments, as narrate speaks them."""
    from narrate.plan import load_book

    book = load_book(path)
    chapter = book.chapters[len(book.chapters) // 2]
    says, count = [], 0
    for segment in chapter.segments + [s for c in book.chapters for s in c.segments]:
        if count >= words:
            break
        if segment.say.strip() and len(segment.say.split()) >= 6 and segment.say not in says:
            says.append(segment.say)
            count += len(segment.say.split())
    return says


class MosPredictor:
    """DistillMOS (its weights are in its wheel), on 16 kHz audio in 10 s windows: the
    mean of the windows' predictions. Needs the bench extra (torch)."""

    def __init__(self):
        import distillmos
        import torch

        torch.set_num_threads(os.cpu_count() or 1)
        self.torch, self.model = torch, distillmos.ConvTransformerSQAModel()
        self.model.eval()

    def __call__(self, audio) -> float:
        window, scores = 16000 * 10, []
        with self.torch.no_grad():
            for start in range(0, max(1, len(audio) - window // 2), window):
                piece = self.torch.from_numpy(audio[start:start + window].copy())[None]
                scores.append(float(self.model(piece)))
        return sum(scores) / len(scores)


def bench_voices(work: Path) -> None:
    """Every role of every cast on the seed and each corpus text (about two minutes of each):
    predicted MOS (DistillMOS), the machine listener's WER (the passage's misheard words
    over its words, British and American spellings one word), median F0
    and the distance from the cast's narrator in semitones, and speed in seconds of
    audio per CPU-second, the bare engine (in this process) and through narrate."""
    import numpy as np

    from narrate.measure import median_f0
    from narrate.qa.listen import (
        asr_installed,
        normalise,
        transcribe_all,
        word_edits,
        word_error_rate,
    )
    from narrate.qa.verify import as_16k, read_take
    from narrate.render import RenderItem, render_items
    from narrate.render.cache import Cache
    from narrate.render.engines import installed
    from narrate.render.profiles import load_profiles

    print("== voices: every role of every cast on a passage of each text (MOS: DistillMOS; WER: misheard words over the passage's words)")
    texts = [CORPUS / name for name in VOICE_TEXTS if (CORPUS / name).is_file()]
    texts = [SEED] + [t for t in texts if t.name != SEED.name]
    passages = {path.name: _passage(path, 300) for path in texts}
    mos = MosPredictor()
    listens = asr_installed()
    print(f"{'cast':8} {'role':9} {'engine voice':24} {'text':38} {'MOS':>5} {'WER':>6} "
          f"{'F0 Hz':>6} {'st':>6}")
    misheard = []
    for cast in CASTS:
        profiles = load_profiles(cast)
        if not all(installed(p.engine) for p in profiles.values()):
            print(f"{cast:8} (not installed: {', '.join(sorted({p.engine for p in profiles.values()}))})")
            continue
        narrator_f0: dict[str, float] = {}
        for role in sorted(profiles, key=lambda r: r != "narrator"):
            profile = profiles[role]
            lines = [(name, say) for name, says in passages.items() for say in says]
            bare_cpu, bare_audio = _bare_engine(cast, role, [say for _, say in lines], work)
            items = [RenderItem(f"{n}", say, role) for n, (_, say) in enumerate(lines)]
            cpu_before = _cpu()
            report = render_items(items, profiles, Cache(work / f"voices-{cast}-{role}"), jobs=2,
                                  progress=False)
            through = report.audio_seconds / max(1e-6, _cpu() - cpu_before)
            takes = {i.id: read_take(report.paths[i.id]) for i in items}
            heard = transcribe_all({i: as_16k(*takes[i]) for i in takes}, 2) if listens else {}
            for name in passages:
                ids = [i.id for i, (text, _) in zip(items, lines) if text == name]
                rate = takes[ids[0]][1]
                f0 = median_f0(np.concatenate([takes[i][0] for i in ids]), rate)
                narrator_f0.setdefault(name, f0)
                semis = 12 * np.log2(narrator_f0[name] / f0) if f0 else float("nan")
                score = mos(np.concatenate([as_16k(*takes[i]) for i in ids]))
                errors = {i: word_error_rate(items[int(i)].say, heard[i]) for i in ids if i in heard}
                wer = (sum(word_edits(items[int(i)].say, heard[i]) for i in errors)
                       / sum(len(normalise(items[int(i)].say)) for i in errors)) if errors else float("nan")
                misheard += [(errors[i], cast, role, items[int(i)].say, heard[i]) for i in errors
                             if errors[i] > 0 and name == SEED.name]
                print(f"{cast:8} {role:9} {profile.engine + ' ' + profile.voice:24.24} "
                      f"{name:38.38} {score:5.2f} {wer:6.1%} {f0:6.0f} {semis:6.1f}", flush=True)
            print(f"{'':8} {role:9} speed: the engine in this process {bare_audio / bare_cpu:.0f} "
                  f"s of audio per CPU-second; through narrate (2 workers, start-up included) "
                  f"{through:.0f}", flush=True)
    print("the seed's misheard segments (WER, cast, role: said -> heard):")
    for error, cast, role, said, heard_as in sorted(misheard, reverse=True)[:12]:
        print(f"  {error:5.1%} {cast} {role}: {said[:90]!r} -> {heard_as[:90]!r}")


def _cpu() -> float:
    """CPU-seconds of this process and its children that have ended."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


BARE_ENGINE = """
import json, sys, time, wave
from pathlib import Path
from narrate.render.engines import create_engine
from narrate.render.profiles import load_profiles
cast, role, lines, path = sys.argv[1:5]
engine = create_engine(load_profiles(cast)[role])
spent = audio = 0.0
for say in json.loads(open(lines, encoding="utf-8").read()):
    start = time.process_time()
    engine.synthesize(say, Path(path))
    spent += time.process_time() - start
    with wave.open(path) as wav:
        audio += wav.getnframes() / wav.getframerate()
print(spent, audio)
"""


def _bare_engine(cast: str, role: str, says: list[str], work: Path) -> tuple[float, float]:
    """CPU-seconds and seconds of audio of the role's engine alone on these lines, in a
    process of its own (a pyttsx3 engine takes one profile a process), start-up left out."""
    import json

    lines = work / "bare-lines.json"
    lines.write_text(json.dumps(says), encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", BARE_ENGINE, cast, role, str(lines),
                          str(work / "bare.wav")], capture_output=True, text=True, check=True)
    spent, audio = out.stdout.split()[-2:]
    return float(spent), float(audio)


BEFORE = ["main"]  # bench speakers --before REF: the conversion it is timed against
CASTS = ["natural", "espeak", "neural"]  # bench voices --cast NAME: one of them

CLICK_TO_SOUND = """var done = arguments[arguments.length - 1], player = document.getElementById('player');
player.pause();
var started = performance.now();
player.addEventListener('playing', function () { done(performance.now() - started); },
                        {once: true});
document.getElementById(arguments[0]).click();"""
HEAR_TO_SOUND = """var done = arguments[arguments.length - 1], take = document.getElementById('new-take');
document.getElementById('player').pause();
document.getElementById('edit-say').value = arguments[0];
var started = performance.now();
take.addEventListener('playing', function () { done(performance.now() - started); },
                      {once: true});
document.getElementById('hear').click();"""
KEEP_TO_SOUND = """var done = arguments[arguments.length - 1], player = document.getElementById('player');
player.pause();
document.getElementById('edit-say').value = arguments[0];
var started = performance.now(), kept = document.body.dataset.kept || '0';
player.addEventListener('playing', function heard() {
  if ((document.body.dataset.kept || '0') === kept) { return; }  // not yet the rebuilt chapter
  player.removeEventListener('playing', heard);
  done(performance.now() - started);
});
document.getElementById('keep').click();"""


def _headless_chromium():
    os.environ["SE_OFFLINE"] = "true"  # never fetch a browser or a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--mute-audio",
                 "--autoplay-policy=no-user-gesture-required", "--window-size=1000,800"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_script_timeout(600)
    return driver


def bench_studio(work: Path) -> None:
    """narrate studio on the seed with the default cast, in headless Chromium: a click to
    the sound of a cached take, an edit to the sound of its new take, and a Keep to the
    rebuilt chapter playing, against the seed's cold build in the same run."""
    import narrate

    print("== studio: the edit loop in a browser (default cast), against the cold build")
    cache, out = work / "studio-cache", work / "studio-out"
    env = dict(os.environ, NARRATE_CACHE=str(cache))
    full, _, _ = run_measured(narrate_cmd() + ["build", str(SEED), "--out", str(out)], env)
    print(f"full cold build of the seed:               {full:6.1f} s")
    studio = narrate.open_studio(out / "prophet-essay", cache=cache).start()
    browser = _headless_chromium()
    try:
        browser.get(studio.url)
        browser.execute_async_script(
            "var done = arguments[0], s = document.getElementById('status');"
            "(function look() { if (s.textContent === 'ready') { done(); } else {"
            " setTimeout(look, 20); } })();")
        lines = [s for s in studio.session.view()["chapters"][0]["segments"] if "." in s["id"]
                 and not s["id"].endswith(".000")]
        clicks = [browser.execute_async_script(CLICK_TO_SOUND, f"seg-{s['id']}") / 1000
                  for s in lines[1:8]]
        print(f"click to sound, a cached take ({len(clicks)} sentences): median "
              f"{statistics.median(clicks):.3f} s, worst {max(clicks):.3f} s  (target 0.2 s; "
              f"{', '.join(f'{c:.3f}' for c in clicks)})")
        hears = []
        for number, line in enumerate(lines[1:6]):
            browser.execute_async_script(CLICK_TO_SOUND, f"seg-{line['id']}")
            hears.append(browser.execute_async_script(
                HEAR_TO_SOUND, f"{line['say']} So it was, number {number + 1}.") / 1000)
        print(f"edit to hearing the new take ({len(hears)} sentences): median "
              f"{statistics.median(hears):.3f} s, worst {max(hears):.3f} s  (target 1 s; "
              f"{', '.join(f'{h:.3f}' for h in hears)})")
        line = lines[len(lines) // 2]
        browser.execute_async_script(CLICK_TO_SOUND, f"seg-{line['id']}")
        keep = browser.execute_async_script(KEEP_TO_SOUND, line["say"] + " So it was.") / 1000
        print(f"Keep to the rebuilt chapter playing:        {keep:6.2f} s = {keep / full:5.1%} of "
              "the cold build  (target 5%)")
    finally:
        browser.quit()
        studio.stop()
    bench_studio_memory(out / "prophet-essay", cache)
    bench_studio_paint(work)


# the largest text painted (the chapter's paragraphs), in ms since the page was asked for
FIRST_PAINT = """var done = arguments[arguments.length - 1], selector = arguments[0];
(function look() {
  if (!document.querySelector(selector)) { return setTimeout(look, 10); }
  new PerformanceObserver(function (list) {
    var seen = list.getEntries();
    done(seen[seen.length - 1].startTime);
  }).observe({type: 'largest-contentful-paint', buffered: true});
})();"""


def _first_paint(browser, url: str, selector: str) -> float:
    browser.get("about:blank")
    browser.get(url)
    return browser.execute_async_script(FIRST_PAINT, selector) / 1000


def bench_studio_paint(work: Path) -> None:
    """Time to the first paint of a chapter of thirty minutes of text in the studio, against
    the read-along page (index.html, the same text in one file) of the same book."""
    import narrate

    words = SEED.read_text(encoding="utf-8").split()[:4500]  # ~30 minutes at 150 a minute
    lines = [" ".join(words[i:i + 90]) for i in range(0, len(words), 90)]
    source = work / "long-chapter.txt"
    source.write_text("CHAPTER I. The whole of it\n\n\n" + "\n\n".join(lines) + "\n",
                      encoding="utf-8")
    folder = narrate.build(source, out=work / "long-out", voices="espeak",
                           cache=work / "long-cache").folder
    studio = narrate.open_studio(folder, voices="espeak").start()
    browser = _headless_chromium()
    try:
        browser.set_window_size(1280, 800)
        segments = len(studio.session.view()["chapters"][0]["segments"])
        audio = studio.session.view()["chapters"][0]["segments"][-1]["end"]
        studio_ms = [_first_paint(browser, studio.url, "#text .seg") for _ in range(3)]
        page_ms = [_first_paint(browser, (folder / "index.html").as_uri(), ".seg")
                   for _ in range(3)]
    finally:
        browser.quit()
        studio.stop()
    paint, reference = statistics.median(studio_ms), statistics.median(page_ms)
    print(f"first paint of a chapter of {audio / 60:.0f} minutes ({segments} sentences), median "
          f"of 3: studio {paint:.3f} s, read-along page {reference:.3f} s = "
          f"{paint / reference:.2f}x  ({', '.join(f'{t:.3f}' for t in studio_ms)})")


HEARS = 200


def bench_studio_memory(folder: Path, cache: Path) -> None:
    """The studio's resident memory (its whole process tree: a voice worker too) before
    any Hear, after the first and after HEARS, each of another text (each rendered)."""
    import json
    import re
    import urllib.request

    from narrate.memory import tree_rss_mb

    env = dict(os.environ, NARRATE_CACHE=str(cache), PYTHONUNBUFFERED="1")  # its address now
    process = subprocess.Popen(narrate_cmd() + ["studio", str(folder), "--no-browser"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env=env)
    try:
        url = re.search(r"(http://\S+)\?token=(\S+)", process.stdout.readline())
        origin, token = url.group(1).rstrip("/"), url.group(2)

        def call(path: str, body=None):
            request = urllib.request.Request(origin + path, json.dumps(body).encode() if body
                                             else None, {"X-Narrate-Token": token,
                                                         "Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=600) as answer:
                return json.loads(answer.read())

        lines = [s for s in call("/api/book")["chapters"][0]["segments"]
                 if not s["id"].endswith(".000")]
        started = tree_rss_mb(process.pid)
        sizes = []
        for number in range(HEARS):
            line = lines[number % len(lines)]
            call("/api/hear", {"id": line["id"], "say": f"{line['say']} So it was, {number}."})
            sizes.append(tree_rss_mb(process.pid))
    finally:
        process.terminate()
        process.wait(timeout=60)
    half = HEARS // 2  # growing still, or settled?
    print(f"studio memory (RSS, its process tree): {started:.0f} MB before a Hear, "
          f"{sizes[0]:.0f} MB after the first, {sizes[half - 1]:.0f} MB after {half}, "
          f"{sizes[-1]:.0f} MB after {HEARS} (= {sizes[-1] / sizes[0]:.2f}x the first; "
          f"peak {max(sizes):.0f} MB)")


def _voice_encoder():
    """Resemblyzer's speaker encoder (its weights are in its wheel). webrtcvad 2.0.10, which
    it imports, asks pkg_resources for its own version only; setuptools 81 and later have no
    pkg_resources, so that one question is answered from importlib.metadata."""
    import importlib.metadata
    import types

    try:
        import pkg_resources  # noqa: F401
    except ImportError:
        stub = types.ModuleType("pkg_resources")
        stub.get_distribution = lambda name: types.SimpleNamespace(  # type: ignore[attr-defined]
            version=importlib.metadata.version(name))
        sys.modules["pkg_resources"] = stub
    from resemblyzer import VoiceEncoder, preprocess_wav

    encoder = VoiceEncoder("cpu", verbose=False)
    return lambda audio: encoder.embed_utterance(preprocess_wav(audio, source_sr=16000))


CAST_CHAPTERS = 1  # bench cast: each novel's chapter with the most attributed lines
CAST_LINES = 4  # lines of each character (and of the narrator) rendered


def _cast_chapters(book):
    """A copy of `book` holding only its CAST_CHAPTERS chapters with the most lines given a
    speaker, in the book's order."""
    import copy

    said = {c.id: sum(1 for s in c.segments if s.speaker) for c in book.chapters}
    chosen = set(sorted(said, key=lambda c: -said[c])[:CAST_CHAPTERS])
    part = copy.copy(book)
    part.chapters = [c for c in book.chapters if c.id in chosen]
    return part


def _voice_name(profile) -> str:
    shift = profile.options.get("semitones", 0)
    return (f"{profile.engine} {profile.voice}{f' {shift:+g} st' if shift else ''}"
            f"{f' pitch {profile.pitch}' if profile.engine == 'pyttsx3' else ''} {profile.rate} wpm")


def bench_cast(work: Path) -> None:
    """A voice for each character (narrate.render.voicing), in the natural cast, on the
    CAST_CHAPTERS chapters of each novel of ../shared/corpus/dialogue/ with the most
    attributed lines: DistillMOS of every voice the
    cast uses (target >= 4.2), and Resemblyzer's speaker-embedding cosine of every two
    characters who share a conversation (<= 0.75) and of the narrator and each character
    (<= 0.80), each character's first CAST_LINES lines of four words or more."""
    import numpy as np

    from narrate.convert import ConvertOptions, convert
    from narrate.plan import book_profiles
    from narrate.qa.verify import as_16k, read_take
    from narrate.render import book_items, render_items
    from narrate.render.cache import Cache
    from narrate.render.voicing import conversations

    if not DIALOGUE.is_dir():
        print(f"== cast: no {DIALOGUE}; skipped")
        return
    mos, embed = MosPredictor(), _voice_encoder()
    print(f"== cast: a voice for each character, natural cast; {CAST_CHAPTERS} chapters of "
          f"each novel, {CAST_LINES} lines a speaker (MOS: DistillMOS; cosine: Resemblyzer)")
    for name in NOVELS:
        text = (DIALOGUE / name / "novel_text.txt").read_text(encoding="utf-8")
        whole, _ = convert(text, ConvertOptions(dialogue=True), source="novel_text.txt")
        profiles = book_profiles(whole, "natural")
        book = _cast_chapters(whole)
        lines: dict[str, list] = {}
        for item in book_items(book):
            if len(item.say.split()) >= 4 and item.voice.split(":")[0] in profiles and (
                    item.speaker or item.role == "narrator"):
                who = item.speaker or "(narrator)"
                if len(lines.setdefault(who, [])) < CAST_LINES:
                    lines[who].append(item)
        lines = {who: items for who, items in lines.items() if len(items) >= 2}
        items = [i for found in lines.values() for i in found]
        report = render_items(items, profiles, Cache(work / f"cast-{name}"), jobs=2,
                              progress=False)
        audio = {who: np.concatenate([as_16k(*read_take(report.paths[i.id])) for i in found])
                 for who, found in lines.items()}
        voice_of = {who: _voice_name(profiles[found[0].voice]) for who, found in lines.items()}
        print(f"{name} (chapters {', '.join(c.id for c in book.chapters)}):")
        print(f"  {'voice':44} {'MOS':>5}  characters")
        for voice in sorted(set(voice_of.values())):
            who = [w for w in lines if voice_of[w] == voice]
            score = mos(np.concatenate([audio[w] for w in who]))
            print(f"  {voice:44} {score:5.2f}  {', '.join(who)}")
        embedded = {who: embed(audio[who]) for who in audio}
        shared = conversations(book)
        pairs = sorted({tuple(sorted((a, b))) for a in embedded for b in shared.get(a, ())
                        if b in embedded})
        pairs += [("(narrator)", who) for who in embedded if who != "(narrator)"
                  and "(narrator)" in embedded]
        print(f"  {'pair':52} {'cosine':>6}  target")
        for a, b in pairs:
            cosine = float(np.dot(embedded[a], embedded[b]))
            target = 0.80 if a == "(narrator)" else 0.75
            print(f"  {a + ' / ' + b:52.52} {cosine:6.3f}  <= {target:.2f}"
                  f"{'' if cosine <= target else '  OVER'}", flush=True)


SECTIONS = {"corpus": bench_corpus, "speakers": bench_speakers, "render": bench_render, "build": bench_build, "edit": bench_edit,
            "neural": bench_neural, "voices": bench_voices, "cast": bench_cast,
            "scale": bench_scale, "ray": bench_ray, "batch": bench_batch,
            "studio": bench_studio, "words": lambda work: bench_words(work, SEED)}


from bench_words import bench_words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sections", nargs="*", choices=[[], *SECTIONS], default=[])
    parser.add_argument("--cast", action="append", choices=CASTS, help="voices: only this cast")
    parser.add_argument("--before", default=BEFORE[0],
                        help="speakers: the git ref whose conversion is the reference")
    args = parser.parse_args()
    CASTS[:] = args.cast or CASTS
    BEFORE[:] = [args.before]
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    with tempfile.TemporaryDirectory(prefix="narrate-bench-") as work:
        for name in args.sections or SECTIONS:
            SECTIONS[name](Path(work))


if __name__ == "__main__":
    main()
