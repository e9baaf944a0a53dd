"""Skin colour from the cheek, forehead and nose patches → Monk tone, ITA° and a confidence."""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from parts_library.palettes import srgb_to_linear as _srgb_to_linear

from .context import _Ctx, _IOD, _disc, _face_polygon, _lab_to_hex, _poly, _scale_lab, linear_to_srgb

# Monk swatches are how skin looks under even, diffuse light. In photos the lightness of the same skin swings with
# exposure and lighting far more than its chromaticity does (a brown cheek under studio light can read as light as
# a pale one in a dim room), so exposure is treated as a nuisance: each swatch is compared with the skin colour
# scaled by the exposure factor k (0.25..4, linear light) that fits it best, plus a penalty on |log k|. Lightness
# is weighted down against chroma (l:c ≈ 1:3). Constants were chosen on the development photos for balanced
# agreement between light and dark skin; scripts/skin_cues.py re-scores a grid of them against labels.csv
# (docs/skin_cues.md: no setting of the grid is more than 4 of 111 photos better).
_MONK_K = np.exp(np.linspace(np.log(0.25), np.log(4.0), 41)).astype(np.float32)
_MONK_K_PENALTY = 3.0  # ΔE per unit |ln k|
_MONK_L_OFFSET = 5.0  # photos of skin read a little darker than the swatches
_W_L = 0.3
_MONK_T = 0.0
_SKIN_CLIP = 240  # sRGB level from which a skin pixel counts as clipped
_SKIN_CLIP_KEEP = 0.15  # ... and is dropped while this fraction of its patch remains
_SIDE_LIGHT_DL = 15.0  # L* between the two cheeks from which one counts as lit and the other as shadowed


def _monk_labs() -> np.ndarray:
    from parts_library.palettes import MONK, hex_to_rgb, srgb_to_lab

    return np.array([srgb_to_lab(hex_to_rgb(h)) for h in MONK])


_MONK_LAB = _monk_labs()


def monk_from_lab(lab, *, w_l: float = _W_L, w_a: float = 1.0, k_penalty: float = _MONK_K_PENALTY
                  ) -> tuple[int, np.ndarray, float]:
    """Monk tone (1..10) of a normalised photo skin colour, the fit cost to each of the 10 swatches, and the
    exposure factor that fits the chosen swatch (far from 1: the photo's lightness disagrees with the tone).
    ``w_l``, ``w_a`` and ``k_penalty`` (the weights of L* and a* against b*, and of the exposure) are the module's
    constants; ``scripts/skin_cues.py`` varies them."""
    px = np.asarray(lab, dtype=np.float32).reshape(1, 1, 3)
    rgb = np.clip(cv2.cvtColor(px, cv2.COLOR_Lab2RGB)[0, 0], 0, 1)
    lin = _srgb_to_linear(rgb).astype(np.float32)
    cand = linear_to_srgb(lin[None, :] * _MONK_K[:, None]).reshape(-1, 1, 3)
    cl = cv2.cvtColor(cand, cv2.COLOR_RGB2Lab)[:, 0].astype(np.float64)
    cl[:, 0] += _MONK_L_OFFSET
    d = _MONK_LAB[None, :, :] - cl[:, None, :]
    cost = (np.sqrt((w_l * d[..., 0]) ** 2 + (w_a * d[..., 1]) ** 2 + d[..., 2] ** 2)
            + k_penalty * np.abs(np.log(_MONK_K))[:, None])
    best = cost.min(axis=0)
    if _MONK_T > 0:
        # soft choice: the expected tone under softmin weights, so that two near-equal fits (light skin in dim light
        # vs dark skin in bright light) give a tone between them that moves smoothly, not a jump
        w = np.exp(-(best - best.min()) / _MONK_T)
        j = int(np.clip(np.round((w * np.arange(10)).sum() / w.sum()), 0, 9))
    else:
        j = int(np.argmin(best))
    return j + 1, best, float(_MONK_K[int(np.argmin(cost[:, j]))])


