"""`VectorIndex`: an exact FAISS index over float32 vectors with arbitrary ids, saved as two files.

Metric chosen at build: ``"l2"`` (FAISS returns *squared* Euclidean distances, smallest first) or ``"ip"`` (inner
product of L2-normalised vectors = cosine similarity, largest first; vectors are normalised on ``add`` and
``search``). The index is a flat (exact) one: part categories hold tens to hundreds of vectors and the avatar index
a few thousand, where exact search is both fastest and deterministic.

faiss-gpu is used automatically when it is installed and sees a GPU (``faiss.get_num_gpus() > 0``); otherwise
faiss-cpu. Both provide the same ``faiss`` module (install one, never both). Files are always written from a CPU
copy, so an index built on a GPU machine loads anywhere.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from parts_library.files import atomic_write  # the project's one atomic writer lives in the bottom layer

__all__ = ["VectorIndex", "METRICS", "gpu_available", "atomic_write"]

METRICS = ("l2", "ip")
FORMAT_VERSION = 1


def _faiss():
    try:
        import faiss
    except ImportError as exc:  # pragma: no cover - faiss-cpu is a core dependency
        from .errors import MissingDependencyError

        raise MissingDependencyError("the index needs faiss: pip install faiss-cpu (or faiss-gpu, not both)") from exc
    return faiss


def gpu_available() -> bool:
    """True when the installed faiss is a GPU build and sees at least one GPU."""
    faiss = _faiss()
    get = getattr(faiss, "get_num_gpus", None)
    try:
        return bool(get is not None and hasattr(faiss, "StandardGpuResources") and get() > 0)
    except Exception:  # a GPU build on a machine without a driver raises here
        return False


def _as_matrix(vectors, dim: int | None = None) -> np.ndarray:
    x = np.asarray(vectors, dtype=np.float32)
    if x.ndim == 1:
        x = x[None]
    if x.ndim != 2:
        raise ValueError(f"vectors must be (n, dim), got shape {x.shape}")
    if dim is not None and x.shape[1] != dim:
        raise ValueError(f"vectors have {x.shape[1]} dimensions, the index has {dim}")
    if not np.all(np.isfinite(x)):
        raise ValueError("vectors contain NaN or inf")
    return np.ascontiguousarray(x)


def _normalise(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12), dtype=np.float32)


class VectorIndex:
    """Exact nearest-neighbour search over float32 vectors with ids (strings or ints)."""

    def __init__(self, dim: int, metric: str = "l2", *, use_gpu: bool | None = None):
        if metric not in METRICS:
            raise ValueError(f"unknown metric '{metric}' (metrics: {', '.join(METRICS)})")
        if int(dim) < 1:
            raise ValueError(f"dim must be >= 1, got {dim}")
        faiss = _faiss()
        self.dim = int(dim)
        self.metric = metric
        self.ids: list[Any] = []
        self.meta: dict = {}
        cpu = faiss.IndexFlatL2(self.dim) if metric == "l2" else faiss.IndexFlatIP(self.dim)
        self._place(cpu, use_gpu)

    # -- building ------------------------------------------------------------------------------------------------
    def add(self, ids: Sequence[Any], vectors) -> None:
        x = _as_matrix(vectors, self.dim)
        ids = list(ids)
        if len(ids) != len(x):
            raise ValueError(f"{len(ids)} ids for {len(x)} vectors")
        if self.metric == "ip":
            x = _normalise(x)
        self._index.add(x)
        self.ids.extend(ids)

    def __len__(self) -> int:
        return len(self.ids)

    # -- querying ------------------------------------------------------------------------------------------------
    def search(self, vectors, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest stored vectors for each query row: ``(ids, distances)``, both ``(n_queries, k')`` with
        ``k' = min(k, len(self))``; best first (smallest squared L2, or largest cosine for ``"ip"``). Ties are
        broken by insertion order, so results are deterministic."""
        x = _as_matrix(vectors, self.dim)
        if self.metric == "ip":
            x = _normalise(x)
        k = min(int(k), len(self))
        if k <= 0:
            return np.empty((len(x), 0), dtype=object), np.empty((len(x), 0), dtype=np.float32)
        dist, idx = self._index.search(x, k)
        ids = np.empty(idx.shape, dtype=object)
        for (r, c), i in np.ndenumerate(idx):
            ids[r, c] = self.ids[i]
        return ids, dist

    def vectors(self) -> np.ndarray:
        """All stored vectors (normalised for ``"ip"``), in insertion order."""
        cpu = self._cpu_index()
        return cpu.reconstruct_n(0, cpu.ntotal) if cpu.ntotal else np.empty((0, self.dim), np.float32)

    # -- persistence ---------------------------------------------------------------------------------------------
    def _cpu_index(self):
        return _faiss().index_gpu_to_cpu(self._index) if self.on_gpu else self._index

    def save(self, directory, name: str = "index", meta: dict | None = None) -> Path:
        """Write ``<name>.faiss`` and ``<name>.json`` (ids, metric, dim, ``meta``) into ``directory``; both written
        atomically. Returns the ``.faiss`` path."""
        faiss = _faiss()
        directory = Path(directory)
        data = faiss.serialize_index(self._cpu_index()).tobytes()
        atomic_write(directory / f"{name}.faiss", data)
        info = {"format": FORMAT_VERSION, "metric": self.metric, "dim": self.dim, "count": len(self),
                "ids": self.ids, "meta": meta or {}}
        atomic_write(directory / f"{name}.json", json.dumps(info).encode())
        return directory / f"{name}.faiss"

    @classmethod
    def load(cls, directory, name: str = "index", *, use_gpu: bool | None = None) -> "VectorIndex":
        faiss = _faiss()
        directory = Path(directory)
        faiss_path, json_path = directory / f"{name}.faiss", directory / f"{name}.json"
        for p in (faiss_path, json_path):
            if not p.is_file():
                raise FileNotFoundError(f"no index '{name}' in {directory}: {p.name} is missing")
        info = json.loads(json_path.read_text())
        cpu = faiss.deserialize_index(np.frombuffer(faiss_path.read_bytes(), dtype=np.uint8))
        if cpu.ntotal != len(info["ids"]) or cpu.d != info["dim"]:
            raise ValueError(f"index '{name}' in {directory} is inconsistent: {cpu.ntotal} vectors of dim {cpu.d}, "
                             f"{len(info['ids'])} ids of dim {info['dim']}; rebuild it")
        self = cls.__new__(cls)
        self.dim, self.metric, self.ids = int(info["dim"]), info["metric"], list(info["ids"])
        self.meta = info.get("meta", {})
        self._place(cpu, use_gpu)
        return self

    def _place(self, cpu, use_gpu: bool | None) -> None:
        """Serve from ``cpu`` or from a GPU copy of it (faiss-gpu with a visible GPU, unless told otherwise)."""
        self.on_gpu = gpu_available() if use_gpu is None else bool(use_gpu)
        if self.on_gpu:
            faiss = _faiss()
            self._res = faiss.StandardGpuResources()
            self._index = faiss.index_cpu_to_gpu(self._res, 0, cpu)
        else:
            self._index = cpu

    def __repr__(self) -> str:
        return f"VectorIndex({len(self)} × {self.dim}, metric={self.metric!r}, gpu={self.on_gpu})"
