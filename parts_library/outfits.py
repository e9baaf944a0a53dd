"""The base under the head: neck and shoulders (``assets/body.svg``), the outfits drawn over them
(``assets/outfits/<name>.svg``) and the background.

Memoji proportions: a large head on a short, fairly wide neck and a small bust (shoulders about 1.5 head widths),
lit from the upper left like the parts, with a rim light along the shoulders and the shadow the head casts on the
neck and chest. An outfit is a shape (crew-neck tee, v-neck, hoodie, collared shirt, blazer over a shirt,
turtleneck, tank top, sweater, square-neck dress) coloured by the ``clothes`` colour slot; it is chosen in the
recipe (``"outfit": "hoodie"``), never searched from the photo. :data:`OUTFITS` names them; :func:`outfit_layer`
draws one (with ``%clothes%`` / ``%skin%`` placeholders, like every part). The background (none, one colour, or a
vertical gradient of two) is drawn by the renderer from colours that went through the palette parser
(:func:`background_svg`).

Everything here is parametric and deterministic: the generator writes the same bytes every time.
"""
from __future__ import annotations

import numpy as np

from .families.common import NECK_HALF
from .frame import CENTER_X as CX
from .svg import f, linear_grad, mirror_x, radial_grad, smooth_closed, smooth_open, svg_file

__all__ = ["OUTFITS", "DEFAULT_OUTFIT", "NECK_HALF", "body_layer", "outfit_layer", "background_svg", "write_assets"]

# NECK_HALF: half the neck's width (canonical px), about 0.45 of the head's width (not a pole); shared with the face's
# chin shadow (families.common)
BOTTOM = 1064.0  # below the canvas: shapes are closed out of sight

#: outfit name → what it is (the renderer's list; ``memoji make --outfit NAME``)
OUTFITS: dict[str, str] = {
    "crew_tee": "crew-neck T-shirt",
    "v_neck": "v-neck T-shirt",
    "hoodie": "hoodie with drawstrings",
    "collared_shirt": "collared button-up shirt",
    "blazer": "blazer over a white shirt",
    "turtleneck": "turtleneck",
    "tank_top": "tank top (straps, bare shoulders)",
    "sweater": "knit crew-neck sweater",
    "square_neck": "square-neckline dress top",
}
DEFAULT_OUTFIT = "crew_tee"

# the top contour of the shoulders (skin), from the neck outwards: (distance from the centre line, y)
_SHOULDER = np.array([[NECK_HALF, 790], [NECK_HALF + 5, 828], [NECK_HALF + 22, 852], [160, 868], [220, 882],
                      [268, 896], [302, 914], [326, 942], [338, 980], [344, 1020], [346, BOTTOM]], dtype=np.float64)
_SHADOW = "#1a0d08"


def shoulder_y(dx) -> np.ndarray:
    """The y of the shoulders' top contour ``dx`` px from the centre line (skin)."""
    return np.interp(dx, _SHOULDER[:, 0], _SHOULDER[:, 1])


def _cloth_side(w: float, n: int = 14, lift: float = 6.0, out: float = 5.0) -> np.ndarray:
    """The outfit's top contour on the image-left side from the neckline edge (``w`` from the centre) out and down
    to the bottom: the shoulder contour lifted a little (cloth lies on the skin)."""
    dx = np.concatenate([np.linspace(w, 326, n), [338, 344, 346]])
    y = shoulder_y(dx) - lift
    x = CX - dx - out * np.clip((dx - w) / 80, 0, 1)
    pts = np.stack([x, y], 1)
    pts[-1, 1] = BOTTOM
    return pts


def _neckline(w: float, depth: float, p: float, n: int = 17) -> np.ndarray:
    """A neckline from the image-left edge (``CX - w``) through ``(CX, depth)`` to the right edge: ``p`` = 1 a V,
    2 a U, large a square."""
    y0 = float(shoulder_y(w)) - 6
    u = np.linspace(-1, 1, n)
    y = y0 + (depth - y0) * (1 - np.abs(u) ** p)
    return np.stack([CX + w * u, y], 1)


def _garment(neck: np.ndarray, side: np.ndarray | None = None) -> np.ndarray:
    """A closed outline: the left side (bottom up to the neckline), the neckline, the right side down."""
    w = CX - neck[0, 0]
    left = _cloth_side(w) if side is None else side
    return np.concatenate([left[::-1], neck[1:-1], mirror_x(left)])


