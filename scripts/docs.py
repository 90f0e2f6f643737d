"""Write docs/commands.md from every command's --help, so the page cannot drift from the
CLI (tests/test_house.py fails when it is out of date): `python scripts/docs.py`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "commands.md"
HEAD = """# Commands

Generated from each command's `--help` by `scripts/docs.py`; a test fails when this page
and the CLI differ. An error is one line naming the file, the place and the fix, with
exit code 2; `narrate --debug COMMAND …` also shows the traceback. The guides:
[building](building.md), [reading](reading.md), [voices](voices.md),
[the script file](script.md).
"""


def commands_markdown() -> str:
    from narrate.cli import cli

    parts = [HEAD]
    group = click.Context(cli, info_name="narrate", terminal_width=88, max_content_width=88,
                          **cli.context_settings)
    for name in sorted(cli.commands):
        command = cli.commands[name]
        context = click.Context(command, info_name=name, parent=group)  # the group's -h
        parts.append(f"\n## `narrate {name}`\n\n```text\n{command.get_help(context)}\n```\n")
    return "".join(parts)


if __name__ == "__main__":  # --print: the page on stdout, for the test (a fresh process:
    sys.path.insert(0, str(ROOT))  # click keeps each command's help option once made)
    if sys.argv[1:] == ["--print"]:
        sys.stdout.write(commands_markdown())
    else:
        PAGE.write_text(commands_markdown(), encoding="utf-8")
        print(f"wrote {PAGE.relative_to(ROOT)}")
