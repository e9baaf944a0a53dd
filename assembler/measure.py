"""Measurements from pixels + landmarks: skin colour, hair (mask, colour, shape), facial hair, glasses, geometry.

Everything is measured on the aligned canonical chip (:attr:`FaceRecord.chip`, the 1024² frame of
:mod:`parts_library.frame` at 512 px) resampled to a 256 px working copy, so the cost per face does not depend on
the photo's size. Regions come from the 68 landmarks in that frame.

Illumination normalisation (before any colour is read):

- *colour cast*: the illuminant's chromaticity is estimated from grey-world over the whole photo and from the
  white references on the face — the brightest unclipped sclera pixels and the teeth when the mouth is open — each
  compared with its typical chromaticity on ordinary photos; per-channel gains divide it out (in linear RGB).
  All three are linear statistics of the photo, so a per-channel cast cancels exactly;
- *exposure*: the photo's mean and 90th-percentile luminance against their typical levels set the exposure gain.
  A bright, near-neutral backdrop touching the border (white wall, studio paper, sky) is not taken as a sign of
  over-exposure: a bright photo is darkened only as far as the rest of it asks.

The Monk tone treats the remaining exposure error as a nuisance (see :func:`monk_from_lab`): chromaticity decides
more than lightness, because lightness is what lighting changes most.

Skin: CIELAB statistics over cheek, forehead and nose patches, without specular highlights, shadows, beard or hair
(robust per-patch and pooled outlier rejection; under side light the cheek in shadow is left out) → Monk tone
(nearest swatch in Lab after a fixed photo→swatch calibration) and ITA°. Hair: GrabCut seeded above the forehead
and around the skull, face and neck as background → a mask in the canonical frame, its colour (robust mode in Lab →
hair palette; low chroma → black/gray/white family only), silhouette descriptor, length, volume, fringe, baldness,
curl. Facial hair: darkness, texture and chroma of the moustache / chin / jaw regions relative to cheek skin.
Glasses: edge energy of the bridge and the rims around the eyes relative to the skin's own texture.

The returned dict holds plain numbers (JSON-friendly) plus private ``_``-prefixed entries (masks, patches) that
:meth:`FaceRecord.to_dict` drops.
"""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from parts_library import frame
from parts_library.descriptors import (facial_hair_descriptor, glasses_descriptor, hair_descriptor,
                                       landmark_descriptors)

from .geometry import apply_affine, warp_to_canonical
from .records import FaceRecord

__all__ = ["measure_face", "learned_hair", "WORK_SIZE", "monk_from_lab", "ita_degrees", "hair_color_name", "hair_family_probs",
           "linear_to_srgb", "srgb_to_linear"]

WORK_SIZE = 256  # working resolution of the canonical frame
_S = WORK_SIZE / frame.SIZE  # working pixels per canonical unit
_IOD = frame.IOD * _S  # inter-ocular distance in working pixels

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
_CAST_LIMIT = (0.5, 2.0)
_BACKDROP_LEVEL = 0.3  # a backdrop pixel is at least this bright relative to the photo's 99th percentile ...
_BACKDROP_NEUTRAL = 1.3  # ... and its brightest channel at most this many times its darkest (linear)

_SRGB_TO_LIN = np.where(np.arange(256) / 255.0 <= 0.04045, np.arange(256) / 255.0 / 12.92,
                        ((np.arange(256) / 255.0 + 0.055) / 1.055) ** 2.4).astype(np.float32)


def srgb_to_linear(rgb_u8: np.ndarray) -> np.ndarray:
    return _SRGB_TO_LIN[np.asarray(rgb_u8, dtype=np.uint8)]


_LIN_LUT_N = 16384
_LIN_TO_SRGB = (lambda c: np.where(c <= 0.0031308, 12.92 * c, 1.055 * np.power(c, 1 / 2.4) - 0.055))(
    np.linspace(0.0, 1.0, _LIN_LUT_N)).astype(np.float32)


def linear_to_srgb(lin: np.ndarray) -> np.ndarray:
    """Linear RGB (float, clipped to 0..1) → sRGB float 0..1 (table lookup, 14-bit)."""
    idx = (np.clip(lin, 0.0, 1.0) * (_LIN_LUT_N - 1) + 0.5).astype(np.int32)
    return _LIN_TO_SRGB[idx]


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


# ---------------------------------------------------------------------------------------------------------------
# context


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


# ---------------------------------------------------------------------------------------------------------------
# illumination


