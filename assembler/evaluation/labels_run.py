"""The run of ``memoji eval --labels``: every labelled photo analysed and classified once (in worker processes when
asked), a recipe chosen per method, optional relightings of the public-domain photos and degradations (JPEG, smaller)
of every photo, optional judge embeddings of every photo and avatar for the lineup (:mod:`.lineup`), progress kept
for ``--resume``."""
from __future__ import annotations

import functools
import json
import os
import time
import zlib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from .label_rules import measured_values, recipe_values
from .labels import _SETUP_ERRORS, PUBLIC_DOMAIN_FOLDERS, LabelsFile, read_labels
from .labels_report import LabelsReport, PhotoResult

__all__ = ["evaluate_labels"]


def _seed_for(seed: int, method: str, rel: str) -> int:
    """``seed`` for every method except ``random``, which draws one avatar per photo (as ``memoji eval DIR``)."""
    return seed if method != "random" else seed + zlib.crc32(rel.encode()) % 100_000


def _error_text(err: BaseException) -> str:
    from ..errors import MemojiError

    text = str(err).splitlines()[0] if str(err).strip() else type(err).__name__
    return text if isinstance(err, (MemojiError, ValueError)) else f"internal error ({type(err).__name__}: {text})"


@functools.lru_cache(maxsize=1)
def _judge():
    from ..judge import create_judge

    return create_judge()


def _embedding(v) -> list[float]:
    return [round(float(x), 6) for x in v]


def _photo_job(job: tuple) -> dict[str, Any]:
    """Analyse one photo once, then choose a recipe per method (picklable: runs in worker processes); with
    ``lineup``, the judge's embeddings of the photo and of every method's avatar."""
    path, rel, transform, methods, seed, lineup = job
    from ..analysis import get_analyzer
    from ..classification import classify
    from ..search import SearchConfig, choose_recipe, gather_evidence

    out: dict[str, Any] = {"error": None, "recipes": {}, "seconds": {}}
    t0 = time.perf_counter()
    try:
        image: Any = path
        if transform:
            from ..io import load_image
            from .degrading import DEGRADATIONS, degrade
            from .relighting import relight

            image = (degrade if transform in DEGRADATIONS else relight)(load_image(path), transform)
        elif lineup:
            from ..io import load_image

            image = load_image(path)  # the judge embeds the photo too
        face = get_analyzer()(image, max_faces=1)[0]
        attrs = classify(face, skin_head="held_out")  # out-of-person: the skin-band head was fitted on these photos
        ev = gather_evidence([face])
    except _SETUP_ERRORS:  # a missing model or package fails every photo alike: stop with its one line
        raise
    except Exception as err:  # noqa: BLE001 - a refused photo is a recorded miss, never the end of the run
        out["error"] = _error_text(err)
        return out
    out["seconds"]["analyze"] = time.perf_counter() - t0
    out.update(measured=measured_values(attrs), monk=attrs.skin_tone, hair_color=attrs.hair_color)
    recipes = {}
    for method in methods:
        t0 = time.perf_counter()
        try:
            recipe = recipes[method] = choose_recipe(ev, method, SearchConfig(seed=_seed_for(seed, method, rel)))
            out["recipes"][method] = {
                "values": recipe_values(recipe), "skin": recipe.colors.get("skin"), "hair": recipe.colors.get("hair"),
                "parts": {c: recipe.parts.get(c) for c in ("hair", "facial_hair", "glasses", "headwear", "mouth")}}
        except Exception as err:  # noqa: BLE001 - one method failing on one photo is recorded
            out["recipes"][method] = {"error": _error_text(err)}
        out["seconds"][method] = time.perf_counter() - t0
    if lineup:
        _lineup_embeddings(out, image, face, [(m, recipes[m]) for m in methods if m in recipes])
    return out


def _lineup_embeddings(out: dict[str, Any], image, face, recipes: list) -> None:
    """``out["lineup"]``: the judge's embedding of the photo and of each recipe's rendered avatar (from the
    renderer's own landmarks, as ``memoji eval DIR`` judges them); a judge failure is recorded, never fatal."""
    import numpy as np

    from ..avatar import render
    from ..judge import flatten_rgba

    t0 = time.perf_counter()
    try:
        judge = _judge()
        emb = {"photo": _embedding(judge.embed(np.asarray(image)[..., :3], face.landmarks))}
        for method, recipe in recipes:
            avatar = render(recipe)
            emb[method] = _embedding(judge.embed(flatten_rgba(avatar.image), np.asarray(avatar.landmarks)))
        out["lineup"] = emb
    except _SETUP_ERRORS:
        raise
    except Exception as err:  # noqa: BLE001 - the photo's other results stand
        out["lineup_error"] = _error_text(err)
    out["seconds"]["lineup"] = time.perf_counter() - t0


def _init_worker() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass


def _job_key(job: tuple) -> str:
    _, rel, transform, methods, seed, lineup = job
    return json.dumps([rel, transform, list(methods), seed] + (["lineup"] if lineup else []))


