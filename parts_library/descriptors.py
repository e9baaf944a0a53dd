"""Descriptors: one function family, applied to a photo (its 68 landmarks and masks in the canonical frame) and to a
part (its anchors and its rendered alpha in the canonical frame), so photo and parts share one vector space per
category. Landmark descriptors are scale- and rotation-free (units of inter-ocular distance, eye line horizontal)
and symmetric (left and right features averaged after mirroring), so a part drawn for one side serves both.

Every function returns a float32 vector of fixed length ``DESCRIPTOR_DIMS[category]``; the vectors are *not*
normalised: each dimension is already in comparable units (IOD or a 0..1 occupancy), so L2 distance is meaningful.
"""
from __future__ import annotations

import numpy as np

from . import frame

__all__ = [
    "DESCRIPTOR_DIMS", "GRID", "face_shape_descriptor", "eyes_descriptor", "brows_descriptor", "nose_descriptor",
    "mouth_descriptor", "occupancy_descriptor", "hair_descriptor", "landmark_descriptors",
]

GRID = 12  # occupancy grid side for mask descriptors (hair, facial hair, glasses)


def _unit(landmarks68: np.ndarray) -> np.ndarray:
    pts = np.asarray(landmarks68, dtype=np.float64)
    if pts.shape != (68, 2):
        raise ValueError(f"expected (68, 2) landmarks, got {pts.shape}")
    return frame.to_unit(pts)


def _mirror_x(pts: np.ndarray) -> np.ndarray:
    out = pts.copy()
    out[:, 0] *= -1
    return out


def face_shape_descriptor(landmarks68: np.ndarray) -> np.ndarray:
    """Jaw contour (points 0–16) relative to the mean face, symmetrised (9 points × 2) + width/length ratios (3)."""
    u = _unit(landmarks68)
    jaw = u[0:17] - frame.MEAN_SHAPE_UNIT[0:17]
    sym = (jaw[0:9] + _mirror_x(jaw[16:7:-1])) / 2  # point i with its mirror 16-i
    widths = [u[16, 0] - u[0, 0], u[12, 0] - u[4, 0], u[10, 0] - u[6, 0]]  # temple, jaw, chin widths
    chin = u[8, 1]
    feats = [widths[0] / chin, widths[1] / widths[0], widths[2] / widths[1]]
    base = frame.MEAN_SHAPE_UNIT
    base_w = [base[16, 0] - base[0, 0], base[12, 0] - base[4, 0], base[10, 0] - base[6, 0]]
    base_f = [base_w[0] / base[8, 1], base_w[1] / base_w[0], base_w[2] / base_w[1]]
    return np.concatenate([sym.ravel(), np.subtract(feats, base_f)]).astype(np.float32)


def _eye_feats(e: np.ndarray) -> list[float]:
    # e: 6 points in the unit frame ordered like 36..41 (outer corner, upper lid ×2, inner corner, lower lid ×2)
    # with the inner corner towards +x
    outer, inner = e[0], e[3]
    width = float(np.hypot(*(inner - outer)))
    upper = (e[1] + e[2]) / 2
    lower = (e[4] + e[5]) / 2
    height = float(np.hypot(*(upper - lower)))
    tilt = float(np.arctan2(-(outer[1] - inner[1]), inner[0] - outer[0]))  # outer corner up → positive
    mid = (outer + inner) / 2
    upper_arch = float(mid[1] - upper[1]) / max(width, 1e-6)
    return [width, height / max(width, 1e-6), tilt, upper_arch]


def eyes_descriptor(landmarks68: np.ndarray) -> np.ndarray:
    """Eye width (IOD), openness (height/width), tilt (rad), upper-lid arch, averaged over both eyes (4)."""
    u = _unit(landmarks68)
    left = _eye_feats(u[36:42])  # image-left eye: 36 is its outer corner
    right = _eye_feats(_mirror_x(u[42:48])[[3, 2, 1, 0, 5, 4]])  # mirrored: 45 becomes the outer corner
    return ((np.array(left) + np.array(right)) / 2).astype(np.float32)


