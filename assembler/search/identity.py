"""Identity: how much a recipe's avatar looks like the photo's person. :class:`IdentityScorer` renders and embeds
(the render-based moves and the greedy baseline); :func:`identity_model` is the learned linear model of that embedding
(``index.identity``) that the joint search uses without rendering."""
from __future__ import annotations

import functools

import numpy as np

from .candidates import library_and_index

__all__ = ["IdentityScorer", "identity_target", "identity_model", "default_identity", "IDENTITY_SIZE",
           "IDENTITY_BACKGROUND"]

IDENTITY_SIZE = 256  # px: renders embedded for identity (the avatar index and the render-based evaluations)
IDENTITY_BACKGROUND = (235, 235, 235)


class IdentityScorer:
    """Identity similarity of a *rendered* recipe: renders at ``size`` px, embeds with the renderer's own landmarks (no
    detector) and returns the cosine with a target after subtracting ``centre`` from the embedding (the mean
    embedding of avatars: what all avatars share says nothing about whom one looks like). Cached per render spec."""

    def __init__(self, embedder=None, size: int = IDENTITY_SIZE, centre: np.ndarray | None = None):
        from ..embed import create_embedder

        self.embedder = embedder or create_embedder("dlib-resnet128")
        self.size = size
        self.centre = None if centre is None else np.asarray(centre, np.float32)
        self._cache: dict[str, np.ndarray] = {}
        self.calls = 0

    def embed_spec(self, spec: dict) -> np.ndarray:
        import json

        from parts_library import render

        from ..io import flatten_rgba

        key = json.dumps(spec, sort_keys=True)
        if key not in self._cache:
            res = render(spec, size=self.size, fmt="png")
            rgb = flatten_rgba(res.image, background=IDENTITY_BACKGROUND)
            self._cache[key] = self.embedder.embed(rgb, res.landmarks)
            self.calls += 1
        return self._cache[key]

    def __call__(self, spec: dict, target: np.ndarray) -> float:
        e = self.embed_spec(spec)
        if self.centre is not None:
            e = e - self.centre
        return float(e @ target / max(float(np.linalg.norm(e)), 1e-12))

    def reset(self) -> None:
        """Forget cached embeddings (called at the start of every search: the cache serves one search only, so
        memory stays bounded in long batches and timings are honest)."""
        self._cache.clear()


def identity_target(embedding: np.ndarray, reference: np.ndarray | None) -> np.ndarray:
    """The photo's identity direction: its embedding minus the mean embedding of a reference population of real
    faces, normalised. Raw cosine rewards looking like *anyone*; the centred one rewards what sets this person
    apart from other people."""
    t = np.asarray(embedding, np.float32)
    if reference is not None:
        t = t - np.asarray(reference, np.float32)
    return t / max(float(np.linalg.norm(t)), 1e-12)


@functools.lru_cache(maxsize=1)
def identity_model():
    """The identity model (index.identity) for the current parts library and dlib's embedder, or None (warned once)."""
    import warnings

    from index.identity import IdentityModel

    lib, _ = library_and_index()
    try:
        return IdentityModel.open(lib.manifest_hash, "dlib-resnet128")
    except (FileNotFoundError, ValueError) as err:
        warnings.warn(f"no usable identity model ({str(err).splitlines()[0]}); the search falls back to rendering "
                      f"candidates, which is slower", stacklevel=2)
        return None


@functools.lru_cache(maxsize=2)
def default_identity(centre: tuple[float, ...] | None = None) -> IdentityScorer:
    return IdentityScorer(centre=None if centre is None else np.asarray(centre, np.float32))
