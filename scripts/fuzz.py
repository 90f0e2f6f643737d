"""Feed `narrate script` mutated books and count what comes back.

    scripts/fuzz                    # three minutes
    scripts/fuzz --minutes 10 --seed 7 --keep /tmp/found

Seeds are the test fixtures (a Gutenberg text and HTML page, a Markdown page, an EPUB)
and small hand-made shapes. Each input is a seed mutated: bytes flipped, inserted or
deleted, a stretch repeated thousands of times, a structure nested deep, an EPUB
member damaged or its zip header bits set. Every input runs in its own process, with
a time limit and a memory limit; the outcome is one of
  ok           exit 0
  refused      exit 2 with one line on stderr (bad input said plainly)
  traceback    any other exit, or a Python traceback
  hang         past the time limit
  memory       past the memory limit (a MemoryError, or killed)
Inputs that end in traceback, hang or memory are kept (--keep) with a note of what
happened. The exit code is 1 when any was found.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from concurrent import futures
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "corpus"
TIME_LIMIT = 60  # seconds an input may take
MEMORY_LIMIT = 1 << 30  # bytes of address space beyond the interpreter's own


def seeds() -> list[tuple[str, bytes]]:
    """(suffix, bytes) of each seed book."""
    found = [(p.suffix, p.read_bytes()) for p in sorted(FIXTURES.glob("*"))
             if p.suffix in (".txt", ".md", ".html")]
    epub = io.BytesIO()
    with zipfile.ZipFile(epub, "w", zipfile.ZIP_DEFLATED) as archive:
        folder = FIXTURES / "pragmatism-epub"
        archive.writestr("mimetype", (folder / "mimetype").read_bytes(), zipfile.ZIP_STORED)
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and name != "mimetype":
                archive.writestr(name, path.read_bytes())
    found.append((".epub", epub.getvalue()))
    found += [(".md", b"---\ntitle: T\n---\n\n# One\n\n> A quote, said.\n\n- a\n  - b\n\nText.\n"),
              (".html", (b"<html><body><h1>T</h1><p>Some <b>words</b>.</p><table><tr><td>1"
                        b"</td></tr></table></body></html>"))]
    return found


def mutate(suffix: str, data: bytes, rng: random.Random) -> bytes:
    if suffix == ".epub" and rng.random() < 0.6:
        return _mutate_epub(data, rng)
    return rng.choice(_MUTATIONS)(bytearray(data), rng)


def _flip(data: bytearray, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 20)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def _insert(data: bytearray, rng: random.Random) -> bytes:
    token = rng.choice([b"\x00", b"\xff\xfe", b"<", b"</", b"&", b"[", b"_", b"*", b"\xe2\x80\x9c",
                        b"Mr. ", b"\n", b"\n\n", b"# ", b"> ", b"- ", b"<div>", b"<o:p>",
                        b"\xef\xbb\xbf", b"\r", b"\t", b"CHAPTER I", b"---\n"])
    at = rng.randrange(len(data) + 1)
    return bytes(data[:at] + token * rng.choice([1, 10, 1000, 20000]) + data[at:])


def _delete(data: bytearray, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return bytes(data[:at] + data[at + rng.randint(1, 5000):])


def _repeat(data: bytearray, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    piece = data[at:at + rng.randint(1, 200)]
    return bytes(data[:at] + piece * rng.choice([10, 1000, 5000]) + data[at:])


def _nest(data: bytearray, rng: random.Random) -> bytes:
    depth = rng.choice([30, 300, 3000])
    opening, closing = rng.choice([(b"> ", b""), (b"<div>", b"</div>"), (b"[", b"]"),
                                   (b"  - ", b"")])
    at = rng.randrange(len(data) + 1)
    return bytes(data[:at] + opening * depth + b"deep words" + closing * depth + data[at:])


def _no_blank_lines(data: bytearray, rng: random.Random) -> bytes:
    return bytes(data).replace(b"\n\n", b"\n").replace(b"\r\n\r\n", b"\r\n")


_MUTATIONS = [_flip, _insert, _delete, _repeat, _nest, _no_blank_lines]


def _mutate_epub(data: bytes, rng: random.Random) -> bytes:
    """Mutate one member and zip it again, or damage the zip's own headers."""
    if rng.random() < 0.3:  # the zip's bytes: a flag, a version, a size, a stream
        raw = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(raw))
            raw[at] = rng.randrange(256)
        return bytes(raw)
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    victim = rng.choice(names)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            content = source.read(name)
            if name == victim:
                content = rng.choice(_MUTATIONS)(bytearray(content), rng)
            archive.writestr(name, content)
    return out.getvalue()


