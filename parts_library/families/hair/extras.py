"""Extras drawn with a hairstyle, by name: buns, top knots, puffs, ponytails, pigtails, braids, box braids, twists,
locs, cornrows (rows lying on the scalp), short twists, a balding horseshoe.

:data:`EXTRAS` maps each name to an :class:`Extra`: what it draws under the cap (``under``, before the front
layer), over it (``front``) and behind the head (``back``). A hair spec lists the names it wears in ``extra``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ...svg import f, linear_grad, mirror_x, radial_grad, smooth_closed
from ..common import CRANIUM_CY, CRANIUM_TOP, CX
from .outline import cap_outline, hairline_curve, outer_arc
from .paint import ball, bez, braid, rope_line, ropes, strand
from .spec import HairSpec

__all__ = ["Extra", "EXTRAS", "extra"]


def _bun(pid: str, h: HairSpec) -> str:
    return ball(pid, "bun", CX, CRANIUM_TOP - h.vol_top - 30, 74, h)


def _man_bun(pid: str, h: HairSpec) -> str:
    return ball(pid, "mbun", CX + 6, CRANIUM_TOP - h.vol_top - 12, 50, h)


def _puffs(pid: str, h: HairSpec) -> str:
    return (ball(pid, "puffl", CX - 190, CRANIUM_TOP + 40, 92, h)
            + ball(pid, "puffr", CX + 190, CRANIUM_TOP + 40, 92, h))


def _ponytail(y0: float):
    def draw(pid: str, h: HairSpec) -> str:
        if h.texture in ("curly", "coily"):  # a curly tail: a cascade of ringlet balls
            return "".join(ball(pid, f"tail{i}", CX + 206 + 26 * np.sin(i * 1.3), y0 + 30 + 78 * i, 60 - 6 * i, h)
                           for i in range(5))
        tail = np.array([[CX + 140, y0 - 10], [CX + 250, y0 + 60], [CX + 290, y0 + 240], [CX + 276, y0 + 430],
                         [CX + 226, y0 + 580], [CX + 214, y0 + 450], [CX + 200, y0 + 260], [CX + 150, y0 + 130]])
        g = linear_grad(f"{pid}-tail", CX + 196, 0, CX + 292, 0, [(0, "%hair_lo2%"), (0.45, "%hair%"),
                                                                  (1, "%hair_lo2%")])
        line = np.array([[CX + 215, y0 + 80], [CX + 235, y0 + 250], [CX + 225, y0 + 480]])
        return (f'<defs>{g}</defs><path d="{smooth_closed(tail)}" fill="url(#{pid}-tail)"/>'
                f'<path d="{strand(line, 10, 2.5)}" '
                f'fill="%hair_hi2%" opacity="0.45"/>')
    return draw


def _ropes_back(width: float):
    """Ropes (locs, box braids, twists) hanging behind the shoulders to the spec's ``back_len``."""
    def draw(pid: str, h: HairSpec) -> str:
        end = h.back_len or 900
        return ropes([rope_line(CX + s_ * (140 + i * 15), 320 + i * 6, CX + s_ * (165 + i * 19),
                                end - (i % 3) * 34, bend=s_ * 10) for s_ in (-1, 1) for i in range(7)], width)
    return draw


def _rope_marks(x: float, y: float, width: float, mark: str, i: int) -> str:
    """One mark across a rope at (x, y): a braid's chevron, a twist's slanted turn, a loc's soft groove."""
    w = width * 0.42
    if mark == "chevron":
        return f"M{f(x - w)},{f(y - 5)}Q{f(x)},{f(y + 7)} {f(x + w)},{f(y - 5)}"
    if mark == "twist":
        return f"M{f(x - w)},{f(y - 8)}Q{f(x)},{f(y - 6)} {f(x + w)},{f(y + 8)}"
    dy = 3 if i % 2 else -3
    return f"M{f(x - w * 0.8)},{f(y + dy)}Q{f(x)},{f(y + 5 + dy)} {f(x + w * 0.8)},{f(y + dy)}"


