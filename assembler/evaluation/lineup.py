"""The lineup, judged by machine: shown one photo and four avatars (its own and three made from photos of other
people with the same skin band), does the judge pick the photo's own avatar?

This is the held-out test's lineup ("can a person pick the avatar made from a photo among four avatars of people of
the same gender and skin band?") with the independent judge embedder (:mod:`assembler.judge`, never used by the
search) in the person's place, over every labelled photo. The foils share the labelled skin band and come from other
people (the folder of an identity folder, the file itself under a ``_`` folder); ``labels.csv`` has no gender, so
they may differ in it, which makes the test easier than the person's.

A photo's score is exact, not sampled: the judge picks its own avatar when the cosine between the photo and its own
avatar beats the cosine to every foil, and the three foils are drawn uniformly from the ``n`` eligible avatars, so
the chance of that is ``C(b, 3) / C(n, 3)`` where ``b`` of them score below the photo's own avatar. Chance is 1/4.
Every method faces the same pool of photos, so methods compare photo by photo (:func:`paired`)."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

import numpy as np

from .stats import bootstrap_mean
from .stats import paired as stats_paired

__all__ = ["FOILS", "person_of", "lineup_scores", "summary", "paired"]

FOILS = 3  # avatars beside the photo's own: a lineup of four


def person_of(rel: str) -> str:
    """Who a labelled photo shows: its identity folder, or the photo itself under a ``_`` folder (one person each)."""
    parts = PurePosixPath(rel).parts
    return rel if len(parts) < 2 or parts[0].startswith("_") else parts[0]


def _unit(v) -> np.ndarray:
    v = np.asarray(v, np.float64).reshape(-1)
    return v / max(float(np.linalg.norm(v)), 1e-12)


def lineup_scores(photos: Mapping[str, Sequence[float]], avatars: Mapping[str, Sequence[float]],
                  bands: Mapping[str, str], *, foils: int = FOILS) -> dict[str, float | None]:
    """``{photo: probability that the judge picks its own avatar}`` for one method. ``photos`` and ``avatars``: the
    judge's embeddings of each photo and of the method's avatar of it (by the photo's labelled path); ``bands``: the
    labelled skin band. ``None`` for a photo without an avatar or with fewer than ``foils`` eligible foils."""
    keys = [k for k in photos if k in avatars and bands.get(k)]
    A = {k: _unit(avatars[k]) for k in keys}
    out: dict[str, float | None] = {k: None for k in photos}
    for k in keys:
        pool = [j for j in keys if bands[j] == bands[k] and person_of(j) != person_of(k)]
        if len(pool) < foils:
            continue
        p = _unit(photos[k])
        own = float(p @ A[k])
        below = sum(float(p @ A[j]) < own for j in pool)
        out[k] = math.comb(below, foils) / math.comb(len(pool), foils)
    return out


def summary(scores: Mapping[str, float | None], *, boot: int = 2000, seed: int = 0) -> dict[str, float]:
    """Photos scored, the mean probability of a right pick and its 95 % bootstrap interval over photos."""
    v = [s for s in scores.values() if s is not None]
    m, lo, hi = bootstrap_mean(v, boot, seed)
    return {"photos": len(v), "mean": m, "lo": lo, "hi": hi}


def paired(a: Mapping[str, float | None], b: Mapping[str, float | None]) -> dict[str, float]:
    """Method ``a`` against ``b`` photo by photo (the photos both scored): :func:`.stats.paired` of the probabilities
    of a right pick."""
    return stats_paired([(a[k], b[k]) for k in a if a[k] is not None and b.get(k) is not None])