def _white_refs(ctx: _Ctx) -> dict[str, np.ndarray]:
    """Mean linear RGB of the brightest sclera pixels and (mouth open) of the teeth, on the 512 chip."""
    refs: dict[str, np.ndarray] = {}
    chip = ctx.chip
    k = ctx.chip_scale
    shape = chip.shape[:2]
    lm = ctx.lmc * k
    eyes = _poly(shape, lm[36:42]) | _poly(shape, lm[42:48])
    if eyes.sum() >= 30:
        px = srgb_to_linear(chip[eyes])
        px = px[px.max(axis=1) < 0.95]  # clipped pixels have lost their colour
        if len(px) >= 20:
            y = _luma(px)
            sel = px[y >= np.percentile(y, 88)]
            if len(sel) >= 3:
                refs["sclera"] = sel.mean(axis=0)
    mouth = _poly(shape, lm[60:68])
    iod_px = frame.IOD * k
    if mouth.sum() >= 0.06 * iod_px ** 2:
        px = srgb_to_linear(chip[mouth])
        y_all = _luma(px)
        px = px[px.max(axis=1) < 0.95]
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
    refs = _white_refs(ctx)

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
    return {"gains": gains.astype(np.float32), "exposure": exposure, "references": sorted(refs),
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
    neutral = lin.max(axis=-1) + 1e-4 <= _BACKDROP_NEUTRAL * (lin.min(axis=-1) + 1e-4)
    candidate = ((y >= _BACKDROP_LEVEL * np.percentile(y, 99)) & neutral).astype(np.uint8)
    _, labels = cv2.connectedComponents(candidate, connectivity=4)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    return np.isin(labels, edge[edge > 0])


def _is_grayscale(rgb: np.ndarray) -> bool:
    x = rgb.astype(np.int16)
    return bool(max(np.abs(x[..., 0] - x[..., 1]).mean(), np.abs(x[..., 1] - x[..., 2]).mean()) < 2.0)


def _normalised_lab(ctx: _Ctx, illum: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    lin = ctx.lin * (illum["gains"] * illum["exposure"])
    srgb = linear_to_srgb(lin)
    return cv2.cvtColor(srgb, cv2.COLOR_RGB2Lab), srgb


# ---------------------------------------------------------------------------------------------------------------
# skin

# Monk swatches are how skin looks under even, diffuse light. In photos the lightness of the same skin swings with
# exposure and lighting far more than its chromaticity does (a brown cheek under studio light can read as light as
# a pale one in a dim room), so exposure is treated as a nuisance: each swatch is compared with the skin colour
# scaled by the exposure factor k (0.25..4, linear light) that fits it best, plus a penalty on |log k|. Lightness
# is weighted down against chroma (l:c ≈ 1:3). Constants were chosen on the development photos (see
# docs/attributes_agreement.md) for balanced agreement between light and dark skin.
_MONK_K = np.exp(np.linspace(np.log(0.25), np.log(4.0), 41)).astype(np.float32)
_MONK_K_PENALTY = 3.0  # ΔE per unit |ln k|
_MONK_L_OFFSET = 5.0  # photos of skin read a little darker than the swatches
_W_L = 0.3
_MONK_T = 0.0
_SKIN_CLIP = 240  # sRGB level from which a skin pixel counts as clipped
_SKIN_CLIP_KEEP = 0.15  # ... and is dropped while this fraction of its patch remains
_GRAY_BELOW_SKIN = 40.0  # achromatic hair this many L* darker than the skin is named black, not grey
_HAIR_VIVID_C = 18.0  # chroma from which a hair colour is judged by the rules below (not by swatch distance)
_BLONDE_MIN_L, _BLONDE_REL_SKIN = 44.0, 0.55  # blonde: at least this L*, and this fraction of the skin's L*
_RED_C, _RED_C_WARM, _RED_HUE = 30.0, 24.0, 50.0  # red: this chroma, or a lower one at a hue this close to red
_SKIN_LIKE_AB, _SKIN_LIKE_L = 10.0, 20.0  # a hair colour this close to the skin in (a*, b*) and in L* reads as skin
_HAIR_REFIT = 1  # re-fits of the hair colour model on the hair found from the seed
_SEED_DROP = 0.8  # IOD above the brows that hair grown from the seed must reach down to (else the seed is lowered)
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
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4).astype(np.float32)
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
    unclipped = ctx.rgb.max(axis=-1) < _SKIN_CLIP
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


def _scale_lab(lab, k: float) -> np.ndarray:
    """A Lab colour with its linear-light intensity multiplied by ``k``."""
    px = np.asarray(lab, dtype=np.float32).reshape(1, 1, 3)
    rgb = np.clip(cv2.cvtColor(px, cv2.COLOR_Lab2RGB)[0, 0], 0, 1)
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4) * k
    return cv2.cvtColor(linear_to_srgb(lin).reshape(1, 1, 3).astype(np.float32), cv2.COLOR_RGB2Lab)[0, 0]


def _lab_to_hex(lab) -> str:
    from parts_library.palettes import rgb_to_hex

    px = np.asarray(lab, dtype=np.float32).reshape(1, 1, 3)
    rgb = cv2.cvtColor(px, cv2.COLOR_Lab2RGB)[0, 0]
    return rgb_to_hex(np.clip(rgb, 0, 1) * 255)


# ---------------------------------------------------------------------------------------------------------------
# hair


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

    skull = _ellipse(shape, (cx, cy), (ax, ay))
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
            d_ab = np.linalg.norm(small_lab[..., 1:] - r[1:], axis=-1)
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
        bglike |= np.linalg.norm(small_lab - o, axis=-1) < 10
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
    d_hair = np.sqrt((((small_lab - hmu) / hsd) ** 2).sum(axis=-1))
    if not others:
        return d_hair < 4.0
    cen = np.asarray(others, np.float32)
    d_other = np.sqrt((((small_lab[:, :, None, :] - cen) / hsd.astype(np.float32)) ** 2).sum(axis=-1)).min(axis=-1)
    return (d_hair < 4.0) & (d_hair < d_other)


