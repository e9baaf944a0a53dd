"""The public render API: a spec (parts + colours + small per-part params + outfit + background) → one composed SVG →
PNG via cairosvg (or the SVG itself), as a :class:`RenderResult` that carries the 68 iBUG landmark positions of the
drawn face (from the parts' anchors, so renders need no landmark detector); and the alpha of single parts drawn alone
(:func:`part_alpha`, :func:`visible_hair_alpha`, which the hair descriptors use). Same spec → byte-identical output.
The work is done by :mod:`.render_spec` (reading and checking a spec), :mod:`.compose` (layer order, fitting to the
face, headwear, landmarks) and :mod:`.raster` (pixels and file formats); the names they define that this module
defined before the split are re-exported here, so ``from parts_library.renderer import …`` keeps working.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import frame
from .library import PartsLibrary, load_library
from .svg import PLACEHOLDER, svg_document

# the split-out modules; the names not used here are re-exported (they were defined in this module)
from .compose import (CROWN_Y, LANDMARK_SLICES, LAYER_ORDER, MOUTH_Y, PARAM_CENTRE, PER_SIDE,  # noqa: F401
                      compose_svg, face_crown)
from .palettes import SLOT_PALETTE  # noqa: F401
from .raster import (OUTPUT_FORMATS, _format_of_suffix, encode_image, encode_png, output_format,  # noqa: F401
                     rasterize, rasterize_rgba)
from .render_spec import (DEFAULT_COLORS, PARAM_KEYS, PARAM_RANGES, SCHEMA_VERSION, SCHEMA_VERSIONS,  # noqa: F401
                          SLOTS, STRETCH_RANGE, SpecError, _fill_table, check_schema_version, resolve_background,
                          resolve_colors, resolve_outfit, schema_version_error, validate_params)

__all__ = ["render", "compose_svg", "RenderResult", "SpecError", "SLOTS", "DEFAULT_COLORS", "LAYER_ORDER",
           "resolve_colors", "part_alpha", "rasterize", "encode_image", "output_format", "OUTPUT_FORMATS",
           "validate_params", "SCHEMA_VERSION", "SCHEMA_VERSIONS", "resolve_outfit", "resolve_background"]


@dataclass
class RenderResult:
    """A rendered avatar: ``data`` is PNG bytes (``fmt="png"``) or an SVG string (``fmt="svg"``); ``landmarks`` are
    the 68 iBUG points of the drawn face in output pixels."""

    data: bytes | str
    fmt: str
    size: int
    landmarks: np.ndarray
    svg: str = ""
    rgba: np.ndarray | None = field(default=None, repr=False, compare=False)  # the pixels behind ``data`` (png)

    @property
    def image(self):
        """The render as a PIL RGBA image (no PNG decoding for png results; rasterised on demand for SVG)."""
        from PIL import Image

        if self.rgba is not None:
            return Image.fromarray(self.rgba, "RGBA")
        data = self.data if self.fmt == "png" else rasterize(self.data, self.size)
        return Image.open(io.BytesIO(data)).convert("RGBA")

    @property
    def sized_svg(self) -> str:
        """The SVG of this render at its pixel size (for a png result too: no second composition)."""
        return self.data if self.fmt == "svg" else _sized_svg(self.svg, self.size)

    def encode(self, suffix: str) -> bytes:
        """This render as the bytes of a file with ``suffix`` (``.png``, ``.svg``, ``.webp``, ``.jpg``/``.jpeg``);
        an unknown suffix raises :class:`OutputFormatError`."""
        fmt = _format_of_suffix(suffix)
        if fmt == "svg":
            return self.sized_svg.encode("utf-8")
        if fmt == "png" and self.fmt == "png":
            return self.data  # the render's own bytes (deterministic, what the golden hashes check)
        return encode_image(self.rgba if self.rgba is not None else self.image, fmt)

    def save(self, path) -> "Path":
        """Write the render in the format its suffix names (``.png``, ``.svg``, ``.webp`` lossless with alpha,
        ``.jpg``/``.jpeg`` flattened on white), atomically and with the umask's mode
        (``parts_library.files.atomic_write``). An unknown suffix raises :class:`OutputFormatError` before anything is
        written; OS errors (read-only folder, disk full) propagate as ``OSError``."""
        from pathlib import Path

        from .files import atomic_write

        p = Path(path)
        data = self.encode(output_format(p))
        atomic_write(p, data)
        return p



def _sized_svg(svg: str, size: int) -> str:
    return svg.replace('width="1024" height="1024"', f'width="{size}" height="{size}"', 1)


def render(spec: Any, size: int = 512, fmt: str = "png", *, library: PartsLibrary | None = None,
           background: Any = None) -> RenderResult:
    """Render a spec/recipe (``{"parts": {...}, "colors": {...}, "params": {...}, "outfit": ..., "background":
    ...}`` or an object with ``to_dict()``) to PNG bytes or an SVG string at ``size``×``size`` pixels.
    ``background`` (a colour, two colours or ``"none"``) replaces the spec's own. Deterministic."""
    if fmt not in ("png", "svg"):
        raise SpecError(f"unknown render format '{fmt}' (formats: png, svg)")
    if not isinstance(size, (int, np.integer)) or not 16 <= int(size) <= 4096:
        raise SpecError(f"render size must be an integer 16..4096, got {size!r}")
    size = int(size)
    svg, lm = compose_svg(spec, library=library, background=background)
    lm_out = (lm * (size / frame.SIZE)).astype(np.float64)
    if fmt == "svg":
        return RenderResult(_sized_svg(svg, size), "svg", size, lm_out, svg)
    rgba = rasterize_rgba(svg, size)
    return RenderResult(encode_png(rgba), "png", size, lm_out, svg, rgba)


