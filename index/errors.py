"""The errors the index raises.

The index imports nothing of the project above it: its errors are the project's error types, defined in the
bottom layer (:mod:`parts_library.errors`, which the index already depends on for the parts it indexes), so the
``memoji`` CLI reports them as one line with their exit code and ``except MemojiError`` catches them.
"""
from __future__ import annotations

from parts_library.errors import MemojiError, MissingDependencyError, UnknownNameError, did_you_mean

__all__ = ["MemojiError", "MissingDependencyError", "UnknownNameError", "did_you_mean"]
