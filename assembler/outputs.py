"""Where output files may go: one name guard and one writability check for every command that writes.

A file stem (``--name``, a batch row id) can never leave its output folder: :func:`check_stem` refuses anything that
is not a plain file name, :func:`safe_name` turns any text into one, and :func:`inside` is the last check before a
write. :func:`ensure_writable_dir` creates the folder and proves it takes a file *before* minutes of analysis.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .errors import MemojiError

__all__ = ["OutputPathError", "check_stem", "safe_name", "inside", "ensure_writable_dir", "check_output_file",
           "MAX_STEM"]

MAX_STEM = 120
_STEM = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")


class OutputPathError(MemojiError):
    """An output name or folder that cannot be used."""

    exit_code = 6


def check_stem(name: str, *, what: str = "--name") -> str:
    """``name`` if it is a plain file name (letters, digits, ``_ . + -``; no folder, no leading dot, ≤120 chars).

    Raises :class:`OutputPathError` (exit code 2) otherwise: a name never silently becomes another file."""
    text = str(name)
    shown = text if len(text) <= 40 else text[:40] + "…"
    if not isinstance(name, str) or not _STEM.match(name) or len(name) > MAX_STEM or ".." in name:
        err = OutputPathError(f"{what} {shown!r} is not a plain file name: use letters, digits, '_', '-', '.' "
                              f"(at most {MAX_STEM}, no folders, not starting with '.')")
        err.exit_code = 2
        raise err
    return name


def safe_name(text: str) -> str:
    """A file or folder name made from any text (a CSV id): other characters become ``_``; may be empty."""
    name = re.sub(r"[^A-Za-z0-9_.+-]+", "_", str(text)).strip("._")
    name = re.sub(r"\.{2,}", ".", name)
    return name[:MAX_STEM]


def inside(folder: str | os.PathLike, path: str | os.PathLike) -> Path:
    """``path`` if it resolves inside ``folder`` (symlinks followed), else :class:`OutputPathError`."""
    root = Path(folder).resolve()
    p = Path(path)
    resolved = (p if p.is_absolute() else root / p).resolve()
    if resolved != root and not resolved.is_relative_to(root):
        raise OutputPathError(f"{path} would be written outside the output folder {folder}")
    return resolved


def ensure_writable_dir(folder: str | os.PathLike) -> Path:
    """Create ``folder`` (and parents) and prove a file can be written in it; :class:`OutputPathError` otherwise."""
    d = Path(folder)
    if d.exists() and not d.is_dir():
        raise OutputPathError(f"output folder {d} is a file, not a folder")
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".memoji-write-test.", dir=d)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        where = exc.filename if exc.filename and str(exc.filename) != str(d) else d
        raise OutputPathError(f"cannot write in output folder {d}: {reason} ({where})") from None
    return d


def check_output_file(path: str | os.PathLike) -> Path:
    """``path`` if it can be an output file: not a folder, and no file where one of its folders should be."""
    p = Path(path)
    if p.is_dir():
        raise OutputPathError(f"output {p} is a folder: name a file")
    for parent in p.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputPathError(f"cannot write {p}: {parent} is a file, not a folder")
            break
    return p