def _hair_distance(ref: np.ndarray, lab: np.ndarray) -> float:
    """Distance between hair colours in LCh: hue counts most (red vs brown hair differ mainly in hue), lightness and
    chroma less (they swing with lighting and shine)."""
    c1, c2 = float(np.hypot(ref[1], ref[2])), float(np.hypot(lab[1], lab[2]))
    dh = np.arctan2(ref[2], ref[1]) - np.arctan2(lab[2], lab[1])
    d_hue = 2.0 * np.sqrt(c1 * c2) * abs(np.sin(dh / 2.0))
    return float(np.sqrt((0.6 * (ref[0] - lab[0])) ** 2 + (0.4 * (c1 - c2)) ** 2 + (2.2 * d_hue) ** 2))


def _hair_families(lab: np.ndarray, grayscale: bool, skin_l: float | None = None,
                   skin_lab: np.ndarray | None = None) -> set[str]:
    """Families a measured hair colour may be named from: the chromatic ones, or the achromatic ones when the photo is
    grayscale or the colour has too little chroma to carry a hue. Vivid names need vivid chroma; a weakly tinted
    colour whose hue no natural hair has (bluish/greenish) is treated as achromatic (a cast on dark hair).

    ``skin_l``: the face's L* in the same normalised photo. Grey and white hair read at most ~15 L* darker than the
    skin on the development photos (Carell), usually lighter; an achromatic colour far darker than the skin is dark
    hair whose shine or a bright exposure lifted it into the grey range, not grey hair."""
    chroma = float(np.hypot(lab[1], lab[2]))
    hue = float(np.degrees(np.arctan2(lab[2], lab[1]))) % 360
    greys = set() if skin_l is not None and lab[0] < skin_l - _GRAY_BELOW_SKIN else {"gray", "white"}
    if grayscale or chroma < 7.0 or (chroma < 18.0 and not 5.0 <= hue <= 110.0):
        return {"black"} | greys
    skin_like = False
    if skin_lab is not None:
        sk = np.asarray(skin_lab, np.float64)
        skin_like = bool(np.linalg.norm(sk[1:] - lab[1:]) < _SKIN_LIKE_AB and abs(sk[0] - lab[0]) < _SKIN_LIKE_L)
    if skin_like:
        # a "hair" colour with the face's chromaticity and nearly its lightness is mostly skin (a bald crown, a high
        # forehead under a thin fringe): never named red, blonde or vivid on that evidence
        return {"black", "brown"} | greys
    if skin_l is not None and chroma >= _HAIR_VIVID_C and 5.0 <= hue <= 110.0:
        # clearly chromatic natural hair, judged against the face as a viewer does (both in the same normalised
        # photo, so exposure cancels): strongly saturated and reddish is red; light against the skin is blonde.
        # Swatch distances alone named studio-lit blonde hair light brown and red hair brown (docs/eval_labels.md).
        if (chroma >= _RED_C and hue <= _RED_HUE + 10.0) or (chroma >= _RED_C_WARM and hue <= _RED_HUE):
            return {"red"}
        if lab[0] >= _BLONDE_MIN_L and lab[0] >= _BLONDE_REL_SKIN * skin_l:
            return {"blonde"}
    if chroma >= 15.0 and lab[0] >= 20.0 and 5.0 <= hue <= 45.0:
        return {"red", "blonde"}  # a clearly reddish hue: auburn / red / strawberry blonde, even when dark
    if chroma < 18.0:
        return {"black", "brown", "red", "blonde"} | greys
    # clearly chromatic: never grey or white (their swatches have almost no hue, so a hue-weighted distance would
    # otherwise find them close to any colour — ash-blonde hair was named grey)
    return {"black", "brown", "red", "blonde", "vivid"}


def hair_color_name(lab, *, grayscale: bool = False, skin_l: float | None = None,
                    skin_lab=None) -> tuple[str, str, float]:
    """Palette name, family and a confidence for a measured (normalised) hair colour in Lab. Low-chroma colours
    choose among the black / gray / white family only; vivid colours stay vivid (``skin_l``: see
    :func:`_hair_families`)."""
    from parts_library.palettes import PALETTES, hex_to_rgb, srgb_to_lab

    lab = np.asarray(lab, dtype=np.float64)
    allowed = _hair_families(lab, grayscale, skin_l, skin_lab)
    best, best_d, second = None, np.inf, np.inf
    for sw in PALETTES["hair"].values():
        if sw.family not in allowed:
            continue
        d = _hair_distance(srgb_to_lab(hex_to_rgb(sw.hex)), lab)
        if d < best_d:
            best, best_d, second = sw, d, best_d
        elif d < second:
            second = d
    conf = float(np.clip((second - best_d) / 10.0 + 0.5, 0.1, 1.0) * np.clip(1.3 - best_d / 40.0, 0.2, 1.0))
    return best.name, best.family, conf


