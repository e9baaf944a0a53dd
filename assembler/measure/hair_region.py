"""Where the hair is, from colour models alone: :func:`hair_mask` labels the zone around the skull and beside the face
with a hair colour model fitted on a seed band above the usual hairline (lowered when the hair it grows stays up in the
band, re-fitted on the hair it found) against background models (k-means of the far surroundings and of the clothes
below the chin) and the face's skin, and keeps the parts connected to the seed or near the skull; ``_hair_likely`` is
its per-pixel colour test. Used by :func:`~assembler.measure.hair.measure_hair` and by the ``color-heuristic``
segmenter of :mod:`assembler.segment`."""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from .context import WORK_SIZE, _Ctx, _IOD, _ellipse, _face_polygon, _head_geometry, _poly, channel_norm

__all__ = ["hair_mask"]

_HAIR_REFIT = 1  # re-fits of the hair colour model on the hair found from the seed
_SEED_DROP = 0.8  # IOD above the brows that hair grown from the seed must reach down to (else the seed is lowered)


def hair_mask(ctx: _Ctx, lab: np.ndarray, skin: dict[str, Any], size: int = 128,
              refine: bool = False, gray: bool = False) -> tuple[np.ndarray, dict]:
    """Hair mask at ``size`` px of the canonical frame (bool, size×size) and the seed map used.

    Colour models in Lab — hair from a band above the usual hairline (without skin- or background-like pixels),
    background from k-means of the far surroundings and of the clothes below the chin, skin from the face —
    label the zone around the skull and beside the face; small specks are removed and only parts connected to the
    seed or near the skull are kept. ``refine=True`` runs GrabCut from that labelling (slower; on the development
    photos it shrank masks towards the seed, so it is off by default)."""
    k = size / WORK_SIZE
    shape = (size, size)
    geo = _head_geometry(ctx)
    small_lab = cv2.resize(lab, shape, interpolation=cv2.INTER_AREA)
    valid = cv2.resize(ctx.valid.astype(np.uint8), shape, interpolation=cv2.INTER_NEAREST).astype(bool)
    iod = _IOD * k
    cx, cy = geo["centre"][0] * k, geo["centre"][1] * k
    ax, ay = geo["axes"][0] * k, geo["axes"][1] * k
    eye_y, brow_y, chin_y = geo["eye_y"] * k, geo["brow_y"] * k, geo["chin_y"] * k

    big = _ellipse(shape, (cx, cy - 0.1 * iod), (ax * 1.55, ay * 1.22))
    ys, xs = np.mgrid[0:size, 0:size]
    face = _poly(shape, _face_polygon(ctx) * k)
    # long hair falls beside the face and neck down to the shoulders
    sides = (np.abs(xs - cx) < ax * 1.6) & (ys > eye_y) & (ys < chin_y + 1.6 * iod)
    neck = (np.abs(xs - cx) < 0.25 * geo["jaw_w"] * k) & (ys > chin_y - 0.2 * iod)
    # beard and chin: below the mouth, within the jaw's width
    neck |= (np.abs(xs - cx) < 0.56 * geo["jaw_w"] * k) & (ys > ctx.lm[48:60, 1].mean() * k)

    if skin.get("lab") is not None:
        # skin varies mostly in lightness (shading, shine): close in (a, b), and within a generous band of L —
        # of the cheeks' colour or of any skin patch's own (a shiny forehead is lighter than the cheeks)
        refs = [np.asarray(skin["lab"], np.float32)]
        used = set(skin.get("patches_used") or ()) | {skin.get("patch_shadowed")}
        for name, m in (skin.get("_patches") or {}).items():
            if name in used and m.sum() >= 5:
                refs.append(np.median(lab[m], axis=0).astype(np.float32))
        skinlike = np.zeros(shape, bool)
        l_band = 12.0 if gray else 22.0  # without colour, lightness is all that tells skin from hair
        for r in refs:
            d_ab = channel_norm(small_lab[..., 1:] - r[1:])
            skinlike |= (d_ab < 7) & (np.abs(small_lab[..., 0] - r[0]) < l_band)
    else:
        skinlike = np.zeros(shape, bool)
    # where hair can be: around the skull, and beside the face and neck down to the shoulders
    zone = (_ellipse(shape, (cx, cy - 0.1 * iod), (ax * 1.35, ay * 1.12)) | sides) & valid & ~face & ~neck
    far = valid & ~big & ~sides
    # the chest below the chin (clothes), which long hair rarely covers in the middle, is background too
    # (only its nearly neutral pixels — suits, shirts — so bare or shaded skin of the chest does not swallow
    # warm-coloured hair)
    chest = (valid & (np.abs(xs - cx) < 0.3 * geo["jaw_w"] * k) & (ys > chin_y + 0.6 * iod) & ~skinlike
             & (np.hypot(small_lab[..., 1], small_lab[..., 2]) < 12))
    info = {"seeds": np.zeros(shape, np.uint8)}
    # background colours: k-means over the far surroundings
    others = []
    fpx = small_lab[far].astype(np.float32)
    if len(fpx) >= 20:
        kk = min(5, len(fpx) // 10)
        cv2.setRNGSeed(0)
        _, _, centres = cv2.kmeans(fpx, kk, None, (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0), 1,
                                   cv2.KMEANS_PP_CENTERS)
        others.extend(list(centres))
    bglike = np.zeros(shape, bool)
    for o in others:
        bglike |= channel_norm(small_lab - o) < 10
    cpx = small_lab[chest].astype(np.float32)
    if len(cpx) >= 20:
        cv2.setRNGSeed(0)
        _, _, centres = cv2.kmeans(cpx, 2, None, (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0), 1,
                                   cv2.KMEANS_PP_CENTERS)
        others.extend(list(centres))
    # the band just above the usual hairline is hair unless it looks like the face's skin (bald) or like the
    # background (very short hair, where the band reaches past the head)
    # the seed band just above the usual hairline (a fixed height: choosing it adaptively did worse on the
    # development photos)
    band = (np.abs(xs - cx) < 0.4 * iod) & (ys > brow_y - 1.5 * iod) & (ys < brow_y - 1.15 * iod)
    top = band & valid
    if top.sum() < 0.4 * band.sum():
        # the top of the head is outside the photo: seed from the temples beside the forehead instead
        temples = (np.abs(np.abs(xs - cx) - ax * 1.02) < 0.12 * iod) & (ys > brow_y - 0.6 * iod) & (ys < eye_y)
        top = (top | temples) & valid & ~face
        info["seed_from_temples"] = True
    seed = top & ~skinlike & ~bglike
    if seed.sum() < 0.25 * (top & ~skinlike).sum():
        # hair the colour of the background (black hair on a dark backdrop): the colour is still the hair's
        seed = top & ~skinlike
        info["hair_like_background"] = True
    if seed.sum() < 8:
        return np.zeros(shape, bool), info
    # colour models in Lab: hair from the seed, background from the far surroundings, skin from the face
    if skin.get("lab") is not None:
        others.append(np.asarray(skin["lab"], np.float32))
    likely = _hair_likely(small_lab, small_lab[seed], others)
    near = _ellipse(shape, (cx, cy - 0.1 * iod), (ax * 1.2, ay * 1.08))  # the skull and a margin around it

    def grow(likely: np.ndarray, seed: np.ndarray) -> np.ndarray:
        # hair found around the skull above the eyes, connected to the seed
        grown = likely & zone & ~skinlike & (ys < eye_y) & near
        _, lbl = cv2.connectedComponents((grown | seed).astype(np.uint8), connectivity=8)
        return grown & np.isin(lbl, [c for c in np.unique(lbl[seed]).tolist() if c])

    grown = grow(likely, seed)
    if not info.get("seed_from_temples") and grown.any() and ys[grown].max() < brow_y - _SEED_DROP * iod:
        # hair on a head runs down its sides towards the temples; a seed whose colour stays up in the band is
        # something behind the head (a chandelier, a picture): the head ends lower. Seed from just below the band.
        lower = (np.abs(xs - cx) < 0.4 * iod) & (ys >= brow_y - 1.15 * iod) & (ys < brow_y - _SEED_DROP * iod)
        lower &= valid & ~skinlike & ~bglike
        if lower.sum() >= 8:
            seed = lower
            likely = _hair_likely(small_lab, small_lab[seed], others)
            grown = grow(likely, seed)
            info["seed_lowered"] = True
    for refit in range(_HAIR_REFIT):
        # the seed band is a small sample (often the shine on top): re-fit the hair model on the hair it found
        # and label again
        if refit:
            grown = grow(likely, seed)
        if grown.sum() < 3 * seed.sum():
            break
        likely = _hair_likely(small_lab, small_lab[grown | seed], others)
    seeds = np.full(shape, cv2.GC_BGD, np.uint8)
    seeds[zone] = np.where(likely[zone], cv2.GC_PR_FGD, cv2.GC_PR_BGD)
    seeds[seed] = cv2.GC_FGD
    seeds[face | neck | ~valid] = cv2.GC_BGD
    info["seeds"] = seeds  # (keeps the flags set above: like_background, seed_from_temples, seed_lowered)
    if (seeds == cv2.GC_BGD).sum() < 8:
        return np.zeros(shape, bool), info
    if refine:
        bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
        mask = seeds.copy()
        try:
            small_bgr = cv2.resize(cv2.cvtColor(ctx.rgb, cv2.COLOR_RGB2BGR), shape, interpolation=cv2.INTER_AREA)
            cv2.grabCut(small_bgr, mask, None, bgd, fgd, 2, cv2.GC_INIT_WITH_MASK)
            hair = (mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)
        except cv2.error:
            hair = (seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)
    else:
        hair = (seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)
    hair &= valid & ~face
    hair = cv2.medianBlur(hair.astype(np.uint8), 3)
    hair = cv2.morphologyEx(hair, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)).astype(bool) & zone | seed
    # keep the parts connected to the skull region
    n, lbl = cv2.connectedComponents(hair.astype(np.uint8), connectivity=8)
    if n > 1:
        areas = np.bincount(lbl.ravel(), minlength=n)
        keep = set(np.unique(lbl[seed]).tolist())
        keep.discard(0)
        info["connected"] = np.isin(lbl, sorted(keep))  # hair reached from the crown seed: the length evidence
        keep |= {c for c in np.unique(lbl[hair & near]).tolist() if areas[c] >= 0.08 * iod ** 2}
        keep.discard(0)
        hair = np.isin(lbl, sorted(keep))
    return hair, info


def _hair_likely(small_lab: np.ndarray, hair_px: np.ndarray, others: list) -> np.ndarray:
    """Pixels within 4 robust standard deviations of the hair colour — median and MAD of ``hair_px`` (Lab), with a
    floor on the spread — and closer to it than to any of the ``others`` colour centres."""
    hair_px = hair_px.astype(np.float32)
    hmu = np.median(hair_px, axis=0)
    hsd = np.maximum(1.4826 * np.median(np.abs(hair_px - hmu), axis=0), [6.0, 3.0, 3.0])
    d_hair = channel_norm((small_lab - hmu) / hsd)
    if not others:
        return d_hair < 4.0
    # one centre at a time: the values of a (size, size, centres, 3) broadcast in a quarter of its time
    sd = hsd.astype(np.float32)
    d_other = np.minimum.reduce([channel_norm((small_lab - c) / sd) for c in np.asarray(others, np.float32)])
    return (d_hair < 4.0) & (d_hair < d_other)
