"""The renderer: a spec (parts + colours + small per-part params + outfit + background) → one composed SVG → PNG via
cairosvg.

Layers go in a fixed z-order (background, back hair, back of headwear, neck/shoulders, outfit, ears, face, nose,
eyes, brows, mouth, facial hair, front hair, glasses, headwear). Hair, headwear and ears follow the chosen face's
temple width; facial hair follows its jaw; a hijab (headwear ``params.fit == "chin"``) also follows the face's length.
Headwear is drawn with the hair it covers: the categories in its ``params.hides`` are not drawn (a hijab: hair and
ears), and hair is clipped above its ``hair_line`` anchor (caps, beanies, a turban). The result carries the 68 iBUG
landmark positions of the drawn face (from the parts' anchors), so renders need no landmark detector. Same spec →
byte-identical output.
"""
from __future__ import annotations

import functools
import io
import math
import numbers
import re
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import (ColorError, MemojiError, OutputFormatError, UnknownNameError, described, did_you_mean,
                     display_path, shown)

from . import frame
from .library import CATEGORIES, REQUIRED, PartsLibrary, load_library
from .vocabulary import COLOR_SLOTS
from .outfits import DEFAULT_OUTFIT, OUTFITS, background_svg
from .palettes import SLOT_PALETTE, lip_for_skin, parse_color  # noqa: F401 (SLOT_PALETTE: re-exported)
from .svg import PLACEHOLDER, slot_colors, svg_document

__all__ = ["render", "compose_svg", "RenderResult", "SpecError", "SLOTS", "DEFAULT_COLORS", "LAYER_ORDER",
           "resolve_colors", "part_alpha", "rasterize", "encode_image", "output_format", "OUTPUT_FORMATS",
           "validate_params", "SCHEMA_VERSION", "SCHEMA_VERSIONS", "resolve_outfit", "resolve_background"]

# the recipe schema this renderer writes (assembler.recipe.SCHEMA_VERSION) and the ones it reads: version 1 had no
# outfit and no background (drawn as the default outfit on a transparent background)
SCHEMA_VERSION = 2
SCHEMA_VERSIONS = (1, 2)
SLOTS: tuple[str, ...] = COLOR_SLOTS  # the recipe's colour slots (parts_library.vocabulary)
DEFAULT_COLORS = {"skin": "monk_05", "hair": "dark_brown", "eyes": "brown", "glasses": "black", "headwear": "navy",
                  "clothes": "navy"}
PARAM_KEYS = ("scale", "dx", "dy", "stretch")
STRETCH_RANGE = (0.7, 1.4)

# (category, layer); "base" is the neck and shoulders ("body") and the recipe's outfit over them. The soft shadow the
# front hair casts on the face is drawn by the hair parts themselves (their front layer starts with it), so it is
# hidden or clipped together with the hair under headwear.
LAYER_ORDER: tuple[tuple[str, str], ...] = (
    ("hair", "back"), ("headwear", "back"), ("base", "body"), ("base", "outfit"), ("ears", "main"), ("face", "main"),
    ("nose", "main"), ("eyes", "left"), ("eyes", "right"), ("brows", "left"), ("brows", "right"), ("mouth", "main"),
    ("facial_hair", "main"),
    ("hair", "front"), ("glasses", "main"), ("headwear", "front"),
)

# centre of each category's per-part scale (canonical px); eyes and brows scale about each side's own centre and the
# face about its crown (face_crown)
PER_SIDE = ("eyes", "brows")
PARAM_CENTRE = {
    "ears": (frame.CENTER_X, 500.0), "eyes": (frame.CENTER_X, frame.EYE_Y),
    "brows": (frame.CENTER_X, 390.0), "nose": (frame.CENTER_X, 540.0), "mouth": (frame.CENTER_X, 645.0),
    "hair": (frame.CENTER_X, 330.0), "facial_hair": (frame.CENTER_X, 680.0), "glasses": (frame.CENTER_X, frame.EYE_Y),
    "headwear": (frame.CENTER_X, 200.0),
}
# landmark index ranges each category moves
LANDMARK_SLICES = {"face": {"jaw": slice(0, 17)}, "brows": {"left": slice(17, 22), "right": slice(22, 27)},
                   "nose": {"nose": slice(27, 36)}, "eyes": {"left": slice(36, 42), "right": slice(42, 48)},
                   "mouth": {"outer": slice(48, 60), "inner": slice(60, 68)}}