def hair_family_probs(lab, *, grayscale: bool = False, temperature: float = 6.0,
                      skin_l: float | None = None, skin_lab=None) -> dict[str, float]:
    """Soft assignment of a hair colour to the palette's families (black, brown, red, blonde, gray, white, vivid),
    from the same distances as :func:`hair_color_name` (softmin over swatches, summed per family)."""
    from parts_library.palettes import PALETTES, hex_to_rgb, srgb_to_lab

    lab = np.asarray(lab, dtype=np.float64)
    allowed = _hair_families(lab, grayscale, skin_l, skin_lab)
    fams, ds = [], []
    for sw in PALETTES["hair"].values():
        if sw.family not in allowed:
            continue
        ds.append(_hair_distance(srgb_to_lab(hex_to_rgb(sw.hex)), lab))
        fams.append(sw.family)
    w = np.exp(-(np.array(ds) - min(ds)) / temperature)
    w /= w.sum()
    out: dict[str, float] = {}
    for f, v in zip(fams, w):
        out[f] = out.get(f, 0.0) + float(v)
    return out


def _robust_mode(px: np.ndarray) -> np.ndarray:
    """Mode of Lab pixels: the densest (a, b) bin of the mid-lightness pixels, then their median."""
    L = px[:, 0]
    lo, hi = np.percentile(L, [15, 92])
    mid = px[(L >= lo) & (L <= hi)]
    if len(mid) < 10:
        mid = px
    ab = mid[:, 1:]
    hist, ea, eb = np.histogram2d(ab[:, 0], ab[:, 1], bins=24,
                                  range=[[-90, 90], [-90, 90]])
    hist = cv2.GaussianBlur(hist.astype(np.float32), (5, 5), 1.0)
    i, j = np.unravel_index(int(np.argmax(hist)), hist.shape)
    ca, cb = (ea[i] + ea[i + 1]) / 2, (eb[j] + eb[j + 1]) / 2
    near = mid[np.hypot(ab[:, 0] - ca, ab[:, 1] - cb) < 15]
    if len(near) < 0.2 * len(mid):
        near = mid
    return np.median(near, axis=0)


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
    fringe = float(mask[band].mean()) if band.any() else 0.0
    # hairline: lowest hair row above the brows in the central column (IOD above the brow line)
    col = mask[:, int(fx0):int(fx1) + 1].mean(axis=1)
    above = np.flatnonzero(col[: int(brow_y)] > 0.4)
    hairline = (brow_y - above.max()) / _IOD if above.size else None
    # skin visible on the crown: pixels there close to the face's skin colour
    if skin.get("lab") is not None and crown.any():
        d = np.linalg.norm(lab - skin["lab"], axis=-1)
        crown_skin = float(((d < 14) & ~mask)[crown].mean())
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
    if use_learned:
        out.update(length_source="learned", length_below_chin_iod=learned.get("below_chin_iod"),
                   length_lower_bound=bool(learned.get("lower_bound")), shoulder_iod=learned.get("shoulder_iod"))
    out["segmenter"] = None if learned is None else learned.get("backend")
    out["learned_plausible"] = None if learned is None else bool(learned.get("plausible"))
    out.update(length=length, length_iod=float(length_iod), volume=float(np.clip(volume * 1.6, 0, 1)),
               fringe=float(np.clip((fringe - 0.15) / 0.5, 0, 1)), fringe_coverage=fringe,
               hairline_iod=hairline, crown_skin=crown_skin, crown_seen=crown_seen, bald=bald, receding=receding,
               curl=_curl(ctx, core), crown_texture=crown_texture)
    return out


# hair from a learned segmenter: in the segmenter's own crop (photo-aligned, so hair hangs straight down in it and
# long hair below the canonical frame's bottom is still seen), then warped into the working frame
_LEARNED_SIZE = 256  # working resolution of the segmenter's crop
_HEAD_KEEP = (1.25, 1.1)  # hair components must reach this enlargement of the skull ellipse, above the mouth
_SHORT_ABOVE_CHIN = 0.8  # IOD: hair ending higher than this above the chin is short (above the ear lobes)
_LONG_BELOW_SHOULDER = 0.2  # IOD: hair reaching this far below the shoulder line is long
# a bare (bald or shaved) crown: the network's hair covers less than this of it, its skin at least this, and the
# crown's fine texture is at most the cheek's (a scalp is as smooth as skin; hair, even thin grey hair, has strands)
_BARE_CROWN_HAIR, _BARE_CROWN_SKIN, _BARE_CROWN_TEXTURE = 0.05, 0.3, 1.0
_SHOULDER = 1.3  # IOD below the chin: the shoulder line beside the neck (anatomical)


def learned_hair(image: np.ndarray, face: FaceRecord, seg, illum: dict[str, Any]) -> dict[str, Any]:
    """Head-connected hair of a :class:`~assembler.segment.Segmentation`: its mask in the working frame, its length
    class against the chin and the shoulders, and its colour from the bright half of the eroded core
    (illumination-normalised Lab). ``plausible`` is False when there is no hair above the forehead or most of the
    hair is far from the head (the README's failure modes): then the colour model decides."""
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
    out["plausible"] = bool(total >= 0.3 * iod ** 2 and above >= 0.15 and near_frac >= 0.6)
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
        if bottom < chin_y - _SHORT_ABOVE_CHIN * iod:
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
        lin = srgb_to_linear(crop[core]) * (illum["gains"] * illum["exposure"])
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



