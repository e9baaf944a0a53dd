"""The identity evaluation's run (``memoji eval DIR``): analyse and judge every photo once, make every method's avatar
of every photo, rank the gallery by the judge's cosine to each avatar (see :mod:`assembler.evaluation`)."""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..search import METHODS
from .agreement import attribute_agreement
from .photos import DEFAULT_EXCLUDE, collect_photos, notes_truth
from .report import AvatarEval, EvalReport, PhotoEval

__all__ = ["evaluate"]


def _face_thumb(rgb: np.ndarray, landmarks68: np.ndarray, size: int):
    """A square crop around the face (hair and chin included) for the contact sheet."""
    from PIL import Image

    pts = np.asarray(landmarks68, dtype=np.float64)
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    side = 1.9 * max(x1 - x0, y1 - y0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 - 0.12 * side
    box = tuple(int(round(v)) for v in (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2))
    img = Image.fromarray(rgb).crop(box)
    img.thumbnail((size, size))
    return img


def _seed_for(seed: int, method: str, photo: PhotoEval) -> int:
    """``seed`` for every method except ``random``, which gets an independent draw per photo (``seed`` + CRC32 of
    ``person/file``): one shared random avatar for everyone would be a constant, not a random baseline."""
    if method != "random":
        return seed
    import zlib

    return seed + zlib.crc32(f"{photo.person}/{photo.path.name}".encode()) % 100_000


def _default_make(photo, *, method: str, seed: int):
    from ..avatar import make
    from ..classification import get_classifier

    # the skin-band head was fitted on the development photos: each is scored by the head refitted without its person
    return make(photo, method=method, seed=seed, classifier=get_classifier("measured", skin_head="held_out"))


def _default_analyze(path):
    from ..analysis import analyze

    return analyze(path, max_faces=1)[0]


def evaluate(root, methods: Sequence[str] = METHODS, *, make_fn: Callable | None = None, judge=None,
             analyze_fn: Callable | None = None, seed: int = 0, exclude: Sequence[str] = DEFAULT_EXCLUDE,
             detect: bool = True, thumb: int = 160, avatar_dir=None, progress: bool = True) -> EvalReport:
    """Run every method on every photo under ``root`` and judge the avatars (see the module docstring).

    ``make_fn(photo_path, method=..., seed=...) -> Avatar`` (default :func:`assembler.make`),
    ``analyze_fn(photo_path) -> FaceRecord`` (default ``analyze(path, max_faces=1)[0]``), ``judge``: an embedder
    (default ``facenet-casia-opencv``). ``avatar_dir``: also write every avatar PNG + recipe there.
    """
    from tqdm.auto import tqdm

    from ..errors import MemojiError
    from ..io import load_image
    from ..judge import JUDGE_NAME, create_judge, flatten_rgba

    t_start = time.perf_counter()
    root = Path(root)
    methods = list(methods)
    make_fn = make_fn or _default_make
    analyze_fn = analyze_fn or _default_analyze
    judge = judge if judge is not None else create_judge()
    judge_name = getattr(judge, "name", JUDGE_NAME)
    people = collect_photos(root, exclude)
    truth = notes_truth(root)

    # 1. the gallery: analyse + judge every photo once
    photos: list[PhotoEval] = []
    items = [(person, path) for person, paths in people.items() for path in paths]
    for person, path in tqdm(items, desc="photos", unit="photo", disable=not progress):
        pe = PhotoEval(person, path, ok=False)
        photos.append(pe)
        try:
            t0 = time.perf_counter()
            face = analyze_fn(path)
            pe.timings["analyze"] = time.perf_counter() - t0
            rgb = np.asarray(load_image(path))[..., :3]
            t0 = time.perf_counter()
            pe.embedding = judge.embed(rgb, face.landmarks)
            pe.timings["judge"] = time.perf_counter() - t0
        except (MemojiError, ValueError) as err:
            pe.error = str(err).splitlines()[0] if str(err) else type(err).__name__
            continue
        pe.thumb = _face_thumb(rgb, face.landmarks, thumb * 2)
        pe.ok = True
    gallery = [p for p in photos if p.ok]
    G = np.stack([p.embedding for p in gallery]) if gallery else np.zeros((0, getattr(judge, "dim", 512)))
    people_of = np.array([p.person for p in gallery])

    def judge_rank(i: int, e: np.ndarray, a: AvatarEval) -> None:
        sims = G @ e
        cand = np.array([j for j in range(len(gallery)) if j != i])
        order = cand[np.argsort(-sims[cand], kind="stable")]
        pos = [k for k, j in enumerate(order) if people_of[j] == gallery[i].person]
        a.n_candidates, a.n_positives = len(cand), len(pos)
        a.rank = pos[0] + 1 if pos else None
        a.cos_own = float(sims[i])
        same = [sims[j] for j in cand if people_of[j] == gallery[i].person]
        other = [sims[j] for j in cand if people_of[j] != gallery[i].person]
        a.cos_same = float(np.mean(same)) if same else None
        a.cos_other = float(np.mean(other)) if other else None
        a.top = [(int(j), float(sims[j])) for j in order[:5]]

    # 2. the ceiling: the photo itself as the query
    avatars: list[AvatarEval] = []
    for i, p in enumerate(gallery):
        a = AvatarEval(p.person, p.path, "photo", ok=True, timings={"judge": p.timings["judge"]})
        judge_rank(i, p.embedding, a)
        avatars.append(a)

    # 3. every method on every photo
    jobs = [(i, m) for i in range(len(gallery)) for m in methods]
    for i, method in tqdm(jobs, desc="avatars", unit="avatar", disable=not progress):
        p = gallery[i]
        a = AvatarEval(p.person, p.path, method, ok=False)
        avatars.append(a)
        try:
            t0 = time.perf_counter()
            avatar = make_fn(p.path, method=method, seed=_seed_for(seed, method, p))
            wall = time.perf_counter() - t0
            a.timings = {k: float(v) for k, v in (getattr(avatar, "timings", None) or {}).items()}
            a.timings.setdefault("total", wall)
            image = avatar.image
            t0 = time.perf_counter()
            e = judge.embed(flatten_rgba(image), np.asarray(avatar.landmarks))
            a.timings["judge"] = time.perf_counter() - t0
        except (MemojiError, ValueError) as err:
            a.error = str(err).splitlines()[0] if str(err) else type(err).__name__
            continue
        judge_rank(i, e, a)
        a.recipe = avatar.recipe.to_dict()
        face = getattr(avatar, "face", None)
        rel = str(p.path.relative_to(root)) if p.path.is_relative_to(root) else None
        a.agreement = attribute_agreement(a.recipe, getattr(face, "attributes", None), truth.get(rel))
        if detect and hasattr(judge, "detect"):
            a.detected = any(d.get("confidence", 0) >= 0.9 for d in judge.detect(image))
        a.thumb = image.copy()
        a.thumb.thumbnail((thumb * 2, thumb * 2))
        if avatar_dir is not None:
            from index.vector import atomic_write

            d = Path(avatar_dir) / p.person
            d.mkdir(parents=True, exist_ok=True)
            image.save(d / f"{p.path.stem}__{method}.png")
            atomic_write(d / f"{p.path.stem}__{method}.recipe.json", json.dumps(a.recipe, indent=1).encode())
        a.ok = True
    return EvalReport(root, methods, photos, avatars, judge_name, time.perf_counter() - t_start, thumb)
