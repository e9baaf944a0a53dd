"""Eyes, brows, noses and mouths.

Each part's anchors are the *realistic* landmark positions it stands for (canonical frame); the drawing may
exaggerate around them the memoji way (eyes are drawn bigger about their centre).
"""
from __future__ import annotations

import numpy as np

from ..svg import f, linear_grad, mirror_x, offset_curve, polyline, radial_grad, smooth_closed
from .common import CX, EYE_Y, IOD, M, PartDef, anchors_list, rot

LASH = "#271a16"

# ---- eyes -----------------------------------------------------------------------------------------------------
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


# ---- brows ----------------------------------------------------------------------------------------------------
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


# ---- noses ----------------------------------------------------------------------------------------------------
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


# ---- mouths ---------------------------------------------------------------------------------------------------
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
