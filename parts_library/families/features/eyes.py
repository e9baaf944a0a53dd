"""Eye parts (``eyes_*``): the catalogue :data:`EYES` and its defaults, the lid geometry (:func:`eye_geometry`, whose
six points per side are the realistic iBUG anchors 36..47) and the drawing of one eye (socket shade, lid and crease,
white, iris, lid shadow, highlights, lash line and lash clumps), exaggerated about its centre the memoji way (drawn
:data:`EX` × :data:`EY` bigger). The expression parts reuse the geometry and the drawing with a gaze or a closed lid.
"""
from __future__ import annotations

import numpy as np

from ...svg import f, linear_grad, mirror_x, offset_curve, radial_grad, smooth_closed
from ..common import CX, EYE_Y, IOD, PartDef, anchors_list, rot

__all__ = ["LASH", "EYES", "EYE_DEFAULTS", "EX", "EY", "eye_geometry", "eye_parts"]

LASH = "#271a16"

# w: width (IOD), open: height/width, tilt: rad (outer corner up > 0), skew: upper-lid peak shift towards the
# inner (+) or outer (-) corner, low: lower-lid share of the height, lash: lash-line thickness, lashes: lash clumps
# (0 = none; the variants with lashes also get a winged lash line and lower lashes), iris: iris diameter / drawn
# width, crease: crease gap (0 = monolid), lid: share of the drawn opening the upper lid covers (hooded, sleepy),
# hood: a heavy skin fold over the lid, deep: a deep socket shadow, wing: how far the lash line flicks out (drawn
# widths)
EYES = [
    ("almond_01", "Almond", ["almond"], dict()),
    ("almond_02", "Almond lashes", ["almond", "lashes"], dict(lashes=4, lash=9, wing=0.16)),
    ("round_01", "Round", ["round"], dict(open=0.44, w=0.36, skew=0.0, low=0.47, iris=0.5, crease=0.05)),
    ("round_02", "Round lashes", ["round", "lashes"], dict(open=0.44, w=0.36, skew=0.0, low=0.47, iris=0.5,
                                                           crease=0.05, lashes=4, lash=8, wing=0.1)),
    ("big_01", "Big round", ["round", "big"], dict(open=0.46, w=0.43, low=0.46, iris=0.66, crease=0.045)),
    ("small_01", "Small", ["small"], dict(w=0.31, open=0.3, iris=0.5, lash=4)),
    ("narrow_01", "Narrow", ["narrow"], dict(open=0.21, w=0.4, iris=0.52, crease=0.03)),
    ("narrow_02", "Narrow lashes", ["narrow", "lashes"], dict(open=0.21, w=0.4, iris=0.52, crease=0.03, lashes=3,
                                                              lash=9, wing=0.2)),
    ("hooded_01", "Hooded", ["hooded"], dict(open=0.29, skew=0.12, crease=0.0, hood=True, lid=0.3)),
    ("hooded_02", "Hooded lashes", ["hooded", "lashes"], dict(open=0.29, skew=0.12, crease=0.0, hood=True, lid=0.3,
                                                              lashes=3, lash=9, wing=0.18)),
    ("monolid_01", "Monolid", ["monolid", "almond"], dict(open=0.25, w=0.38, tilt=0.12, crease=0.0, skew=0.05,
                                                           lash=7)),
    ("monolid_02", "Monolid lashes", ["monolid", "lashes"], dict(open=0.25, w=0.38, tilt=0.12, crease=0.0, lashes=3,
                                                                 lash=10, wing=0.22)),
    ("upturned_01", "Upturned", ["upturned", "almond"], dict(tilt=0.2, open=0.3, skew=-0.04)),
    ("upturned_02", "Upturned lashes", ["upturned", "lashes"], dict(tilt=0.2, open=0.31, skew=-0.04, lashes=4, lash=9,
                                                                    wing=0.14)),
    ("downturned_01", "Downturned", ["downturned"], dict(tilt=-0.14, skew=0.18, open=0.31)),
    ("downturned_02", "Downturned lashes", ["downturned", "lashes"], dict(tilt=-0.14, skew=0.18, lashes=4, lash=8,
                                                                          wing=0.08)),
    ("wide_01", "Wide set", ["wide", "almond"], dict(w=0.45, open=0.29, iris=0.5)),
    ("deep_01", "Deep set", ["deep_set"], dict(open=0.29, crease=0.075, deep=True, iris=0.6)),
    ("sleepy_01", "Sleepy", ["sleepy", "hooded"], dict(open=0.27, skew=-0.05, lid=0.45, crease=0.03)),
    ("bright_01", "Bright round lashes", ["round", "big", "lashes"], dict(open=0.46, w=0.42, low=0.46, lashes=5,
                                                                         lash=10, iris=0.64, wing=0.12,
                                                                         crease=0.05)),
    ("cat_01", "Cat eye", ["upturned", "almond", "lashes"], dict(tilt=0.22, open=0.26, w=0.41, skew=-0.12, lashes=2,
                                                                 lash=12, wing=0.34)),
]
EYE_DEFAULTS = dict(w=0.39, open=0.32, tilt=0.04, skew=0.06, low=0.4, lash=6.0, lashes=0, iris=0.56, crease=0.04,
                    lid=0.0, hood=False, deep=False, wing=0.05, gaze=None)
