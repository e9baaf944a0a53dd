"""Hair measurement (:func:`measure_hair`): the colour model's mask (:mod:`.hair_region`), joined near the skull by a
learned segmenter's head-connected hair (:mod:`.hair_learned`) when that is plausible, its colour named
(:mod:`.hair_colour`), and its shape measured — length class, volume, fringe, hairline, bald / receding crown and curl
(``_curl``). Every name the three modules took from here is still importable from here, and setting one here (as a
test's monkeypatch does) sets it where it is read too."""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from ..geometry import apply_affine  # noqa: F401  (importable from here before the split)
from ..records import FaceRecord  # noqa: F401
from .context import (WORK_SIZE, _Ctx, _IOD, _S, _ellipse, _face_polygon, _head_geometry, _lab_to_hex,  # noqa: F401
                      _poly, _texture, channel_norm, linear_to_srgb, srgb_to_linear)
from .hair_colour import (_ASH_C, _ASH_HUE, _ASH_MIN_L, _BLONDE_MIN_L, _BLONDE_REL_SKIN, _GRAY_BELOW_SKIN,  # noqa: F401
                          _HAIR_VIVID_C, _RED_C, _RED_C_WARM, _RED_HUE, _SKIN_LIKE_AB, _SKIN_LIKE_L, _hair_distance,
                          _hair_families, _robust_mode, hair_color_name, hair_family_probs)
from .hair_learned import (_HEAD_KEEP, _LEARNED_SIZE, _LONG_BELOW_SHOULDER, _SHORT_JAW_POINTS, _SHOULDER,  # noqa: F401
                           _shoulder_line, learned_hair)
from .hair_region import _HAIR_REFIT, _SEED_DROP, _hair_likely, hair_mask  # noqa: F401

__all__ = ["measure_hair", "hair_mask", "learned_hair", "hair_color_name", "hair_family_probs"]

# a bare (bald or shaved) crown: the network's hair covers less than this of it, its skin at least this, and the
# crown's fine texture is at most the cheek's (a scalp is as smooth as skin; hair, even thin grey hair, has strands)
_BARE_CROWN_HAIR, _BARE_CROWN_SKIN, _BARE_CROWN_TEXTURE = 0.05, 0.3, 1.0
# ... and what the network calls neither skin nor hair there is the photo's background: grey and white hair on dark
# skin escapes the network's hair class (and is smooth at portrait size), but it is not the backdrop either. The
# share of the crown that is neither skin, hair nor backdrop-coloured (ΔE > 15 from the backdrop beside and above
# the head): shaved and bald heads 0.02–0.12 on the development photos, short grey hair on dark skin 0.22–0.43
_BARE_CROWN_UNEXPLAINED = 0.18
_BACKDROP_DE = 15.0
_MISSED_HAIR_MAX_C = 15.0  # chroma (Lab) of the missed pixels the hair colour is read from
# a buzz cut: short hair that nowhere stands off the skull — the ring just beside and above the skull outline holds
# less than this of hair (the reported ``volume``, 0..1) while the crown is not bare — and of which the learned
# segmenter sees no more than a thin layer (IOD², all its head-connected hair: hair pulled back tight, or short hair
# whose colour-model mask a warm or hazy light shrank, shows it a full head of hair, 1.5–3 IOD²; buzz cuts 0–0.9)
_BUZZ_VOLUME = 0.025
_BUZZ_MAX_LEARNED_AREA = 1.0
# curl from the structure tensor's coherence c (``_curl``): curl = (0.85 − c) / 0.48, so that the medians of the
# labelled development photos' classes fall in their CURL_LEVELS bins — straight 0.81, wavy 0.72, curly 0.51, coily
# 0.38; boundaries at c 0.77 / 0.62 / 0.45 (the midpoints). At 256 px nearly every head read 0 (straight): 43 % of
# the 105 labelled textures were right, 62 % with this (of the 100 not braided, 93 % within one class)
_CURL_COHERENCE = (0.85, 0.48)  # (coherence of curl 0, coherence span of curl 0 → 1)
_CURL_SIGMA = 2.0  # working pixels: the structure tensor's window


