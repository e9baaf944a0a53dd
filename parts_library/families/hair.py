"""Hair (back + front layers) and facial hair.

A hairstyle is a :class:`HairSpec`: a cap (the volume over the cranium, bounded below by a hairline or a fringe),
an optional back layer (hair behind the head, neck and shoulders), optional locks in front of the shoulders, a
texture that shapes the silhouette (straight, wavy, curly, coily), and extras (bun, ponytail, braids, locs,
puffs). Everything is drawn on the mean cranium; the renderer scales it to the chosen face's temple width.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..svg import f, linear_grad, mirror_x, offset_curve, radial_grad, smooth_closed, smooth_open
from .common import CRANIUM_CY, CRANIUM_RX, CRANIUM_TOP, CX, EYE_Y, IOD, M, PUFF, PartDef

RY = CRANIUM_CY - CRANIUM_TOP


@dataclass
class HairSpec:
    key: str
    name: str
    tags: list[str]
    texture: str = "straight"  # straight | wavy | curly | coily
    vol_top: float = 30.0  # volume above the cranium (px)
    vol_side: float = 16.0
    hairline: float = 250.0  # y of the hairline at the centre
    temple_y: float = 330.0
    side_bottom: float = 450.0
    recede: float = 0.0
    part: float | None = None  # x offset of a parting from the centre (px)
    fringe: str | None = None  # straight | swept | curtain | wispy | short | bowl | curly
    fringe_y: float = 352.0
    back_len: float | None = None  # y where the back hair ends
    back_w: float = 240.0  # half width of the back hair at its bottom
    locks: float | None = None  # y where locks in front of the shoulders end
    lock_w: float = 62.0
    cap: bool = True
    coverage: float = 1.0  # opacity of the cap (buzz cuts are see-through)
    sides: str = "full"  # full | undercut | faded | none
    top: str = "round"  # round | flat | quiff | spiky | slick | mohawk
    extra: list[str] = field(default_factory=list)  # bun, man_bun, ponytail, high_ponytail, braids, box_braids,
    # locs, puffs, cornrows, horseshoe, thin_top
    amp: float | None = None  # texture amplitude override

    def __post_init__(self):
        if self.locks is not None and self.temple_y == 330.0:  # long hair drapes over the temples
            self.temple_y = 392.0


def _tex(texture: str, amp: float | None):
    """(amplitude px, bumps per half turn) of the silhouette texture."""
    a, k = {"straight": (0.0, 0), "wavy": (5.0, 7), "curly": (11.0, 13), "coily": (7.0, 22)}[texture]
    return (a if amp is None else amp), k


def _bumps(t: np.ndarray, amp: float, k: int) -> np.ndarray:
    if amp == 0 or k == 0:
        return np.zeros_like(t)
    return amp * (np.abs(np.sin(np.pi * k * t)) ** 0.7 - 0.5)


def outer_arc(h: HairSpec, n: int = 90, extra_top: float = 0.0) -> np.ndarray:
    """The cap's outer silhouette from the left side (at the widest row) over the top to the right side."""
    t = np.linspace(0, 1, n)
    th = np.pi + np.pi * t
    s = np.sin(th)
    vol = h.vol_side + (h.vol_top + extra_top - h.vol_side) * np.abs(s) ** 1.5
    if h.top == "flat":
        vol = vol - 0.35 * (h.vol_top - h.vol_side) * np.abs(s) ** 8
    if h.top == "quiff":
        vol = vol + 38 * np.exp(-((t - 0.42) / 0.13) ** 2)
    if h.top == "mohawk":
        vol = h.vol_side + 70 * np.exp(-((t - 0.5) / 0.07) ** 2)
    amp, k = _tex(h.texture, h.amp)
    vol = vol + _bumps(t, amp, k)
    if h.top == "spiky":
        vol = vol + 16 * np.maximum(np.sin(np.pi * 9 * t), 0) ** 3 * np.abs(s)
    x = CX + (CRANIUM_RX + vol) * np.cos(th)
    y = CRANIUM_CY + (RY + vol) * np.sign(s) * np.abs(s) ** 0.85
    return np.stack([x, y], axis=1)


def hairline_curve(h: HairSpec, n: int = 31) -> np.ndarray:
    """Inner edge of the cap from the right temple to the left temple (forehead hairline or fringe edge)."""
    xs = np.linspace(1, -1, n)
    tx = 196.0
    ax = np.abs(xs)
    if h.fringe is None:
        if h.part is not None:  # hair falls away from the parting: the hairline arches up to it
            d = np.abs(xs * tx - h.part) / (tx + abs(h.part))
            y = h.hairline - 6 + (h.temple_y + 24 - h.hairline) * d ** 1.6
        else:
            y = h.hairline + (h.temple_y - h.hairline) * ax ** 2.4
        y = y - h.recede * np.exp(-((ax - 0.62) / 0.2) ** 2)
    elif h.fringe == "straight":
        y = h.fringe_y - 10 * (1 - ax ** 2) + (h.temple_y + 40 - h.fringe_y) * ax ** 6
    elif h.fringe == "bowl":
        y = h.fringe_y - 4 * (1 - ax ** 2) + (h.temple_y + 60 - h.fringe_y) * ax ** 8
    elif h.fringe == "swept":
        side = 1 if (h.part or 0) >= 0 else -1  # hair sweeps away from the parting
        u = (xs * -side + 1) / 2  # 0 at the parting side, 1 at the far side
        y = (h.fringe_y - 70) + 78 * u ** 1.3 + (h.temple_y + 30 - h.fringe_y) * ax ** 6
    elif h.fringe == "curtain":
        y = h.fringe_y - 90 + 150 * ax ** 1.25
    elif h.fringe == "short":
        y = h.fringe_y - 40 - 8 * (1 - ax ** 2) + (h.temple_y - h.fringe_y + 40) * ax ** 4
    elif h.fringe == "wispy":
        y = h.fringe_y - 6 * (1 - ax ** 2) + (h.temple_y + 30 - h.fringe_y) * ax ** 5
    else:  # curly fringe
        y = h.fringe_y - 14 * (1 - ax ** 2) + (h.temple_y + 20 - h.fringe_y) * ax ** 4
    # tufts along the front edge of short hair
    if h.fringe is None and h.locks is None and h.top not in ("slick",) and h.texture in ("straight", "wavy") \
            and h.coverage >= 0.9 and h.recede == 0:
        y = y + 9 * np.abs(np.sin(np.pi * 7 * (xs + 1) / 2)) ** 2 * (1 - ax ** 3)
    # fringe lock tips
    if h.fringe in ("wispy", "straight", "short", "swept"):
        k = {"wispy": 6, "straight": 9, "short": 8, "swept": 5}[h.fringe]
        a = {"wispy": 16, "straight": 5, "short": 10, "swept": 9}[h.fringe]
        y = y + a * np.abs(np.sin(np.pi * k * (xs + 1) / 2)) ** 2 * (1 - ax ** 4)
    if h.fringe == "curly" or (h.fringe is None and h.texture in ("curly", "coily")):
        amp, kk = _tex(h.texture, h.amp)
        y = y + 0.7 * amp * np.abs(np.sin(np.pi * kk * 0.6 * (xs + 1) / 2)) ** 0.7
    x = CX + xs * tx
    return np.stack([x, y], axis=1)


