"""Batch: a CSV, a Parquet file or a folder of photos → one avatar folder per row + ``results.csv``. This module
runs a batch (:func:`run_batch`: the checks made before any photo is analysed, the output folder's lock, resume, each
row recorded as it finishes, SIGTERM ended like Ctrl-C); the rows are read and checked by
:mod:`assembler.batch_input`, made by :mod:`assembler.batch_engines` (local process pool or Ray Data) and written down
by :mod:`assembler.batch_results` (progress file, results.csv/.parquet, lock). Its crash-safety guarantees are listed
in :func:`run_batch`; the names this module defined before that split are re-exported here, so
``from assembler.batch import …`` keeps working.
"""
from __future__ import annotations

import json
import os
import signal
import threading
import time
from typing import Any

from .outputs import safe_name
from .sink import LocalSink, open_sink

# the split-out modules; the names not used here are re-exported (they were defined in this module)
from .batch_engines import (_MAX_BARREN_RESTARTS, _STATE, ENGINES, _died, _init_worker, _process,  # noqa: F401
                            _RayAvatarMaker, _require_distributed, _run_pool, _run_ray)
from .batch_input import (IMAGE_SUFFIXES, MAX_CSV_BYTES, BatchInputError, _override_keys,  # noqa: F401
                          read_rows)
from .batch_results import (LOCK, PROGRESS, RESULT_COLUMNS, RESULT_FORMATS, RESULTS,  # noqa: F401
                            BatchLockedError, _FolderLock, _read_progress, _write_results, _write_results_parquet,
                            csv_cell)

__all__ = ["run_batch", "read_rows", "BatchInputError", "BatchLockedError", "RESULT_COLUMNS", "safe_name",
           "csv_cell"]

_RESULTS_EVERY_S = 1.0


