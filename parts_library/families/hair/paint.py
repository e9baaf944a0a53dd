"""SVG primitives of hair: the shared gradients, strands, curl texture, stubble grain, balls (buns, puffs), braids and
ropes (locs, box braids, twists, cornrows). Each returns SVG text with ``%slot%`` colour placeholders."""
from __future__ import annotations

import numpy as np

from ...svg import f, linear_grad, offset_curve, radial_grad, smooth_closed
from ..common import CX
from .spec import HairSpec, bumps, texture_wave

__all__ = ["grad_defs", "strands", "arc_path", "curl_texture", "bez", "strand", "forehead_shadow", "ball", "braid",
           "rope_line", "ropes", "grain"]


def grad_defs(pid: str, top: float, bottom: float) -> list[str]:
    sy = max(1.0, (bottom - top) / 560)
    cy = top + 90
    return [
        radial_grad(f"{pid}-cap", CX - 70, cy, 430, [(0, "%hair_hi%"), (0.35, "%hair%"), (0.75, "%hair_lo%"),
                                                     (1, "%hair_lo2%")], fx=CX - 90, fy=top + 40,
                    transform=f"translate(0,{f(cy)}) scale(1,{sy:.3f}) translate(0,{f(-cy)})" if sy > 1 else None),
        linear_grad(f"{pid}-back", 0, 200, 0, bottom, [(0, "%hair_lo%"), (0.6, "%hair_lo2%"), (1, "%hair_lo2%")]),
        radial_grad(f"{pid}-deep", CX, 560, 260, [(0, "%hair_lo3%", 0.85), (1, "%hair_lo3%", 0.0)]),
        linear_grad(f"{pid}-band", CX - 200, 0, CX + 200, 0, [(0, "%hair_hi2%", 0.0), (0.3, "%hair_hi2%", 0.6),
                                                             (0.55, "%hair_hi2%", 0.45), (1, "%hair_hi2%", 0.0)]),
    ]


def strands(pid: str, h: HairSpec, hl: np.ndarray, top_y: float) -> list[str]:
    """Strands flowing from the parting/crown over the cap to the hairline (and down long locks): long darker
    grooves between locks, shorter lighter glints on them, at jittered places and lengths (seeded by the part id,
    so a part always draws the same), each kind merged into one path."""
    rng = np.random.default_rng(sum(map(ord, pid)) + 7)
    px = CX + (h.part if h.part is not None else 0)
    src = np.array([px, top_y + 36])
    if h.top == "slick":
        src = np.array([CX, top_y + 6])
    n = 16
    dark, light = [], []
    ends = np.linspace(0.03, 0.97, n) + rng.uniform(-0.02, 0.02, n)
    for j, u in enumerate(ends):
        i = int(round(np.clip(u, 0, 1) * (len(hl) - 1)))
        end = hl[i] + [0, -6]
        side = np.sign(end[0] - px) or (1.0 if j % 2 else -1.0)
        glint = j % 3 == 1
        start_f = rng.uniform(0.0, 0.15) if not glint else rng.uniform(0.25, 0.5)
        mid = (src + end) / 2 + [side * 30 * (0.4 + abs(end[0] - px) / 200), -22 + rng.uniform(-6, 6)]
        if h.texture == "wavy":
            mid = mid + [side * 14 * np.sin(j * 1.7), 0]
        pts = [src + (end - src) * (0.06 + start_f) + [side * 8, 0], mid, end]
        if h.top == "spiky":  # brushed up: from the hairline up and out to the spikes
            tip = np.array([CX + (end[0] - CX) * 1.25, top_y + 20 + abs(end[0] - CX) * 0.45])
            pts = [end + [0, -4], (end + tip) / 2 + [side * 10, 0], tip]
        line = bez(np.stack(pts), 9)
        if h.locks is not None and abs(end[0] - CX) > 150:  # continue down the lock
            x_end = end[0] + side * 20
            down = np.stack([np.linspace(end[0], x_end, 6), np.linspace(end[1], h.locks - 40, 6)], 1)
            if h.texture == "wavy":
                down[:, 0] += side * 10 * np.sin(np.linspace(0, 3 * np.pi, 6))
            line = np.concatenate([line, down[1:]])
        wmax = rng.uniform(2.2, 3.6) if not glint else rng.uniform(2.6, 4.2)
        w = np.interp(np.linspace(0, 1, len(line)), [0, 0.25, 0.8, 1], [0.3, wmax, wmax * 0.7, 0.2])
        (light if glint else dark).append(smooth_closed(offset_curve(line, w)))
    if h.locks is not None:  # strands down the locks beside the face, following their outward drift
        for s_ in (-1.0, 1.0):
            for k in range(4):
                x0 = CX + s_ * (204 + 12 * k + rng.uniform(-3, 3))
                y0 = h.temple_y + 30 + 25 * k
                y1 = h.locks - 20 - rng.uniform(0, 50)
                drift = s_ * (10 + 8 * k + h.lock_w * 0.25)
                ctrl = np.array([[x0, y0], [x0 + drift * 0.3, (y0 + y1) / 2], [x0 + drift, y1]])
                if h.texture == "wavy":
                    ctrl[1, 0] += s_ * 12
                line = bez(ctrl, 12)
                w = np.interp(np.linspace(0, 1, len(line)), [0, 0.3, 1], [0.3, 2.6, 0.3])
                (light if k % 2 else dark).append(smooth_closed(offset_curve(line, w)))
    return [f'<path d="{"".join(dark)}" fill="%hair_lo2%" opacity="0.55"/>',
            f'<path d="{"".join(light)}" fill="%hair_hi2%" opacity="0.55"/>']


