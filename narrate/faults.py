"""Named points where a test can kill the process (NARRATE_KILL_AT=name), to prove that
a crash at that moment loses nothing. Inert unless that variable is set."""

import os
import signal


def checkpoint(name: str) -> None:
    if os.environ.get("NARRATE_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