def _grads(pid: str) -> str:
    return "".join([
        linear_grad(f"{pid}-c", 230, 840, 800, 1080, [(0, "%clothes_hi%"), (0.42, "%clothes%"), (1, "%clothes_lo2%")]),
        radial_grad(f"{pid}-sh", CX, 858, 190, [(0, _SHADOW, 0.34), (0.55, _SHADOW, 0.12), (1, _SHADOW, 0)],
                    transform=f"translate(0,{f(858 * 0.72)}) scale(1,0.28)"),
        linear_grad(f"{pid}-rim", CX - 346, 0, CX + 346, 0, [(0, "%clothes_hi2%", 0.85), (0.3, "%clothes_hi2%", 0.15),
                                                              (0.7, "%clothes_hi2%", 0.1), (1, "%clothes_hi2%", 0.6)]),
    ])


def _rim(pid: str, w: float) -> str:
    """A thin rim light along both shoulder tops of the garment."""
    left = _cloth_side(w + 30)[:-3]
    return (f'<path d="{smooth_open(left)}" fill="none" stroke="url(#{pid}-rim)" stroke-width="6" '
            f'stroke-linecap="round"/><path d="{smooth_open(mirror_x(left))}" fill="none" stroke="url(#{pid}-rim)" '
            f'stroke-width="5" stroke-linecap="round"/>')


def _sleeves(pid: str) -> str:
    """Sleeve seams and the folds where the arms meet the body."""
    out = []
    for sgn in (-1, 1):
        seam = np.array([[CX + sgn * 296, 912], [CX + sgn * 288, 960], [CX + sgn * 290, 1010], [CX + sgn * 296, 1050]])
        out.append(f'<path d="{smooth_open(seam)}" fill="none" stroke="%clothes_lo2%" stroke-width="4" '
                   f'opacity="0.35"/>')
    return "".join(out)


def _shadow(pid: str) -> str:
    """The shadow the head casts on the chest."""
    return f'<ellipse cx="{f(CX)}" cy="858" rx="190" ry="58" fill="url(#{pid}-sh)"/>'


def _rib(neck: np.ndarray, width: float, dy: float = 0.0) -> str:
    """A collar rib along a neckline: a darker band with a light edge."""
    return (f'<path d="{smooth_open(neck + [0, dy])}" fill="none" stroke="%clothes_lo%" stroke-width="{f(width)}" '
            f'stroke-linecap="round"/><path d="{smooth_open(neck + [0, dy - width / 2 + 1.5])}" fill="none" '
            f'stroke="%clothes_hi%" stroke-width="3" stroke-linecap="round" opacity="0.7"/>')


def _shirt_collar(pid: str, cx: float, top: float, tip: float, fill: str, edge: str) -> str:
    """Two collar wings meeting at the centre below the neck."""
    wing = np.array([[cx - 104, top], [cx - 8, top + 86], [cx - 66, tip], [cx - 132, top + 44]])
    return "".join(f'<path d="{smooth_closed(w_, 0.5)}" fill="{fill}" stroke="{edge}" stroke-width="4" '
                   f'stroke-linejoin="round"/>' for w_ in (wing, mirror_x(wing, cx)))


def _body_of(pid: str, shape: np.ndarray) -> str:
    return f'<path d="{smooth_closed(shape, 0.3)}" fill="url(#{pid}-c)"/>'


