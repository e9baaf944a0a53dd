"""The gallery contact sheet: every part on a neutral head, and every palette swatch.

``gallery("docs/gallery.png")`` (or ``memoji parts gallery -o gallery.png``). Close-up categories (eyes, brows,
nose, mouth, ears, facial hair, glasses) are cropped to the face so their details show.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .library import CATEGORIES, PartsLibrary, load_library
from .palettes import PALETTES

__all__ = ["gallery", "default_spec", "NEUTRAL_PARTS"]

NEUTRAL_PARTS = {
    "face": "face_oval_01", "ears": "ears_medium_01", "eyes": "eyes_almond_01", "brows": "brows_soft_01",
    "nose": "nose_straight_01", "mouth": "mouth_soft_smile_01", "hair": "side_part_01",
}
NEUTRAL_COLORS = {"skin": "monk_04", "hair": "brown", "eyes": "brown", "clothes": "gray"}
# canonical crop box per category (x0, y0, x1, y1)
CROPS = {
    "face": (40, 20, 984, 964), "hair": (0, 0, 1024, 1024), "headwear": (40, 0, 984, 944),
    "eyes": (300, 300, 724, 724), "brows": (300, 280, 724, 704), "nose": (320, 380, 704, 764),
    "mouth": (320, 450, 704, 834), "ears": (180, 250, 844, 914), "facial_hair": (232, 380, 792, 940),
    "glasses": (272, 230, 752, 710),
}
BG = (236, 239, 244)


def default_spec(**parts) -> dict:
    """A neutral avatar spec; keyword arguments replace parts (``hair="afro_01"``)."""
    spec_parts = dict(NEUTRAL_PARTS)
    spec_parts.update(parts)
    return {"parts": spec_parts, "colors": dict(NEUTRAL_COLORS)}


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def _cell(lib: PartsLibrary, category: str, part_id: str, cell: int):
    from PIL import Image

    from .renderer import compose_svg, rasterize_rgba

    parts = {category: part_id}
    colors = dict(NEUTRAL_COLORS)
    if category == "hair":
        colors["hair"] = "dark_brown"
    spec = default_spec(**parts)
    spec["colors"] = colors
    x0, y0, x1, y1 = CROPS[category]
    zoom = 1024 / (x1 - x0)
    size = int(round(cell * zoom))
    svg, _ = compose_svg(spec, library=lib)
    rgba = rasterize_rgba(svg, size)
    s = size / 1024
    crop = rgba[int(y0 * s):int(y0 * s) + cell, int(x0 * s):int(x0 * s) + cell]
    img = Image.new("RGBA", (cell, cell), BG + (255,))
    img.alpha_composite(Image.fromarray(np.ascontiguousarray(crop)))
    return img.convert("RGB")


def gallery(path: str | Path, *, cell: int = 150, columns: int = 12, library: PartsLibrary | None = None,
            categories: tuple[str, ...] = CATEGORIES) -> Path:
    """Write a contact sheet of every part (on a neutral head) and every palette; returns the path."""
    from PIL import Image, ImageDraw

    lib = library or load_library()
    label_h = 18
    title_h = 34
    pad = 8
    font, title_font = _font(12), _font(20)
    blocks = []
    for cat in categories:
        parts = lib.parts(cat)
        rows = -(-len(parts) // columns)
        blocks.append((cat, parts, rows))
    width = pad + columns * (cell + pad)
    sw_rows = sum(-(-len(p) // 10) for p in PALETTES.values())
    height = (sum(title_h + rows * (cell + label_h + pad) for _, _, rows in blocks) + title_h
              + sw_rows * 54 + pad * 4)
    sheet = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    y = pad
    for cat, parts, _rows in blocks:
        draw.text((pad, y + 6), f"{cat.replace('_', ' ')}  ({len(parts)})", fill=(40, 40, 48), font=title_font)
        y += title_h
        for i, part in enumerate(parts):
            r, c = divmod(i, columns)
            x = pad + c * (cell + pad)
            yy = y + r * (cell + label_h + pad)
            sheet.paste(_cell(lib, cat, part.id, cell), (x, yy))
            draw.text((x + 2, yy + cell + 2), part.id[:24], fill=(70, 70, 80), font=font)
        y += _rows * (cell + label_h + pad)
    draw.text((pad, y + 6), "palettes", fill=(40, 40, 48), font=title_font)
    y += title_h
    for name, pal in PALETTES.items():
        for i, sw in enumerate(pal.values()):
            r, c = divmod(i, 10)
            x = pad + 110 + c * ((width - 120 - pad) // 10)
            yy = y + r * 54
            draw.rounded_rectangle((x, yy, x + 34, yy + 34), radius=8, fill=sw.hex, outline=(200, 200, 205))
            draw.text((x + 40, yy + 10), sw.name, fill=(60, 60, 70), font=font)
        draw.text((pad, y + 10), name, fill=(40, 40, 48), font=_font(16))
        y += -(-len(pal) // 10) * 54
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, optimize=True)
    return out
