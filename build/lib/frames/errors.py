"""The one user-facing error type, and its kinds (numpy-free, so every half imports it without torch).

The CLI prints a GrokError's message, one line, and exits non-zero; training, frames, scenes and the studio
raise it or one of its kinds, so a reader of one file, or a writer of one output, needs no other half's module
to say what went wrong.
"""


class GrokError(Exception):
    """A user-facing error: its message is one line."""


class FramesError(GrokError):
    """A frames or sweep file that cannot be used."""


class OutputError(GrokError):
    """An output that cannot be written, or a folder another process is using."""
