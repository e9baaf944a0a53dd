"""The renderer: a spec (parts + colours + small per-part params) → one composed SVG → PNG via cairosvg.

Layers go in a fixed z-order (back hair, back of headwear, neck/shoulders, ears, face, nose, eyes, brows, mouth,
facial hair, front hair, glasses, headwear). Hair, headwear and ears follow the chosen face's temple width; facial
hair follows its jaw. The result carries the 68 iBUG landmark positions of the drawn face (from the parts'
anchors), so renders need no landmark detector. Same spec → byte-identical output.
"""
from __future__ import annotations

import functools
import io
import math
import re
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assembler.errors import MemojiError, UnknownNameError, did_you_mean

from . import frame
from .library import CATEGORIES, REQUIRED, PartsLibrary, load_library
from .palettes import PALETTES, get_color, lip_for_skin
from .svg import PLACEHOLDER, slot_colors

__all__ = ["render", "compose_svg", "RenderResult", "SpecError", "SLOTS", "DEFAULT_COLORS", "LAYER_ORDER",
           "resolve_colors", "part_alpha", "rasterize"]

SLOTS: tuple[str, ...] = ("skin", "hair", "brows", "facial_hair", "eyes", "lips", "glasses", "headwear", "clothes")
SLOT_PALETTE = {"skin": "skin", "hair": "hair", "brows": "hair", "facial_hair": "hair", "eyes": "eyes",
                "lips": "lips", "glasses": "glasses", "headwear": "headwear", "clothes": "clothes"}
DEFAULT_COLORS = {"skin": "monk_05", "hair": "dark_brown", "eyes": "brown", "glasses": "black", "headwear": "navy",
                  "clothes": "navy"}
PARAM_KEYS = ("scale", "dx", "dy", "stretch")
STRETCH_RANGE = (0.7, 1.4)

