"""Batch: a CSV of photos → one avatar folder per row + ``results.csv``.

Input columns: ``id``, ``photo`` (relative paths are taken relative to the CSV's folder), optional ``photo2``,
``photo3`` … (more photos of the same person), and optional override columns named like ``make``'s overrides
(``hair``, ``hair_color``, ``skin``, ``glasses`` …; empty cells are ignored, other columns are kept out of it).
A row with more or fewer cells than the header, an empty or duplicate id, no photo or a bad override is a failed
row with its line number; it never stops the batch.

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
from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import threading
import time
import warnings
from collections import deque
from pathlib import Path
from typing import Any

from .errors import MemojiError
from .outputs import safe_name
from .sink import LocalSink, open_sink

__all__ = ["run_batch", "read_rows", "BatchInputError", "BatchLockedError", "RESULT_COLUMNS", "safe_name",
           "csv_cell"]

PROGRESS = ".memoji-progress.jsonl"
RESULTS = "results.csv"
LOCK = ".memoji-batch.lock"
RESULT_COLUMNS = ["id", "status", "error", "png", "svg", "recipe", "faces", "seconds"]
MAX_CSV_BYTES = 1 << 30
_PHOTO_COL = re.compile(r"^photo\d*$")
_RESULTS_EVERY_S = 1.0
_MAX_BARREN_RESTARTS = 3  # worker pools that die before finishing a single row: then the batch gives up on them


class BatchInputError(MemojiError):
    """The batch CSV itself cannot be used (missing, unreadable, no id/photo columns)."""

    exit_code = 2


class BatchLockedError(MemojiError):
    """Another batch is writing to the same output folder."""

    exit_code = 1


def _override_keys() -> set[str]:
    from .recipe import CATEGORIES, COLOR_SLOTS

    return set(CATEGORIES) | {f"{s}_color" for s in COLOR_SLOTS} | {"skin", "clothes", "outfit", "background"}


def csv_cell(value: Any) -> str:
    """A results.csv cell that a spreadsheet shows as text: formula starters get a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif")


def _read_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line, cells) rows of the batch input: a UTF-8 CSV, a Parquet file (``.parquet``, every column
    read as text; "line" is the row number + 1) or a folder of photos (one row per image file, id = its name)."""
    if path.is_dir():
        return _folder_table(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        return _parquet_table(path)
    return _csv_table(path)


def _folder_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    photos = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith("."))
    if not photos:
        raise BatchInputError(f"batch folder {path} holds no photos ({', '.join(IMAGE_SUFFIXES)})")
    return ["id", "photo"], [(n, [p.stem, p.name]) for n, p in enumerate(photos, start=2)]


def _parquet_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        from .errors import MissingDependencyError

        raise MissingDependencyError("reading Parquet needs pyarrow: pip install -e '.[distributed]' in the "
                                     "memoji-assembler checkout") \
            from None
    from .io import check_regular_file

    check_regular_file(path, what="batch Parquet file", error=BatchInputError)
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError …: all mean "not a usable Parquet file"
        raise BatchInputError(f"cannot read batch Parquet file {path}: {' '.join(str(exc).split())[:200]}") from None
    header = [str(c).strip() for c in table.column_names]
    cols = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows = [(n + 2, ["" if c[n] is None else str(c[n]) for c in cols]) for n in range(table.num_rows)]
    return header, rows


def _csv_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line, cells) rows of a UTF-8 CSV; one :class:`BatchInputError` line for an unusable file."""
    from .io import check_regular_file

    check_regular_file(path, what="batch CSV", max_bytes=MAX_CSV_BYTES, error=BatchInputError)
    rows: list[tuple[int, list[str]]] = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            for cells in reader:
                if cells and any(c.strip() for c in cells):
                    rows.append((reader.line_num, cells))
    except UnicodeDecodeError as exc:
        raise BatchInputError(f"cannot read batch CSV {path}: not UTF-8 text (byte {exc.start})") from None
    except csv.Error as exc:
        raise BatchInputError(f"cannot read batch CSV {path}: {exc}") from None
    except OSError as exc:
        raise BatchInputError(f"cannot read batch CSV {path}: {exc.strerror or exc}") from None
    if not header or not any(h.strip() for h in header):
        raise BatchInputError(f"batch CSV {path} is empty: it needs a header line with id and photo columns")
    return [h.strip() for h in header], rows


