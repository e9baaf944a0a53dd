"""Hair from a learned segmenter (:func:`learned_hair`): the head-connected hair of a
:class:`~assembler.segment.Segmentation`, read in the segmenter's own photo-aligned crop — its length class against
the jaw and the shoulder line (``_shoulder_line``, the clothes' top edge, is kept as evidence only), its colour from
the bright half of the eroded core, whether it is plausible at all — and its masks warped into the working frame for
:func:`~assembler.measure.hair.measure_hair`."""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from ..geometry import apply_affine
from ..records import FaceRecord
from .context import WORK_SIZE, _S, _ellipse, _poly, linear_to_srgb
from .illumination import normalised_linear

__all__ = ["learned_hair"]

# hair from a learned segmenter: in the segmenter's own crop (photo-aligned, so hair hangs straight down in it and
# long hair below the canonical frame's bottom is still seen), then warped into the working frame
_LEARNED_SIZE = 256  # working resolution of the segmenter's crop
_HEAD_KEEP = (1.25, 1.1)  # hair components must reach this enlargement of the skull ellipse, above the mouth
# hair ending above the jaw's corners (the 68-point landmarks 4 and 12, 0.4–0.9 IOD above the chin) is short; hair
# that reaches them, medium. A fixed distance above the chin (0.8 IOD, the ear lobes) called chin-length cuts medium
_SHORT_JAW_POINTS = (4, 12)
_LONG_BELOW_SHOULDER = 0.2  # IOD: hair reaching this far below the shoulder line is long
_SHOULDER = 1.3  # IOD below the chin: the shoulder line beside the neck (anatomical)
# hair seen beside both temples (fraction of a box 0.1–0.8 IOD out from the face's edge, brow to 0.8 IOD below the
# eyes) in a mask of at least this area makes the mask plausible without hair above the forehead; no development
# photo labelled short or buzz has more than 0.21 there
_FRAMED_SIDES = 0.3
_FRAMED_AREA = 1.0  # IOD²


