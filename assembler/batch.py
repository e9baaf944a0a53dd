"""Batch: a CSV of photos → one avatar folder per row + ``results.csv``.

Input columns: ``id``, ``photo`` (relative paths are taken relative to the CSV's folder), optional ``photo2``,
``photo3`` … (more photos of the same person), and optional override columns named like ``make``'s overrides
(``hair``, ``hair_color``, ``skin``, ``glasses`` …; empty cells are ignored, other columns are kept out of it).

Crash safety: every output file is written atomically; each finished row is appended (one ``write`` + fsync) to
``.memoji-progress.jsonl`` by the parent process; ``results.csv`` is rebuilt atomically from it. A bad row never stops
the batch; ``--resume`` skips rows already in the progress file, so killing a batch and resuming it loses and
duplicates nothing.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from pathlib import Path
from typing import Any

from .errors import MemojiError

__all__ = ["run_batch", "read_rows", "BatchInputError", "RESULT_COLUMNS"]

PROGRESS = ".memoji-progress.jsonl"
RESULTS = "results.csv"
RESULT_COLUMNS = ["id", "status", "error", "png", "svg", "recipe", "seconds"]
_PHOTO_COL = re.compile(r"^photo\d*$")


class BatchInputError(MemojiError):
    """The batch CSV itself cannot be used (missing, unreadable, no id/photo columns)."""

    exit_code = 2


def _override_keys() -> set[str]:
    from .recipe import CATEGORIES, COLOR_SLOTS

    return set(CATEGORIES) | {f"{s}_color" for s in COLOR_SLOTS} | {"skin", "clothes"}


def safe_name(row_id: str) -> str:
    """A folder name from a row id that cannot escape the output folder."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", row_id).strip("._")
    return name[:120]


def read_rows(csv_path: str | os.PathLike) -> list[dict[str, Any]]:
    """Parse and validate the CSV into row jobs (with per-row errors for bad rows, never an exception for them)."""
    import pandas as pd

    path = Path(csv_path)
    if not path.is_file():
        raise BatchInputError(f"cannot read batch CSV {path}: no such file")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # pandas raises many kinds; all mean "not a usable CSV"
        raise BatchInputError(f"cannot read batch CSV {path}: {str(exc).splitlines()[0]}") from None
    missing = [c for c in ("id", "photo") if c not in df.columns]
    if missing:
        raise BatchInputError(f"batch CSV {path} needs columns id and photo (missing: {', '.join(missing)}; "
                              f"found: {', '.join(map(str, df.columns))})")
    photo_cols = sorted([c for c in df.columns if _PHOTO_COL.match(c)], key=lambda c: (len(c), c))
    override_cols = [c for c in df.columns if c in _override_keys()]
    seen: dict[str, int] = {}
    rows = []
    for n, rec in enumerate(df.to_dict("records"), start=2):  # line 1 is the header
        row_id = str(rec["id"]).strip()
        job: dict[str, Any] = {"id": row_id, "line": n, "error": None}
        name = safe_name(row_id)
        if not row_id:
            job["error"] = f"line {n}: empty id"
        elif not name:
            job["error"] = f"line {n}: id '{row_id}' cannot be used as a folder name"
        elif name in seen:
            job["error"] = f"line {n}: duplicate id '{row_id}' (first on line {seen[name]})"
        else:
            seen[name] = n
        job["name"] = name
        job["key"] = row_id if not job["error"] else f"{row_id}@line{n}"  # the progress key: unique per row
        photos = [str(rec[c]).strip() for c in photo_cols if str(rec[c]).strip()]
        job["photos"] = [str(p if Path(p).is_absolute() else (path.parent / p)) for p in photos]
        if not photos and not job["error"]:
            job["error"] = f"line {n}: no photo"
        job["overrides"] = {c: (None if str(rec[c]).strip().lower() == "none" else str(rec[c]).strip())
                            for c in override_cols if str(rec[c]).strip()}
        rows.append(job)
    return rows


def _read_progress(out_dir: Path) -> dict[str, dict[str, Any]]:
    done: dict[str, dict[str, Any]] = {}
    p = out_dir / PROGRESS
    if not p.exists():
        return done
    for line in p.read_text().splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut by a kill: that row is simply done again
        if isinstance(rec, dict) and "key" in rec:
            done[rec["key"]] = rec
    return done