def read_rows(csv_path: str | os.PathLike) -> list[dict[str, Any]]:
    """Parse and validate the CSV into row jobs (with per-row errors for bad rows, never an exception for them)."""
    from .avatar import check_overrides

    path = Path(csv_path)
    header, table = _read_table(path)
    dupes = sorted({h for h in header if header.count(h) > 1 and h})
    if dupes:
        raise BatchInputError(f"batch CSV {path} has duplicate columns: {', '.join(dupes)}")
    missing = [c for c in ("id", "photo") if c not in header]
    if missing:
        shown = ", ".join(h[:40] for h in header[:12])
        raise BatchInputError(f"batch CSV {path} needs columns id and photo (missing: {', '.join(missing)}; "
                              f"found: {shown})")
    photo_cols = sorted([c for c in header if _PHOTO_COL.match(c)], key=lambda c: (len(c), c))
    keys = _override_keys()
    override_cols = [c for c in header if c in keys]
    seen: dict[str, int] = {}
    rows = []
    for n, cells in table:
        rec = dict(zip(header, cells))
        row_id = rec.get("id", "").strip()
        job: dict[str, Any] = {"id": row_id, "line": n, "error": None}
        name = safe_name(row_id)
        if len(cells) != len(header):
            job["error"] = f"line {n}: {len(cells)} cells but the header has {len(header)} columns"
        elif not row_id:
            job["error"] = f"line {n}: empty id"
        elif not name:
            job["error"] = f"line {n}: id {row_id[:40]!r} cannot be used as a folder name"
        elif name in seen:
            job["error"] = f"line {n}: duplicate id {row_id[:40]!r} (first on line {seen[name]})"
        else:
            seen[name] = n
        job["name"] = name
        job["key"] = row_id if not job["error"] else f"{row_id}@line{n}"  # the progress key: unique per row
        photos = [rec[c].strip() for c in photo_cols if rec.get(c, "").strip()]
        # absolute, so a worker with another working folder (a Ray actor) finds the same file
        job["photos"] = [os.path.abspath(p if Path(p).is_absolute() else (path.parent / p)) for p in photos]
        if not photos and not job["error"]:
            job["error"] = f"line {n}: no photo"
        job["overrides"] = {c: (None if rec[c].strip().lower() == "none" else rec[c].strip())
                            for c in override_cols if rec.get(c, "").strip()}
        if not job["error"] and job["overrides"]:
            try:
                check_overrides(job["overrides"])
            except MemojiError as exc:
                job["error"] = f"line {n}: {exc}"
        rows.append(job)
    return rows


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


# -- the worker side ------------------------------------------------------------------------------------------------
_STATE: dict[str, Any] = {}


def _init_worker(threads: int, size: int, stylize: str | None, out: str, pooled: bool = False) -> None:
    """``out``: the output folder (absolute) or URI; each worker opens its own sink (a Ray actor on another node
    opens the URI with that node's credentials)."""
    import torch

    torch.set_num_threads(max(1, threads))
    _STATE.update(size=size, stylize=stylize, sink=open_sink(out), pooled=pooled)
    # load the models, the parts library, its index and the identity model once per worker, before the first row
    from .analysis import get_analyzer
    from .search import warm_up

    get_analyzer()
    warm_up()


