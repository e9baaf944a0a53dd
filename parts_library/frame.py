"""The canonical frame shared by the photo side (``assembler.geometry``) and the parts library.

A 1024×1024 square. The eye centres (means of iBUG-68 points 36–41 and 42–47) sit on a horizontal line at
``EYE_Y``, symmetric about ``CENTER_X``, ``IOD`` pixels apart. Every part's anchors, the aligned photo chip, hair
masks and descriptors live in these coordinates. ``MEAN_SHAPE`` is the mean dlib 68-landmark shape of 30 real
frontal photos (../shared/faces + astronaut), mirrored to be symmetric, in units of the inter-ocular distance with
the eye midpoint at the origin and the eye line horizontal (image x to the right, y down).
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "SIZE", "CENTER_X", "EYE_Y", "IOD", "MEAN_SHAPE_UNIT", "MEAN_SHAPE", "LANDMARK_GROUPS",
    "to_canonical", "to_unit", "eye_centres",
]

SIZE = 1024
CENTER_X = 512.0
EYE_Y = 440.0
IOD = 170.0  # eye-centre distance in canonical pixels

# fmt: off
MEAN_SHAPE_UNIT = np.array([
    [-1.128, 0.033], [-1.116, 0.388], [-1.093, 0.744], [-1.041, 1.091], [-0.93, 1.41], [-0.746, 1.67],
    [-0.518, 1.877], [-0.274, 2.048], [0.0, 2.09], [0.274, 2.048], [0.518, 1.877], [0.746, 1.67], [0.93, 1.41],
    [1.041, 1.091], [1.093, 0.744], [1.116, 0.388], [1.128, 0.033],
    [-0.924, -0.144], [-0.782, -0.326], [-0.577, -0.387], [-0.361, -0.365], [-0.152, -0.274],
    [0.152, -0.274], [0.361, -0.365], [0.577, -0.387], [0.782, -0.326], [0.924, -0.144],
    [0.0, -0.055], [0.0, 0.15], [0.0, 0.357], [0.0, 0.574],
    [-0.248, 0.741], [-0.128, 0.78], [0.0, 0.821], [0.128, 0.78], [0.248, 0.741],
    [-0.692, 0.008], [-0.569, -0.067], [-0.431, -0.072], [-0.301, 0.025], [-0.435, 0.052], [-0.572, 0.055],
    [0.301, 0.025], [0.431, -0.072], [0.569, -0.067], [0.692, 0.008], [0.572, 0.055], [0.435, 0.052],
    [-0.494, 1.138], [-0.306, 1.07], [-0.13, 1.038], [0.0, 1.073], [0.13, 1.038], [0.306, 1.07], [0.494, 1.138],
    [0.312, 1.314], [0.137, 1.383], [0.0, 1.396], [-0.137, 1.383], [-0.312, 1.314],
    [-0.429, 1.145], [-0.132, 1.133], [0.0, 1.153], [0.132, 1.133], [0.429, 1.145],
    [0.134, 1.221], [0.0, 1.241], [-0.134, 1.221],
], dtype=np.float64)
# fmt: on

MEAN_SHAPE = MEAN_SHAPE_UNIT * IOD + np.array([CENTER_X, EYE_Y])

# iBUG-68 index groups ("left"/"right" are image left/right: the subject's right eye is image-left)
LANDMARK_GROUPS: dict[str, slice] = {
    "jaw": slice(0, 17),
    "brow_left": slice(17, 22),
    "brow_right": slice(22, 27),
    "nose_bridge": slice(27, 31),
    "nose_base": slice(31, 36),
    "eye_left": slice(36, 42),
    "eye_right": slice(42, 48),
    "mouth_outer": slice(48, 60),
    "mouth_inner": slice(60, 68),
}

# index map that mirrors the 68 points left<->right (used for symmetric descriptors and flip augmentation)
MIRROR_68 = np.array(
    list(range(16, -1, -1)) + list(range(26, 16, -1)) + [27, 28, 29, 30] + [35, 34, 33, 32, 31]
    + [45, 44, 43, 42, 47, 46] + [39, 38, 37, 36, 41, 40] + [54, 53, 52, 51, 50, 49, 48]
    + [59, 58, 57, 56, 55] + [64, 63, 62, 61, 60] + [67, 66, 65]
)


def eye_centres(landmarks68: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pts = np.asarray(landmarks68, dtype=np.float64)
    return pts[36:42].mean(axis=0), pts[42:48].mean(axis=0)


def to_unit(landmarks68: np.ndarray) -> np.ndarray:
    """Landmarks in any frame → units of inter-ocular distance, eye midpoint at the origin, eye line horizontal."""
    pts = np.asarray(landmarks68, dtype=np.float64)
    left, right = eye_centres(pts)
    d = right - left
    scale = float(np.hypot(*d))
    if scale <= 0:
        raise ValueError("degenerate landmarks: both eye centres coincide")
    c, s = d / scale
    rot = np.array([[c, s], [-s, c]])  # rotates d onto +x
    return (pts - (left + right) / 2) @ rot.T / scale


def to_canonical(landmarks68: np.ndarray) -> np.ndarray:
    """Landmarks in any frame → canonical-frame pixels by eye-line normalisation (a similarity transform)."""
    return to_unit(landmarks68) * IOD + np.array([CENTER_X, EYE_Y])
