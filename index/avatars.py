"""`AvatarIndex`: identity embeddings of many rendered avatars, so a photo's embedding retrieves whole avatars
(recipes) that look like it.

The index knows no faces: :meth:`AvatarIndex.build` takes three callables —
``make_spec(rng) -> dict`` (a random valid recipe/spec), ``render(spec) -> result`` with ``.image`` (PIL RGBA or an
RGB(A) array) and ``.landmarks`` (68, 2) of the drawn face, and ``embed(rgb_uint8, landmarks68) -> unit vector`` —
so the renderer's own landmarks place the face and no detector is needed. Avatar ``i`` draws its spec from
``numpy.random.default_rng([seed, i])``: the same ``(n, seed)`` gives the same index.

Files: ``avatars.faiss`` + ``avatars.json`` (ids, metric, meta) and ``avatars.jsonl`` (one spec per line, in id
order), written atomically.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .vector import VectorIndex, atomic_write

__all__ = ["AvatarIndex"]

NAME = "avatars"


def _rgb(image, background=(255, 255, 255)) -> np.ndarray:
    """RGB uint8 from a PIL image or an array; transparency composited over ``background``."""
    arr = np.asarray(image.convert("RGBA") if hasattr(image, "convert") else image)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.shape[2] == 4:
        a = arr[..., 3:4].astype(np.float32) / 255.0
        out = arr[..., :3].astype(np.float32) * a + np.asarray(background, np.float32) * (1.0 - a)
        return np.clip(np.round(out), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(arr[..., :3], dtype=np.uint8)


def render_and_embed(ids, make_spec: Callable[[np.random.Generator], dict], render: Callable[[dict], Any],
                     embed: Callable[[np.ndarray, np.ndarray], np.ndarray], *, seed: int = 0,
                     background=(255, 255, 255)) -> tuple[list[dict], np.ndarray]:
    """Avatars ``ids`` (spec ``i`` is drawn from ``default_rng([seed, i])``, so any split of the ids over processes
    gives the same avatars): their specs (plain JSON copies) and embeddings."""
    specs: list[dict] = []
    vecs: list[np.ndarray] = []
    for i in ids:
        spec = make_spec(np.random.default_rng([seed, i]))
        result = render(spec)
        landmarks = np.asarray(result.landmarks, dtype=np.float64)
        if landmarks.shape != (68, 2):
            raise ValueError(f"render() must return (68, 2) landmarks, got {landmarks.shape} for avatar {i}")
        v = np.asarray(embed(_rgb(result.image, background), landmarks), dtype=np.float32).ravel()
        specs.append(json.loads(json.dumps(spec)))  # a plain JSON copy: what save/load would give back
        vecs.append(v)
    return specs, np.stack(vecs)


class AvatarIndex:
    """Rendered-avatar identity embeddings (cosine) → their specs."""

    def __init__(self, index: VectorIndex, specs: list[dict], meta: dict | None = None):
        if len(index) != len(specs):
            raise ValueError(f"{len(index)} embeddings for {len(specs)} specs")
        self.index = index
        self.specs = specs
        self.meta = dict(meta or {})

    @classmethod
    def build(cls, n: int, make_spec: Callable[[np.random.Generator], dict], render: Callable[[dict], Any],
              embed: Callable[[np.ndarray, np.ndarray], np.ndarray], *, seed: int = 0, progress: bool = True,
              meta: dict | None = None, background=(255, 255, 255), use_gpu: bool | None = None) -> "AvatarIndex":
        """Render and embed ``n`` random avatars (tqdm progress bar when ``progress``). ``meta`` (e.g. the
        embedder's name and the manifest hash) is saved with the index; ``seed`` and ``n`` are added."""
        from tqdm.auto import tqdm

        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        ids = tqdm(range(n), desc="avatar index", unit="avatar", disable=not progress)
        specs, x = render_and_embed(ids, make_spec, render, embed, seed=seed, background=background)
        return cls.from_arrays(specs, x, meta={**(meta or {}), "n": n, "seed": seed}, use_gpu=use_gpu)

    @classmethod
    def from_arrays(cls, specs: list[dict], embeddings: np.ndarray, *, meta: dict | None = None,
                    use_gpu: bool | None = None) -> "AvatarIndex":
        """An index over avatars ``0..n-1`` already rendered and embedded (e.g. by several processes)."""
        x = np.asarray(embeddings, np.float32)
        index = VectorIndex(x.shape[1], "ip", use_gpu=use_gpu)
        index.add(list(range(len(x))), x)
        return cls(index, list(specs), meta)

    def __len__(self) -> int:
        return len(self.specs)

    @property
    def dim(self) -> int:
        return self.index.dim

    def query(self, embedding, k: int = 8) -> list[tuple[dict, float]]:
        """The ``k`` avatars most similar to ``embedding``: ``[(spec_dict, cosine_similarity), …]``, best first.
        The dicts are copies (safe to edit)."""
        ids, sims = self.index.search(np.ravel(np.asarray(embedding, np.float32))[None], k)
        return [(json.loads(json.dumps(self.specs[int(i)])), float(s)) for i, s in zip(ids[0], sims[0])]

    def save(self, directory) -> Path:
        directory = Path(directory)
        lines = "".join(json.dumps(s, sort_keys=True) + "\n" for s in self.specs)
        atomic_write(directory / f"{NAME}.jsonl", lines.encode())
        self.index.save(directory, NAME, meta=self.meta)  # the .json (with the count) last
        return directory

    @classmethod
    def load(cls, directory, *, expect: dict | None = None, use_gpu: bool | None = None) -> "AvatarIndex":
        """Load a saved index; ``expect`` (e.g. ``{"manifest_hash": h, "embedder": "dlib-resnet128"}``) must match
        its meta, else :class:`~index.parts.StaleIndexError`."""
        from .parts import StaleIndexError

        directory = Path(directory)
        index = VectorIndex.load(directory, NAME, use_gpu=use_gpu)
        for key, want in (expect or {}).items():
            have = index.meta.get(key)
            if have != want:
                raise StaleIndexError(f"avatar index in {directory} was built with {key}={have!r}, "
                                      f"expected {want!r}; rebuild it (memoji index build --avatars N)")
        path = directory / f"{NAME}.jsonl"
        if not path.is_file():
            raise FileNotFoundError(f"no avatar specs in {directory}: {path.name} is missing")
        specs = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        if len(specs) != len(index):
            raise ValueError(f"avatar index in {directory} is inconsistent: {len(index)} embeddings, "
                             f"{len(specs)} specs; rebuild it")
        return cls(index, specs, index.meta)

    def __repr__(self) -> str:
        return f"AvatarIndex({len(self)} avatars × {self.dim}, meta={self.meta})"