MOUTH_Y = float(frame.MEAN_SHAPE[48:55, 1].mean())


class SpecError(MemojiError, ValueError):
    """A render spec / recipe that cannot be drawn (missing required part, bad parameter)."""

    exit_code = 2


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


def _refuse_fetch(url, resource_type):  # noqa: ARG001 - cairosvg's url_fetcher signature
    raise MemojiError(f"the renderer does not load external resources (asked for {url!r})")


def rasterize_rgba(svg: str, size: int | None) -> np.ndarray:
    """SVG text → straight-alpha RGBA uint8 array (``size``×``size``×4, or the SVG's own width × height when
    ``size`` is None); external resources disabled."""
    from cairosvg.parser import Tree
    from cairosvg.surface import PNGSurface
    from PIL import Image

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


# ---- spec normalisation ----------------------------------------------------------------------------------------
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,79}", re.ASCII)


def _key(name: Any) -> str:
    """A user-given name for an error message: as is when it is a short plain identifier, else a cut repr."""
    if isinstance(name, str) and _ID.fullmatch(name):
        return f"'{name}'"
    return shown(name)


def _hint(name: Any, choices) -> str:
    return did_you_mean(name, choices) if isinstance(name, str) and _ID.fullmatch(name) else ""


def schema_version_error(version: Any) -> str | None:
    """The one-line complaint about a recipe's ``schema_version`` (an int in :data:`SCHEMA_VERSIONS`, not a bool),
    or None when this renderer reads it."""
    if type(version) is int and version in SCHEMA_VERSIONS:
        return None
    reads = f"{SCHEMA_VERSIONS[0]} to {SCHEMA_VERSIONS[-1]}"
    if type(version) is int and version > SCHEMA_VERSIONS[-1]:
        return (f"recipe schema_version {version} is newer than this memoji-assembler reads ({reads}): "
                "upgrade memoji-assembler to draw it")
    return f"recipe schema_version {shown(version)} is not supported (this version reads {reads})"


def check_schema_version(spec: Mapping, error: type[MemojiError] | None = None) -> None:
    """A spec/recipe that names a ``schema_version`` must name one this renderer reads (:data:`SCHEMA_VERSIONS`);
    none is fine for a bare render spec."""
    if "schema_version" not in spec:
        return
    problem = schema_version_error(spec["schema_version"])
    if problem:
        raise (error or SpecError)(problem)


def resolve_outfit(value: Any) -> str:
    """An outfit name (:data:`parts_library.outfits.OUTFITS`) → itself; None → the default outfit; anything else
    is a one-line error (an unknown name with "did you mean")."""
    if value is None:
        return DEFAULT_OUTFIT
    if isinstance(value, str) and value in OUTFITS:
        return value
    if not isinstance(value, str):
        raise SpecError(f"'outfit' must be an outfit name, got {described(value)} (outfits: {', '.join(OUTFITS)})")
    raise UnknownNameError(f"unknown outfit {_key(value)}{_hint(value, OUTFITS)} (outfits: {', '.join(OUTFITS)})")


def resolve_background(value: Any) -> tuple[str, ...]:
    """A background → its colours as normalised ``#rrggbb``: None or ``"none"`` → ``()`` (transparent); a colour
    (``#rgb``, ``#rrggbb``, a palette name: clothes names plain, others as ``hair/pink``) → one; a list of two
    colours, or ``"c1,c2"`` → a vertical gradient. Every colour goes through
    :func:`parts_library.palettes.parse_color`; anything else is a one-line error."""
    if value is None or value == "none":
        return ()
    if isinstance(value, str) and "," in value and len(value) <= 200:
        value = [v.strip() for v in value.split(",")]
    if isinstance(value, str):
        return (parse_color(value, "background"),)
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return tuple(parse_color(v, "background") for v in value)
    raise ColorError(f"'background' must be none, a colour or two colours for a gradient, got {described(value)} "
                    "(e.g. null, \"teal\", \"#f0e6d8\", [\"#ffd1dc\", \"#a0c4ff\"])")


