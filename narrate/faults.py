"""Named points where a test can stop the process at a known moment, to prove that a
crash or an interruption then loses nothing. Inert unless one of these is set:

- NARRATE_KILL_AT=name: SIGKILL at the point.
- NARRATE_HOLD_AT=name:N with NARRATE_HOLD_FILE=path: at the Nth pass of the point, write
  the file (this process's pid) and wait there (up to two minutes) for the test's signal,
  so that a Ctrl-C lands while work is still to do, whatever the machine's speed; or
  until the test removes the file (it has done what it wanted done meanwhile): then go
  on. Once: a process that finds the file already written goes on (a worker started
  again after the test killed the one that held).

The points, in a build's order: convert (a chapter converted), worker (a voice worker
starting), segment (a worker's segment), render (a segment rendered), encode-aac and
encode-mp3 (an encode done), tags (a chapter MP3 tagged, in an encoder thread), sidecars;
and listener (`check --asr`'s listener starting).
"""

import os
import signal
import time

_passes: dict[str, int] = {}  # test machinery only: how often each point was passed


def checkpoint(name: str) -> None:
    if os.environ.get("NARRATE_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
    hold = os.environ.get("NARRATE_HOLD_AT", "")
    if hold.partition(":")[0] == name:
        _passes[name] = _passes.get(name, 0) + 1
        if _passes[name] == int(hold.partition(":")[2] or 1):
            try:
                with open(os.environ["NARRATE_HOLD_FILE"], "x") as held:
                    held.write(str(os.getpid()))
            except FileExistsError:
                return
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and os.path.exists(held.name):
                time.sleep(0.05)  # a signal interrupts the sleep
