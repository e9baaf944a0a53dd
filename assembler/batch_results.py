"""Batch results and resume: the files a batch keeps in its output beside the avatars. The progress file
(``.memoji-progress.jsonl``, one JSON record per finished row: what ``--resume`` reads back, tolerating a line cut by
a kill), ``results.csv`` rebuilt from it (cells a spreadsheet would run as a formula get a leading ``'``:
:func:`csv_cell`) and optionally ``results.parquet``, all written whole through a sink (:mod:`assembler.sink`); and
the ``flock`` on ``OUT/.memoji-batch.lock`` that refuses a second batch writing to the same local folder.
"""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

from .errors import MemojiError

__all__ = ["PROGRESS", "RESULTS", "LOCK", "RESULT_COLUMNS", "RESULT_FORMATS", "BatchLockedError", "csv_cell"]
# internal to the batch (assembler.batch imports them by name): _read_progress, _write_results,
# _write_results_parquet, _FolderLock

PROGRESS = ".memoji-progress.jsonl"
RESULTS = "results.csv"
LOCK = ".memoji-batch.lock"
RESULT_COLUMNS = ["id", "status", "error", "png", "svg", "recipe", "faces", "seconds"]
RESULT_FORMATS = ("csv", "parquet")


class BatchLockedError(MemojiError):
    """Another batch is writing to the same output folder."""

    exit_code = 1


def csv_cell(value: Any) -> str:
    """A results.csv cell that a spreadsheet shows as text: formula starters get a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _read_progress(sink) -> dict[str, dict[str, Any]]:
    done: dict[str, dict[str, Any]] = {}
    data = sink.read(PROGRESS)
    if data is None:
        return done
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut by a kill: that row is simply done again
        if isinstance(rec, dict) and isinstance(rec.get("key"), str):
            done[rec["key"]] = rec
    return done


def _write_results(sink, rows: list[dict[str, Any]], done: dict[str, dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(RESULT_COLUMNS)
    written = set()
    for job in rows:
        rec = done.get(job["key"])
        if rec is None or job["key"] in written:
            continue
        written.add(job["key"])
        w.writerow([csv_cell(rec.get(k, "")) for k in RESULT_COLUMNS])
    sink.write(RESULTS, buf.getvalue().encode("utf-8"))
    return sink.describe(RESULTS)


class _FolderLock:
    """An exclusive ``flock`` on ``OUT/.memoji-batch.lock``: released by the kernel however the holder ends."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / LOCK
        self.fd: int | None = None

    def __enter__(self) -> "_FolderLock":
        import fcntl

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            raise BatchLockedError(f"output folder {self.path.parent} is in use by another memoji batch"
                                   f"{f' (pid {holder})' if holder.isdigit() else ''}: wait for it to finish or "
                                   "use another folder") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the lock; the file stays (removing it would race a new holder)
            self.fd = None



def _write_results_parquet(sink, rows: list[dict[str, Any]], done: dict[str, dict[str, Any]]) -> str:
    """results.parquet: the same rows and columns as results.csv (text cells as they are, no formula guard)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    recs = [done[j["key"]] for j in rows if j["key"] in done]
    recs = list({r["key"]: r for r in recs}.values())
    table = pa.table({k: [str(r.get(k, "")) for r in recs] for k in RESULT_COLUMNS})
    buf = pa.BufferOutputStream()
    pq.write_table(table, buf)
    sink.write("results.parquet", buf.getvalue().to_pybytes())
    return sink.describe("results.parquet")