EX, EY = 1.9, 2.5  # memoji exaggeration of the drawn eye about its centre (bigger, rounder)


def _lid_curves(w: float, open_: float, skew: float, low: float, n: int = 15):
    """Upper and lower lid (outer → inner) of a left eye centred at the origin, px, untilted."""
    W = w * IOD
    t = np.linspace(0, 1, n)
    peak = float(np.clip(0.5 + skew, 0.2, 0.8))
    tw = t ** (np.log(0.5) / np.log(peak))
    H = open_ * W
    upper = np.stack([-W / 2 + W * t, -H * (1 - low) * np.sin(np.pi * tw) ** 0.8], axis=1)
    lower = np.stack([-W / 2 + W * t, H * low * np.sin(np.pi * t) ** 0.85], axis=1)
    return upper, lower


def eye_geometry(**p):
    q = {**EYE_DEFAULTS, **p}
    if q["lashes"]:  # defined lashes open the eye a little
        q["open"] = q["open"] * 1.06
    up, lo = _lid_curves(q["w"], q["open"], q["skew"], q["low"])
    c = np.array([CX - IOD / 2, EYE_Y])
    up = rot(up, q["tilt"], (0, 0))
    lo = rot(lo, q["tilt"], (0, 0))
    # anchors 36..41: outer, upper 1/3, upper 2/3, inner, lower 2/3, lower 1/3
    six = np.stack([up[0], up[5], up[9], up[14], lo[9], lo[5]])
    shift = six.mean(axis=0)
    return q, up - shift + c, lo - shift + c, six - shift + c


def _eye_defs(pid: str) -> str:
    return "".join([
        radial_grad(f"{pid}-scl", 0.5, 0.6, 0.6, [(0, "#ffffff"), (0.6, "#f7f3f2"), (1, "#d9cdcb")], bbox=True),
        radial_grad(f"{pid}-iris", 0.5, 0.5, 0.5, [(0, "%eyes_lo2%"), (0.3, "%eyes%"), (0.62, "%eyes_hi%"),
                                                   (0.8, "%eyes%"), (0.88, "%eyes_lo3%"), (1, "%eyes_lo3%")],
                    fx=0.5, fy=0.72,
                    bbox=True),
        linear_grad(f"{pid}-lid", 0, 0, 0, 1, [(0, "#3a2420", 0.42), (0.42, "#3a2420", 0.0)], bbox=True),
        radial_grad(f"{pid}-sock", 0.5, 0.62, 0.5, [(0, "%skin_lo2%", 0.34), (0.6, "%skin_lo2%", 0.16),
                                                    (1, "%skin_lo2%", 0.0)], bbox=True),
        linear_grad(f"{pid}-fold", 0, 0, 0, 1, [(0, "%skin%"), (0.7, "%skin_lo%"), (1, "%skin_lo2%")], bbox=True),
    ])


