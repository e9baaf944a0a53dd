"""Small SVG helpers for the part generator and the renderer: smooth paths through points, gradients, colour shades.

Numbers are written with a fixed precision so regenerating the library gives byte-identical files. Colour slots
are written as ``%slot%`` / ``%slot_shade%`` placeholders that the renderer fills from the recipe's colours
(:data:`SHADES` lists the derived shades every slot has).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np

from .palettes import hex_to_rgb, linear_to_srgb, rgb_to_hex, srgb_to_lab

__all__ = ["svg_document", "svg_file", "prune_defs", "f", "pts_str", "smooth_closed", "smooth_open", "polyline",
           "linear_grad", "radial_grad", "shade", "slot_colors", "SHADES", "PLACEHOLDER", "mirror_x", "ellipse_pts",
           "offset_curve"]

# shade name -> (Lab lightness change, chroma multiplier)
SHADES: dict[str, tuple[float, float]] = {
    "": (0.0, 1.0),
    "hi2": (22.0, 0.8),
    "hi": (11.0, 0.95),
    "lo": (-11.0, 1.05),
    "lo2": (-22.0, 1.1),
    "lo3": (-34.0, 1.1),
}
PLACEHOLDER = re.compile(r"%([a-z_0-9]+)%")


def f(v: float) -> str:
    """A number with at most one decimal, no trailing zeros (stable text)."""
    s = f"{float(v):.1f}"
    if s.endswith(".0"):
        s = s[:-2]
    return "0" if s == "-0" else s


def pts_str(pts: Iterable[Sequence[float]]) -> str:
    return " ".join(f"{f(x)},{f(y)}" for x, y in pts)


SIMPLIFY_TOL = 0.9  # canonical px: Douglas-Peucker tolerance before fitting curves (fewer points, faster renders)


def _dp(p: np.ndarray, tol: float) -> np.ndarray:
    """Douglas-Peucker simplification of an open polyline (keeps both ends)."""
    if len(p) < 3:
        return p
    keep = np.zeros(len(p), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(p) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, b = p[i], p[j]
        d = b - a
        n = float(np.hypot(*d))
        seg = p[i + 1:j] - a
        dist = np.abs(seg[:, 0] * d[1] - seg[:, 1] * d[0]) / n if n > 1e-9 else np.hypot(seg[:, 0], seg[:, 1])
        k = int(np.argmax(dist))
        if dist[k] > tol:
            keep[i + 1 + k] = True
            stack += [(i, i + 1 + k), (i + 1 + k, j)]
    return p[keep]


def simplify(points, closed: bool, tol: float = SIMPLIFY_TOL) -> np.ndarray:
    p = np.asarray(points, dtype=np.float64)
    if len(p) < 8 or tol <= 0:
        return p
    if closed:
        # split at the point farthest from the first so both halves are open polylines
        far = int(np.argmax(np.hypot(*(p - p[0]).T)))
        a = _dp(p[: far + 1], tol)
        b = _dp(np.concatenate([p[far:], p[:1]]), tol)
        return np.concatenate([a, b[1:-1]])
    return _dp(p, tol)


def _catmull(points: np.ndarray, closed: bool, tension: float) -> str:
    """Catmull-Rom through the points as cubic Béziers. Its first control point is always the reflection of the
    previous segment's second one, so every segment after the first is written as a short ``S`` command."""
    p = simplify(points, closed)
    n = len(p)
    k = (1.0 - tension) / 6.0
    out = [f"M{f(p[0, 0])},{f(p[0, 1])}"]
    segs = n if closed else n - 1
    for i in range(segs):
        p0 = p[(i - 1) % n] if (closed or i > 0) else p[0]
        p1 = p[i]
        p2 = p[(i + 1) % n]
        p3 = p[(i + 2) % n] if (closed or i + 2 < n) else p[-1]
        c2 = p2 - (p3 - p1) * k
        if i == 0 or (not closed and i == 1):
            c1 = p1 + (p2 - p0) * k
            out.append(f"C{f(c1[0])},{f(c1[1])} {f(c2[0])},{f(c2[1])} {f(p2[0])},{f(p2[1])}")
        else:
            out.append(f"S{f(c2[0])},{f(c2[1])} {f(p2[0])},{f(p2[1])}")
    if closed:
        out.append("Z")
    return "".join(out)


def smooth_closed(points, tension: float = 0.0) -> str:
    """A closed smooth path (Catmull-Rom → cubic Béziers) through ``points``."""
    return _catmull(points, True, tension)