def brows_descriptor(landmarks68: np.ndarray, thickness: float | None = None) -> np.ndarray:
    """Brow curve (5 points relative to its eye centre, symmetrised, minus the mean), arch height, length, and a
    thickness in IOD units (0.06 when unknown) — 13 values."""
    u = _unit(landmarks68)
    le, re = u[36:42].mean(axis=0), u[42:48].mean(axis=0)
    left = u[17:22] - le
    right = _mirror_x(u[22:27][::-1] - re)
    base = frame.MEAN_SHAPE_UNIT
    base_left = base[17:22] - base[36:42].mean(axis=0)
    curve = (left + right) / 2 - base_left
    brow = (left + right) / 2
    arch = float(((brow[0, 1] + brow[4, 1]) / 2) - brow[2, 1])
    length = float(np.hypot(*(brow[4] - brow[0])))
    thick = 0.06 if thickness is None else float(thickness)
    return np.concatenate([curve.ravel(), [arch, length, thick]]).astype(np.float32)


def nose_descriptor(landmarks68: np.ndarray) -> np.ndarray:
    """Nose width (31–35), length (27→33), nostril flare, tip drop below the nostrils, bridge straightness (5)."""
    u = _unit(landmarks68)
    width = float(u[35, 0] - u[31, 0])
    length = float(u[33, 1] - u[27, 1])
    flare = float((u[35, 0] - u[34, 0]) + (u[32, 0] - u[31, 0])) / max(width, 1e-6)
    tip = float(u[33, 1] - (u[31, 1] + u[35, 1]) / 2)
    bridge = float(np.std(u[27:31, 0]))
    return np.array([width, length, flare, tip, bridge], dtype=np.float32)


def mouth_descriptor(landmarks68: np.ndarray) -> np.ndarray:
    """Mouth width, upper and lower lip thickness, corner lift (smile), cupid's-bow depth, height below the nose, and
    opening between the inner lips (teeth showing) (7)."""
    u = _unit(landmarks68)
    width = float(u[54, 0] - u[48, 0])
    upper = float(u[62, 1] - u[51, 1])
    lower = float(u[57, 1] - u[66, 1])
    corners = (u[48, 1] + u[54, 1]) / 2
    centre = (u[62, 1] + u[66, 1]) / 2
    lift = float(centre - corners)
    bow = float((u[50, 1] + u[52, 1]) / 2 - u[51, 1])
    drop = float(u[51, 1] - u[33, 1])
    opening = float(max(u[66, 1] - u[62, 1], 0.0))
    return np.array([width, upper, lower, lift, bow, drop, opening], dtype=np.float32)


def occupancy_descriptor(mask: np.ndarray, region: tuple[float, float, float, float] = (0, 0, frame.SIZE, frame.SIZE),
                         grid: int = GRID) -> np.ndarray:
    """Fraction of ``mask`` (canonical-frame, HxW, bool/0..1/0..255, any resolution) covering each cell of a
    ``grid``×``grid`` split of ``region`` (x0, y0, x1, y1 in canonical pixels)."""
    m = np.asarray(mask, dtype=np.float32)
    if m.ndim == 3:
        m = m[..., -1]
    if m.max() > 1.0:
        m = m / 255.0
    h, w = m.shape
    sx, sy = w / frame.SIZE, h / frame.SIZE
    x0, y0, x1, y1 = region
    xs = np.linspace(x0 * sx, x1 * sx, grid + 1).round().astype(int).clip(0, w)
    ys = np.linspace(y0 * sy, y1 * sy, grid + 1).round().astype(int).clip(0, h)
    out = np.zeros((grid, grid), dtype=np.float32)
    for i in range(grid):
        for j in range(grid):
            cell = m[ys[i]:ys[i + 1], xs[j]:xs[j + 1]]
            out[i, j] = float(cell.mean()) if cell.size else 0.0
    return out.ravel()


