"""One family of errors. The CLI prints them as one line and exits with code 2."""


class NarrateError(Exception):
    """A problem the user can fix: the message names the file, the place and the fix."""


class InputError(NarrateError):
    """The source text or a file the user handed us cannot be used."""


class ScriptFileError(NarrateError):
    """A narration script file (YAML/JSON) is malformed."""
