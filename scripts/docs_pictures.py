"""The README's sticker, group and caricature pictures, from the public-domain photos:
``python scripts/docs_pictures.py``.

docs/stickers.png: the sticker pack of tests/data/obama.jpg (what ``memoji stickers tests/data/obama.jpg -o DIR``
writes as its contact sheet); docs/group_pair.jpg: tests/data/obama.jpg and biden2.jpg side by side, and the
``make_all`` group picture of that photo next to it; docs/caricature.png: exaggerate 0 / 0.5 / 1 for the five
public-domain photos (one analysis each: the strip is made from the recipe).
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import assembler  # noqa: E402
from assembler.caricature import exaggerate  # noqa: E402
from assembler.sticker_pack import contact_sheet  # noqa: E402


def main(out: Path = ROOT / "docs") -> None:
    data = ROOT / "tests" / "data"
    avatar = assembler.make(data / "obama.jpg")
    contact_sheet(assembler.stickers(avatar, size=256), cell=160, columns=6).save(out / "stickers.png")
    print(f"wrote {out / 'stickers.png'}")

    obama = Image.open(data / "obama.jpg").convert("RGB")
    biden = Image.open(data / "biden2.jpg").convert("RGB").resize((obama.height, obama.height), Image.LANCZOS)
    pair = Image.new("RGB", (obama.width + biden.width, obama.height))
    pair.paste(obama, (0, 0))
    pair.paste(biden, (obama.width, 0))
    with tempfile.TemporaryDirectory() as tmp:
        photo = Path(tmp) / "pair.jpg"
        pair.save(photo, quality=92)
        group = assembler.make_all(photo)
    print(group.summary())
    w = 600
    h = round(pair.height * w / pair.width)
    side = Image.new("RGB", (2 * w + 12, h), (255, 255, 255))
    side.paste(pair.resize((w, h), Image.LANCZOS), (0, 0))
    side.paste(group.group_image(max_side=w).convert("RGB"), (w + 12, 0))
    side.save(out / "group_pair.jpg", quality=85)
    print(f"wrote {out / 'group_pair.jpg'}")

    strip = {}
    for stem in ("obama", "obama2", "obama3", "biden", "biden2"):
        made = assembler.make(data / f"{stem}.jpg")
        for amount in (0.0, 0.5, 1.0):
            strip[f"{stem} {amount:g}"] = assembler.render(exaggerate(made.recipe, amount), size=320).image
    contact_sheet(strip, cell=150, columns=6).save(out / "caricature.png")
    print(f"wrote {out / 'caricature.png'}")


if __name__ == "__main__":
    main()