HAIR_REGION = (frame.CENTER_X - 2.0 * frame.IOD, frame.EYE_Y - 2.4 * frame.IOD,
               frame.CENTER_X + 2.0 * frame.IOD, frame.EYE_Y + 3.0 * frame.IOD)
FACIAL_HAIR_REGION = (frame.CENTER_X - 1.3 * frame.IOD, frame.EYE_Y + 0.5 * frame.IOD,
                      frame.CENTER_X + 1.3 * frame.IOD, frame.EYE_Y + 2.4 * frame.IOD)
GLASSES_REGION = (frame.CENTER_X - 1.3 * frame.IOD, frame.EYE_Y - 0.6 * frame.IOD,
                  frame.CENTER_X + 1.3 * frame.IOD, frame.EYE_Y + 0.6 * frame.IOD)


def hair_descriptor(mask: np.ndarray) -> np.ndarray:
    """Hair silhouette: a symmetrised occupancy grid over the head region plus length (lowest hair row below the
    eye line, IOD units), volume (occupancy) and fringe (coverage of the forehead band) — GRID*GRID/2 + 3 values.
    ``mask`` is the hair alpha/mask in the canonical frame at any resolution."""
    occ = occupancy_descriptor(mask, HAIR_REGION).reshape(GRID, GRID)
    sym = (occ + occ[:, ::-1]) / 2
    half = sym[:, : GRID // 2].ravel()
    rows = np.nonzero(occ.max(axis=1) > 0.15)[0]
    cell_h = (HAIR_REGION[3] - HAIR_REGION[1]) / GRID
    length = ((HAIR_REGION[1] + (rows.max() + 1) * cell_h - frame.EYE_Y) / frame.IOD) if rows.size else -2.4
    volume = float(occ.mean())
    fringe_band = occupancy_descriptor(
        mask, (frame.CENTER_X - 0.6 * frame.IOD, frame.EYE_Y - 0.9 * frame.IOD,
               frame.CENTER_X + 0.6 * frame.IOD, frame.EYE_Y - 0.45 * frame.IOD), grid=1)[0]
    return np.concatenate([half, [length / 3.0, volume, fringe_band]]).astype(np.float32)


def facial_hair_descriptor(mask: np.ndarray) -> np.ndarray:
    """Facial-hair coverage: symmetrised 12×6 grid over the lower face."""
    occ = occupancy_descriptor(mask, FACIAL_HAIR_REGION).reshape(GRID, GRID)
    return ((occ + occ[:, ::-1]) / 2)[:, : GRID // 2].ravel().astype(np.float32)


def glasses_descriptor(mask: np.ndarray) -> np.ndarray:
    """Frame/lens coverage around the eyes: symmetrised 12×6 grid."""
    occ = occupancy_descriptor(mask, GLASSES_REGION).reshape(GRID, GRID)
    return ((occ + occ[:, ::-1]) / 2)[:, : GRID // 2].ravel().astype(np.float32)


DESCRIPTOR_DIMS: dict[str, int] = {
    "face": 21,
    "eyes": 4,
    "brows": 13,
    "nose": 5,
    "mouth": 7,
    "hair": GRID * GRID // 2 + 3,
    "facial_hair": GRID * GRID // 2,
    "glasses": GRID * GRID // 2,
}


def landmark_descriptors(landmarks68: np.ndarray, *, brow_thickness: float | None = None) -> dict[str, np.ndarray]:
    """All landmark-based descriptors of one face (photo side) or one set of part anchors."""
    return {
        "face": face_shape_descriptor(landmarks68),
        "eyes": eyes_descriptor(landmarks68),
        "brows": brows_descriptor(landmarks68, brow_thickness),
        "nose": nose_descriptor(landmarks68),
        "mouth": mouth_descriptor(landmarks68),
    }
