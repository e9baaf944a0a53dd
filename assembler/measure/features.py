"""Feature measures beyond the landmarks: brow thickness."""
from __future__ import annotations

from typing import Any

import numpy as np

from .context import WORK_SIZE, _Ctx, _IOD

def brow_thickness(ctx: _Ctx, lab: np.ndarray, skin: dict[str, Any]) -> float | None:
    """Mean brow thickness (IOD units): run length of brow-dark pixels across the brow landmarks."""
    if skin.get("lab") is None:
        return None
    L = lab[..., 0]
    thr = float(skin["lab"][0]) - max(8.0, 0.18 * float(skin["lab"][0]))
    runs = []
    for i in (18, 19, 20, 23, 24, 25):
        x, y = ctx.lm[i]
        xi = int(round(x))
        if not 0 <= xi < WORK_SIZE:
            continue
        y0, y1 = int(max(0, y - 0.2 * _IOD)), int(min(WORK_SIZE, y + 0.2 * _IOD))
        col = L[y0:y1, max(0, xi - 1):xi + 2].mean(axis=1)
        runs.append(float((col < thr).sum()))
    if not runs:
        return None
    return float(np.clip(np.median(runs) / _IOD, 0.02, 0.2))