def part_alpha(part_id: str, size: int = 256, *, library: PartsLibrary | None = None,
               layers: tuple[str, ...] | None = None) -> np.ndarray:
    """The alpha (0..1 float32, ``size``×``size``) of one part (or some of its layers) drawn alone on the mean head
    in the canonical frame."""
    lib = library or load_library()
    part = lib.get(part_id)
    frags = lib.fragments(part)
    return fragments_alpha([frags[k] for k in (layers or tuple(frags)) if k in frags], size)


def fragments_alpha(fragments: list[str], size: int = 256) -> np.ndarray:
    """The alpha (0..1 float32) of SVG layer fragments drawn together (default colours) in the canonical frame."""
    table = _fill_table(resolve_colors({}))
    text = PLACEHOLDER.sub(lambda m: table[m.group(1)], "".join(fragments))
    svg = svg_document(text)
    return rasterize_rgba(svg, size)[..., 3].astype(np.float32) / 255.0


#: The head that hides a hair part's back layer in :func:`visible_hair_alpha` (the hair descriptors, and so the
#: manifest hash, the part index and the shipped identity model, depend on it). It belongs to the descriptor's
#: definition, not to any picture: the gallery's neutral head (``contact_sheet.NEUTRAL_PARTS``) is its own and can
#: be restyled without touching a descriptor.
HAIR_OCCLUDER_PARTS = {"face": "face_oval_01", "ears": "ears_medium_01"}


def visible_hair_alpha(part_id: str, size: int = 256, *, library: PartsLibrary | None = None) -> np.ndarray:
    """What a photo's hair mask would show of a hair part: its front layer, plus its back layer where the neutral
    head (mean face, ears, neck and shoulders) does not hide it. Canonical frame, 0..1 float32."""
    lib = library or load_library()
    front = part_alpha(part_id, size, library=lib, layers=("front",))
    back = part_alpha(part_id, size, library=lib, layers=("back",))
    occluder = fragments_alpha([lib.base_fragment("body"), *lib.fragments(HAIR_OCCLUDER_PARTS["ears"]).values(),
                                *lib.fragments(HAIR_OCCLUDER_PARTS["face"]).values()], size)
    return np.maximum(front, back * (1.0 - occluder))