def learned_hair(image: np.ndarray, face: FaceRecord, seg, illum: dict[str, Any]) -> dict[str, Any]:
    """Head-connected hair of a :class:`~assembler.segment.Segmentation`: its mask in the working frame, its length
    class against the chin and the shoulders, and its colour from the bright half of the eroded core
    (illumination-normalised Lab). ``plausible`` is False when there is neither hair above the forehead nor hair beside
    both temples, or most of the hair is far from the head (the README's failure modes): then the colour model
    decides."""
    n = _LEARNED_SIZE
    prob = cv2.resize(seg.probs["hair"], (n, n), interpolation=cv2.INTER_AREA)
    valid = cv2.resize(seg.valid.astype(np.uint8), (n, n), interpolation=cv2.INTER_NEAREST).astype(bool)
    k = n / seg.size
    to_small = np.array([[k, 0, 0.5 * k - 0.5], [0, k, 0.5 * k - 0.5], [0, 0, 1.0]])
    photo_to = (to_small @ np.vstack([seg.photo_to_crop(), [0, 0, 1]]))[:2]
    lm = apply_affine(photo_to, np.asarray(face.landmarks, np.float64))
    le, re_ = lm[36:42].mean(axis=0), lm[42:48].mean(axis=0)
    iod = float(np.linalg.norm(re_ - le))
    eye_y = float((le[1] + re_[1]) / 2)
    brow_y = float(lm[17:27, 1].mean())
    chin_y = float(lm[8, 1])
    jaw_y = float(lm[list(_SHORT_JAW_POINTS), 1].mean())
    mouth_y = float(lm[48:60, 1].mean())
    cx = float((lm[0, 0] + lm[16, 0]) / 2)
    jaw_w = float(np.linalg.norm(lm[16] - lm[0]))
    ax, ay = 0.56 * jaw_w + 0.08 * iod, 2.15 * iod
    shape = (n, n)
    ys, xs = np.mgrid[0:n, 0:n]
    hair = (prob >= 0.5) & valid
    head = _ellipse(shape, (cx, eye_y + 0.15 * iod), (ax * _HEAD_KEEP[0], ay * _HEAD_KEEP[1])) & (ys < mouth_y)
    face_poly = _poly(shape, np.vstack([lm[0:17], lm[26:16:-1] - [0, 0.08 * iod]]))
    # hair over the face's edges (long hair over the jaw) belongs to the head hair connected to the crown; a beard
    # joined to the sideburns would too, so only the part above the mouth line or off the chin counts as head hair
    count, lbl = cv2.connectedComponents(hair.astype(np.uint8), connectivity=8)
    outside = hair & ~face_poly
    touching = np.bincount(lbl[outside & head], minlength=count)
    over_face = np.isin(lbl, [c for c in range(1, count) if touching[c] >= max(3, 0.02 * iod ** 2)]) & face_poly
    over_face &= np.abs(xs - float(lm[8, 0])) > 0.35 * jaw_w  # the jaw's sides, not the chin
    hair = outside
    count, lbl, stats, _ = cv2.connectedComponentsWithStats(hair.astype(np.uint8), connectivity=8)
    touching = np.bincount(lbl[head], minlength=count)
    keep = [c for c in range(1, count) if touching[c] >= max(3, 0.02 * iod ** 2)]
    conn = np.isin(lbl, keep) if keep else np.zeros(shape, bool)
    out: dict[str, Any] = {"backend": seg.backend, "plausible": False, "length": None, "lab": None,
                           "core_pixels": 0, "lower_bound": False}
    total = float(conn.sum())
    # guards: hair above the forehead, and most of the hair near the head
    top = (np.abs(xs - cx) < 0.8 * iod) & (ys < brow_y - 0.2 * iod) & (ys > brow_y - 2.6 * iod)
    above = float(conn[top].mean()) if top.any() else 0.0
    near = _ellipse(shape, (cx, eye_y + 0.6 * iod), (ax * 2.2, 4.5 * iod))
    near_frac = float(conn[near].sum() / total) if total else 0.0
    crown = _ellipse(shape, (cx, eye_y + 0.15 * iod), (ax, ay)) & (ys < brow_y - 0.75 * iod) & valid
    skin_p = cv2.resize(seg.probs["skin"], (n, n), interpolation=cv2.INTER_AREA)
    out.update(hair_above_forehead=above, near_fraction=near_frac, area_iod2=total / iod ** 2,
               crown_hair=float(conn[crown].mean()) if crown.any() else None,
               crown_skin=float((skin_p[crown] >= 0.5).mean()) if crown.any() else None)
    # ... or hair hanging beside both temples: the segmenter can miss light grey and white hair on top while it sees
    # the hair that frames the face (C001101's long silver hair: 7 % above the forehead, 74 % beside each temple)
    sides = []
    for x0 in (float(lm[0, 0]), float(lm[16, 0])):
        out_x = (xs - x0) * (1.0 if x0 > cx else -1.0)  # pixels outward from the face's edge
        box = (out_x > 0.1 * iod) & (out_x < 0.8 * iod) & (ys > brow_y) & (ys < eye_y + 0.8 * iod) & valid
        sides.append(float(conn[box].mean()) if box.any() else 0.0)
    out["hair_beside_temples"] = min(sides)
    framed = min(sides) >= _FRAMED_SIDES and total >= _FRAMED_AREA * iod ** 2
    out["plausible"] = bool(total >= 0.3 * iod ** 2 and (above >= 0.15 or framed) and near_frac >= 0.6)
    # warp the head-connected hair into the working frame (for the silhouette, fringe, crown)
    a = np.vstack([np.asarray(face.align_matrix, np.float64) * _S, [0, 0, 1]])
    to_work = (a @ np.linalg.inv(np.vstack([photo_to, [0, 0, 1]])))[:2]
    out["_mask_work"] = cv2.warpAffine(conn.astype(np.uint8), to_work, (WORK_SIZE, WORK_SIZE),
                                       flags=cv2.INTER_NEAREST) > 0
    out["_mask_crop"] = conn
    out["_over_face_work"] = cv2.warpAffine(over_face.astype(np.uint8), to_work, (WORK_SIZE, WORK_SIZE),
                                            flags=cv2.INTER_NEAREST) > 0
    if not total:
        return out
    # length: the lowest row with some hair beside or below the face, against the chin and the shoulder line
    # (a beard joined to the sideburns is not hair length: below the mouth, within the jaw's width, it is left out)
    beard_zone = (ys > mouth_y) & (np.abs(xs - cx) < 0.6 * jaw_w) & (ys < chin_y + 1.0 * iod)
    wide = conn & (np.abs(xs - cx) < 2.6 * iod) & ~beard_zone
    rows = np.flatnonzero(wide.sum(axis=1) >= max(2, 0.08 * iod))
    if rows.size:
        bottom = float(rows.max())
        last_valid = np.flatnonzero(valid.any(axis=1))
        out["lower_bound"] = bool(last_valid.size and bottom >= last_valid.max() - 2)
        seen = _shoulder_line(seg, n, xs, ys, cx, chin_y, iod, valid)
        out["shoulder_seen_iod"] = None if seen is None else (seen - chin_y) / iod  # evidence only: hair over the
        # shoulders and collars move the clothes' top edge, so the line itself is anatomical
        shoulder = chin_y + _SHOULDER * iod
        out["below_chin_iod"] = (bottom - chin_y) / iod
        out["below_jaw_iod"] = (bottom - jaw_y) / iod
        if bottom < jaw_y:
            out["length"] = "short"
        elif bottom < shoulder + _LONG_BELOW_SHOULDER * iod:
            out["length"] = "medium"
        else:
            out["length"] = "long"
    # colour: the bright half of the eroded core (shadows and edges make the plain median too dark), in the same
    # illumination-normalised Lab as the skin
    core = cv2.erode(conn.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    if core.sum() < 30:
        core = conn
    crop = cv2.resize(seg.info["crop"], (n, n), interpolation=cv2.INTER_AREA) if "crop" in seg.info else None
    if crop is not None and core.sum() >= 15:
        lin = normalised_linear(crop[core], illum)
        px = cv2.cvtColor(linear_to_srgb(lin).reshape(-1, 1, 3).astype(np.float32), cv2.COLOR_RGB2Lab)[:, 0]
        lo, hi = np.percentile(px[:, 0], [50, 95])
        bright = px[(px[:, 0] >= lo) & (px[:, 0] <= hi)]
        if len(bright) < 10:
            bright = px
        out["lab"] = np.median(bright, axis=0).astype(np.float32)
        out["core_pixels"] = int(core.sum())
    return out


def _shoulder_line(seg, n, xs, ys, cx, chin_y, iod, valid) -> float | None:
    """Row of the shoulders in the segmenter's crop (``n`` px): the median top of the clothes (or of the skin, for
    bare shoulders) in two columns 1.3–2.3 IOD beside the face centre, below the chin. None when not seen."""
    clothes = seg.probs.get("clothes")
    if clothes is None:
        return None
    body = cv2.resize(np.maximum(clothes, seg.probs["skin"]), (n, n), interpolation=cv2.INTER_AREA) >= 0.5
    tops = []
    for sign in (-1, 1):
        cols = [int(round(cx + sign * d * iod)) for d in np.linspace(1.3, 2.3, 5)]
        for c in cols:
            if not 0 <= c < n:
                continue
            r0 = int(max(0, chin_y))
            col = body[r0:, c] & valid[r0:, c]
            hit = np.flatnonzero(col)
            if hit.size:
                tops.append(r0 + hit[0])
    if len(tops) < 3:
        return None
    return float(np.median(tops))