# (category, layer); "base" is the fixed neck/shoulders/clothes layer
LAYER_ORDER: tuple[tuple[str, str], ...] = (
    ("hair", "back"), ("headwear", "back"), ("base", "body"), ("ears", "main"), ("face", "main"),
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

    def save(self, path) -> None:
        from pathlib import Path

        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(self.data, str):
            p.write_text(self.data, encoding="utf-8")
        else:
            p.write_bytes(self.data)


def _refuse_fetch(url, resource_type):  # noqa: ARG001 - cairosvg's url_fetcher signature
    raise MemojiError(f"the renderer does not load external resources (asked for {url!r})")


def rasterize_rgba(svg: str, size: int) -> np.ndarray:
    """SVG text → straight-alpha RGBA uint8 array (``size``×``size``×4); external resources disabled."""
    from cairosvg.parser import Tree
    from cairosvg.surface import PNGSurface
    from PIL import Image

    tree = Tree(bytestring=svg.encode("utf-8"), unsafe=False, url_fetcher=_refuse_fetch)
    surface = PNGSurface(tree, None, 96, output_width=size, output_height=size)
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


def rasterize(svg: str, size: int) -> bytes:
    """SVG text → PNG bytes at ``size``×``size`` (cairosvg, external resources disabled)."""
    return encode_png(rasterize_rgba(svg, size))


# ---- spec normalisation ----------------------------------------------------------------------------------------
def _as_mapping(spec: Any) -> Mapping:
    if hasattr(spec, "to_dict") and callable(spec.to_dict):
        spec = spec.to_dict()
    if not isinstance(spec, Mapping):
        raise SpecError(f"a render spec must be a mapping with 'parts' (and 'colors', 'params'), "
                        f"got {type(spec).__name__}")
    return spec


def _parts(spec: Mapping, lib: PartsLibrary) -> dict[str, str]:
    raw = spec.get("parts")
    if not isinstance(raw, Mapping):
        raise SpecError("the render spec has no 'parts' mapping {category: part_id}")
    out: dict[str, str] = {}
    for cat, pid in raw.items():
        if cat not in CATEGORIES:
            raise UnknownNameError(f"unknown part category '{cat}'{did_you_mean(cat, CATEGORIES)} "
                                   f"(categories: {', '.join(CATEGORIES)})")
        if pid is None or pid == "" or pid == "none":
            continue
        if isinstance(pid, Mapping):  # {"id": ..., ...} rows from a recipe
            pid = pid.get("id")
        lib.get(str(pid), cat)
        out[cat] = str(pid)
    missing = [c for c in REQUIRED if c not in out]
    if missing:
        raise SpecError(f"the render spec has no {', '.join(missing)} part (required: {', '.join(REQUIRED)}; "
                        f"hair may be a bald part, see memoji parts list hair)")
    return out


def _color_value(v: Any) -> str:
    if isinstance(v, Mapping):
        v = v.get("name") or v.get("hex")
    if not isinstance(v, str) or not v:
        raise SpecError(f"a colour must be a palette name or '#rrggbb', got {v!r}")
    return v


def resolve_colors(colors: Mapping | None) -> dict[str, str]:
    """Slot → hex for every slot (defaults filled in; brows and facial hair default to the hair colour)."""
    colors = dict(colors or {})
    for slot in colors:
        if slot not in SLOTS:
            raise UnknownNameError(f"unknown colour slot '{slot}'{did_you_mean(slot, SLOTS)} (slots: {', '.join(SLOTS)})")
    out: dict[str, str] = {}
    for slot in ("skin", "hair", "eyes", "glasses", "headwear", "clothes"):
        v = colors.get(slot)
        v = DEFAULT_COLORS[slot] if v is None else _color_value(v)
        out[slot] = _get(slot, v)
    for slot in ("brows", "facial_hair"):
        v = colors.get(slot)
        out[slot] = out["hair"] if v is None else _get(slot, _color_value(v))
    v = colors.get("lips")
    if v is None:
        skin = colors.get("skin")
        skin = skin if isinstance(skin, str) else DEFAULT_COLORS["skin"]
        m = re.fullmatch(r"(?:skin/)?monk_(\d+)", skin)
        v = lip_for_skin(int(m.group(1))) if m else "rose"
    out["lips"] = _get("lips", _color_value(v))
    return out


def _get(slot: str, value: str) -> str:
    palette = SLOT_PALETTE[slot]
    if "/" not in value and not value.startswith("#"):
        value = f"{palette}/{value}"
    try:
        return get_color(palette, value)
    except UnknownNameError as err:
        if palette != slot:  # word it for the slot the user named
            name = value.rpartition("/")[2]
            pal = PALETTES[palette]
            raise UnknownNameError(f"unknown {slot.replace('_', ' ')} colour '{name}'{did_you_mean(name, pal)} "
                                   f"({len(pal)} {palette} colours: {', '.join(pal)})") from None
        raise
    except ValueError as err:
        raise SpecError(f"bad {slot} colour '{value}': use a palette name or #rrggbb") from err


@functools.lru_cache(maxsize=512)
def _slot_colors(slot: str, hex_color: str) -> tuple[tuple[str, str], ...]:
    return tuple(slot_colors(slot, hex_color).items())


def _fill_table(colors: dict[str, str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for slot, hx in colors.items():
        table.update(_slot_colors(slot, hx))
    return table


def _params(spec: Mapping) -> dict[str, tuple[float, float, float, float]]:
    raw = spec.get("params") or {}
    if not isinstance(raw, Mapping):
        raise SpecError("'params' must be a mapping {category: {scale, dx, dy, stretch}}")
    out = {}
    for cat, p in raw.items():
        if cat not in CATEGORIES:
            raise UnknownNameError(f"unknown part category '{cat}' in params{did_you_mean(cat, CATEGORIES)} "
                                   f"(categories: {', '.join(CATEGORIES)})")
        if not p:
            continue
        for k in p:
            if k not in PARAM_KEYS:
                raise UnknownNameError(f"unknown {cat} parameter '{k}'{did_you_mean(k, PARAM_KEYS)} "
                                       f"(parameters: {', '.join(PARAM_KEYS)})")
        s, dx, dy = (float(p.get("scale", 1.0)), float(p.get("dx", 0.0)), float(p.get("dy", 0.0)))
        st = float(p.get("stretch", 1.0))
        if (not all(math.isfinite(v) for v in (s, dx, dy, st)) or not 0.5 <= s <= 2.0 or max(abs(dx), abs(dy)) > 200
                or not STRETCH_RANGE[0] <= st <= STRETCH_RANGE[1]):
            raise SpecError(f"{cat} params out of range: scale must be 0.5..2, dx/dy within ±200 canonical px, "
                            f"stretch {STRETCH_RANGE[0]:g}..{STRETCH_RANGE[1]:g} "
                            f"(got scale={s:g}, dx={dx:g}, dy={dy:g}, stretch={st:g})")
        out[cat] = (s, dx, dy, st)
    return out


# ---- composition -----------------------------------------------------------------------------------------------
def _affine(cat: str, jaw: np.ndarray, params: dict, centre=None) -> tuple[float, float, float, float]:
    """x' = a*x + e, y' = d*y + f for one category (face fit, then the user's scale/offset about ``centre``)."""
    a, d, e, f_ = 1.0, 1.0, 0.0, 0.0
    m = frame.MEAN_SHAPE
    cx = frame.CENTER_X
    if cat in ("hair", "headwear", "ears"):
        sx = float((jaw[16, 0] - jaw[0, 0]) / (m[16, 0] - m[0, 0]))
        a, e = sx, cx * (1 - sx)
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
                background: str | None = None) -> tuple[str, np.ndarray]:
    """The composed avatar SVG (colours filled, canonical 1024 viewBox) and its 68 landmarks in canonical px.
    ``layers`` restricts drawing to some categories (e.g. ``{"hair"}`` for a hair mask)."""
    lib = library or load_library()
    spec = _as_mapping(spec)
    parts = _parts(spec, lib)
    colors = resolve_colors(spec.get("colors"))
    params = _params(spec)

    jaw = _fitted_jaw(lib, parts["face"], params)

    body: list[str] = []
    if background:
        bg = background if background.startswith("#") else get_color("clothes", background)
        body.append(f'<rect width="1024" height="1024" fill="{bg}"/>')
    for cat, layer in LAYER_ORDER:
        if layers is not None and cat not in layers:
            continue
        if cat == "base":
            frag = lib.base_fragment(layer)
            a, d, e, f_ = 1.0, 1.0, 0.0, 0.0
        else:
            pid = parts.get(cat)
            if pid is None:
                continue
            frag = lib.fragments(pid).get(layer)
            if not frag:
                continue
            a, d, e, f_ = _affine(cat, jaw, params, _side_centre(lib, pid, cat, layer))
        if (a, d, e, f_) == (1.0, 1.0, 0.0, 0.0):
            body.append(frag)
        else:
            body.append(f'<g transform="matrix({_num(a)},0,0,{_num(d)},{_num(e)},{_num(f_)})">{frag}</g>')
    text = "".join(body)
    table = _fill_table(colors)
    try:
        text = PLACEHOLDER.sub(lambda m: table[m.group(1)], text)
    except KeyError as err:  # a part uses a slot the renderer does not know: a library bug
        raise MemojiError(f"a part uses an unknown colour slot placeholder {err}") from None
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024" viewBox="0 0 1024 1024">'
           f'{text}</svg>')
    return svg, _landmarks(lib, parts, jaw, params)


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
           background: str | None = None) -> RenderResult:
    """Render a spec/recipe (``{"parts": {...}, "colors": {...}, "params": {...}}`` or an object with
    ``to_dict()``) to PNG bytes or an SVG string at ``size``×``size`` pixels. Deterministic."""
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
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024" viewBox="0 0 1024 1024">{text}</svg>'
    return rasterize_rgba(svg, size)[..., 3].astype(np.float32) / 255.0


def visible_hair_alpha(part_id: str, size: int = 256, *, library: PartsLibrary | None = None) -> np.ndarray:
    """What a photo's hair mask would show of a hair part: its front layer, plus its back layer where the neutral
    head (mean face, ears, neck and shoulders) does not hide it. Canonical frame, 0..1 float32."""
    from .contact_sheet import NEUTRAL_PARTS

    lib = library or load_library()
    front = part_alpha(part_id, size, library=lib, layers=("front",))
    back = part_alpha(part_id, size, library=lib, layers=("back",))
    occluder = fragments_alpha([lib.base_fragment("body"), *lib.fragments(NEUTRAL_PARTS["ears"]).values(),
                                *lib.fragments(NEUTRAL_PARTS["face"]).values()], size)
    return np.maximum(front, back * (1.0 - occluder))