def outfit_layer(name: str) -> str:
    """One outfit's SVG fragment (canonical frame, ``%clothes…%`` placeholders)."""
    pid = f"outfit-{name}"
    defs = [_grads(pid)]
    out: list[str] = []
    if name == "crew_tee":
        neck = _neckline(NECK_HALF + 4, 896, 2.2)
        out += [_body_of(pid, _garment(neck)), _shadow(pid), _sleeves(pid), _rib(neck, 12, 2), _rim(pid, NECK_HALF)]
    elif name == "v_neck":
        neck = _neckline(NECK_HALF - 2, 968, 1.15)
        out += [_body_of(pid, _garment(neck)), _shadow(pid), _sleeves(pid), _rib(neck, 10, 2), _rim(pid, NECK_HALF)]
    elif name == "sweater":
        neck = _neckline(NECK_HALF + 8, 890, 2.2)
        raglan = "".join(f'<path d="M{f(CX + s * 150)},{f(shoulder_y(150))} Q{f(CX + s * 230)},{f(930)} '
                         f'{f(CX + s * 300)},{f(1060)}" fill="none" stroke="%clothes_lo2%" stroke-width="4" '
                         f'opacity="0.4"/>' for s in (-1, 1))
        band = np.concatenate([neck + [0, -4], (neck + [0, 24])[::-1]])
        ribs = "".join(f'<path d="M{f(x)},{f(np.interp(x, neck[:, 0], neck[:, 1]) - 2)} l0,24" '
                       f'stroke="%clothes_lo2%" stroke-width="3" opacity="0.35"/>'
                       for x in np.linspace(neck[1, 0], neck[-2, 0], 15))
        out += [_body_of(pid, _garment(neck)), _shadow(pid), raglan,
                f'<path d="{smooth_closed(band, 0.2)}" fill="%clothes_lo%"/>', ribs,
                f'<path d="{smooth_open(neck + [0, -3])}" fill="none" stroke="%clothes_hi%" stroke-width="3" '
                f'opacity="0.6"/>', _rim(pid, NECK_HALF + 8)]
    elif name == "hoodie":
        neck = _neckline(NECK_HALF + 6, 884, 2.4)
        y0 = float(shoulder_y(185)) - 10
        hood = np.concatenate([_neckline(NECK_HALF + 2, 880, 2.4)[::-1],
                               np.array([[CX - 186, y0 + 4], [CX - 150, 930], [CX - 70, 962], [CX, 970],
                                         [CX + 70, 962], [CX + 150, 930], [CX + 186, y0 + 4]])])
        defs.append(linear_grad(f"{pid}-hood", 0, 830, 0, 970, [(0, "%clothes_lo2%"), (0.5, "%clothes_lo%"),
                                                                (1, "%clothes%")]))
        strings = "".join(
            f'<path d="M{f(CX + s * 46)},{f(950)} Q{f(CX + s * 52)},{f(990)} {f(CX + s * 44)},{f(1030)}" fill="none" '
            f'stroke="%clothes_hi2%" stroke-width="8" stroke-linecap="round"/>'
            f'<rect x="{f(CX + s * 44 - 6)}" y="1026" width="12" height="22" rx="4" fill="%clothes_lo2%"/>'
            for s in (-1, 1))
        out += [_body_of(pid, _garment(neck)), _shadow(pid), _sleeves(pid),
                f'<path d="{smooth_closed(hood, 0.1)}" fill="url(#{pid}-hood)"/>',
                f'<path d="{smooth_open(hood[17:])}" fill="none" stroke="%clothes_hi%" stroke-width="4" '
                f'opacity="0.55"/>', strings, _rim(pid, 186)]
    elif name == "turtleneck":
        neck = _neckline(NECK_HALF + 10, float(shoulder_y(NECK_HALF + 10)) - 6, 2)
        tube = np.array([[CX - NECK_HALF - 8, 742], [CX, 752], [CX + NECK_HALF + 8, 742], [CX + NECK_HALF + 12, 800],
                         [CX + NECK_HALF + 16, 858], [CX, 872], [CX - NECK_HALF - 16, 858], [CX - NECK_HALF - 12, 800]])
        defs.append(linear_grad(f"{pid}-tube", CX - NECK_HALF - 16, 0, CX + NECK_HALF + 16, 0,
                                [(0, "%clothes_lo%"), (0.3, "%clothes_hi%"), (0.7, "%clothes%"),
                                 (1, "%clothes_lo2%")]))
        folds = "".join(f'<path d="M{f(CX - NECK_HALF - 6 - k)},{f(y)} Q{f(CX)},{f(y + 14)} '
                        f'{f(CX + NECK_HALF + 6 + k)},{f(y)}" fill="none" stroke="%clothes_lo2%" stroke-width="4" '
                        f'opacity="0.45"/>'
                        for k, y in ((2, 780), (6, 810), (10, 840)))
        out += [_body_of(pid, _garment(neck)), _shadow(pid), _sleeves(pid),
                f'<path d="{smooth_closed(tube, 0.2)}" fill="url(#{pid}-tube)"/>', folds, _rim(pid, NECK_HALF + 20)]
    elif name == "tank_top":
        neck = _neckline(118, 972, 2.0)
        strap_out = 182.0
        ys = float(shoulder_y(strap_out)) - 5
        side = np.array([[CX - 290, BOTTOM], [CX - 268, 1000], [CX - 230, 950], [CX - 196, 916],
                         [CX - strap_out, ys], [CX - 150, float(shoulder_y(150)) - 5], [CX - 118, neck[0, 1]]])
        out += [_body_of(pid, np.concatenate([side, neck[1:-1], mirror_x(side[::-1])])), _shadow(pid),
                _rib(neck, 7, 1),
                f'<path d="{smooth_open(side[1:5])}" fill="none" stroke="%clothes_lo%" stroke-width="6"/>',
                f'<path d="{smooth_open(mirror_x(side[1:5]))}" fill="none" stroke="%clothes_lo%" stroke-width="6"/>']
    elif name == "square_neck":
        neck = _neckline(176, 944, 7.0)
        out += [_body_of(pid, _garment(neck)), _shadow(pid),
                f'<path d="{smooth_open(neck)}" fill="none" stroke="%clothes_lo%" stroke-width="8" '
                f'stroke-linejoin="round"/>']
        # gathered shoulders: a few soft folds where the fabric is drawn in
        for sgn in (-1, 1):
            out.append("".join(f'<path d="M{f(CX + sgn * x0)},{f(shoulder_y(x0) - 4)} q{f(sgn * 6)},24 {f(sgn * 2)},'
                               f'48" fill="none" stroke="%clothes_lo2%" stroke-width="4" opacity="0.35" '
                               f'stroke-linecap="round"/>' for x0 in (236, 262, 288)))
        out.append(_rim(pid, 176))
    elif name == "collared_shirt":
        neck = _neckline(NECK_HALF - 4, 930, 1.3)
        placket = (f'<path d="M{f(CX)},930 L{f(CX)},{f(BOTTOM)}" stroke="%clothes_lo%" stroke-width="5"/>'
                   + "".join(f'<circle cx="{f(CX + 10)}" cy="{y}" r="6" fill="%clothes_hi%" stroke="%clothes_lo2%" '
                             f'stroke-width="2"/>' for y in (968, 1014)))
        out += [_body_of(pid, _garment(neck)), _shadow(pid), _sleeves(pid), placket,
                _shirt_collar(pid, CX, 818, 944, "%clothes_hi%", "%clothes_lo%"), _rim(pid, NECK_HALF + 30)]
    elif name == "blazer":
        shirt_neck = _neckline(NECK_HALF - 4, 916, 1.4)
        shirt = _garment(shirt_neck)
        lapel_w = 150.0
        y0 = float(shoulder_y(lapel_w)) - 6
        vneck = np.array([[CX - lapel_w, y0], [CX - 96, 930], [CX - 40, 1010], [CX - 6, BOTTOM], [CX + 6, BOTTOM],
                          [CX + 40, 1010], [CX + 96, 930], [CX + lapel_w, y0]])
        jacket = _garment(vneck)
        lapel = np.array([[CX - lapel_w, y0], [CX - 96, 930], [CX - 40, 1010], [CX - 16, BOTTOM],
                          [CX - 70, BOTTOM], [CX - 120, 966], [CX - 150, 936], [CX - 196, 920], [CX - 176, 888]])
        defs.append(linear_grad(f"{pid}-shirt", 0, 830, 0, 1060, [(0, "#ffffff"), (1, "#d9dbe0")]))
        out += [f'<path d="{smooth_closed(shirt, 0.3)}" fill="url(#{pid}-shirt)"/>',
                _shirt_collar(pid, CX, 818, 940, "#ffffff", "#c9ccd3"),
                f'<path d="{smooth_closed(jacket, 0.5)}" fill="url(#{pid}-c)"/>', _shadow(pid), _sleeves(pid)]
        for lp in (lapel, mirror_x(lapel)):
            out.append(f'<path d="{smooth_closed(lp, 0.6)}" fill="%clothes_lo%" stroke="%clothes_lo2%" '
                       f'stroke-width="3" stroke-linejoin="round"/>')
        out.append(f'<path d="{smooth_open(lapel[:4] + [3, -2], 0.6)}" fill="none" stroke="%clothes_hi%" '
                   f'stroke-width="3" opacity="0.6"/>')
        out.append(f'<circle cx="{f(CX - 30)}" cy="1046" r="7" fill="%clothes_lo2%"/>')
        out.append(_rim(pid, lapel_w + 40))
    else:
        raise ValueError(f"unknown outfit {name!r}")
    return f'<defs>{"".join(defs)}</defs>' + "".join(out)


