"""Reading photos: any path / PIL image / numpy array → RGB uint8, EXIF orientation applied, bombs refused."""
from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ImageReadError, ImageTooLargeError, ImageTooSmallError

__all__ = ["ImageInput", "load_image", "MAX_PIXELS", "MIN_SIDE"]

ImageInput = Union[str, os.PathLike, Image.Image, np.ndarray]

MAX_PIXELS = 80_000_000  # ~80 MP: above this a file is refused as a decompression bomb
MIN_SIDE = 32  # smaller images cannot hold a face we could measure


def _describe(src: ImageInput) -> str:
    return str(src) if isinstance(src, (str, os.PathLike)) else f"<{type(src).__name__}>"


def _to_rgb(img: Image.Image) -> Image.Image:
    """Flatten alpha onto white, expand palettes/grey, convert CMYK and 16-bit to 8-bit RGB."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        hi = arr.max() if arr.size else 1.0
        scale = 255.0 / (65535.0 if hi > 255 else max(hi, 1.0))
        img = Image.fromarray(np.clip(arr * scale, 0, 255).astype(np.uint8), "L")
    if img.mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        img = Image.fromarray(np.clip(arr * (255.0 if arr.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8), "L")
    if img.mode in ("P", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    return img.convert("RGB")


def _from_array(arr: np.ndarray) -> np.ndarray:
    arr = np.asarray(arr)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (1, 3, 4):
        raise ImageReadError(f"array of shape {arr.shape} is not an image: pass an HxWx3 RGB array")
    if arr.shape[2] == 1:
        arr = np.repeat(arr, 3, axis=2)
    if arr.shape[2] == 4:
        alpha = arr[..., 3:4].astype(np.float64) / (255.0 if arr.dtype == np.uint8 else 1.0)
        arr = arr[..., :3] * alpha + (255.0 if arr.dtype == np.uint8 else 1.0) * (1 - alpha)
    if np.issubdtype(arr.dtype, np.floating):
        arr = np.clip(arr * (255.0 if arr.max() <= 1.0 else 1.0), 0, 255)
    elif arr.dtype == np.uint16:
        arr = arr / 257.0
    return np.ascontiguousarray(arr.astype(np.uint8))


def load_image(src: ImageInput) -> np.ndarray:
    """Return an RGB ``uint8`` array (H, W, 3). Paths get EXIF orientation applied and alpha flattened onto white.

    Raises :class:`ImageReadError` (missing, empty, truncated, not an image), :class:`ImageTooLargeError` (more than
    ``MAX_PIXELS`` pixels) and :class:`ImageTooSmallError` (a side under ``MIN_SIDE`` pixels).
    """
    name = _describe(src)
    if isinstance(src, np.ndarray):
        rgb = _from_array(src)
    else:
        if isinstance(src, Image.Image):
            img = src
        else:
            path = Path(src)
            if not path.is_file():
                raise ImageReadError(f"cannot read image {name}: no such file")
            if path.stat().st_size == 0:
                raise ImageReadError(f"cannot read image {name}: the file is empty")
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit below
                    img = Image.open(path)
                    w, h = img.size
                    if w * h > MAX_PIXELS:
                        raise ImageTooLargeError(
                            f"image {name} has {w}x{h} = {w * h / 1e6:.0f} megapixels, over the "
                            f"{MAX_PIXELS / 1e6:.0f} MP limit: downscale it first"
                        )
                    img.load()
            except Image.DecompressionBombError:
                raise ImageTooLargeError(
                    f"image {name} is over the {MAX_PIXELS / 1e6:.0f} MP limit (decompression bomb?): downscale it first"
                ) from None
            except UnidentifiedImageError:
                raise ImageReadError(f"cannot read image {name}: not an image file (JPEG, PNG, WebP, TIFF, BMP …)") from None
            except (OSError, SyntaxError, ValueError) as exc:
                raise ImageReadError(f"cannot read image {name}: the file is truncated or corrupt ({exc})") from None
        w, h = img.size
        if w * h > MAX_PIXELS:
            raise ImageTooLargeError(
                f"image {name} has {w}x{h} = {w * h / 1e6:.0f} megapixels, over the {MAX_PIXELS / 1e6:.0f} MP limit: "
                "downscale it first"
            )
        try:
            img = ImageOps.exif_transpose(img)
        except Exception:  # broken EXIF must not lose the picture
            pass
        rgb = np.asarray(_to_rgb(img))
    h, w = rgb.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise ImageTooSmallError(f"image {name} is {w}x{h} pixels: too small to find a face (at least {MIN_SIDE} px a side)")
    return rgb
