"""Face shapes (the head: jaw + cranium, skin shading), ears, and the fixed body (neck, shoulders, clothes)."""
from __future__ import annotations

import numpy as np

from ..svg import f, linear_grad, mirror_x, offset_curve, radial_grad, smooth_closed
from .common import (CX, EDGE_X, EYE_Y, IOD, M, NECK_HALF, PartDef, anchors_list, cranium_points, drawn_jaw,
                     head_outline)

# name, tags, params: w (width), temple, cheek, jaw, chin_w, length, point (chin drop, IOD), square (jaw corner)
FACE_SHAPES = [
    ("oval_01", "Oval", ["oval"], dict()),
    ("oval_02", "Soft oval", ["oval", "round"], dict(w=1.04, length=0.95, chin_w=1.2, cheek=1.05, point=-0.04)),
    ("round_01", "Round", ["round"], dict(w=1.08, length=0.88, cheek=1.08, jaw=1.1, chin_w=1.24, point=-0.07)),
    ("round_02", "Round full cheeks", ["round", "wide"], dict(w=1.12, length=0.9, cheek=1.14, jaw=1.12, chin_w=1.08,
                                                              point=-0.02)),
    ("square_01", "Square", ["square"], dict(jaw=1.14, chin_w=1.3, length=0.97, point=-0.07, square=0.1)),
    ("square_02", "Square strong jaw", ["square", "wide"], dict(w=1.06, jaw=1.2, chin_w=1.42, length=1.01,
                                                                 point=-0.09, square=0.16)),
    ("long_01", "Long", ["long", "oval"], dict(w=0.94, length=1.16, chin_w=0.94)),
    ("long_02", "Long square", ["long", "square"], dict(w=0.95, length=1.14, jaw=1.1, chin_w=1.3, square=0.12,
                                                         point=-0.06)),
    ("heart_01", "Heart", ["heart"], dict(temple=1.08, cheek=1.04, jaw=0.88, chin_w=0.7, point=0.09, length=1.0)),
    ("heart_02", "Soft heart", ["heart", "oval"], dict(temple=1.06, cheek=1.02, jaw=0.96, chin_w=0.88, point=0.0,
                                                        length=0.9)),
    ("diamond_01", "Diamond", ["diamond"], dict(temple=0.9, cheek=1.1, jaw=0.92, chin_w=0.74, point=0.07)),
    ("narrow_01", "Narrow", ["narrow", "long"], dict(w=0.86, length=1.06, chin_w=0.92)),
    ("wide_01", "Wide", ["wide", "round"], dict(w=1.15, length=0.94, jaw=1.06, chin_w=1.1)),
    ("pear_01", "Pear (wide jaw)", ["square", "wide"], dict(temple=0.92, cheek=0.98, jaw=1.18, chin_w=1.3,
                                                            square=0.07, point=-0.03)),
]


def face_jaw(w=1.0, temple=1.0, cheek=1.0, jaw=1.0, chin_w=1.0, length=1.0, point=0.0, square=0.0) -> np.ndarray:
    """17 jaw points (canonical px) of a face shape: the mean jaw with per-region width/length changes."""
    u = (M[0:17] - np.array([CX, EYE_Y])) / IOD
    out = u.copy()
    prof = np.interp(np.arange(9), [0, 2, 4, 6, 8], [temple, cheek, jaw, chin_w, chin_w])
    for i in range(9):
        out[i, 0] = u[i, 0] * w * prof[i]
        out[i, 1] = u[i, 1] * length
    # squarer jaw corners: points 4..6 go down and out
    out[4] += [-square * 0.6, square * 0.5]
    out[5] += [-square * 0.9, square * 0.9]
    out[6] += [-square * 0.5, square * 0.6]
    # chin point
    out[8, 1] += point
    out[7, 1] += point * 0.4
    out[7, 0] *= 1 - max(point, 0) * 0.8
    out[9:17] = mirror_x(out[7::-1], 0.0)
    return out * IOD + np.array([CX, EYE_Y])


def temple_scale(jaw: np.ndarray) -> float:
    return float((jaw[16, 0] - jaw[0, 0]) / (M[16, 0] - M[0, 0]))


