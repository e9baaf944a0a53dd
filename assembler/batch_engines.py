"""Batch engines: how the rows of a batch are scheduled and made. Each worker loads the models once
(:func:`_init_worker`) and makes one row at a time (:func:`_process`: a row's error is its record, never an
exception); the ``local`` engine runs them in this process or on a pool of spawned processes that is restarted when a
worker dies, retrying that worker's rows once each, alone (:func:`_run_pool`); the ``ray`` engine runs the same
function in Ray Data actors (:func:`_run_ray`). Both hand each finished row's record to the caller's ``record``
callback; writing it down is :mod:`assembler.batch`'s job.
"""
from __future__ import annotations

import json
import os
import signal
import time
import warnings
from collections import deque
from typing import Any

from .errors import MemojiError
from .sink import open_sink

# the engines themselves (_init_worker, _process, _run_pool, _run_ray …) are internal to the batch: assembler.batch
# imports them by name
__all__ = ["ENGINES"]

_MAX_BARREN_RESTARTS = 3  # worker pools that die before finishing a single row: then the batch gives up on them
ENGINES = ("local", "ray")


# -- the worker side ------------------------------------------------------------------------------------------------
_STATE: dict[str, Any] = {}


def _init_worker(threads: int, size: int, stylize: str | None, out: str, pooled: bool = False) -> None:
    """``out``: the output folder (absolute) or URI; each worker opens its own sink (a Ray actor on another node
    opens the URI with that node's credentials)."""
    import torch

    torch.set_num_threads(max(1, threads))
    if pooled:
        # a worker process of its own: the segmenter's onnxruntime pool takes OMP_NUM_THREADS threads (2 unset), so
        # it gets the worker's share of the cores. (In-process, with one worker, the caller's environment is left as
        # it is.)
        os.environ.setdefault("OMP_NUM_THREADS", str(max(1, threads)))
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


def _ray_pass(todo: list[dict[str, Any]], actors: int, initargs: tuple, record) -> list[dict[str, Any]]:
    """One pass of ``todo`` through ``actors`` Ray Data actors; records what comes back, returns the rows that did
    not (their actor died under them twice)."""
    import ray

    items = [{"job": json.dumps(job)} for job in todo]
    ds = ray.data.from_items(items, override_num_blocks=len(items))
    with warnings.catch_warnings():  # Ray 2.60 has no named parameter for these actor options yet
        warnings.filterwarnings("ignore", message=".*ray_remote_args.*deprecated")
        ds = ds.map_batches(_RayAvatarMaker, fn_constructor_args=initargs, batch_size=1,
                            compute=ray.data.ActorPoolStrategy(size=actors, max_tasks_in_flight_per_actor=1),
                            num_cpus=1, max_restarts=-1, max_task_retries=1)
    seen: set[str] = set()
    for row in ds.iter_rows():
        rec = json.loads(row["record"])
        record(rec)
        seen.add(rec["key"])
    return [job for job in todo if job["key"] not in seen]


def _run_ray(todo: list[dict[str, Any]], workers: int, initargs: tuple, record, bar, *, address: str | None,
             progress: bool) -> None:
    """Rows through Ray Data: ``from_items`` → ``map_batches(_RayAvatarMaker, compute=ActorPoolStrategy(workers))``
    → streamed back to this process, which records each row as it arrives (the same progress file and results as the
    local engine).

    Fault tolerance: each actor makes one row at a time (``max_tasks_in_flight_per_actor=1``), so an actor that dies
    (SIGKILL, OOM) takes only its own row down — with Ray's default of several rows in flight, a row queued beside one
    that kills its actor died with it; it is restarted (``max_restarts=-1``, its constructor reloads the models) and
    the row is retried once (``max_task_retries=1``); a row that kills its actor twice fails its block (one row per
    block), which ``max_errored_blocks=-1`` lets the job survive, and is recorded here as failed. (A second pass of
    the failed rows on a single actor hung Ray Data 2.60 here when a local Ray had already been started and stopped
    in the same process; it is not done.)"""
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
    try:
        for job in _ray_pass(todo, workers, initargs, record):
            record(_died(job, 2))
    finally:
        ctx.max_errored_blocks, ctx.enable_progress_bars = saved
        if started:
            ray.shutdown()

