"""`PartIndex`: one FAISS index per part category over the part descriptors of the parts manifest.

Each category's descriptors are standardised per dimension (z-score over that category's parts; the mean and the
standard deviation travel with the index) before L2 search, so no single descriptor dimension dominates the
distance. A dimension on which the category's parts vary less than ``NOISE_FLOOR`` (descriptors are in fractions of
the inter-ocular distance or of a grid cell; 0.01 IOD is below a photo landmark's own noise) — e.g. the mouth's
height below the nose, which placement sets and no mouth part changes — gets weight 0: it cannot tell parts apart,
and a photo far off on it would only add the same large constant to every distance and drown the dimensions that
can. Query z-scores are clipped to ±``Z_CLIP`` so one outlying measurement
cannot decide alone.

Files (written atomically, ``parts.json`` last): ``parts_<category>.faiss`` + ``parts_<category>.json`` per
category and ``parts.json`` with the manifest's sha256. :meth:`PartIndex.open` loads them when the hash matches the
library's and rebuilds (and re-saves) them when it does not. The default folder is
``parts_library/assets/index/`` beside the manifest (``$MEMOJI_INDEX_DIR`` when set); when that is not writable (a
read-only install) the index is kept in ``$MEMOJI_CACHE_DIR`` (default ``~/.cache/memoji``) under ``index/<hash>``.
"""
from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .vector import VectorIndex, atomic_write

__all__ = ["PartIndex", "StaleIndexError", "default_index_dir", "cache_index_dir"]

FORMAT_VERSION = 2
NOISE_FLOOR = 0.01
Z_CLIP = 4.0
META_NAME = "parts.json"


class StaleIndexError(ValueError):
    """The saved index was built from a different parts manifest (or is incomplete)."""


def default_index_dir() -> Path:
    """``$MEMOJI_INDEX_DIR`` when set, else ``parts_library/assets/index/`` (beside the parts manifest)."""
    if os.environ.get("MEMOJI_INDEX_DIR"):
        return Path(os.environ["MEMOJI_INDEX_DIR"]).expanduser()
    import parts_library

    return Path(parts_library.__file__).resolve().parent / "assets" / "index"


def cache_index_dir(manifest_hash: str) -> Path:
    base = Path(os.environ.get("MEMOJI_CACHE_DIR") or Path.home() / ".cache" / "memoji").expanduser()
    return base / "index" / manifest_hash[:16]


def _parts_of(library):
    """Every part: ``library.parts`` as a list or mapping, or ``library.parts(category)`` per category (the
    :class:`parts_library.library.PartsLibrary` API)."""
    parts = library.parts
    if callable(parts):
        return [p for c in library.categories for p in parts(c)]
    return list(parts.values()) if isinstance(parts, Mapping) else list(parts)


def _categories_of(library) -> list[str]:
    """Categories in the library's own order, then any further ones seen on parts."""
    declared = getattr(library, "categories", None) or []
    names = list(declared.keys()) if isinstance(declared, Mapping) else [
        c if isinstance(c, str) else getattr(c, "name") for c in declared]
    for p in _parts_of(library):
        if p.category not in names:
            names.append(p.category)
    return names


@dataclass
class _Category:
    index: VectorIndex
    mean: np.ndarray  # (dim,) float32
    std: np.ndarray  # (dim,) float32, > 0
    weight: np.ndarray | None = None  # (dim,) 0/1: dimensions that tell the category's parts apart

    def standardise(self, x: np.ndarray) -> np.ndarray:
        z = np.clip((np.asarray(x, np.float32) - self.mean) / self.std, -Z_CLIP, Z_CLIP)
        return (z if self.weight is None else z * self.weight).astype(np.float32)


