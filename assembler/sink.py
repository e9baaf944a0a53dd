"""Where a batch writes: a local folder, or any URI that pyarrow's filesystem layer writes.

A *sink* takes ``(relative name, bytes)`` and puts the bytes under its root; the batch's row worker renders an avatar
into bytes (:meth:`assembler.avatar.Avatar.files`) and hands them to one, so a row has one code path whatever the
storage. Two kinds:

- :class:`LocalSink` — a plain path (no scheme): each file is written atomically and fsynced, with the umask's mode
  (:func:`index.vector.atomic_write`), and the batch holds an ``flock`` on the folder. Nothing imports pyarrow.
- :class:`FsSink` — ``scheme://…`` (``file:///data/out``, ``s3://bucket/prefix``, ``gs://…``, ``abfs://…``,
  ``hdfs://…``), opened with ``pyarrow.fs.FileSystem.from_uri``; credentials come from the environment as pyarrow
  reads them. An object store's single put is atomic, so files are written directly; on other filesystems a file
  is written to a temporary name beside it and moved into place. Object stores cannot be locked, and pyarrow has no
  fsync.

Relative names are checked on both kinds: no empty, ``.`` or ``..`` part, no backslash — nothing leaves the root.
"""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import MissingDependencyError
from .outputs import OutputPathError, ensure_writable_dir, inside

__all__ = ["is_uri", "shown_uri", "open_sink", "LocalSink", "FsSink", "OutputURIError"]

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_ATOMIC_PUT = ("s3", "gcs", "abfs")  # object stores: one put is all or nothing, and there is no rename
_PROBE = ".memoji-write-test"