def _curl(ctx: _Ctx, mask: np.ndarray) -> float | None:
    """0 (straight) .. 1 (curly) from the orientation coherence of the hair texture (structure tensor)."""
    if mask.sum() < 150:
        return None
    g = cv2.cvtColor(ctx.rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    jxx = cv2.GaussianBlur(gx * gx, (0, 0), 2.0)
    jyy = cv2.GaussianBlur(gy * gy, (0, 0), 2.0)
    jxy = cv2.GaussianBlur(gx * gy, (0, 0), 2.0)
    coh = np.sqrt((jxx - jyy) ** 2 + 4 * jxy ** 2) / (jxx + jyy + 1e-3)
    energy = (jxx + jyy)[mask]
    strong = energy > np.percentile(energy, 40)
    c = float(np.median(coh[mask][strong])) if strong.any() else 0.5
    return float(np.clip((0.62 - c) / 0.3, 0, 1))


# ---------------------------------------------------------------------------------------------------------------
# facial hair


def _facial_regions(ctx: _Ctx) -> dict[str, np.ndarray]:
    lm, shape = ctx.lm, ctx.shape
    upper_lip_top = lm[[54, 53, 52, 51, 50, 49, 48]]
    nose_base = lm[31:36].copy()
    moustache = np.vstack([nose_base + [0, 0.05 * _IOD], upper_lip_top - [0, 0.02 * _IOD]])
    lower_lip = lm[[48, 59, 58, 57, 56, 55, 54]] + [0, 0.03 * _IOD]
    chin = np.vstack([lower_lip, lm[[10, 9, 8, 7, 6]] - [0, 0.06 * _IOD]])
    jl = np.vstack([lm[3:7], lm[[48]] - [0.08 * _IOD, 0], (lm[31] + lm[3]) / 2 + [0, 0.1 * _IOD]])
    jr = np.vstack([lm[13:9:-1], lm[[54]] + [0.08 * _IOD, 0], (lm[35] + lm[13]) / 2 + [0, 0.1 * _IOD]])
    regions = {"moustache": _poly(shape, moustache), "chin": _poly(shape, chin),
               "jaw": _poly(shape, jl) | _poly(shape, jr)}
    mouth = _poly(shape, lm[48:60])
    return {k: v & ctx.valid & ~mouth for k, v in regions.items()}


def _texture(L: np.ndarray) -> np.ndarray:
    """Local high-frequency energy of lightness (hair strands, stubble)."""
    blur = cv2.GaussianBlur(L, (0, 0), 1.2)
    return np.abs(L - blur)


def _sig(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x)))


_LIGHT_BEARD_L, _LIGHT_BEARD_C = 0.05, 0.35  # grey beard: at least this much lighter, and this much less chromatic


_GATE_FROM, _GATE_SPAN = 0.1, 0.3  # colour difference from the skin (|relative darkness| + chroma drop) ramp


def _colour_gate(f: dict[str, float]) -> float:
    """0..1: how far a region's colour differs from the cheek skin (in either lightness direction or by losing
    chroma, as hair of any colour does); scales the weight of its texture evidence."""
    diff = abs(f["dark"]) + max(f["chroma_drop"], 0.0)
    return float(np.clip((diff - _GATE_FROM) / _GATE_SPAN, 0.0, 1.0))