def ita_degrees(lab) -> float:
    """Individual typology angle: atan((L* − 50) / b*) in degrees (> 55 very light … < −30 dark)."""
    L, _, b = (float(v) for v in lab)
    return float(np.degrees(np.arctan2(L - 50.0, b)))


def _skin_patches(ctx: _Ctx) -> dict[str, np.ndarray]:
    lm, shape = ctx.lm, ctx.shape
    r = 0.17 * _IOD
    brow_y = lm[17:27, 1].mean()
    patches = {
        "cheek_left": _disc(shape, lm[[2, 3, 31, 40, 41]].mean(axis=0), r),
        "cheek_right": _disc(shape, lm[[13, 14, 35, 46, 47]].mean(axis=0), r),
        "nose": _disc(shape, lm[[28, 29]].mean(axis=0), 0.07 * _IOD),
    }
    fx = lm[[21, 22]].mean(axis=0)[0]
    fy = brow_y - 0.33 * _IOD
    fore = np.zeros(shape, bool)
    y0, y1 = int(round(fy - 0.1 * _IOD)), int(round(fy + 0.1 * _IOD))
    x0, x1 = int(round(fx - 0.4 * _IOD)), int(round(fx + 0.4 * _IOD))
    fore[max(0, y0):max(0, y1), max(0, x0):max(0, x1)] = True
    patches["forehead"] = fore
    return {k: v & ctx.valid for k, v in patches.items()}


def _shadowed_cheek(lab: np.ndarray, patches: dict[str, np.ndarray]) -> str | None:
    """The cheek in shadow when the two cheeks' median lightness differ by more than :data:`_SIDE_LIGHT_DL`."""
    lightness = {}
    for name in ("cheek_left", "cheek_right"):
        if patches[name].sum() < 20:
            return None
        lightness[name] = float(np.median(lab[patches[name]][:, 0]))
    dark, lit = sorted(lightness, key=lightness.get)
    return dark if lightness[lit] - lightness[dark] > _SIDE_LIGHT_DL else None