def run_batch(csv_path: str | os.PathLike, out_dir: str | os.PathLike, *, workers: int = 1, resume: bool = False,
              size: int = 512, stylize: str | None = None, progress: bool = True, engine: str = "local",
              address: str | None = None, results_format: str = "csv") -> dict[str, Any]:
    """Process every row; returns counts, the results path and the summary ``line`` the CLI prints.

    ``csv_path``: a CSV, a Parquet file or a folder of photos. ``out_dir``: a folder, or (as text) a URI that
    pyarrow's filesystem layer writes (``s3://bucket/prefix``, ``gs://…``, ``file:///…``). With ``resume``, rows
    that succeeded in an earlier run into ``out_dir`` are kept and every other row (failed or never finished) is made
    again. ``engine``: ``local`` (a process pool on this machine) or ``ray`` (Ray Data actors, on a local Ray or the
    cluster at ``address``); the engines share everything but how rows are scheduled. ``results_format``: ``csv``
    (always written) and optionally ``parquet`` (results.parquet beside it).

    Crash safety:

    - every output file is written atomically and fsynced before the parent appends the row's record (one ``write`` +
      fsync) to ``.memoji-progress.jsonl``; ``results.csv`` is rebuilt from it atomically as rows finish (at most once a
      second), at the end and on an interrupt, so killing a batch and resuming it loses and duplicates nothing;
    - ``--resume`` keeps the rows that succeeded and tries the failed ones again (a full disk or a killed worker is
      often transient);
    - a worker process that dies (SIGKILL, the OOM killer) breaks only its rows: the pool is restarted and each of
      those rows is tried once more, alone in a fresh worker; if it kills that one too it is recorded as failed;
    - a lock file in the output folder refuses a second batch writing to the same folder at the same time;
    - the output may also be a URI that pyarrow writes (``s3://bucket/prefix``, ``file:///…``; :mod:`assembler.sink`):
      every file is put whole or not at all, the progress file is rewritten with results.csv (a killed batch makes
      the last second's rows again on ``--resume``), and there is no lock (object stores have none);
    - cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``) are written to
      results.csv with a leading ``'``.
    """
    from contextlib import nullcontext

    from tqdm.auto import tqdm

    from .errors import UnknownNameError, did_you_mean
    from .avatar import check_request

    if engine not in ENGINES:
        raise UnknownNameError(f"unknown engine {engine!r}{did_you_mean(str(engine), ENGINES)} "
                               f"(engines: {', '.join(ENGINES)})")
    if results_format not in RESULT_FORMATS:
        raise UnknownNameError(f"unknown results format {results_format!r} (formats: {', '.join(RESULT_FORMATS)})")
    if engine == "ray" or results_format == "parquet":
        _require_distributed(engine)
    check_request(size=size)
    sink = open_sink(out_dir)  # an unknown URI scheme or a missing pyarrow: refused before reading anything
    rows = read_rows(csv_path)
    sink.check()  # the folder (or bucket prefix) takes a file: proven before any photo is analysed
    if stylize is not None:
        from .stylization import load_config
        from .stylization.loader import check_files

        check_files(load_config(stylize))  # a bad config or model path fails here, not once per row
    with _FolderLock(sink.root) if isinstance(sink, LocalSink) else nullcontext():  # object stores have no lock
        earlier = _read_progress(sink) if resume else {}
        done = {k: r for k, r in earlier.items() if r.get("status") == "ok"}

        def progress_text() -> bytes:
            return "".join(json.dumps(r) + "\n" for r in done.values()).encode()

        # rewrite the progress file without failed rows and any half-written last line before appending to it
        sink.write(PROGRESS, progress_text())
        log = sink.open_log(PROGRESS)  # appended line by line here; None on a URI: rewritten with results.csv
        todo = [job for job in rows if job["key"] not in done]
        skipped = len(rows) - len(todo)
        last_results = [0.0]

        def flush_results(force: bool = False) -> str | None:
            now = time.monotonic()
            if force or now - last_results[0] >= _RESULTS_EVERY_S:
                if log is None:  # a store that cannot append: the whole progress file, before the results
                    sink.write(PROGRESS, progress_text())
                last_results[0] = now
                return _write_results(sink, rows, done)
            return None

        threads = max(1, (os.cpu_count() or 1) // workers)
        bar = tqdm(total=len(todo), desc="avatars", unit="photo", disable=not progress or engine == "ray")
        stop = [False]
        restore = _signals_as_interrupt(stop)
        try:
            def record(rec: dict[str, Any]) -> None:
                if log is not None:
                    log.write(json.dumps(rec) + "\n")
                done[rec["key"]] = rec
                flush_results()
                if stop[0]:  # a signal whose KeyboardInterrupt a library swallowed inside the row: stop here
                    raise KeyboardInterrupt

            for job in [j for j in todo if j.get("error")]:  # rows that cannot run need no worker
                record(_process(job))
                bar.update()
            runnable = [j for j in todo if not j.get("error")]
            initargs = (threads, size, stylize, sink.target, True)
            if runnable and engine == "ray":
                _run_ray(runnable, workers, initargs, record, bar, address=address, progress=progress)
            elif runnable and workers == 1:
                _init_worker(*initargs[:4])
                for job in runnable:
                    record(_process(job))
                    bar.update()
            elif runnable:
                _run_pool(runnable, workers, initargs, record, bar)
        finally:
            restore()
            bar.close()
            if log is not None:
                log.close()
            results = flush_results(force=True)
            if results_format == "parquet":
                results = _write_results_parquet(sink, rows, done)
    statuses = [done[j["key"]]["status"] for j in rows if j["key"] in done]
    ok, failed = statuses.count("ok"), statuses.count("error")
    line = (f"{ok} ok, {failed} failed, {skipped} kept from before ({len(rows)} rows); results: {results}"
            if resume else f"{ok} ok, {failed} failed ({len(rows)} rows); results: {results}")
    return {"total": len(rows), "ok": ok, "error": failed, "skipped": skipped, "results": str(results), "line": line}


def _signals_as_interrupt(stop: list[bool]):
    """SIGTERM (``kill``, a job scheduler) ends the batch like Ctrl-C, and both set ``stop[0]``: the batch raises
    KeyboardInterrupt at once and, should a library swallow that exception inside a row, again after the row, so a
    signal is never lost. results.csv is written on the way out. A SIGINT the process was started ignoring (a
    background job) stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum, frame):
        stop[0] = True
        raise KeyboardInterrupt

    previous = {}
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            if sig == signal.SIGINT and signal.getsignal(sig) is signal.SIG_IGN:
                continue
            previous[sig] = signal.signal(sig, handler)
        except (ValueError, OSError):
            pass

    def restore() -> None:
        for sig, handler_before in previous.items():
            signal.signal(sig, handler_before)

    return restore
