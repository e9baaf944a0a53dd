"""The caricature knob: push what sets a face apart from the average face further out.

:func:`geometry_ratios` measures the photo's face against the population mean shape (``parts_library.frame
.MEAN_SHAPE``, both in the canonical frame, so every length is in units of the inter-ocular distance): face width
and length, eye size, nose width and length, mouth width, brow height. ``make`` stores them in the recipe
(``analysis["geometry"]``), so :func:`exaggerate` works from a recipe, with no re-analysis: each ratio ``r`` scales
the matching drawn feature by ``r ** (GAIN * amount)`` (brow height: moved by ``GAIN * amount`` times its measured
offset), in the part params the renderer already has (``scale``, ``stretch``, ``dy``), clamped to their ranges.
``amount`` 0 is the avatar as made; 1 triples every deviation in log terms; in between it moves monotonically.

Eye spacing has no parameter of its own: the canonical frame fixes the eyes, so wide-set eyes show as a narrower
face (and are exaggerated with it). Parts are not swapped: the search's choice is kept, its proportions pushed.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from .errors import MemojiError
from .recipe import Recipe

__all__ = ["geometry_ratios", "exaggerate", "check_amount", "GAIN", "FEATURES", "drawn_geometry"]

GAIN = 2.0
# category -> (width feature, length feature or None, largest change factor of scale and of stretch)
PUSH = {"face": ("face_width", "face_length", 1.25), "eyes": ("eye_width", None, 1.4),
        "nose": ("nose_width", "nose_length", 1.5), "mouth": ("mouth_width", None, 1.4)}
BROW_GAIN = 1.0  # brow height is moved by this × amount × its measured offset (px), at most BROW_LIMIT (up, down):
BROW_LIMIT = (14.0, 8.0)  # a head's pitch changes it as much as people differ, and drawn eyes are big
FEATURES = ("face_width", "face_length", "eye_width", "nose_width", "nose_length", "mouth_width", "brow_height")
_JAW_PAIRS = ((1, 15), (3, 13), (5, 11))


class CaricatureError(MemojiError):
    """A bad exaggeration amount, or a recipe without the measurements to exaggerate."""

    exit_code = 2


def _measure(lm: np.ndarray) -> dict[str, float]:
    """Feature sizes of 68 canonical-frame landmarks (px)."""
    from parts_library import frame

    lm = np.asarray(lm, dtype=np.float64)
    return {
        "face_width": float(np.mean([lm[j, 0] - lm[i, 0] for i, j in _JAW_PAIRS])),
        "face_length": float(lm[8, 1] - frame.EYE_Y),
        "eye_width": float((np.ptp(lm[36:42, 0]) + np.ptp(lm[42:48, 0])) / 2),
        "nose_width": float(np.ptp(lm[31:36, 0])),
        "nose_length": float(lm[33, 1] - lm[27, 1]),
        "mouth_width": float(np.ptp(lm[48:60, 0])),
        "brow_height": float(frame.EYE_Y - lm[17:27, 1].mean()),
    }


def geometry_ratios(landmarks_canonical: np.ndarray) -> dict[str, float]:
    """The face's proportions relative to the mean face: ``{feature: measured / mean}`` (1 = average), rounded to
    4 decimals, for :data:`FEATURES`."""
    from parts_library import frame

    got, mean = _measure(landmarks_canonical), _measure(frame.MEAN_SHAPE)
    return {k: round(got[k] / mean[k], 4) if mean[k] > 1e-6 else 1.0 for k in FEATURES}


def drawn_geometry(recipe: Recipe | Mapping) -> dict[str, float]:
    """The proportions of the avatar a recipe draws, relative to the mean face (from the renderer's landmarks)."""
    from parts_library import compose_svg

    spec = recipe.render_spec() if isinstance(recipe, Recipe) else recipe
    _, lm = compose_svg(spec)
    return geometry_ratios(lm)


def _ratio(geo: Mapping, key: str) -> float:
    r = geo.get(key, 1.0)
    return float(r) if isinstance(r, numbers.Real) and not isinstance(r, bool) and 0 < float(r) < 100 else 1.0


def _largest(fits, amount: float, steps: int = 30) -> float:
    """The largest e in [0, amount] with ``fits(e)`` (fits holds on an interval from 0: params move monotonically)."""
    if fits(amount):
        return amount
    if not fits(0.0):
        return 0.0
    lo, hi = 0.0, amount
    for _ in range(steps):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    return lo


def check_amount(amount: Any) -> float:
    """``amount`` as a float in 0..1, or one :class:`CaricatureError` line."""
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real) or not math.isfinite(float(amount)) \
            or not 0.0 <= float(amount) <= 1.0:
        raise CaricatureError(f"exaggerate must be a number 0..1 (0: the avatar as made, 1: a caricature), "
                              f"got {amount!r}")
    return float(amount)


