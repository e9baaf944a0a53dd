"""Colour palettes: the 10 Monk skin tones, natural and vivid hair colours, eye colours and lip tones.

Colours are addressed by ``palette/name`` (``hair/auburn``) or by plain name within a slot. ``nearest`` finds the
closest entry in CIELAB (D65), which is what both the measured attributes and recipe validation use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .errors import ColorError, UnknownNameError, described, did_you_mean, shown

__all__ = ["Swatch", "PALETTES", "MONK", "SLOT_PALETTE", "parse_color", "get_color", "nearest", "hex_to_rgb",
           "rgb_to_hex", "srgb_to_lab", "lip_for_skin"]


@dataclass(frozen=True)
class Swatch:
    name: str
    hex: str
    family: str  # e.g. "black", "brown", "blonde", "red", "gray", "white", "vivid"
    vivid: bool = False


def _sw(entries: list[tuple[str, str, str]], vivid: set[str] = frozenset()) -> dict[str, Swatch]:
    return {n: Swatch(n, h, f, f in vivid) for n, h, f in entries}


# The Monk Skin Tone Scale (Ellis Monk, Google, CC-BY 4.0), tones 1 (lightest) .. 10 (darkest)
MONK: list[str] = ["#f6ede4", "#f3e7db", "#f7ead0", "#eadaba", "#d7bd96",
                   "#a07e56", "#825c43", "#604134", "#3a312a", "#292420"]

PALETTES: dict[str, dict[str, Swatch]] = {
    "skin": {f"monk_{i + 1:02d}": Swatch(f"monk_{i + 1:02d}", h, "monk") for i, h in enumerate(MONK)},
    "hair": _sw([
        ("black", "#16110e", "black"),
        ("soft_black", "#2a201b", "black"),
        ("dark_brown", "#3c2a1f", "brown"),
        ("brown", "#5b3d29", "brown"),
        ("light_brown", "#8a6141", "brown"),
        ("auburn", "#7b341c", "red"),
        ("red", "#b24a22", "red"),
        ("strawberry_blonde", "#c98d5f", "blonde"),
        ("dark_blonde", "#a07f4e", "blonde"),
        ("blonde", "#d3b078", "blonde"),
        ("platinum", "#e5dcc3", "blonde"),
        ("gray", "#8c8884", "gray"),
        ("silver", "#bdbbb7", "gray"),
        ("white", "#eceae5", "white"),
        ("pink", "#e25b9b", "vivid"),
        ("blue", "#376dd8", "vivid"),
        ("green", "#36a862", "vivid"),
        ("purple", "#7d4cc8", "vivid"),
        ("teal", "#1f9aa0", "vivid"),
    ], vivid={"vivid"}),
    "eyes": _sw([
        ("dark_brown", "#3b2213", "brown"),
        ("brown", "#6a4125", "brown"),
        ("hazel", "#8c6f42", "hazel"),
        ("amber", "#a7712b", "hazel"),
        ("green", "#5b7b38", "green"),
        ("blue", "#4a79b3", "blue"),
        ("light_blue", "#7ea6d4", "blue"),
        ("gray", "#7b8894", "gray"),
    ]),
    "lips": _sw([
        ("pale_pink", "#dc9a92", "pink"),
        ("rose", "#c9716b", "pink"),
        ("coral", "#d7735b", "pink"),
        ("mauve", "#a8686b", "brown"),
        ("berry", "#9a4751", "red"),
        ("brown", "#7c4a3e", "brown"),
        ("deep", "#573230", "brown"),
    ]),
    "glasses": _sw([
        ("black", "#1d1d1f", "dark"),
        ("tortoise", "#6b3f1f", "brown"),
        ("gold", "#c59b45", "metal"),
        ("silver", "#a9adb3", "metal"),
        ("red", "#c0392b", "color"),
        ("blue", "#2f5fa7", "color"),
    ]),
    "headwear": _sw([
        ("navy", "#273a5c", "dark"),
        ("red", "#c23b36", "color"),
        ("mustard", "#d2a13a", "color"),
        ("forest", "#2f6b47", "color"),
        ("charcoal", "#3a3a3e", "dark"),
        ("cream", "#e9e0cc", "light"),
    ]),
    "clothes": _sw([
        ("navy", "#2c3e66", "dark"),
        ("teal", "#2a8c8c", "color"),
        ("coral", "#e0735a", "color"),
        ("gray", "#7d8289", "gray"),
        ("white", "#f2f2ef", "light"),
        ("black", "#232326", "dark"),
    ]),
}


# colour slot (recipe / renderer) -> the palette its names come from; "background" is the renderer's --background
SLOT_PALETTE: dict[str, str] = {"skin": "skin", "hair": "hair", "brows": "hair", "facial_hair": "hair",
                                "eyes": "eyes", "lips": "lips", "glasses": "glasses", "headwear": "headwear",
                                "clothes": "clothes", "background": "clothes"}

_HEX = re.compile(r"#([0-9a-f]{3}|[0-9a-f]{6})", re.IGNORECASE | re.ASCII)
_NAME = re.compile(r"(?:([a-z][a-z0-9_]{0,39})/)?([a-z0-9][a-z0-9_]{0,39})", re.IGNORECASE | re.ASCII)


def _accepted(slot: str | None) -> str:
    palette = SLOT_PALETTE.get(slot or "", slot or "hair")
    example = next(iter(PALETTES[palette])) if palette in PALETTES else "auburn"
    return f"use '#rgb', '#rrggbb' or a palette name such as '{example}' or '{palette}/{example}'"


def _normalise_hex(value: str) -> str | None:
    m = _HEX.fullmatch(value)
    if m is None:
        return None
    h = m.group(1).lower()
    return "#" + (h if len(h) == 6 else "".join(c * 2 for c in h))


def parse_color(value: object, slot: str | None = None) -> str:
    """The one colour parser: ``#rgb``, ``#rrggbb`` (any case) or a palette name (``auburn``, ``hair/auburn``,
    ``monk_07``) → lowercase ``#rrggbb``. Names without a palette are looked up in ``slot``'s palette
    (:data:`SLOT_PALETTE`: brows → hair, background → clothes).

    Raises :class:`ColorError` (exit 2) for anything else — a non-string, ``##abcdef``, ``#-1-1-1``, ``# 1 2 3``,
    markup — quoting at most ~40 characters of the value, and :class:`UnknownNameError` for a well-formed name that
    no palette has (listing that palette).
    """
    where = f"{slot.replace('_', ' ')} colour" if isinstance(slot, str) and slot else "colour"
    if not isinstance(value, str):
        raise ColorError(f"bad {where} {described(value)}: {_accepted(slot)}")
    if value.startswith("#"):
        hx = _normalise_hex(value)
        if hx is None:
            raise ColorError(f"bad {where} {shown(value)}: {_accepted(slot)}")
        return hx
    m = _NAME.fullmatch(value)
    if m is None:
        raise ColorError(f"bad {where} {shown(value)}: {_accepted(slot)}")
    palette_name = (m.group(1) or SLOT_PALETTE.get(slot or "", slot or "")).lower()
    name = m.group(2).lower()
    if palette_name not in PALETTES:
        if not m.group(1):  # a bare name with no palette to look it up in
            raise UnknownNameError(f"unknown colour '{name}': name its palette, e.g. 'hair/{name}' "
                                   f"(palettes: {', '.join(PALETTES)})")
        raise UnknownNameError(f"unknown palette '{palette_name}'{did_you_mean(palette_name, PALETTES)} "
                               f"(palettes: {', '.join(PALETTES)})")
    palette = PALETTES[palette_name]
    if name not in palette:
        # word it for the slot the user named (brows colours come from the hair palette)
        label = slot if (not m.group(1) and isinstance(slot, str) and slot in SLOT_PALETTE) else palette_name
        raise UnknownNameError(
            f"unknown {label.replace('_', ' ')} colour '{name}'{did_you_mean(name, palette)} "
            f"({len(palette)} {palette_name} colours: {', '.join(palette)})")
    return palette[name].hex


def hex_to_rgb(hex_color: str) -> tuple[int, int, int]:
    """``#rgb`` / ``#rrggbb`` → (r, g, b) ints; anything else raises :class:`ColorError` (a ``ValueError``)."""
    hx = _normalise_hex(hex_color) if isinstance(hex_color, str) else None
    if hx is None:
        raise ColorError(f"bad hex colour {shown(hex_color)}: use '#rgb' or '#rrggbb'")
    return int(hx[1:3], 16), int(hx[3:5], 16), int(hx[5:7], 16)


