"""Reading photos: any path / PIL image / numpy array → RGB uint8, EXIF orientation applied, bombs refused."""
from __future__ import annotations

import os
import stat
import warnings
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from parts_library.errors import display_path

from .errors import ImageReadError, ImageTooLargeError, ImageTooSmallError, InputFileError, MemojiError

__all__ = ["ImageInput", "load_image", "flatten_rgba", "MAX_PIXELS", "MIN_SIDE", "MultiPageWarning", "check_regular_file",
           "read_regular_file", "display_path"]

ImageInput = Union[str, os.PathLike, Image.Image, np.ndarray]

MAX_PIXELS = 80_000_000  # ~80 MP: above this a file is refused as a decompression bomb
MIN_SIDE = 32  # smaller images cannot hold a face we could measure


class MultiPageWarning(UserWarning):
    """A multi-page image (TIFF, animated GIF/WebP/PNG): only page 1 is used."""


def _describe(src: ImageInput) -> str:
    return display_path(src) if isinstance(src, (str, os.PathLike)) else f"<{type(src).__name__}>"


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "it is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "it is a named pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "it is a socket, not a regular file"
    return "it is not a regular file"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, NotADirectoryError):
        return "a part of the path is a file, not a folder"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror[:1].lower() + exc.strerror[1:] if exc.strerror else _brief(str(exc)) or type(exc).__name__