def measure_facial_hair(ctx: _Ctx, lab: np.ndarray, skin: dict[str, Any],
                        head_hair: np.ndarray | None = None) -> dict[str, Any]:
    """Stubble / moustache / beard / goatee from the lower face's darkness and texture against the cheek skin.
    ``head_hair``: head hair that a learned segmenter found hanging over the face's edges (working frame); those
    pixels are left out of the jaw and chin regions (long hair beside the jaw was read as a chinstrap)."""
    regions = _facial_regions(ctx)
    if head_hair is not None:
        for name, m in regions.items():
            kept = m & ~head_hair
            if kept.sum() >= max(8, 0.4 * m.sum()):
                regions[name] = kept
    out: dict[str, Any] = {"_regions": regions}
    ref_mask = skin.get("_mask")
    if skin.get("lab") is None or ref_mask is None or ref_mask.sum() < 10:
        out.update(stubble=None, moustache=None, beard=None, goatee=None, features={})
        return out
    L = lab[..., 0]
    tex = _texture(L)
    ref_L = float(skin["lab"][0])
    ref_C = float(np.hypot(*skin["lab"][1:]))
    ref_tex = float(np.median(tex[ref_mask])) + 0.4
    feats = {}
    for name, m in regions.items():
        if m.sum() < 8:
            feats[name] = None
            continue
        px = lab[m]
        dark = (ref_L - float(np.median(px[:, 0]))) / max(ref_L, 15.0)
        # fraction of the region clearly darker than the skin (hair pixels), robust to partial shadow
        frac = float((px[:, 0] < ref_L - max(8.0, 0.15 * ref_L)).mean())
        t = float(np.median(tex[m])) / ref_tex
        dc = (ref_C - float(np.median(np.hypot(px[:, 1], px[:, 2])))) / max(ref_C, 5.0)
        feats[name] = {"dark": dark, "dark_fraction": frac, "texture": t, "chroma_drop": dc}

    def score(f, dark0, tex0, tex_w):
        if f is None:
            return None
        # texture alone is not hair: smile creases, the lip line and teeth in an open smile are textured too. Hair
        # of any colour also differs from the skin in lightness or chroma, so texture counts only with that evidence
        tex_w = tex_w * _colour_gate(f)
        p = _sig(7.0 * (f["dark"] - dark0) + tex_w * (f["texture"] - tex0))
        # grey and white hair on darker skin is lighter than the skin and loses its chroma: against the skin model
        # it is as different as dark hair, in the other direction (a lit chin on light skin keeps its chroma)
        p_light = _sig(7.0 * (-f["dark"] - _LIGHT_BEARD_L) + 6.0 * (f["chroma_drop"] - _LIGHT_BEARD_C)
                       + tex_w * (f["texture"] - tex0))
        return max(p, p_light)

    # thresholds: relative darkness against the lit cheek (shading alone reaches ~0.3-0.4 under the lip and the
    # jaw) plus hair texture, chosen on the development photos (docs/attributes_agreement.md)
    pm = score(feats["moustache"], 0.40, 1.8, 1.2)
    pc = score(feats["chin"], 0.38, 1.3, 1.2)
    pj = score(feats["jaw"], 0.50, 1.3, 1.5)
    beard = None if pj is None else float(min(pj, max(pc or 0, pm or 0) + 0.2))
    goatee = None if pc is None else float(pc * (1 - 0.7 * (pj or 0)))
    stub = None
    present = [feats[k] for k in feats if feats[k] is not None]
    if present:
        mean_tex = float(np.mean([f["texture"] for f in present]))
        gate = float(np.mean([_colour_gate(f) for f in present]))
        stub = float(_sig(2.5 * gate * (mean_tex - 1.6) - 2.5 * (1 - gate)) * (1 - max(beard or 0, pm or 0)))
    out.update(moustache=pm, goatee=goatee, beard=beard, stubble=stub, features=feats)
    return out


# ---------------------------------------------------------------------------------------------------------------
# eye colour

_IRIS_R = 0.22  # iris radius as a fraction of the eye opening's width
_IRIS_BAND = (35, 90)  # percentiles of lightness inside the iris disc kept as iris (below: pupil, lashes, lid
# shadow; above: the catch light)
_EYE_MIN_PX = 14.0  # photo pixels across one eye below which its colour is not read
_EYE_COLOR_SURE = 0.5  # confidence from which the measured eye colour is used ...
# ... and only when it is not brown: a shadowed or small iris reads dark, so the brown shades stay the skin tone's
# default (no labels of eye colour exist yet to check finer names against)
_EYE_COLORS_USED = frozenset({"blue", "light_blue", "gray", "green"})
_BLUE_B, _GREEN_A = -1.0, -2.0  # b* below which an iris is blue/grey; a* below which a warm iris is green


def measure_eye_color(ctx: _Ctx, illum: dict[str, Any]) -> dict[str, Any]:
    """Iris colour from the middle band of lightness inside both eye openings (512 chip, illumination-normalised
    Lab), named in the eye palette: blue / grey only for a clearly cool iris, green for a clearly green one, else
    the brown family by lightness. Brown is the default and most eyes are brown: a small, dark, grey-scale or
    glasses-covered eye keeps a low confidence and the search then uses the tone's default."""
    k = ctx.chip_scale
    lm = ctx.lmc * k
    shape = ctx.chip.shape[:2]
    widths = [float(np.linalg.norm(lm[39] - lm[36])), float(np.linalg.norm(lm[45] - lm[42]))]
    # the iris: a disc in the middle of each eye opening (the corners are sclera), clipped by the lids
    eyes = ((_poly(shape, lm[36:42]) & _disc(shape, lm[36:42].mean(axis=0), _IRIS_R * widths[0]))
            | (_poly(shape, lm[42:48]) & _disc(shape, lm[42:48].mean(axis=0), _IRIS_R * widths[1])))
    eye_px = float(np.mean(widths)) / k
    photo_px = eye_px * ctx.face_px / frame.IOD  # eye width in the photo's own pixels
    out: dict[str, Any] = {"color": None, "lab": None, "confidence": 0.0, "eye_px": photo_px}
    if eyes.sum() < 20:
        return out
    lin = srgb_to_linear(ctx.chip[eyes]) * (illum["gains"] * illum["exposure"])
    lab = cv2.cvtColor(linear_to_srgb(lin).reshape(-1, 1, 3).astype(np.float32), cv2.COLOR_RGB2Lab)[:, 0]
    lo, hi = np.percentile(lab[:, 0], _IRIS_BAND)
    iris = lab[(lab[:, 0] >= lo) & (lab[:, 0] <= hi)]
    if len(iris) < 10:
        return out
    L, a, b = (float(v) for v in np.median(iris, axis=0))
    if b < _BLUE_B:
        name = "gray" if np.hypot(a, b) < 4.0 else ("light_blue" if L > 55 else "blue")
    elif a < _GREEN_A:
        name = "green"
    elif L > 48 and b > 12:
        name = "hazel"
    else:
        name = "dark_brown" if L < 32 else "brown"
    conf = float(np.clip((photo_px - _EYE_MIN_PX) / 16.0, 0.0, 1.0) * np.clip(len(iris) / 60.0, 0.2, 1.0))
    if illum.get("grayscale"):
        conf = 0.0  # a black-and-white photo shows no iris colour
    out.update(color=name, lab=np.array([L, a, b], np.float32), confidence=conf)
    return out


