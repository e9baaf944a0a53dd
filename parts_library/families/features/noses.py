"""Nose parts (``nose_*``): the catalogue :data:`NOSES` and its defaults, the nose's realistic iBUG anchors 27..35
(:func:`nose_anchors`, from width, length, tip drop and flare) and its drawing (:func:`nose_svg`: the bridge's shaded
side and ridge, an optional hump, the shadow under the nose, the wings, their creases and the nostrils, the tip's
highlight), all in skin shades lit from the upper left.
"""
from __future__ import annotations

import numpy as np

from ...svg import f, offset_curve, radial_grad, smooth_closed
from ..common import CX, IOD, M, PartDef, anchors_list

__all__ = ["NOSES", "NOSE_DEFAULTS", "nose_anchors", "nose_svg", "nose_parts"]

# width (31–35, IOD), length (27→33, IOD), tip (tip below the nostril line, IOD), flare, ball (tip size), bump (a
# bridge hump), upturn (nostrils show), nostril (nostril size), ridge (how strongly the bridge's shaded side is
# drawn, 0..1)
NOSES = [
    ("straight_01", "Straight", ["straight", "medium"], dict()),
    ("button_01", "Button", ["button", "small"], dict(width=0.4, length=0.7, ball=1.55, tip=0.05, nostril=0.65,
                                                      ridge=0.1)),
    ("small_01", "Small", ["small"], dict(width=0.34, length=0.76, ball=0.7, nostril=0.7, ridge=0.5)),
    ("narrow_01", "Narrow", ["narrow", "long"], dict(width=0.36, length=0.94, ball=0.75, flare=0.4, ridge=1.0,
                                                     nostril=0.75)),
    ("long_01", "Long", ["long"], dict(length=1.02, tip=0.12, width=0.44, ridge=0.55, ball=1.0)),
    ("wide_01", "Wide", ["wide"], dict(width=0.66, flare=0.55, ball=1.0, nostril=1.4, ridge=0.7)),
    ("broad_01", "Broad flat", ["wide", "flat"], dict(width=0.76, length=0.8, flare=0.6, ball=1.25, tip=0.03,
                                                      nostril=1.55, ridge=0.25)),
    ("round_01", "Round tip", ["round"], dict(width=0.58, ball=1.75, tip=0.1, nostril=0.7, ridge=0.1)),
    ("upturned_01", "Upturned", ["upturned", "small"], dict(width=0.5, length=0.78, tip=0.02, ball=0.9,
                                                            upturn=True, nostril=1.45, ridge=0.35)),
    ("roman_01", "Roman", ["roman", "long"], dict(length=1.0, tip=0.16, width=0.52, bump=True, ridge=1.0, ball=0.85)),
    ("pointed_01", "Pointed", ["pointed", "narrow"], dict(width=0.42, length=0.88, ball=0.5, tip=0.14, ridge=0.9,
                                                          nostril=0.6)),
    ("medium_01", "Medium soft", ["medium"], dict(width=0.57, length=0.84, ball=1.2, ridge=0.15, nostril=0.9)),
    ("wide_02", "Wide round", ["wide", "round"], dict(width=0.64, length=0.94, ball=1.8, flare=0.5, tip=0.08,
                                                      ridge=0.3, nostril=1.0)),
    ("short_01", "Short", ["short", "small"], dict(width=0.5, length=0.66, ball=1.05, tip=0.04, ridge=0.2)),
]
NOSE_DEFAULTS = dict(width=0.5, length=0.876, tip=0.08, flare=0.48, ball=1.0, bump=False, upturn=False, nostril=1.0,
                     ridge=0.6)


def nose_anchors(**p):
    q = {**NOSE_DEFAULTS, **p}
    top = M[27, 1]
    y33 = top + q["length"] * IOD
    y31 = y33 - q["tip"] * IOD
    y30 = y33 - 0.247 * IOD * q["length"] / 0.876
    hw = q["width"] * IOD / 2
    x32 = hw * (1 - q["flare"])
    pts = np.array([
        [CX, top], [CX, top + (y30 - top) / 3], [CX, top + 2 * (y30 - top) / 3], [CX, y30],
        [CX - hw, y31], [CX - x32, (y31 + y33) / 2 + 0.01 * IOD], [CX, y33], [CX + x32, (y31 + y33) / 2 + 0.01 * IOD],
        [CX + hw, y31],
    ])
    return q, pts