def body_layer() -> str:
    """Neck and shoulders in skin: a short neck about 0.45 head widths wide, shoulders about 1.5 head widths, the
    head's shadow on the neck, a soft cylinder shading and a rim light."""
    pid = "body"
    left = np.concatenate([[[CX - NECK_HALF, 600], [CX - NECK_HALF + 1, 700]], np.stack([CX - _SHOULDER[:, 0],
                                                                                          _SHOULDER[:, 1]], 1)])
    outline = np.concatenate([left[::-1], mirror_x(left)])
    defs = [
        linear_grad(f"{pid}-neck", 0, 700, 0, 1000, [(0, "%skin_lo3%"), (0.3, "%skin_lo%"), (0.62, "%skin%"),
                                                    (1, "%skin_hi%")]),
        linear_grad(f"{pid}-side", CX - NECK_HALF - 22, 0, CX + NECK_HALF + 22, 0,
                    [(0, "%skin_lo2%", 0.5), (0.3, "%skin_lo2%", 0), (0.7, "%skin_lo2%", 0), (1, "%skin_lo3%", 0.55)]),
        radial_grad(f"{pid}-sh", CX, 812, 150, [(0, _SHADOW, 0.4), (0.6, _SHADOW, 0.16), (1, _SHADOW, 0)],
                    transform=f"translate(0,{f(812 * 0.6)}) scale(1,0.4)"),
        linear_grad(f"{pid}-rim", CX - 346, 0, CX + 346, 0, [(0, "%skin_hi2%", 0.9), (0.35, "%skin_hi2%", 0.2),
                                                              (0.65, "%skin_hi2%", 0.1), (1, "%skin_hi2%", 0.7)]),
    ]
    path = smooth_closed(outline, 0.1)
    neck = np.concatenate([left[:4][::-1], mirror_x(left[:4])])  # the neck column: where the cylinder shading shows
    top_l = np.stack([CX - _SHOULDER[2:8, 0], _SHOULDER[2:8, 1] + 2], 1)
    clav = np.array([[CX - 60, 900], [CX - 130, 892], [CX - 200, 900]])
    return "".join([
        f'<defs>{"".join(defs)}</defs>',
        f'<path d="{path}" fill="url(#{pid}-neck)"/>',
        f'<path d="{smooth_closed(neck, 0.1)}" fill="url(#{pid}-side)"/>',
        f'<ellipse cx="{f(CX)}" cy="812" rx="150" ry="60" fill="url(#{pid}-sh)"/>',
        # collarbones, faint
        f'<path d="{smooth_open(clav)}" fill="none" stroke="%skin_lo2%" stroke-width="5" stroke-linecap="round" '
        f'opacity="0.35"/><path d="{smooth_open(mirror_x(clav))}" fill="none" stroke="%skin_lo2%" stroke-width="5" '
        f'stroke-linecap="round" opacity="0.35"/>',
        # rim light along both shoulder tops and the neck's lit edge
        f'<path d="{smooth_open(top_l)}" fill="none" stroke="url(#{pid}-rim)" stroke-width="6" '
        f'stroke-linecap="round"/>',
        f'<path d="{smooth_open(mirror_x(top_l))}" fill="none" stroke="url(#{pid}-rim)" stroke-width="5" '
        f'stroke-linecap="round"/>',
        f'<path d="M{f(CX + NECK_HALF - 5)},760 L{f(CX + NECK_HALF - 3)},826" fill="none" stroke="%skin_hi2%" '
        f'stroke-width="5" stroke-linecap="round" opacity="0.35"/>',
    ])