def _ropes_front(width: float, mark: str = "chevron", n: int = 4, marks_per: int = 6):
    """Ropes (box braids, twists, locs) falling beside the face in front of the shoulders, with marks across."""
    def draw(pid: str, h: HairSpec) -> str:
        end = (h.back_len or 900) - 30
        lines, marks = [], []
        for s_ in (-1, 1):
            for i in range(n):
                x0 = CX + s_ * (236 - 60 * i / max(n - 1, 1) * 0.75)
                x1 = x0 + s_ * (10 + 30 * i / max(n - 1, 1))
                y0, y1 = 330 + 72 * i / max(n - 1, 1), end - 120 * (n - 1 - i) / max(n - 1, 1)
                lines.append(rope_line(x0, y0, x1, y1, bend=s_ * 8))
                for j, y in enumerate(np.linspace(y0 + 40, y1 - 30, marks_per)):
                    u = (y - y0) / (y1 - y0)
                    xx = x0 + (x1 - x0) * u + s_ * 8 * np.sin(np.pi * u)
                    marks.append(_rope_marks(xx, y, width, mark, i + j))
        return (ropes(lines, width) + f'<path d="{"".join(marks)}" fill="none" stroke="%hair_lo3%" '
                f'stroke-width="2.6" opacity="0.5"/>')
    return draw


def _rows(n: int, width: float, mark: str = "chevron", curve: float = 0.0):
    """Raised rows lying on the scalp from the hairline back over the crown (cornrows; the roots of box braids, twists
    and locs): ``n`` ropes side by side with marks across, clipped to the cap. ``curve`` bends every row sideways."""
    def draw(pid: str, h: HairSpec) -> str:
        hl = hairline_curve(h, 61)
        lines, marks = [], []
        for i in range(n):
            u = (i + 0.5) / n * 2 - 1  # -1 .. 1 across the forehead
            x0 = CX + u * 188
            y0 = float(np.interp(x0, hl[::-1, 0], hl[::-1, 1])) + 6
            ctrl = np.array([[x0, y0], [CX + u * 215 + curve * 0.6, 170], [CX + u * 250 + curve, CRANIUM_TOP - 60]])
            line = bez(ctrl, 14)
            lines.append(line)
            for t in np.linspace(0.08, 0.9, 7):
                k = int(t * (len(line) - 1))
                marks.append(_rope_marks(line[k, 0], line[k, 1], width, mark, i + k))
        gaps = f'<path d="{smooth_closed(cap_outline(h))}" fill="%hair_lo3%" opacity="0.5"/>'
        return (f'<g clip-path="url(#{pid}-capclip)">{gaps}{ropes(lines, width, False)}'
                f'<path d="{"".join(marks)}" fill="none" stroke="%hair_lo3%" stroke-width="2.6" opacity="0.5"/></g>')
    return draw


def _pigtails(pid: str, h: HairSpec) -> str:
    """Two tails tied at the sides at ear height, falling behind the shoulders (back layer), with their ties."""
    out = []
    g = linear_grad(f"{pid}-pig", 0, 380, 0, 800, [(0, "%hair%"), (1, "%hair_lo2%")])
    for s_ in (-1, 1):
        pts = np.array([[CX - 214, 400], [CX - 276, 440], [CX - 300, 560], [CX - 292, 700], [CX - 262, 800],
                        [CX - 252, 690], [CX - 244, 540], [CX - 222, 450]])
        tie = np.array([[CX - 262, 432], [CX - 220, 410], [CX - 214, 436], [CX - 256, 458]])
        out.append(f'<path d="{smooth_closed(pts if s_ < 0 else mirror_x(pts))}" fill="url(#{pid}-pig)"/>')
        out.append(f'<path d="{smooth_closed(tie if s_ < 0 else mirror_x(tie))}" fill="%hair_lo3%"/>')
    return f"<defs>{g}</defs>" + "".join(out)