# ---------------------------------------------------------------------------------------------------------------
# glasses


def measure_glasses(ctx: _Ctx, skin: dict[str, Any]) -> dict[str, Any]:
    """Edge energy of the bridge between the eyes and of the rims below / beside them, on the 512 chip."""
    k = ctx.chip_scale
    lm = ctx.lmc * k
    iod = frame.IOD * k
    g = cv2.cvtColor(ctx.chip, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gx = np.abs(cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3))
    gy = np.abs(cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3))
    eye_y = float(lm[36:48, 1].mean())
    h, w = g.shape

    def box(x0, x1, y0, y1):
        x0, x1 = int(np.clip(round(x0), 0, w - 1)), int(np.clip(round(x1), 1, w))
        y0, y1 = int(np.clip(round(y0), 0, h - 1)), int(np.clip(round(y1), 1, h))
        return slice(y0, max(y1, y0 + 1)), slice(x0, max(x1, x0 + 1))

    # skin texture reference: the cheeks (beside the nose, below the rims)
    cl = lm[[2, 3, 31, 40, 41]].mean(axis=0)
    cr = lm[[13, 14, 35, 46, 47]].mean(axis=0)
    refs = []
    for c in (cl, cr):
        sl = box(c[0] - 0.12 * iod, c[0] + 0.12 * iod, c[1] - 0.05 * iod, c[1] + 0.15 * iod)
        refs.append(np.median(np.hypot(gx[sl], gy[sl])))
    noise = float(np.mean(refs)) + 4.0
    # bridge: between the inner eye corners, around the eye line — a bar gives a row of strong vertical gradient
    xm = float((lm[39, 0] + lm[42, 0]) / 2)
    half = 0.25 * float(lm[42, 0] - lm[39, 0])
    sl = box(xm - half, xm + half, eye_y - 0.3 * iod, eye_y + 0.12 * iod)
    bridge = float(gy[sl].mean(axis=1).max()) / noise
    # lower rims: below each eye, horizontal edges spanning the eye's width
    rims = []
    for a, b in ((36, 39), (42, 45)):
        x0, x1 = lm[a, 0], lm[b, 0]
        ey = float(lm[a:b + 3, 1].max())
        sl = box(x0, x1, ey + 0.12 * iod, ey + 0.45 * iod)
        rims.append(float(np.percentile(gy[sl].mean(axis=1), 90)) / noise)
    # outer rims: beside each eye, vertical edges
    sides = []
    for o, sgn in ((36, -1), (45, 1)):
        x = lm[o, 0]
        xs = sorted([x + sgn * 0.08 * iod, x + sgn * 0.35 * iod])
        sl = box(xs[0], xs[1], eye_y - 0.3 * iod, eye_y + 0.25 * iod)
        sides.append(float(np.percentile(gx[sl].mean(axis=0), 90)) / noise)
    rim = float(np.mean(rims))
    side = float(np.mean(sides))
    p = _sig(1.5 * (bridge - 3.6) + 1.2 * (rim - 3.0))
    return {"probability": p, "bridge": bridge, "rim": rim, "side": side, "noise": noise}


