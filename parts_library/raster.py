"""Rasterising and image encoding: SVG text → straight-alpha RGBA pixels (cairosvg, no external resources), pixels →
file bytes (a small deterministic PNG writer, WebP and JPEG through Pillow), and the output formats a file suffix
names (:data:`OUTPUT_FORMATS`, :func:`output_format`). Nothing here knows about parts or recipes: it is the last step
of every render, and what the sticker, group and stylize writers use to turn pixels into files. cairosvg and Pillow
are imported inside the functions, so importing this module stays cheap.
"""
from __future__ import annotations

import io
import struct
import zlib

import numpy as np

from .errors import MemojiError, OutputFormatError, display_path, shown

__all__ = ["rasterize_rgba", "encode_png", "rasterize", "OUTPUT_FORMATS", "output_format", "encode_image"]


def _refuse_fetch(url, resource_type):  # noqa: ARG001 - cairosvg's url_fetcher signature
    raise MemojiError(f"the renderer does not load external resources (asked for {url!r})")


def rasterize_rgba(svg: str, size: int | None) -> np.ndarray:
    """SVG text → straight-alpha RGBA uint8 array (``size``×``size``×4, or the SVG's own width × height when
    ``size`` is None); external resources disabled."""
    from cairosvg.parser import Tree
    from cairosvg.surface import PNGSurface
    from PIL import Image

    from . import path_cache

    path_cache.install()  # each path's data parsed once per process, same pixels
    tree = Tree(bytestring=svg.encode("utf-8"), unsafe=False, url_fetcher=_refuse_fetch)
    scale = {} if size is None else {"output_width": size, "output_height": size}
    surface = PNGSurface(tree, None, 96, **scale)
    cs = surface.cairo
    cs.flush()
    img = Image.frombuffer("RGBA", (cs.get_width(), cs.get_height()), bytes(cs.get_data()), "raw", "BGRa",
                           cs.get_stride(), 1)
    surface.finish()
    return np.asarray(img)


def encode_png(rgba: np.ndarray) -> bytes:
    """A small deterministic PNG writer (RGBA8, Sub filter, zlib level 1): ~5× faster than cairo's."""
    h, w, _ = rgba.shape
    a = rgba.astype(np.uint8, copy=False)
    sub = np.empty((h, w * 4 + 1), dtype=np.uint8)
    flat = a.reshape(h, w * 4)
    sub[:, 0] = 1  # filter type Sub
    sub[:, 1:5] = flat[:, 0:4]
    sub[:, 5:] = flat[:, 4:] - flat[:, :-4]

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(sub.tobytes(), 1))
            + chunk(b"IEND", b""))


# ---- output formats --------------------------------------------------------------------------------------------
OUTPUT_FORMATS: dict[str, str] = {".png": "png", ".svg": "svg", ".webp": "webp", ".jpg": "jpeg", ".jpeg": "jpeg"}


def _format_of_suffix(suffix: str, path=None) -> str:
    key = suffix.lower() if isinstance(suffix, str) else ""
    if key and not key.startswith("."):
        key = "." + key
    if key in OUTPUT_FORMATS:
        return OUTPUT_FORMATS[key]
    if key[1:] in OUTPUT_FORMATS.values():  # "jpeg", "png" … given as a format name
        return key[1:]
    what = f"cannot write {display_path(path)}: " if path is not None else ""
    told = f"unknown image format {shown(suffix)}" if key else "no file suffix to tell the image format"
    raise OutputFormatError(f"{what}{told} (formats: {', '.join(OUTPUT_FORMATS)})")


def output_format(path) -> str:
    """The format a file name asks for: ``png``, ``svg``, ``webp`` or ``jpeg`` (from the suffix, any case).
    Raises :class:`OutputFormatError` (exit 2) for any other suffix, or none — cheap, so callers check ``-o`` before
    any work."""
    from pathlib import Path

    p = Path(path)
    return _format_of_suffix(p.suffix, p)


def encode_image(image, fmt: str) -> bytes:
    """An RGBA uint8 array (H, W, 4) or a PIL image → file bytes. ``fmt``: a suffix or name — ``png`` (this module's
    deterministic encoder), ``webp`` (Pillow, lossless, alpha kept), ``jpg``/``jpeg`` (flattened on white,
    quality 95). ``svg`` cannot be made from pixels. Unknown formats raise :class:`OutputFormatError`."""
    from PIL import Image

    kind = _format_of_suffix(fmt)
    if kind == "svg":
        raise OutputFormatError("cannot encode pixels as SVG: render with fmt='svg' (or save a RenderResult) "
                                f"(pixel formats: {', '.join(k for k, v in OUTPUT_FORMATS.items() if v != 'svg')})")
    if isinstance(image, Image.Image):
        rgba = np.asarray(image.convert("RGBA"))
    else:
        rgba = np.asarray(image)
        if rgba.ndim == 2:
            rgba = np.dstack([rgba] * 3)
        if rgba.ndim != 3 or rgba.shape[2] not in (3, 4):
            raise ValueError(f"encode_image needs an (H, W, 3|4) uint8 array, got shape {rgba.shape}")
        if rgba.shape[2] == 3:
            rgba = np.dstack([rgba, np.full(rgba.shape[:2], 255, np.uint8)])
        rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    if kind == "png":
        return encode_png(rgba)
    buf = io.BytesIO()
    img = Image.fromarray(rgba, "RGBA")
    if kind == "webp":
        img.save(buf, "WEBP", lossless=True, quality=80, method=4, exact=True)
    else:  # jpeg: no alpha, composite onto white
        canvas = Image.new("RGBA", img.size, (255, 255, 255, 255))
        canvas.alpha_composite(img)
        canvas.convert("RGB").save(buf, "JPEG", quality=95, subsampling=0)
    return buf.getvalue()


def rasterize(svg: str, size: int) -> bytes:
    """SVG text → PNG bytes at ``size``×``size`` (cairosvg, external resources disabled)."""
    return encode_png(rasterize_rgba(svg, size))