def rgb_to_hex(rgb) -> str:
    r, g, b = (int(round(float(np.clip(v, 0, 255)))) for v in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def srgb_to_linear(c) -> np.ndarray:
    """sRGB in 0..1 → linear light in 0..1 (IEC 61966-2-1), elementwise; a float input keeps its dtype. The one
    sRGB transfer function of the project (the measurements' lookup tables are built from it)."""
    c = np.asarray(c)
    if not np.issubdtype(c.dtype, np.floating):
        c = c.astype(np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(lin) -> np.ndarray:
    """Linear light in 0..1 (clipped) → sRGB in 0..1, elementwise; a float input keeps its dtype."""
    lin = np.asarray(lin)
    if not np.issubdtype(lin.dtype, np.floating):
        lin = lin.astype(np.float64)
    lin = np.clip(lin, 0, 1)
    return np.where(lin <= 0.0031308, lin * 12.92, 1.055 * np.power(lin, 1 / 2.4) - 0.055)


def srgb_to_lab(rgb) -> np.ndarray:
    """sRGB in 0..255 (…, 3) → CIELAB D65 (…, 3)."""
    lin = srgb_to_linear(np.asarray(rgb, dtype=np.float64) / 255.0)
    m = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def get_color(slot: str, value: str) -> str:
    """Resolve a colour for a slot (``parse_color(value, slot)``): a palette name (``auburn``, ``monk_07``,
    ``hair/auburn``), ``#rgb`` or ``#rrggbb``. Unknown names raise an error listing the palette."""
    return parse_color(value, slot)


def nearest(palette_name: str, lab, *, exclude_vivid: bool = False) -> tuple[Swatch, float]:
    """The swatch closest in CIELAB (ΔE76) to ``lab``, and that distance."""
    best, best_d = None, np.inf
    for sw in PALETTES[palette_name].values():
        if exclude_vivid and sw.vivid:
            continue
        d = float(np.linalg.norm(srgb_to_lab(hex_to_rgb(sw.hex)) - np.asarray(lab, dtype=np.float64)))
        if d < best_d:
            best, best_d = sw, d
    return best, best_d


def lip_for_skin(monk: int) -> str:
    """A natural default lip tone for a Monk tone (1..10)."""
    return ["pale_pink", "pale_pink", "rose", "rose", "coral", "mauve", "brown", "brown", "deep", "deep"][
        int(np.clip(monk, 1, 10)) - 1]