def _write_results(out_dir: Path, rows: list[dict[str, Any]], done: dict[str, dict[str, Any]]) -> Path:
    from index.vector import atomic_write

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=RESULT_COLUMNS)
    w.writeheader()
    written = set()
    for job in rows:
        rec = done.get(job["key"])
        if rec is None or job["key"] in written:
            continue
        written.add(job["key"])
        w.writerow({k: rec.get(k, "") for k in RESULT_COLUMNS})
    path = out_dir / RESULTS
    atomic_write(path, buf.getvalue().encode())
    return path


# -- the worker side ------------------------------------------------------------------------------------------------
_STATE: dict[str, Any] = {}


def _init_worker(threads: int, size: int, stylize: str | None, out_dir: str) -> None:
    import torch

    torch.set_num_threads(max(1, threads))
    _STATE.update(size=size, stylize=stylize, out_dir=out_dir)
    # load the models, the parts library, its index and the identity model once per worker, before the first row
    from .analyze import get_analyzer
    from .search import warm_up

    get_analyzer()
    warm_up()


def _process(job: dict[str, Any]) -> dict[str, Any]:
    from .make import make

    t0 = time.perf_counter()
    rec: dict[str, Any] = {"key": job["key"], "id": job["id"], "status": "error", "error": job.get("error") or "",
                           "png": "", "svg": "", "recipe": ""}
    if not job.get("error"):
        try:
            avatar = make(job["photos"], size=_STATE["size"], stylize=_STATE["stylize"], **job["overrides"])
            folder = Path(_STATE["out_dir"]) / job["name"]
            if not folder.resolve().is_relative_to(Path(_STATE["out_dir"]).resolve()):
                raise MemojiError(f"id '{job['id']}' would write outside the output folder")
            paths = avatar.save(folder, stem="avatar")
            rec.update(status="ok", error="", png=str(paths["png"]), svg=str(paths["svg"]),
                       recipe=str(paths["recipe"]))
        except MemojiError as exc:
            rec["error"] = str(exc)
        except Exception as exc:  # a bad row never stops the batch
            rec["error"] = f"internal error: {type(exc).__name__}: {exc}".splitlines()[0]
    rec["seconds"] = round(time.perf_counter() - t0, 3)
    return rec


def run_batch(csv_path: str | os.PathLike, out_dir: str | os.PathLike, *, workers: int = 1, resume: bool = False,
              size: int = 512, stylize: str | None = None, progress: bool = True) -> dict[str, Any]:
    """Process every row; returns counts and the results path."""
    from tqdm.auto import tqdm

    rows = read_rows(csv_path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    done = _read_progress(out) if resume else {}
    if not resume and (out / PROGRESS).exists():
        (out / PROGRESS).unlink()
    # rewrite the progress file without any half-written last line before appending to it
    from index.vector import atomic_write

    atomic_write(out / PROGRESS, "".join(json.dumps(r) + "\n" for r in done.values()).encode())
    todo = [job for job in rows if job["key"] not in done]
    skipped = len(rows) - len(todo)

    threads = max(1, (os.cpu_count() or 1) // workers)
    fh = open(out / PROGRESS, "a", encoding="utf-8")
    try:
        def record(rec: dict[str, Any]) -> None:
            fh.write(json.dumps(rec) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
            done[rec["key"]] = rec

        bar = tqdm(total=len(todo), desc="avatars", unit="photo", disable=not progress)
        if workers == 1:
            _init_worker(threads, size, stylize, str(out))
            for job in todo:
                record(_process(job))
                bar.update()
        else:
            import multiprocessing as mp

            ctx = mp.get_context("spawn")
            with ctx.Pool(workers, initializer=_init_worker, initargs=(threads, size, stylize, str(out))) as pool:
                for rec in pool.imap_unordered(_process, todo, chunksize=1):
                    record(rec)
                    bar.update()
        bar.close()
    finally:
        fh.close()
    results = _write_results(out, rows, done)
    statuses = [done[j["key"]]["status"] for j in rows if j["key"] in done]
    return {"total": len(rows), "ok": statuses.count("ok"), "error": statuses.count("error"),
            "skipped": skipped, "results": str(results)}