def _process(job: dict[str, Any]) -> dict[str, Any]:
    from .avatar import make

    t0 = time.perf_counter()
    rec: dict[str, Any] = {"key": job["key"], "id": job["id"], "status": "error", "error": job.get("error") or "",
                           "png": "", "svg": "", "recipe": "", "faces": ""}
    if not job.get("error"):
        if os.environ.get("MEMOJI_TEST_KILL_ROW") == job["id"] and _STATE.get("pooled"):
            os.kill(os.getpid(), signal.SIGKILL)  # the tests' stand-in for the OOM killer
        try:
            sink = _STATE["sink"]
            sink.check_name(job["name"])  # the name guard, before minutes of work
            avatar = make(job["photos"], size=_STATE["size"], stylize=_STATE["stylize"], **job["overrides"])
            rec["faces"] = "/".join(str(f.faces_found) for f in avatar.faces)
            written = {kind: sink.write(f"{job['name']}/{name}", data)
                       for kind, (name, data) in avatar.files("avatar").items()}
            rec.update(status="ok", error="", png=written["png"], svg=written["svg"], recipe=written["recipe"])
        except MemojiError as exc:
            rec["error"] = " ".join(str(exc).split())
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            rec["error"] = f"{where}{exc.strerror or type(exc).__name__}"
        except Exception as exc:  # a bad row never stops the batch
            rec["error"] = " ".join(f"internal error: {type(exc).__name__}: {exc}".split())[:500]
    rec["seconds"] = round(time.perf_counter() - t0, 3)
    return rec


def _died(job: dict[str, Any], tries: int) -> dict[str, Any]:
    return {"key": job["key"], "id": job["id"], "status": "error", "png": "", "svg": "", "recipe": "", "faces": "",
            "seconds": "", "error": f"the worker process died (killed, or out of memory) while making this avatar, "
                                   f"{tries} time{'s' if tries > 1 else ''}"}


def _run_pool(todo: list[dict[str, Any]], workers: int, initargs: tuple, record, bar) -> None:
    """Run ``todo`` on ``workers`` processes; a dead worker breaks the pool, which is restarted, and the rows it had
    are tried once more one at a time (so the row that kills its worker is found and only that row fails)."""
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    ctx = mp.get_context("spawn")
    queue: deque = deque(todo)
    suspects: deque = deque()  # rows whose worker died once: each runs alone next time
    crashes: dict[str, int] = {}
    inflight: dict[Any, dict[str, Any]] = {}
    pool = None
    barren = 0  # consecutive pools that died without finishing a row
    isolated = False  # the rows in flight are one suspect running alone
    finished_in_pool = 0
    try:
        while queue or suspects or inflight:
            if pool is None:
                pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=initargs)
                finished_in_pool = 0
            if suspects:
                if not inflight:
                    job = suspects.popleft()
                    inflight[pool.submit(_process, job)] = job
                    isolated = True
            else:
                while queue and len(inflight) < workers:
                    job = queue.popleft()
                    inflight[pool.submit(_process, job)] = job
                    isolated = False
            done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                job = inflight.pop(fut)
                try:
                    rec = fut.result()
                except BrokenProcessPool:
                    broken = True
                    inflight[fut] = job  # handled with the rest below
                    continue
                record(rec)
                bar.update()
                finished_in_pool += 1
            if not broken:
                continue
            for job in inflight.values():
                crashes[job["key"]] = crashes.get(job["key"], 0) + 1
                if isolated or crashes[job["key"]] >= 2:  # it died alone in a fresh worker: this row is the cause
                    record(_died(job, crashes[job["key"]]))
                    bar.update()
                else:
                    suspects.append(job)
            inflight.clear()
            pool.shutdown(wait=False, cancel_futures=True)
            pool = None
            barren = barren + 1 if finished_in_pool == 0 else 0
            if barren >= _MAX_BARREN_RESTARTS:
                for job in [*suspects, *queue]:
                    rec = _died(job, crashes.get(job["key"], 0) or 1)
                    rec["error"] = "worker processes keep dying before finishing a row (not enough memory?)"
                    record(rec)
                    bar.update()
                suspects.clear()
                queue.clear()
    finally:
        if pool is not None:
            procs = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for proc in procs:  # don't leave workers behind on Ctrl-C
                if proc.is_alive():
                    proc.kill()


ENGINES = ("local", "ray")
RESULT_FORMATS = ("csv", "parquet")


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


def _require_distributed(engine: str) -> None:
    from .errors import MissingDependencyError

    try:
        import pyarrow  # noqa: F401
        if engine == "ray":
            import ray  # noqa: F401
            import ray.data  # noqa: F401
    except ImportError:
        raise MissingDependencyError(f"{'--engine ray' if engine == 'ray' else 'Parquet results'} needs the "
                                     "distributed extra: pip install -e '.[distributed]' in the memoji-assembler "
                                     "checkout") from None


