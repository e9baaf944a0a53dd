"""Illumination normalisation: the veil (haze, flare: light added to every pixel), the colour cast (grey-world and the
face's white references) and the exposure gain that every colour measurement removes first
(:func:`normalised_linear`)."""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from parts_library import frame

from ..records import FaceRecord
from .context import _Ctx, _luma, _poly, linear_to_srgb, srgb_to_linear

# typical chromaticities (linear RGB, normalised to G = 1) under neutral light, and typical linear luminances:
# measured on the development photos after a manual white balance; they only set where "neutral" is.
_TYPICAL_SCENE = np.array([1.37, 1.0, 0.90])
_TYPICAL_SCLERA = np.array([1.40, 1.0, 0.90])
_TYPICAL_TEETH = np.array([1.28, 1.0, 0.80])
_TYPICAL_Y = {"sclera": 0.27, "teeth": 0.49, "mean": 0.18, "high": 0.44}
_REF_WEIGHTS = {"grey": 1.0, "sclera": 1.5, "teeth": 1.0}  # weights of the illuminant's references
_GREY_AGREE = 0.25  # log-chromaticity distance between the scene's grey-world and the face's white references

#                             at which the grey-world's weight halves
_EXPOSURE_SKIPS: tuple[str, ...] = ()  # segmenter classes left out of the exposure estimate (skin, hair, clothes:

#                                        no net change on the labelled photos, docs/eval_labels.md; off)
_CAST_STRENGTH = 1.0  # grey-world and the white references are linear statistics: a cast cancels exactly
_EXPOSURE_STRENGTH = 1.0
# per-channel gain limits: an uncorrected 3200 K stage light (R/B ≈ 5) needs about 0.4 and 2.3; the old (0.5, 2.0)
# stopped short and black hair read brown under it (hair family kept under the ``stage`` relighting of the 105
# labelled photos with hair: 72 -> 83 %). The labelled photos as taken need 0.64–1.59
_CAST_LIMIT = (1 / 3, 3.0)
# the veil: a flat light over the whole photo (haze, lens flare, a washed-out scan) lifts its blacks — black hair read
# grey under the ``haze`` relighting (0.7·x + 0.15) in 46 of 48 labelled photos. The 0.5th percentile of the photo's
# darkest channel per pixel (linear) above this level is taken as a grey veil and subtracted before anything else. On
# the 111 labelled photos as taken it is 0.0006 (median) … 0.019 (max), so they are left as they were. Per channel it
# would be wrong: a tight crop of a face has no black, and its darkest red (shadowed skin) is no veil — taking it as
# one drew a soul patch on a clean-shaven LFW face
_VEIL_PERCENTILE = 0.5
_VEIL_FREE = 0.02
_BACKDROP_LEVEL = 0.3  # a backdrop pixel is at least this bright relative to the photo's 99th percentile ...
_BACKDROP_NEUTRAL = 1.3  # ... and its brightest channel at most this many times its darkest (linear)


def estimate_veil(lin: np.ndarray) -> np.ndarray:
    """The veil of a linear-RGB image (any shape ending in 3), the same in every channel: how far its darkest pixels
    (the :data:`_VEIL_PERCENTILE` th percentile of each pixel's darkest channel) sit above :data:`_VEIL_FREE`. Zero for
    a photo whose blacks are black."""
    flat = np.asarray(lin).reshape(-1, 3)
    # channel by channel: a min over an axis of 3 is numpy's slow path (the same values, a sixth of the time)
    darkest = np.minimum(np.minimum(flat[:, 0], flat[:, 1]), flat[:, 2]).astype(np.float64)
    low = float(np.percentile(darkest, _VEIL_PERCENTILE))
    return np.full(3, max(low - _VEIL_FREE, 0.0), np.float32)


def normalised_linear(srgb: np.ndarray, illum: dict[str, Any]) -> np.ndarray:
    """sRGB pixels (uint8, any shape ending in 3) → linear RGB with the photo's light removed: the veil subtracted,
    then the cast's gains and the exposure applied. What every colour measurement reads."""
    return _remove_light(srgb_to_linear(srgb), illum)


def _remove_light(lin: np.ndarray, illum: dict[str, Any]) -> np.ndarray:
    return _unveil(lin, illum.get("veil")) * (illum["gains"] * illum["exposure"])


def _unveil(lin: np.ndarray, veil: np.ndarray | None) -> np.ndarray:
    """Linear RGB with the veil subtracted (``lin`` itself when there is none)."""
    return np.maximum(lin - veil, 0.0) if veil is not None and np.any(veil) else lin


