"""Exception classes of memoji-assembler.

Every error carries one line that says what went wrong, which file, and what to do. The CLI prints that line to
stderr and exits non-zero without a traceback, so the message is the user interface: tests assert it exactly.

The base :class:`MemojiError`, the errors the parts library and the index raise (:class:`UnknownNameError`,
:class:`ColorError`, :class:`OutputFormatError`, :class:`MissingDependencyError`) and the message helpers are defined
in :mod:`parts_library.errors` (the bottom layer, which imports nothing of the project) and re-exported here; this
module adds the pipeline's own errors.
"""
from __future__ import annotations

from parts_library.errors import (ColorError, MemojiError, MissingDependencyError, OutputFormatError, UnknownNameError,
                                  described, did_you_mean, kind_of, shown)

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


class ModelFileError(MemojiError):
    """A weight file exists but cannot be loaded (corrupt, truncated, not the expected format)."""

    exit_code = 4


class InputFileError(MemojiError):
    """An input path that is not a readable regular file of a sane size (directory, FIFO, device, huge file)."""

    exit_code = 2


class LabelsFileError(MemojiError):
    """A labels file (``labels.csv`` for ``memoji eval --labels``) that cannot be used as a whole: unreadable, not
    UTF-8 CSV, required columns missing, or no usable row. A bad *row* is reported in the evaluation, not raised."""

    exit_code = 2