class OutputURIError(OutputPathError):
    """An output URI that pyarrow cannot open: unknown scheme, malformed (exit 2) or unreachable (exit 6)."""

    exit_code = 2

    def __init__(self, message: str, *, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


def is_uri(target: Any) -> bool:
    """True for text with a scheme (``s3://…``, ``file:///…``): written through pyarrow, not as a local path."""
    return isinstance(target, str) and bool(_URI.match(target))


def shown_uri(uri: str) -> str:
    """``uri`` as messages and results.csv show it: without a password (the user part with it) or a query."""
    parts = urlsplit(uri)
    user, at, host = parts.netloc.rpartition("@")
    netloc = f"{user}@{host}" if at and ":" not in user else host  # abfs://container@account keeps its container
    path = parts.path if parts.path in ("", "/") else parts.path.rstrip("/")
    return f"{parts.scheme}://{netloc}{path}"


def _parts(rel: str, root: str) -> list[str]:
    parts = str(rel).split("/")
    if any(p in ("", ".", "..") or "\\" in p or "\x00" in p for p in parts):
        raise OutputPathError(f"{str(rel)[:80]!r} would be written outside the output folder {root}")
    return parts


def _reason(exc: BaseException, uri: str | None = None) -> str:
    """pyarrow's message on one line, with the URI's secrets (a password, a query) taken out."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if uri:
        text = text.replace(uri, shown_uri(uri))
        secret = urlsplit(uri).password
        if secret:
            text = text.replace(secret, "***")
    return text[:300]


class LocalSink:
    """A folder on this machine, exactly as the batch always wrote it (atomic + fsync, umask modes, lockable)."""

    local = True

    def __init__(self, folder: str | os.PathLike):
        self.root = Path(folder)
        self.shown = str(self.root)
        self.target = str(self.root.resolve())  # what a worker (another process, another working folder) opens

    def check(self) -> None:
        """Create the folder and prove it takes a file, before any photo is analysed."""
        ensure_writable_dir(self.root)

    def _path(self, rel: str) -> Path:
        *folders, name = _parts(rel, self.shown)
        return inside(self.root, "/".join(folders) or ".") / name  # symlinked folders may not lead out either

    def check_name(self, rel: str) -> None:
        """:class:`OutputPathError` unless ``rel`` stays inside the folder (symlinks followed)."""
        self._path(rel)

    def describe(self, rel: str) -> str:
        """``rel`` as the user named the folder (a relative folder stays relative)."""
        return str(self.root / "/".join(_parts(rel, self.shown)))

    def write(self, rel: str, data: bytes) -> str:
        """Write ``data`` to ``rel`` atomically (fsynced); returns the absolute path written."""
        from index.vector import atomic_write

        path = self._path(rel)
        atomic_write(path, data)
        return str(path)

    def read(self, rel: str) -> bytes | None:
        path = self._path(rel)
        return path.read_bytes() if path.exists() else None

    def open_log(self, rel: str) -> "_AppendLog":
        return _AppendLog(self._path(rel))


class _AppendLog:
    """An append-only text file whose every line is on disk (fsynced) before :meth:`write` returns."""

    def __init__(self, path: Path):
        self.fh = open(path, "a", encoding="utf-8")

    def write(self, line: str) -> None:
        self.fh.write(line)
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def close(self) -> None:
        self.fh.close()


class FsSink:
    """A folder (a key prefix) on a pyarrow filesystem: ``FsSink(fs, "bucket/prefix", "s3://bucket/prefix")``."""

    local = False

    def __init__(self, fs: Any, base: str, shown: str, target: str | None = None):
        self.fs = fs
        self.base = base.rstrip("/")
        self.shown = shown
        self.target = target  # the URI a worker opens itself (None: this sink is not rebuilt from a URI)
        inner = fs
        while getattr(inner, "type_name", "") == "subtree":
            inner = inner.base_fs
        self.kind = getattr(inner, "type_name", "")
        self.atomic_put = self.kind in _ATOMIC_PUT
        self._dirs: set[str] = set()

    def _path(self, rel: str) -> str:
        parts = _parts(rel, self.shown)
        if self.kind == "local" and self.fs.type_name == "local":  # file://: symlinked folders may not lead out
            inside(self.base or "/", "/".join(parts[:-1]) or ".")
        return "/".join([self.base, *parts]) if self.base else "/".join(parts)

    def check_name(self, rel: str) -> None:
        """:class:`OutputPathError` unless ``rel`` stays under the root."""
        self._path(rel)

    def describe(self, rel: str) -> str:
        root = self.shown if self.shown.endswith("/") else self.shown + "/"
        return root + "/".join(_parts(rel, self.shown))

    def check(self) -> None:
        """Prove a file can be put under the root (and removed again), before any photo is analysed."""
        from pyarrow.fs import FileType

        try:
            info = self.fs.get_file_info(self.base) if self.base else None
        except Exception as exc:  # pyarrow raises OSError subclasses, ArrowInvalid …: all mean "cannot use this"
            raise OutputURIError(f"cannot open output {self.shown}: {_reason(exc, self.target)}",
                                 exit_code=6) from None
        if info is not None and info.type == FileType.File:
            raise OutputURIError(f"output {self.shown} is a file, not a folder", exit_code=6)
        self.write(_PROBE, b"")
        try:
            self.fs.delete_file(self._path(_PROBE))
        except Exception:  # noqa: BLE001 - a store that lets us write but not delete: the empty probe stays
            pass

    def write(self, rel: str, data: bytes) -> str:
        """Put ``data`` at ``rel`` whole or not at all; returns its URI (as shown)."""
        path = self._path(rel)
        try:
            if self.atomic_put:
                self._put(path, data)
            else:
                parent, _, name = path.rpartition("/")
                if parent and parent not in self._dirs:
                    self.fs.create_dir(parent, recursive=True)
                    self._dirs.add(parent)
                tmp = f"{parent}/.{name}.{uuid.uuid4().hex[:12]}.tmp" if parent else f".{name}.tmp"
                try:
                    self._put(tmp, data)
                    self.fs.move(tmp, path)
                except BaseException:
                    try:
                        self.fs.delete_file(tmp)
                    except Exception:  # noqa: BLE001 - never written, or already moved
                        pass
                    raise
        except OutputPathError:
            raise
        except Exception as exc:  # noqa: BLE001 - pyarrow's OSError / ArrowException: one line naming the file
            raise OutputURIError(f"cannot write {self.describe(rel)}: {_reason(exc, self.target)}",
                                 exit_code=6) from None
        return self.describe(rel)

    def _put(self, path: str, data: bytes) -> None:
        with self.fs.open_output_stream(path, compression=None) as f:
            f.write(data)

    def read(self, rel: str) -> bytes | None:
        from pyarrow.fs import FileType

        path = self._path(rel)
        try:
            if self.fs.get_file_info(path).type != FileType.File:
                return None
            with self.fs.open_input_stream(path, compression=None) as f:
                return f.read()
        except Exception as exc:  # noqa: BLE001 - as in write
            raise OutputURIError(f"cannot read {self.describe(rel)}: {_reason(exc, self.target)}",
                                 exit_code=6) from None

    def open_log(self, rel: str) -> None:
        """None: an object store cannot append, so the batch rewrites the whole file instead."""
        return None


def open_sink(target: str | os.PathLike) -> LocalSink | FsSink:
    """The sink for ``-o``: a plain path → :class:`LocalSink`; ``scheme://…`` → :class:`FsSink` via pyarrow.

    Opening is cheap and checks nothing on the storage (:meth:`check` does); an unknown scheme or a URI pyarrow
    refuses is an :class:`OutputURIError`, a missing pyarrow a :class:`MissingDependencyError`."""
    if not is_uri(target):
        return LocalSink(target)
    uri = str(target)
    shown = shown_uri(uri)
    try:
        from pyarrow import fs as pafs
    except ImportError:
        raise MissingDependencyError(f"writing to {shown} needs pyarrow: pip install -e '.[distributed]' in the "
                                     "memoji-assembler checkout"
                                     ) from None
    try:
        fs, base = pafs.FileSystem.from_uri(uri)
    except ValueError as exc:  # ArrowInvalid: not a URI pyarrow knows how to open
        if "Unrecognized filesystem type" in str(exc):
            scheme = uri.split(":", 1)[0]
            raise OutputURIError(f"cannot write to {shown}: unknown URI scheme {scheme!r} (pyarrow writes file://, "
                                 "s3://, gs://, abfs://, hdfs://; or give a local folder)") from None
        raise OutputURIError(f"cannot write to {shown}: {_reason(exc, uri)}") from None
    except Exception as exc:  # noqa: BLE001 - OSError (hdfs without a JVM, no network …)
        raise OutputURIError(f"cannot open output {shown}: {_reason(exc, uri)}", exit_code=6) from None
    return FsSink(fs, base, shown, target=uri)
