"""A stand-in for narrate's command line, for the fuzzer's own tests (test_fuzz.py): it
builds a two-line book and reads scripts back the way $FAKE_NARRATE says, so that each
of the fuzzer's outcomes can be caused on purpose.

  faithful     reads every `say:` as the characters typed; a list is refused in one line
  retype       reads the script as YAML types it (`No` is False), as narrate 0.x did
  drop         leaves line 01.001.1 out, saying nothing
  drop-warned  leaves it out with a warning naming it
  traceback    the dry run raises
  hang         the dry run waits for ever
  claim        `script SOURCE` leaves a user's script as it is, but says it wrote it

`script SOURCE` (the edits carried into the script beside the audio) keeps the user's
script as they wrote it, as narrate does when it says what narrate would write.
"""

import json
import os
import signal
import sys
from pathlib import Path

import yaml

SCRIPT = """\
# narrate script
narrate_script: 1
book:
  title: Fake
  source: book.txt
chapters:
- id: '01'
  title: One
  sections:
  - id: '01.001'
    segments:
    - id: 01.001.1
      role: narrator
      text: Then he left.
      say: Then he left.
    - id: 01.001.2
      role: narrator
      text: For Vienna.
      say: For Vienna.
"""


def main(args: list[str]) -> int:
    mode = os.environ.get("FAKE_NARRATE", "faithful")
    command, target = args[0], args[1]
    folder = Path("output") / "book"
    if command == "build" and target == "book.txt" and "--dry-run" not in args:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "script.yaml").write_text(SCRIPT, encoding="utf-8")
        spoken = {"01.001.1": {"role": "narrator", "say": "Then he left."},
                  "01.001.2": {"role": "narrator", "say": "For Vienna."}}
        (folder / "manifest.json").write_text(json.dumps({"spoken": spoken}), encoding="utf-8")
        return 0
    if command == "build":  # the script, with --dry-run
        if mode == "traceback":
            raise RuntimeError("the fake fails as asked")
        if mode == "hang":
            signal.pause()
        return 0
    if command == "script" and target == "book.txt":
        print(f"{'wrote' if mode == 'claim' else 'unchanged:'} {folder / 'script.yaml'}")
        return 0
    return read(Path(target), mode)


def read(path: Path, mode: str) -> int:
    """`script SCRIPT -o -`: the script as this mode reads it."""
    loader = yaml.BaseLoader if mode != "retype" else yaml.SafeLoader
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    segments = data["chapters"][0]["sections"][0]["segments"]
    for segment in segments:
        if not isinstance(segment["say"], str) and mode == "faithful":
            print(f"narrate: error: {path}: `say` of {segment['id']} must be text",
                  file=sys.stderr)
            return 2
        segment["say"] = str(segment["say"])
    if mode.startswith("drop"):
        segments.pop(0)
        if mode == "drop-warned":
            print("narrate: warning: segment 01.001.1 is left out", file=sys.stderr)
    print(yaml.safe_dump(data, allow_unicode=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
