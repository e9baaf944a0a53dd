"""Facial hair: moustache, chin, jaw and stubble from the lower face's darkness, chroma and texture against the
cheek skin."""
from __future__ import annotations

from typing import Any

import numpy as np

from .context import _Ctx, _IOD, _poly, _sig, _texture
from .hair import hair_color_name

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


_LIGHT_BEARD_L, _LIGHT_BEARD_C = 0.05, 0.35  # grey beard: at least this much lighter, and this much less chromatic
_GATE_FROM, _GATE_SPAN = 0.1, 0.3  # colour difference from the skin (|relative darkness| + chroma drop) ramp
# a jaw line darker than the cheek but as chromatic as the skin, with no moustache: the shadow under a lit jaw (a
# woman drawn with a chinstrap, D000594), not a chinstrap beard — beards of any colour lose chroma against the skin
# (jaw chroma drop 0.16-0.9 on every labelled beard without a moustache; warm jaw shadows -0.21..-0.01)
_SHADOW_JAW_CD, _SHADOW_NO_MOUSTACHE, _SHADOW_JAW_WEIGHT = 0.1, 0.3, 0.6


def _colour_gate(f: dict[str, float]) -> float:
    """0..1: how far a region's colour differs from the cheek skin (in either lightness direction or by losing
    chroma, as hair of any colour does); scales the weight of its texture evidence."""
    diff = abs(f["dark"]) + max(f["chroma_drop"], 0.0)
    return float(np.clip((diff - _GATE_FROM) / _GATE_SPAN, 0.0, 1.0))


def measure_facial_hair(ctx: _Ctx, lab: np.ndarray, skin: dict[str, Any],
                        head_hair: np.ndarray | None = None, *, grayscale: bool = False) -> dict[str, Any]:
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
        out.update(stubble=None, moustache=None, beard=None, goatee=None, features={}, color=None, lab=None,
                   color_confidence=0.0)
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
    # jaw) plus hair texture, chosen on the development photos (scored per photo by `memoji eval --labels`)
    pm = score(feats["moustache"], 0.40, 1.8, 1.2)
    pc = score(feats["chin"], 0.38, 1.3, 1.2)
    pj = score(feats["jaw"], 0.50, 1.3, 1.5)
    beard = None if pj is None else float(min(pj, max(pc or 0, pm or 0) + 0.2))
    jaw = feats["jaw"]
    if beard is not None and jaw is not None and jaw["chroma_drop"] < _SHADOW_JAW_CD \
            and (pm or 0.0) < _SHADOW_NO_MOUSTACHE:
        beard *= _SHADOW_JAW_WEIGHT
    goatee = None if pc is None else float(pc * (1 - 0.7 * (pj or 0)))
    stub = None
    present = [feats[k] for k in feats if feats[k] is not None]
    if present:
        mean_tex = float(np.mean([f["texture"] for f in present]))
        gate = float(np.mean([_colour_gate(f) for f in present]))
        stub = float(_sig(2.5 * gate * (mean_tex - 1.6) - 2.5 * (1 - gate)) * (1 - max(beard or 0, pm or 0)))
    out.update(moustache=pm, goatee=goatee, beard=beard, stubble=stub, features=feats)
    out.update(_facial_hair_colour(lab, skin, regions, {"moustache": pm, "chin": goatee, "jaw": beard},
                                   grayscale=grayscale))
    return out


_COLOUR_MIN_DE = 12.0  # ΔE from the cheek skin from which a pixel of a facial-hair region counts as hair


def _facial_hair_colour(lab: np.ndarray, skin: dict[str, Any], regions: dict[str, np.ndarray],
                        present: dict[str, float | None], *, grayscale: bool = False) -> dict[str, Any]:
    """Colour of the facial hair found (regions more likely than not), from its pixels that differ from the skin:
    a white beard on a bald man is white whatever the crown says. Named in the hair palette."""
    hair = np.zeros(lab.shape[:2], bool)
    for name, p in present.items():
        if p is not None and p > 0.5:
            hair |= regions[name]
    if hair.sum() < 15:
        return {"color": None, "lab": None, "color_confidence": 0.0}
    px = lab[hair]
    far = px[np.linalg.norm(px - np.asarray(skin["lab"], np.float32), axis=-1) > _COLOUR_MIN_DE]
    if len(far) < 10:
        return {"color": None, "lab": None, "color_confidence": 0.0}
    colour = np.median(far, axis=0)
    name, _, conf = hair_color_name(colour, grayscale=grayscale, skin_l=float(skin["lab"][0]), skin_lab=skin["lab"])
    return {"color": name, "lab": colour.astype(np.float32),
            "color_confidence": float(conf * np.clip(len(far) / (0.6 * hair.sum()), 0.2, 1.0))}
