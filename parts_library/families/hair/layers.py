"""The two layers of a hair part: the front (the cap over the cranium, its sides and locks in front of the shoulders,
drawn above the face) and the back (hair behind the head, neck and shoulders, drawn below the body)."""
from __future__ import annotations

import numpy as np

from ...svg import f, linear_grad, mirror_x, offset_curve, radial_grad, smooth_closed
from ..common import CRANIUM_CY, CRANIUM_RX, CRANIUM_TOP, CX
from .extras import extra
from .outline import RY, cap_outline, hairline_curve, outer_arc
from .paint import bez, curl_texture, forehead_shadow, grad_defs, grain, strands
from .spec import HairSpec, bumps, texture_wave

__all__ = ["front_layer", "back_layer"]


def front_layer(pid: str, h: HairSpec) -> str:
    """The cap (or, on a bald head, a sheen and a faint shadow where the hair was), its forehead shadow, short sides
    under a longer top, the surface (rim, highlight band, strands or curls) clipped to it, and the parting."""
    if not h.cap:
        return "" if h.extra else _bald(pid)  # a bald crown with a fringe of hair (horseshoe) draws only that
    outline = cap_outline(h)
    top_y = float(outline[:, 1].min())
    hl = hairline_curve(h)
    out: list[str] = []
    cap_pts = outline
    if h.sides in ("undercut", "faded"):
        sides, cap_pts = _short_sides(pid, h, hl)
        out.append(sides)
    cap = smooth_closed(cap_pts)
    defs = grad_defs(pid, top_y, h.locks or h.side_bottom)
    defs.append(f'<clipPath id="{pid}-capclip"><path d="{cap}"/></clipPath>')
    out.insert(0, f'<defs>{"".join(defs)}</defs>' + (forehead_shadow(hl) if h.coverage >= 0.9 else ""))
    op = f' opacity="{f(h.coverage)}"' if h.coverage < 1 else ""
    out.append(f"<g{op}>")
    out.append(f'<path d="{cap}" fill="url(#{pid}-cap)"/>')
    out.append(f'<g clip-path="url(#{pid}-capclip)">{"".join(_surface(pid, h, outline, hl, top_y))}</g>')
    if h.part is not None and h.fringe is None and h.top != "slick":
        out.append(_parting(h, top_y))
    out.append("</g>")
    return "".join(out)


def _bald(pid: str) -> str:
    """A bald head: a sheen on the crown and a faint shadow above the ears where the hair was."""
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


def _short_sides(pid: str, h: HairSpec, hl: np.ndarray) -> tuple[str, np.ndarray]:
    """Sides cut short (undercut, fade): a thin cap fading towards the ears, and the outline of the longer top that
    sits on it (its silhouette down to the temples, then the hairline; a mohawk's narrow crest)."""
    thin = HairSpec(**{**h.__dict__, "vol_top": 6, "vol_side": 5, "texture": "straight", "top": "round", "amp": 0})
    fade = linear_grad(f"{pid}-fade", 0, 300, 0, h.side_bottom, [(0, "%hair_lo%", 0.75), (1, "%hair_lo%", 0.3)])
    sides = f'<defs>{fade}</defs><path d="{smooth_closed(cap_outline(thin))}" fill="url(#{pid}-fade)"/>'
    if h.top == "mohawk":
        half = np.array([[CX, h.hairline + 16], [CX - 62, h.hairline + 4], [CX - 78, 196],
                         [CX - 62, CRANIUM_TOP + 10], [CX - 26, CRANIUM_TOP - 48]])
        return sides, np.concatenate([half, [[CX, CRANIUM_TOP - 66]], mirror_x(half[::-1])])
    arc = outer_arc(h)
    return sides, np.concatenate([arc[arc[:, 1] <= h.temple_y + 10], hl])


def _surface(pid: str, h: HairSpec, outline: np.ndarray, hl: np.ndarray, top_y: float) -> list[str]:
    """What lies on the cap (clipped to it): the darker rim along the hairline (its thickness), then the highlight
    band and strands (straight, wavy) or the curl texture (curly, coily), unless an extra draws the surface; on a
    buzzed or shaved cap, a stubble that thins into the skin at the hairline."""
    buzzed = h.vol_top <= 10
    if buzzed and not h.extra:
        # a plain buzz thins into the skin at the hairline (a darker rim there drew the edge of a knit cap)
        inner = _hairline_rim(hl, "%skin%", ((6, 0.45), (14, 0.25), (24, 0.12)))
    else:
        inner = _hairline_rim(hl, "%hair_lo2%", ((8, 0.16), (18, 0.1)))
    if any(extra(name).covers_cap for name in h.extra):
        return inner
    if buzzed:  # buzzed and shaved: stubble, not strands
        return inner + grain(pid, outline, h)
    if h.coverage < 0.9:
        return inner
    if h.texture in ("straight", "wavy"):
        t = np.linspace(0.18, 0.82, 15)
        th = np.pi + np.pi * t
        rr = 0.78
        band = np.stack([CX - 10 + (CRANIUM_RX + h.vol_side) * rr * np.cos(th),
                         CRANIUM_CY - 30 + (RY + h.vol_top) * rr * np.sin(th)], 1)
        if h.texture == "wavy":
            band[:, 1] += 6 * np.sin(np.linspace(0, 3 * np.pi, 15))
        w = 16 * np.sin(np.linspace(0.1, np.pi - 0.1, 15))
        inner.append(f'<path d="{smooth_closed(offset_curve(band, w))}" fill="url(#{pid}-band)"/>')
        inner.extend(strands(pid, h, hl, top_y))
    else:
        inner.extend(curl_texture(pid, outline, h, top_y, float(outline[:, 1].max())))
    return inner