def smooth_open(points, tension: float = 0.0) -> str:
    return _catmull(points, False, tension)


def polyline(points, closed: bool = True) -> str:
    p = np.asarray(points, dtype=np.float64)
    s = "M" + " L".join(f"{f(x)},{f(y)}" for x, y in p)
    return s + ("Z" if closed else "")


def mirror_x(points, cx: float = 512.0) -> np.ndarray:
    p = np.array(points, dtype=np.float64).copy()
    p[:, 0] = 2 * cx - p[:, 0]
    return p


def ellipse_pts(cx: float, cy: float, rx: float, ry: float, n: int = 24, start: float = 0.0, end: float = 2 * np.pi,
                rot: float = 0.0) -> np.ndarray:
    t = np.linspace(start, end, n, endpoint=(end - start) < 2 * np.pi - 1e-9)
    x, y = rx * np.cos(t), ry * np.sin(t)
    c, s = np.cos(rot), np.sin(rot)
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)


def offset_curve(points, widths) -> np.ndarray:
    """A closed outline around an open polyline with per-point half-widths (a tapered stroke as a fill)."""
    p = np.asarray(points, dtype=np.float64)
    w = np.broadcast_to(np.asarray(widths, dtype=np.float64), (len(p),))
    d = np.gradient(p, axis=0)
    d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
    nrm = np.stack([-d[:, 1], d[:, 0]], axis=1)
    left = p + nrm * w[:, None]
    right = p - nrm * w[:, None]
    return np.concatenate([left, right[::-1]])


def _stops(stops) -> str:
    out = []
    for st in stops:
        off, col = st[0], st[1]
        op = st[2] if len(st) > 2 else 1.0
        o = f' stop-opacity="{f(op) if op not in (0, 1) else int(op)}"' if op != 1 else ""
        out.append(f'<stop offset="{f(off * 100)}%" stop-color="{col}"{o}/>')
    return "".join(out)


def _g(v: float, bbox: bool) -> str:
    return f"{float(v):.3f}".rstrip("0").rstrip(".") if bbox else f(v)


def linear_grad(gid: str, x1, y1, x2, y2, stops, bbox: bool = False) -> str:
    """A linear gradient in user space (canonical px) or, with ``bbox``, in fractions of the filled shape's box."""
    u = "" if bbox else ' gradientUnits="userSpaceOnUse"'
    return (f'<linearGradient id="{gid}"{u} x1="{_g(x1, bbox)}" y1="{_g(y1, bbox)}" '
            f'x2="{_g(x2, bbox)}" y2="{_g(y2, bbox)}">{_stops(stops)}</linearGradient>')


def radial_grad(gid: str, cx, cy, r, stops, fx=None, fy=None, transform: str | None = None,
                bbox: bool = False) -> str:
    u = "" if bbox else ' gradientUnits="userSpaceOnUse"'
    fxy = f' fx="{_g(fx, bbox)}" fy="{_g(fy, bbox)}"' if fx is not None else ""
    tr = f' gradientTransform="{transform}"' if transform else ""
    return (f'<radialGradient id="{gid}"{u} cx="{_g(cx, bbox)}" cy="{_g(cy, bbox)}" r="{_g(r, bbox)}"{fxy}{tr}>'
            f'{_stops(stops)}</radialGradient>')


# ---- colours -------------------------------------------------------------------------------------------------
_M_INV = np.linalg.inv(np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                                 [0.0193339, 0.1191920, 0.9503041]]))


def _lab_to_srgb(lab: np.ndarray) -> np.ndarray:
    L, a, b = lab
    fy = (L + 16) / 116
    fx = fy + a / 500
    fz = fy - b / 200
    d = 6 / 29
    xyz = np.array([t ** 3 if t > d else 3 * d * d * (t - 4 / 29) for t in (fx, fy, fz)])
    xyz *= np.array([0.95047, 1.0, 1.08883])
    lin = _M_INV @ xyz
    return np.clip(linear_to_srgb(lin) * 255, 0, 255)


