"""Small statistics of the evaluation reports: chance levels of a ranking, Wilson intervals, NaN-aware means."""
from __future__ import annotations

import math

import numpy as np

__all__ = ["chance", "wilson", "mean"]


def chance(n_cand: int, n_pos: int) -> tuple[float, float, float]:
    """Random-ordering top-1, top-3 and expected best rank for ``n_pos`` positives among ``n_cand``."""
    if n_pos <= 0 or n_cand <= 0:
        return math.nan, math.nan, math.nan
    top1 = n_pos / n_cand
    k = min(3, n_cand)
    top3 = 1.0 - math.comb(n_cand - n_pos, k) / math.comb(n_cand, k)
    return top1, top3, (n_cand + 1) / (n_pos + 1)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion k/n."""
    if n <= 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def mean(values) -> float:
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return float(np.mean(values)) if values else math.nan
