"""Glasses (frames with translucent lenses) and headwear."""
from __future__ import annotations

import numpy as np

from ..svg import f, linear_grad, mirror_x, radial_grad, smooth_closed, smooth_open
from .common import CRANIUM_CY, CRANIUM_RX, CRANIUM_TOP, CX, EDGE_X, EYE_Y, IOD, M, PartDef, drawn_jaw

LENS_C = np.array([CX - IOD / 2, EYE_Y + 6])


def _lens(shape: str, n: int = 40) -> np.ndarray:
    """Left lens outline (image left), canonical px."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    c, s = np.cos(t), np.sin(t)
    cx, cy = LENS_C
    if shape == "round":
        r = 64
        return np.stack([cx + r * c, cy + r * s], 1)
    if shape == "oval":
        return np.stack([cx + 72 * c, cy + 54 * s], 1)
    if shape in ("rect", "wayfarer"):
        p = 5.0
        x = 76 * np.sign(c) * np.abs(c) ** (2 / p)
        y = 54 * np.sign(s) * np.abs(s) ** (2 / p)
        if shape == "wayfarer":  # wider on top
            x = x * (1 + 0.1 * (-s))
            y = y - 4
        return np.stack([cx + x, cy + y], 1)
    if shape == "aviator":
        x = 74 * c
        y = np.where(s < 0, 46 * s, 70 * s)
        x = x - 10 * np.maximum(s, 0) * (c > 0)  # teardrop leaning to the nose
        return np.stack([cx + x, cy - 6 + y], 1)
    if shape == "cat_eye":
        x = 76 * np.sign(c) * np.abs(c) ** 0.8
        y = 50 * np.sign(s) * np.abs(s) ** 0.9
        y = y - 22 * np.clip(-c, 0, 1) ** 3 * (s < 0.3)  # swept-up outer corner (outer is -x for the left lens)
        return np.stack([cx + x, cy + y], 1)
    raise ValueError(shape)


GLASSES = [
    ("glasses_round_01", "Round", ["round"], dict(shape="round", t=7)),
    ("glasses_round_02", "Round thin metal", ["round", "metal", "thin"], dict(shape="round", t=3.5)),
    ("glasses_rect_01", "Rectangular", ["rect"], dict(shape="rect", t=8)),
    ("glasses_rect_02", "Rectangular thin", ["rect", "thin"], dict(shape="rect", t=4)),
    ("glasses_oval_01", "Oval", ["round", "oval"], dict(shape="oval", t=6)),
    ("glasses_aviator_01", "Aviator", ["aviator", "metal"], dict(shape="aviator", t=4)),
    ("glasses_cat_eye_01", "Cat eye", ["cat_eye"], dict(shape="cat_eye", t=9)),
    ("glasses_rimless_01", "Rimless", ["rimless", "rect"], dict(shape="rect", t=0)),
    ("glasses_sun_01", "Wayfarer sunglasses", ["sunglasses", "rect"], dict(shape="wayfarer", t=9, sun=True)),
    ("glasses_sun_02", "Aviator sunglasses", ["sunglasses", "aviator"], dict(shape="aviator", t=4, sun=True)),
]


def glasses_svg(pid: str, shape: str, t: float, sun: bool = False) -> str:
    lens = _lens(shape)
    cx, cy = LENS_C
    top = lens[:, 1].min()
    bot = lens[:, 1].max()
    defs = [
        linear_grad(f"{pid}-fr", 0, top - t, 0, bot + t, [(0, "%glasses_hi%"), (0.5, "%glasses%"),
                                                           (1, "%glasses_lo2%")]),
        linear_grad(f"{pid}-tint", 0, top, 0, bot, [(0, "#1a1b22", 0.9), (1, "#2a2c36", 0.78)] if sun else
                    [(0, "#dfe9f5", 0.22), (1, "#ffffff", 0.08)]),
    ]
    out = [f'<defs>{"".join(defs)}</defs>']
    inner_x = lens[np.argmax(lens[:, 0]), 0]
    outer_x = lens[np.argmin(lens[:, 0]), 0]
    for side in (-1, 1):
        L = lens if side < 0 else mirror_x(lens)
        lp = smooth_closed(L)
        out.append(f'<path d="{lp}" fill="url(#{pid}-tint)"/>')
        # a diagonal reflection streak inside the lens
        lcx = cx if side < 0 else 2 * CX - cx
        streak = np.array([[lcx - 40, cy - 10], [lcx - 8, cy - 48], [lcx + 8, cy - 40], [lcx - 26, cy + 4]])
        out.append(f'<defs><clipPath id="{pid}-c{side + 1}"><path d="{lp}"/></clipPath></defs>'
                   f'<g clip-path="url(#{pid}-c{side + 1})"><path d="{smooth_closed(streak)}" fill="#ffffff" '
                   f'opacity="{0.35 if sun else 0.28}"/>'
                   f'<path d="{smooth_closed(streak + [44, 20])}" fill="#ffffff" opacity="{0.18 if sun else 0.14}"/>'
                   f'</g>')
        if t > 0:
            # frame ring: outer outline + the lens outline reversed (even-odd)
            c0 = L.mean(axis=0)
            d = L - c0
            nrm = np.linalg.norm(d, axis=1, keepdims=True)
            outer = c0 + d * (1 + t / nrm)
            out.append(f'<path d="{smooth_closed(outer)}{smooth_closed(L[::-1])}" fill="url(#{pid}-fr)" '
                       f'fill-rule="evenodd"/>')
        # temple arm towards the ear
        ox = outer_x if side < 0 else 2 * CX - outer_x
        ex = EDGE_X - 4 if side < 0 else 2 * CX - EDGE_X + 4
        arm_y = cy - (bot - top) * 0.28
        w = max(t, 4.5)
        x0, x1 = sorted((ox, ex))
        out.append(f'<rect x="{f(x0)}" y="{f(arm_y - w / 2)}" width="{f(x1 - x0)}" height="{f(w)}" rx="{f(w / 2)}" '
                   f'fill="url(#{pid}-fr)"/>')
    # bridge
    ix = inner_x
    by = cy - (bot - top) * 0.22
    bw = max(t, 4.0)
    out.append(f'<path d="M{f(ix - 2)},{f(by)} Q{f(CX)},{f(by - 16)} {f(2 * CX - ix + 2)},{f(by)}" fill="none" '
               f'stroke="url(#{pid}-fr)" stroke-width="{f(bw)}" stroke-linecap="round"/>')
    if shape == "aviator":
        out.append(f'<path d="M{f(ix - 8)},{f(top + 4)} L{f(2 * CX - ix + 8)},{f(top + 4)}" fill="none" '
                   f'stroke="url(#{pid}-fr)" stroke-width="{f(bw * 0.8)}" stroke-linecap="round"/>')
    return "".join(out)


def glasses_parts() -> list[PartDef]:
    out = []
    for pid, name, tags, p in GLASSES:
        lens = _lens(p["shape"])
        anchors = {"left_lens": [[round(float(x), 2), round(float(y), 2)] for x, y in lens[::5]],
                   "right_lens": [[round(float(x), 2), round(float(y), 2)] for x, y in mirror_x(lens)[::5]]}
        out.append(PartDef(pid, "glasses", name, tags, {"main": glasses_svg(pid, **p)}, anchors, ["glasses"],
                           params=p))
    return out


# ---- headwear -------------------------------------------------------------------------------------------------
def _dome(vol: float, bottom: float, n: int = 41) -> np.ndarray:
    t = np.linspace(np.pi, 2 * np.pi, n)
    s = np.sin(t)
    ry = CRANIUM_CY - CRANIUM_TOP + vol
    x = CX + (CRANIUM_RX + vol * 0.8) * np.cos(t)
    y = CRANIUM_CY + ry * np.sign(s) * np.abs(s) ** 0.85
    pts = np.stack([x, y], 1)
    pts = pts[pts[:, 1] <= bottom]
    return pts


def _grads(pid: str, top: float, bottom: float) -> str:
    return "".join([
        radial_grad(f"{pid}-g", CX - 80, top + 60, 380, [(0, "%headwear_hi%"), (0.5, "%headwear%"),
                                                         (1, "%headwear_lo2%")], fx=CX - 100, fy=top + 30),
        linear_grad(f"{pid}-band", 0, bottom - 70, 0, bottom, [(0, "%headwear_hi%"), (1, "%headwear_lo%")]),
        linear_grad(f"{pid}-shadow", 0, bottom, 0, bottom + 26, [(0, "#1a0d08", 0.3), (1, "#1a0d08", 0.0)]),
    ])


def headwear_svg(pid: str, kind: str) -> tuple[str, str]:
    if kind == "beanie":
        bottom = 316
        dome = _dome(56, bottom)
        top = dome[:, 1].min()
        dome = np.concatenate([dome, [[dome[-1, 0] + 4, bottom + 6], [CX, bottom + 14], [dome[0, 0] - 4, bottom + 6]]])
        cuff = np.array([[dome[0, 0] - 8, bottom - 76], [CX, bottom - 92], [dome[-4, 0] + 10, bottom - 76],
                         [dome[-4, 0] + 12, bottom + 4], [CX, bottom + 16], [dome[0, 0] - 12, bottom + 4]])
        cuff[2, 0] = 2 * CX - cuff[0, 0]
        cuff[3, 0] = 2 * CX - cuff[5, 0]
        ribs = "".join(f'<path d="M{f(CX + i * 30)},{f(bottom - 78 + abs(i) * 1.5)} L{f(CX + i * 30.6)},'
                       f'{f(bottom + 8 - abs(i) * 0.6)}" stroke="%headwear_lo2%" stroke-width="5" opacity="0.4" '
                       f'stroke-linecap="round"/>' for i in range(-7, 8))
        pom = (f'<circle cx="{f(CX)}" cy="{f(top - 26)}" r="40" fill="url(#{pid}-g)"/>')
        front = (f'<defs>{_grads(pid, top, bottom)}</defs>'
                 f'<path d="{smooth_closed(np.concatenate([dome[:, :] , [[CX, bottom + 20]]]))}" fill="url(#{pid}-shadow)"/>'
                 f'{pom}<path d="{smooth_closed(dome)}" fill="url(#{pid}-g)"/>'
                 f'<path d="{smooth_closed(cuff)}" fill="url(#{pid}-band)"/>{ribs}')
        return "", front
    if kind == "cap":
        bottom = 272
        dome = _dome(40, bottom)
        top = dome[:, 1].min()
        crown = np.concatenate([dome, [[dome[-1, 0] - 6, bottom + 8], [CX, bottom + 2], [dome[0, 0] + 6, bottom + 8]]])
        # the visor seen from the front: a wide arc below the crown's front edge, darker underneath
        brim = np.array([[CX - 214, bottom - 4], [CX - 120, bottom - 16], [CX, bottom - 20], [CX + 120, bottom - 16],
                         [CX + 214, bottom - 4], [CX + 226, bottom + 22], [CX + 120, bottom + 42], [CX, bottom + 48],
                         [CX - 120, bottom + 42], [CX - 226, bottom + 22]])
        under = np.array([[CX - 200, bottom + 16], [CX, bottom + 40], [CX + 200, bottom + 16], [CX + 214, bottom + 26],
                          [CX, bottom + 50], [CX - 214, bottom + 26]])
        seams = "".join(f"M{f(CX + dx)},{f(top + 6)}Q{f(CX + dx * 1.9)},{f(top + 60)} {f(CX + dx * 2.6)},{f(bottom - 16)}"
                        for dx in (-40, 40))
        front = (f'<defs>{_grads(pid, top, bottom)}'
                 + linear_grad(f"{pid}-brim", 0, bottom - 20, 0, bottom + 50, [(0, "%headwear_hi%"),
                                                                               (0.6, "%headwear%"),
                                                                               (1, "%headwear_lo2%")])
                 + f'</defs><ellipse cx="{f(CX)}" cy="{f(bottom + 58)}" rx="190" ry="20" fill="#1a0d08" '
                 f'opacity="0.22"/>'
                 f'<path d="{smooth_closed(crown)}" fill="url(#{pid}-g)"/>'
                 f'<path d="{seams}" fill="none" stroke="%headwear_lo2%" stroke-width="4" opacity="0.45"/>'
                 f'<circle cx="{f(CX)}" cy="{f(top + 6)}" r="12" fill="%headwear_lo%"/>'
                 f'<path d="{smooth_closed(brim)}" fill="url(#{pid}-brim)"/>'
                 f'<path d="{smooth_closed(under)}" fill="%headwear_lo3%" opacity="0.8"/>')
        return "", front
    if kind == "headband":
        y = 232
        band = np.array([[CX - 214, y + 40], [CX - 150, y - 30], [CX, y - 52], [CX + 150, y - 30],
                         [CX + 214, y + 40], [CX + 200, y + 70], [CX + 140, y + 6], [CX, y - 14], [CX - 140, y + 6],
                         [CX - 200, y + 70]])
        front = (f'<defs>{_grads(pid, y - 60, y + 40)}</defs>'
                 f'<path d="{smooth_closed(band)}" fill="url(#{pid}-band)"/>'
                 f'<path d="M{f(CX - 140)},{f(y - 14)} Q{f(CX)},{f(y - 52)} {f(CX + 140)},{f(y - 14)}" fill="none" '
                 f'stroke="%headwear_hi2%" stroke-width="5" opacity="0.5" stroke-linecap="round"/>')
        return "", front
    if kind == "bucket_hat":
        bottom = 262
        dome = _dome(40, bottom)
        top = dome[:, 1].min()
        crown = np.concatenate([dome, [[CX, bottom + 4]]])
        brim = np.array([[CX - 236, bottom - 30], [CX, bottom - 50], [CX + 236, bottom - 30], [CX + 282, bottom + 40],
                         [CX, bottom + 66], [CX - 282, bottom + 40]])
        front = (f'<defs>{_grads(pid, top, bottom)}</defs>'
                 f'<ellipse cx="{f(CX)}" cy="{f(bottom + 60)}" rx="200" ry="18" fill="#1a0d08" opacity="0.2"/>'
                 f'<path d="{smooth_closed(brim)}" fill="url(#{pid}-band)"/>'
                 f'<path d="{smooth_closed(crown)}" fill="url(#{pid}-g)"/>'
                 f'<path d="M{f(CX - 214)},{f(bottom - 36)} Q{f(CX)},{f(bottom - 62)} {f(CX + 214)},{f(bottom - 36)}" '
                 f'fill="none" stroke="%headwear_lo2%" stroke-width="16" opacity="0.55"/>')
        return "", front
    if kind == "hijab":
        return "", _hijab(pid)
    if kind == "turban":
        return "", _turban(pid)
    raise ValueError(kind)


def _hijab_opening() -> np.ndarray:
    """The face opening of the hijab (closed, clockwise from the chin): the mean drawn jaw pulled in a little, then
    an arch over the forehead at the hairline."""
    jaw = drawn_jaw(np.asarray(M[0:17], dtype=np.float64))
    jaw[:, 0] = CX + (jaw[:, 0] - CX) * 0.97
    jaw[:, 1] = np.minimum(jaw[:, 1], 794.0)
    side = jaw[2:15]  # from the left cheek under the chin to the right cheek
    t = np.linspace(0.0, np.pi, 15)[1:-1]
    rx = (side[-1, 0] - side[0, 0]) / 2
    arch = np.stack([CX + rx * np.cos(t), side[-1, 1] - (side[-1, 1] - 204) * np.sin(t) ** 0.7], 1)
    return np.concatenate([side, arch])


def _hijab(pid: str) -> str:
    """A hijab: one drape from above the crown over the ears, neck and shoulders, with an opening for the face; it
    hides all hair and the ears (the renderer draws neither under it: params ``hides``)."""
    outer = np.array([[CX, 56], [CX + 156, 82], [CX + 244, 176], [CX + 268, 310], [CX + 266, 470], [CX + 250, 610],
                      [CX + 232, 730], [CX + 250, 830], [CX + 290, 900], [CX + 300, 980], [CX + 300, 1200],
                      [CX - 300, 1200], [CX - 300, 980], [CX - 290, 900], [CX - 250, 830], [CX - 232, 730],
                      [CX - 250, 610], [CX - 266, 470], [CX - 268, 310], [CX - 244, 176], [CX - 156, 82]])
    hole = _hijab_opening()
    defs = "".join([
        radial_grad(f"{pid}-g", CX - 90, 260, 620, [(0, "%headwear_hi%"), (0.45, "%headwear%"),
                                                    (1, "%headwear_lo2%")], fx=CX - 130, fy=180),
        linear_grad(f"{pid}-rim", CX - 262, 0, CX + 262, 0, [(0, "%headwear_hi2%", 0.8), (0.35, "%headwear_hi2%", 0),
                                                            (0.8, "%headwear_hi2%", 0), (1, "%headwear_hi2%", 0.5)]),
    ])
    folds = []
    for sgn in (-1, 1):  # drape folds from under the chin to the shoulders, and along the sides of the face
        for k, (x0, y0, x1, y1) in enumerate(((120, 760, 250, 1000), (60, 810, 130, 1040), (200, 560, 215, 760))):
            folds.append(f'<path d="M{f(CX + sgn * x0)},{f(y0)} Q{f(CX + sgn * (x0 + x1) * 0.56)},{f((y0 + y1) / 2)} '
                         f'{f(CX + sgn * x1)},{f(y1)}" fill="none" stroke="%headwear_lo2%" stroke-width="{7 - k * 2}" '
                         f'stroke-linecap="round" opacity="0.45"/>')
    return (f'<defs>{defs}</defs>'
            # the fabric's soft shadow on the face just inside the opening
            f'<path d="{smooth_closed(hole)}" fill="none" stroke="#1a0d08" stroke-width="34" opacity="0.16"/>'
            f'<path d="{smooth_closed(outer, 0.2)}{smooth_closed(hole[::-1])}" fill="url(#{pid}-g)" '
            f'fill-rule="evenodd"/>'
            # a rolled inner edge around the face, and a rim light on the outline
            f'<path d="{smooth_closed(hole)}" fill="none" stroke="%headwear_lo%" stroke-width="12"/>'
            f'<path d="{smooth_closed(hole * [1, 1] + [0, -3])}" fill="none" stroke="%headwear_hi%" stroke-width="3" '
            f'opacity="0.6"/>'
            + "".join(folds)
            + f'<path d="{smooth_open(np.concatenate([outer[15:], outer[:7]]), 0.2)}" '
              f'fill="none" stroke="url(#{pid}-rim)" stroke-width="7" stroke-linecap="round"/>')


TURBAN_EDGE = np.array([[CX - 264, 424], [CX - 250, 376], [CX - 206, 318], [CX - 110, 264], [CX, 240],
                        [CX + 110, 264], [CX + 206, 318], [CX + 250, 376], [CX + 264, 424]])


def _turban(pid: str) -> str:
    """A turban: a tall wrapped crown over the top of the head whose folds meet in a point over the forehead; hair
    shows only below its lower edge (the ``hair_line`` anchor)."""
    t = np.linspace(np.pi, 2 * np.pi, 31)
    dome = np.stack([CX + 262 * np.cos(t), 372 + 352 * np.sign(np.sin(t)) * np.abs(np.sin(t)) ** 0.7], 1)
    dome = np.concatenate([[[CX - 264, 424]], dome[dome[:, 1] <= 372], [[CX + 264, 424]]])
    shape = np.concatenate([dome, TURBAN_EDGE[::-1][1:-1]])
    defs = radial_grad(f"{pid}-g", CX - 80, 120, 420, [(0, "%headwear_hi%"), (0.5, "%headwear%"),
                                                       (1, "%headwear_lo2%")], fx=CX - 110, fy=90)
    wraps = []
    for k in range(1, 5):  # wrapped layers: nested folds rising from the temples to a peak over the forehead
        lift = k * 46.0
        fold = TURBAN_EDGE - [0, lift]
        fold[:, 0] = CX + (fold[:, 0] - CX) * (1 - 0.035 * k)
        fold[:, 1] += np.abs(fold[:, 0] - CX) * 0.05 * k  # flatter towards the crown
        # the left half lies over the right: its fold runs a little past the centre line
        left = np.concatenate([fold[:5], [[CX + 30, fold[4, 1] + 10]]])
        right = fold[4:]
        for seg, op in ((left, 0.5), (right, 0.4)):
            path = smooth_open(seg)
            wraps.append(f'<path d="{path}" fill="none" stroke="%headwear_lo2%" stroke-width="7" opacity="{op}" '
                         f'stroke-linecap="round"/>'
                         f'<path d="{path}" fill="none" stroke="%headwear_hi2%" stroke-width="3" opacity="0.4" '
                         f'stroke-linecap="round" transform="translate(0,-8)"/>')
    return (f'<defs>{defs}</defs>'
            f'<path d="{smooth_open(TURBAN_EDGE + [0, 14])}" fill="none" stroke="#1a0d08" stroke-width="22" '
            f'opacity="0.16"/>'
            f'<path d="{smooth_closed(shape, 0.1)}" fill="url(#{pid}-g)"/>' + "".join(wraps)
            + f'<path d="{smooth_open(TURBAN_EDGE)}" fill="none" stroke="%headwear_lo%" stroke-width="8"/>')


# hair shows only below this line under each headwear (left to right, canonical px; the renderer clips the hair
# layers above it): the hat's lower edge, a little above its drawn bottom so that nothing shows through a gap
HAIR_LINES = {
    "beanie": [[0, 300], [262, 300], [CX, 312], [762, 300], [1024, 300]],
    "cap": [[0, 262], [272, 262], [CX, 268], [752, 262], [1024, 262]],
    "bucket_hat": [[0, 286], [236, 286], [CX, 298], [788, 286], [1024, 286]],
    # under a turban no fringe shows on the forehead: hair above the brows inside the face's width is tucked in
    "turban": [[0, 430], [CX - 264, 430], [CX - 250, 382], [CX - 206, 324], [CX - 184, 424], [CX + 184, 424],
               [CX + 206, 324], [CX + 250, 382], [CX + 264, 430], [1024, 430]],
}

HEADWEAR = [
    ("hat_beanie_01", "Beanie", ["beanie", "warm"], "beanie"),
    ("hat_cap_01", "Baseball cap", ["cap", "sporty"], "cap"),
    ("hat_headband_01", "Headband", ["headband", "sporty"], "headband"),
    ("hat_bucket_01", "Bucket hat", ["bucket_hat", "hat"], "bucket_hat"),
    # worn for faith or culture: never offered by the photo search (tag "on_request"), only when asked for
    ("hat_hijab_01", "Hijab", ["hijab", "headscarf", "covers_hair", "on_request"], "hijab"),
    ("hat_turban_01", "Turban", ["turban", "wrap", "on_request"], "turban"),
]


def headwear_parts() -> list[PartDef]:
    out = []
    for pid, name, tags, kind in HEADWEAR:
        back, front = headwear_svg(pid, kind)
        layers = {"back": back, "front": front} if back else {"front": front}
        anchors = {"crown": [[CX, float(CRANIUM_TOP)]]}
        if kind in HAIR_LINES:
            anchors["hair_line"] = [[float(x), float(y)] for x, y in HAIR_LINES[kind]]
        # "hides": categories the renderer does not draw under it (a hijab covers all hair and the ears)
        params = {"kind": kind, "hides": ["hair", "ears"] if kind == "hijab" else []}
        if kind == "hijab":
            params["fit"] = "chin"  # stretched from the crown so that its opening ends at the drawn face's chin
        out.append(PartDef(pid, "headwear", name, tags, layers, anchors, ["headwear"], params=params))
    return out
