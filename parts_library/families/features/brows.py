"""Brow parts (``brows_*``): the catalogue :data:`BROWS` and its defaults, the brow's centre line from its inner end
outwards (:func:`brow_centreline`: soft, angled or straight; five of its points are the realistic iBUG anchors
17..26) and the drawing of one brow (a tapered shape with a gradient, hair strands and a highlight). The expression
parts reuse the centre line and the drawing with a raised or lowered pose.
"""
from __future__ import annotations

import numpy as np

from ...svg import linear_grad, mirror_x, offset_curve, polyline, smooth_closed
from ..common import IOD, M, PartDef, anchors_list

__all__ = ["BROWS", "BROW_DEFAULTS", "brow_centreline", "brow_parts"]

# length (IOD), arch (IOD), peak (0..1 from the inner end), tilt (outer end lower > 0, IOD), thick (IOD),
# lift (extra height above the eye, IOD), shape: soft | angled | straight
BROWS = [
    ("soft_01", "Soft arch", ["soft", "arched"], dict()),
    ("soft_02", "Soft arch thick", ["soft", "arched", "thick"], dict(thick=0.13, arch=0.07)),
    ("soft_03", "Soft arch thin", ["soft", "arched", "thin"], dict(thick=0.045, arch=0.1)),
    ("arched_01", "High arch", ["arched"], dict(arch=0.16, peak=0.6, thick=0.075)),
    ("arched_02", "High arch thin", ["arched", "thin"], dict(arch=0.17, peak=0.62, thick=0.045, length=0.84)),
    ("angled_01", "Angled", ["angled"], dict(shape="angled", arch=0.14, peak=0.7, tilt=0.1)),
    ("angled_02", "Angled thick", ["angled", "thick"], dict(shape="angled", arch=0.15, peak=0.66, thick=0.12,
                                                            tilt=0.12)),
    ("straight_01", "Straight", ["straight"], dict(shape="straight", arch=0.02, tilt=0.02, thick=0.085)),
    ("straight_02", "Straight thick", ["straight", "thick"], dict(shape="straight", arch=0.02, tilt=0.02,
                                                                  thick=0.14)),
    ("straight_03", "Straight thin", ["straight", "thin"], dict(shape="straight", arch=0.01, tilt=0.0, thick=0.04,
                                                                length=0.72)),
    ("bushy_01", "Bushy", ["bushy", "thick", "straight"], dict(shape="straight", arch=0.04, thick=0.18, length=0.9,
                                                                lift=-0.02)),
    ("bushy_02", "Bushy arched", ["bushy", "thick", "arched"], dict(thick=0.17, arch=0.12, length=0.9)),
    ("short_01", "Short", ["short"], dict(length=0.52, thick=0.09, arch=0.05)),
    ("low_01", "Low straight", ["straight", "low"], dict(shape="straight", arch=0.03, lift=-0.1, thick=0.1)),
    ("raised_01", "Raised arch", ["arched", "high"], dict(arch=0.11, lift=0.1, thick=0.07)),
    ("sloped_01", "Sloped down", ["soft", "sloped"], dict(tilt=0.2, arch=0.05, peak=0.3)),
    ("rising_01", "Rising", ["straight", "rising"], dict(shape="straight", tilt=-0.12, arch=0.03)),
]
BROW_DEFAULTS = dict(length=0.78, arch=0.085, peak=0.55, tilt=0.07, thick=0.08, lift=0.0, shape="soft")


def brow_centreline(**p):
    q = {**BROW_DEFAULTS, **p}
    t = np.linspace(0, 1, 17)
    L = q["length"] * IOD
    inner = np.array([M[21, 0] + 4, M[21, 1] - q["lift"] * IOD])
    x = inner[0] - L * t
    if q["shape"] == "angled":
        k = np.where(t < q["peak"], t / q["peak"], (1 - t) / (1 - q["peak"]))
        bump = np.clip(k, 0, 1) ** 0.9
    elif q["shape"] == "straight":
        bump = np.sin(np.pi * t) ** 1.5
    else:
        tw = t ** (np.log(0.5) / np.log(q["peak"]))
        bump = np.sin(np.pi * tw)
    y = inner[1] - q["arch"] * IOD * bump + q["tilt"] * IOD * t
    return q, np.stack([x, y], axis=1)


def _brow_svg(pid: str, side: str, line: np.ndarray, q: dict) -> str:
    T = q["thick"] * IOD * 1.1
    t = np.linspace(0, 1, len(line))
    half = T / 2 * np.interp(t, [0, 0.06, 0.3, 0.75, 1], [0.55, 0.95, 1.0, 0.7, 0.22])
    # the inner end is rounded by starting slightly inside
    shape = offset_curve(line, half)
    uid = f"{pid}-{side}"
    g = linear_grad(f"{uid}-g", line[0, 0], 0, line[-1, 0], 0, [(0, "%brows_hi%", 0.85), (0.35, "%brows%"),
                                                                 (1, "%brows_lo%")])
    hl = offset_curve(line[2:12] + [0, -half[2:12].mean() * 0.35], half[2:12] * 0.22)
    # hair texture: short strands across the brow, slanting towards its outer end (dark ones, then light ones)
    d = np.gradient(line, axis=0)
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    nrm = np.stack([-d[:, 1], d[:, 0]], axis=1)
    dark, light = [], []
    for k in range(2, len(line) - 2):  # staggered: alternately above and below the centre line
        h = half[k]
        c = line[k] + nrm[k] * h * (-0.45 if k % 2 else 0.35)
        a = c - d[k] * h * 1.3 + nrm[k] * h * 0.35
        b = c + d[k] * h * 1.5 - nrm[k] * h * 0.3
        m = (a + b) / 2
        w = nrm[k] * 0.8
        strand = polyline(np.stack([a, m + w, b, m - w]))  # a thin lens: straight segments render fast
        (dark if k % 2 else light).append(strand)
    return (f'<defs>{g}</defs><path d="{smooth_closed(shape)}" fill="url(#{uid}-g)"/>'
            f'<path d="{"".join(dark)}" fill="%brows_lo2%" opacity="0.35"/>'
            f'<path d="{"".join(light)}" fill="%brows_hi2%" opacity="0.3"/>'
            f'<path d="{smooth_closed(hl)}" fill="%brows_hi2%" opacity="0.28"/>')


def brow_parts() -> list[PartDef]:
    out = []
    for key, name, tags, p in BROWS:
        pid = f"brows_{key}"
        q, line = brow_centreline(**p)
        # anchors 17..21 = outer → inner (line runs inner → outer)
        five = line[[16, 12, 8, 4, 0]]
        five_r = mirror_x(five)[::-1]
        layers = {"left": _brow_svg(pid, "l", line, q), "right": _brow_svg(pid, "r", mirror_x(line), q)}
        params = dict(p)
        params["thickness"] = q["thick"]
        out.append(PartDef(pid, "brows", name, tags, layers,
                           {"left": anchors_list(five), "right": anchors_list(five_r)}, ["brows"], params=params))
    return out
