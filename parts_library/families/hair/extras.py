"""Extras drawn with a hairstyle (buns, ponytails, puffs, braids, locs, cornrows, a balding horseshoe), by name.

:data:`EXTRAS` maps each name to an :class:`Extra`: what it draws under the cap (``under``, before the front
layer), over it (``front``) and behind the head (``back``). A hair spec lists the names it wears in ``extra``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ...svg import f, linear_grad, mirror_x, smooth_closed, smooth_open
from ..common import CRANIUM_TOP, CX
from .paint import ball, bez, braid, rope, rope_grad, strand
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
    """Ropes (locs, box braids) hanging behind the shoulders to the spec's ``back_len``."""
    def draw(pid: str, h: HairSpec) -> str:
        out = [f"<defs>{rope_grad(pid)}</defs>"]
        n = 7
        end = h.back_len or 900
        for s_ in (-1, 1):
            for i in range(n):
                x0 = CX + s_ * (140 + i * 15)
                x1 = CX + s_ * (165 + i * 19)
                r = rope(x0, 320 + i * 6, x1, end - (i % 3) * 34, width, bend=s_ * 10)
                out.append(f'<path d="{smooth_closed(r)}" fill="url(#{pid}-rope)"/>')
        return "".join(out)
    return draw


def _ropes_front(width: float):
    """Ropes falling beside the face in front of the shoulders, with chevron marks."""
    def draw(pid: str, h: HairSpec) -> str:
        out = []
        end = (h.back_len or 900) - 30
        marks = []
        for s_ in (-1, 1):
            for i in range(4):
                x0 = CX + s_ * (236 - 15 * i)
                x1 = x0 + s_ * (10 + 10 * i)
                y0, y1 = 330 + 24 * i, end - 40 * (3 - i)
                out.append(f'<path d="{smooth_closed(rope(x0, y0, x1, y1, width, bend=s_ * 8))}" '
                           f'fill="url(#{pid}-rope)"/>')
                for y in np.linspace(y0 + 40, y1 - 30, 6):
                    u = (y - y0) / (y1 - y0)
                    xx = x0 + (x1 - x0) * u + s_ * 8 * np.sin(np.pi * u)
                    marks.append(f"M{f(xx - width * 0.42)},{f(y - 5)}Q{f(xx)},{f(y + 7)} {f(xx + width * 0.42)},"
                                 f"{f(y - 5)}")
        out.append(f'<path d="{"".join(marks)}" fill="none" stroke="%hair_lo3%" stroke-width="2.6" opacity="0.5"/>')
        return f"<defs>{rope_grad(pid)}</defs>" + "".join(out)
    return draw


def _braids(pid: str, h: HairSpec) -> str:
    return (braid(pid + "l", CX - 200, 430, CX - 184, 900, 70, 8)
            + braid(pid + "r", CX + 200, 430, CX + 184, 900, 70, 8))


def _cornrows(pid: str, h: HairSpec) -> str:
    out = []
    for i in range(-3, 4):
        x = CX + i * 46
        line = np.array([[x, 250 + abs(i) * 6], [x + i * 12, 160], [x + i * 22, CRANIUM_TOP + 20]])
        out.append(f'<path d="{smooth_open(bez(line, 8))}" fill="none" stroke="%hair_lo3%" stroke-width="5" '
                   f'opacity="0.6" stroke-linecap="round"/>')
        out.append(f'<path d="{smooth_open(bez(line + [10, 0], 8))}" fill="none" stroke="%hair_hi2%" '
                   f'stroke-width="3" opacity="0.35" stroke-linecap="round"/>')
    return f'<g clip-path="url(#{pid}-capclip)">' + "".join(out) + "</g>"


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


EXTRAS: dict[str, Extra] = {
    "bun": Extra(back=_bun),
    "man_bun": Extra(back=_man_bun),
    "puffs": Extra(back=_puffs),
    "ponytail": Extra(back=_ponytail(300)),
    "high_ponytail": Extra(back=_ponytail(220)),
    "box_braids": Extra(back=_ropes_back(26), front=_ropes_front(26)),
    "locs": Extra(back=_ropes_back(34), front=_ropes_front(34)),
    "braids": Extra(front=_braids),
    "cornrows": Extra(front=_cornrows),
    "horseshoe": Extra(under=_horseshoe),
}


def extra(name: str) -> Extra:
    """The extra called ``name``; an unknown name is an error listing the known ones."""
    try:
        return EXTRAS[name]
    except KeyError:
        raise KeyError(f"unknown hair extra {name!r} (extras: {', '.join(sorted(EXTRAS))})") from None
