"""Mouth parts (``mouth_*``): the catalogue :data:`MOUTHS` and its defaults, the lips' realistic iBUG anchors
(:func:`mouth_anchors`: outer 48..59 and inner 60..67, from width, lip thickness, corner lift, cupid's bow and
opening) and their drawing (:func:`mouth_svg`: the lips with gradients, an open mouth with teeth or tongue, the lip
line, the corners, the philtrum and chin shades, the lower lip's shine). The expression mouths reuse both.
"""
from __future__ import annotations

import numpy as np

from ...svg import f, linear_grad, offset_curve, radial_grad, smooth_closed
from ..common import CX, IOD, M, PartDef, anchors_list

__all__ = ["MOUTHS", "MOUTH_DEFAULTS", "mouth_anchors", "mouth_svg", "mouth_parts"]

# width (IOD), up/low (lip thickness, IOD), lift (corner lift, IOD), bow (cupid's bow depth, IOD), drop (below the
# nose, IOD), gap (open, IOD), teeth (show teeth)
MOUTHS = [
    ("neutral_01", "Neutral", ["neutral"], dict()),
    ("soft_smile_01", "Soft smile", ["smile"], dict(lift=0.07)),
    ("smile_01", "Smile", ["smile"], dict(lift=0.17, width=1.12)),
    ("smile_02", "Smile full lips", ["smile", "full"], dict(lift=0.13, up=0.11, low=0.19)),
    ("grin_01", "Toothy smile", ["smile", "teeth", "open"], dict(lift=0.13, width=1.08, gap=0.12, teeth=True)),
    ("grin_02", "Big grin", ["smile", "teeth", "open"], dict(lift=0.15, width=1.2, gap=0.18, teeth=True, low=0.12)),
    ("laugh_01", "Laugh", ["smile", "teeth", "open"], dict(lift=0.12, width=1.08, gap=0.26, teeth=True, tongue=True)),
    ("full_01", "Full lips", ["full"], dict(up=0.12, low=0.21, width=0.94)),
    ("full_02", "Full wide lips", ["full", "wide"], dict(up=0.11, low=0.19, width=1.2, lift=0.04)),
    ("thin_01", "Thin lips", ["thin"], dict(up=0.04, low=0.075, width=0.9)),
    ("thin_02", "Thin wide", ["thin", "wide"], dict(up=0.045, low=0.08, width=1.2, lift=0.05)),
    ("small_01", "Small", ["small"], dict(width=0.72, up=0.075, low=0.14)),
    ("wide_01", "Wide", ["wide"], dict(width=1.24, lift=0.01)),
    ("pout_01", "Pout", ["full", "small"], dict(width=0.78, up=0.12, low=0.2, bow=0.06)),
    ("bow_01", "Cupid's bow", ["bow"], dict(bow=0.075, up=0.1)),
    ("down_01", "Downturned", ["downturned"], dict(lift=-0.1)),
    ("open_01", "Open smile", ["smile", "open", "teeth"], dict(lift=0.07, gap=0.07, teeth=True)),
]
MOUTH_DEFAULTS = dict(width=0.988, up=0.08, low=0.15, lift=0.0, bow=0.035, drop=0.26, gap=0.0, teeth=False,
                      tongue=False)


def mouth_anchors(**p):
    """Outer (48..59) and inner (60..67) lip points."""
    q = {**MOUTH_DEFAULTS, **p}
    hw = q["width"] * IOD / 2
    y51 = M[33, 1] + q["drop"] * IOD  # top of the upper lip at the centre
    yline = y51 + q["up"] * IOD  # the lip line at the centre
    yc = yline - q["lift"] * IOD - 0.01 * IOD  # corners
    gap = q["gap"] * IOD
    ylow = yline + gap + q["low"] * IOD
    bow = q["bow"] * IOD

    def line_y(x, y_mid, bend):  # a curve from the corners (x=±hw) to the centre
        k = 1 - (np.abs(x) / hw) ** 2
        return yc + (y_mid - yc) * k ** bend

    xs_u = np.array([-hw, -0.62 * hw, -0.26 * hw, 0, 0.26 * hw, 0.62 * hw, hw])
    upper = np.stack([CX + xs_u, line_y(xs_u, y51 - 0.2 * bow, 0.6)], axis=1)
    upper[2, 1] -= bow * 0.7
    upper[4, 1] -= bow * 0.7
    upper[3, 1] += bow * 0.3
    xs_l = np.array([0.63 * hw, 0.28 * hw, 0, -0.28 * hw, -0.63 * hw])
    lower = np.stack([CX + xs_l, line_y(xs_l, ylow, 0.75)], axis=1)
    ihw = hw * 0.88
    xs_i = np.array([-ihw, -0.27 * hw, 0, 0.27 * hw, ihw])
    inner_up = np.stack([CX + xs_i, line_y(xs_i, yline, 0.9)], axis=1)
    xs_il = np.array([0.27 * hw, 0, -0.27 * hw])
    inner_lo = np.stack([CX + xs_il, line_y(xs_il, yline + gap, 0.9)], axis=1)
    outer = np.concatenate([upper, lower])
    inner = np.concatenate([inner_up, inner_lo])
    return q, outer, inner


