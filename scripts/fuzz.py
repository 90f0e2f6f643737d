"""Feed narrate hostile inputs for a few minutes and count what comes back.

    scripts/fuzz                                  # three minutes, every kind of input
    scripts/fuzz --minutes 10 --seed 7 --keep /tmp/found
    scripts/fuzz --seed 7 --start 42 --count 1 -v # input 42 of seed 7 again, every run shown
    scripts/fuzz --kinds script,lexicon --count 200

Kinds of input (--kinds): reader (a fixture book mutated, read by `narrate script`),
script (a built book's script.yaml edited by hand: hostile `say:` values, wrong types,
a new `text:`, the file cut short, thousands of sections; built again with --dry-run,
a sample for real with the espeak cast), lexicon (hostile keys and respellings, 100,000
entries, a FIFO or a device), metadata (wrong types, retyped values, devices as cover,
lexicon or --meta) and folder (a built book's MP3, m4b, manifest or pieces damaged;
then `narrate check`, a rebuild and a check). All but reader start from one small book
built at the start. Input N of a seed (with the same --kinds) is the same input
whatever else runs; the report says how to make it again.

Every run of narrate has its own process group, a time limit (--timeout) and an
address-space ceiling, its peak memory measured (--memory-mb); stderr is read for a
traceback. Each input's outcome is its worst run's:
  ok           exit 0 (or 1: a check's findings, said plainly)
  refused      exit 2 with one line on stderr (besides warnings and progress):
               bad input said plainly
  unclear      exit 2 without exactly one line
  loss         narrate ended well, but what was meant is not what it would speak or
               made: a `say:` typed "No" spoken "False", a line dropped without a
               word, a lexicon entry not applied or one applied where it is not, a
               check that passes a damaged folder, a rebuild that leaves it failing
  traceback    a Python traceback, or a crash (any other exit)
  hang         past the time limit
  memory       past the memory limit
Inputs with any but the first two are printed with their number as they end and kept
(--keep) with a note; the report counts every outcome, of all and of each kind, and
groups the findings by cause. The exit code is 1 when any was found; Ctrl-C kills the
runs going on, reports what ended before, and exits 130.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path

from fuzzing import edited, folders, lexicons, metadata, sources
from fuzzing.book import Base, build_base, copy_kept
from fuzzing.running import FOUND, OUTCOMES, Runner, Verdict

ROOT = Path(__file__).resolve().parent.parent
KINDS = {"reader": sources, "script": edited, "lexicon": lexicons, "metadata": metadata,
         "folder": folders}
WEIGHTS = {"reader": 1, "script": 3, "lexicon": 2, "metadata": 2, "folder": 2}


@dataclass
class Case:
    number: int
    kind: str
    made: object  # the kind's input, made from the seed and the number alone

    @property
    def label(self) -> str:
        return str(getattr(self.made, "label", ""))


def make_case(seed: int, number: int, kinds: list[str], base: Base | None) -> Case:
    rng = random.Random(f"{seed}/{number}")
    kind = rng.choices(kinds, [WEIGHTS[k] for k in kinds])[0]
    return Case(number, kind, KINDS[kind].make(rng, base))


def run_case(narrate: Runner, base: Base | None, case: Case, folder: Path) -> Verdict:
    try:
        return KINDS[case.kind].trial(narrate, base, case.made, folder)
    except Exception as exc:  # noqa: BLE001  (the harness's own fault: said, not counted)
        return Verdict("harness", f"{type(exc).__name__}: {str(exc).splitlines()[0]}")


def narrate_runner(work: Path, timeout: float, memory: int, verbose: bool = False) -> Runner:
    env = {**os.environ, "NARRATE_VOICES": "espeak", "NARRATE_CACHE": str(work / "cache"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return Runner([sys.executable, "-m", "narrate"], env, timeout, memory,
                  _log if verbose else None)


def _log(run, cwd: Path) -> None:
    print(f"    {cwd.name}$ narrate {' '.join(a[:80] for a in run.args)}: exit {run.code}, "
          f"{run.peak >> 20} MB\n" + "".join(f"      {line[:300]}\n" for line in
                                             (run.out + run.err).splitlines()[-12:]),
          end="", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    if unknown := [k for k in kinds if k not in KINDS]:
        raise SystemExit(f"fuzz: unknown kind {unknown[0]!r}; kinds: {', '.join(KINDS)}")
    with tempfile.TemporaryDirectory(prefix="narrate-fuzz-") as scratch:
        work = Path(scratch)
        narrate = narrate_runner(work, args.timeout, args.memory_mb << 20, args.verbose)
        budget = [f"{args.minutes:g} min" if args.minutes else "",
                  f"{args.count} inputs" if args.count else ""]
        print(f"fuzz: seed {args.seed}, {' or '.join(filter(None, budget)) or '3 min'}, "
              f"{args.jobs} at once, "
              f"kinds {','.join(kinds)}", flush=True)
        try:
            base = build_base(narrate, work / "base") if set(kinds) - {"reader"} else None
        except KeyboardInterrupt:
            narrate.stop()
            return 130
        counts, found = fuzz(narrate, base, kinds, args, work)
    _report(counts, found, _again(args, "N"))
    return 130 if narrate.stopped else 1 if found else 0


def fuzz(narrate: Runner, base: Base | None, kinds: list[str], args, work: Path):
    counts: Counter[tuple[str, str]] = Counter()
    found: list[tuple[Case, Verdict]] = []
    minutes = args.minutes if args.minutes is not None else 0 if args.count else 3.0
    deadline = time.monotonic() + minutes * 60 if minutes else float("inf")
    numbers = iter(range(args.start, args.start + args.count) if args.count
                   else _forever(args.start))
    with futures.ThreadPoolExecutor(args.jobs) as pool:
        running: dict[futures.Future, tuple[Case, Path]] = {}
        try:
            while True:
                while time.monotonic() < deadline and len(running) < args.jobs:
                    number = next(numbers, None)
                    if number is None:
                        break
                    case = make_case(args.seed, number, kinds, base)
                    folder = work / f"{number:06d}"
                    running[pool.submit(run_case, narrate, base, case, folder)] = (case, folder)
                if not running:
                    break
                done, _ = futures.wait(running, return_when=futures.FIRST_COMPLETED)
                for future in done:
                    case, folder = running.pop(future)
                    _count(case, future.result(), folder, counts, found, args)
        except KeyboardInterrupt:  # the runs going on are killed, not counted
            narrate.stop()
            print("fuzz: interrupted; what ended before is counted", flush=True)
    return counts, found


def _count(case: Case, verdict: Verdict, folder: Path, counts: Counter, found: list,
           args) -> None:
    counts[case.kind, verdict.outcome] += 1
    if verdict.outcome in (*FOUND, "harness"):
        found.append((case, verdict))
        print(f"  {verdict.outcome} [{case.kind} #{case.number}] {case.label}: {verdict.detail}",
              flush=True)
        _keep(case, verdict, folder, args)
    shutil.rmtree(folder, ignore_errors=True)


def _forever(start: int):
    while True:
        yield start
        start += 1


def _keep(case: Case, verdict: Verdict, folder: Path, args) -> None:
    if args.keep is None or not folder.exists():
        return
    kept = args.keep / f"{args.seed}-{case.number:06d}-{case.kind}"
    copy_kept(folder, kept)
    (kept / "FOUND.txt").write_text(
        f"{verdict.outcome}: {case.label}\n{verdict.detail}\n"
        f"again: {_again(args, case.number)} -v\n", encoding="utf-8")


def _again(args, number: int | str) -> str:
    """The command that makes input `number` again: the same seed and kinds (the kind of
    an input is drawn from those given)."""
    kinds = "" if args.kinds == ",".join(KINDS) else f" --kinds {args.kinds}"
    return f"scripts/fuzz --seed {args.seed}{kinds} --start {number} --count 1"


def _report(counts: Counter, found: list[tuple[Case, Verdict]], again: str) -> None:
    print(f"fuzz: {_counts(counts, None)}")
    for kind in sorted({kind for kind, _ in counts}):
        print(f"  {kind}: {_counts(counts, kind)}")
    distinct: dict[tuple[str, str, str], list[Case]] = {}
    for case, verdict in found:
        distinct.setdefault((verdict.outcome, case.kind, _shape(verdict.detail)), []).append(case)
    if distinct:
        print(f"fuzz: {len(distinct)} distinct findings (input N again: {again}):")
    for (outcome, kind, shape), cases in sorted(distinct.items()):
        numbers = ", ".join(f"#{c.number}" for c in cases[:5])
        print(f"  {outcome} [{kind}] x{len(cases)} ({numbers}): {cases[0].label}: {shape}")


def _counts(counts: Counter, kind: str | None) -> str:
    """'N inputs: n ok, n refused, …' of one kind, or of all."""
    outcomes: Counter[str] = Counter()
    for (each, outcome), n in counts.items():
        if kind in (None, each):
            outcomes[outcome] += n
    shown = [o for o in (*OUTCOMES, "harness") if outcomes[o] or o in OUTCOMES]
    return f"{sum(outcomes.values())} inputs: " + ", ".join(f"{outcomes[o]} {o}" for o in shown)


def _shape(detail: str) -> str:
    """A finding's detail without its numbers, ids and quoted words: one line per cause."""
    import re

    detail = re.sub(r"\S*narrate-fuzz-\S*|0x[0-9a-f]+", "…", detail)  # its folder; addresses
    return re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "…", detail)[:160]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, help="time budget (3, unless --count)")
    parser.add_argument("--count", type=int, default=0, help="stop after this many inputs")
    parser.add_argument("--start", type=int, default=0, help="the first input's number (0)")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="default: the time")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"of {','.join(KINDS)}")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="inputs at once (2)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds a run may take (60)")
    parser.add_argument("--memory-mb", type=int, default=1536,
                        help="a run's memory limit (1536)")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="print every run of narrate and the end of its output")
    parser.add_argument("--keep", type=Path, help="where to keep the inputs that found something")
    return parser


if __name__ == "__main__":
    sys.exit(main())
