"""Alignment of a photo's face to the canonical frame of :mod:`parts_library.frame`.

A similarity transform (rotation, uniform scale, translation) is fitted by least squares from the stable
landmarks (brows, eyes, nose, mouth corners — not the jaw, which varies most between people) to the mean shape.
"""
from __future__ import annotations

import cv2
import numpy as np

from parts_library import frame

__all__ = ["STABLE_POINTS", "similarity_to_canonical", "apply_affine", "warp_to_canonical", "estimate_yaw"]

STABLE_POINTS = np.r_[17:27, 27:36, 36:48, 48, 54]


def similarity_to_canonical(landmarks68: np.ndarray) -> np.ndarray:
    """2×3 matrix mapping image pixels to canonical-frame pixels (least-squares similarity, Umeyama)."""
    src = np.asarray(landmarks68, dtype=np.float64)[STABLE_POINTS]
    dst = frame.MEAN_SHAPE[STABLE_POINTS]
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    s0, d0 = src - mu_s, dst - mu_d
    cov = d0.T @ s0 / len(src)
    u, sig, vt = np.linalg.svd(cov)
    sign = np.sign(np.linalg.det(u) * np.linalg.det(vt)) or 1.0
    corr = np.diag([1.0, sign])
    rot = u @ corr @ vt
    var_s = (s0 ** 2).sum() / len(src)
    scale = float(np.trace(np.diag(sig) @ corr) / var_s)
    t = mu_d - scale * rot @ mu_s
    return np.hstack([scale * rot, t[:, None]])


def apply_affine(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    pts = np.asarray(points, dtype=np.float64)
    return pts @ matrix[:, :2].T + matrix[:, 2]


def warp_to_canonical(image: np.ndarray, matrix: np.ndarray, size: int = 512,
                      border: int = cv2.BORDER_REPLICATE) -> np.ndarray:
    """The canonical frame as a ``size``×``size`` RGB chip of the photo (``size / frame.SIZE`` pixels per unit)."""
    s = size / frame.SIZE
    m = matrix * s
    interp = cv2.INTER_AREA if np.sqrt(abs(np.linalg.det(m[:, :2]))) < 1 else cv2.INTER_LINEAR
    return cv2.warpAffine(image, m, (size, size), flags=interp, borderMode=border)


def estimate_yaw(landmarks68: np.ndarray) -> float:
    """Rough head yaw in degrees from where the nose tip sits between the jaw sides (0 = frontal)."""
    u = frame.to_unit(landmarks68)
    left, right, nose = u[0, 0], u[16, 0], u[30, 0]
    width = max(right - left, 1e-6)
    ratio = np.clip((nose - left) / width * 2 - 1, -1, 1)  # -1 .. 1
    return float(np.degrees(np.arcsin(ratio)))
