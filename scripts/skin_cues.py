"""Can the photo's pixels tell light from dark skin where the Monk match fails? A diagnostic of the measured skin tone.

    python scripts/skin_cues.py [--labels ../shared/faces/labels.csv] [--out docs/skin_cues.md]

For every photo of ``labels.csv`` (its skin band: light, medium or dark — Monk 1–4, 5–7, 8–10, the bands
``memoji eval --labels`` scores) it measures, on the illumination-normalised face, with the learned skin mask, as ``assembler.measure`` does:
the skin colour the Monk match sees, and relative cues that do not depend on exposure — cheek luminance over the
sclera's and the teeth's (white references on the face), the bright end of the skin over its median (specular
sheen reads stronger on darker skin), and lip against skin (redness Δa*, chroma ratio). Then it re-runs the Monk match
over a grid of its weights (L*, a*, exposure penalty). It writes the per-photo table, each cue's range per group, and
the grid: a cue or a setting that separated the groups would show here.
"""
from __future__ import annotations

import argparse
import datetime
import itertools
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CUES = ("cheek/sclera", "cheek/teeth", "sheen p99/p50", "lip−skin Δa*", "lip/skin chroma")
W_L = (0.2, 0.3, 0.5)
W_A = (1.0, 0.5, 0.0)
K_PENALTY = (2.0, 3.0, 5.0)


def cues(image, face) -> dict:
    """The normalised skin colour, the Monk tone and the relative cues of one analysed face."""
    import cv2
    import numpy as np

    from assembler import measure as M
    from assembler.measure.context import _face_polygon, _luma, _poly
    from assembler.measure.illumination import _white_refs

    from assembler.segment import get_segmenter

    seg = get_segmenter(M.DEFAULT_SEGMENTER).segment(image, face)  # as the pipeline measures it
    ctx, illum, lab = M.normalised(image, face, seg)
    skin_prob = seg.in_frame("skin", np.asarray(face.align_matrix, np.float64) * M._S, M.WORK_SIZE)
    skin = M.measure_skin(ctx, lab, illum, skin_prob=skin_prob)
    if skin["lab"] is None:
        return {}
    y = _luma(ctx.lin)
    skin_y = float(np.median(y[skin["_mask"]]))
    refs = _white_refs(ctx)
    out = {"lab": skin["lab"], "monk": skin["monk"],
           "cheek/sclera": skin_y / float(_luma(refs["sclera"][None])[0]) if "sclera" in refs else None,
           "cheek/teeth": skin_y / float(_luma(refs["teeth"][None])[0]) if "teeth" in refs else None}
    lm, shape = ctx.lm, ctx.shape
    features = _poly(shape, lm[36:42]) | _poly(shape, lm[42:48]) | _poly(shape, lm[48:60])
    features = cv2.dilate(features.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    region = _poly(shape, _face_polygon(ctx)) & ~features & ctx.valid
    region &= np.linalg.norm(lab[..., 1:] - skin["lab"][1:], axis=-1) < 25  # skin-coloured: no brows, beard, glasses
    if region.sum() >= 50:
        p50, p99 = np.percentile(y[region], [50, 99])
        out["sheen p99/p50"] = float(p99 / max(p50, 1e-6))
    lips = _poly(shape, lm[48:60]) & ~_poly(shape, lm[60:68])
    lips = cv2.erode(lips.astype(np.uint8), np.ones((2, 2), np.uint8)).astype(bool)
    if lips.sum() >= 30:
        lip = np.median(lab[lips], axis=0)
        out["lip−skin Δa*"] = float(lip[1] - skin["lab"][1])
        out["lip/skin chroma"] = float(np.hypot(*lip[1:]) / max(np.hypot(*skin["lab"][1:]), 1e-6))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels", type=Path, default=ROOT.parent / "shared" / "faces" / "labels.csv")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "skin_cues.md")
    args = ap.parse_args()

    import numpy as np

    from assembler import analyze
    from assembler.errors import NoFaceError
    from assembler.io import load_image
    from assembler.evaluation import read_labels, skin_band
    from assembler.measure.skin import _MONK_K_PENALTY, _W_L, monk_from_lab

    labels = read_labels(args.labels)
    measured = []
    for row in labels.rows:
        band = row.truth("skin")
        if band is None:
            continue
        image = np.asarray(load_image(labels.root / row.path))[..., :3]
        try:
            c = cues(image, analyze(image, max_faces=1)[0])
        except NoFaceError:
            c = {}
        if c:
            measured.append((row.path, band, c))
            print(row.path, band, c["monk"], flush=True)

    fmt = lambda v: "–" if v is None else f"{v:.2f}"  # noqa: E731
    rows = []
    for path, group, c in measured:
        ok = skin_band(c["monk"]) == group
        L, a, b = (float(v) for v in c["lab"])
        rows.append(f"| {path} | {group} | {c['monk']} {'✓' if ok else '✗'} | {L:.0f}, {a:.0f}, {b:.0f} | "
                    + " | ".join(fmt(c.get(k)) for k in CUES) + " |")

    def span(group: str, key: str, wrong: bool) -> str:
        vals = [c.get(key) for _, g, c in measured
                if g == group and c.get(key) is not None and (skin_band(c["monk"]) != group) == wrong]
        return f"{min(vals):.2f} … {max(vals):.2f} ({len(vals)})" if vals else "–"

    bands = ("light", "medium", "dark")
    ranges = [f"| {k} | " + " | ".join(f"{span(b, k, False)} | {span(b, k, True)}" for b in bands) + " |"
              for k in CUES]

    grid = []
    for w_l, w_a, pen in itertools.product(W_L, W_A, K_PENALTY):
        wrong = []
        for path, group, c in measured:
            m = monk_from_lab(c["lab"], w_l=w_l, w_a=w_a, k_penalty=pen)[0]
            if skin_band(m) != group:
                wrong.append(f"{Path(path).name.split('__')[-1]} ({m})")
        grid.append(f"| {w_l} | {w_a} | {pen} | {len(measured) - len(wrong)}/{len(measured)} | {', '.join(wrong)} |")

    lines = [
        "# Skin tone: what the pixels can and cannot tell",
        "",
        f"Written by `scripts/skin_cues.py` on {datetime.date.today()} ({platform.machine()}, Python "
        f"{platform.python_version()}) over `{os.path.relpath(args.labels, ROOT)}` ({len(measured)} labelled "
        "photos). " + " ".join((__doc__ or "").split("\n\n")[2].split()),
        "",
        "| photo | label | Monk | normalised skin L\\*, a\\*, b\\* | " + " | ".join(CUES) + " |",
        "|---|---|---|---|" + "---|" * len(CUES),
        *rows,
        "",
        "Each cue's range (number of photos) per labelled band: the photos the Monk match puts in their band, and the "
        "ones it does not (✗ above).",
        "",
        "| cue | light, right | light, wrong | medium, right | medium, wrong | dark, right | dark, wrong |",
        "|---|---|---|---|---|---|---|",
        *ranges,
        "",
        f"The Monk match over a grid of its weights (the module's are L\\* {_W_L:g}, a\\* 1, exposure "
        f"{_MONK_K_PENALTY:g}): photos whose tone falls in their labelled band, and the ones that do not (with the tone "
        "they get).",
        "",
        "| L\\* weight | a\\* weight | exposure penalty | agree | wrong |",
        "|---|---|---|---|---|",
        *grid,
        "",
    ]
    args.out.write_text("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
