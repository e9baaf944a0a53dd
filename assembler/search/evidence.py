"""Evidence: what one or more analysed, classified photos of a person say, averaged (embedding, part descriptors,
attributes, landmarks)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..records import Attributes, FaceRecord

__all__ = ["Evidence", "gather_evidence", "DESCRIPTOR_CATEGORIES"]

DESCRIPTOR_CATEGORIES = ("face", "eyes", "brows", "nose", "mouth", "hair", "facial_hair", "glasses")


@dataclass
class Evidence:
    """What the photo(s) say about one person, averaged over photos."""

    embedding: np.ndarray | None
    descriptors: dict[str, np.ndarray]
    attributes: Attributes
    faces: list[FaceRecord]
    landmarks: np.ndarray | None = None  # (68, 2) mean eye-line-normalised landmarks in the canonical frame


def _combine_attributes(attrs: list[Attributes]) -> Attributes:
    if len(attrs) == 1:
        return attrs[0]
    w = np.array([max(a.confidence, 1e-3) for a in attrs])
    best = attrs[int(np.argmax(w))]

    def wmean(values):
        vals = [(v, wi) for v, wi in zip(values, w) if v is not None]
        return None if not vals else float(np.average([v for v, _ in vals], weights=[wi for _, wi in vals]))

    def wvote(values):
        tally: dict[Any, float] = {}
        for v, wi in zip(values, w):
            if v is not None:
                tally[v] = tally.get(v, 0.0) + wi
        return max(sorted(tally), key=tally.get) if tally else None

    tones = [a.skin_tone for a in attrs if a.skin_tone is not None]
    out = Attributes(
        backend=best.backend,
        skin_tone=int(round(float(np.median(tones)))) if tones else None,
        skin_hex=best.skin_hex, skin_ita=wmean([a.skin_ita for a in attrs]),
        skin_confidence=float(np.mean([a.skin_confidence for a in attrs])),
        hair_color=wvote([a.hair_color for a in attrs]), hair_hex=best.hair_hex,
        hair_color_confidence=float(np.mean([a.hair_color_confidence for a in attrs])),
        hair_length=wvote([a.hair_length for a in attrs]),
        hair_volume=wmean([a.hair_volume for a in attrs]), hair_curl=wmean([a.hair_curl for a in attrs]),
        fringe=wmean([a.fringe for a in attrs]), bald=wmean([a.bald for a in attrs]),
        facial_hair={k: wmean([a.facial_hair.get(k) for a in attrs]) or 0.0
                     for k in sorted({k for a in attrs for k in a.facial_hair})},
        glasses=wmean([a.glasses for a in attrs]), glasses_rim=wmean([a.glasses_rim for a in attrs]),
        probs={k: wmean([a.probs.get(k) for a in attrs]) or 0.0 for k in sorted({k for a in attrs for k in a.probs})},
        confidence=float(np.max(w)), flags=sorted({f for a in attrs for f in a.flags}),
    )
    return out


def gather_evidence(faces: Sequence[FaceRecord]) -> Evidence:
    """Average embeddings and descriptors over several analysed + classified faces of one person."""
    if not faces:
        raise ValueError("gather_evidence needs at least one face")
    embs = [f.embedding for f in faces if f.embedding is not None]
    emb = None
    if embs:
        m = np.mean(embs, axis=0)
        emb = (m / max(np.linalg.norm(m), 1e-12)).astype(np.float32)
    descriptors: dict[str, np.ndarray] = {}
    for cat in DESCRIPTOR_CATEGORIES:
        vecs = [np.asarray(f.measurements["descriptors"][cat], np.float32) for f in faces
                if f.measurements and cat in f.measurements.get("descriptors", {})]
        if vecs:
            descriptors[cat] = np.mean(vecs, axis=0)
    attrs = [f.attributes for f in faces if f.attributes is not None]
    if not attrs:
        raise ValueError("faces must be classified before search (assembler.classify)")
    from parts_library.frame import to_canonical

    marks = [to_canonical(f.landmarks) for f in faces if f.landmarks is not None]
    return Evidence(embedding=emb, descriptors=descriptors, attributes=_combine_attributes(attrs), faces=list(faces),
                    landmarks=np.mean(marks, axis=0) if marks else None)
