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
    "did_you_mean",
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


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
