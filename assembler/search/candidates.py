"""Candidates: every part of a category that the measurements allow, ranked by the FAISS part index (descriptor
distance to the photo's geometry), and the category's typical part."""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .constraints import OPTIONAL_CATEGORIES, allowed, expression_allowed, presence
from .evidence import Evidence

__all__ = ["candidates", "typical", "alternatives", "library_and_index", "OPTIONAL_CATEGORIES", "SEARCH_ORDER"]

# order in which the joint search revisits categories: what changes a face's identity most first
SEARCH_ORDER = ("hair", "face", "eyes", "brows", "nose", "mouth", "facial_hair", "glasses")


@functools.lru_cache(maxsize=1)
def library_and_index():
    from index.parts import PartIndex
    from parts_library import load_library

    lib = load_library()
    return lib, PartIndex.open(lib)


def candidates(category: str, ev: Evidence, lib, idx) -> list[tuple[str | None, float]]:
    """All parts of a category allowed by the attributes, ranked by descriptor distance (FAISS), with their
    descriptor agreement in (0, 1]."""
    attrs = ev.attributes
    parts = {p.id: p for p in lib.parts(category)}
    if category in ev.descriptors and category in idx.categories:
        ranked = idx.query(category, ev.descriptors[category], k=len(parts))
    else:
        ranked = [(pid, 0.0) for pid in sorted(parts)]
    dists = np.array([d for _, d in ranked], dtype=np.float64)
    scale = float(np.median(dists)) if len(dists) and np.median(dists) > 0 else 1.0
    opening = None
    if category == "mouth" and "mouth" in ev.descriptors and len(ev.descriptors["mouth"]) > 6:
        opening = float(ev.descriptors["mouth"][6])
    smiling = attrs.probs.get("Smiling") if category == "mouth" else None
    out = [(pid, float(np.exp(-d / scale))) for pid, d in ranked
           if allowed(category, parts[pid], attrs) and expression_allowed(parts[pid], opening, smiling)]
    if category in OPTIONAL_CATEGORIES and allowed(category, None, attrs):
        # "none" competes with the parts: as likely as the measurements say the thing is absent
        out.append((None, 1.0 - presence(category, attrs)))
        out.sort(key=lambda t: -t[1])
    if not out:  # nothing satisfies the constraints: fall back to the nearest parts
        out = [(pid, float(np.exp(-d / scale))) for pid, d in ranked]
    return out


def typical(category: str, lib, idx) -> str:
    """The part closest to the category's mean descriptor: what 'no geometry information' picks."""
    parts = lib.parts(category)
    descs = np.stack([np.asarray(p.descriptor, np.float32) for p in parts]) if parts and parts[0].descriptor is not None else None
    if descs is None or category not in idx.categories:
        return sorted(p.id for p in parts)[0]
    return idx.query(category, descs.mean(axis=0), k=1)[0][0]


def alternatives(cands: dict[str, list[tuple[str | None, float]]], n: int) -> dict[str, list[dict[str, Any]]]:
    """The recipe's record of each category's first ``n`` candidates (what an editor offers first)."""
    return {cat: [{"id": pid, "descriptor": round(a, 4)} for pid, a in lst[:n]] for cat, lst in cands.items()}