class _RayAvatarMaker:
    """A Ray Data actor: loads the models once (the worker initialiser of the local engine), then makes one row
    at a time with the same :func:`_process` as the local engine."""

    def __init__(self, threads: int, size: int, stylize: str | None, out: str, pooled: bool) -> None:
        _init_worker(threads, size, stylize, out, pooled)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        return {"record": [json.dumps(_process(json.loads(str(job)))) for job in batch["job"]]}


def _run_ray(todo: list[dict[str, Any]], workers: int, initargs: tuple, record, bar, *, address: str | None,
             progress: bool) -> None:
    """Rows through Ray Data: ``from_items`` → ``map_batches(_RayAvatarMaker, compute=ActorPoolStrategy(workers))``
    → streamed back to this process, which records each row as it arrives (the same progress file and results as the
    local engine).

    Fault tolerance: an actor that dies (SIGKILL, OOM) is restarted (``max_restarts=-1``, its constructor reloads
    the models) and the row it was making is retried once (``max_task_retries=1``); a row that kills its actor
    twice fails its block, which ``max_errored_blocks=-1`` lets the job survive, and is recorded here as failed.
    One row per block, so a failed block is one row."""
    import ray
    from ray.data import DataContext

    started = False
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        if address:
            ray.init(address=address, **kwargs)
        else:
            ray.init(num_cpus=max(workers, os.cpu_count() or 1), **kwargs)
        started = True
    ctx = DataContext.get_current()
    saved = (ctx.max_errored_blocks, ctx.enable_progress_bars)
    ctx.max_errored_blocks = -1
    ctx.enable_progress_bars = progress
    seen: set[str] = set()
    try:
        items = [{"job": json.dumps(job)} for job in todo]
        ds = ray.data.from_items(items, override_num_blocks=len(items))
        with warnings.catch_warnings():  # Ray 2.60 has no named parameter for these actor options yet
            warnings.filterwarnings("ignore", message=".*ray_remote_args.*deprecated")
            ds = ds.map_batches(_RayAvatarMaker, fn_constructor_args=initargs, batch_size=1,
                                compute=ray.data.ActorPoolStrategy(size=workers), num_cpus=1, max_restarts=-1,
                                max_task_retries=1)
        for row in ds.iter_rows():
            rec = json.loads(row["record"])
            record(rec)
            seen.add(rec["key"])
        for job in todo:
            if job["key"] not in seen:
                record(_died(job, 2))
    finally:
        ctx.max_errored_blocks, ctx.enable_progress_bars = saved
        if started:
            ray.shutdown()


def run_batch(csv_path: str | os.PathLike, out_dir: str | os.PathLike, *, workers: int = 1, resume: bool = False,
              size: int = 512, stylize: str | None = None, progress: bool = True, engine: str = "local",
              address: str | None = None, results_format: str = "csv") -> dict[str, Any]:
    """Process every row; returns counts, the results path and the summary ``line`` the CLI prints.

    ``csv_path``: a CSV, a Parquet file or a folder of photos. ``out_dir``: a folder, or (as text) a URI that
    pyarrow's filesystem layer writes (``s3://bucket/prefix``, ``gs://…``, ``file:///…``). With ``resume``, rows
    that succeeded in an earlier run into ``out_dir`` are kept and every other row (failed or never finished) is made
    again. ``engine``: ``local`` (a process pool on this machine) or ``ray`` (Ray Data actors, on a local Ray or the
    cluster at ``address``); the engines share everything but how rows are scheduled. ``results_format``: ``csv``
    (always written) and optionally ``parquet`` (results.parquet beside it)."""
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
        restore = _sigterm_as_interrupt()
        try:
            def record(rec: dict[str, Any]) -> None:
                if log is not None:
                    log.write(json.dumps(rec) + "\n")
                done[rec["key"]] = rec
                flush_results()

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


def _sigterm_as_interrupt():
    """SIGTERM (``kill``, a job scheduler) ends the batch like Ctrl-C: results.csv is written on the way out."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):
        return lambda: None
    return lambda: signal.signal(signal.SIGTERM, previous)