def arc_path(cx: float, cy: float, r: float, a0: float, a1: float) -> str:
    p0 = (cx + r * np.cos(a0), cy + r * np.sin(a0))
    p1 = (cx + r * np.cos(a1), cy + r * np.sin(a1))
    return f"M{f(p0[0])},{f(p0[1])}A{f(r)},{f(r)} 0 0,1 {f(p1[0])},{f(p1[1])}"


def curl_texture(pid: str, outline: np.ndarray, h: HairSpec, top: float, bottom: float) -> list[str]:
    """Ringlets over the cap (curly/coily): a repeating tile (an SVG pattern, cheap to draw) of curls, each a light
    loop on its upper left and a dark one on its lower right, at jittered positions, sizes and turns."""
    rng = np.random.default_rng(sum(map(ord, pid)))
    r = 10.0 if h.texture == "coily" else 17.0
    cols, rows = 4, 4
    step = r * 1.9
    tw, th = step * cols, step * 0.8 * rows
    light, dark = [], []
    for row in range(rows):
        for col in range(cols):
            cx0 = col * step + (step / 2 if row % 2 else 0) + rng.uniform(-0.2, 0.2) * step
            cy0 = (row + 0.5) * th / rows + rng.uniform(-0.15, 0.15) * step
            rr = r * rng.uniform(0.75, 1.15)
            turn = rng.uniform(-0.5, 0.5)
            for dx in (-tw, 0, tw):  # wrap curls crossing the tile edge
                for dy in (-th, 0, th):
                    cx, cy = cx0 + dx, cy0 + dy
                    if -1.2 * rr < cx < tw + 1.2 * rr and -1.2 * rr < cy < th + 1.2 * rr:
                        light.append(arc_path(cx, cy, rr * 0.72, np.pi * 1.02 + turn, np.pi * 1.72 + turn))
                        dark.append(arc_path(cx, cy, rr * 0.8, np.pi * 0.05 + turn, np.pi * 0.75 + turn))
    w = r * 0.24
    tile = (f'<pattern id="{pid}-curl" patternUnits="userSpaceOnUse" x="0" y="{f(top)}" width="{f(tw)}" '
            f'height="{f(th)}"><path d="{"".join(dark)}" fill="none" stroke="%hair_lo3%" stroke-width="{f(w * 1.2)}" '
            f'stroke-linecap="round" opacity="0.38"/><path d="{"".join(light)}" fill="none" stroke="%hair_hi2%" '
            f'stroke-width="{f(w)}" stroke-linecap="round" opacity="0.42"/></pattern>')
    cap = smooth_closed(outline)
    return [f"<defs>{tile}</defs>", f'<path d="{cap}" fill="url(#{pid}-curl)"/>']


