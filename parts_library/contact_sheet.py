"""The gallery contact sheet: every part on a neutral head, every outfit, and every palette swatch.

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
    "face": (150, 170, 874, 894), "hair": (0, 0, 1024, 1024), "headwear": (40, 0, 984, 944),
    "eyes": (300, 300, 724, 724), "brows": (300, 280, 724, 704), "nose": (320, 380, 704, 764),
    "mouth": (320, 450, 704, 834), "ears": (180, 250, 844, 914), "facial_hair": (232, 380, 792, 940),
    "glasses": (272, 230, 752, 710), "outfit": (40, 80, 984, 1024),
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
    """One gallery cell: a part on the neutral head (``category`` "outfit": the neutral avatar in that outfit)."""
    from PIL import Image

    from .renderer import compose_svg, rasterize_rgba

    colors = dict(NEUTRAL_COLORS)
    if category == "outfit":
        spec = default_spec()
        spec["outfit"] = part_id
        colors["clothes"] = "teal"
    else:
        spec = default_spec(**{category: part_id})
    if category == "hair":
        colors["hair"] = "dark_brown"
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

    from types import SimpleNamespace

    from .outfits import OUTFITS

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
    outfits = [SimpleNamespace(id=name) for name in OUTFITS]  # chosen in the recipe, drawn like a part
    blocks.append(("outfit", outfits, -(-len(outfits) // columns)))
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


# Avatars for the README: different skin tones (Monk 1, 3, 5, 7, 9, 10), hair and face shapes, outfits.
README_AVATARS = [
    {"parts": {"face": "face_oval_01", "ears": "ears_medium_01", "eyes": "eyes_almond_02", "brows": "brows_soft_03",
               "nose": "nose_button_01", "mouth": "mouth_smile_01", "hair": "long_straight_02"},
     "colors": {"skin": "monk_01", "hair": "blonde", "eyes": "blue", "clothes": "coral"},
     "outfit": "sweater"},
    {"parts": {"face": "face_heart_01", "ears": "ears_small_01", "eyes": "eyes_upturned_02", "brows": "brows_arched_02",
               "nose": "nose_small_01", "mouth": "mouth_smile_02", "hair": "bob_02"},
     "colors": {"skin": "monk_03", "hair": "red", "brows": "auburn", "eyes": "green", "clothes": "navy"},
     "outfit": "square_neck"},
    {"parts": {"face": "face_square_01", "ears": "ears_large_01", "eyes": "eyes_almond_01", "brows": "brows_bushy_01",
               "nose": "nose_roman_01", "mouth": "mouth_smile_01", "hair": "bald_01", "facial_hair": "full_beard_01",
               "glasses": "glasses_rect_01"},
     "colors": {"skin": "monk_05", "hair": "gray", "lips": "mauve", "clothes": "gray"},
     "outfit": "collared_shirt"},
    {"parts": {"face": "face_oval_02", "ears": "ears_medium_01", "eyes": "eyes_almond_01", "brows": "brows_straight_02",
               "nose": "nose_straight_01", "mouth": "mouth_grin_01", "hair": "curly_02", "facial_hair": "stubble_01"},
     "colors": {"skin": "monk_07", "hair": "dark_brown", "eyes": "brown", "clothes": "teal"},
     "outfit": "hoodie"},
    {"parts": {"face": "face_round_01", "ears": "ears_medium_01", "eyes": "eyes_round_02", "brows": "brows_soft_02",
               "nose": "nose_wide_01", "mouth": "mouth_smile_02", "hair": "afro_01"},
     "colors": {"skin": "monk_09", "hair": "black", "eyes": "dark_brown", "clothes": "white"},
     "outfit": "crew_tee"},
    {"parts": {"face": "face_long_01", "ears": "ears_medium_01", "eyes": "eyes_monolid_02", "brows": "brows_straight_03",
               "nose": "nose_medium_01", "mouth": "mouth_smile_01", "hair": "long_wavy_02",
               "glasses": "glasses_round_02"},
     "colors": {"skin": "monk_04", "hair": "pink", "brows": "dark_brown", "eyes": "dark_brown", "clothes": "navy"},
     "outfit": "blazer"},
]


def avatar_sheet(specs: list[dict], path: str | Path, *, size: int = 320, columns: int | None = None) -> Path:
    """Avatars side by side on a soft background (for docs)."""
    from PIL import Image

    from .renderer import render

    columns = columns or len(specs)
    rows = -(-len(specs) // columns)
    sheet = Image.new("RGB", (columns * size, rows * size), BG)
    for i, spec in enumerate(specs):
        tile = Image.new("RGBA", (size, size), BG + (255,))
        tile.alpha_composite(render(spec, size=size).image)
        r, c = divmod(i, columns)
        sheet.paste(tile.convert("RGB"), (c * size, r * size))
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, optimize=True)
    return out


def write_docs(docs: str | Path = "docs") -> list[Path]:
    """docs/gallery.png and the README avatar images (``python -m parts_library.contact_sheet``)."""
    docs = Path(docs)
    return [gallery(docs / "gallery.png"), avatar_sheet(README_AVATARS, docs / "avatars_lineup.png", size=256),
            avatar_sheet(README_AVATARS[:3], docs / "avatars_closeup.png", size=420)]


if __name__ == "__main__":
    import sys

    for p in write_docs(sys.argv[1] if len(sys.argv) > 1 else "docs"):
        print(f"wrote {p}")
