"""Deterministic relightings of a photo, for checking that measured attributes survive the light they were taken in.

Every transform works in *linear* sRGB (the sRGB transfer curve is undone first and re-applied after, in float64),
so "half the light" means half the photons, not half the pixel values. Each is a fixed function of the pixels: no
randomness, the same input gives the same bytes.

============  =====================================================================================================
name          what it does (linear RGB, values in 0..1, clipped to 0..1 at the end)
============  =====================================================================================================
``warm``      a 3200 K (tungsten) light that the camera's white balance half corrects: per-channel gains
              ``g(3200 K) ** 0.5`` (R/B ≈ 2.3)
``stage``     the same 3200 K light, uncorrected: gains ``g(3200 K)`` (R/B ≈ 5.1) — a strong warm stage light
``cool``      10 000 K open shade, uncorrected: gains ``g(10000 K)`` (R/B ≈ 0.6)
``dim``       half the light: ``0.5 · x``
``bright``    1.6 × the light, highlights clipped: ``min(1.6 · x, 1)``
``green``     a green fluorescent cast: gains ∝ (0.8, 1.0, 0.8)
``magenta``   a magenta cast: gains ∝ (1.0, 0.8, 1.0)
``haze``      low contrast, lifted blacks (a veil of flat light): ``0.7 · x + 0.15``
============  =====================================================================================================

``g(T)``: the colour of a black body at T kelvin (CIE xy from the Kim et al. cubic approximation of the Planckian
locus, 1667–25000 K) in linear sRGB, divided by the black body at 6504 K — the light's colour relative to daylight.
Every gain vector (``warm`` … ``magenta``) is scaled to unit luminance (Rec. 709 weights), so the colour casts change
the colour of the light, not its amount.
"""
from __future__ import annotations

import functools

import numpy as np

from parts_library.palettes import linear_to_srgb as _linear_to_srgb
from parts_library.palettes import srgb_to_linear as _srgb_to_linear

__all__ = ["RELIGHTINGS", "relight", "relight_gains", "srgb_to_linear", "linear_to_srgb", "blackbody_rgb"]

RELIGHTINGS: tuple[str, ...] = ("warm", "stage", "cool", "dim", "bright", "green", "magenta", "haze")
LUMA = np.array([0.2126, 0.7152, 0.0722])
_XYZ_TO_SRGB = np.array([[3.2404542, -1.5371385, -0.4985314],
                         [-0.9692660, 1.8760108, 0.0415560],
                         [0.0556434, -0.2040259, 1.0572252]])


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """uint8 (or 0..1 float) sRGB → linear float64 in 0..1."""
    x = np.asarray(rgb, dtype=np.float64)
    if np.issubdtype(np.asarray(rgb).dtype, np.integer):
        x = x / 255.0
    return _srgb_to_linear(x)


def linear_to_srgb(lin: np.ndarray) -> np.ndarray:
    """Linear 0..1 (clipped) → sRGB uint8, rounded half up."""
    s = _linear_to_srgb(np.asarray(lin, dtype=np.float64))
    return np.floor(s * 255.0 + 0.5).astype(np.uint8)


def blackbody_rgb(kelvin: float) -> np.ndarray:
    """Linear sRGB of a black body at ``kelvin`` (1667–25000 K), unit luminance."""
    t = float(kelvin)
    if not 1667 <= t <= 25000:
        raise ValueError(f"colour temperature {t:g} K is outside 1667..25000 K")
    if t <= 4000:
        x = -0.2661239e9 / t ** 3 - 0.2343589e6 / t ** 2 + 0.8776956e3 / t + 0.179910
    else:
        x = -3.0258469e9 / t ** 3 + 2.1070379e6 / t ** 2 + 0.2226347e3 / t + 0.240390
    if t <= 2222:
        y = -1.1063814 * x ** 3 - 1.34811020 * x ** 2 + 2.18555832 * x - 0.20219683
    elif t <= 4000:
        y = -0.9549476 * x ** 3 - 1.37418593 * x ** 2 + 2.09137015 * x - 0.16748867
    else:
        y = 3.0817580 * x ** 3 - 5.87338670 * x ** 2 + 3.75112997 * x - 0.37001483
    rgb = _XYZ_TO_SRGB @ np.array([x / y, 1.0, (1.0 - x - y) / y])
    return rgb / float(rgb @ LUMA)


def _unit_luma(g) -> np.ndarray:
    g = np.asarray(g, dtype=np.float64)
    return g / float(g @ LUMA)


@functools.lru_cache(maxsize=None)
def _gains(name: str) -> tuple[float, float, float] | None:
    daylight = blackbody_rgb(6504)
    table = {
        "warm": (blackbody_rgb(3200) / daylight) ** 0.5,
        "stage": blackbody_rgb(3200) / daylight,
        "cool": blackbody_rgb(10000) / daylight,
        "green": (0.8, 1.0, 0.8),
        "magenta": (1.0, 0.8, 1.0),
    }
    if name not in table:
        return None
    return tuple(float(v) for v in _unit_luma(table[name]))


def relight_gains(name: str) -> np.ndarray | None:
    """The per-channel linear gains of a colour-cast relighting (``None`` for ``dim``, ``bright``, ``haze``)."""
    _check(name)
    g = _gains(name)
    return None if g is None else np.array(g)


def _check(name: str) -> None:
    if name not in RELIGHTINGS:
        from ..errors import UnknownNameError, did_you_mean

        raise UnknownNameError(f"unknown relighting '{name}'{did_you_mean(name, RELIGHTINGS)} "
                               f"(relightings: {', '.join(RELIGHTINGS)})")


def relight(rgb: np.ndarray, name: str) -> np.ndarray:
    """``rgb`` (H×W×3 uint8 sRGB) under the relighting ``name`` (one of :data:`RELIGHTINGS`), as uint8 sRGB."""
    _check(name)
    arr = np.asarray(rgb)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype != np.uint8:
        raise ValueError(f"relight needs an H×W×3 uint8 RGB array, got {arr.dtype} {arr.shape}")
    lin = srgb_to_linear(arr)
    if name == "dim":
        lin = 0.5 * lin
    elif name == "bright":
        lin = 1.6 * lin
    elif name == "haze":
        lin = 0.7 * lin + 0.15
    else:
        lin = lin * np.array(_gains(name))
    return linear_to_srgb(lin)
