"""A small synthetic CelebA-format folder with learnable signal, for tests, the training notebook and smoke runs.

Cartoon faces drawn in CelebA's aligned frame (178×218, eyes at y≈111): a skin-coloured oval in one of the 10 Monk
tones, a hair cap whose colour sets exactly one of ``Black_Hair`` / ``Blond_Hair`` / ``Brown_Hair`` / ``Gray_Hair``,
a fringe over the forehead for ``Bangs``, thick dark rings for ``Eyeglasses``, a dark lower face for a beard
(``No_Beard`` = 0), a smile arc for ``Smiling``. Every other attribute is a coin flip with its own rate that no pixel
reveals: a model can only match the majority baseline there. Skin labels (``image,monk``) go to ``skin.csv``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from . import CELEBA_ATTRS
from .data import write_celeba_folder

__all__ = ["make_synthetic_celeba", "SIGNAL_ATTRS"]

SIGNAL_ATTRS = ("Black_Hair", "Blond_Hair", "Brown_Hair", "Gray_Hair", "Bangs", "Eyeglasses", "No_Beard", "Smiling")
_HAIR = {"Black_Hair": (22, 17, 14), "Blond_Hair": (222, 188, 120), "Brown_Hair": (110, 70, 40),
         "Gray_Hair": (160, 158, 155)}


def _draw_face(rng: np.random.Generator, labels: dict[str, int], tone: int) -> np.ndarray:
    import cv2

    from parts_library.palettes import MONK, hex_to_rgb

    h, w = 218, 178
    img = np.empty((h, w, 3), np.uint8)
    img[:] = (rng.integers(30, 120), rng.integers(90, 200), rng.integers(120, 230))  # cool tones, unlike hair
    dx, dy = (int(v) for v in rng.integers(-3, 4, 2))
    cx, cy = 89 + dx, 122 + dy
    hair_col = next(_HAIR[a] for a in _HAIR if labels[a])
    # hair cap behind the head
    cv2.ellipse(img, (cx, cy - 22), (50, 58), 0, 180, 360, hair_col, -1)
    cv2.rectangle(img, (cx - 50, cy - 24), (cx + 50, cy + 10), hair_col, -1)
    skin = np.array(hex_to_rgb(MONK[tone - 1]), float) + rng.normal(0, 4, 3)
    cv2.ellipse(img, (cx, cy), (37, 50), 0, 0, 360, tuple(int(v) for v in np.clip(skin, 0, 255)), -1)
    if not labels["No_Beard"]:
        cv2.ellipse(img, (cx, cy + 18), (36, 33), 0, 0, 180, (45, 32, 26), -1)
    if labels["Bangs"]:
        cv2.ellipse(img, (cx, cy - 40), (38, 22), 0, 0, 180, hair_col, -1)
    eyes = [(cx - 19, cy - 11), (cx + 19, cy - 11)]
    for ex, ey in eyes:
        cv2.circle(img, (ex, ey), 3, (30, 25, 25), -1)
    if labels["Eyeglasses"]:
        for ex, ey in eyes:
            cv2.circle(img, (ex, ey), 12, (15, 15, 15), 5)
        cv2.line(img, (cx - 8, cy - 11), (cx + 8, cy - 11), (15, 15, 15), 4)
        cv2.line(img, (cx - 37, cy - 13), (cx - 31, cy - 11), (15, 15, 15), 4)
        cv2.line(img, (cx + 31, cy - 11), (cx + 37, cy - 13), (15, 15, 15), 4)
    mouth_col = (150, 60, 60)
    if labels["Smiling"]:
        cv2.ellipse(img, (cx, cy + 22), (14, 8), 0, 0, 180, mouth_col, 3)
    else:
        cv2.line(img, (cx - 12, cy + 26), (cx + 12, cy + 26), mouth_col, 3)
    img = img.astype(np.int16) + rng.normal(0, 6, img.shape).astype(np.int16)
    return np.clip(img, 0, 255).astype(np.uint8)


def make_synthetic_celeba(root: str | Path, *, n_train: int = 240, n_val: int = 80, n_test: int = 80,
                          seed: int = 0, skin_labelled: float = 1.0) -> Path:
    """Write ``root/celeba/...`` (torchvision layout) and ``root/skin.csv``; return ``root``.

    ``skin_labelled``: the fraction of images that get a row in ``skin.csv``."""
    rng = np.random.default_rng(seed)
    root = Path(root)
    noise_rate = {a: float(r) for a, r in zip(CELEBA_ATTRS, rng.uniform(0.05, 0.45, len(CELEBA_ATTRS)))}
    images, attrs, split, skin = {}, {}, {}, {}
    n = n_train + n_val + n_test
    for i in range(n):
        name = f"{i + 1:06d}.jpg"
        lab = {a: int(rng.random() < noise_rate[a]) for a in CELEBA_ATTRS}
        for a in _HAIR:
            lab[a] = 0
        lab[str(rng.choice(list(_HAIR), p=[0.35, 0.2, 0.3, 0.15]))] = 1
        lab["Bangs"] = int(rng.random() < 0.3)
        lab["Eyeglasses"] = int(rng.random() < 0.25)
        lab["No_Beard"] = int(rng.random() < 0.7)
        lab["Smiling"] = int(rng.random() < 0.45)
        tone = int(rng.integers(1, 11))
        images[name] = _draw_face(rng, lab, tone)
        attrs[name] = lab
        split[name] = 0 if i < n_train else (1 if i < n_train + n_val else 2)
        if rng.random() < skin_labelled:
            skin[name] = tone
    write_celeba_folder(root, images, attrs, split, CELEBA_ATTRS)
    (root / "skin.csv").write_text("image,monk\n" + "".join(f"{k},{v}\n" for k, v in sorted(skin.items())))
    return root