def exaggerate(recipe: Recipe, amount: float, geometry: Mapping[str, float] | None = None) -> Recipe:
    """A copy of ``recipe`` with its face's deviations from the mean pushed out by ``amount`` (0..1).

    ``geometry`` defaults to the recipe's ``analysis["geometry"]`` (written by ``make``). The params the recipe had
    before any exaggeration are kept in ``analysis["caricature"]["base_params"]``, so exaggerating again starts from
    the avatar as made, not from the last caricature. ``amount`` 0 gives that avatar back."""
    from parts_library.renderer import STRETCH_RANGE

    amount = check_amount(amount)
    analysis = dict(recipe.analysis or {})
    geo = geometry if geometry is not None else analysis.get("geometry")
    if not isinstance(geo, Mapping) or not geo:
        raise CaricatureError("this recipe has no measured geometry (analysis.geometry) to exaggerate: make it "
                              "from a photo with this version (memoji make PHOTO --exaggerate …)")
    previous = analysis.get("caricature") if isinstance(analysis.get("caricature"), Mapping) else None
    base = previous.get("base_params") if previous else None
    base = {k: dict(v) for k, v in (base if isinstance(base, Mapping) else recipe.params).items()}
    analysis.pop("caricature", None)
    if amount == 0.0:
        return Recipe(parts=dict(recipe.parts), colors=dict(recipe.colors), params=base, scores=recipe.scores,
                      alternatives=recipe.alternatives, analysis=analysis, method=recipe.method,
                      outfit=recipe.outfit, background=recipe.background)

    params = {k: dict(v) for k, v in base.items()}
    for cat, (w_key, l_key, limit) in PUSH.items():
        p = params.setdefault(cat, {})
        s0, st0 = float(p.get("scale", 1.0)), float(p.get("stretch", 1.0))
        a, b = _ratio(geo, w_key), _ratio(geo, l_key) if l_key else None

        def at(e: float, s0=s0, st0=st0, a=a, b=b) -> tuple[float, float]:
            s = s0 * a ** (GAIN * e)
            return s, (s0 * st0 * b ** (GAIN * e) / s) if b is not None else st0

        def fits(e: float, s0=s0, st0=st0, limit=limit, at=at) -> bool:
            s, st = at(e)
            return (0.5 <= s <= 2.0 and STRETCH_RANGE[0] <= st <= STRETCH_RANGE[1]
                    and 1 / limit <= s / s0 <= limit and 1 / limit <= st / st0 <= limit)

        e = _largest(fits, amount)  # saturate (monotonically) where a range would be left
        s, st = at(e)
        p["scale"] = round(s, 4)
        if b is not None:
            p["stretch"] = round(st, 4)
        p.setdefault("dx", 0.0)
        p.setdefault("dy", 0.0)
    from parts_library import frame

    offset = (_ratio(geo, "brow_height") - 1.0) * _measure(frame.MEAN_SHAPE)["brow_height"]
    brows = params.setdefault("brows", {"scale": 1.0, "dx": 0.0})
    move = float(np.clip(-BROW_GAIN * amount * offset, -BROW_LIMIT[0], BROW_LIMIT[1]))  # dy > 0 is down
    brows["dy"] = round(float(brows.get("dy", 0.0)) + move, 3)
    analysis["caricature"] = {"amount": round(amount, 4), "gain": GAIN, "base_params": base}
    return Recipe(parts=dict(recipe.parts), colors=dict(recipe.colors), params=params, scores=recipe.scores,
                  alternatives=recipe.alternatives, analysis=analysis, method=recipe.method, outfit=recipe.outfit,
                  background=recipe.background)
