"""Facial hair: stubble, moustaches, goatees, beards and a chinstrap, hugging the drawn jaw and mouth."""
from __future__ import annotations

import numpy as np

from ...svg import f, linear_grad, mirror_x, offset_curve, radial_grad, smooth_closed
from ..common import CX, EYE_Y, IOD, M, PUFF, PartDef
from .paint import bez

__all__ = ["FACIAL_HAIR", "facial_hair_svg", "facial_hair_parts"]


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
                lines.append(smooth_closed(offset_curve(bez(line, 7), np.interp(np.linspace(0, 1, 7), [0, .5, 1],
                                                                                   [0.3, 2.6, 0.3]))))
            for sgn in (-1, 1):
                for k in range(3):
                    x = CX + sgn * (190 - k * 22)
                    line = np.array([[x, 470 + k * 40], [x + sgn * 4, 560 + k * 30], [x - sgn * 20, 650 + k * 25]])
                    lines.append(smooth_closed(offset_curve(bez(line, 7), np.interp(np.linspace(0, 1, 7),
                                                                                       [0, .5, 1], [0.3, 2.4, 0.3]))))
            out.append(f'<g clip-path="url(#{pid}-clip)">'
                       f'<path d="{smooth_closed(offset_curve(bez(band, 10), 13 * np.sin(np.linspace(.2, 2.9, 10))))}" '
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
        shine = bez(np.array([[CX - 30, 720], [CX, 735], [CX + 30, 720]]), 8)
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
    ("short_beard_01", "Short beard", ["beard", "short_beard", "moustache"], "beard", dict(length=2, cheek=590)),
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
