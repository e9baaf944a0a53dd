"""The error types of the bottom layer, and the project's one error base.

Every error carries one line that says what went wrong, which file, and what to do; ``exit_code`` is what the
``memoji`` CLI exits with when it reaches the user (the CLI prints the line to stderr, no traceback). The base,
:class:`MemojiError`, lives here, in the lowest package, so that every layer can raise it without importing a
layer above: ``parts_library`` imports nothing of the project, ``index`` imports only ``parts_library``, and
``assembler.errors`` re-exports these classes beside the pipeline's own (``from assembler.errors import
ColorError`` and ``except MemojiError`` work for errors raised here).

The message helpers (:func:`did_you_mean`, :func:`shown`, :func:`kind_of`, :func:`described`,
:func:`display_path`) live here too: one home, used by every layer.
"""
from __future__ import annotations

import difflib
import os
from collections.abc import Iterable

__all__ = ["MemojiError", "UnknownNameError", "MissingDependencyError", "ColorError", "OutputFormatError",
           "did_you_mean", "shown", "kind_of", "described", "display_path"]


class MemojiError(Exception):
    """Base class of every error meant for the user; ``str(err)`` is a complete one-line message."""

    exit_code = 1


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


class OutputFormatError(MemojiError, ValueError):
    """An output file name whose suffix names no format we can write."""

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


def display_path(path) -> str:
    """A path for a one-line message: as is when printable and not absurdly long, else a cut repr."""
    text = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else str(path)
    return text if text.isprintable() and len(text) <= 300 else shown(text, 120)