# the neck reaches up to 590, well behind the jaw, so that a face shortened by its fit (``params.face.stretch``) never
# uncovers the rounded top of the neck
NECK_PTS = np.array([[CX - NECK_HALF, 590], [CX - NECK_HALF + 1, 680], [CX - NECK_HALF + 2, 760],
                     [CX - NECK_HALF - 6, 850], [CX - NECK_HALF - 24, 905], [CX, 925], [CX + NECK_HALF + 24, 905],
                     [CX + NECK_HALF + 6, 850], [CX + NECK_HALF - 2, 760], [CX + NECK_HALF - 1, 680],
                     [CX + NECK_HALF, 590]])


def _lower_jaw(jaw: np.ndarray, y_cut: float) -> np.ndarray:
    """The part of the drawn jaw below ``y_cut`` (a cheaper shape for the under-jaw shading)."""
    left = np.interp(y_cut, jaw[0:9, 1], jaw[0:9, 0])
    pts = [[left, y_cut]] + [p for p in jaw[0:17] if p[1] > y_cut] + [[2 * CX - left, y_cut]]
    return np.asarray(pts, dtype=np.float64)


def face_layer(pid: str, jaw: np.ndarray) -> str:
    sx = temple_scale(jaw)
    outline = head_outline(drawn_jaw(jaw), sx)
    head = smooth_closed(outline)
    chin_y = jaw[8, 1]
    top = float(outline[:, 1].min())
    defs = [
        # one light from the upper left: lighter centre, warm darker rim, darker under the jaw
        # fitted to the head's box, so the darker rim follows the shape's own outline (the jaw reads at 64 px)
        radial_grad(f"{pid}-skin", 0.47, 0.53, 0.6, [(0, "%skin_hi2%"), (0.3, "%skin_hi%"), (0.66, "%skin%"),
                                                     (0.9, "%skin_lo%"), (1, "%skin_lo%")],
                    fx=0.4, fy=0.36, bbox=True),
        linear_grad(f"{pid}-under", 0, chin_y - 150, 0, chin_y, [(0, "%skin_lo2%", 0.0), (1, "%skin_lo2%", 0.28)]),
        radial_grad(f"{pid}-blush", 0.5, 0.5, 0.5, [(0, "%skin_blush%", 0.32), (0.6, "%skin_blush%", 0.14),
                                                  (1, "%skin_blush%", 0.0)], bbox=True),
        radial_grad(f"{pid}-shine", 0.5, 0.5, 0.5, [(0, "%skin_hi2%", 0.7), (1, "%skin_hi2%", 0.0)], bbox=True),
        linear_grad(f"{pid}-neck", 0, chin_y - 20, 0, chin_y + 70, [(0, "%skin_lo3%", 0.75), (1, "%skin_lo3%", 0.0)]),
        f'<clipPath id="{pid}-neckclip"><path d="{smooth_closed(NECK_PTS)}"/></clipPath>',
    ]
    # shadow the chin casts on the neck
    sh = np.concatenate([jaw[3:14] + [0, 60], jaw[13:2:-1]])
    blush_y = EYE_Y + 0.72 * IOD
    blush_dx = 0.78 * IOD * (jaw[3, 0] - CX) / (M[3, 0] - CX)
    body = [
        f'<defs>{"".join(defs)}</defs>',
        f'<path d="{smooth_closed(sh)}" fill="url(#{pid}-neck)" clip-path="url(#{pid}-neckclip)"/>',
        f'<path d="{head}" fill="url(#{pid}-skin)"/>',
        f'<path d="{smooth_closed(_lower_jaw(drawn_jaw(jaw), chin_y - 160))}" fill="url(#{pid}-under)"/>',
    ]
    for sgn in (-1, 1):
        body.append(f'<ellipse cx="{f(CX + sgn * abs(blush_dx))}" cy="{f(blush_y)}" rx="62" ry="42" '
                    f'fill="url(#{pid}-blush)"/>')
    # forehead and chin shine (light from the upper left)
    body.append(f'<ellipse cx="{f(CX - 40)}" cy="{f(top + 130)}" rx="120" ry="70" fill="url(#{pid}-shine)" '
                f'opacity="0.55"/>')
    body.append(f'<ellipse cx="{f(CX - 6)}" cy="{f(chin_y - 36)}" rx="44" ry="22" fill="url(#{pid}-shine)" '
                f'opacity="0.4"/>')
    return "".join(body)


