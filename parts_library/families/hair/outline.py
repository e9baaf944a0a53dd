"""Hair geometry on the mean cranium: the cap's outer silhouette, its hairline or fringe edge, the sides (a sideburn
or locks falling beside the face) and the closed cap outline. Pure numpy; no SVG."""
from __future__ import annotations

import numpy as np

from ...svg import mirror_x
from ..common import CRANIUM_CY, CRANIUM_RX, CRANIUM_TOP, CX
from .spec import HairSpec, bumps, texture_wave

__all__ = ["RY", "outer_arc", "hairline_curve", "side_down", "cap_outline", "LOCK_INNER", "tips"]


RY = CRANIUM_CY - CRANIUM_TOP


def tips(u: np.ndarray, k: float, phase: float = 0.0) -> np.ndarray:
    """Pointed tips (value 1 at the points, smooth hollows between): the ends of locks and spikes, ``k`` per unit of
    ``u``."""
    return (1.0 - np.abs(np.sin(np.pi * (k * u + phase)))) ** 2


def outer_arc(h: HairSpec, n: int = 90, extra_top: float = 0.0) -> np.ndarray:
    """The cap's outer silhouette from the left side (at the widest row) over the top to the right side."""
    t = np.linspace(0, 1, n)
    th = np.pi + np.pi * t
    s = np.sin(th)
    vol = h.vol_side + (h.vol_top + extra_top - h.vol_side) * np.abs(s) ** (6.0 if h.top == "box" else 1.5)
    if h.top == "flat":
        vol = vol - 0.35 * (h.vol_top - h.vol_side) * np.abs(s) ** 8
    if h.top == "quiff":
        vol = vol + 38 * np.exp(-((t - 0.42) / 0.13) ** 2)
    if h.top == "mohawk":
        vol = h.vol_side + 70 * np.exp(-((t - 0.5) / 0.07) ** 2)
    amp, k = texture_wave(h.texture, h.amp)
    vol = vol + bumps(t, amp, k, 0.45 if h.texture in ("curly", "coily") else 0.0)
    if h.top == "spiky":  # spikes standing up and out, longest on the crown
        vol = vol + 42 * tips(t, 7, 0.5) ** 0.6 * np.abs(s) ** 2
    elif h.locks is None and h.texture in ("straight", "wavy") and h.top in ("round", "flat", "quiff") \
            and h.vol_top > 10:
        vol = vol + 9 * tips(t, 7, 0.5) * np.abs(s)  # short hair: locks break the outline, not a helmet (a buzz
        # cut has no locks: they drew a peak on its crown)
    x = CX + (CRANIUM_RX + vol) * np.cos(th)
    y = CRANIUM_CY + (RY + vol) * np.sign(s) * np.abs(s) ** 0.85
    if h.top == "box":  # a high top: straight sides rising from the temples to a flat top (a superellipse)
        c = np.cos(th)
        x = CX + (CRANIUM_RX - 8 + vol) * np.sign(c) * np.abs(c) ** 0.4
        y = CRANIUM_CY + (RY + vol) * np.sign(s) * np.abs(s) ** 0.3
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
    u = (xs + 1) / 2
    # pointed lock ends along the front edge of short hair (a spiky cut's point up: it is brushed up)
    if h.fringe is None and h.locks is None and h.top not in ("slick",) and h.texture in ("straight", "wavy") \
            and h.coverage >= 0.9 and h.recede == 0:
        a = -10 if h.top == "spiky" else 12
        y = y + a * tips(u, 6.5, 0.25) * (0.75 + 0.25 * np.sin(11 * u)) * (1 - ax ** 3)
    # fringe lock tips
    if h.fringe in ("wispy", "straight", "short", "swept"):
        k = {"wispy": 6, "straight": 9, "short": 8, "swept": 5}[h.fringe]
        a = {"wispy": 18, "straight": 7, "short": 14, "swept": 14}[h.fringe]
        y = y + a * tips(u, k, 0.5) * (0.8 + 0.2 * np.sin(13 * u)) * (1 - ax ** 4)
    if h.fringe == "curly" or (h.fringe is None and h.texture in ("curly", "coily")):
        amp, kk = texture_wave(h.texture, h.amp)
        y = y + 0.7 * amp * np.abs(np.sin(np.pi * kk * 0.6 * (xs + 1) / 2)) ** 0.7
    x = CX + xs * tx
    return np.stack([x, y], axis=1)


# inner edge of long hair falling beside the face: (y, x offset from the centre)
LOCK_INNER = np.array([[450, 204], [520, 200], [600, 190], [680, 174], [760, 164], [840, 162], [1000, 166]])


def side_down(h: HairSpec, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Left outer edge from the widest row down to the hair's lower end, and the inner edge back up to the temple
    (both top → bottom). Short hair ends at the sideburn; hair with ``locks`` falls to ``h.locks``."""
    amp, k = texture_wave(h.texture, h.amp)
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
    ox = ox - 24 * np.clip((ys - 740) / 160, 0, 1) ** 2  # the hair spreads where it falls over the shoulder
    if h.texture == "wavy":
        ox = ox - 9 * np.sin(u * 3 * np.pi)
    if amp:
        ox = ox - bumps(u, amp * 1.2, max(k // 2, 4), 0.4)
    outer = np.stack([ox, ys], 1)
    y0 = max(h.temple_y + 40, float(hairline_curve(h)[-1, 1]) + 12)
    iy = np.concatenate([[y0], LOCK_INNER[LOCK_INNER[:, 0] > y0 + 20, 0]])
    ix = np.concatenate([[200], LOCK_INNER[LOCK_INNER[:, 0] > y0 + 20, 1]])
    ys_i = np.linspace(y0, end - 16, 10)
    xi = CX - np.interp(ys_i, iy, ix)
    if h.texture == "wavy":
        xi = xi - 7 * np.sin((ys_i - ys_i[0]) / (end - ys_i[0]) * 3 * np.pi)
    if amp:
        xi = xi + bumps((ys_i - ys_i[0]) / (end - ys_i[0]), amp, max(k // 2, 4))
    inner = np.stack([xi, ys_i], 1)
    # the ends: a few soft points (strand tips) across the bottom of the lock
    x0, x1 = outer[-1, 0], inner[-1, 0]
    if h.ends == "under":  # a bob: the ends turn under, a blunt rounded line instead of strand tips
        outer[-3:, 0] += np.array([4.0, 10.0, 18.0])
        x0 = outer[-1, 0]
        tips = [[x0 + (x1 - x0) * 0.3, end + 14], [x0 + (x1 - x0) * 0.7, end + 12]]
    elif h.texture in ("straight", "wavy"):
        tips = [[x0 + (x1 - x0) * 0.2, end + 16], [x0 + (x1 - x0) * 0.42, end + 2], [x0 + (x1 - x0) * 0.62, end + 20],
                [x0 + (x1 - x0) * 0.85, end + 4]]
    else:
        tips = [[(x0 + x1) / 2 - 6, end + 14]]
    outer = np.concatenate([outer, tips])
    return outer, inner


def cap_outline(h: HairSpec) -> np.ndarray:
    arc = outer_arc(h)
    outer_l, inner_l = side_down(h, arc[0])
    hl = hairline_curve(h)
    # left: bottom of the side up to the arc; arc over the top; right side down; right inner up; hairline; left
    # inner down
    return np.concatenate([outer_l[::-1], arc, mirror_x(outer_l), mirror_x(inner_l)[::-1], hl, inner_l])
