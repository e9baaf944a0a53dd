"""Generate the parts library: ``python -m parts_library.generate [--out DIR]``.

Every family generator in :mod:`parts_library.families` draws its parts parametrically; this writes one SVG file
per part (``assets/<category>/<id>.svg``, colour slots as ``%slot%`` placeholders), the fixed body layer, and
``assets/manifest.json`` with ids, names, tags, licence, anchors, colour slots and descriptors. Descriptors come
from :mod:`parts_library.descriptors`: landmark descriptors of each part's representative 68 landmarks (the mean
shape with the part's anchors in place) and mask descriptors of its rendered alpha in the canonical frame (for hair:
the front layer plus the back layer where the neutral head does not hide it, as a photo's hair mask would see it).
Expression parts for sticker packs (:mod:`parts_library.families.expressions`) go to ``assets/expressions/`` with
their own ``manifest.json``: the main manifest, and so its hash (which the identity model and the FAISS indices are
built for), stays the same when they change, and the photo search never sees them.
Output is deterministic: regenerating gives identical files.
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np

from . import descriptors, frame
from .families.common import PartDef
from .library import ASSETS, CATEGORIES
from .svg import svg_file

__all__ = ["build_parts", "build_expression_parts", "generate", "representative_landmarks", "SCHEMA",
           "EXPRESSIONS_DIR"]

SCHEMA = 1
MASK_SIZE = 256
EXPRESSIONS_DIR = "expressions"


def build_parts() -> list[PartDef]:
    from .families import accessories, face, features, hair

    parts = (face.face_parts() + face.ear_parts() + features.eye_parts() + features.brow_parts()
             + features.nose_parts() + features.mouth_parts() + hair.hair_parts() + hair.facial_hair_parts()
             + accessories.glasses_parts() + accessories.headwear_parts())
    ids = [p.id for p in parts]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"duplicate part ids: {sorted(dup)}")
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(parts, key=lambda p: (order[p.category], p.id))


def build_expression_parts() -> list[PartDef]:
    """The sticker expression parts (posed eyes and brows per base part, generic mouths and eyes, extras)."""
    from .families import expressions

    parts = expressions.expression_parts()
    ids = [p.id for p in parts]
    dup = {i for i in ids if ids.count(i) > 1} | (set(ids) & {p.id for p in build_parts()})
    if dup:
        raise ValueError(f"duplicate part ids: {sorted(dup)}")
    order = {c: i for i, c in enumerate((*CATEGORIES, "extra"))}
    return sorted(parts, key=lambda p: (order[p.category], p.id))


def representative_landmarks(category: str, anchors: dict) -> np.ndarray:
    """MEAN_SHAPE with the part's region replaced by its anchors."""
    pts = frame.MEAN_SHAPE.copy()
    a = {k: np.asarray(v, dtype=np.float64) for k, v in anchors.items()}
    if category == "face":
        pts[0:17] = a["jaw"]
    elif category == "eyes":
        pts[36:42], pts[42:48] = a["left"], a["right"]
    elif category == "brows":
        pts[17:22], pts[22:27] = a["left"], a["right"]
    elif category == "nose":
        pts[27:36] = a["nose"]
    elif category == "mouth":
        pts[48:60], pts[60:68] = a["outer"], a["inner"]
    else:
        raise ValueError(f"no landmark region for {category}")
    return pts


TAG_VOCAB = {
    "ears": ["small", "medium", "large", "protruding"],
    "headwear": ["beanie", "cap", "headband", "bucket_hat", "hat", "sporty", "warm", "hijab", "turban"],
}


def _landmark_descriptor(p: PartDef) -> np.ndarray:
    lm = representative_landmarks(p.category, p.anchors)
    if p.category == "face":
        return descriptors.face_shape_descriptor(lm)
    if p.category == "eyes":
        return descriptors.eyes_descriptor(lm)
    if p.category == "brows":
        return descriptors.brows_descriptor(lm, p.params.get("thickness"))
    if p.category == "nose":
        return descriptors.nose_descriptor(lm)
    return descriptors.mouth_descriptor(lm)


def _tag_descriptor(p: PartDef) -> np.ndarray:
    vocab = TAG_VOCAB[p.category]
    return np.array([1.0 if t in p.tags else 0.0 for t in vocab], dtype=np.float32)


