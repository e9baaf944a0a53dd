"""Per-part placement from the photo's landmarks: the drawn eyes, brows, nose, mouth and face outline sized like the
photo's."""
from __future__ import annotations

import numpy as np

from parts_library.vocabulary import FIT_FACE, FIT_FACE_LENGTH, FIT_SCALE

__all__ = ["fit_params", "fit_face", "FIT_SLICES", "FIT_SCALE", "FIT_FACE", "FIT_FACE_LENGTH"]

FIT_SLICES = {"eyes": (slice(36, 42), slice(42, 48)), "brows": (slice(17, 22), slice(22, 27)),
              "nose": (slice(31, 36),), "mouth": (slice(48, 60),)}
# the ranges (parts_library.vocabulary) are shared with the random avatars the identity model is learned from


def fit_params(spec: dict, target: np.ndarray) -> dict[str, dict[str, float]]:
    """Scale per feature so the drawn eyes, brows, nose and mouth are as wide as the photo's (``target``: its 68
    landmarks in the canonical frame), clamped so a bad landmark cannot deform the avatar; the face outline from
    :func:`fit_face`.

    Features are not moved up or down (``dy`` stays 0): in one 2-D photo their heights relative to the eye line
    change with the head's pitch as much as between people. Moving them to the photo's heights made the avatars
    *less* recognisable to the judging embedder (dev photos: 8 of 27 better, 19 worse; docs/eval.md), while
    widths, which pitch barely changes, helped."""
    from parts_library import frame, render

    drawn = np.asarray(render({**spec, "params": {}}, size=frame.SIZE, fmt="svg").landmarks, dtype=np.float64)
    params: dict[str, dict[str, float]] = {}
    for cat, slices in FIT_SLICES.items():
        scales = []
        for sl in slices:
            wp, wq = np.ptp(drawn[sl][:, 0]), np.ptp(np.asarray(target[sl], dtype=np.float64)[:, 0])
            if wp > 1e-6:
                scales.append(wq / wp)
        s = float(np.clip(np.mean(scales), *FIT_SCALE)) if scales else 1.0
        params[cat] = {"scale": round(s, 3), "dx": 0.0, "dy": 0.0}
    params["face"] = fit_face(spec["parts"]["face"], target)
    return params


def fit_face(face_id: str, target: np.ndarray) -> dict[str, float]:
    """Width and length of a face part's outline like the photo's jaw (``target``: 68 canonical landmarks): the
    width from the jaw's span at three heights, the length from the chin's distance to the crown, which stays put
    under the hair; the factors clamped to FIT_FACE and FIT_FACE_LENGTH (``stretch`` is length / width)."""
    from parts_library import load_library
    from parts_library.renderer import face_crown

    lib = load_library()
    drawn = np.asarray(lib.get(face_id).anchors["jaw"], dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    pairs = [(1, 15), (3, 13), (5, 11)]
    wd = np.mean([drawn[j, 0] - drawn[i, 0] for i, j in pairs])
    wt = np.mean([target[j, 0] - target[i, 0] for i, j in pairs])
    s = float(np.clip(wt / wd, *FIT_FACE)) if wd > 1e-6 else 1.0
    top = face_crown(lib, face_id)[1]
    reach = drawn[8, 1] - top
    v = float(np.clip((target[8, 1] - top) / reach, *FIT_FACE_LENGTH)) if reach > 1e-6 else 1.0
    return {"scale": round(s, 3), "dx": 0.0, "dy": 0.0, "stretch": round(v / s, 3)}