def _hairline_rim(hl: np.ndarray, fill: str, bands: tuple[tuple[float, float], ...]) -> list[str]:
    """Stacked bands along the inside of the hairline, ``(depth, opacity)`` each, in one fill."""
    out = []
    for depth, op in bands:
        rim = np.concatenate([hl + [0, 2], (hl + [0, -depth])[::-1]])
        out.append(f'<path d="{smooth_closed(rim)}" fill="{fill}" opacity="{op}"/>')
    return out


def _parting(h: HairSpec, top_y: float) -> str:
    """The parting: a thin tapered line of scalp from the hairline back over the crown."""
    px = CX + h.part
    pl = np.array([[px, h.hairline - 6], [px - 2, h.hairline - 50], [px - 8, top_y + 60]])
    line = smooth_closed(offset_curve(bez(pl, 8), np.linspace(2.2, 0.2, 8)))
    return f'<path d="{line}" fill="%skin_lo%" opacity="0.7"/>'


def _round_back(pid: str, h: HairSpec) -> str:
    """A ball of hair around the head (an afro): the cap's silhouette continued below its widest row, curving in
    under the jaw line to ``back_len``."""
    arc = outer_arc(h, 70)
    amp, k = texture_wave(h.texture, h.amp)
    t = np.linspace(0, 1, 40)[1:-1]
    rx = CRANIUM_RX + h.vol_side
    ry = h.back_len - CRANIUM_CY
    r = 1 + bumps(t, amp, k, 0.45) / rx
    th = np.pi * t  # from the right side (0) round the bottom to the left side (pi)
    below = np.stack([CX + rx * r * np.cos(th), CRANIUM_CY + ry * r * np.sin(th) ** 0.8], 1)
    pts = np.concatenate([arc, below])
    top_y = float(arc[:, 1].min())
    defs = grad_defs(pid + "b", top_y, h.back_len)
    path = smooth_closed(pts)
    return (f'<defs>{"".join(defs)}</defs><path d="{path}" fill="url(#{pid}b-cap)"/>'
            f'<path d="{path}" fill="url(#{pid}b-deep)"/>')


def back_layer(pid: str, h: HairSpec) -> str:
    out: list[str] = []
    if h.back_len is not None and h.back_shape == "round":
        out.append(_round_back(pid, h))
    elif h.back_len is not None and h.back_shape == "fall":
        end = h.back_len
        arc = outer_arc(h, 50)
        amp, k = texture_wave(h.texture, h.amp)
        # sides from the widest row down to the ends, widening
        ys = np.linspace(CRANIUM_CY, end, 10)
        u = (ys - ys[0]) / (end - ys[0])
        half = CRANIUM_RX + h.vol_side + (h.back_w - CRANIUM_RX - h.vol_side) * u ** 0.8
        if amp:
            half = half + bumps(u, amp, max(k // 2, 3))
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
        defs = grad_defs(pid + "b", top_y, end)
        out.append(f'<defs>{"".join(defs)}</defs>')
        path = smooth_closed(pts)
        out.append(f'<path d="{path}" fill="url(#{pid}b-back)"/>')
        out.append(f'<path d="{path}" fill="url(#{pid}b-deep)"/>')
        # long strands down the sides (not behind ropes: braids, twists and locs hide them)
        if h.texture in ("straight", "wavy") and not any(extra(name).covers_cap for name in h.extra):
            for s in (-1, 1):
                for j, off in enumerate((0.9, 0.97)):
                    line = np.stack([CX + s * half * off, ys], 1)[2:]
                    wv = np.interp(np.linspace(0, 1, len(line)), [0, 0.3, 1], [0.3, 2.2, 0.3])
                    col = "%hair_hi%" if j else "%hair_lo3%"
                    out.append(f'<path d="{smooth_closed(offset_curve(line, wv))}" fill="{col}" opacity="0.45"/>')
    return "".join(out)