# inner edge of long hair falling beside the face: (y, x offset from the centre)
LOCK_INNER = np.array([[450, 204], [520, 200], [600, 190], [680, 174], [760, 164], [840, 162], [1000, 166]])


def _side_down(h: HairSpec, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Left outer edge from the widest row down to the hair's lower end, and the inner edge back up to the temple
    (both top → bottom). Short hair ends at the sideburn; hair with ``locks`` falls to ``h.locks``."""
    amp, k = _tex(h.texture, h.amp)
    if h.locks is None:
        sb = h.side_bottom
        outer = np.array([[start[0] + 4, (CRANIUM_CY + sb) / 2], [CX - CRANIUM_RX + 8 - h.vol_side * 0.3, sb - 8]])
        y0 = max(h.temple_y + 40, float(hairline_curve(h)[-1, 1]) + 12)
        inner = np.array([[CX - 200, y0], [CX - 200, max(sb - 30, y0 + 10)], [CX - 204, max(sb, y0 + 20)]])
        if h.coverage >= 0.9 and h.sides == "full":  # a tapered sideburn in front of the ear
            outer = np.concatenate([outer, [[CX - 212, sb + 26]]])
        return outer, inner
    end = h.locks
    ys = np.linspace(CRANIUM_CY + 30, end, 12)
    u = (ys - ys[0]) / (end - ys[0])
    flare = h.lock_w * 0.35
    ox = start[0] - flare * np.sin(u * np.pi / 2) + 10 * u ** 2
    if h.texture == "wavy":
        ox = ox - 9 * np.sin(u * 3 * np.pi)
    if amp:
        ox = ox - _bumps(u, amp * 1.2, max(k // 2, 4))
    outer = np.stack([ox, ys], 1)
    y0 = max(h.temple_y + 40, float(hairline_curve(h)[-1, 1]) + 12)
    iy = np.concatenate([[y0], LOCK_INNER[LOCK_INNER[:, 0] > y0 + 20, 0]])
    ix = np.concatenate([[200], LOCK_INNER[LOCK_INNER[:, 0] > y0 + 20, 1]])
    ys_i = np.linspace(y0, end - 16, 10)
    xi = CX - np.interp(ys_i, iy, ix)
    if h.texture == "wavy":
        xi = xi - 7 * np.sin((ys_i - ys_i[0]) / (end - ys_i[0]) * 3 * np.pi)
    if amp:
        xi = xi + _bumps((ys_i - ys_i[0]) / (end - ys_i[0]), amp, max(k // 2, 4))
    inner = np.stack([xi, ys_i], 1)
    # the ends: a few soft points (strand tips) across the bottom of the lock
    x0, x1 = outer[-1, 0], inner[-1, 0]
    if h.texture in ("straight", "wavy"):
        tips = [[x0 + (x1 - x0) * 0.2, end + 16], [x0 + (x1 - x0) * 0.42, end + 2], [x0 + (x1 - x0) * 0.62, end + 20],
                [x0 + (x1 - x0) * 0.85, end + 4]]
    else:
        tips = [[(x0 + x1) / 2 - 6, end + 14]]
    outer = np.concatenate([outer, tips])
    return outer, inner


def cap_outline(h: HairSpec) -> np.ndarray:
    arc = outer_arc(h)
    outer_l, inner_l = _side_down(h, arc[0])
    hl = hairline_curve(h)
    # left: bottom of the side up to the arc; arc over the top; right side down; right inner up; hairline; left
    # inner down
    return np.concatenate([outer_l[::-1], arc, mirror_x(outer_l), mirror_x(inner_l)[::-1], hl, inner_l])


def _grad_defs(pid: str, top: float, bottom: float) -> list[str]:
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


def _strands(pid: str, h: HairSpec, hl: np.ndarray, top_y: float) -> list[str]:
    """Strand curves flowing from the parting/crown over the cap to the hairline (and down long locks): darker
    grooves and lighter glints, each merged into one path."""
    px = CX + (h.part if h.part is not None else 0)
    src = np.array([px, top_y + 36])
    if h.top == "slick":
        src = np.array([CX, top_y + 6])
    n = 10
    dark, light = [], []
    ends = np.linspace(0.04, 0.96, n)
    for j, u in enumerate(ends):
        i = int(round(u * (len(hl) - 1)))
        end = hl[i] + [0, -8]
        side = np.sign(end[0] - px) or (1.0 if j % 2 else -1.0)
        mid = (src + end) / 2 + [side * 30 * (0.4 + abs(end[0] - px) / 200), -22]
        if h.texture == "wavy":
            mid = mid + [side * 12 * np.sin(j * 1.7), 0]
        pts = [src + (end - src) * 0.06 + [side * 8, 0], mid, end]
        line = _bez(np.stack(pts), 9)
        if h.locks is not None and abs(end[0] - CX) > 150:  # continue down the lock
            x_end = end[0] + side * 20
            down = np.stack([np.linspace(end[0], x_end, 6), np.linspace(end[1], h.locks - 40, 6)], 1)
            if h.texture == "wavy":
                down[:, 0] += side * 10 * np.sin(np.linspace(0, 3 * np.pi, 6))
            line = np.concatenate([line, down[1:]])
        w = np.interp(np.linspace(0, 1, len(line)), [0, 0.25, 0.8, 1], [0.3, 2.8, 2.0, 0.2])
        (light if j % 3 == 1 else dark).append(smooth_closed(offset_curve(line, w)))
    return [f'<path d="{"".join(dark)}" fill="%hair_lo2%" opacity="0.5"/>',
            f'<path d="{"".join(light)}" fill="%hair_hi2%" opacity="0.5"/>']


def _arc(cx: float, cy: float, r: float, a0: float, a1: float) -> str:
    p0 = (cx + r * np.cos(a0), cy + r * np.sin(a0))
    p1 = (cx + r * np.cos(a1), cy + r * np.sin(a1))
    return f"M{f(p0[0])},{f(p0[1])}A{f(r)},{f(r)} 0 0,1 {f(p1[0])},{f(p1[1])}"


def _curl_texture(pid: str, outline: np.ndarray, h: HairSpec, top: float, bottom: float) -> list[str]:
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
                        light.append(_arc(cx, cy, rr * 0.72, np.pi * 1.02 + turn, np.pi * 1.72 + turn))
                        dark.append(_arc(cx, cy, rr * 0.8, np.pi * 0.05 + turn, np.pi * 0.75 + turn))
    w = r * 0.24
    tile = (f'<pattern id="{pid}-curl" patternUnits="userSpaceOnUse" x="0" y="{f(top)}" width="{f(tw)}" '
            f'height="{f(th)}"><path d="{"".join(dark)}" fill="none" stroke="%hair_lo3%" stroke-width="{f(w * 1.2)}" '
            f'stroke-linecap="round" opacity="0.38"/><path d="{"".join(light)}" fill="none" stroke="%hair_hi2%" '
            f'stroke-width="{f(w)}" stroke-linecap="round" opacity="0.42"/></pattern>')
    cap = smooth_closed(outline)
    return [f"<defs>{tile}</defs>", f'<path d="{cap}" fill="url(#{pid}-curl)"/>']


def _bez(p: np.ndarray, n: int) -> np.ndarray:
    """Quadratic Bézier through control points p (3×2), n samples."""
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * p[0] + 2 * (1 - t) * t * p[1] + t ** 2 * p[2]


def _strand(ctrl: np.ndarray, n: int, width: float) -> str:
    """A tapered strand along a quadratic Bézier (as a filled outline)."""
    return smooth_closed(offset_curve(_bez(ctrl, n), np.interp(np.linspace(0, 1, n), [0, .5, 1], [0.3, width, 0.3])))


def _forehead_shadow(hl: np.ndarray) -> str:
    """The soft shadow the hair casts on the forehead: stacked warm bands, darkest at the hairline."""
    bands = []
    for dy, op in ((5, 0.3), (11, 0.2), (18, 0.12), (26, 0.06)):
        band = np.concatenate([hl + [0, dy], (hl + [0, -30])[::-1]])
        bands.append(f'<path d="{smooth_closed(band)}" fill="%skin_lo3%" opacity="{op}"/>')
    return "".join(bands)


def front_layer(pid: str, h: HairSpec) -> str:
    out: list[str] = []
    if not h.cap:
        if "horseshoe" in h.extra:
            return ""
        g = radial_grad(f"{pid}-sheen", 0.5, 0.5, 0.5, [(0, "#ffffff", 0.45), (1, "#ffffff", 0.0)], bbox=True)
        side = linear_grad(f"{pid}-shadow", 0, 0, 0, 1, [(0, "%hair%", 0.0), (0.5, "%hair%", 0.16),
                                                         (1, "%hair%", 0.0)], bbox=True)
        ring = []
        for s in (-1, 1):
            pts = np.array([[CX - 214, 300], [CX - 224, 380], [CX - 214, 450], [CX - 200, 452], [CX - 204, 380],
                            [CX - 200, 310]])
            ring.append(smooth_closed(pts if s < 0 else mirror_x(pts)))
        return (f"<defs>{g}{side}</defs><path d=\"{''.join(ring)}\" fill=\"url(#{pid}-shadow)\"/>"
                f'<ellipse cx="{f(CX - 60)}" cy="{f(CRANIUM_TOP + 70)}" rx="80" ry="40" fill="url(#{pid}-sheen)"/>')
    outline = cap_outline(h)
    cap = smooth_closed(outline)
    top_y = float(outline[:, 1].min())
    hl = hairline_curve(h)
    defs = _grad_defs(pid, top_y, h.locks or h.side_bottom)
    defs.append(f'<clipPath id="{pid}-capclip"><path d="{cap}"/></clipPath>')
    out.append(f'<defs>{"".join(defs)}</defs>')
    if h.coverage >= 0.9:
        out.append(_forehead_shadow(hl))
    op = f' opacity="{f(h.coverage)}"' if h.coverage < 1 else ""
    if h.sides in ("undercut", "faded"):
        # short sides drawn thin; the top volume sits above
        sides = dict(h.__dict__)
        sides.update(vol_top=6, vol_side=5, texture="straight", top="round", amp=0)
        sh = HairSpec(**sides)
        s_out = cap_outline(sh)
        out.append(f'<path d="{smooth_closed(s_out)}" fill="%hair_lo%" opacity="0.55"/>')
        top_only = outline[(outline[:, 1] < 300) | (np.abs(outline[:, 0] - CX) < 150)]
        if h.top == "mohawk":  # a narrow crest from the hairline over the crown
            half = np.array([[CX, h.hairline + 16], [CX - 62, h.hairline + 4], [CX - 78, 196],
                             [CX - 62, CRANIUM_TOP + 10], [CX - 26, CRANIUM_TOP - 48]])
            top_only = np.concatenate([half, [[CX, CRANIUM_TOP - 66]], mirror_x(half[::-1])])
        cap = smooth_closed(top_only)
        out[0] = out[0].replace(f'<clipPath id="{pid}-capclip"><path d="{smooth_closed(outline)}"/>',
                                f'<clipPath id="{pid}-capclip"><path d="{cap}"/>')
    out.append(f'<g{op}>')
    out.append(f'<path d="{cap}" fill="url(#{pid}-cap)"/>')
    # one clipped group: the darker rim along the hairline (thickness), the highlight band, strands or curls
    inner = []
    for depth, op in ((8, 0.16), (18, 0.1)):  # the cap's thickness: darker towards its front edge
        rim = np.concatenate([hl + [0, 2], (hl + [0, -depth])[::-1]])
        inner.append(f'<path d="{smooth_closed(rim)}" fill="%hair_lo2%" opacity="{op}"/>')
    if h.texture in ("straight", "wavy") and h.coverage >= 0.9:
        t = np.linspace(0.18, 0.82, 15)
        th = np.pi + np.pi * t
        rr = 0.78
        band = np.stack([CX - 10 + (CRANIUM_RX + h.vol_side) * rr * np.cos(th),
                         CRANIUM_CY - 30 + (RY + h.vol_top) * rr * np.sin(th)], 1)
        if h.texture == "wavy":
            band[:, 1] += 6 * np.sin(np.linspace(0, 3 * np.pi, 15))
        w = 16 * np.sin(np.linspace(0.1, np.pi - 0.1, 15))
        inner.append(f'<path d="{smooth_closed(offset_curve(band, w))}" fill="url(#{pid}-band)"/>')
        inner.extend(_strands(pid, h, hl, top_y))
    if h.texture in ("curly", "coily") and h.coverage >= 0.9:
        inner.extend(_curl_texture(pid, outline, h, top_y, float(outline[:, 1].max())))
    out.append(f'<g clip-path="url(#{pid}-capclip)">{"".join(inner)}</g>')
    if h.part is not None and h.fringe is None and h.top != "slick":
        px = CX + h.part
        pl = np.array([[px, h.hairline - 6], [px - 2, h.hairline - 50], [px - 8, top_y + 60]])
        part_line = smooth_closed(offset_curve(_bez(pl, 8), np.linspace(2.2, 0.2, 8)))
        out.append(f'<path d="{part_line}" '
                   f'fill="%skin_lo%" opacity="0.7"/>')
    out.append("</g>")
    return "".join(out)


def back_layer(pid: str, h: HairSpec) -> str:
    out: list[str] = []
    if h.back_len is not None:
        end = h.back_len
        arc = outer_arc(h, 50)
        amp, k = _tex(h.texture, h.amp)
        # sides from the widest row down to the ends, widening
        ys = np.linspace(CRANIUM_CY, end, 10)
        u = (ys - ys[0]) / (end - ys[0])
        half = CRANIUM_RX + h.vol_side + (h.back_w - CRANIUM_RX - h.vol_side) * u ** 0.8
        if amp:
            half = half + _bumps(u, amp, max(k // 2, 3))
        if h.texture == "wavy":
            half = half + 8 * np.sin(u * 3 * np.pi)
        left = np.stack([CX - half, ys], 1)
        bx = np.linspace(-1, 1, 17)
        bottom_y = end - 28 * (1 - bx ** 2) ** 0.5 * (0 if h.texture in ("curly", "coily") else 1)
        if amp:
            bottom_y = bottom_y + amp * 1.2 * np.abs(np.sin(np.pi * 4 * (bx + 1) / 2)) ** 0.7
        bottom = np.stack([CX + bx * (h.back_w - 10), bottom_y + 16], 1)
        pts = np.concatenate([arc, mirror_x(left)[1:], bottom[::-1][1:-1], left[::-1][:-1]])
        top_y = float(arc[:, 1].min())
        defs = _grad_defs(pid + "b", top_y, end)
        out.append(f'<defs>{"".join(defs)}</defs>')
        path = smooth_closed(pts)
        out.append(f'<path d="{path}" fill="url(#{pid}b-back)"/>')
        out.append(f'<path d="{path}" fill="url(#{pid}b-deep)"/>')
        # long strands down the sides
        if h.texture in ("straight", "wavy"):
            for s in (-1, 1):
                for j, off in enumerate((0.9, 0.97)):
                    line = np.stack([CX + s * half * off, ys], 1)[2:]
                    wv = np.interp(np.linspace(0, 1, len(line)), [0, 0.3, 1], [0.3, 2.2, 0.3])
                    col = "%hair_hi%" if j else "%hair_lo3%"
                    out.append(f'<path d="{smooth_closed(offset_curve(line, wv))}" fill="{col}" opacity="0.45"/>')
    for ex in h.extra:
        out.append(_extra_back(pid, h, ex))
    return "".join(out)


def _ball(pid: str, name: str, cx: float, cy: float, r: float, h: HairSpec) -> str:
    amp, k = _tex(h.texture, h.amp)
    t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    rr = r + (_bumps(t / (2 * np.pi), amp * 0.8, max(k, 6)) if amp else 0)
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
    return f'<defs>{g}</defs><path d="{smooth_closed(pts)}" fill="url(#{pid}-{name})"/>{shine}'


def _braid(pid: str, x0: float, y0: float, x1: float, y1: float, width: float, n: int) -> str:
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


def _rope_grad(pid: str) -> str:
    return linear_grad(f"{pid}-rope", 0, 0, 1, 0, [(0, "%hair_lo2%"), (0.4, "%hair_hi%"), (1, "%hair_lo3%")],
                       bbox=True)


def _rope(x0, y0, x1, y1, width, bend=0.0) -> np.ndarray:
    t = np.linspace(0, 1, 12)
    x = x0 + (x1 - x0) * t + bend * np.sin(np.pi * t)
    y = y0 + (y1 - y0) * t
    return offset_curve(np.stack([x, y], 1), width / 2 * np.interp(t, [0, 0.1, 0.9, 1], [0.8, 1, 0.9, 0.6]))


def _extra_back(pid: str, h: HairSpec, ex: str) -> str:
    if ex == "bun":
        return _ball(pid, "bun", CX, CRANIUM_TOP - h.vol_top - 30, 74, h)
    if ex == "man_bun":
        return _ball(pid, "mbun", CX + 6, CRANIUM_TOP - h.vol_top - 12, 50, h)
    if ex == "puffs":
        return (_ball(pid, "puffl", CX - 190, CRANIUM_TOP + 40, 92, h)
                + _ball(pid, "puffr", CX + 190, CRANIUM_TOP + 40, 92, h))
    if ex in ("ponytail", "high_ponytail"):
        y0 = 220 if ex == "high_ponytail" else 300
        tail = np.array([[CX + 140, y0 - 10], [CX + 250, y0 + 60], [CX + 290, y0 + 240], [CX + 276, y0 + 430],
                         [CX + 226, y0 + 580], [CX + 214, y0 + 450], [CX + 200, y0 + 260], [CX + 150, y0 + 130]])
        g = linear_grad(f"{pid}-tail", CX + 196, 0, CX + 292, 0, [(0, "%hair_lo2%"), (0.45, "%hair%"),
                                                                  (1, "%hair_lo2%")])
        line = np.array([[CX + 215, y0 + 80], [CX + 235, y0 + 250], [CX + 225, y0 + 480]])
        return (f'<defs>{g}</defs><path d="{smooth_closed(tail)}" fill="url(#{pid}-tail)"/>'
                f'<path d="{_strand(line, 10, 2.5)}" '
                f'fill="%hair_hi2%" opacity="0.45"/>')
    if ex == "box_braids" or ex == "locs":
        out = [f"<defs>{_rope_grad(pid)}</defs>"]
        n = 7
        end = h.back_len or 900
        wid = 26 if ex == "box_braids" else 34
        for s_ in (-1, 1):
            for i in range(n):
                x0 = CX + s_ * (140 + i * 15)
                x1 = CX + s_ * (165 + i * 19)
                rope = _rope(x0, 320 + i * 6, x1, end - (i % 3) * 34, wid, bend=s_ * 10)
                out.append(f'<path d="{smooth_closed(rope)}" fill="url(#{pid}-rope)"/>')
        return "".join(out)
    return ""


def _extra_front(pid: str, h: HairSpec, ex: str) -> str:
    if ex == "braids":
        return (_braid(pid + "l", CX - 200, 430, CX - 184, 900, 70, 8)
                + _braid(pid + "r", CX + 200, 430, CX + 184, 900, 70, 8))
    if ex in ("box_braids", "locs"):
        out = []
        wid = 26 if ex == "box_braids" else 34
        end = (h.back_len or 900) - 30
        marks = []
        for s_ in (-1, 1):
            for i in range(4):
                x0 = CX + s_ * (236 - 15 * i)
                x1 = x0 + s_ * (10 + 10 * i)
                y0, y1 = 330 + 24 * i, end - 40 * (3 - i)
                out.append(f'<path d="{smooth_closed(_rope(x0, y0, x1, y1, wid, bend=s_ * 8))}" '
                           f'fill="url(#{pid}-rope)"/>')
                for y in np.linspace(y0 + 40, y1 - 30, 6):
                    u = (y - y0) / (y1 - y0)
                    xx = x0 + (x1 - x0) * u + s_ * 8 * np.sin(np.pi * u)
                    marks.append(f"M{f(xx - wid * 0.42)},{f(y - 5)}Q{f(xx)},{f(y + 7)} {f(xx + wid * 0.42)},{f(y - 5)}")
        out.append(f'<path d="{"".join(marks)}" fill="none" stroke="%hair_lo3%" stroke-width="2.6" opacity="0.5"/>')
        return f"<defs>{_rope_grad(pid)}</defs>" + "".join(out)
    if ex == "cornrows":
        out = []
        for i in range(-3, 4):
            x = CX + i * 46
            line = np.array([[x, 250 + abs(i) * 6], [x + i * 12, 160], [x + i * 22, CRANIUM_TOP + 20]])
            out.append(f'<path d="{smooth_open(_bez(line, 8))}" fill="none" stroke="%hair_lo3%" stroke-width="5" '
                       f'opacity="0.6" stroke-linecap="round"/>')
            out.append(f'<path d="{smooth_open(_bez(line + [10, 0], 8))}" fill="none" stroke="%hair_hi2%" '
                       f'stroke-width="3" opacity="0.35" stroke-linecap="round"/>')
        return f'<g clip-path="url(#{pid}-capclip)">' + "".join(out) + "</g>"
    if ex == "horseshoe":
        return ""
    return ""


HAIR: list[HairSpec] = [
    HairSpec("bald_01", "Bald", ["bald"], cap=False),
    HairSpec("bald_02", "Shaved", ["bald", "buzz", "shaved"], coverage=0.22, vol_top=2, vol_side=2, hairline=236,
             side_bottom=440),
    HairSpec("balding_01", "Balding horseshoe", ["balding", "short", "straight", "bald"], cap=False,
             extra=["horseshoe"]),
    HairSpec("balding_02", "Thinning top", ["balding", "short", "straight", "receding"], coverage=0.55, vol_top=4,
             vol_side=10, hairline=214, recede=55, extra=["horseshoe"]),
    HairSpec("receding_01", "Receding short", ["receding", "short", "straight"], vol_top=16, vol_side=12,
             hairline=226, recede=48, part=-40),
    HairSpec("receding_02", "Receding slick back", ["receding", "short", "straight", "slick_back"], vol_top=22,
             vol_side=10, hairline=220, recede=55, top="slick"),
    HairSpec("buzz_01", "Buzz cut", ["buzz", "straight", "short"], coverage=0.72, vol_top=5, vol_side=4,
             hairline=246, side_bottom=446),
    HairSpec("buzz_02", "Coily buzz", ["buzz", "coily", "short"], texture="coily", amp=2, coverage=0.85, vol_top=9,
             vol_side=6, hairline=244, side_bottom=446),
    HairSpec("crew_01", "Crew cut", ["short", "straight", "crew"], vol_top=22, vol_side=9, hairline=240,
             sides="faded", top="flat"),
    HairSpec("side_part_01", "Short side part", ["short", "straight", "side_part"], vol_top=34, vol_side=14,
             hairline=248, part=-56),
    HairSpec("side_part_02", "Side part wavy", ["short", "wavy", "side_part"], texture="wavy", vol_top=40,
             vol_side=16, part=60, fringe="swept", fringe_y=300),
    HairSpec("side_part_03", "Side swept short", ["short", "straight", "side_part", "fringe"], vol_top=36,
             vol_side=14, part=-50, fringe="swept", fringe_y=318),
    HairSpec("quiff_01", "Quiff", ["short", "straight", "quiff"], vol_top=30, vol_side=10, hairline=244, top="quiff",
             sides="faded"),
    HairSpec("pompadour_01", "Pompadour", ["short", "wavy", "pompadour"], texture="wavy", amp=3, vol_top=52,
             vol_side=12, hairline=246, top="quiff", sides="undercut"),
    HairSpec("undercut_01", "Undercut", ["short", "straight", "undercut"], vol_top=44, vol_side=10, part=-60,
             fringe="swept", fringe_y=290, sides="undercut"),
    HairSpec("slick_back_01", "Slicked back", ["short", "straight", "slick_back"], vol_top=26, vol_side=12,
             hairline=240, top="slick"),
    HairSpec("spiky_01", "Spiky", ["short", "straight", "spiky"], vol_top=26, vol_side=10, top="spiky",
             fringe="short", fringe_y=320),
    HairSpec("mohawk_01", "Mohawk", ["short", "straight", "mohawk", "undercut"], vol_top=8, vol_side=6,
             top="mohawk", sides="undercut", hairline=244, part=0),
    HairSpec("curly_01", "Short curly", ["short", "curly"], texture="curly", vol_top=40, vol_side=18,
             hairline=250),
    HairSpec("curly_02", "Curly top fade", ["short", "curly", "undercut", "fade"], texture="curly", vol_top=52,
             vol_side=10, sides="faded", fringe="curly", fringe_y=292),
    HairSpec("coily_01", "Short coily", ["short", "coily"], texture="coily", vol_top=30, vol_side=16, hairline=246),
    HairSpec("high_top_01", "High top fade", ["short", "coily", "high_top", "fade"], texture="coily", amp=4,
             vol_top=84, vol_side=8, top="flat", sides="faded", hairline=246),
    HairSpec("afro_01", "Afro", ["medium", "coily", "afro"], texture="coily", vol_top=70, vol_side=72,
             hairline=248, side_bottom=520, back_len=610, back_w=300),
    HairSpec("afro_02", "Big afro", ["long", "coily", "afro"], texture="coily", vol_top=86, vol_side=110,
             hairline=250, side_bottom=540, back_len=680, back_w=340),
    HairSpec("afro_puffs_01", "Afro puffs", ["medium", "coily", "puffs", "afro"], texture="coily", vol_top=22,
             vol_side=14, hairline=244, part=0, extra=["puffs"]),
    HairSpec("curly_03", "Curly medium", ["medium", "curly"], texture="curly", vol_top=58, vol_side=44,
             side_bottom=540, back_len=640, back_w=290),
    HairSpec("curly_04", "Curly fringe", ["medium", "curly", "fringe"], texture="curly", vol_top=56, vol_side=40,
             fringe="curly", fringe_y=318, side_bottom=530, back_len=620, back_w=280),
    HairSpec("medium_straight_01", "Medium middle part", ["medium", "straight", "middle_part"], vol_top=28,
             vol_side=22, part=0, hairline=246, back_len=640, back_w=250, locks=640, lock_w=48),
    HairSpec("medium_wavy_01", "Medium wavy", ["medium", "wavy", "side_part"], texture="wavy", vol_top=36,
             vol_side=28, part=-50, back_len=660, back_w=260, locks=660, lock_w=54),
    HairSpec("shag_01", "Shag", ["medium", "wavy", "fringe", "shag"], texture="wavy", vol_top=44, vol_side=34,
             fringe="wispy", fringe_y=344, back_len=680, back_w=270, locks=640, lock_w=58),
    HairSpec("bob_01", "Bob", ["medium", "straight", "bob"], vol_top=30, vol_side=30, part=-44, back_len=640,
             back_w=250, locks=640, lock_w=60),
    HairSpec("bob_02", "Bob with bangs", ["medium", "straight", "bob", "fringe"], vol_top=30, vol_side=30,
             fringe="straight", fringe_y=350, back_len=630, back_w=250, locks=630, lock_w=60),
    HairSpec("bob_03", "Curly bob", ["medium", "curly", "bob"], texture="curly", vol_top=44, vol_side=40,
             part=40, back_len=640, back_w=280, locks=620, lock_w=64),
    HairSpec("lob_01", "Wavy lob", ["medium", "wavy", "bob", "side_part"], texture="wavy", vol_top=34, vol_side=30,
             part=50, back_len=720, back_w=270, locks=720, lock_w=60),
    HairSpec("pixie_01", "Pixie", ["short", "straight", "pixie", "fringe"], vol_top=26, vol_side=10,
             fringe="swept", part=-40, fringe_y=326, side_bottom=430),
    HairSpec("pixie_02", "Wavy pixie", ["short", "wavy", "pixie", "side_part"], texture="wavy", vol_top=34,
             vol_side=12, part=50, fringe="swept", fringe_y=300, side_bottom=430),
    HairSpec("bowl_01", "Bowl cut", ["short", "straight", "fringe", "bowl"], vol_top=30, vol_side=22,
             fringe="bowl", fringe_y=344, side_bottom=450),
    HairSpec("long_straight_01", "Long middle part", ["long", "straight", "middle_part"], vol_top=26, vol_side=20,
             part=0, hairline=244, back_len=930, back_w=260, locks=930, lock_w=54),
    HairSpec("long_straight_02", "Long side part", ["long", "straight", "side_part"], vol_top=30, vol_side=22,
             part=-56, back_len=930, back_w=260, locks=900, lock_w=56),
    HairSpec("long_fringe_01", "Long with bangs", ["long", "straight", "fringe"], vol_top=28, vol_side=22,
             fringe="straight", fringe_y=352, back_len=930, back_w=260, locks=920, lock_w=56),
    HairSpec("long_wavy_01", "Long wavy", ["long", "wavy", "side_part"], texture="wavy", vol_top=36, vol_side=30,
             part=48, back_len=940, back_w=280, locks=930, lock_w=62),
    HairSpec("long_wavy_02", "Long curtain bangs", ["long", "wavy", "fringe", "curtain"], texture="wavy",
             vol_top=34, vol_side=28, fringe="curtain", fringe_y=380, back_len=940, back_w=280, locks=920,
             lock_w=60),
    HairSpec("long_swept_01", "Long side swept", ["long", "wavy", "side_part", "fringe"], texture="wavy",
             vol_top=34, vol_side=26, part=-60, fringe="swept", fringe_y=330, back_len=930, back_w=270, locks=910,
             lock_w=60),
    HairSpec("long_curly_01", "Long curly", ["long", "curly"], texture="curly", vol_top=60, vol_side=50,
             side_bottom=560, back_len=940, back_w=320, locks=900, lock_w=74),
    HairSpec("long_coily_01", "Long coily", ["long", "coily"], texture="coily", vol_top=70, vol_side=60,
             side_bottom=560, back_len=900, back_w=330, locks=860, lock_w=76),
    HairSpec("ponytail_01", "Ponytail", ["long", "straight", "ponytail"], vol_top=20, vol_side=12, hairline=242,
             top="slick", extra=["ponytail"]),
    HairSpec("ponytail_02", "High ponytail wavy", ["long", "wavy", "ponytail"], texture="wavy", amp=3, vol_top=22,
             vol_side=12, hairline=244, top="slick", extra=["high_ponytail"]),
    HairSpec("bun_01", "Top bun", ["long", "straight", "bun"], vol_top=18, vol_side=12, hairline=244, top="slick",
             extra=["bun"]),
    HairSpec("bun_02", "Curly top bun", ["long", "curly", "bun"], texture="curly", amp=6, vol_top=22, vol_side=14,
             hairline=246, extra=["bun"]),
    HairSpec("man_bun_01", "Man bun", ["medium", "straight", "man_bun", "bun"], vol_top=18, vol_side=12,
             hairline=238, top="slick", extra=["man_bun"]),
    HairSpec("braids_01", "Two braids", ["long", "straight", "braids"], vol_top=20, vol_side=14, part=0,
             hairline=244, extra=["braids"]),
    HairSpec("box_braids_01", "Box braids", ["long", "coily", "braids", "box_braids"], texture="straight",
             vol_top=26, vol_side=22, part=0, back_len=920, back_w=280, extra=["box_braids"]),
    HairSpec("cornrows_01", "Cornrows", ["short", "coily", "braids", "cornrows"], vol_top=6, vol_side=5,
             hairline=244, coverage=0.95, extra=["cornrows"]),
    HairSpec("locs_01", "Long locs", ["long", "coily", "locs"], vol_top=34, vol_side=26, part=0, back_len=930,
             back_w=290, extra=["locs"]),
    HairSpec("locs_02", "Short locs", ["medium", "coily", "locs"], vol_top=34, vol_side=26, part=0, back_len=640,
             back_w=260, extra=["locs"]),
]


def _horseshoe(pid: str, h: HairSpec) -> str:
    out = []
    g = linear_grad(f"{pid}-hs", 0, 280, 0, 470, [(0, "%hair_hi%"), (1, "%hair_lo%")])
    out.append(f"<defs>{g}</defs>")
    for s in (-1, 1):
        pts = np.array([[CX - 212, 300], [CX - 222, 360], [CX - 214, 440], [CX - 188, 462], [CX - 184, 400],
                        [CX - 192, 330]])
        if s > 0:
            pts = mirror_x(pts)
        out.append(f'<path d="{smooth_closed(pts)}" fill="url(#{pid}-hs)"/>')
    return "".join(out)


def hair_part(h: HairSpec) -> PartDef:
    pid = h.key
    front = front_layer(pid, h)
    for ex in h.extra:
        if ex == "horseshoe":
            front = _horseshoe(pid, h) + front
        else:
            front += _extra_front(pid, h, ex)
    back = back_layer(pid, h)
    layers = {"back": back, "front": front}
    anchors = {"crown": [[CX, round(float(CRANIUM_TOP - h.vol_top), 2)]]}
    if h.cap:
        anchors["hairline"] = [[round(float(x), 2), round(float(y), 2)] for x, y in hairline_curve(h)[::5]]
    if h.back_len is not None:
        anchors["length"] = [[CX, float(h.back_len)]]
    params = {k: v for k, v in h.__dict__.items() if k not in ("key", "name", "tags")}
    slots = ["hair", "skin"]
    return PartDef(pid, "hair", h.name, list(h.tags), layers, anchors, slots, params=params)


def hair_parts() -> list[PartDef]:
    return [hair_part(h) for h in HAIR]


# ---- facial hair ----------------------------------------------------------------------------------------------
MOUTH_C = np.array([CX, (M[51, 1] + M[57, 1]) / 2])


def _mouth_hole(scale: float = 1.0) -> np.ndarray:
    """A lens around the lips (beards hug the mouth)."""
    t = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    y = MOUTH_C[1] + 4 + np.where(np.sin(t) < 0, 30, 44) * scale * np.sin(t)
    return np.stack([CX + 100 * scale * np.cos(t), y], 1)


def _beard_outline(length: float, width: float = 1.0) -> np.ndarray:
    """Left half (sideburn top → chin bottom) of a beard's outer edge, hugging the drawn jaw; ``length`` extra px
    below the chin (full beards), ``width`` a little volume outside the jaw."""
    jaw = M[0:9].copy()
    jaw[:, 0] = CX + (jaw[:, 0] - CX) * PUFF * width
    u = np.linspace(0, 1, 9) ** 1.8
    jaw[:, 1] += u * length
    jaw[6:, 0] = CX + (jaw[6:, 0] - CX) * (1 + 0.25 * length / 100)  # long beards keep a broad chin
    top = np.array([[jaw[0, 0] + 2, jaw[0, 1] - 40]])
    return np.concatenate([top, jaw[1:]])


def _beard_inner(cheek: float) -> np.ndarray:
    """Left inner edge (sideburn → under the nose): down the sideburn, across the cheek, to the moustache top."""
    edge = CX - (CX - M[0, 0]) * PUFF
    return np.array([[edge + 30, M[0, 1] - 40], [edge + 34, 500], [CX - 150, cheek], [CX - 118, 596],
                     [CX - 62, 590], [CX - 20, 596]])


def facial_hair_svg(pid: str, kind: str, p: dict) -> str:
    out = []
    defs = [
        radial_grad(f"{pid}-g", CX - 40, 620, 300, [(0, "%facial_hair_hi%"), (0.5, "%facial_hair%"),
                                                    (1, "%facial_hair_lo2%")]),
        radial_grad(f"{pid}-st", CX, 650, 230, [(0, "%facial_hair%", 0.4), (0.7, "%facial_hair%", 0.34),
                                                (1, "%facial_hair%", 0.08)]),
        linear_grad(f"{pid}-m", 0, 590, 0, 640, [(0, "%facial_hair%"), (1, "%facial_hair_lo2%")]),
    ]
    length = p.get("length", 0.0)
    cheek = p.get("cheek", 540.0)
    if kind in ("stubble", "beard"):
        half = _beard_outline(length, p.get("width", 1.0))
        inner = _beard_inner(cheek)
        # left sideburn top → chin → right sideburn top → right inner → left inner
        outline = np.concatenate([half, mirror_x(half[:-1][::-1]), mirror_x(inner), inner[::-1][1:]])
        hole = _mouth_hole(p.get("hole", 1.0))
        d = smooth_closed(outline) + smooth_closed(hole[::-1])
        defs.append(f'<clipPath id="{pid}-clip"><path d="{d}" clip-rule="evenodd"/></clipPath>')
        out.append(f'<defs>{"".join(defs)}</defs>')
        if kind == "stubble":
            out.append(f'<path d="{d}" fill="url(#{pid}-st)" fill-rule="evenodd" opacity="{f(p.get("op", 1.0))}"/>')
        else:
            out.append(f'<path d="{d}" fill="url(#{pid}-g)" fill-rule="evenodd"/>')
            # volume: a highlight band across the chin, strands following the jaw
            cy = M[8, 1] + length * 0.5
            band = np.array([[CX - 120, cy - 46], [CX - 20, cy - 14], [CX + 80, cy - 40]])
            lines = []
            for i in range(-4, 5):
                x = CX + i * 38
                y0 = 700 + abs(i) ** 1.5 * 4
                line = np.array([[x, y0], [x + i * 5, y0 + 45 + length * 0.4], [x + i * 9, y0 + 80 + length * 0.9]])
                lines.append(smooth_closed(offset_curve(_bez(line, 7), np.interp(np.linspace(0, 1, 7), [0, .5, 1],
                                                                                   [0.3, 2.6, 0.3]))))
            for sgn in (-1, 1):
                for k in range(3):
                    x = CX + sgn * (190 - k * 22)
                    line = np.array([[x, 470 + k * 40], [x + sgn * 4, 560 + k * 30], [x - sgn * 20, 650 + k * 25]])
                    lines.append(smooth_closed(offset_curve(_bez(line, 7), np.interp(np.linspace(0, 1, 7),
                                                                                       [0, .5, 1], [0.3, 2.4, 0.3]))))
            out.append(f'<g clip-path="url(#{pid}-clip)">'
                       f'<path d="{smooth_closed(offset_curve(_bez(band, 10), 13 * np.sin(np.linspace(.2, 2.9, 10))))}" '
                       f'fill="%facial_hair_hi2%" opacity="0.35"/>'
                       f'<path d="{"".join(lines)}" fill="%facial_hair_lo2%" opacity="0.5"/></g>')
    else:
        out.append(f'<defs>{"".join(defs)}</defs>')
    if kind in ("beard", "moustache", "goatee") and p.get("moustache", True):
        style = p.get("mstyle", "chevron")
        if style == "pencil":
            mo = np.array([[CX - 84, 616], [CX - 40, 602], [CX, 606], [CX + 40, 602], [CX + 84, 616],
                           [CX + 40, 610], [CX, 612], [CX - 40, 610]])
        elif style == "handlebar":
            mo = np.array([[CX - 128, 586], [CX - 112, 606], [CX - 70, 600], [CX - 30, 590], [CX, 598],
                           [CX + 30, 590], [CX + 70, 600], [CX + 112, 606], [CX + 128, 586], [CX + 120, 614],
                           [CX + 70, 622], [CX, 616], [CX - 70, 622], [CX - 120, 614]])
        elif style == "horseshoe":
            mo = np.array([[CX - 100, 612], [CX - 50, 590], [CX, 594], [CX + 50, 590], [CX + 100, 612],
                           [CX + 104, 700], [CX + 88, 700], [CX + 80, 628], [CX, 622], [CX - 80, 628],
                           [CX - 88, 700], [CX - 104, 700]])
        else:  # chevron
            mo = np.array([[CX - 96, 622], [CX - 60, 592], [CX, 588], [CX + 60, 592], [CX + 96, 622],
                           [CX + 50, 620], [CX, 622], [CX - 50, 620]])
        out.append(f'<path d="{smooth_closed(mo)}" fill="url(#{pid}-m)"/>')
        for i in range(-3, 4):
            if i == 0:
                continue
            x = CX + i * 22
            out.append(f'<path d="M{f(x)},{f(598)} L{f(x + i * 2.5)},{f(614)}" stroke="%facial_hair_lo2%" '
                       f'stroke-width="2.4" opacity="0.45" stroke-linecap="round"/>')
    if kind == "goatee":
        gl = p.get("glen", 60)
        g = np.array([[CX - 62, 690], [CX - 30, 676], [CX, 680], [CX + 30, 676], [CX + 62, 690],
                      [CX + 54, 760 + gl * 0.5], [CX, 800 + gl], [CX - 54, 760 + gl * 0.5]])
        out.append(f'<path d="{smooth_closed(g)}" fill="url(#{pid}-g)"/>')
        shine = _bez(np.array([[CX - 30, 720], [CX, 735], [CX + 30, 720]]), 8)
        out.append(f'<path d="{smooth_closed(offset_curve(shine, 6 * np.sin(np.linspace(0.2, 2.9, 8))))}" '
                   f'fill="%facial_hair_hi2%" opacity="0.3"/>')
    if kind == "soul_patch":
        g = np.array([[CX - 18, 690], [CX, 686], [CX + 18, 690], [CX + 8, 722], [CX, 728], [CX - 8, 722]])
        out.append(f'<path d="{smooth_closed(g)}" fill="url(#{pid}-g)"/>')
    if kind == "chinstrap":
        half = _beard_outline(8, 1.0)
        inner = half.copy()
        inner[:, 0] = CX + (inner[:, 0] - CX) * 0.9
        inner[:, 1] -= np.linspace(0, 34, 9)
        outline = np.concatenate([half, mirror_x(half[:-1][::-1]), mirror_x(inner), inner[::-1][1:]])
        out.append(f'<path d="{smooth_closed(outline)}" fill="url(#{pid}-g)"/>')
    return "".join(out)


FACIAL_HAIR = [
    ("stubble_01", "Light stubble", ["stubble"], "stubble", dict(op=0.55)),
    ("stubble_02", "Heavy stubble", ["stubble"], "stubble", dict(op=1.0)),
    ("moustache_01", "Chevron moustache", ["moustache"], "moustache", dict()),
    ("moustache_02", "Pencil moustache", ["moustache"], "moustache", dict(mstyle="pencil")),
    ("moustache_03", "Handlebar moustache", ["moustache"], "moustache", dict(mstyle="handlebar")),
    ("moustache_04", "Horseshoe moustache", ["moustache"], "moustache", dict(mstyle="horseshoe")),
    ("goatee_01", "Goatee", ["goatee", "moustache"], "goatee", dict()),
    ("goatee_02", "Chin goatee", ["goatee"], "goatee", dict(moustache=False, glen=30)),
    ("soul_patch_01", "Soul patch", ["goatee", "soul_patch"], "soul_patch", dict(moustache=False)),
    ("short_beard_01", "Short beard", ["beard", "short_beard", "moustache"], "beard", dict(length=6, cheek=550)),
    ("short_beard_02", "Short boxed beard", ["beard", "short_beard", "moustache"], "beard",
     dict(length=16, cheek=560, width=1.02)),
    ("full_beard_01", "Full beard", ["beard", "full_beard", "moustache"], "beard", dict(length=44, cheek=530,
                                                                                        width=1.03)),
    ("full_beard_02", "Long full beard", ["beard", "full_beard", "moustache"], "beard",
     dict(length=100, cheek=520, width=1.05)),
    ("chinstrap_01", "Chinstrap", ["beard", "chinstrap"], "chinstrap", dict(moustache=False)),
]


def facial_hair_parts() -> list[PartDef]:
    out = []
    for key, name, tags, kind, p in FACIAL_HAIR:
        pid = key
        body = facial_hair_svg(pid, kind, p)
        anchors = {"region": [[round(float(CX - 1.3 * IOD), 2), round(float(EYE_Y + 0.5 * IOD), 2)],
                              [round(float(CX + 1.3 * IOD), 2), round(float(EYE_Y + 2.4 * IOD), 2)]]}
        out.append(PartDef(pid, "facial_hair", name, tags, {"main": body}, anchors, ["facial_hair"],
                           params={"kind": kind, **p}))
    return out
