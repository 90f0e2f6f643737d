"""One family of errors, carried as data: what went wrong, where, and how to fix it.

A library caller reads `str(error)` ("where: what; hint") or the fields. When the
problem is an argument, `option` names it as the caller passed it (`only="03.9"`);
the CLI words that as its flag (`--only 03.9`), prints one line and exits with code 2.
"""

from __future__ import annotations

import re


class NarrateError(Exception):
    """A problem the user can fix: the message names the file, the place and the fix."""

    def __init__(self, what: str, where: str = "", hint: str = "",
                 option: tuple[str, object] | None = None):
        self.what, self.where, self.hint, self.option = what, where, hint, option
        super().__init__(self.message())

    def message(self, style: str = "python", flags: dict[str, str] | None = None) -> str:
        """The one line. With `style` "cli", arguments are written as their flags
        (`flags` renames those whose flag differs: {"start": "from"}). `what` and `hint`
        may name another argument as "{arg:NAME}", or with a value "{arg:NAME=VALUE}"."""
        def arg(name: str, value: object = None) -> str:
            if style != "cli":
                return f"{name}=" if value is None else f"{name}={value!r}"
            flag = "--" + (flags or {}).get(name, name).replace("_", "-")
            return flag if value is None or value is True else f"{flag} {value}"

        def fill(text: str) -> str:
            return re.sub(r"\{arg:(\w+)(?:=(\w+))?\}", lambda m: arg(*m.groups()), text)

        where = arg(*self.option) if self.option else self.where
        line = f"{where}: {fill(self.what)}" if where else fill(self.what)
        return f"{line}; {fill(self.hint)}" if self.hint else line


class InputError(NarrateError):
    """The source text or a file the user handed us cannot be used."""


class ScriptFileError(NarrateError):
    """A narration script file (YAML/JSON) is malformed."""


class DamagedFile(NarrateError):
    """A file narrate wrote that cannot be read back as it was written (empty, far too
    big, not audio): `narrate check` reports it as one finding and checks the rest."""
