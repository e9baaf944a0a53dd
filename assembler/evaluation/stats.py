"""Small statistics of the evaluation reports: chance levels of a ranking, Wilson intervals, NaN-aware means, bootstrap
intervals of a mean and the paired photo-by-photo comparison of two methods (sign test)."""
from __future__ import annotations

import math

import numpy as np

__all__ = ["chance", "wilson", "mean", "bootstrap_mean", "paired", "p_text"]


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


def bootstrap_mean(values, n_boot: int = 4000, seed: int = 0) -> tuple[float, float, float]:
    """The mean of ``values`` and its 95 % bootstrap interval (``n_boot`` resamples, fixed ``seed``); NaNs when
    empty."""
    v = np.asarray(values, np.float64)
    if not len(v):
        return math.nan, math.nan, math.nan
    boot = v[np.random.default_rng(seed).integers(0, len(v), (n_boot, len(v)))].mean(axis=1)
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return float(v.mean()), float(lo), float(hi)


def paired(pairs, *, higher_is_better: bool = True, n_boot: int = 4000) -> dict:
    """Two methods photo by photo, ``pairs`` = [(first's score, other's score), …]: on how many photos the first is
    better, tied, worse, the two-sided sign-test p-value over the untied photos, and the mean difference first − other
    with its 95 % bootstrap interval."""
    from scipy.stats import binomtest

    d = np.array([x - y for x, y in pairs], np.float64)
    gain = d if higher_is_better else -d
    better, worse = int((gain > 1e-12).sum()), int((gain < -1e-12).sum())
    p = binomtest(better, better + worse).pvalue if better + worse else math.nan
    diff, lo, hi = bootstrap_mean(d, n_boot)
    return {"photos": len(d), "better": better, "tied": len(d) - better - worse, "worse": worse,
            "sign_test_p": float(p), "mean_difference": diff, "ci95": [lo, hi]}


def p_text(p: float) -> str:
    """A p-value as the reports print it: ``< 0.001``, three decimals, or ``–`` when there is none."""
    return "–" if math.isnan(p) else "< 0.001" if p < 0.001 else f"{p:.3f}"