def _short_twists(pid: str, h: HairSpec) -> str:
    """Short twists all over the crown: small upright coils (shaded ellipses, each with a turn across it) packed in
    staggered rows, leaning outward towards the sides; those on the top edge stand just out of the silhouette."""
    spots = []
    for row, y in enumerate(np.arange(h.hairline + 14, CRANIUM_TOP - 30, -30)):
        for x in np.arange(CX - 236 + (row % 2) * 17, CX + 237, 34):
            spots.append((x, y))
    d, marks = [], []
    for x, y in spots:
        lean = float(np.degrees(np.arctan2(x - CX, 420.0)))
        d.append(f'<ellipse cx="{f(x)}" cy="{f(y)}" rx="13" ry="19" transform="rotate({f(lean)} {f(x)} {f(y)})"/>')
        a = np.radians(lean)
        ux, uy = np.sin(a), -np.cos(a)  # along the twist
        px_, py_ = x + ux * 4, y + uy * 4
        marks.append(f"M{f(px_ - 9 * uy * -1 - 4 * ux)},{f(py_ - 9 * ux - 4 * uy)}"
                     f"L{f(px_ + 9 * uy * -1 + 4 * ux)},{f(py_ + 9 * ux + 4 * uy)}")
    g = radial_grad(f"{pid}-tw", 0.38, 0.3, 0.7, [(0, "%hair_hi%"), (0.55, "%hair%"), (1, "%hair_lo3%")], bbox=True)
    return (f'<defs>{g}<clipPath id="{pid}-twclip"><path d="{smooth_closed(_twist_clip(h))}"/></clipPath></defs>'
            f'<g clip-path="url(#{pid}-twclip)"><path d="{smooth_closed(cap_outline(h))}" fill="%hair_lo3%" '
            f'opacity="0.6"/><g fill="url(#{pid}-tw)">{"".join(d)}</g>'
            f'<path d="{"".join(marks)}" fill="none" stroke="%hair_lo3%" stroke-width="2.2" opacity="0.5"/></g>')


def _twist_clip(h: HairSpec) -> np.ndarray:
    """The cap grown outward by a twist's length above the forehead (twists stand out of the top only)."""
    cap = cap_outline(h)
    n = cap - [CX, CRANIUM_CY]
    n = n / np.maximum(np.hypot(n[:, 0], n[:, 1]), 1e-6)[:, None]
    grow = np.where(cap[:, 1] < CRANIUM_CY - 40, 12.0, 0.0)
    return cap + n * grow[:, None]


def _top_knot(pid: str, h: HairSpec) -> str:
    """A small tight knot high on the crown, on a short stem with a tie (a man bun sits lower and rounder)."""
    cy = CRANIUM_TOP - h.vol_top - 22
    stem = np.array([[CX - 24, cy + 24], [CX + 24, cy + 24], [CX + 40, cy + 64], [CX, cy + 70], [CX - 40, cy + 64]])
    tie = (f'<ellipse cx="{f(CX)}" cy="{f(cy + 40)}" rx="27" ry="9" fill="%hair_lo3%" opacity="0.85"/>')
    return f'<path d="{smooth_closed(stem)}" fill="%hair_lo%"/>' + ball(pid, "knot", CX, cy, 44, h) + tie


def _space_buns(pid: str, h: HairSpec) -> str:
    return (ball(pid, "sbl", CX - 150, CRANIUM_TOP + 4, 64, h)
            + ball(pid, "sbr", CX + 150, CRANIUM_TOP + 4, 64, h))


def _high_puff(pid: str, h: HairSpec) -> str:
    return ball(pid, "hpuff", CX, CRANIUM_TOP - h.vol_top + 2, 92, h)


