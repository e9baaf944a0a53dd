"""Skin-tone pseudo-labels for a CelebA-format folder (``memoji pseudo-label-skin``).

Pipeline work (analyse every image, classify it), so it lives in the pipeline package: ``classifiers/`` holds the
models and their data and never runs the pipeline.

Each image goes through :func:`assembler.analysis.analyze` (largest face) and an attribute backend (``measured`` by
default: skin colour measured in CIELAB on cheek/forehead patches, mapped to the Monk scale); its ``skin_tone`` and
``skin_confidence`` become a row ``image,monk,confidence`` of the CSV that ``train(skin_csv=...)`` reads.
"""
from __future__ import annotations

import csv
from pathlib import Path

from .errors import MemojiError, NoFaceError

__all__ = ["pseudo_label_skin"]


def pseudo_label_skin(celeba_root: str | Path, out: str | Path, *, split: str = "all", limit: int | None = None,
                      backend: str = "measured", weights: str | Path | None = None, min_confidence: float = 0.0,
                      progress: bool = True) -> dict[str, int]:
    """Write ``out`` (``image,monk,confidence``); return counts ``total``, ``labelled``, ``no_face``,
    ``low_confidence``."""
    from tqdm import tqdm

    from classifiers.celeba.data import read_celeba

    from .analysis import analyze
    from .classification import create_classifier

    index = read_celeba(celeba_root)
    rows = index.select(split, limit)
    clf = create_classifier(backend, **({"weights": weights} if weights is not None else {}))
    counts = {"total": len(rows), "labelled": 0, "no_face": 0, "low_confidence": 0}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["image", "monk", "confidence"])
        for r in tqdm(rows, desc="pseudo-label skin", disable=None if progress else True):
            name = index.images[r]
            try:
                faces = analyze(index.root / "img_align_celeba" / name, max_faces=1)
            except NoFaceError:
                counts["no_face"] += 1
                continue
            attrs = clf.predict(faces[0])
            if attrs.skin_tone is None:
                raise MemojiError(f"the '{backend}' classifier gives no skin tone: use one that does (measured, or a "
                                  "resnext50-celeba run trained with skin labels)")
            if attrs.skin_confidence < min_confidence:
                counts["low_confidence"] += 1
                continue
            w.writerow([name, int(attrs.skin_tone), f"{attrs.skin_confidence:.3f}"])
            counts["labelled"] += 1
    tmp.replace(out)
    return counts
