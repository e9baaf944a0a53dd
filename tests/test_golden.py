"""Golden regression: the bundled photo → the checked-in recipe and render. A change here is a deliberate update:
``MEMOJI_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` rewrites the files (then look at the PNG before committing)."""
from __future__ import annotations

import io
import json
import os

import numpy as np
import pytest
from PIL import Image

GOLDEN = {"obama.jpg": "obama", "biden2.jpg": "biden2"}


@pytest.mark.parametrize("photo", sorted(GOLDEN))
def test_photo_gives_the_checked_in_recipe_and_render(photo, data_dir):
    import assembler

    golden_dir = data_dir / "golden"
    stem = GOLDEN[photo]
    avatar = assembler.make(data_dir / photo, size=256)
    got = avatar.recipe.to_dict()
    if os.environ.get("MEMOJI_UPDATE_GOLDEN"):
        golden_dir.mkdir(exist_ok=True)
        keep = {k: got[k] for k in ("parts", "colors", "params")}
        (golden_dir / f"{stem}.recipe.json").write_text(json.dumps(keep, indent=1, sort_keys=True) + "\n")
        (golden_dir / f"{stem}.png").write_bytes(avatar.png)
    want = json.loads((golden_dir / f"{stem}.recipe.json").read_text())
    assert got["parts"] == want["parts"]
    assert got["colors"] == want["colors"]
    for cat, p in want["params"].items():
        for k, v in p.items():
            assert got["params"][cat][k] == pytest.approx(v, abs=0.05), (cat, k)
    img = np.asarray(avatar.image, dtype=np.int16)
    ref = np.asarray(Image.open(io.BytesIO((golden_dir / f"{stem}.png").read_bytes())).convert("RGBA"),
                     dtype=np.int16)
    assert img.shape == ref.shape
    assert np.abs(img - ref).mean() < 1.0  # the same drawing (anti-aliasing may differ by a level here and there)