def _brief(text: str, limit: int = 120) -> str:
    """A library's error text on one line, cut to ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_regular_file(path, *, what: str = "file", max_bytes: int | None = None,
                       error: type[MemojiError] = InputFileError) -> os.stat_result:
    """``os.stat`` a user's input path and refuse, in one line (``cannot read {what} {path}: …``), anything that is
    not a regular file (folder, FIFO, device, socket), a missing or unreadable path, or a file over ``max_bytes``.
    Nothing is opened, so a FIFO cannot hang the caller."""
    name = display_path(path)
    try:
        st = os.stat(path)
    except (OSError, ValueError) as exc:  # ValueError: an embedded NUL byte
        reason = _os_reason(exc) if isinstance(exc, OSError) else "not a valid path"
        raise error(f"cannot read {what} {name}: {reason}") from None
    bad = _not_regular(st.st_mode)
    if bad:
        raise error(f"cannot read {what} {name}: {bad}")
    if not os.access(path, os.R_OK):
        err = error(f"cannot read {what} {name}: permission denied")
        err.exit_code = 6  # the OS refused the path (see the CLI's exit codes)
        raise err
    if max_bytes is not None and st.st_size > max_bytes:
        raise error(f"cannot read {what} {name}: it is {st.st_size / 1e6:.1f} MB, over the "
                    f"{max_bytes / 1e6:g} MB limit")
    return st


def read_regular_file(path, *, what: str = "file", max_bytes: int | None = None,
                      error: type[MemojiError] = InputFileError) -> bytes:
    """The bytes of a user's input file, after :func:`check_regular_file`; opened non-blocking and checked again
    on the open descriptor (a path swapped for a FIFO cannot hang), reading at most ``max_bytes`` (files that grow,
    ``/proc`` files that report size 0)."""
    check_regular_file(path, what=what, max_bytes=max_bytes, error=error)
    name = display_path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error(f"cannot read {what} {name}: {_os_reason(exc)}") from None
    try:
        bad = _not_regular(os.fstat(fd).st_mode)
        if bad:
            raise error(f"cannot read {what} {name}: {bad}")
        chunks, total = [], 0
        limit = None if max_bytes is None else max_bytes + 1
        while True:
            chunk = os.read(fd, 1 << 20 if limit is None else min(1 << 20, limit - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if limit is not None and total >= limit:
                raise error(f"cannot read {what} {name}: it is over the {max_bytes / 1e6:g} MB limit")
    except OSError as exc:
        raise error(f"cannot read {what} {name}: {_os_reason(exc)}") from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def flatten_rgba(image, background=(255, 255, 255)) -> np.ndarray:
    """An RGB uint8 array from a PIL image or an array (RGBA composited over ``background``): the project's one
    alpha flattening (photos on load, renders before embedding, stylize's init image)."""
    if isinstance(image, Image.Image):
        if image.mode in ("RGBA", "LA", "PA", "P"):
            image = image.convert("RGBA")
            canvas = Image.new("RGBA", image.size, tuple(background) + (255,))
            canvas.alpha_composite(image)
            image = canvas
        return np.asarray(image.convert("RGB"))
    arr = np.asarray(image)
    if arr.ndim == 2:
        return np.repeat(arr[..., None], 3, axis=2).astype(np.uint8)
    if arr.shape[2] == 4:
        a = arr[..., 3:4].astype(np.float32) / 255.0
        rgb = arr[..., :3].astype(np.float32) * a + np.asarray(background, np.float32) * (1 - a)
        return np.clip(np.round(rgb), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(arr[..., :3]).astype(np.uint8)


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
        return Image.fromarray(flatten_rgba(img.convert("RGBA")))
    return img.convert("RGB")


def _check_pixels(name: str, img: Image.Image) -> None:
    w, h = img.size
    if w * h > MAX_PIXELS:
        raise ImageTooLargeError(
            f"image {name} has {w}x{h} = {w * h / 1e6:.0f} megapixels, over the {MAX_PIXELS / 1e6:.0f} MP limit: "
            "downscale it first"
        )


def _pil_to_rgb(img: Image.Image) -> np.ndarray:
    try:
        img = ImageOps.exif_transpose(img)
    except Exception:  # broken EXIF must not lose the picture
        pass
    return np.asarray(_to_rgb(img))


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


def _pages(img: Image.Image) -> int:
    """How many pages/frames an image has (1 for single images; an MPO's extra pictures — phone previews and depth
    maps of the same shot — are not pages)."""
    try:
        n = int(getattr(img, "n_frames", 1) or 1)
    except Exception:  # a broken frame table: page 1 is what we read anyway
        return 1
    return 1 if img.format == "MPO" else max(n, 1)


def _note_pages(name: str, img: Image.Image, n: int, info: dict | None) -> None:
    if info is not None:
        info["pages"] = n
        info["format"] = img.format
    if n > 1:
        warnings.warn(f"image {name} has {n} pages: using page 1 of {n}", MultiPageWarning, stacklevel=3)


def _open_image_file(path: Path, name: str):
    """Open a photo non-blocking and check the open descriptor is a regular file (no FIFO/device hang)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ImageReadError(f"cannot read image {name}: {_os_reason(exc)}") from None
    bad = _not_regular(os.fstat(fd).st_mode)
    if bad:
        os.close(fd)
        raise ImageReadError(f"cannot read image {name}: {bad}")
    return os.fdopen(fd, "rb")


def load_image(src: ImageInput, info: dict | None = None) -> np.ndarray:
    """Return an RGB ``uint8`` array (H, W, 3). Paths get EXIF orientation applied and alpha flattened onto white.

    Multi-page images (TIFF, animated GIF/WebP/PNG) give page 1 and say so: a :class:`MultiPageWarning`
    ``"image X has N pages: using page 1 of N"``, and ``info`` (when given, a dict) gets ``info["pages"] = N`` and
    ``info["format"]``.

    Raises :class:`ImageReadError` (missing, empty, truncated, not an image, not a regular file — folders, FIFOs
    and devices are refused without being opened), :class:`ImageTooLargeError` (more than ``MAX_PIXELS`` pixels) and
    :class:`ImageTooSmallError` (a side under ``MIN_SIDE`` pixels).
    """
    name = _describe(src)
    if isinstance(src, np.ndarray):
        rgb = _from_array(src)
        if info is not None:
            info["pages"] = 1
            info["format"] = None
    elif isinstance(src, Image.Image):
        img = src
        _check_pixels(name, img)
        _note_pages(name, img, _pages(img), info)
        rgb = _pil_to_rgb(img)
    else:
        path = Path(src)
        st = check_regular_file(path, what="image", error=ImageReadError)
        if st.st_size == 0:
            raise ImageReadError(f"cannot read image {name}: the file is empty")
        with _open_image_file(path, name) as fh:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit below
                    img = Image.open(fh)
                    _check_pixels(name, img)
                    pages = _pages(img)
                    img.load()
            except Image.DecompressionBombError:
                raise ImageTooLargeError(
                    f"image {name} is over the {MAX_PIXELS / 1e6:.0f} MP limit (decompression bomb?): downscale it first"
                ) from None
            except UnidentifiedImageError:
                raise ImageReadError(f"cannot read image {name}: not an image file (JPEG, PNG, WebP, TIFF, BMP …)") from None
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                raise ImageReadError(f"cannot read image {name}: the file is truncated or corrupt "
                                     f"({_brief(str(exc))})") from None
            _note_pages(name, img, pages, info)
            rgb = _pil_to_rgb(img)
    h, w = rgb.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise ImageTooSmallError(f"image {name} is {w}x{h} pixels: too small to find a face (at least {MIN_SIDE} px a side)")
    return rgb