def shade(hex_color: str, d_l: float, chroma: float = 1.0, d_a: float = 0.0, d_b: float = 0.0) -> str:
    """Lighten/darken a colour in CIELAB (``d_l`` lightness units), keeping its hue."""
    lab = srgb_to_lab(hex_to_rgb(hex_color)).astype(np.float64)
    L = lab[0]
    # dark colours need a bigger step up to show a highlight; light ones a bigger step down to show shade
    if d_l > 0:
        d_l = min(d_l * (1.0 + 0.6 * (1 - L / 100)), 0.6 * (100 - L) + 1.0)
    else:
        d_l = d_l * (1.0 + 0.3 * (L / 100))
    lab = np.array([np.clip(L + d_l, 0, 100), lab[1] * chroma + d_a, lab[2] * chroma + d_b])
    return rgb_to_hex(_lab_to_srgb(lab))


def mix(a: str, b: str, t: float) -> str:
    ra, rb = np.array(hex_to_rgb(a), float), np.array(hex_to_rgb(b), float)
    return rgb_to_hex(ra * (1 - t) + rb * t)


def slot_colors(slot: str, hex_color: str) -> dict[str, str]:
    """Every placeholder value of one colour slot: ``slot``, ``slot_hi``, ``slot_lo`` … (see :data:`SHADES`)."""
    out = {}
    for name, (dl, ch) in SHADES.items():
        key = f"{slot}_{name}" if name else slot
        if not name:
            out[key] = hex_color
        elif slot == "skin":  # warmer, redder shadows; highlights less yellow on light skin, warmer on dark skin
            L = float(srgb_to_lab(hex_to_rgb(hex_color))[0])
            dark = float(np.clip((60 - L) / 40, 0, 1))
            light = float(np.clip((L - 80) / 15, 0, 1))  # very light skin: a softer, peachier highlight
            warm = {"hi2": (-1 + 4 * dark + 2 * light, -4 + 9 * dark + 4 * light), "hi": (2 * dark + light,
                    -2 + 5 * dark + 3 * light), "lo": (3.5 + light, 1.5 + light), "lo2": (6 + light, 2.5 + light),
                    "lo3": (8, 3)}[name]
            k = (0.8 + 0.25 * dark - 0.4 * light) if name.startswith("hi") else 1.0
            out[key] = shade(hex_color, dl * k, ch, *warm)
        elif slot in ("hair", "facial_hair", "brows") and name.startswith("hi"):
            # dark hair needs a visible, slightly cool sheen
            L = float(srgb_to_lab(hex_to_rgb(hex_color))[0])
            boost = 1.0 + 1.2 * max(0.0, (40 - L) / 40)
            out[key] = shade(hex_color, dl * boost, ch, 0, -2.0 * (boost - 1))
        else:
            out[key] = shade(hex_color, dl, ch)
    if slot == "skin":
        L = float(srgb_to_lab(hex_to_rgb(hex_color))[0])
        out["skin_blush"] = mix(hex_color, "#f06a6a", 0.2 + 0.35 * L / 100)
    return out


_DEF_RE = re.compile(r'<(linearGradient|radialGradient|clipPath|pattern) id="([^"]+)".*?</\1>', re.S)


def prune_defs(layers: dict[str, str]) -> dict[str, str]:
    """Drop gradient/clip/pattern definitions nothing in the part refers to (fewer nodes, faster renders)."""
    text = "".join(layers.values())
    used = set(re.findall(r"url\(#([^)]+)\)", text))
    out = {}
    for name, frag in layers.items():
        frag = _DEF_RE.sub(lambda m: m.group(0) if m.group(2) in used else "", frag)
        out[name] = frag.replace("<defs></defs>", "")
    return out


def svg_file(layers: dict[str, str], pid: str, category: str) -> str:
    """A part file: each layer in its ``<g id="pid.layer" data-layer="layer">`` group, unused definitions pruned, in
    the canonical 1024 frame."""
    layers = prune_defs(layers)
    body = "\n".join(f'<g id="{pid}.{name}" data-layer="{name}">{frag}</g><!--/layer-->'
                     for name, frag in layers.items())
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024" viewBox="0 0 1024 1024" '
            f'data-part="{category}/{pid}">\n{body}\n</svg>\n')


def svg_document(body: str, width: float = 1024, height: float | None = None,
                 view: tuple[float, float, float, float] | None = None) -> str:
    """A standalone SVG document around ``body``: ``width`` × ``height`` (default square) showing ``view`` (x, y, w,
    h; default the whole ``width`` × ``height``). The one SVG wrapper of the project (the composed avatar, part
    masks, stickers, group pictures)."""
    height = width if height is None else height
    x, y, w, h = view if view is not None else (0, 0, width, height)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
            f'viewBox="{x:g} {y:g} {w:g} {h:g}">{body}</svg>')
