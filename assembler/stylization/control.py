"""What goes into the pipeline: the init image (the render, flattened) and the control image (canny edges or a
landmark map), both at the target size. Needs only numpy, Pillow and opencv (cairosvg for an SVG)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageOps, UnidentifiedImageError

from ..errors import ImageReadError, MissingDependencyError

__all__ = ["as_rgba", "flatten", "init_image", "canny_image", "landmark_image", "control_image"]


def as_rgba(source: Any, size: int | None = None) -> Image.Image:
    """A PIL image, a PNG/JPEG path, or an avatar-like object (``.image`` PIL RGBA, optional ``.svg`` string) →
    RGBA. With ``size`` and an ``.svg``, the SVG is rasterised at that size (sharp edges); otherwise the image is
    resized with Lanczos."""
    svg = getattr(source, "svg", None)
    if size is not None and isinstance(svg, (str, bytes)) and svg:
        img = _rasterise_svg(svg, size)
    elif isinstance(source, Image.Image):
        img = source
    elif isinstance(source, (str, os.PathLike)):
        img = _open(Path(source))
    elif isinstance(getattr(source, "image", None), Image.Image):
        img = source.image
    elif isinstance(svg, (str, bytes)) and svg:
        img = _rasterise_svg(svg, size or 1024)
    elif isinstance(source, np.ndarray):
        arr = np.asarray(source)
        if arr.dtype != np.uint8:
            arr = np.clip(arr * (255.0 if arr.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
        img = Image.fromarray(arr)
    else:
        raise TypeError(f"cannot stylize a {type(source).__name__}: pass a PIL image, an image path, or an avatar "
                        "with .image (and optionally .svg)")
    img = img.convert("RGBA")
    if size is not None and img.size != (size, size):
        img = _fit_square(img, size)
    return img


def _open(path: Path) -> Image.Image:
    if not path.is_file():
        raise ImageReadError(f"cannot read image {path}: file does not exist")
    try:
        with Image.open(path) as im:
            im = ImageOps.exif_transpose(im)
            im.load()
            return im.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError) as err:
        raise ImageReadError(f"cannot read image {path}: {str(err).splitlines()[0] or 'not an image'}") from None


def _rasterise_svg(svg: str | bytes, size: int) -> Image.Image:
    try:
        import cairosvg
    except ImportError:  # pragma: no cover - cairosvg is a core dependency
        raise MissingDependencyError("rasterising an SVG needs cairosvg: pip install cairosvg") from None
    import io

    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    png = cairosvg.svg2png(bytestring=data, output_width=size, output_height=size, unsafe=False)
    return Image.open(io.BytesIO(png)).convert("RGBA")


def _fit_square(img: Image.Image, size: int) -> Image.Image:
    """Resize to ``size`` x ``size``: a square image is scaled; a non-square one is scaled to fit and centred on a
    transparent square (nothing is cropped away)."""
    w, h = img.size
    if w == h:
        return img.resize((size, size), Image.Resampling.LANCZOS)
    scale = size / max(w, h)
    resized = img.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.LANCZOS)
    canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    canvas.paste(resized, ((size - resized.width) // 2, (size - resized.height) // 2))
    return canvas


def flatten(img: Image.Image, background: str | tuple[int, int, int] = "#d8d8d8") -> Image.Image:
    """RGBA → RGB over a flat background colour."""
    from ..io import flatten_rgba

    colour = ImageColor.getrgb(background) if isinstance(background, str) else tuple(background)
    return Image.fromarray(flatten_rgba(img.convert("RGBA"), colour[:3]))


def init_image(source: Any, size: int, background: str = "#d8d8d8") -> Image.Image:
    """The render as img2img init image: RGB, ``size`` x ``size``, transparent parts on ``background``."""
    return flatten(as_rgba(source, size), background)


def canny_image(source: Any, size: int, low: int = 100, high: int = 200, background: str = "#d8d8d8") -> Image.Image:
    """Canny edges (white on black, 3 channels) of the flattened render at ``size``, as ControlNet canny expects.
    The outline against the transparent background counts as an edge."""
    import cv2

    rgb = np.asarray(init_image(source, size, background))
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(grey, int(low), int(high))
    alpha = np.asarray(as_rgba(source, size))[..., 3]
    if alpha.min() < 255:  # the silhouette, even where it matches the background colour
        edges |= cv2.Canny(alpha, 64, 192)
    return Image.fromarray(np.repeat(edges[..., None], 3, axis=2))


# dlib 68-point contours: (start, end, closed)
_CONTOURS = ((0, 17, False), (17, 22, False), (22, 27, False), (27, 31, False), (31, 36, False), (36, 42, True),
             (42, 48, True), (48, 60, True), (60, 68, True))


def landmark_image(source: Any, size: int, landmarks: Any | None = None, frame: float | None = None) -> Image.Image:
    """The render's own 68-landmark map (white lines and dots on black) at ``size``: the alternative control.

    ``landmarks`` defaults to ``source.landmarks`` ((68, 2) in the render's pixel frame, e.g. the canonical 1024
    frame); ``frame`` is that frame's side (default: the width of ``source.image``, else 1024)."""
    pts = landmarks if landmarks is not None else getattr(source, "landmarks", None)
    if pts is None:
        raise ValueError("control = 'landmarks' needs an avatar with .landmarks ((68, 2) in its render frame)")
    pts = np.asarray(pts, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"landmarks must have shape (N, 2), got {pts.shape}")
    if frame is None:
        image = getattr(source, "image", None)
        frame = float(image.width) if isinstance(image, Image.Image) else 1024.0
    pts = pts * (size / float(frame))
    canvas = Image.new("RGB", (size, size), (0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    width = max(1, size // 256)
    if len(pts) == 68:
        for start, end, closed in _CONTOURS:
            seq = [tuple(p) for p in pts[start:end]]
            draw.line(seq + ([seq[0]] if closed else []), fill=(255, 255, 255), width=width)
    r = max(1, size // 200)
    for x, y in pts:
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255))
    return canvas


def control_image(source: Any, size: int, kind: str = "canny", *, canny_low: int = 100, canny_high: int = 200,
                  background: str = "#d8d8d8") -> Image.Image:
    """The ControlNet condition for ``source`` at ``size``: ``canny`` or ``landmarks``."""
    if kind == "canny":
        return canny_image(source, size, canny_low, canny_high, background)
    if kind == "landmarks":
        return landmark_image(source, size)
    raise ValueError(f"unknown control '{kind}' (choose from: canny, landmarks)")