def _below(curve: np.ndarray, other: np.ndarray) -> np.ndarray:
    """``other``'s y at ``curve``'s x (both run along x, either direction)."""
    o = other[np.argsort(other[:, 0])]
    return np.interp(curve[:, 0], o[:, 0], o[:, 1])


def _eye_svg(pid: str, side: str, up: np.ndarray, lo: np.ndarray, q: dict) -> str:
    q = {**EYE_DEFAULTS, **q}
    c = np.array([(up[0, 0] + up[-1, 0]) / 2, np.concatenate([up, lo]).mean(axis=0)[1]])
    sc = np.array([EX, EY])
    U = (up - c) * sc + c
    L = (lo - c) * sc + c
    W = abs(U[-1, 0] - U[0, 0])
    if q["lid"]:  # the upper lid comes down over the eye (hooded, sleepy): the opening's top edge drops
        drop = q["lid"] * (_below(U, L) - U[:, 1]) * np.sin(np.linspace(0.25, np.pi - 0.25, len(U)))
        U = U + np.stack([np.zeros_like(drop), drop], axis=1)
    s_path = smooth_closed(np.concatenate([U, L[::-1][1:-1]]))
    r = q["iris"] * W / 2
    ic = c + [0, 0.05 * r]
    if q["gaze"] is not None:  # expression parts: the iris looks away (x, y in drawn eye widths)
        ic = ic + np.asarray(q["gaze"], dtype=np.float64) * W
    uid = f"{pid}-{side}"
    top, bottom = U[:, 1].min(), L[:, 1].max()
    H = bottom - top
    d_out = U[0] - U[3]
    d_out = d_out / np.linalg.norm(d_out)
    out = [f'<defs><clipPath id="{uid}-clip"><path d="{s_path}"/></clipPath></defs>']
    # the socket: a soft shade above the eye (dark and large when deep set)
    deep = q["deep"]
    out.append(f'<ellipse cx="{f(c[0])}" cy="{f(c[1] - (0.2 if deep else 0.14) * W)}" rx="{f(0.68 * W)}" '
               f'ry="{f((0.56 if deep else 0.42) * W)}" fill="url(#{pid}-sock)" opacity="{1 if deep else 0.75}"/>')
    skin = []
    if q["crease"] > 0:  # the lid: a lit band between the lash line and the crease, the crease a soft dark line
        gap = q["crease"] * IOD * EY
        arc = np.sin(np.linspace(0, np.pi, len(U) - 3))
        cr = U[2:-1] + [0, -gap]
        cr[:, 1] -= 0.2 * gap * arc
        lidband = np.concatenate([U[2:-1] + [0, -0.3 * gap], cr[::-1] + [0, 0.25 * gap]])
        out.append(f'<path d="{smooth_closed(lidband)}" fill="%skin_hi2%" opacity="0.4"/>')
        skin.append(smooth_closed(offset_curve(cr, (3.2 if deep else 2.6) * np.sin(np.linspace(0.15, np.pi - 0.15,
                                                                                              len(cr))))))
    # lower lid line
    skin.append(smooth_closed(offset_curve(L[1:-1] + [0, 2.5], 1.8 * np.sin(np.linspace(0.3, np.pi - 0.3,
                                                                                           len(L) - 2)))))
    out.append(f'<path d="{"".join(skin)}" fill="%skin_lo3%" opacity="0.5"/>')
    # the eye, clipped to its opening: white, iris (limbal ring, pupil), lid shadow, highlights
    out.append(f'<g clip-path="url(#{uid}-clip)">')
    out.append(f'<path d="{s_path}" fill="url(#{pid}-scl)"/>')
    out.append(f'<circle cx="{f(ic[0])}" cy="{f(ic[1])}" r="{f(r)}" fill="url(#{pid}-iris)"/>')
    out.append(f'<circle cx="{f(ic[0])}" cy="{f(ic[1])}" r="{f(r * 0.4)}" fill="#0d0807"/>')
    out.append(f'<path d="{s_path}" fill="url(#{pid}-lid)"/>')  # the lid's shadow on the eye
    hx, hy = ic[0] - 0.34 * r, ic[1] - 0.36 * r
    out.append(f'<ellipse cx="{f(hx)}" cy="{f(hy)}" rx="{f(0.3 * r)}" ry="{f(0.24 * r)}" fill="#ffffff" '
               f'opacity="0.95" transform="rotate(-25 {f(hx)} {f(hy)})"/>'
               f'<circle cx="{f(ic[0] + 0.36 * r)}" cy="{f(ic[1] + 0.3 * r)}" r="{f(0.11 * r)}" fill="#ffffff" '
               f'opacity="0.85"/>')
    out.append("</g>")
    if q["hood"]:  # a heavy fold of skin over the lid, reaching down to the lash line
        fold = np.concatenate([U + [0, 2], (U[::-1] + [0, -0.22 * H]) - [0, 0.1 * H] * np.sin(
            np.linspace(0, np.pi, len(U)))[:, None]])
        out.append(f'<path d="{smooth_closed(fold)}" fill="url(#{pid}-fold)"/>')
    # lash line (thick towards the outer corner, flicking out into a wing) and lashes, one path
    wing = q["wing"] * W
    flick = U[0] + d_out * wing + [0, -0.45 * wing - 0.03 * W]
    line = np.concatenate([[flick], U])
    lw = np.interp(np.linspace(0, 1, len(line)), [0, 0.12, 0.5, 1], [0.6, q["lash"] * 0.55, q["lash"] * 0.38, 0.9])
    lash = [smooth_closed(offset_curve(line, lw))]
    n = int(q["lashes"])
    for k in range(n):  # clumps from the outer corner inwards, longest at the corner, curling out and up
        base = U[min(1 + 2 * k, len(U) - 2)]
        # a lash leaves the lid leaning outwards and curls further out: its heading turns from th0 to th1
        # (radians from straight up, outwards > 0; the outer lashes fan out further than the inner ones)
        sx = np.sign(d_out[0])
        ln = (0.15 - 0.016 * k) * W
        th = np.linspace(0.35 - 0.07 * k, 1.25 - 0.12 * k, 5)
        steps = np.stack([sx * np.sin(th), -np.cos(th)], axis=1) * (ln / 4)
        pts = base + np.concatenate([[[0.0, 0.0]], np.cumsum(steps[:-1], axis=0)])
        lash.append(smooth_closed(offset_curve(pts, [2.8, 2.2, 1.6, 0.9, 0.3])))
    if n:  # a soft lower lash line at the outer half
        low = L[:8] + [0, 3]
        lash.append(smooth_closed(offset_curve(low, np.interp(np.linspace(0, 1, len(low)), [0, 0.3, 1],
                                                              [0.4, 1.6, 0.2]))))
    out.append(f'<path d="{"".join(lash)}" fill="{LASH}"/>')
    return "".join(out)


def eye_parts() -> list[PartDef]:
    out = []
    for key, name, tags, p in EYES:
        pid = f"eyes_{key}"
        q, up, lo, six = eye_geometry(**p)
        # right eye = mirror; its curves still run outer -> inner
        up_r, lo_r = mirror_x(up), mirror_x(lo)
        six_r = mirror_x(six)[[3, 2, 1, 0, 5, 4]]
        layers = {"left": f"<defs>{_eye_defs(pid)}</defs>" + _eye_svg(pid, "l", up, lo, q),
                  "right": _eye_svg(pid, "r", up_r, lo_r, q)}
        out.append(PartDef(pid, "eyes", name, tags, layers,
                           {"left": anchors_list(six), "right": anchors_list(six_r)}, ["eyes", "skin"], params=p))
    return out