def measure_hair(ctx: _Ctx, lab: np.ndarray, skin: dict[str, Any], illum: dict[str, Any],
                 learned: dict[str, Any] | None = None) -> dict[str, Any]:
    """Hair mask, colour and shape. ``learned``: the head-connected hair of a learned segmenter
    (:func:`learned_hair`); when it is plausible its mask joins the colour model's near the skull, and its length
    and colour replace the colour model's."""
    mask_s, info = hair_mask(ctx, lab, skin, gray=bool(illum.get("grayscale")))
    mask = cv2.resize(mask_s.astype(np.uint8), ctx.shape, interpolation=cv2.INTER_NEAREST).astype(bool)
    geo = _head_geometry(ctx)
    shape = ctx.shape
    ys, xs = np.mgrid[0:WORK_SIZE, 0:WORK_SIZE]
    cx, cy = geo["centre"]
    ax, ay = geo["axes"]
    skull = _ellipse(shape, (cx, cy), (ax, ay))
    use_learned = learned is not None and learned.get("plausible")
    if use_learned:
        # the network finds long, light and curly hair the colour model misses, but often misses short, slicked
        # or buzzed hair that the colour model finds on the skull: keep the colour model's hair on and just around
        # the skull only
        near = _ellipse(shape, (cx, cy - 0.1 * _IOD), (ax * 1.15, ay * 1.05)) & (ys < geo["eye_y"])
        mask = (learned["_mask_work"] | (mask & near)) & ~_poly(shape, _face_polygon(ctx)) & ctx.valid
        mask_s = cv2.resize(mask.astype(np.uint8), mask_s.shape[::-1], interpolation=cv2.INTER_NEAREST).astype(bool)
        info = dict(info, connected=None)
    brow_y = geo["brow_y"]
    crown_all = skull & (ys < brow_y - 0.95 * _IOD)
    crown = crown_all & ctx.valid
    crown_seen = float(crown.sum() / max(1, crown_all.sum()))  # how much of the crown the photo shows
    crown_cov = float(mask[crown].mean()) if crown.any() else 0.0
    area = float(mask.sum()) / _IOD ** 2
    out: dict[str, Any] = {"_mask": mask, "_mask_small": mask_s, "_seeds": info.get("seeds"),
                           "coverage_crown": crown_cov, "area_iod2": area,
                           "like_background": bool(info.get("hair_like_background", False))}

    # colour: from the hair above the eye line (lit, and surest to be hair), the rest only if that is too little
    core = cv2.erode(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    if core.sum() < 30:
        core = mask
    upper = core & (ys < geo["eye_y"])
    if upper.sum() >= 50:
        core = upper
    if use_learned and learned.get("lab") is not None:
        hair_lab = np.asarray(learned["lab"], np.float64)
        skin_l = None if skin.get("lab") is None else float(skin["lab"][0])
        name, family, cconf = hair_color_name(hair_lab, grayscale=illum["grayscale"], skin_l=skin_l,
                                                skin_lab=skin.get("lab"))
        # (the segmenter's crop has a fixed size: the photo's own resolution sets how much its pixels can say)
        out.update(lab=hair_lab.astype(np.float32), hex=_lab_to_hex(hair_lab), color=name, family=family,
                   color_confidence=cconf * float(np.clip(learned["core_pixels"] / 300.0, 0.2, 1.0))
                   * float(np.clip(ctx.face_px / 40.0, 0.25, 1.0)))
    elif core.sum() >= 15:
        hair_lab = _robust_mode(lab[core])
        skin_l = None if skin.get("lab") is None else float(skin["lab"][0])
        name, family, cconf = hair_color_name(hair_lab, grayscale=illum["grayscale"], skin_l=skin_l,
                                                skin_lab=skin.get("lab"))
        out.update(lab=hair_lab.astype(np.float32), hex=_lab_to_hex(hair_lab), color=name, family=family,
                   color_confidence=cconf * float(np.clip(core.sum() / 300.0, 0.2, 1.0))
                   * float(np.clip(ctx.face_px / 40.0, 0.25, 1.0)))
    else:
        out.update(lab=None, hex=None, color=None, family=None, color_confidence=0.0)

    # shape: length (lowest hair row with some width, beside the face), volume, fringe, bald / receding
    # length only from hair connected to the crown: blobs of hair-coloured background beside the head (curtains,
    # dark suits) count for the mask but must not make short hair "long"
    connected = info.get("connected")
    length_mask = mask if connected is None else mask & cv2.resize(
        connected.astype(np.uint8), ctx.shape, interpolation=cv2.INTER_NEAREST).astype(bool)
    rows = np.flatnonzero(length_mask.sum(axis=1) >= max(2, 0.06 * _IOD))
    bottom = float(rows.max()) if rows.size else geo["eye_y"] - 2 * _IOD
    length_iod = (bottom - geo["eye_y"]) / _IOD
    chin_iod = (geo["chin_y"] - geo["eye_y"]) / _IOD
    outside = mask & ~skull
    ring = _ellipse(shape, (cx, cy - 0.1 * _IOD), (ax * 1.35, ay * 1.15)) & ~skull & (ys < geo["eye_y"] + 0.3 * _IOD)
    volume = float((outside & ring).sum() / max(1, ring.sum()))
    fx0, fx1 = geo["cx"] - 0.55 * _IOD, geo["cx"] + 0.55 * _IOD
    fy0, fy1 = brow_y - 0.75 * _IOD, brow_y - 0.15 * _IOD
    band = (xs >= fx0) & (xs <= fx1) & (ys >= fy0) & (ys <= fy1) & ctx.valid
    # the fringe from the learned hair alone when it is plausible: the colour model takes a pale forehead under
    # white or blonde hair for hair
    fringe_mask = learned["_mask_work"] if use_learned else mask
    fringe = float(fringe_mask[band].mean()) if band.any() else 0.0
    # hairline: lowest hair row above the brows in the central column (IOD above the brow line)
    col = mask[:, int(fx0):int(fx1) + 1].mean(axis=1)
    above = np.flatnonzero(col[: int(brow_y)] > 0.4)
    hairline = (brow_y - above.max()) / _IOD if above.size else None
    # skin visible on the crown: pixels there close to the face's skin colour
    if skin.get("lab") is not None and crown.any():
        d = channel_norm(lab[crown] - skin["lab"])  # the crown's pixels only: the same values, a fraction of the work
        crown_skin = float(((d < 14) & ~mask[crown]).mean())
    else:
        crown_skin = 0.0
    bald = float(np.clip((0.45 - crown_cov) / 0.35, 0, 1) * np.clip(crown_skin / 0.35, 0, 1))
    crown_texture = None
    bare_crown = False
    if learned is not None and learned.get("_skin_work") is not None and skin.get("_mask") is not None:
        # a shaved or bald crown: the network sees skin and no hair there, and the crown is as smooth as the cheek.
        # The colour model cannot tell (a lit scalp, dark skin and grey hair all look like "hair" to it); thin grey
        # hair also escapes the network, but it is textured (strands) where a scalp is smooth
        head = crown & (learned["_mask_work"] | learned["_skin_work"])
        if head.sum() >= max(30, 0.25 * crown.sum()) and skin["_mask"].sum() >= 20:
            tex = _texture(lab[..., 0].astype(np.float32))
            crown_texture = float(np.median(tex[head]) / max(float(np.median(tex[skin["_mask"]])), 0.05))
            bare_crown = bool((learned.get("crown_hair") or 0.0) < _BARE_CROWN_HAIR
                              and (learned.get("crown_skin") or 0.0) >= _BARE_CROWN_SKIN
                              and crown_texture < _BARE_CROWN_TEXTURE)
            if bare_crown:
                unexplained = _crown_unexplained(ctx, lab, crown, learned, geo)
                if unexplained is not None and unexplained.sum() >= _BARE_CROWN_UNEXPLAINED * crown.sum():
                    # hair the network missed: not bald, and its colour is that of the missed pixels (the colour
                    # model's mask of such a crown is mostly scalp and forehead)
                    bare_crown = False
                    out["crown_unexplained"] = float(unexplained.sum() / crown.sum())
                    # the hair the network misses is grey or white: its colour from the missed pixels that are
                    # neutral (not the backdrop's edge blended into the head)
                    grey = unexplained & (np.hypot(lab[..., 1], lab[..., 2]) < _MISSED_HAIR_MAX_C)
                    if grey.sum() >= 30:
                        hair_lab = _robust_mode(lab[grey])
                        name, family, cconf = hair_color_name(hair_lab, grayscale=illum["grayscale"],
                                                                skin_l=float(skin["lab"][0]), skin_lab=skin["lab"])
                        out.update(lab=hair_lab.astype(np.float32), hex=_lab_to_hex(hair_lab), color=name,
                                   family=family, color_confidence=cconf * float(np.clip(grey.sum() / 300.0, 0.2,
                                                                                          1.0)))
            if bare_crown:
                bald = max(bald, 0.9)
    receding = 0.0
    if hairline is not None:
        receding = float(np.clip((hairline - 1.05) / 0.5, 0, 1))
    receding = max(receding, 0.6 * bald)
    if crown_seen < 0.5 and area < 0.6:
        length, bald, receding = None, None, None  # the top of the head is outside the photo: unknown, not bald
    elif (crown_cov < 0.15 and area < 0.6) or bare_crown:
        length = "bald"
    elif use_learned and learned.get("length") is not None:
        length = learned["length"]
    elif length_iod < 0.9:
        length = "short"
    elif length_iod < chin_iod + 0.35:
        length = "medium"
    else:
        length = "long"
    volume = float(np.clip(volume * 1.6, 0, 1))
    learned_area = None if learned is None else learned.get("area_iod2")
    if length == "short" and volume < _BUZZ_VOLUME and (learned_area is None
                                                        or learned_area <= _BUZZ_MAX_LEARNED_AREA):
        length = "buzz"
        if out.get("lab") is not None and skin.get("lab") is not None:
            # a buzz cut's colour is partly its scalp: named again with that in mind (hair_colour._SCALP_HUE)
            name, family, cconf = hair_color_name(out["lab"], grayscale=illum["grayscale"],
                                                    skin_l=float(skin["lab"][0]), skin_lab=skin["lab"], buzz=True)
            if name != out["color"]:
                out.update(color=name, family=family, color_confidence=min(out["color_confidence"], cconf))
    if use_learned:
        out.update(length_source="learned", length_below_chin_iod=learned.get("below_chin_iod"),
                   length_lower_bound=bool(learned.get("lower_bound")), shoulder_iod=learned.get("shoulder_seen_iod"))
    out["segmenter"] = None if learned is None else learned.get("backend")
    out["learned_plausible"] = None if learned is None else bool(learned.get("plausible"))
    out.update(length=length, length_iod=float(length_iod), volume=volume,
               fringe=float(np.clip((fringe - 0.15) / 0.5, 0, 1)), fringe_coverage=fringe,
               hairline_iod=hairline, crown_skin=crown_skin, crown_seen=crown_seen, bald=bald, receding=receding,
               curl=_curl(ctx, mask), crown_texture=crown_texture)
    return out


def _crown_unexplained(ctx: _Ctx, lab: np.ndarray, crown: np.ndarray, learned: dict[str, Any],
                       geo: dict[str, Any]) -> np.ndarray | None:
    """The crown's pixels that the learned segmenter calls neither skin nor hair and whose colour is not the
    backdrop's (ΔE > ``_BACKDROP_DE`` from the median of the photo beside the head at brow level and above it).
    None when too little backdrop is seen to tell."""
    ys, xs = np.mgrid[0:WORK_SIZE, 0:WORK_SIZE]
    cx, cy = geo["centre"]
    ax, ay = geo["axes"]
    body = learned["_mask_work"] | learned["_skin_work"]
    beside = (np.abs(xs - cx) > 1.6 * ax) & (np.abs(ys - geo["brow_y"]) < 1.0 * _IOD)
    above = (np.abs(xs - cx) < ax) & (ys < cy - 1.15 * ay)
    backdrop = (beside | above) & ctx.valid & ~body
    if backdrop.sum() < 50:
        return None
    ref = np.median(lab[backdrop], axis=0)
    out = crown & ~body
    out[out] = channel_norm(lab[out] - ref) > _BACKDROP_DE
    return out


def _curl(ctx: _Ctx, mask: np.ndarray) -> float | None:
    """0 (straight) .. 1 (coily) from the orientation coherence of the hair texture (structure tensor).

    Read on the 512 px chip (twice the working resolution: at 256 px a curl is a pixel or two and every head of hair
    looked straight), over the eroded hair mask, from the stronger 60 % of its gradients. Straight strands run
    parallel (coherence ≈ 0.8), curls and coils turn within the window (≈ 0.5 and below); the linear map puts the
    label classes' boundaries on :data:`~assembler.evaluation.labels.CURL_LEVELS` (see ``_CURL_COHERENCE``)."""
    mask = cv2.erode(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    if mask.sum() < 150:
        return None
    chip = ctx.chip
    k = chip.shape[0] / WORK_SIZE
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    pad = 4
    y0, y1 = max(0, rows[0] - pad), min(WORK_SIZE, rows[-1] + 1 + pad)
    x0, x1 = max(0, cols[0] - pad), min(WORK_SIZE, cols[-1] + 1 + pad)
    g = cv2.cvtColor(np.ascontiguousarray(chip[int(y0 * k):int(y1 * k), int(x0 * k):int(x1 * k)]),
                     cv2.COLOR_RGB2GRAY).astype(np.float32)
    sub = cv2.resize(mask[y0:y1, x0:x1].astype(np.uint8), g.shape[::-1], interpolation=cv2.INTER_NEAREST).astype(bool)
    sigma = _CURL_SIGMA * k
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    jxx = cv2.GaussianBlur(gx * gx, (0, 0), sigma)
    jyy = cv2.GaussianBlur(gy * gy, (0, 0), sigma)
    jxy = cv2.GaussianBlur(gx * gy, (0, 0), sigma)
    coh = np.sqrt((jxx - jyy) ** 2 + 4 * jxy ** 2) / (jxx + jyy + 1e-3)
    energy = (jxx + jyy)[sub]
    strong = energy > np.percentile(energy, 40)
    c = float(np.median(coh[sub][strong])) if strong.any() else _CURL_COHERENCE[0]
    straight, span = _CURL_COHERENCE
    return float(np.clip((straight - c) / span, 0, 1))