def write_assets(out) -> list[str]:
    """Write ``body.svg`` and ``outfits/<name>.svg`` under ``out`` (the generator's share of the base); the paths
    written, relative to ``out``."""
    from pathlib import Path

    out = Path(out)
    (out / "outfits").mkdir(parents=True, exist_ok=True)
    (out / "body.svg").write_text(svg_file({"body": body_layer()}, "body", "base"), encoding="utf-8")
    written = ["body.svg"]
    for name in OUTFITS:
        rel = f"outfits/{name}.svg"
        (out / rel).write_text(svg_file({"outfit": outfit_layer(name)}, name, "outfit"), encoding="utf-8")
        written.append(rel)
    return written


BACKGROUND_ID = "memoji-background"  # the background's group in a composed SVG (a group picture leaves it out)


def background_svg(colors: tuple[str, ...]) -> str:
    """The background as SVG: ``()`` nothing (transparent), one ``#rrggbb`` a flat colour, two a vertical gradient
    (top → bottom), in one ``<g id="memoji-background">``. The colours must already be normalised ``#rrggbb`` (from
    ``palettes.parse_color``)."""
    for c in colors:  # the only text that reaches the SVG: checked again here
        if not (isinstance(c, str) and len(c) == 7 and c[0] == "#" and all(ch in "0123456789abcdef" for ch in c[1:])):
            raise ValueError(f"background colours must be normalised #rrggbb, got {c!r:.40}")
    if not colors:
        return ""
    if len(colors) == 1:
        return f'<g id="{BACKGROUND_ID}"><rect width="1024" height="1024" fill="{colors[0]}"/></g>'
    if len(colors) != 2:
        raise ValueError("a background is none, one colour or two")
    return (f'<g id="{BACKGROUND_ID}"><defs>'
            f'{linear_grad("memoji-bg", 0, 0, 0, 1024, [(0, colors[0]), (1, colors[1])])}</defs>'
            f'<rect width="1024" height="1024" fill="url(#memoji-bg)"/></g>')