def _white_refs(ctx: _Ctx, veil: np.ndarray) -> dict[str, np.ndarray]:
    """Mean linear RGB (veil removed) of the brightest sclera pixels and (mouth open) of the teeth, on the 512
    chip."""
    refs: dict[str, np.ndarray] = {}
    chip = ctx.chip
    k = ctx.chip_scale
    shape = chip.shape[:2]
    lm = ctx.lmc * k
    eyes = _poly(shape, lm[36:42]) | _poly(shape, lm[42:48])
    if eyes.sum() >= 30:
        px = srgb_to_linear(chip[eyes])
        px = _unveil(px[px.max(axis=1) < 0.95], veil)  # clipped pixels have lost their colour
        if len(px) >= 20:
            y = _luma(px)
            sel = px[y >= np.percentile(y, 88)]
            if len(sel) >= 3:
                refs["sclera"] = sel.mean(axis=0)
    mouth = _poly(shape, lm[60:68])
    iod_px = frame.IOD * k
    if mouth.sum() >= 0.06 * iod_px ** 2:
        px = srgb_to_linear(chip[mouth])
        clipped = px.max(axis=1) >= 0.95
        px = _unveil(px, veil)
        y_all = _luma(px)
        px = px[~clipped]
        if len(px) >= 20:
            y = _luma(px)
            bright = px[y >= np.percentile(y, 70)]
            # teeth are bright and nearly neutral; a dark open mouth (no teeth showing) is not a reference
            if len(bright) >= 10 and _luma(bright).mean() > 1.6 * np.median(y_all):
                refs["teeth"] = bright.mean(axis=0)
    return refs


def estimate_illumination(image: np.ndarray, ctx: _Ctx, seg=None) -> dict[str, Any]:
    """Per-channel gains (linear RGB) that remove the colour cast and part of the exposure error. ``seg``: a
    :class:`~assembler.segment.Segmentation` of the face; its person pixels (see :data:`_EXPOSURE_SKIPS`) are left
    out of the exposure estimate."""
    h, w = image.shape[:2]
    step = max(1, int(np.sqrt(h * w / 60000)))
    grid = srgb_to_linear(image[::step, ::step])
    veil = estimate_veil(grid)
    grid = _unveil(grid, veil)
    everything = grid.reshape(-1, 3)
    y_all = _luma(everything)
    y_exposure = y_all
    if seg is not None and _EXPOSURE_SKIPS:
        to_grid = np.array([[1.0 / step, 0, 0.5 / step - 0.5], [0, 1.0 / step, 0.5 / step - 0.5]])
        gh, gw = grid.shape[:2]
        person = np.zeros((gh, gw), bool)
        for cls in _EXPOSURE_SKIPS:
            p = seg.in_frame(cls, to_grid, (gw, gh))
            if p is not None:
                person |= p >= 0.5
        if (~person).mean() >= 0.2:
            # a dark-skinned face in a dark suit makes the scene darker than typical without any change of light;
            # counted in, the exposure gain brightened exactly the people it should not
            y_exposure = y_all[~person.ravel()]
    y_mean, y_hi = float(y_all.mean()), float(np.percentile(y_all, 90))
    backdrop = _backdrop(grid).ravel()
    rest = ~backdrop if (~backdrop).sum() >= 0.1 * len(backdrop) else np.ones_like(backdrop)
    # grey-world over every pixel but the backdrop's, clipped ones included: a linear statistic, so a cast or
    # exposure change of the photo moves it exactly as it moves the face (until clipping). A backdrop is neutral by
    # its definition; counted in, it would be weighed against a typical scene's warmer mean and read as a cast.
    grey = everything[rest].mean(axis=0) + 1e-6
    refs = _white_refs(ctx, veil)

    # chromaticity: weighted geometric mean of each reference's deviation from its typical chromaticity
    def chroma_log(v, typical):
        d = np.log(v / v[1] / typical)
        return d - d.mean()

    face_logs, face_w = [], []
    if "sclera" in refs:
        face_logs.append(chroma_log(refs["sclera"], _TYPICAL_SCLERA))
        face_w.append(_REF_WEIGHTS["sclera"])
    if "teeth" in refs:
        face_logs.append(chroma_log(refs["teeth"], _TYPICAL_TEETH))
        face_w.append(_REF_WEIGHTS["teeth"])
    grey_log = chroma_log(grey, _TYPICAL_SCENE)
    w_grey = _REF_WEIGHTS["grey"]
    disagreement = 0.0
    if face_logs:
        # the face's white references are lit by the light that lights the skin; the scene's grey-world also sees a
        # coloured backdrop or a coloured wall (a blue studio backdrop reads as a strong blue "cast"). Where the two
        # disagree, the scene is not grey: its weight falls off with the disagreement.
        face_mean = np.average(np.array(face_logs), axis=0, weights=face_w)
        disagreement = float(np.linalg.norm(grey_log - face_mean))
        w_grey /= 1.0 + (disagreement / _GREY_AGREE) ** 2
    cast = np.exp(np.average(np.array([grey_log] + face_logs), axis=0, weights=[w_grey] + face_w))
    cast /= np.exp(np.log(cast).mean())  # chromatic only: geometric mean 1
    gains = np.clip(cast ** -_CAST_STRENGTH, *_CAST_LIMIT)
    grayscale = bool(np.abs(np.log(grey / grey[1])).max() < 0.01 and _is_grayscale(ctx.rgb))
    if grayscale:
        gains = np.ones(3)  # a black-and-white photo has no cast to remove (and must not be given one)

    # exposure: the photo's mean and bright end (90th percentile) against their typical levels. Face references
    # (sclera, teeth) would be closer to the skin's light but appear and disappear as they clip or the mouth
    # closes, which makes the result jump; the whole photo changes smoothly.
    level = _scene_level(y_exposure)
    exposure = float(np.clip(level ** -_EXPOSURE_STRENGTH, 0.25, 4.0))
    if exposure < 1.0 and backdrop.any():
        # a bright scene is often a bright backdrop (white wall, sky, studio paper) behind a face that the camera
        # exposed for: darken only as much as the rest of the photo asks, and never brighten on that account
        rest_exposure = _scene_level(y_all[rest]) ** -_EXPOSURE_STRENGTH if not rest.all() else 1.0
        exposure = float(np.clip(max(exposure, rest_exposure), 0.25, 1.0))
    return {"gains": gains.astype(np.float32), "exposure": exposure, "veil": veil, "references": sorted(refs),
            "grey_disagreement": disagreement, "grey_weight": float(w_grey),
            "grey_world": grey, "scene_mean": y_mean, "scene_high": y_hi, "level": level,
            "backdrop": float(backdrop.mean()), "grayscale": grayscale}