def mouth_svg(pid: str, outer: np.ndarray, inner: np.ndarray, q: dict) -> str:
    up = outer[0:7]
    lo = outer[7:12]
    iu = inner[0:5]
    il = inner[5:8]
    corner_l, corner_r = outer[0], outer[6]
    # dense lip line curves
    il_full = np.concatenate([[iu[0]], il[::-1], [iu[4]]])  # left -> right
    upper_lip = np.concatenate([up, iu[::-1][1:-1]])
    lower_lip = np.concatenate([[corner_r], lo, [corner_l], il_full[1:-1]])
    y0, y1 = up[:, 1].min(), lo[:, 1].max()
    yl = iu[2, 1]
    defs = [
        linear_grad(f"{pid}-up", 0, y0, 0, yl, [(0, "%lips_lo%"), (1, "%lips_lo2%")]),
        linear_grad(f"{pid}-low", 0, il[1, 1], 0, y1, [(0, "%lips_lo%"), (0.35, "%lips%"), (0.7, "%lips_hi%"),
                                                       (1, "%lips_lo%")]),
        radial_grad(f"{pid}-chin", CX, y1 + 12, 60, [(0, "%skin_lo2%", 0.4), (1, "%skin_lo2%", 0.0)]),
        radial_grad(f"{pid}-shine", 0, 0, 1, [(0, "#ffffff", 0.45), (1, "#ffffff", 0.0)]),
        radial_grad(f"{pid}-phil", CX, y0 - 16, 26, [(0, "%skin_lo%", 0.35), (1, "%skin_lo%", 0.0)]),
    ]
    out = [f'<defs>{"".join(defs)}</defs>']
    out.append(f'<ellipse cx="{f(CX)}" cy="{f(y1 + 12)}" rx="{f((corner_r[0] - corner_l[0]) * 0.3)}" ry="13" '
               f'fill="%skin_lo2%" opacity="0.22"/>')
    out.append(f'<ellipse cx="{f(CX)}" cy="{f(y0 - 14)}" rx="13" ry="20" fill="url(#{pid}-phil)"/>')
    for sgn in (-1, 1):  # light catching the ridge of the cupid's bow
        out.append(f'<ellipse cx="{f(CX + sgn * 16)}" cy="{f(up[2 if sgn < 0 else 4, 1] - 3)}" rx="12" ry="3" '
                   f'fill="%skin_hi2%" opacity="0.22" transform="rotate({sgn * -14} {f(CX + sgn * 16)} '
                   f'{f(up[2 if sgn < 0 else 4, 1] - 3)})"/>')
    if q["gap"] > 0:
        mouth_in = np.concatenate([iu, il])
        m_path = smooth_closed(mouth_in)
        out.append(f'<defs><clipPath id="{pid}-in"><path d="{m_path}"/></clipPath>'
                   + linear_grad(f"{pid}-teeth", 0, yl, 0, yl + q["gap"] * IOD * 0.55,
                                 [(0, "#ffffff"), (1, "#ddd6cf")]) + "</defs>")
        out.append(f'<path d="{m_path}" fill="#4a1c20"/>')
        out.append(f'<g clip-path="url(#{pid}-in)">')
        if q["tongue"]:
            out.append(f'<ellipse cx="{f(CX)}" cy="{f(il[1, 1])}" rx="{f((iu[4, 0] - iu[0, 0]) * 0.3)}" '
                       f'ry="{f(q["gap"] * IOD * 0.4)}" fill="#c8575d"/>')
        if q["teeth"]:
            th = q["gap"] * IOD * (0.5 if q["gap"] < 0.2 else 0.38)
            teeth = np.concatenate([iu + [0, -6], (iu + [0, th])[::-1]])
            out.append(f'<path d="{smooth_closed(teeth)}" fill="url(#{pid}-teeth)"/>')
        out.append("</g>")
    out.append(f'<path d="{smooth_closed(lower_lip)}" fill="url(#{pid}-low)" opacity="0.88"/>')
    out.append(f'<path d="{smooth_closed(upper_lip)}" fill="url(#{pid}-up)" opacity="0.9"/>')
    # lip line and corners
    w_line = np.interp(np.linspace(0, 1, 5), [0, 0.5, 1], [0.6, 2.2, 0.6])
    out.append(f'<path d="{smooth_closed(offset_curve(iu, w_line))}" fill="%lips_lo3%" opacity="0.85"/>')
    for s, c in ((-1, corner_l), (1, corner_r)):
        arc = np.array([c + [s * 2, 6], c + [s * 8, -2], c + [s * 7, -10]])
        out.append(f'<path d="{smooth_closed(offset_curve(arc, [0.4, 1.6, 0.3]))}" fill="%skin_lo3%" '
                   f'opacity="0.35"/>')
    # lower-lip shine
    ly = (il[1, 1] + lo[2, 1]) / 2 - 1
    out.append(f'<g transform="translate({f(CX - 8)},{f(ly)}) scale({f((lo[0, 0] - lo[4, 0]) * 0.24)},'
               f'{f(max(lo[2, 1] - il[1, 1], 8) * 0.22)})"><circle r="1" fill="url(#{pid}-shine)"/></g>')
    return "".join(out)


def mouth_parts() -> list[PartDef]:
    out = []
    for key, name, tags, p in MOUTHS:
        pid = f"mouth_{key}"
        q, outer, inner = mouth_anchors(**p)
        out.append(PartDef(pid, "mouth", name, tags, {"main": mouth_svg(pid, outer, inner, q)},
                           {"outer": anchors_list(outer), "inner": anchors_list(inner)}, ["lips", "skin"], params=p))
    return out