def _side_ponytail(pid: str, h: HairSpec) -> str:
    """A tail gathered low at one side and brought forward over the shoulder (front layer)."""
    tail = np.array([[CX - 196, 470], [CX - 246, 540], [CX - 262, 660], [CX - 246, 780], [CX - 200, 880],
                     [CX - 186, 800], [CX - 196, 680], [CX - 186, 560]])
    g = linear_grad(f"{pid}-stail", CX - 262, 0, CX - 186, 0, [(0, "%hair_lo2%"), (0.5, "%hair%"),
                                                                (1, "%hair_lo2%")])
    lines = "".join(strand(np.array([[CX - 205 - 14 * j, 520], [CX - 240 + 6 * j, 680], [CX - 206 - 8 * j, 850]]),
                           10, 2.4) for j in range(3))
    tie = f'<ellipse cx="{f(CX - 214)}" cy="{f(500)}" rx="22" ry="12" fill="%hair_lo3%"/>'
    return (f'<defs>{g}</defs><path d="{smooth_closed(tail)}" fill="url(#{pid}-stail)"/>'
            f'<path d="{lines}" fill="%hair_hi2%" opacity="0.4"/>{tie}')


def _side_braid(pid: str, h: HairSpec) -> str:
    return braid(pid + "s", CX - 196, 440, CX - 150, 880, 76, 9)


def _braids(pid: str, h: HairSpec) -> str:
    return (braid(pid + "l", CX - 200, 430, CX - 184, 900, 70, 8)
            + braid(pid + "r", CX + 200, 430, CX + 184, 900, 70, 8))


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


Draw = Callable[[str, HairSpec], str]


@dataclass(frozen=True)
class Extra:
    """What an extra draws: ``back`` behind the head (the back layer), ``under`` in the front layer before the cap,
    ``front`` in the front layer after it (it may clip to the cap with ``url(#<pid>-capclip)``)."""

    back: Draw | None = None
    under: Draw | None = None
    front: Draw | None = None
    covers_cap: bool = False  # it draws the cap's surface itself (rows, twists): no strands or curls under it


EXTRAS: dict[str, Extra] = {
    "bun": Extra(back=_bun),
    "man_bun": Extra(back=_man_bun),
    "puffs": Extra(back=_puffs),
    "ponytail": Extra(back=_ponytail(300)),
    "high_ponytail": Extra(back=_ponytail(220)),
    "box_braids": Extra(back=_ropes_back(26), front=_ropes_front(26)),
    "locs": Extra(back=_ropes_back(34), front=_ropes_front(34)),
    "twists": Extra(back=_ropes_back(28), front=_ropes_front(28, "twist", n=5, marks_per=9)),
    "braids": Extra(front=_braids),
    "side_braid": Extra(front=_side_braid),
    "cornrows": Extra(front=_rows(8, 44), covers_cap=True),
    "cornrows_curved": Extra(front=_rows(8, 44, curve=-110), covers_cap=True),
    "cornrow_tails": Extra(back=_ropes_back(18)),
    "braid_rows": Extra(front=_rows(9, 40), covers_cap=True),
    "twist_rows": Extra(front=_rows(8, 44, "twist"), covers_cap=True),
    "loc_rows": Extra(front=_rows(7, 50, "loc"), covers_cap=True),
    "top_knot": Extra(front=_top_knot),
    "space_buns": Extra(back=_space_buns),
    "puff": Extra(back=_high_puff),
    "side_ponytail": Extra(front=_side_ponytail),
    "pigtails": Extra(back=_pigtails),
    "short_twists": Extra(front=_short_twists, covers_cap=True),
    "horseshoe": Extra(under=_horseshoe),
}


def extra(name: str) -> Extra:
    """The extra called ``name``; an unknown name is an error listing the known ones."""
    try:
        return EXTRAS[name]
    except KeyError:
        raise KeyError(f"unknown hair extra {name!r} (extras: {', '.join(sorted(EXTRAS))})") from None