def _as_mapping(spec: Any) -> Mapping:
    if hasattr(spec, "to_dict") and callable(spec.to_dict):
        spec = spec.to_dict()
    if not isinstance(spec, Mapping):
        raise SpecError(f"a render spec must be a mapping with 'parts' (and 'colors', 'params'), "
                        f"got {type(spec).__name__}")
    check_schema_version(spec)
    return spec


def _parts(spec: Mapping, lib: PartsLibrary) -> dict[str, str]:
    raw = spec.get("parts")
    if not isinstance(raw, Mapping):
        raise SpecError("the render spec has no 'parts' mapping {category: part_id}")
    out: dict[str, str] = {}
    for cat, pid in raw.items():
        if cat not in CATEGORIES:
            raise UnknownNameError(f"unknown part category {_key(cat)}{_hint(cat, CATEGORIES)} "
                                   f"(categories: {', '.join(CATEGORIES)})")
        if pid is None or pid == "" or pid == "none":
            continue
        if isinstance(pid, Mapping):  # {"id": ..., ...} rows from a recipe
            pid = pid.get("id")
            if pid is None or pid == "" or pid == "none":
                continue
        if not isinstance(pid, str):
            raise SpecError(f"the {cat.replace('_', ' ')} part must be a part id (a string, or null for none), "
                            f"got {described(pid)}: see memoji parts list {cat}")
        if not _ID.fullmatch(pid):  # never echo a hostile id in full; ids are short identifiers
            n = len(lib.ids(cat))
            raise UnknownNameError(f"unknown {cat.replace('_', ' ')} part {shown(pid)} ({n} {cat.replace('_', ' ')} "
                                   f"parts: memoji parts list {cat})")
        lib.get(pid, cat)  # looked up in the manifest: only its files reach the SVG
        out[cat] = pid
    missing = [c for c in REQUIRED if c not in out]
    if missing:
        raise SpecError(f"the render spec has no {', '.join(missing)} part (required: {', '.join(REQUIRED)}; "
                        f"hair may be a bald part, see memoji parts list hair)")
    return out


def _color_value(v: Any) -> Any:
    if isinstance(v, Mapping):  # {"name": ..., "hex": ...} rows; any other object is refused by parse_color
        inner = v.get("name") or v.get("hex")
        return v if inner is None else inner
    return v


def resolve_colors(colors: Mapping | None) -> dict[str, str]:
    """Slot → hex for every slot (defaults filled in; brows and facial hair default to the hair colour). Every value
    goes through :func:`parts_library.palettes.parse_color`."""
    if colors is None:
        colors = {}
    if not isinstance(colors, Mapping):
        raise SpecError(f"'colors' must be a mapping {{slot: colour}}, got {described(colors)}"
                        f" (slots: {', '.join(SLOTS)})")
    colors = dict(colors)
    for slot in colors:
        if slot not in SLOTS:
            raise UnknownNameError(f"unknown colour slot {_key(slot)}{_hint(slot, SLOTS)} (slots: {', '.join(SLOTS)})")
    out: dict[str, str] = {}
    for slot in ("skin", "hair", "eyes", "glasses", "headwear", "clothes"):
        v = _color_value(colors.get(slot))
        out[slot] = parse_color(DEFAULT_COLORS[slot] if v is None else v, slot)
    for slot in ("brows", "facial_hair"):
        v = _color_value(colors.get(slot))
        out[slot] = out["hair"] if v is None else parse_color(v, slot)
    v = _color_value(colors.get("lips"))
    if v is None:
        skin = _color_value(colors.get("skin"))
        skin = skin if isinstance(skin, str) else DEFAULT_COLORS["skin"]
        m = re.fullmatch(r"(?:skin/)?monk_(\d+)", skin)
        v = lip_for_skin(int(m.group(1))) if m else "rose"
    out["lips"] = parse_color(v, "lips")
    return out


