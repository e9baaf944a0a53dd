"""The identity-embedder interface, shared by the pipeline's embedders (:mod:`assembler.embed`, the registry) and
the evaluation judge (:mod:`assembler.judge`): the :class:`Embedder` base class, :func:`l2_normalize`,
:func:`flatten_rgba`, and the judge's registry name.

It imports nothing of the project, so the judge can be built on the interface without importing the registry that
the search uses (``embed`` registers the judge and builds it on demand; ``judge`` never imports ``embed``).
"""
from __future__ import annotations

import numpy as np

from .io import flatten_rgba  # noqa: F401 (re-exported: the embedders and the judge flatten with it)

__all__ = ["Embedder", "l2_normalize", "flatten_rgba", "JUDGE_NAME"]

#: the registry name of the evaluation judge: the one embedder the search must never optimise against
JUDGE_NAME = "facenet-casia-opencv"


def l2_normalize(v: np.ndarray, axis: int = -1) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=axis, keepdims=True), 1e-12)


class Embedder:
    name: str = ""
    dim: int = 0

    def embed(self, image: np.ndarray, landmarks68: np.ndarray) -> np.ndarray:
        """Unit-norm identity embedding of the face with these 68 landmarks in an RGB uint8 image."""
        raise NotImplementedError