def generate(out: Path = ASSETS) -> dict:
    from .library import PartsLibrary
    from .renderer import part_alpha, visible_hair_alpha

    out = Path(out)
    parts = build_parts()
    written = set()
    for p in parts:
        rel = f"{p.category}/{p.id}.svg"
        (out / p.category).mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(svg_file(p.layers, p.id, p.category), encoding="utf-8")
        written.add(rel)
    from .outfits import write_assets

    written.update(write_assets(out))  # body.svg (neck and shoulders) and outfits/<name>.svg
    expr = build_expression_parts()
    for p in expr:
        rel = f"{EXPRESSIONS_DIR}/{p.id}.svg"
        (out / EXPRESSIONS_DIR).mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(svg_file(p.layers, p.id, p.category), encoding="utf-8")
        written.add(rel)
        if p.category != "extra":
            p.descriptor = [float(v) for v in np.asarray(_landmark_descriptor(p), dtype=np.float32)]
    # remove stale files of parts that no longer exist
    for old in sorted(out.glob("*/*.svg")):
        if f"{old.parent.name}/{old.name}" not in written:
            old.unlink()

    def rows(with_desc: bool, parts=parts, folder=None) -> list[dict]:
        return [{
            "id": p.id, "category": p.category, "name": p.name, "tags": p.tags, "license": p.license,
            "file": f"{folder or p.category}/{p.id}.svg", "layers": list(p.layers), "anchors": p.anchors,
            "color_slots": p.color_slots,
            "descriptor": [round(float(v), 5) for v in p.descriptor] if with_desc and p.descriptor is not None else [],
            "params": p.params,
        } for p in parts]

    expr_manifest = {
        "schema": SCHEMA,
        "generator": "python -m parts_library.generate",
        "note": "expression parts for sticker packs: never offered to the photo search (see parts_library.families."
                "expressions)",
        "counts": {c: sum(p.category == c for p in expr) for c in ("eyes", "brows", "mouth", "extra")},
        "parts": rows(True, expr, EXPRESSIONS_DIR),
    }
    _write_json(out / EXPRESSIONS_DIR / "manifest.json", expr_manifest)

    manifest = {
        "schema": SCHEMA,
        "generator": "python -m parts_library.generate",
        "frame": {"size": frame.SIZE, "center_x": frame.CENTER_X, "eye_y": frame.EYE_Y, "iod": frame.IOD},
        "base": {"body": "body.svg"},
        "counts": {c: sum(p.category == c for p in parts) for c in CATEGORIES},
        "parts": rows(False),
    }
    # descriptors: masks need the SVG files, so render through a library over the freshly written files
    lib = PartsLibrary(manifest, out, "")
    for p in parts:
        if p.category in ("face", "eyes", "brows", "nose", "mouth"):
            d = _landmark_descriptor(p)
        elif p.category in ("hair", "facial_hair", "glasses"):
            # hair: what a photo's hair mask would show (the back layer hidden by the head does not count)
            alpha = (visible_hair_alpha(p.id, MASK_SIZE, library=lib) if p.category == "hair"
                     else part_alpha(p.id, MASK_SIZE, library=lib))
            fn = {"hair": descriptors.hair_descriptor, "facial_hair": descriptors.facial_hair_descriptor,
                  "glasses": descriptors.glasses_descriptor}[p.category]
            d = fn(alpha)
        else:
            d = _tag_descriptor(p)
        if p.category in descriptors.DESCRIPTOR_DIMS and len(d) != descriptors.DESCRIPTOR_DIMS[p.category]:
            raise ValueError(f"{p.id}: descriptor length {len(d)} != {descriptors.DESCRIPTOR_DIMS[p.category]}")
        p.descriptor = [float(v) for v in np.asarray(d, dtype=np.float32)]
    manifest["parts"] = rows(True)
    _write_json(out / "manifest.json", manifest)
    return manifest


def _write_json(path: Path, data: dict) -> None:
    text = json.dumps(data, indent=1, ensure_ascii=True)
    text = re.sub(r"\[\s+([-0-9.e]+),\s+([-0-9.e]+)\s+\]", r"[\1, \2]", text)  # compact [x, y] pairs
    path.write_text(text + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m parts_library.generate", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ASSETS, help="output folder (default: the packaged assets)")
    args = ap.parse_args(argv)
    m = generate(args.out)
    print(f"wrote {len(m['parts'])} parts to {args.out}: "
          + ", ".join(f"{c} {n}" for c, n in m["counts"].items())
          + f"; {len(build_expression_parts())} expression parts to {args.out / EXPRESSIONS_DIR}")


if __name__ == "__main__":
    main()
