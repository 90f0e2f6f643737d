"""One run of the command line in a process group of its own, with a time limit, an
address-space ceiling and its peak memory measured; and the name of what came of it.

Outcomes, mildest first (an input with several runs takes its worst):
  ok         exit 0, or 1 (a check's findings, a build's failed lines, said plainly)
  refused    exit 2 and one line on stderr (warnings and progress lines aside): bad
             input said plainly
  unclear    exit 2 without exactly one line (two lines, or none)
  loss       the run ended well, but what was meant is not what narrate made or spoke
  traceback  a Python traceback, or any other exit (a crash: a signal, exit 139)
  hang       past the time limit
  memory     past the memory limit (the largest resident size in the process tree, a
             MemoryError, a failed allocation, or killed)
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

OUTCOMES = ("ok", "refused", "unclear", "loss", "traceback", "hang", "memory")
FOUND = OUTCOMES[2:]  # what the fuzzer reports and keeps
GIB = 1 << 30
_PROGRESS = re.compile(r"[a-z][\w ]*: \d+/\d+ \w")
_OUT_OF_MEMORY = ("MemoryError", "Cannot allocate memory", "Unable to allocate",
                  "can't start new thread", "std::bad_alloc")


@dataclass(frozen=True)
class Verdict:
    outcome: str
    detail: str = ""

    @property
    def found(self) -> bool:
        return self.outcome in FOUND


OK = Verdict("ok")


def worst(*verdicts: Verdict) -> Verdict:
    """The most severe of `verdicts` (the first of equals)."""
    return max(verdicts, key=lambda v: OUTCOMES.index(v.outcome), default=OK)


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]  # after the command: `build book.txt --dry-run`
    code: int | None  # the exit code (negative: the signal); None: stopped at the time limit
    out: str
    err: str
    peak: int  # bytes

    def verdict(self, timeout: float, memory: int) -> Verdict:
        said = f"narrate {' '.join(a if len(a) < 60 else a[:57] + '…' for a in self.args)}"
        if self.code is None:
            return Verdict("hang", f"{said}: past {timeout:g} s")
        if self.peak > memory or self.code == -signal.SIGKILL \
                or any(word in self.err for word in _OUT_OF_MEMORY):
            return Verdict("memory", f"{said}: {self.peak / GIB:.2f} GB; {self.last_line()}")
        if "Traceback" in self.err or self.code not in (0, 1, 2):
            return Verdict("traceback", f"{said}: exit {self.code}{_signal_name(self.code)}; "
                                        f"{self.last_line()}")
        if self.code == 2:
            lines = self.error_lines()
            if len(lines) != 1:
                return Verdict("unclear", f"{said}: {len(lines)} lines: " + " | ".join(lines)[:400])
            return Verdict("refused", lines[0])
        return OK

    def error_lines(self) -> list[str]:
        """stderr less warnings and progress lines ("rendering: 3/10 segments, …")."""
        return [line for line in self.err.splitlines()
                if line.strip() and not _warning(line) and not _PROGRESS.match(line)]

    def warnings(self) -> list[str]:
        return [line for line in self.err.splitlines() if _warning(line)]

    def last_line(self) -> str:
        lines = [line for line in self.err.splitlines() if line.strip()]
        return lines[-1][:300] if lines else "(nothing on stderr)"


class Stopped(BaseException):
    """The fuzzer was interrupted: no outcome (a BaseException: no trial catches it)."""


def _warning(line: str) -> bool:
    """narrate's warnings: `narrate: warning: …`, or `narrate: PLACE: warning: …`."""
    return line.startswith("narrate: ") and not line.startswith("narrate: error") \
        and "warning:" in line


def _signal_name(code: int | None) -> str:
    if code is None or code >= 0:
        return ""
    try:
        return f" ({signal.Signals(-code).name})"
    except ValueError:
        return ""


class Runner:
    """Runs `command ARGS…` (narrate's command line, or a stand-in in the tests) and
    judges each run by the same limits."""

    def __init__(self, command: list[str], env: dict[str, str], timeout: float = 60.0,
                 memory: int = 3 * GIB // 2, log=None):
        self.command, self.env, self.timeout, self.memory = command, env, timeout, memory
        self.log = log  # called with each Run (--verbose)
        self.stopped = False
        self._live: set[int] = set()  # process groups running, none of them reaped yet
        self._lock = threading.Lock()

    def __call__(self, *args: object, cwd: Path) -> Run:
        # the ceiling is set by a launcher that then becomes the command (a preexec_fn is
        # not safe in a threaded fuzzer); room above the limit, so that a process tree
        # past it is measured, not only refused
        ceiling = self.memory + GIB // 2
        argv = [sys.executable, "-c", _CEILING, str(ceiling), *self.command, *map(str, args)]
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            with self._lock:
                if self.stopped:
                    raise Stopped
                inherited = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
                process = subprocess.Popen(argv, cwd=cwd, env=self.env, stdout=out, stderr=err,
                                           stdin=subprocess.DEVNULL, start_new_session=True)
                self._live.add(process.pid)
            code, peak = self._wait(process)
            # Linux gives a new process the peak of the one that started it (this fuzzer, or
            # pytest with the suite's modules loaded): a peak no higher is not the run's own
            peak = peak if peak > inherited else 0
            if self.stopped:
                raise Stopped
            out.seek(0)
            err.seek(0)
            run = Run(tuple(map(str, args)), code, _text(out.read()), _text(err.read()), peak)
        if self.log:
            self.log(run, cwd)
        return run

    def verdict(self, run: Run) -> Verdict:
        return run.verdict(self.timeout, self.memory)

    def stop(self) -> None:
        """Kill every run going on (Ctrl-C); later runs raise Stopped."""
        with self._lock:
            self.stopped = True
            for pid in self._live:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def _wait(self, process: subprocess.Popen) -> tuple[int | None, int]:
        """(exit code or None at the time limit, peak bytes). The command's process group
        (its workers, an ffmpeg left behind) is killed before the command is reaped, so
        that its id still names that group."""
        ended = threading.Thread(target=os.waitid, daemon=True,
                                 args=(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT))
        ended.start()
        ended.join(self.timeout)
        timed_out = ended.is_alive()
        with self._lock:
            self._live.discard(process.pid)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        ended.join()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = code = os.waitstatus_to_exitcode(status)
        return (None if timed_out else code), usage.ru_maxrss * 1024


_CEILING = ("import os, resource, sys; limit = int(sys.argv[1]); "
            "resource.setrlimit(resource.RLIMIT_AS, (limit, limit)); "
            "os.execvp(sys.argv[2], sys.argv[2:])")


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")