def measure_skin(ctx: _Ctx, lab: np.ndarray, illum: dict[str, Any],
                 skin_prob: np.ndarray | None = None) -> dict[str, Any]:
    """Skin colour → Monk tone and ITA from the cheek, forehead and nose patches. ``skin_prob``: a learned
    segmenter's skin probability in the working frame; a patch keeps only its skin pixels (fringe, glasses rims,
    beard edges leave) while at least half of it remains."""
    patches = _skin_patches(ctx)
    if skin_prob is not None:
        is_skin = skin_prob >= 0.5
        for name, m in patches.items():
            if (m & is_skin).sum() >= max(10, 0.5 * m.sum()):
                patches[name] = m & is_skin
    # clipped pixels (any channel saturated in the photo) have lost their chromaticity: leave them out while
    # enough others remain
    rgb = ctx.rgb  # (channel by channel: a max over an axis of 3 is numpy's slow path)
    unclipped = np.maximum(np.maximum(rgb[..., 0], rgb[..., 1]), rgb[..., 2]) < _SKIN_CLIP
    union = np.logical_or.reduce(list(patches.values()))
    clipped = float(1.0 - unclipped[union].mean()) if union.any() else 0.0
    # a face that is mostly clipped keeps its patches: its tone is unreliable and its confidence is halved below
    for name, m in patches.items():
        if (m & unclipped).sum() >= _SKIN_CLIP_KEEP * m.sum() and (m & unclipped).sum() >= 10:
            patches[name] = m & unclipped
    # side light: one cheek is lit, the other in shadow. Shadowed skin reads darker and greyer than the skin is,
    # and a pool of both would also be the reference that rejects the lit forehead and nose. It is still skin
    # (the hair mask keeps it out of the hair): only the tone leaves it out.
    shadowed = _shadowed_cheek(lab, patches)
    toned = {k: v for k, v in patches.items() if k != shadowed}
    cheeks = toned.get("cheek_left", np.zeros(ctx.shape, bool)) | toned.get("cheek_right", np.zeros(ctx.shape, bool))
    ref = lab[cheeks] if cheeks.sum() >= 20 else lab[np.logical_or.reduce(list(toned.values()))]
    if len(ref) < 10:
        return {"lab": None, "monk": None, "ita": None, "confidence": 0.0, "pixels": 0,
                "_mask": np.zeros(ctx.shape, bool), "_patches": patches}
    med = np.median(ref, axis=0)
    used = {}
    keep_mask = np.zeros(ctx.shape, bool)
    for name, m in toned.items():
        px = lab[m]
        if len(px) < 5:
            continue
        pm = np.median(px, axis=0)
        # a patch whose bulk is far from the cheeks is hair, fringe, beard or a shadowed side: drop it
        if name not in ("cheek_left", "cheek_right") and np.linalg.norm(pm - med) > 14:
            continue
        used[name] = m
        keep_mask |= m
    px = lab[keep_mask]
    med = np.median(px, axis=0)
    mad = np.median(np.abs(px - med), axis=0) * 1.4826 + np.array([1.5, 1.0, 1.0])
    lo_L, hi_L = np.percentile(px[:, 0], [8, 92])  # shadows and specular highlights
    good = ((np.abs(px - med) <= 2.5 * mad).all(axis=1) & (px[:, 0] >= lo_L) & (px[:, 0] <= hi_L))
    kept = px[good] if good.sum() >= 10 else px
    # chromaticity from the darker half of the kept pixels: the lit half is the first to clip (over-exposed
    # photos lose their red channel there) and carries more sheen
    darker = kept[kept[:, 0] <= np.median(kept[:, 0])]
    skin_lab = np.median(darker if len(darker) >= 5 else kept, axis=0)
    # the lit side matters for perceived tone: lightness from the upper-middle of the kept pixels
    skin_lab[0] = float(np.percentile(kept[:, 0], 60))
    monk, dist, k = monk_from_lab(skin_lab)
    # the skin colour at the exposure that matches its tone: the ITA is read from it, so that it agrees with the
    # tone (the photo's own lightness is mostly lighting)
    matched = _scale_lab(skin_lab, k)
    srt = np.sort(dist)
    margin = float(srt[1] - srt[0])
    mask = np.zeros(ctx.shape, bool)
    idx = np.flatnonzero(keep_mask.ravel())[good] if good.sum() >= 10 else np.flatnonzero(keep_mask.ravel())
    mask.ravel()[idx] = True
    spread = float(np.std(kept[:, 0]))
    conf = float(np.clip(len(kept) / 250.0, 0, 1) * np.clip(1.2 - spread / 25.0, 0.2, 1.0)
                 * np.clip(1.25 - abs(np.log(k)) / 1.5, 0.3, 1.0) * np.clip(0.5 + margin / 4.0, 0.5, 1.0))
    if illum["grayscale"]:
        conf = min(conf, 0.2)  # a black-and-white photo shows lightness, not skin colour
    if clipped > 0.5:
        conf *= 0.5
    return {
        "lab": skin_lab.astype(np.float32), "lab_matched": matched.astype(np.float32), "hex": _lab_to_hex(skin_lab),
        "monk": monk, "ita": ita_degrees(matched),
        "monk_margin": margin, "monk_exposure": k, "clipped": clipped, "confidence": conf, "pixels": int(len(kept)),
        "patches_used": sorted(used), "patch_shadowed": shadowed,
        "_mask": mask, "_patches": patches,
    }


def skin_likeness(ctx: _Ctx, lab: np.ndarray, skin: dict[str, Any]) -> np.ndarray:
    """0/1 map (working frame) of pixels with the face's skin colour inside the face and neck region: the
    colour heuristic's skin 'segmentation'."""
    out = np.zeros(ctx.shape, np.float32)
    if skin.get("lab") is None:
        return out
    ref = np.asarray(skin["lab"], np.float32)
    close = (np.linalg.norm(lab[..., 1:] - ref[1:], axis=-1) < 7) & (np.abs(lab[..., 0] - ref[0]) < 22)
    region = _poly(ctx.shape, _face_polygon(ctx, brow_lift=0.6))
    out[close & region & ctx.valid] = 1.0
    return out
