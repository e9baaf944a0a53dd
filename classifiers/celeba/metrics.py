"""Numbers that cannot hide a majority-class baseline (numpy only).

Per attribute: accuracy, balanced accuracy (mean of the true-positive and true-negative rates: 0.5 for any constant
predictor), F1 of the positive class, and the accuracy of always predicting the training split's majority class.
Skin tone: exact and within-±1 accuracy, mean absolute error, both for the model and for always predicting the most
frequent training tone, plus the confusion matrix.
"""
from __future__ import annotations

import numpy as np

__all__ = ["binary_metrics", "tune_thresholds", "attribute_table", "skin_metrics", "THRESHOLD_METRICS"]

THRESHOLD_METRICS = ("accuracy", "balanced_accuracy", "f1")
_GRID = np.round(np.arange(0.02, 0.985, 0.01), 2)


def binary_metrics(pred: np.ndarray, label: np.ndarray) -> dict[str, np.ndarray]:
    """``pred``, ``label``: (N, A) in {0, 1} → per-attribute accuracy, balanced accuracy, F1 (arrays of A)."""
    pred = np.asarray(pred).astype(bool)
    label = np.asarray(label).astype(bool)
    tp = (pred & label).sum(0).astype(np.float64)
    tn = (~pred & ~label).sum(0).astype(np.float64)
    fp = (pred & ~label).sum(0).astype(np.float64)
    fn = (~pred & label).sum(0).astype(np.float64)
    n = np.maximum(tp + tn + fp + fn, 1)
    pos, neg = tp + fn, tn + fp
    tpr = np.divide(tp, pos, out=np.full_like(tp, np.nan), where=pos > 0)
    tnr = np.divide(tn, neg, out=np.full_like(tn, np.nan), where=neg > 0)
    # with only one class present, balanced accuracy is the rate on that class
    bal = np.where(np.isnan(tpr), tnr, np.where(np.isnan(tnr), tpr, (tpr + tnr) / 2))
    denom = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return {"accuracy": (tp + tn) / n, "balanced_accuracy": bal, "f1": f1}


def tune_thresholds(probs: np.ndarray, labels: np.ndarray, metric: str = "accuracy") -> np.ndarray:
    """Per attribute, the threshold on a 0.02..0.98 grid that maximises ``metric`` on (validation) data; ties go to
    the threshold closest to 0.5. No data → 0.5."""
    if metric not in THRESHOLD_METRICS:
        raise ValueError(f"unknown threshold metric '{metric}' (choose from {', '.join(THRESHOLD_METRICS)})")
    probs = np.asarray(probs, dtype=np.float64)
    labels = np.asarray(labels)
    if len(probs) == 0:
        return np.full(probs.shape[1], 0.5)
    scores = np.stack([binary_metrics(probs >= t, labels)[metric] for t in _GRID])  # (G, A)
    scores = np.nan_to_num(scores, nan=-1.0)
    best = scores.max(axis=0, keepdims=True)
    near = np.where(np.isclose(scores, best), -np.abs(_GRID - 0.5)[:, None], -np.inf)
    return _GRID[near.argmax(axis=0)]


def attribute_table(probs: np.ndarray, labels: np.ndarray, thresholds: np.ndarray, names: list[str],
                    train_pos_rate: np.ndarray | None = None) -> list[dict]:
    """One row per attribute: positive rate, accuracy, majority baseline accuracy, balanced accuracy, F1, threshold.

    The majority class is the training split's (``train_pos_rate``), else the evaluated split's own."""
    labels = np.asarray(labels).astype(bool)
    pred = np.asarray(probs) >= np.asarray(thresholds)[None, :]
    m = binary_metrics(pred, labels)
    pos_rate = labels.mean(0) if len(labels) else np.zeros(len(names))
    ref = pos_rate if train_pos_rate is None else np.asarray(train_pos_rate)
    majority_pos = ref > 0.5
    base = binary_metrics(np.broadcast_to(majority_pos, labels.shape), labels)
    rows = []
    for i, name in enumerate(names):
        rows.append({
            "attribute": name, "positive_rate": float(pos_rate[i]), "accuracy": float(m["accuracy"][i]),
            "majority_accuracy": float(base["accuracy"][i]), "balanced_accuracy": float(m["balanced_accuracy"][i]),
            "f1": float(m["f1"][i]), "majority_f1": float(base["f1"][i]), "threshold": float(thresholds[i]),
        })
    return rows


def skin_metrics(pred_tone: np.ndarray, true_tone: np.ndarray, num_tones: int = 10,
                 train_majority: int | None = None) -> dict:
    """Tones 1..K (``true_tone`` 0 or negative = unlabelled, skipped) → exact, ±1, MAE, baseline, confusion."""
    pred_tone = np.asarray(pred_tone, dtype=np.int64)
    true_tone = np.asarray(true_tone, dtype=np.int64)
    keep = true_tone >= 1
    p, t = pred_tone[keep], true_tone[keep]
    conf = np.zeros((num_tones, num_tones), dtype=np.int64)  # rows: true, cols: predicted
    np.add.at(conf, (t - 1, np.clip(p, 1, num_tones) - 1), 1)
    n = int(keep.sum())
    if n == 0:
        return {"count": 0, "confusion": conf.tolist()}
    maj = int(train_majority) if train_majority else int(np.bincount(t, minlength=num_tones + 1).argmax())
    return {
        "count": n,
        "exact": float((p == t).mean()),
        "within_1": float((np.abs(p - t) <= 1).mean()),
        "mae": float(np.abs(p - t).mean()),
        "majority_tone": maj,
        "majority_exact": float((t == maj).mean()),
        "majority_within_1": float((np.abs(t - maj) <= 1).mean()),
        "majority_mae": float(np.abs(t - maj).mean()),
        "confusion": conf.tolist(),
    }