def grain(pid: str, outline: np.ndarray, h: HairSpec) -> list[str]:
    """The stubble of a buzz or shaved cut (an SVG pattern, cheap to draw): short dark and light flecks at jittered
    places and angles, tighter little curls for coily hair, filling the cap."""
    rng = np.random.default_rng(sum(map(ord, pid)) + 11)
    tw = 13.0
    dark, light = [], []
    for j in range(7):
        x, y = rng.uniform(0, tw, 2)
        a = rng.uniform(0, np.pi)
        ln = 3.2 if h.texture != "coily" else 2.2
        for dx in (-tw, 0, tw):  # wrap flecks crossing the tile edge
            for dy in (-tw, 0, tw):
                cx, cy = x + dx, y + dy
                if -4 < cx < tw + 4 and -4 < cy < tw + 4:
                    seg = (f"M{f(cx - ln * np.cos(a))},{f(cy - ln * np.sin(a))}"
                           f"L{f(cx + ln * np.cos(a))},{f(cy + ln * np.sin(a))}")
                    if h.texture == "coily":
                        seg = arc_path(cx, cy, 2.6, a, a + 4.2)
                    (light if j % 3 == 2 else dark).append(seg)
    tile = (f'<pattern id="{pid}-grain" patternUnits="userSpaceOnUse" width="{f(tw)}" height="{f(tw)}">'
            f'<path d="{"".join(dark)}" fill="none" stroke="%hair_lo3%" stroke-width="1.1" stroke-linecap="round" '
            f'opacity="0.3"/><path d="{"".join(light)}" fill="none" stroke="%hair_hi2%" stroke-width="0.9" '
            f'stroke-linecap="round" opacity="0.2"/></pattern>')
    return [f"<defs>{tile}</defs>", f'<path d="{smooth_closed(outline)}" fill="url(#{pid}-grain)"/>']


def bez(p: np.ndarray, n: int) -> np.ndarray:
    """Quadratic Bézier through control points p (3×2), n samples."""
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * p[0] + 2 * (1 - t) * t * p[1] + t ** 2 * p[2]


def strand(ctrl: np.ndarray, n: int, width: float) -> str:
    """A tapered strand along a quadratic Bézier (as a filled outline)."""
    return smooth_closed(offset_curve(bez(ctrl, n), np.interp(np.linspace(0, 1, n), [0, .5, 1], [0.3, width, 0.3])))


def forehead_shadow(hl: np.ndarray) -> str:
    """The soft shadow the hair casts on the forehead: stacked warm bands, darkest at the hairline."""
    bands = []
    for dy, op in ((5, 0.3), (11, 0.2), (18, 0.12), (26, 0.06)):
        band = np.concatenate([hl + [0, dy], (hl + [0, -30])[::-1]])
        bands.append(f'<path d="{smooth_closed(band)}" fill="%skin_lo3%" opacity="{op}"/>')
    return "".join(bands)