def _spread(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, std (> 0) and the 0/1 weight of every dimension of a category's descriptors (see the module doc)."""
    mean = x.mean(axis=0).astype(np.float32)
    std = x.std(axis=0).astype(np.float32)
    weight = (std >= NOISE_FLOOR).astype(np.float32)
    std[std < 1e-6] = 1.0
    return mean, std, weight


class PartIndex:
    """Per-category nearest parts to a descriptor. Build with :meth:`build` / :meth:`open`, ask with :meth:`query`."""

    def __init__(self, categories: dict[str, _Category], manifest_hash: str, metric: str = "l2"):
        self._cats = categories
        self.manifest_hash = manifest_hash
        self.metric = metric
        self.directory: Path | None = None

    # -- building ------------------------------------------------------------------------------------------------
    @classmethod
    def build(cls, library=None, *, metric: str = "l2", use_gpu: bool | None = None) -> "PartIndex":
        """Index every part with a descriptor, one index per category (``library``: ``parts_library.load_library()``
        by default; anything with ``.parts`` (``.id``, ``.category``, ``.descriptor``) and ``.manifest_hash``)."""
        library = _default_library() if library is None else library
        by_cat: dict[str, list] = {c: [] for c in _categories_of(library)}
        for p in _parts_of(library):
            if getattr(p, "descriptor", None) is not None and np.size(p.descriptor) > 0:
                by_cat[p.category].append(p)
        cats: dict[str, _Category] = {}
        for name, parts in by_cat.items():
            if not parts:
                continue
            dims = {np.size(p.descriptor) for p in parts}
            if len(dims) != 1:
                raise ValueError(f"parts of category '{name}' have descriptors of different lengths {sorted(dims)}")
            x = np.stack([np.asarray(p.descriptor, np.float32).ravel() for p in parts])
            if not np.all(np.isfinite(x)):
                bad = [p.id for p, row in zip(parts, x) if not np.all(np.isfinite(row))]
                raise ValueError(f"parts with NaN/inf descriptors in '{name}': {', '.join(bad[:5])}")
            mean, std, weight = _spread(x)
            cat = _Category(VectorIndex(x.shape[1], metric, use_gpu=use_gpu), mean, std, weight)
            cat.index.add([p.id for p in parts], cat.standardise(x))
            cats[name] = cat
        return cls(cats, library.manifest_hash, metric)

    # -- persistence ---------------------------------------------------------------------------------------------
    def save(self, directory=None) -> Path:
        directory = Path(directory) if directory is not None else default_index_dir()
        for name, cat in self._cats.items():
            cat.index.save(directory, f"parts_{name}", meta={
                "manifest_hash": self.manifest_hash, "mean": cat.mean.tolist(), "std": cat.std.tolist(),
                "weight": None if cat.weight is None else cat.weight.tolist()})
        info = {"format": FORMAT_VERSION, "manifest_hash": self.manifest_hash, "metric": self.metric,
                "categories": {n: len(c.index) for n, c in self._cats.items()}}
        atomic_write(directory / META_NAME, json.dumps(info, indent=1).encode())
        self.directory = directory
        return directory

    @classmethod
    def load(cls, directory=None, *, manifest_hash: str | None = None,
             use_gpu: bool | None = None) -> "PartIndex":
        """Load a saved index; ``manifest_hash`` given and different → :class:`StaleIndexError`."""
        directory = Path(directory) if directory is not None else default_index_dir()
        meta_path = directory / META_NAME
        if not meta_path.is_file():
            raise FileNotFoundError(f"no part index in {directory} ({META_NAME} missing): run `memoji index build`")
        info = json.loads(meta_path.read_text())
        if info.get("format") != FORMAT_VERSION:
            raise StaleIndexError(f"part index in {directory} has format {info.get('format')}, expected "
                                  f"{FORMAT_VERSION}; rebuild it")
        if manifest_hash is not None and info["manifest_hash"] != manifest_hash:
            raise StaleIndexError(f"part index in {directory} was built from manifest {info['manifest_hash'][:12]}, "
                                  f"the library is {manifest_hash[:12]}; rebuild it")
        cats = {}
        for name, count in info["categories"].items():
            vi = VectorIndex.load(directory, f"parts_{name}", use_gpu=use_gpu)
            m = vi.meta
            if m.get("manifest_hash") != info["manifest_hash"] or len(vi) != count:
                raise StaleIndexError(f"part index in {directory}: category '{name}' does not match {META_NAME}; "
                                      f"rebuild it")
            weight = None if m.get("weight") is None else np.asarray(m["weight"], np.float32)
            cats[name] = _Category(vi, np.asarray(m["mean"], np.float32), np.asarray(m["std"], np.float32), weight)
        self = cls(cats, info["manifest_hash"], info.get("metric", "l2"))
        self.directory = directory
        return self

    @classmethod
    def open(cls, library=None, directory=None, *, rebuild: bool = False, save: bool = True,
             use_gpu: bool | None = None) -> "PartIndex":
        """The index for ``library``: loaded when a saved one matches its manifest hash, else built (and saved
        to ``directory``, default beside the manifest, or the user cache when that is read-only)."""
        library = _default_library() if library is None else library
        h = library.manifest_hash
        candidates = [Path(directory)] if directory is not None else [default_index_dir(), cache_index_dir(h)]
        if not rebuild:
            for d in candidates:
                try:
                    return cls.load(d, manifest_hash=h, use_gpu=use_gpu)
                except (FileNotFoundError, StaleIndexError, ValueError, KeyError, json.JSONDecodeError):
                    continue
        built = cls.build(library, use_gpu=use_gpu)
        if save:
            for d in candidates:
                try:
                    built.save(d)
                    break
                except OSError as err:
                    if d == candidates[-1]:
                        warnings.warn(f"part index kept in memory only: cannot write {d} ({err})", stacklevel=2)
        return built

    def is_fresh(self, library) -> bool:
        return self.manifest_hash == library.manifest_hash

    # -- querying ------------------------------------------------------------------------------------------------
    @property
    def categories(self) -> list[str]:
        return list(self._cats)

    def __len__(self) -> int:
        return sum(len(c.index) for c in self._cats.values())

    def count(self, category: str) -> int:
        return len(self._category(category).index)

    def _category(self, category: str) -> _Category:
        try:
            return self._cats[category]
        except KeyError:
            from .errors import UnknownNameError, did_you_mean

            raise UnknownNameError(f"unknown part category '{category}'{did_you_mean(category, self._cats)} "
                                   f"(indexed: {', '.join(self._cats)})") from None

    def query(self, category: str, descriptor, k: int = 8) -> list[tuple[str, float]]:
        """The ``k`` parts of ``category`` nearest to ``descriptor``: ``[(part_id, distance), …]``, nearest first.
        ``distance`` is the Euclidean distance in standardised (z-score) units (for ``metric="ip"``: cosine
        similarity, largest first). ``k=None`` ranks every part of the category."""
        cat = self._category(category)
        k = len(cat.index) if k is None else k
        x = np.ravel(np.asarray(descriptor, dtype=np.float32))
        if x.size != cat.index.dim:
            raise ValueError(f"descriptor for '{category}' has {x.size} values, its index expects {cat.index.dim}")
        ids, dist = cat.index.search(cat.standardise(x)[None], k)
        d = dist[0] if self.metric == "ip" else np.sqrt(np.maximum(dist[0], 0.0))
        return [(str(i), float(v)) for i, v in zip(ids[0], d)]

    def distances(self, category: str, descriptor) -> dict[str, float]:
        """Distance (as in :meth:`query`) from ``descriptor`` to every part of ``category``."""
        return dict(self.query(category, descriptor, k=None))

    def __repr__(self) -> str:
        cats = ", ".join(f"{n}: {len(c.index)}" for n, c in self._cats.items())
        return f"PartIndex({cats}; manifest {self.manifest_hash[:12]})"


def _default_library():
    try:
        from parts_library import load_library
    except ImportError as exc:
        raise ImportError("parts_library.load_library is not available; pass library= explicitly") from exc
    return load_library()
