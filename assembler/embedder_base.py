"""The identity-embedder interface, shared by the pipeline's embedders (:mod:`assembler.embed`, the registry) and
the evaluation judge (:mod:`assembler.judge`): the :class:`Embedder` base class, :func:`l2_normalize`,
:func:`flatten_rgba`, and the judge's registry name.

It imports nothing of the project, so the judge can be built on the interface without importing the registry that
the search uses (``embed`` registers the judge and builds it on demand; ``judge`` never imports ``embed``).
"""
from __future__ import annotations

import numpy as np

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


def flatten_rgba(image, background=(255, 255, 255)) -> np.ndarray:
    """An RGB uint8 array from a PIL image or an array (RGBA composited over ``background``)."""
    from PIL import Image

    if isinstance(image, Image.Image):
        if image.mode in ("RGBA", "LA", "PA", "P"):
            image = image.convert("RGBA")
            canvas = Image.new("RGBA", image.size, tuple(background) + (255,))
            canvas.alpha_composite(image)
            image = canvas
        return np.asarray(image.convert("RGB"))
    arr = np.asarray(image)
    if arr.ndim == 2:
        return np.repeat(arr[..., None], 3, axis=2).astype(np.uint8)
    if arr.shape[2] == 4:
        a = arr[..., 3:4].astype(np.float32) / 255.0
        rgb = arr[..., :3].astype(np.float32) * a + np.asarray(background, np.float32) * (1 - a)
        return np.clip(np.round(rgb), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(arr[..., :3]).astype(np.uint8)