def ball(pid: str, name: str, cx: float, cy: float, r: float, h: HairSpec) -> str:
    amp, k = texture_wave(h.texture, h.amp)
    t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    rr = r + (bumps(t / (2 * np.pi), amp * 0.8, max(k, 6)) if amp else 0)
    pts = np.stack([cx + rr * np.cos(t), cy + rr * np.sin(t)], 1)
    g = radial_grad(f"{pid}-{name}", cx - r * 0.35, cy - r * 0.4, r * 1.35, [(0, "%hair_hi%"), (0.5, "%hair%"),
                                                                             (1, "%hair_lo2%")])
    shine = ""
    if h.texture in ("straight", "wavy"):
        a = np.linspace(3.5, 4.9, 8)
        arc = np.stack([cx + r * 0.62 * np.cos(a), cy + r * 0.62 * np.sin(a)], 1)
        shine = (f'<path d="{smooth_closed(offset_curve(arc, r * 0.09 * np.sin(np.linspace(0.2, 2.9, 8))))}" '
                 f'fill="%hair_hi2%" opacity="0.55"/>')
        for j in range(3):
            a0 = -0.6 + 0.6 * j
            sw = np.stack([cx + r * 0.85 * np.cos(np.linspace(a0 + 2.2, a0 + 3.6, 7)),
                           cy + r * 0.85 * np.sin(np.linspace(a0 + 2.2, a0 + 3.6, 7))], 1)
            shine += (f'<path d="{smooth_closed(offset_curve(sw, 1.8 * np.sin(np.linspace(0.2, 2.9, 7))))}" '
                      f'fill="%hair_lo2%" opacity="0.45"/>')
    else:  # curls on a curly or coily ball: a light loop upper left and a dark one lower right, jittered
        rng = np.random.default_rng(sum(map(ord, pid + name)))
        cr = 10.0 if h.texture == "coily" else 15.0
        light, dark = [], []
        for _ in range(int((r / cr) ** 2 * 0.6)):
            rad, ang = r * 0.85 * np.sqrt(rng.uniform()), rng.uniform(0, 2 * np.pi)
            x, y, turn = cx + rad * np.cos(ang), cy + rad * np.sin(ang), rng.uniform(-0.5, 0.5)
            light.append(arc_path(x, y, cr * 0.72, np.pi * 1.02 + turn, np.pi * 1.72 + turn))
            dark.append(arc_path(x, y, cr * 0.8, np.pi * 0.05 + turn, np.pi * 0.75 + turn))
        shine = (f'<path d="{"".join(dark)}" fill="none" stroke="%hair_lo3%" stroke-width="{f(cr * 0.29)}" '
                 f'stroke-linecap="round" opacity="0.38"/><path d="{"".join(light)}" fill="none" '
                 f'stroke="%hair_hi2%" stroke-width="{f(cr * 0.24)}" stroke-linecap="round" opacity="0.42"/>')
    return f'<defs>{g}</defs><path d="{smooth_closed(pts)}" fill="url(#{pid}-{name})"/>{shine}'


def braid(pid: str, x0: float, y0: float, x1: float, y1: float, width: float, n: int) -> str:
    out = []
    for i in range(n):
        t = (i + 0.5) / n
        cx, cy = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
        seg = (y1 - y0) / n
        wi = width * (1 - 0.35 * t)
        tilt = 22 if i % 2 else -22
        out.append(f'<ellipse cx="{f(cx)}" cy="{f(cy)}" rx="{f(wi / 2)}" ry="{f(seg * 0.8)}" '
                   f'fill="url(#{pid}-seg)" transform="rotate({tilt} {f(cx)} {f(cy)})"/>')
    g = radial_grad(f"{pid}-seg", 0.4, 0.35, 0.75, [(0, "%hair_hi%"), (0.6, "%hair%"), (1, "%hair_lo2%")], bbox=True)
    return f"<defs>{g}</defs>" + "".join(out)


def rope_line(x0, y0, x1, y1, bend=0.0, n: int = 12) -> np.ndarray:
    """The centre line of a rope hanging from (x0, y0) to (x1, y1), bowed sideways by ``bend``."""
    t = np.linspace(0, 1, n)
    return np.stack([x0 + (x1 - x0) * t + bend * np.sin(np.pi * t), y0 + (y1 - y0) * t], 1)


def ropes(lines: list[np.ndarray], width: float, taper: bool = True) -> str:
    """Many ropes (braids, locs, twists, rows) as three merged paths, each rope shaded like a cylinder: the body, a
    light strip left of its centre and a dark strip along its right edge (a few paths however many ropes)."""
    body, hi, lo = [], [], []
    for line in lines:
        t = np.linspace(0, 1, len(line))
        half = width / 2 * (np.interp(t, [0, 0.1, 0.9, 1], [0.8, 1, 0.9, 0.6]) if taper else np.ones(len(line)))
        d = np.gradient(line, axis=0)
        d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
        nrm = np.stack([-d[:, 1], d[:, 0]], axis=1)  # points to the rope's right (+x for a rope hanging down)
        body.append(smooth_closed(offset_curve(line, half)))
        hi.append(smooth_closed(offset_curve(line - nrm * (half * 0.3)[:, None], half * 0.22)))
        lo.append(smooth_closed(offset_curve(line + nrm * (half * 0.72)[:, None], half * 0.26)))
    return (f'<path d="{"".join(body)}" fill="%hair%"/><path d="{"".join(lo)}" fill="%hair_lo3%" opacity="0.55"/>'
            f'<path d="{"".join(hi)}" fill="%hair_hi%" opacity="0.7"/>')

