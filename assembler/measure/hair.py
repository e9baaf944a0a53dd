"""Hair: the colour-model mask, the learned segmenter's head-connected hair, colour naming, length class, volume,
fringe, baldness and curl."""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from ..geometry import apply_affine
from ..records import FaceRecord
from .context import (WORK_SIZE, _Ctx, _IOD, _S, _ellipse, _face_polygon, _head_geometry, _lab_to_hex, _poly, _texture,
                      linear_to_srgb, srgb_to_linear)

_GRAY_BELOW_SKIN = 40.0  # achromatic hair this many L* darker than the skin is named black, not grey
_HAIR_VIVID_C = 18.0  # chroma from which a hair colour is judged by the rules below (not by swatch distance)
_BLONDE_MIN_L, _BLONDE_REL_SKIN = 44.0, 0.55  # blonde: at least this L*, and this fraction of the skin's L*
_RED_C, _RED_C_WARM, _RED_HUE = 30.0, 24.0, 50.0  # red: this chroma, or a lower one at a hue this close to red
_SKIN_LIKE_AB, _SKIN_LIKE_L = 10.0, 20.0  # a hair colour this close to the skin in (a*, b*) and in L* reads as skin
# ash and platinum blonde: a faint but clearly yellow tint (grey and white hair measure at most ~9 of chroma once the
# light's cast is removed; docs/eval_labels: the four blondes named grey had 10-15 at hue 74-83°) on light hair
_ASH_C, _ASH_HUE, _ASH_MIN_L = 10.0, (62.0, 100.0), 45.0
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
    if _ASH_C <= chroma < _HAIR_VIVID_C and _ASH_HUE[0] <= hue <= _ASH_HUE[1] and lab[0] >= _ASH_MIN_L:
        return {"blonde"}  # ash / platinum: too little chroma for the rules above, too yellow for grey
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