def nose_svg(pid: str, pts: np.ndarray, q: dict) -> str:
    q = {**NOSE_DEFAULTS, **q}
    top, y30, y33 = pts[0, 1], pts[3, 1], pts[6, 1]
    hw = (pts[8, 0] - pts[4, 0]) / 2
    y31 = pts[4, 1]
    ball = 0.15 * IOD * q["ball"]
    tip_c = np.array([CX - 2, y33 - ball * 0.8])
    ridge = q["ridge"]
    defs = [
        radial_grad(f"{pid}-tip", tip_c[0] - 4, tip_c[1] - 4, ball * 1.2, [(0, "%skin_hi2%", 0.95),
                                                                          (0.55, "%skin_hi%", 0.5),
                                                                          (1, "%skin_hi%", 0.0)]),
        radial_grad(f"{pid}-under", CX, y33 + 5, hw * 1.1, [(0, "%skin_lo3%", 0.7), (0.55, "%skin_lo3%", 0.3),
                                                           (1, "%skin_lo3%", 0.0)]),
        radial_grad(f"{pid}-side", 0.5, 0.5, 0.5, [(0, "%skin_lo2%", 0.4), (1, "%skin_lo2%", 0.0)], bbox=True),
        radial_grad(f"{pid}-wing", 0, 0, 1, [(0, "%skin_lo2%", 0.05), (0.7, "%skin_lo2%", 0.32),
                                             (1, "%skin_lo2%", 0.0)]),
    ]
    out = [f'<defs>{"".join(defs)}</defs>']
    # the bridge: a broad soft shade on the right side (light from the upper left) and a faint highlight on the left
    by0, by1 = top + 40, y31 - 4
    out.append(f'<ellipse cx="{f(CX + 12 + hw * 0.2)}" cy="{f((by0 + by1) / 2)}" rx="{f(14 + hw * 0.3)}" '
               f'ry="{f((by1 - by0) / 2)}" fill="url(#{pid}-side)" opacity="{f(0.5 + 0.5 * ridge)}"/>')
    out.append(f'<ellipse cx="{f(CX - 7)}" cy="{f(by0 + (by1 - by0) * 0.45)}" rx="7" ry="{f((by1 - by0) * 0.36)}" '
               f'fill="%skin_hi2%" opacity="0.3"/>')
    if ridge > 0:  # the shaded side of the bridge as a soft line, from between the eyes down into the right wing
        ys = np.linspace(top + 0.3 * (y31 - top), y31 - 0.02 * IOD, 8)
        xs = CX + 0.07 * IOD + (hw - 0.09 * IOD) * ((ys - ys[0]) / (ys[-1] - ys[0])) ** 2.2
        line = np.stack([xs, ys], axis=1)
        widths = 3.2 * ridge * np.sin(np.linspace(0.1, 2.6, 8)) ** 0.7
        out.append(f'<path d="{smooth_closed(offset_curve(line, widths))}" fill="%skin_lo3%" '
                   f'opacity="{f(0.25 + 0.3 * ridge)}"/>')
    if q["bump"]:  # a hump on the bridge: lit on top, shaded below
        yb = top + (y30 - top) * 0.5
        out.append(f'<ellipse cx="{f(CX + 1)}" cy="{f(yb)}" rx="12" ry="18" fill="%skin_hi2%" opacity="0.4"/>'
                   f'<ellipse cx="{f(CX + 6)}" cy="{f(yb + 30)}" rx="10" ry="12" fill="%skin_lo2%" opacity="0.35"/>')
    # soft shadow under the nose and the wings
    out.append(f'<ellipse cx="{f(CX)}" cy="{f(y33 + 5)}" rx="{f(hw * 1.1)}" ry="{f(0.1 * IOD)}" '
               f'fill="url(#{pid}-under)"/>')
    for s in (-1, 1):
        wx = CX + s * (hw - 0.04 * IOD)
        wy = y31 - 0.015 * IOD
        out.append(f'<g transform="translate({f(wx)},{f(wy)}) scale({f(0.075 * IOD)},{f(0.095 * IOD)})">'
                   f'<circle r="1" fill="url(#{pid}-wing)"/></g>')
        # wing crease: a soft arc round the outside of the wing
        a = np.linspace(-1.0, 1.4, 9)
        arc = np.stack([CX + s * (hw - 0.05 * IOD + 0.05 * IOD * np.cos(a)), wy + 0.075 * IOD * np.sin(a)], axis=1)
        out.append(f'<path d="{smooth_closed(offset_curve(arc, 2.4 * np.sin(np.linspace(0.2, 2.9, 9))))}" '
                   f'fill="%skin_lo3%" opacity="{0.7 if s > 0 else 0.5}"/>')
        # nostril
        nx = CX + s * hw * (0.44 if not q["upturn"] else 0.4)
        ny = y33 - 0.012 * IOD * (2.2 if q["upturn"] else 1)
        out.append(f'<ellipse cx="{f(nx)}" cy="{f(ny)}" rx="{f(0.042 * IOD * q["nostril"] * q["width"] / 0.5)}" '
                   f'ry="{f(0.026 * IOD * q["nostril"] * (1.6 if q["upturn"] else 1))}" fill="%skin_lo3%" '
                   f'opacity="0.75" transform="rotate({f(s * 20)} {f(nx)} {f(ny)})"/>')
    # tip ball highlight + specular
    out.append(f'<circle cx="{f(tip_c[0])}" cy="{f(tip_c[1])}" r="{f(ball * 1.2)}" fill="url(#{pid}-tip)"/>')
    out.append(f'<ellipse cx="{f(tip_c[0] - ball * 0.3)}" cy="{f(tip_c[1] - ball * 0.35)}" rx="{f(ball * 0.34)}" '
               f'ry="{f(ball * 0.2)}" fill="#ffffff" opacity="0.3"/>')
    return "".join(out)


def nose_parts() -> list[PartDef]:
    out = []
    for key, name, tags, p in NOSES:
        pid = f"nose_{key}"
        q, pts = nose_anchors(**p)
        out.append(PartDef(pid, "nose", name, tags, {"main": nose_svg(pid, pts, q)}, {"nose": anchors_list(pts)},
                           ["skin"], params=p))
    return out
