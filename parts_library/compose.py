"""Composition: a normalised spec → one layered SVG (colours filled, canonical 1024 viewBox) and the 68 iBUG landmarks
of the drawn face. Layers go in the fixed z-order :data:`LAYER_ORDER` (background, back hair, back of headwear,
neck/shoulders, outfit, ears, face, nose, eyes, brows, mouth, facial hair, front hair, glasses, headwear); hair,
headwear and ears follow the chosen face's temple width, facial hair its jaw, a hijab (headwear ``params.fit ==
"chin"``) also the face's length, and then each category takes the user's scale/offset/stretch about its centre
(:data:`PARAM_CENTRE`; eyes and brows about each side, the face about its crown). Headwear is drawn with the hair it
covers: the categories in its ``params.hides`` are not drawn and hair is clipped above its ``hair_line`` anchor.
The spec is read by :mod:`.render_spec`; no pixels here (:mod:`.raster`).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import frame
from .errors import MemojiError
from .library import PartsLibrary, load_library
from .outfits import background_svg
from .render_spec import _as_mapping, _fill_table, _params, _parts, resolve_background, resolve_colors, resolve_outfit
from .svg import PLACEHOLDER, svg_document

__all__ = ["compose_svg", "LAYER_ORDER", "PER_SIDE", "PARAM_CENTRE", "LANDMARK_SLICES", "MOUTH_Y", "CROWN_Y",
           "face_crown"]

# (category, layer); "base" is the neck and shoulders ("body") and the recipe's outfit over them. The soft shadow the
# front hair casts on the face is drawn by the hair parts themselves (their front layer starts with it), so it is
# hidden or clipped together with the hair under headwear.
LAYER_ORDER: tuple[tuple[str, str], ...] = (
    ("hair", "back"), ("headwear", "back"), ("base", "body"), ("base", "outfit"), ("ears", "main"), ("face", "main"),
    ("nose", "main"), ("eyes", "left"), ("eyes", "right"), ("brows", "left"), ("brows", "right"), ("mouth", "main"),
    ("facial_hair", "main"),
    ("hair", "front"), ("glasses", "main"), ("headwear", "front"),
)

# centre of each category's per-part scale (canonical px); eyes and brows scale about each side's own centre and the
# face about its crown (face_crown)
PER_SIDE = ("eyes", "brows")
PARAM_CENTRE = {
    "ears": (frame.CENTER_X, 500.0), "eyes": (frame.CENTER_X, frame.EYE_Y),
    "brows": (frame.CENTER_X, 390.0), "nose": (frame.CENTER_X, 540.0), "mouth": (frame.CENTER_X, 645.0),
    "hair": (frame.CENTER_X, 330.0), "facial_hair": (frame.CENTER_X, 680.0), "glasses": (frame.CENTER_X, frame.EYE_Y),
    "headwear": (frame.CENTER_X, 200.0),
}
# landmark index ranges each category moves
LANDMARK_SLICES = {"face": {"jaw": slice(0, 17)}, "brows": {"left": slice(17, 22), "right": slice(22, 27)},
                   "nose": {"nose": slice(27, 36)}, "eyes": {"left": slice(36, 42), "right": slice(42, 48)},
                   "mouth": {"outer": slice(48, 60), "inner": slice(60, 68)}}
MOUTH_Y = float(frame.MEAN_SHAPE[48:55, 1].mean())


# ---- composition -----------------------------------------------------------------------------------------------
CROWN_Y = 96.0  # the mean cranium's top (families.common.CRANIUM_TOP): what a chin-fitted headwear stretches from


def _affine(cat: str, jaw: np.ndarray, params: dict, centre=None, *, chin_fit: bool = False
            ) -> tuple[float, float, float, float]:
    """x' = a*x + e, y' = d*y + f for one category (face fit, then the user's scale/offset about ``centre``).
    ``chin_fit`` (a hijab): the part is also stretched from the crown so that the mean chin lands on this jaw's."""
    a, d, e, f_ = 1.0, 1.0, 0.0, 0.0
    m = frame.MEAN_SHAPE
    cx = frame.CENTER_X
    if cat in ("hair", "headwear", "ears"):
        sx = float((jaw[16, 0] - jaw[0, 0]) / (m[16, 0] - m[0, 0]))
        a, e = sx, cx * (1 - sx)
        if chin_fit:
            sy = float((jaw[8, 1] - CROWN_Y) / (m[8, 1] - CROWN_Y))
            d, f_ = sy, CROWN_Y * (1 - sy)
    elif cat == "facial_hair":
        sx = float((jaw[12, 0] - jaw[4, 0]) / (m[12, 0] - m[4, 0]))
        sy = float((jaw[8, 1] - MOUTH_Y) / (m[8, 1] - MOUTH_Y))
        a, e = sx, cx * (1 - sx)
        d, f_ = sy, MOUTH_Y * (1 - sy)
    if cat in params:
        s, dx, dy, st = params[cat]
        pcx, pcy = PARAM_CENTRE[cat] if centre is None else centre
        sy = s * st
        a, e = s * a, s * e + pcx * (1 - s) + dx
        d, f_ = sy * d, sy * f_ + pcy * (1 - sy) + dy
    return a, d, e, f_


def face_crown(lib: PartsLibrary, pid: str) -> tuple[float, float]:
    """The face scales about the top of its skull: a wider or longer face keeps its crown under the hair."""
    return frame.CENTER_X, float(np.min(np.asarray(lib.get(pid).anchors["cranium"], dtype=np.float64)[:, 1]))


def _fitted_jaw(lib: PartsLibrary, pid: str, params: dict) -> np.ndarray:
    """The face's jaw anchors after its own params (what hair, ears and facial hair follow)."""
    jaw = np.asarray(lib.get(pid).anchors["jaw"], dtype=np.float64)
    if "face" not in params:
        return jaw
    a, d, e, f_ = _affine("face", jaw, params, face_crown(lib, pid))
    return np.column_stack([a * jaw[:, 0] + e, d * jaw[:, 1] + f_])


def _num(v: float) -> str:
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def compose_svg(spec: Any, *, library: PartsLibrary | None = None, layers: set[str] | None = None,
                background: Any = None) -> tuple[str, np.ndarray]:
    """The composed avatar SVG (colours filled, canonical 1024 viewBox) and its 68 landmarks in canonical px.
    ``layers`` restricts drawing to some categories (e.g. ``{"hair"}`` for a hair mask). ``background`` (none, a
    colour, two colours) replaces the spec's own ``background``."""
    lib = library or load_library()
    spec = _as_mapping(spec)
    parts = _parts(spec, lib)
    colors = resolve_colors(spec.get("colors"))
    params = _params(spec)
    v1 = spec.get("schema_version") == 1  # version 1 had no outfit and no background: stray keys are not read
    outfit = resolve_outfit(None if v1 else spec.get("outfit"))
    # parsed, never pasted: only normalised #rrggbb colours reach the SVG
    bg = resolve_background((None if v1 else spec.get("background")) if background is None else background)

    jaw = _fitted_jaw(lib, parts["face"], params)
    _, hair_clip = _hair_under_headwear(lib, parts, jaw, params)
    hidden = _hidden_by_headwear(lib, parts)

    body: list[str] = [background_svg(bg)] if bg else []
    if hair_clip:
        body.append(f'<defs><clipPath id="memoji-hwclip"><path d="{hair_clip}"/></clipPath></defs>')
    for cat, layer in LAYER_ORDER:
        if layers is not None and cat not in layers:
            continue
        if cat in hidden:
            continue
        if cat == "base":
            frag = lib.base_fragment(layer) if layer == "body" else lib.outfit_fragment(outfit)
            a, d, e, f_ = 1.0, 1.0, 0.0, 0.0
        else:
            pid = parts.get(cat)
            if pid is None:
                continue
            frag = lib.fragments(pid).get(layer)
            if not frag:
                continue
            a, d, e, f_ = _affine(cat, jaw, params, _side_centre(lib, pid, cat, layer),
                                  chin_fit=cat == "headwear" and lib.get(pid).params.get("fit") == "chin")
        if (a, d, e, f_) == (1.0, 1.0, 0.0, 0.0):
            drawn = frag
        else:
            drawn = f'<g transform="matrix({_num(a)},0,0,{_num(d)},{_num(e)},{_num(f_)})">{frag}</g>'
        if cat == "hair" and hair_clip:
            drawn = f'<g clip-path="url(#memoji-hwclip)">{drawn}</g>'
        body.append(drawn)
    text = "".join(body)
    table = _fill_table(colors)
    try:
        text = PLACEHOLDER.sub(lambda m: table[m.group(1)], text)
    except KeyError as err:  # a part uses a slot the renderer does not know: a library bug
        raise MemojiError(f"a part uses an unknown colour slot placeholder {err}") from None
    svg = svg_document(text)
    return svg, _landmarks(lib, parts, jaw, params)


def _hidden_by_headwear(lib: PartsLibrary, parts: dict[str, str]) -> frozenset[str]:
    """The categories the headwear covers entirely (its ``hides`` param: a hijab hides the hair and the ears)."""
    pid = parts.get("headwear")
    return frozenset(lib.get(pid).params.get("hides", ())) if pid is not None else frozenset()


def _hair_under_headwear(lib: PartsLibrary, parts: dict[str, str], jaw: np.ndarray, params: dict) -> tuple[str, str]:
    """How the headwear treats the hair: ``("hidden", "")`` when it covers all of it (a hijab), ``("clipped", path)``
    when hair shows only below its ``hair_line`` anchor (a cap, beanie or turban hides what is above its edge), else
    ``("visible", "")``."""
    pid = parts.get("headwear")
    if pid is None or parts.get("hair") is None:
        return "visible", ""
    part = lib.get(pid)
    if "hair" in _hidden_by_headwear(lib, parts):
        return "hidden", ""
    line = part.anchors.get("hair_line")
    if not line:
        return "visible", ""
    a, d, e, f_ = _affine("headwear", jaw, params)
    pts = np.asarray(line, dtype=np.float64) * [a, d] + [e, f_]
    poly = [(-64.0, 1100.0), (-64.0, float(pts[0, 1])), *map(tuple, pts), (1088.0, float(pts[-1, 1])),
            (1088.0, 1100.0)]
    return "clipped", "M" + " L".join(f"{_num(x)},{_num(y)}" for x, y in poly) + "Z"


def _side_centre(lib: PartsLibrary, pid: str, cat: str, layer: str):
    """Eyes and brows scale about each side's own centre (so the eye centres, which define the canonical frame,
    stay put), the face about its crown; other parts about their category's centre."""
    if cat in PER_SIDE and layer in ("left", "right"):
        return tuple(np.asarray(lib.get(pid).anchors[layer], dtype=np.float64).mean(axis=0))
    if cat == "face":
        return face_crown(lib, pid)
    return None


def _landmarks(lib: PartsLibrary, parts: dict[str, str], jaw: np.ndarray, params: dict) -> np.ndarray:
    pts = frame.MEAN_SHAPE.copy()
    pts[0:17] = jaw
    for cat, keys in LANDMARK_SLICES.items():
        if cat == "face":
            continue
        anchors = lib.get(parts[cat]).anchors
        for key, sl in keys.items():
            pts[sl] = np.asarray(anchors[key], dtype=np.float64)
    for cat, keys in LANDMARK_SLICES.items():
        if cat in params and cat != "face":  # the jaw passed in is already the fitted one
            for key, sl in keys.items():
                a, d, e, f_ = _affine(cat, jaw, params, _side_centre(lib, parts[cat], cat, key))
                pts[sl, 0] = a * pts[sl, 0] + e
                pts[sl, 1] = d * pts[sl, 1] + f_
    return pts