def _read_progress(path: Path) -> dict[str, dict[str, Any]]:
    """``{job key: result}`` from a progress file of an earlier, interrupted run (unreadable lines are skipped)."""
    done: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return done
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue  # the line a kill cut short
        if isinstance(rec, dict) and isinstance(rec.get("key"), str) and isinstance(rec.get("out"), dict) \
                and isinstance(rec["out"].get("recipes"), dict) and isinstance(rec["out"].get("seconds"), dict):
            done[rec["key"]] = rec["out"]
    return done


def evaluate_labels(labels, methods: Sequence[str] = ("search",), *, root=None, relight: bool = False,
                    relight_folders: Sequence[str] = PUBLIC_DOMAIN_FOLDERS, degrade: bool = False,
                    lineup: bool = False, seed: int = 0,
                    workers: int = 1, progress: bool = True, progress_file=None,
                    resume: bool = False) -> LabelsReport:
    """Score every labelled photo (see the module docstring). ``labels``: a path or a :class:`LabelsFile`;
    ``workers`` > 1 runs photos in that many processes (one thread each). ``relight``: the photos of
    ``relight_folders`` again under every relighting of :mod:`.relighting`; ``degrade``: every photo again under every
    degradation of :mod:`.degrading` — both with the first method only. ``lineup``: the judge also embeds every photo
    as taken and every method's avatar of it, for the machine-judged lineup (:mod:`.lineup`).

    ``progress_file``: every photo's result is appended there as soon as it is done (JSON lines); with ``resume``
    the results already in it (same photo, relighting, methods and seed) are reused instead of recomputed — for a
    run of an hour that was interrupted. Without ``resume`` the file is started afresh."""
    from tqdm.auto import tqdm

    from .degrading import DEGRADATIONS
    from .relighting import RELIGHTINGS
    from ..search import METHODS

    t_start = time.perf_counter()
    lf = labels if isinstance(labels, LabelsFile) else read_labels(labels, root)
    methods = list(methods)
    for m in methods:
        if m not in METHODS:
            from ..errors import UnknownNameError, did_you_mean

            raise UnknownNameError(f"unknown method '{m}'{did_you_mean(m, METHODS)} (methods: {', '.join(METHODS)})")
    folders = tuple(f.strip("/") for f in relight_folders if f.strip("/"))
    relit_rows = [r for r in lf.rows if PurePosixPath(r.path).parts[0] in folders] if relight else []
    jobs = [(str(lf.root / r.path), r.path, "", tuple(methods), seed, lineup) for r in lf.rows]
    jobs += [(str(lf.root / r.path), r.path, name, tuple(methods[:1]), seed, False)
             for r in relit_rows for name in RELIGHTINGS]
    if degrade:
        jobs += [(str(lf.root / r.path), r.path, name, tuple(methods[:1]), seed, False)
                 for name in DEGRADATIONS for r in lf.rows]
    keys = [_job_key(j) for j in jobs]
    done = _read_progress(Path(progress_file)) if resume and progress_file is not None else {}
    outs: dict[str, dict[str, Any]] = {k: done[k] for k in keys if k in done}
    todo = [(k, j) for k, j in zip(keys, jobs) if k not in outs]
    log = None
    if progress_file is not None:
        log = open(progress_file, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        for k in outs:  # what is reused stays in the file for the next resume
            log.write(json.dumps({"key": k, "out": outs[k]}) + "\n")
        log.flush()

    def record(key: str, out: dict[str, Any]) -> None:
        outs[key] = out
        if log is not None:
            log.write(json.dumps({"key": key, "out": out}, default=str) + "\n")
            log.flush()

    bar = tqdm(total=len(todo), desc="photos", unit="photo", disable=not progress)
    try:
        if workers > 1 and len(todo) > 1:
            import multiprocessing as mp

            with mp.get_context("spawn").Pool(min(workers, len(todo)), initializer=_init_worker) as pool:
                for key, out in pool.imap_unordered(_keyed_job, todo, chunksize=1):
                    record(key, out)
                    bar.update()
        else:
            for key, job in todo:
                record(key, _photo_job(job))
                bar.update()
    finally:
        bar.close()
        if log is not None:
            log.close()
    by_path = {r.path: r for r in lf.rows}
    results: list[PhotoResult] = []
    relit: list[PhotoResult] = []
    degraded: list[PhotoResult] = []
    for key, (_, rel, name, *_) in zip(keys, jobs):
        o = outs[key]
        pr = PhotoResult(row=by_path[rel], relight=name, error=o.get("error"), measured=o.get("measured") or {},
                         monk=o.get("monk"), hair_color=o.get("hair_color"), recipes=o["recipes"],
                         seconds=o["seconds"], lineup=o.get("lineup"), lineup_error=o.get("lineup_error"))
        (degraded if name in DEGRADATIONS else relit if name else results).append(pr)
    return LabelsReport(labels=lf, methods=methods, results=results, relit=relit,
                        relightings=list(RELIGHTINGS) if relight else [], degraded=degraded,
                        degradations=list(DEGRADATIONS) if degrade else [], lineup=lineup,
                        total_s=time.perf_counter() - t_start,
                        workers=workers, reused=sum(k in done for k in keys))


def _keyed_job(item: tuple[str, tuple]) -> tuple[str, dict[str, Any]]:
    key, job = item
    return key, _photo_job(job)
