"""The path cache in front of cairosvg (parts_library.path_cache): renders are the same bit for bit with it, on a
first render (recording) and on a repeat (replaying), for every kind of path command and for real parts."""
from __future__ import annotations

import numpy as np
import pytest

import parts_library
from parts_library import path_cache
from parts_library.raster import rasterize_rgba

# every SVG path command, absolute and relative, arcs with packed flags, exponents, commas and no separators
EVERY_COMMAND = (
    "M10,10 L40,12 l10-4 H70 h8 V30 v6 C80,50 60,55 50,50 c-5-2-8-6-6-10 S60,30 62,28 s4,-2 6,0 "
    "Q90,40 95,60 q2,8 -4,10 T80,90 t-6,2 A10,6 30 0,1 60,95 a8 8 0 1 0 -12 -2 Z "
    "m5,-60 l1e1,0 l0,1.5e1 z M20 80 50 80 50 95z")


def _svg(d: str, extra: str = "") -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">'
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#c33"/><stop offset="1" stop-color="#33c"/>'
        f'</linearGradient></defs><g transform="matrix(0.9,0.1,-0.1,0.9,6,3)"><path d="{d}" fill="url(#g)" '
        f'stroke="#222" stroke-width="1.5"/></g>{extra}</svg>')


@pytest.fixture
def stock_then_cached():
    """Render with cairosvg's own handlers, then with the cache (first a miss, then a hit)."""
    def run(svg: str, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        path_cache.uninstall()
        stock = rasterize_rgba(svg, size)  # rasterize_rgba installs the cache again for the next two
        path_cache.uninstall()
        path_cache.install()
        first = rasterize_rgba(svg, size)
        again = rasterize_rgba(svg, size)
        return stock, first, again

    yield run
    path_cache.install()


def test_every_path_command_draws_the_same_pixels(stock_then_cached):
    stock, first, again = stock_then_cached(_svg(EVERY_COMMAND), 160)
    assert stock[..., 3].sum() > 0.2 * 255 * 160 * 160  # the shape is really drawn
    np.testing.assert_array_equal(first, stock)
    np.testing.assert_array_equal(again, stock)


def test_replay_differs_when_the_path_differs(stock_then_cached):
    """A cache keyed wrongly would replay one path for another: two paths must still draw two shapes."""
    a = rasterize_rgba(_svg("M10,10 L90,10 L50,90 Z"), 64)
    b = rasterize_rgba(_svg("M10,90 L90,90 L50,10 Z"), 64)
    assert not np.array_equal(a, b)
    stock_b = stock_then_cached(_svg("M10,90 L90,90 L50,10 Z"), 64)[0]
    np.testing.assert_array_equal(b, stock_b)


def test_path_data_with_units_goes_to_cairosvg_every_time(stock_then_cached):
    d = "M10,10 L50%,20 L30,80 Z"  # units in path data: read against the surface, never cached
    stock, first, again = stock_then_cached(_svg(d), 64)
    np.testing.assert_array_equal(first, stock)
    np.testing.assert_array_equal(again, stock)
    assert not any(key[0] == d for key in path_cache._calls)


@pytest.mark.parametrize("category", ["face", "eyes", "brows", "nose", "mouth", "hair", "facial_hair", "glasses",
                                      "headwear"])
def test_real_parts_render_identically(category, stock_then_cached):
    lib = parts_library.load_library()
    ids = sorted(p.id for p in lib.parts(category))
    spec = {"parts": {"face": "face_oval_01", "ears": "ears_medium_01", "eyes": "eyes_almond_02",
                      "brows": "brows_soft_01", "nose": "nose_button_01", "mouth": "mouth_soft_smile_01",
                      "hair": "long_wavy_01"},
            "colors": {"skin": "monk_06", "hair": "auburn"}}
    for pid in (ids[0], ids[-1]):
        spec["parts"][category] = pid
        svg = parts_library.compose_svg(spec, library=lib)[0]
        stock, first, again = stock_then_cached(svg, 128)
        np.testing.assert_array_equal(first, stock, err_msg=pid)
        np.testing.assert_array_equal(again, stock, err_msg=pid)


def test_cache_stays_bounded(monkeypatch):
    path_cache.install()
    path_cache.clear()
    monkeypatch.setattr(path_cache, "MAX_ENTRIES", 3)
    for k in range(6):
        rasterize_rgba(_svg(f"M10,10 L{20 + k},80 L80,{30 + k} Z"), 32)
    assert 0 < len(path_cache._calls) <= 3
    path_cache.clear()
