"""The working frame every measurement reads: a 256 px copy of the aligned canonical chip, its landmarks, validity
and the shared colour and region helpers."""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from parts_library import frame
from parts_library.palettes import linear_to_srgb as _linear_to_srgb
from parts_library.palettes import srgb_to_linear as _srgb_to_linear

from ..geometry import apply_affine, warp_to_canonical
from ..records import FaceRecord

WORK_SIZE = 256  # working resolution of the canonical frame
_S = WORK_SIZE / frame.SIZE  # working pixels per canonical unit
_IOD = frame.IOD * _S  # inter-ocular distance in working pixels
_SRGB_TO_LIN = _srgb_to_linear(np.arange(256) / 255.0).astype(np.float32)


def srgb_to_linear(rgb_u8: np.ndarray) -> np.ndarray:
    return _SRGB_TO_LIN[np.asarray(rgb_u8, dtype=np.uint8)]


_LIN_LUT_N = 16384
_LIN_TO_SRGB = _linear_to_srgb(np.linspace(0.0, 1.0, _LIN_LUT_N)).astype(np.float32)


def linear_to_srgb(lin: np.ndarray) -> np.ndarray:
    """Linear RGB (float, clipped to 0..1) → sRGB float 0..1 (table lookup, 14-bit)."""
    idx = (np.clip(lin, 0.0, 1.0) * (_LIN_LUT_N - 1) + 0.5).astype(np.int32)
    return _LIN_TO_SRGB[idx]


def channel_norm(diff: np.ndarray) -> np.ndarray:
    """``np.linalg.norm(diff, axis=-1)`` for a short last axis (colour channels), the same values in a fifth of the
    time: squares summed channel by channel, in numpy's order, without its slow path for an axis of 2 or 3."""
    q = diff * diff
    s = q[..., 0] + q[..., 1]
    for i in range(2, q.shape[-1]):
        s += q[..., i]
    return np.sqrt(s)


def _luma(lin: np.ndarray) -> np.ndarray:
    return lin[..., 0] * 0.2126 + lin[..., 1] * 0.7152 + lin[..., 2] * 0.0722


def _poly(shape: tuple[int, int], pts: np.ndarray) -> np.ndarray:
    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round(pts).astype(np.int32)], 1)
    return m.astype(bool)


def _disc(shape: tuple[int, int], centre, radius: float) -> np.ndarray:
    m = np.zeros(shape, np.uint8)
    cv2.circle(m, (int(round(centre[0])), int(round(centre[1]))), max(1, int(round(radius))), 1, -1)
    return m.astype(bool)


def _ellipse(shape, centre, axes, *, top_only_scale: float | None = None) -> np.ndarray:
    """Filled ellipse; ``axes`` = (half width, half height)."""
    m = np.zeros(shape, np.uint8)
    cv2.ellipse(m, (int(round(centre[0])), int(round(centre[1]))),
                (max(1, int(round(axes[0]))), max(1, int(round(axes[1])))), 0, 0, 360, 1, -1)
    return m.astype(bool)


class _Ctx:
    """Per-face working data: the working chip (sRGB uint8 + linear), validity, landmarks in working pixels."""

    def __init__(self, image: np.ndarray, face: FaceRecord):
        if face.align_matrix is None or face.landmarks is None:
            raise ValueError("measure_face needs an aligned face (landmarks and align_matrix from analyze)")
        chip = face.chip
        if chip is None:
            chip = warp_to_canonical(image, face.align_matrix, 512)
        self.chip = chip
        self.chip_scale = chip.shape[0] / frame.SIZE
        self.rgb = cv2.resize(chip, (WORK_SIZE, WORK_SIZE), interpolation=cv2.INTER_AREA) \
            if chip.shape[0] != WORK_SIZE else chip
        self.lin = srgb_to_linear(self.rgb)
        lmc = face.landmarks_canonical
        if lmc is None:
            lmc = apply_affine(face.align_matrix, face.landmarks)
        self.lmc = np.asarray(lmc, dtype=np.float64)
        self.lm = self.lmc * _S
        self.shape = (WORK_SIZE, WORK_SIZE)
        self.valid = self._valid_mask(face.align_matrix, image.shape[:2])
        self.valid_fraction = float(self.valid.mean())
        # approximate face width in the source image (pixels), for resolution-aware confidences
        self.face_px = float(np.sqrt(abs(np.linalg.det(np.asarray(face.align_matrix)[:, :2])))) ** -1 * frame.IOD

    def _valid_mask(self, matrix: np.ndarray, hw: tuple[int, int]) -> np.ndarray:
        """Working pixels whose source lies inside the photo (the chip replicates the border elsewhere): the photo's
        rectangle mapped into the working frame."""
        h, w = hw
        corners = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])
        quad = apply_affine(np.asarray(matrix, dtype=np.float64), corners) * _S - 0.5
        m = np.zeros((WORK_SIZE, WORK_SIZE), np.uint8)
        cv2.fillConvexPoly(m, np.round(quad * 16).astype(np.int32), 1, shift=4)
        return m.astype(bool)

    def unit(self, ux: float, uy: float) -> np.ndarray:
        """A point given in IOD units from the eye midpoint (eye line horizontal) → working pixels."""
        return np.array([frame.CENTER_X + ux * frame.IOD, frame.EYE_Y + uy * frame.IOD]) * _S


def _scale_lab(lab, k: float) -> np.ndarray:
    """A Lab colour with its linear-light intensity multiplied by ``k``."""
    px = np.asarray(lab, dtype=np.float32).reshape(1, 1, 3)
    rgb = np.clip(cv2.cvtColor(px, cv2.COLOR_Lab2RGB)[0, 0], 0, 1)
    lin = _srgb_to_linear(rgb) * k
    return cv2.cvtColor(linear_to_srgb(lin).reshape(1, 1, 3).astype(np.float32), cv2.COLOR_RGB2Lab)[0, 0]


def _lab_to_hex(lab) -> str:
    from parts_library.palettes import rgb_to_hex

    px = np.asarray(lab, dtype=np.float32).reshape(1, 1, 3)
    rgb = cv2.cvtColor(px, cv2.COLOR_Lab2RGB)[0, 0]
    return rgb_to_hex(np.clip(rgb, 0, 1) * 255)


def _head_geometry(ctx: _Ctx) -> dict[str, Any]:
    lm = ctx.lm
    jaw_w = float(np.hypot(*(lm[16] - lm[0])))
    cx = float((lm[0, 0] + lm[16, 0]) / 2)
    eye_y = float(lm[36:48, 1].mean())
    brow_y = float(lm[17:27, 1].mean())
    # skull: an ellipse through the temples whose top is ~2 IOD above the eye line
    centre = (cx, eye_y + 0.15 * _IOD)
    axes = (0.56 * jaw_w + 0.08 * _IOD, 2.15 * _IOD)
    return {"centre": centre, "axes": axes, "jaw_w": jaw_w, "eye_y": eye_y, "brow_y": brow_y,
            "chin_y": float(lm[8, 1]), "cx": cx}


def _face_polygon(ctx: _Ctx, brow_lift: float = 0.08) -> np.ndarray:
    lm = ctx.lm
    brows = lm[26:16:-1].copy()
    brows[:, 1] -= brow_lift * _IOD
    return np.vstack([lm[0:17], brows])


def _texture(L: np.ndarray) -> np.ndarray:
    """Local high-frequency energy of lightness (hair strands, stubble)."""
    blur = cv2.GaussianBlur(L, (0, 0), 1.2)
    return np.abs(L - blur)


def _sig(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x)))
