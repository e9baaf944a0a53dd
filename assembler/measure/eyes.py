"""Eye colour from the iris."""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from parts_library import frame

from .context import _Ctx, _disc, _poly, linear_to_srgb
from .illumination import normalised_linear

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
    lin = normalised_linear(ctx.chip[eyes], illum)
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


def eye_color_to_draw(eyes: dict[str, Any], glasses_probability: float) -> str | None:
    """The measured eye colour the search should draw: only a clearly seen, non-brown iris without glasses in
    front of it (None: the skin tone's default brown)."""
    if eyes["color"] in _EYE_COLORS_USED and eyes["confidence"] >= _EYE_COLOR_SURE and glasses_probability < 0.5:
        return eyes["color"]
    return None