def run_one(path: Path) -> tuple[str, str]:
    """(outcome, detail) of `narrate script PATH -o -` in its own process."""
    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT + (512 << 20),) * 2)

    env = {**os.environ, "NARRATE_CACHE": str(path.parent / "cache")}
    try:
        done = subprocess.run([sys.executable, "-m", "narrate", "script", str(path), "-o", "-"],
                              capture_output=True, text=True, errors="replace",
                              timeout=TIME_LIMIT, preexec_fn=limits, env=env, check=False)
    except subprocess.TimeoutExpired:
        return "hang", f"past {TIME_LIMIT} s"
    err = done.stderr.strip()
    if "MemoryError" in err or done.returncode in (-9, 137):
        return "memory", err[-300:]
    if "Traceback" in err or done.returncode not in (0, 2):
        return "traceback", err[-600:]
    errors = [line for line in err.splitlines() if "error" in line]
    if done.returncode == 2 and len(errors) != 1:
        return "traceback", "exit 2 without one error line: " + err[-300:]
    return ("ok" if done.returncode == 0 else "refused"), errors[0] if errors else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, help="where to keep the inputs that failed")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    books = seeds()
    counts: Counter[str] = Counter()
    found: list[tuple[str, Path, str]] = []
    deadline = time.monotonic() + args.minutes * 60
    print(f"fuzz: seed {args.seed}, {args.minutes:g} min, {args.jobs} at once, "
          f"{len(books)} seed books", flush=True)
    with tempfile.TemporaryDirectory(prefix="narrate-fuzz-") as work, \
            futures.ThreadPoolExecutor(args.jobs) as pool:
        n = 0
        running: dict[futures.Future, Path] = {}
        while time.monotonic() < deadline or running:
            while time.monotonic() < deadline and len(running) < args.jobs:
                suffix, data = rng.choice(books)
                path = Path(work) / f"{n:05d}{suffix}"
                path.write_bytes(mutate(suffix, data, rng))
                running[pool.submit(run_one, path)] = path
                n += 1
            done, _ = futures.wait(running, return_when=futures.FIRST_COMPLETED)
            for future in done:
                path = running.pop(future)
                outcome, detail = future.result()
                counts[outcome] += 1
                if outcome in ("traceback", "hang", "memory"):
                    found.append((outcome, _keep(path, args.keep, outcome, detail), detail))
                    print(f"  {outcome}: {path.name}: {detail.splitlines()[-1] if detail else ''}",
                          flush=True)
                else:
                    path.unlink(missing_ok=True)
    total = sum(counts.values())
    print(f"fuzz: {total} inputs: " + ", ".join(f"{counts[k]} {k}" for k in
                                                 ("ok", "refused", "traceback", "hang", "memory")))
    sys.exit(1 if found else 0)


def _keep(path: Path, keep: Path | None, outcome: str, detail: str) -> Path:
    if keep is None:
        return path
    keep.mkdir(parents=True, exist_ok=True)
    kept = keep / path.name
    kept.write_bytes(path.read_bytes())
    kept.with_suffix(kept.suffix + ".txt").write_text(f"{outcome}\n{detail}\n")
    return kept


if __name__ == "__main__":
    main()