def _scene_level(y: np.ndarray) -> float:
    """How much brighter than a typical photo these linear luminances are (mean and 90th percentile)."""
    levels = [np.log(max(float(y.mean()), 1e-4) / _TYPICAL_Y["mean"]),
              np.log(max(float(np.percentile(y, 90)), 1e-4) / _TYPICAL_Y["high"])]
    return float(np.exp(np.mean(levels)))


def _backdrop(lin: np.ndarray) -> np.ndarray:
    """Bright, near-neutral regions that touch the photo's border (a backdrop) on a linear-RGB image. Both tests
    are ratios (to the photo's 99th-percentile luminance, between channels), so an exposure change keeps them."""
    y = _luma(lin)
    r, g, b = lin[..., 0], lin[..., 1], lin[..., 2]
    neutral = np.maximum(np.maximum(r, g), b) + 1e-4 <= _BACKDROP_NEUTRAL * (np.minimum(np.minimum(r, g), b) + 1e-4)
    candidate = ((y >= _BACKDROP_LEVEL * np.percentile(y, 99)) & neutral).astype(np.uint8)
    count, labels = cv2.connectedComponents(candidate, connectivity=4)
    touches = np.zeros(count, bool)  # per component: does it touch the border (a lookup, not np.isin's sort)
    for border in (labels[0], labels[-1], labels[:, 0], labels[:, -1]):
        touches[border] = True
    touches[0] = False
    return touches[labels]


def _is_grayscale(rgb: np.ndarray) -> bool:
    x = rgb.astype(np.int16)
    return bool(max(np.abs(x[..., 0] - x[..., 1]).mean(), np.abs(x[..., 1] - x[..., 2]).mean()) < 2.0)


def _normalised_lab(ctx: _Ctx, illum: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    srgb = linear_to_srgb(_remove_light(ctx.lin, illum))
    return cv2.cvtColor(srgb, cv2.COLOR_RGB2Lab), srgb


def normalised(image: np.ndarray, face: FaceRecord, seg=None) -> tuple[_Ctx, dict[str, Any], np.ndarray]:
    """The face's working context, the photo's illumination estimate and the illumination-normalised Lab image
    (working resolution): what every measurement reads."""
    ctx = _Ctx(image, face)
    illum = estimate_illumination(image, ctx, seg)
    lab, _ = _normalised_lab(ctx, illum)
    return ctx, illum, lab