def glasses_mask(ctx: _Ctx, size: int = 128) -> np.ndarray:
    """Strong edges in the eye band (canonical frame, ``size`` px) — the photo-side input of glasses_descriptor."""
    g = cv2.cvtColor(ctx.rgb, cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(g, 40, 100) > 0
    band = np.zeros(ctx.shape, bool)
    eye_y = ctx.lm[36:48, 1].mean()
    x0, x1 = ctx.lm[0, 0], ctx.lm[16, 0]
    band[int(eye_y - 0.45 * _IOD):int(eye_y + 0.5 * _IOD), int(x0):int(x1)] = True
    eyes = _poly(ctx.shape, ctx.lm[36:42]) | _poly(ctx.shape, ctx.lm[42:48])
    eyes = cv2.dilate(eyes.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    brows = np.zeros(ctx.shape, np.uint8)
    for a, b in ((17, 22), (22, 27)):
        cv2.polylines(brows, [np.round(ctx.lm[a:b]).astype(np.int32)], False, 1, thickness=int(0.14 * _IOD))
    m = edges & band & ~eyes & ~brows.astype(bool)
    return cv2.resize(m.astype(np.float32), (size, size), interpolation=cv2.INTER_AREA)


# ---------------------------------------------------------------------------------------------------------------
# geometry extras


def brow_thickness(ctx: _Ctx, lab: np.ndarray, skin: dict[str, Any]) -> float | None:
    """Mean brow thickness (IOD units): run length of brow-dark pixels across the brow landmarks."""
    if skin.get("lab") is None:
        return None
    L = lab[..., 0]
    thr = float(skin["lab"][0]) - max(8.0, 0.18 * float(skin["lab"][0]))
    runs = []
    for i in (18, 19, 20, 23, 24, 25):
        x, y = ctx.lm[i]
        xi = int(round(x))
        if not 0 <= xi < WORK_SIZE:
            continue
        y0, y1 = int(max(0, y - 0.2 * _IOD)), int(min(WORK_SIZE, y + 0.2 * _IOD))
        col = L[y0:y1, max(0, xi - 1):xi + 2].mean(axis=1)
        runs.append(float((col < thr).sum()))
    if not runs:
        return None
    return float(np.clip(np.median(runs) / _IOD, 0.02, 0.2))


# ---------------------------------------------------------------------------------------------------------------


def _normalised(image: np.ndarray, face: FaceRecord, seg=None) -> tuple[_Ctx, dict[str, Any], np.ndarray]:
    """The face's working context, the photo's illumination estimate and the illumination-normalised Lab image
    (working resolution): what every measurement reads."""
    ctx = _Ctx(image, face)
    illum = estimate_illumination(image, ctx, seg)
    lab, _ = _normalised_lab(ctx, illum)
    return ctx, illum, lab


DEFAULT_SEGMENTER = "pan-skin-hair"


def measure_face(image: np.ndarray, face: FaceRecord, *, segmenter: Any = DEFAULT_SEGMENTER) -> dict[str, Any]:
    """All measurements of one aligned face. ``image`` is the RGB photo the face was found in.

    ``segmenter``: a :mod:`assembler.segment` backend name or instance whose skin and hair masks the skin and hair
    measurements use (default ``pan-skin-hair``); ``"color-heuristic"`` (or None) measures from the colour models
    alone."""
    seg = None
    if segmenter is not None and segmenter != "color-heuristic":
        from .segment import Segmenter, get_segmenter

        seg_backend = segmenter if isinstance(segmenter, Segmenter) else get_segmenter(segmenter)
        if seg_backend.name != "color-heuristic":
            seg = seg_backend.segment(image, face)
    ctx, illum, lab = _normalised(image, face, seg)
    skin_prob = None
    if seg is not None:
        skin_prob = seg.in_frame("skin", np.asarray(face.align_matrix, np.float64) * _S, WORK_SIZE)
    skin = measure_skin(ctx, lab, illum, skin_prob=skin_prob)
    learned = None if seg is None else learned_hair(image, face, seg, illum)
    if learned is not None and skin_prob is not None:
        learned["_skin_work"] = skin_prob >= 0.5
    hair = measure_hair(ctx, lab, skin, illum, learned=learned)
    if learned is not None:
        hair["_learned_mask"] = learned["_mask_work"]
        hair["learned"] = {k: v for k, v in learned.items() if not k.startswith("_")}
    facial = measure_facial_hair(ctx, lab, skin, head_hair=None if learned is None else learned["_over_face_work"])
    glasses = measure_glasses(ctx, skin)
    eyes = measure_eye_color(ctx, illum)
    thickness = brow_thickness(ctx, lab, skin)

    descriptors = landmark_descriptors(face.landmarks, brow_thickness=thickness)
    u = frame.to_unit(face.landmarks)
    geometry = {
        "mouth_open": float(np.linalg.norm(u[66] - u[62])),  # inner-lip gap, IOD units
        "smile": float(descriptors["mouth"][3]),  # corner lift, IOD units
        "eye_openness": float(descriptors["eyes"][1]),  # eye height / width
    }
    descriptors["hair"] = hair_descriptor(hair["_mask_small"])
    fh_mask = np.zeros(ctx.shape, np.float32)
    for name, key in (("moustache", "moustache"), ("chin", "goatee"), ("jaw", "beard")):
        p = facial.get(key)
        if p is not None and p > 0.5:
            fh_mask[facial["_regions"][name]] = 1.0
    descriptors["facial_hair"] = facial_hair_descriptor(fh_mask)
    gmask = glasses_mask(ctx)
    descriptors["glasses"] = glasses_descriptor(gmask * (glasses["probability"] > 0.5))

    out: dict[str, Any] = {
        "descriptors": descriptors,
        "illumination": {k: v for k, v in illum.items() if k != "grey_world"},
        "brow_thickness": thickness,
        "geometry": geometry,
        "valid_fraction": ctx.valid_fraction,
        "face_px": ctx.face_px,
        "eyes": eyes,
        # the colour the search reads: only an iris seen well enough (else it uses the skin tone's default brown)
        "eye_color": eyes["color"] if eyes["color"] in _EYE_COLORS_USED and eyes["confidence"] >= _EYE_COLOR_SURE
        and glasses["probability"] < 0.5 else None,
    }
    # nested sections hold plain values; their arrays (masks, regions) move to top-level private keys
    for section, values in (("skin", skin), ("hair", hair), ("facial_hair", facial), ("glasses", glasses)):
        out[section] = {k: v for k, v in values.items() if not k.startswith("_")}
        for k, v in values.items():
            if k.startswith("_"):
                out[f"_{section}{k}"] = v
    out["_work_size"] = WORK_SIZE
    return out