@functools.lru_cache(maxsize=512)
def _slot_colors(slot: str, hex_color: str) -> tuple[tuple[str, str], ...]:
    return tuple(slot_colors(slot, hex_color).items())


def _fill_table(colors: dict[str, str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for slot, hx in colors.items():
        table.update(_slot_colors(slot, hx))
    return table


PARAM_RANGES = (f"scale 0.5..2, dx/dy within ±200 canonical px, stretch {STRETCH_RANGE[0]:g}..{STRETCH_RANGE[1]:g}")


def _param_number(cat: str, key: str, v: Any) -> float:
    """A parameter value as a float: ints and floats only (not bools, strings, null, lists); a JSON integer too big
    for a float is out of range."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise SpecError(f"{cat} parameter '{key}' must be a number, got {described(v)} "
                        f"({PARAM_RANGES})")
    try:
        return float(v)
    except (OverflowError, ValueError, TypeError):
        raise SpecError(f"{cat} parameter '{key}' is out of range: got {shown(v, 24)} ({PARAM_RANGES})") from None


def validate_params(raw: Any) -> dict[str, tuple[float, float, float, float]]:
    """``{category: {scale, dx, dy, stretch}}`` (``None`` = none) → category → (scale, dx, dy, stretch) floats,
    every value a finite number in range; anything else raises a one-line :class:`SpecError` /
    :class:`UnknownNameError`."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SpecError(f"'params' must be a mapping {{category: {{scale, dx, dy, stretch}}}}, got {described(raw)}")
    out = {}
    for cat, p in raw.items():
        if cat not in CATEGORIES:
            raise UnknownNameError(f"unknown part category {_key(cat)} in params{_hint(cat, CATEGORIES)} "
                                   f"(categories: {', '.join(CATEGORIES)})")
        if p is None:
            continue
        if not isinstance(p, Mapping):
            raise SpecError(f"{cat} params must be a mapping {{scale, dx, dy, stretch}}, got {described(p)}")
        if not p:
            continue
        for k in p:
            if k not in PARAM_KEYS:
                raise UnknownNameError(f"unknown {cat} parameter {_key(k)}{_hint(k, PARAM_KEYS)} "
                                       f"(parameters: {', '.join(PARAM_KEYS)})")
        s, dx, dy, st = (_param_number(cat, k, p.get(k, d))
                         for k, d in (("scale", 1.0), ("dx", 0.0), ("dy", 0.0), ("stretch", 1.0)))
        if (not all(math.isfinite(v) for v in (s, dx, dy, st)) or not 0.5 <= s <= 2.0 or max(abs(dx), abs(dy)) > 200
                or not STRETCH_RANGE[0] <= st <= STRETCH_RANGE[1]):
            raise SpecError(f"{cat} params out of range: scale must be 0.5..2, dx/dy within ±200 canonical px, "
                            f"stretch {STRETCH_RANGE[0]:g}..{STRETCH_RANGE[1]:g} "
                            f"(got scale={s:g}, dx={dx:g}, dy={dy:g}, stretch={st:g})")
        out[cat] = (s, dx, dy, st)
    return out


def _params(spec: Mapping) -> dict[str, tuple[float, float, float, float]]:
    return validate_params(spec.get("params"))


# ---- composition -----------------------------------------------------------------------------------------------
CROWN_Y = 96.0  # the mean cranium's top (families.common.CRANIUM_TOP): what a chin-fitted headwear stretches from


def _affine(cat: str, jaw: np.ndarray, params: dict, centre=None, *, chin_fit: bool = False
            ) -> tuple[float, float, float, float]:
    """x' = a*x + e, y' = d*y + f for one category (face fit, then the user's scale/offset about ``centre``).
    ``chin_fit`` (a hijab): the part is also stretched from the crown so that the mean chin lands on this jaw's."""
    a, d, e, f_ = 1.0, 1.0, 0.0, 0.0
    m = frame.MEAN_SHAPE
    cx = frame.CENTER_X
    if cat in ("hair", "headwear", "ears"):
        sx = float((jaw[16, 0] - jaw[0, 0]) / (m[16, 0] - m[0, 0]))
        a, e = sx, cx * (1 - sx)
        if chin_fit:
            sy = float((jaw[8, 1] - CROWN_Y) / (m[8, 1] - CROWN_Y))
            d, f_ = sy, CROWN_Y * (1 - sy)
    elif cat == "facial_hair":
        sx = float((jaw[12, 0] - jaw[4, 0]) / (m[12, 0] - m[4, 0]))
        sy = float((jaw[8, 1] - MOUTH_Y) / (m[8, 1] - MOUTH_Y))
        a, e = sx, cx * (1 - sx)
        d, f_ = sy, MOUTH_Y * (1 - sy)
    if cat in params:
        s, dx, dy, st = params[cat]
        pcx, pcy = PARAM_CENTRE[cat] if centre is None else centre
        sy = s * st
        a, e = s * a, s * e + pcx * (1 - s) + dx
        d, f_ = sy * d, sy * f_ + pcy * (1 - sy) + dy
    return a, d, e, f_


def face_crown(lib: PartsLibrary, pid: str) -> tuple[float, float]:
    """The face scales about the top of its skull: a wider or longer face keeps its crown under the hair."""
    return frame.CENTER_X, float(np.min(np.asarray(lib.get(pid).anchors["cranium"], dtype=np.float64)[:, 1]))


def _fitted_jaw(lib: PartsLibrary, pid: str, params: dict) -> np.ndarray:
    """The face's jaw anchors after its own params (what hair, ears and facial hair follow)."""
    jaw = np.asarray(lib.get(pid).anchors["jaw"], dtype=np.float64)
    if "face" not in params:
        return jaw
    a, d, e, f_ = _affine("face", jaw, params, face_crown(lib, pid))
    return np.column_stack([a * jaw[:, 0] + e, d * jaw[:, 1] + f_])


def _num(v: float) -> str:
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def compose_svg(spec: Any, *, library: PartsLibrary | None = None, layers: set[str] | None = None,
                background: Any = None) -> tuple[str, np.ndarray]:
    """The composed avatar SVG (colours filled, canonical 1024 viewBox) and its 68 landmarks in canonical px.
    ``layers`` restricts drawing to some categories (e.g. ``{"hair"}`` for a hair mask). ``background`` (none, a
    colour, two colours) replaces the spec's own ``background``."""
    lib = library or load_library()
    spec = _as_mapping(spec)
    parts = _parts(spec, lib)
    colors = resolve_colors(spec.get("colors"))
    params = _params(spec)
    v1 = spec.get("schema_version") == 1  # version 1 had no outfit and no background: stray keys are not read
    outfit = resolve_outfit(None if v1 else spec.get("outfit"))
    # parsed, never pasted: only normalised #rrggbb colours reach the SVG
    bg = resolve_background((None if v1 else spec.get("background")) if background is None else background)

    jaw = _fitted_jaw(lib, parts["face"], params)
    _, hair_clip = _hair_under_headwear(lib, parts, jaw, params)
    hidden = _hidden_by_headwear(lib, parts)

    body: list[str] = [background_svg(bg)] if bg else []
    if hair_clip:
        body.append(f'<defs><clipPath id="memoji-hwclip"><path d="{hair_clip}"/></clipPath></defs>')
    for cat, layer in LAYER_ORDER:
        if layers is not None and cat not in layers:
            continue
        if cat in hidden:
            continue
        if cat == "base":
            frag = lib.base_fragment(layer) if layer == "body" else lib.outfit_fragment(outfit)
            a, d, e, f_ = 1.0, 1.0, 0.0, 0.0
        else:
            pid = parts.get(cat)
            if pid is None:
                continue
            frag = lib.fragments(pid).get(layer)
            if not frag:
                continue
            a, d, e, f_ = _affine(cat, jaw, params, _side_centre(lib, pid, cat, layer),
                                  chin_fit=cat == "headwear" and lib.get(pid).params.get("fit") == "chin")
        if (a, d, e, f_) == (1.0, 1.0, 0.0, 0.0):
            drawn = frag
        else:
            drawn = f'<g transform="matrix({_num(a)},0,0,{_num(d)},{_num(e)},{_num(f_)})">{frag}</g>'
        if cat == "hair" and hair_clip:
            drawn = f'<g clip-path="url(#memoji-hwclip)">{drawn}</g>'
        body.append(drawn)
    text = "".join(body)
    table = _fill_table(colors)
    try:
        text = PLACEHOLDER.sub(lambda m: table[m.group(1)], text)
    except KeyError as err:  # a part uses a slot the renderer does not know: a library bug
        raise MemojiError(f"a part uses an unknown colour slot placeholder {err}") from None
    svg = svg_document(text)
    return svg, _landmarks(lib, parts, jaw, params)


def _hidden_by_headwear(lib: PartsLibrary, parts: dict[str, str]) -> frozenset[str]:
    """The categories the headwear covers entirely (its ``hides`` param: a hijab hides the hair and the ears)."""
    pid = parts.get("headwear")
    return frozenset(lib.get(pid).params.get("hides", ())) if pid is not None else frozenset()


def _hair_under_headwear(lib: PartsLibrary, parts: dict[str, str], jaw: np.ndarray, params: dict) -> tuple[str, str]:
    """How the headwear treats the hair: ``("hidden", "")`` when it covers all of it (a hijab), ``("clipped", path)``
    when hair shows only below its ``hair_line`` anchor (a cap, beanie or turban hides what is above its edge), else
    ``("visible", "")``."""
    pid = parts.get("headwear")
    if pid is None or parts.get("hair") is None:
        return "visible", ""
    part = lib.get(pid)
    if "hair" in _hidden_by_headwear(lib, parts):
        return "hidden", ""
    line = part.anchors.get("hair_line")
    if not line:
        return "visible", ""
    a, d, e, f_ = _affine("headwear", jaw, params)
    pts = np.asarray(line, dtype=np.float64) * [a, d] + [e, f_]
    poly = [(-64.0, 1100.0), (-64.0, float(pts[0, 1])), *map(tuple, pts), (1088.0, float(pts[-1, 1])),
            (1088.0, 1100.0)]
    return "clipped", "M" + " L".join(f"{_num(x)},{_num(y)}" for x, y in poly) + "Z"


def _side_centre(lib: PartsLibrary, pid: str, cat: str, layer: str):
    """Eyes and brows scale about each side's own centre (so the eye centres, which define the canonical frame,
    stay put), the face about its crown; other parts about their category's centre."""
    if cat in PER_SIDE and layer in ("left", "right"):
        return tuple(np.asarray(lib.get(pid).anchors[layer], dtype=np.float64).mean(axis=0))
    if cat == "face":
        return face_crown(lib, pid)
    return None


def _landmarks(lib: PartsLibrary, parts: dict[str, str], jaw: np.ndarray, params: dict) -> np.ndarray:
    pts = frame.MEAN_SHAPE.copy()
    pts[0:17] = jaw
    for cat, keys in LANDMARK_SLICES.items():
        if cat == "face":
            continue
        anchors = lib.get(parts[cat]).anchors
        for key, sl in keys.items():
            pts[sl] = np.asarray(anchors[key], dtype=np.float64)
    for cat, keys in LANDMARK_SLICES.items():
        if cat in params and cat != "face":  # the jaw passed in is already the fitted one
            for key, sl in keys.items():
                a, d, e, f_ = _affine(cat, jaw, params, _side_centre(lib, parts[cat], cat, key))
                pts[sl, 0] = a * pts[sl, 0] + e
                pts[sl, 1] = d * pts[sl, 1] + f_
    return pts


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