def face_parts() -> list[PartDef]:
    out = []
    for key, name, tags, params in FACE_SHAPES:
        pid = f"face_{key}"
        jaw = face_jaw(**params)
        out.append(PartDef(pid, "face", name, tags, {"main": face_layer(pid, jaw)},
                           {"jaw": anchors_list(jaw), "cranium": anchors_list(cranium_points(temple_scale(jaw), 9))},
                           ["skin"], params=params))
    return out


# ---- ears -----------------------------------------------------------------------------------------------------
EARS = [
    ("ears_small_01", "Small ears", ["small"], dict(rx=20, ry=42, out=-6)),
    ("ears_medium_01", "Medium ears", ["medium"], dict(rx=37, ry=66, out=12)),
    ("ears_large_01", "Large ears", ["large", "protruding"], dict(rx=46, ry=82, out=28)),
]


def ear_layer(pid: str, rx: float, ry: float, out: float) -> str:
    cx0 = EDGE_X + 6 - out * 0.5
    cy0 = EYE_Y + 58
    defs = [radial_grad(f"{pid}-g", cx0 - 6, cy0 - 10, ry * 1.1, [(0, "%skin_hi%"), (0.6, "%skin%"),
                                                                  (1, "%skin_lo%")]),
            radial_grad(f"{pid}-in", cx0 + 6, cy0, ry * 0.75, [(0, "%skin_lo3%", 0.75), (1, "%skin_lo2%", 0.0)])]
    parts = [f'<defs>{"".join(defs)}</defs>']
    for side in (-1, 1):
        t = np.linspace(0, 2 * np.pi, 20, endpoint=False)
        # an ear: rounder at the top, narrower lobe, pushed outward by ``out``
        x = -rx * np.cos(t) * (1 + 0.12 * np.sin(t))
        y = ry * np.sin(t) * np.where(np.sin(t) > 0, 0.95, 1.0) - 4
        g = f"{pid}-g"
        tr = f' transform="translate({f(2 * CX)},0) scale(-1,1)"' if side == 1 else ""
        # draw the right ear as a mirrored copy of the left so both share one gradient
        lp = np.stack([cx0 - out * 0.6 + x, cy0 + y], axis=1)
        li = np.stack([cx0 + 2 - rx * 0.5 * np.cos(t), cy0 - 6 + ry * 0.58 * np.sin(t)], axis=1)
        # a light rim along the outer curl (helix)
        a = np.linspace(np.pi * 0.75, np.pi * 1.45, 9)
        rim = np.stack([cx0 - out * 0.6 - rx * 0.78 * np.cos(a) * -1, cy0 - 4 + ry * 0.86 * np.sin(a)], axis=1)
        rim_w = 0.09 * rx * np.sin(np.linspace(0.2, np.pi - 0.2, 9))
        parts.append(f'<g{tr}><path d="{smooth_closed(lp)}" fill="url(#{g})"/>'
                     f'<path d="{smooth_closed(li)}" fill="url(#{pid}-in)"/>'
                     f'<path d="{smooth_closed(offset_curve(rim, rim_w))}" fill="%skin_hi2%" opacity="0.55"/></g>')
    return "".join(parts)


def ear_parts() -> list[PartDef]:
    out = []
    for pid, name, tags, p in EARS:
        cy0 = EYE_Y + 54
        left = [[EDGE_X - p["rx"] - p["out"], cy0 - p["ry"]], [EDGE_X - p["rx"] - p["out"], cy0 + p["ry"]]]
        out.append(PartDef(pid, "ears", name, tags, {"main": ear_layer(pid, **p)},
                           {"left": anchors_list(left), "right": anchors_list(mirror_x(left))}, ["skin"], params=p))
    return out
