"""Exception classes of memoji-assembler.

Every error carries one line that says what went wrong, which file, and what to do. The CLI prints that line to
stderr and exits non-zero without a traceback, so the message is the user interface: tests assert it exactly.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "MemojiError",
    "ImageReadError",
    "ImageTooLargeError",
    "ImageTooSmallError",
    "NoFaceError",
    "FaceIndexError",
    "ModelFileNotFoundError",
    "UnknownNameError",
    "MissingDependencyError",
    "ColorError",
    "ModelFileError",
    "InputFileError",
    "OutputFormatError",
    "LabelsFileError",
    "did_you_mean",
    "shown",
    "kind_of",
    "described",
]


class MemojiError(Exception):
    """Base class; ``str(err)`` is a complete one-line message."""

    exit_code = 1


class ImageReadError(MemojiError):
    """The file is missing, empty, truncated or not an image."""

    exit_code = 2


class ImageTooLargeError(MemojiError):
    """Pixel count above the decompression-bomb limit."""

    exit_code = 2


class ImageTooSmallError(MemojiError):
    """The image (or the face in it) is too small to analyse."""

    exit_code = 3


class NoFaceError(MemojiError):
    """No face was found in the image."""

    exit_code = 3


class FaceIndexError(MemojiError):
    """``face_index`` points past the faces that were found."""

    exit_code = 3


class ModelFileNotFoundError(MemojiError, FileNotFoundError):
    """A weight file is missing: the message lists every place looked in and how to obtain it."""

    exit_code = 4


class UnknownNameError(MemojiError, KeyError):
    """An unknown backend, part or colour name: the message lists what exists."""

    exit_code = 2

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0] if self.args else ""


class MissingDependencyError(MemojiError, ImportError):
    """An optional dependency (extra) is not installed."""

    exit_code = 5


class ColorError(MemojiError, ValueError):
    """A colour that is neither ``#rgb``, ``#rrggbb`` nor a palette name (wrong type, malformed hex)."""

    exit_code = 2


class ModelFileError(MemojiError):
    """A weight file exists but cannot be loaded (corrupt, truncated, not the expected format)."""

    exit_code = 4


class InputFileError(MemojiError):
    """An input path that is not a readable regular file of a sane size (directory, FIFO, device, huge file)."""

    exit_code = 2


class OutputFormatError(MemojiError, ValueError):
    """An output file name whose suffix names no format we can write."""

    exit_code = 2


class LabelsFileError(MemojiError):
    """A labels file (``labels.csv`` for ``memoji eval --labels``) that cannot be used as a whole: unreadable, not
    UTF-8 CSV, required columns missing, or no usable row. A bad *row* is reported in the evaluation, not raised."""

    exit_code = 2


def shown(value: object, limit: int = 40) -> str:
    """``repr(value)`` cut to about ``limit`` characters: hostile input is never echoed at length, and the repr
    keeps it on one line."""
    try:
        text = repr(value)
    except Exception:  # a hostile object's __repr__
        text = f"<{type(value).__name__}>"
    if len(text) > limit:
        text = text[: max(limit - 1, 1)] + "…"
    return text


def kind_of(value: object) -> str:
    """What a (JSON) value is, in words: ``null``, ``a boolean``, ``a number``, ``a string``, ``a list``,
    ``an object`` (else ``a <type>``)."""
    from collections.abc import Mapping

    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def described(value: object) -> str:
    """A value for a "got …" clause: ``null``, ``true``/``false``, else its cut repr and :func:`kind_of`
    (``[1, 2] (a list)``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{shown(value)} ({kind_of(value)})"


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
